"""The direct way to byot's own pool (`byot._pool`): taken when it may be, and only then.

Against the real local server, a buffered call through the default pool never builds an
`httpx.Request` (`Prepared.request` is what the httpx way calls to build one) and puts the
same request on the wire as the httpx way does; whatever needs httpx's objects (event hooks,
a patched transport, a streamed body, the caller's own framing headers) goes through httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot
from byot._prepared import Prepared
from tests.e2e.server import Json
from tests.e2e.test_e2e import BODY, CHAT, CHAT_PATH, Driver

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.e2e.server import TestServer

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sync", "async"])
async def driver(request: pytest.FixtureRequest, server: TestServer) -> AsyncIterator[Driver]:
    helper = Driver(request.param, server)
    yield helper
    await helper.close()


@pytest.fixture
def httpx_requests(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every `httpx.Request` byot builds for its own pool, as it builds them."""
    built: list[httpx.Request] = []
    original = Prepared.request

    def spy(self: Prepared, *args: Any, **kwargs: Any) -> httpx.Request:
        request = original(self, *args, **kwargs)
        built.append(request)
        return request

    monkeypatch.setattr(Prepared, "request", spy)
    return built


async def test_the_default_pool_goes_direct(
    driver: Driver, server: TestServer, httpx_requests: list[httpx.Request]
) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    client = driver.client()
    assert client._connection.pool is not None

    assert await driver.chat(client) == CHAT
    response = await driver.chat(client, raw=True)
    await driver.request(client, "POST", "/chat/completions")  # no body: Content-Length 0
    await driver.request(client, "GET", "/chat/completions")

    assert httpx_requests == []  # never built: the pool got httpcore's request
    assert response.parsed == CHAT
    assert response.headers["content-type"] == "application/json"
    first, _, empty, get = server.requests
    assert first.headers["host"] == server.url.removeprefix("http://")
    assert first.headers["content-length"] == str(len(first.body))
    assert empty.headers["content-length"] == "0"
    assert "content-length" not in get.headers
    assert server.connections == 1


async def test_the_wire_is_the_same_either_way(driver: Driver, server: TestServer) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    direct = driver.client()
    hooked = driver.client(event_hooks={"request": [lambda request: None]})

    await driver.chat(direct, idempotency_key="key-1")
    await driver.chat(hooked, idempotency_key="key-1")

    first, second = server.requests
    assert (first.method, first.path, first.body) == (second.method, second.path, second.body)
    assert first.headers == second.headers


async def test_event_hooks_see_httpx_objects(
    driver: Driver, server: TestServer, httpx_requests: list[httpx.Request]
) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    seen: list[object] = []
    client = driver.client(event_hooks={"response": [seen.append]})

    assert await driver.chat(client) == CHAT

    assert len(httpx_requests) == 1
    (response,) = seen
    assert isinstance(response, httpx.Response)


async def test_a_patched_transport_sees_every_request(
    driver: Driver, server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What an instrumentation (OpenTelemetry's httpx one) or a mock does to httpx's transport.
    server.always(CHAT_PATH, Json(200, CHAT))
    cls = httpx.AsyncHTTPTransport if driver.is_async else httpx.HTTPTransport
    name = "handle_async_request" if driver.is_async else "handle_request"
    original = getattr(cls, name)
    seen: list[httpx.Request] = []

    def patched(self: Any, request: httpx.Request) -> Any:
        seen.append(request)
        return original(self, request)

    client = driver.client()
    await driver.chat(client)
    monkeypatch.setattr(cls, name, patched)
    await driver.chat(client)

    assert len(seen) == 1
    assert seen[0].url == server.url + CHAT_PATH


async def test_the_callers_framing_goes_through_httpx(
    driver: Driver, server: TestServer, httpx_requests: list[httpx.Request]
) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    client = driver.client()
    host = server.url.removeprefix("http://")

    await driver.chat(client, headers={"Host": host})

    (request,) = httpx_requests
    assert request.headers.get_list("host") == [host]  # httpx keeps it, once
    assert server.requests[0].headers["host"] == host


async def test_a_streamed_body_goes_through_httpx(
    driver: Driver, server: TestServer, httpx_requests: list[httpx.Request]
) -> None:
    file = {"id": "file-1", "object": "file", "purpose": "batch", "filename": "a.jsonl"}
    server.add("/v1/files", Json(200, file))
    client = driver.client()
    upload = {"file": ("a.jsonl", b"{}\n", "application/jsonl"), "purpose": "batch"}

    created = client.files.create(upload)
    if driver.is_async:
        created = await created

    assert created == file
    assert len(httpx_requests) == 1
    assert server.requests[0].headers["content-type"].startswith("multipart/form-data")


def test_only_byot_s_own_pool_goes_direct(server: TestServer) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    mock = httpx.MockTransport(lambda request: httpx.Response(200, json=CHAT))
    for options in (
        {"transport": mock},
        {"transport": httpx.HTTPTransport()},  # the caller's own: httpx's way, as given
        {"http_client": httpx.Client(transport=mock)},
    ):
        with byot.Client(api_key="sk-test", base_url=server.url + "/v1", **options) as client:
            assert client._connection.pool is None
            assert client.request("POST", "/chat/completions", body=BODY) == CHAT
