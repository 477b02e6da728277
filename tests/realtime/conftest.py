"""Fixtures of the Realtime suite: the fake server, and `Live`, the clients of one kind.

Each test runs with `byot.Client` and `byot.AsyncClient`. When it ends, the checks of the
fault suite apply in WebSocket terms: no connection left open on the server, and, once the
server has stopped, no thread left behind (the sync client's reader threads included).
"""

from __future__ import annotations

import inspect
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

import byot
from byot.testing import RealtimeServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator


class Live:
    """Clients of one kind against a `RealtimeServer`, their calls awaitable either way."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.is_async = mode == "async"
        self.servers: list[RealtimeServer] = []

    def server(self, **kwargs: Any) -> RealtimeServer:
        server = RealtimeServer(**kwargs).start()
        self.servers.append(server)
        return server

    def client(self, server: RealtimeServer, **kwargs: Any) -> Any:
        if "base_url" not in kwargs:
            kwargs["base_url"] = server.base_url
        kwargs.setdefault("api_key", "sk-test")
        return (byot.AsyncClient if self.is_async else byot.Client)(**kwargs)

    def connect(self, server: RealtimeServer, **kwargs: Any) -> Any:
        kwargs.setdefault("model", "gpt-realtime")
        kwargs.setdefault("validate", "raise")
        return self.client(server).realtime.connect(**kwargs)

    async def call(self, value: Any) -> Any:
        return await value if inspect.isawaitable(value) else value

    async def fails(self, error: type[BaseException], method: Any, *args: Any) -> Any:
        """The exception of `error`'s type that `method(*args)` raises, awaited if need be."""
        with pytest.raises(error) as info:
            await self.call(method(*args))
        return info.value

    async def drain(self, connection: Any) -> list[Any]:
        if self.is_async:
            return [event async for event in connection]
        return list(connection)


def _wait_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    deadline = time.monotonic() + 5
    while (
        extra := [t for t in threading.enumerate() if t not in before]
    ) and time.monotonic() < deadline:
        time.sleep(0.01)
    return extra


@pytest.fixture(params=["sync", "async"])
async def live(request: pytest.FixtureRequest) -> AsyncIterator[Live]:
    before = set(threading.enumerate())
    helper = Live(request.param)
    yield helper
    still_open = [server.wait_closed() for server in helper.servers]
    for server in helper.servers:
        server.stop()
    assert still_open == [0] * len(still_open), "a connection is still open on the server"
    assert _wait_threads(before) == [], "a thread was left behind"


@pytest.fixture
def server() -> Iterator[RealtimeServer]:
    with RealtimeServer() as running:
        yield running
