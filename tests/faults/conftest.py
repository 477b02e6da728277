"""Fixtures of the fault suite: a fresh `FaultServer` per test, and `Faults`, its clients.

`Faults` builds clients of one kind (each test runs with `byot.Client` and `byot.AsyncClient`)
aimed at the server, and makes their calls awaitable either way. When the test ends it checks
what every scenario must leave behind: no connection still checked out of a client's pool,
and, once the clients are closed, no connection left open on the server.
"""

from __future__ import annotations

import gc
import inspect
from typing import TYPE_CHECKING, Any

import pytest

import byot
from tests.faults.server import FaultServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

FAST = byot.RetryPolicy(sleep=False)


def busy_connections(client: Any) -> int:
    """Connections of the client's pool that a request still holds (0 when none leaked)."""
    pool = client._connection.transport._pool
    held = len(pool._requests)
    return held + sum(1 for c in pool.connections if not (c.is_idle() or c.is_closed()))


def pooled_connections(client: Any) -> int:
    """Connections the client's pool keeps, busy or idle."""
    return len(client._connection.transport._pool.connections)


class Faults:
    """Clients of one kind against the fault server, awaitable either way."""

    def __init__(self, mode: str, server: FaultServer) -> None:
        self.mode = mode
        self.is_async = mode == "async"
        self.server = server
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        """A client of this kind for the server; retries do not sleep unless asked to."""
        kwargs.setdefault("base_url", self.server.url + "/v1")
        kwargs.setdefault("api_key", "sk-test")
        kwargs.setdefault("retry", FAST)
        client = (byot.AsyncClient if self.is_async else byot.Client)(**kwargs)
        self.clients.append(client)
        return client

    async def result(self, value: Any) -> Any:
        """The value, awaited when it is awaitable (what the async client returns)."""
        return await value if inspect.isawaitable(value) else value

    async def request(self, client: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.result(client.request(*args, **kwargs))

    async def fails(
        self, error: type[BaseException], call: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """The exception of `error`'s type that `call(...)` raises, awaited if need be."""
        with pytest.raises(error) as info:
            await self.result(call(*args, **kwargs))
        return info.value

    async def drain(self, stream: Any) -> list[Any]:
        """Every item of a stream, inside its context manager."""
        if self.is_async:
            async with stream:
                return [item async for item in stream]
        with stream:
            return list(stream)

    async def check_and_close(self) -> None:
        gc.collect()  # a dropped stream is released when it is collected
        held = [busy_connections(client) for client in self.clients]
        for client in self.clients:
            await self.result(client.aclose() if self.is_async else client.close())
        assert held == [0] * len(held), "a connection is still checked out of a pool"
        assert self.server.wait_drained() == 0, "a connection is still open on the server"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


@pytest.fixture(params=["sync", "async"])
async def faults(request: pytest.FixtureRequest, server: FaultServer) -> AsyncIterator[Faults]:
    helper = Faults(request.param, server)
    yield helper
    await helper.check_and_close()


# llmock, the third-party model server that injects faults (started once per session).
from tests.conformance.conftest import llmock  # noqa: E402, F401 - a fixture, re-exported
