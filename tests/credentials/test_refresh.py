"""A key given as a function is called before every attempt: a retry sends a fresh token.

Against the suite's real server (`FaultServer`), with `byot.Client` and `byot.AsyncClient`;
the server records the headers of every request it gets.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

import byot
from byot import errors
from tests.e2e.server import Json, Reset

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.faults.conftest import Faults
    from tests.faults.server import FaultServer

pytestmark = pytest.mark.anyio

PATH = "/v1/things"
OK = {"ok": True}


def tokens() -> Callable[[], str]:
    """A token provider whose every call hands out a new token: token-1, token-2, ..."""
    numbers = itertools.count(1)
    return lambda: f"token-{next(numbers)}"


def async_tokens() -> Callable[[], object]:
    numbers = itertools.count(1)

    async def provider() -> str:
        return f"token-{next(numbers)}"

    return provider


def sent(server: FaultServer, header: str = "authorization") -> list[str | None]:
    return [request.headers.get(header) for request in server.requests]


@pytest.mark.parametrize("kind", ["sync function", "async function"])
async def test_a_retried_call_sends_the_new_token(
    faults: Faults, server: FaultServer, kind: str
) -> None:
    provider = tokens() if kind == "sync function" else async_tokens()
    if kind == "async function" and not faults.is_async:
        with pytest.raises(errors.ConfigError, match="async function"):
            faults.client(api_key=provider)
        return
    server.add(PATH, Json(503, {"error": {"message": "busy"}}), Reset(), Json(200, OK))
    client = faults.client(api_key=provider)

    assert await faults.request(client, "POST", "/things", body={"a": 1}) == OK

    assert sent(server) == ["Bearer token-1", "Bearer token-2", "Bearer token-3"]


async def test_an_azure_token_provider_is_asked_before_each_attempt(
    faults: Faults, server: FaultServer
) -> None:
    config = byot.AzureV1Config(server.url, ad_token=tokens())
    server.add("/openai/v1/things", Json(500, {"error": {"message": "oops"}}), Json(200, OK))
    client = faults.client(config=config, base_url=None, api_key=None)

    assert await faults.request(client, "GET", "/things") == OK

    assert sent(server) == ["Bearer token-1", "Bearer token-2"]
    assert "token" not in repr(client)


async def test_a_config_gives_a_header_as_a_function(faults: Faults, server: FaultServer) -> None:
    provider = tokens()

    class Gateway:
        base_url = server.url + "/v1"

        def headers(self) -> dict[str, str | Callable[[], str]]:
            return {"x-gateway-key": provider, "x-team": "search"}

        def query(self) -> dict[str, str]:
            return {}

        def url(self, path: str) -> str:
            return self.base_url + path

    server.add(PATH, Json(429, {"error": {"message": "later"}}), Json(200, OK))
    client = faults.client(config=Gateway(), base_url=None, api_key=None)

    assert await faults.request(client, "GET", "/things") == OK

    assert sent(server, "x-gateway-key") == ["token-1", "token-2"]
    assert sent(server, "x-team") == ["search", "search"]
    assert sent(server) == [None, None]


async def test_a_bad_token_fails_before_anything_is_sent(
    faults: Faults, server: FaultServer
) -> None:
    client = faults.client(api_key=lambda: "sk-secret\n")

    error = await faults.fails(errors.ConfigError, faults.request, client, "GET", "/things")

    assert "Authorization" in str(error)
    assert "sk-secret" not in str(error)
    assert server.requests == []


async def test_a_realtime_connection_asks_for_the_key_each_time_it_opens(
    faults: Faults,
) -> None:
    """The WebSocket handshake (and every reconnection) carries the key as it is then."""
    from byot.testing import RealtimeServer

    calls: list[int] = []

    def key() -> str:
        calls.append(1)
        return "sk-realtime"

    async def async_key() -> str:
        return key()

    server = RealtimeServer(api_key="sk-realtime").start()
    try:
        client = faults.client(
            base_url=server.base_url, api_key=async_key if faults.is_async else key
        )
        for _ in range(2):
            connection = client.realtime.connect(model="gpt-realtime")
            await faults.result(connection.open())
            first = await faults.result(connection.recv())
            await faults.result(connection.close())
            assert first["type"] == "session.created"
        wrong = client.realtime.connect(model="m", extra_headers={"Authorization": "Bearer no"})
        await faults.fails(errors.AuthenticationError, wrong.open)
    finally:
        server.stop()
    assert len(calls) == 2
