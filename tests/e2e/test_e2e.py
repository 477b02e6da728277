"""End to end: both clients against a real HTTP/1.1 server over real sockets.

Every test runs twice, with `byot.Client` and with `byot.AsyncClient` (the `driver` fixture);
the sync client simply blocks the test's event loop, which is harmless because the server
runs in its own threads. Clients are closed after each test, then the server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot
from byot import errors
from tests.e2e.server import Behaviour, Chunked, Gzip, Html, Json, Reset, Slow

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.e2e.server import TestServer, _Handler

pytestmark = pytest.mark.anyio

CHAT_PATH = "/v1/chat/completions"
BODY = {"model": "gpt-test", "messages": [{"role": "user", "content": "Hi"}]}
CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-test",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello there!", "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
}


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class Choice:
    index: int
    message: Message
    finish_reason: str


@dataclass(frozen=True)
class ChatCompletion:
    id: str
    model: str
    choices: list[Choice]


class Driver:
    """Builds clients of one kind and makes their calls awaitable either way."""

    def __init__(self, mode: str, server: TestServer) -> None:
        self.mode = mode
        self.is_async = mode == "async"
        self.server = server
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", self.server.url + "/v1")
        kwargs.setdefault("api_key", "sk-test")
        client = (byot.AsyncClient if self.is_async else byot.Client)(**kwargs)
        self.clients.append(client)
        return client

    async def request(self, client: Any, *args: Any, **kwargs: Any) -> Any:
        if self.is_async:
            return await client.request(*args, **kwargs)
        return client.request(*args, **kwargs)

    async def chat(self, client: Any, **kwargs: Any) -> Any:
        return await self.request(client, "POST", "/chat/completions", body=BODY, **kwargs)

    async def close(self) -> None:
        for client in self.clients:
            if self.is_async:
                await client.aclose()
            else:
                client.close()
            assert client.is_closed


@pytest.fixture(params=["sync", "async"])
async def driver(request: pytest.FixtureRequest, server: TestServer) -> AsyncIterator[Driver]:
    helper = Driver(request.param, server)
    yield helper
    await helper.close()


async def test_dict_by_default(driver: Driver, server: TestServer) -> None:
    server.add(CHAT_PATH, Json(200, CHAT))
    client = driver.client()

    chat = await driver.chat(client)

    assert chat == CHAT
    assert type(chat) is dict
    (seen,) = server.requests
    assert (seen.method, seen.path) == ("POST", CHAT_PATH)
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["user-agent"].startswith("byot/")
    assert seen.json() == BODY


async def test_dataclass_response_type(driver: Driver, server: TestServer) -> None:
    server.add(CHAT_PATH, Json(200, CHAT))
    client = driver.client()

    chat = await driver.chat(client, response_type=ChatCompletion)

    assert chat == ChatCompletion(
        id="chatcmpl-1",
        model="gpt-test",
        choices=[Choice(0, Message("assistant", "Hello there!"), "stop")],
    )
    assert type(chat.choices[0].message) is Message


async def test_keep_alive_reuses_one_connection(driver: Driver, server: TestServer) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    client = driver.client()

    for _ in range(5):
        assert await driver.chat(client) == CHAT

    assert server.connections == 1
    assert [r.connection for r in server.requests] == [1] * 5


async def test_with_options_copies_share_the_pool(driver: Driver, server: TestServer) -> None:
    server.always(CHAT_PATH, Json(200, CHAT))
    client = driver.client()
    copy = client.with_options(timeout=30, default_headers={"x-copy": "1"})

    await driver.chat(client)
    await driver.chat(copy)

    assert server.connections == 1
    assert "x-copy" not in server.requests[0].headers
    assert server.requests[1].headers["x-copy"] == "1"


async def test_chunked_body(driver: Driver, server: TestServer) -> None:
    raw = orjson.dumps(CHAT)
    parts = [raw[i : i + 17] for i in range(0, len(raw), 17)]
    server.add(CHAT_PATH, Chunked(parts, delay=0.005))
    client = driver.client()

    assert await driver.chat(client) == CHAT
    assert len(parts) > 5


async def test_gzip_body(driver: Driver, server: TestServer) -> None:
    server.add(CHAT_PATH, Gzip(CHAT))
    client = driver.client()

    response = await driver.chat(client, raw=True)

    assert response.parsed == CHAT
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == orjson.dumps(CHAT)  # decoded, as documented
    assert "gzip" in server.requests[0].headers["accept-encoding"]


@pytest.mark.parametrize("when", ["before", "headers", "body"])
async def test_reset_is_retried(driver: Driver, server: TestServer, when: str) -> None:
    server.add(CHAT_PATH, Reset(when), Json(200, CHAT))
    events: list[byot.RetryEvent] = []
    client = driver.client(retry=byot.RetryPolicy(sleep=False, on_retry=events.append))

    response = await driver.chat(client, raw=True, idempotency_key="idem-1")

    assert response.parsed == CHAT
    assert response.retries_taken == 1
    first, second = server.requests
    assert second.body == first.body == orjson.dumps(BODY)  # the body is sent again, whole
    assert second.headers["idempotency-key"] == first.headers["idempotency-key"] == "idem-1"
    assert (first.connection, second.connection) == (1, 2)  # a reset connection is not reused
    (event,) = events
    assert isinstance(event.error, errors.APIConnectionError)


async def test_reset_of_a_kept_alive_connection_is_retried(
    driver: Driver, server: TestServer
) -> None:
    server.add(CHAT_PATH, Json(200, CHAT), Reset("before"), Json(200, CHAT))
    client = driver.client(retry=byot.RetryPolicy(sleep=False))

    assert await driver.chat(client) == CHAT
    assert await driver.chat(client) == CHAT

    assert [r.connection for r in server.requests] == [1, 1, 2]


async def test_reset_every_time_is_a_connection_error(driver: Driver, server: TestServer) -> None:
    server.always(CHAT_PATH, Reset("before"))
    client = driver.client(retry=byot.RetryPolicy(sleep=False))

    with pytest.raises(errors.APIConnectionError) as caught:
        await driver.chat(client)

    assert type(caught.value) is errors.APIConnectionError
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert caught.value.method == "POST"
    assert caught.value.url == server.url + CHAT_PATH
    assert "sk-test" not in str(caught.value)
    assert len(server.requests) == 3  # the first attempt and the 2 default retries


async def test_connection_refused_is_a_connection_error(driver: Driver) -> None:
    with socket.socket() as probe:  # a port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = driver.client(
        base_url=f"http://127.0.0.1:{port}/v1", retry=byot.RetryPolicy(sleep=False)
    )

    with pytest.raises(errors.APIConnectionError) as caught:
        await driver.chat(client)

    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_429_with_retry_after_ms_then_200(driver: Driver, server: TestServer) -> None:
    rate_limited = {"error": {"message": "Slow down", "type": "requests", "code": "rate_limit"}}
    server.add(CHAT_PATH, Json(429, rate_limited, {"retry-after-ms": "10"}), Json(200, CHAT))
    events: list[byot.RetryEvent] = []
    client = driver.client(retry=byot.RetryPolicy(on_retry=events.append))

    response = await driver.chat(client, raw=True)

    assert [event.delay for event in events] == [0.01]  # as asked for, not the 0.5 s backoff
    assert response.parsed == CHAT
    assert response.retries_taken == 1
    (event,) = events
    assert event.delay == pytest.approx(0.01)
    assert isinstance(event.error, errors.RateLimitError)
    assert server.connections == 1  # the 429 kept the connection alive


async def test_500_with_an_html_body(driver: Driver, server: TestServer) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>Upstream exploded</title></head>"
        "<body><h1>Oops</h1><p>Something broke.</p></body></html>"
    )
    server.always(CHAT_PATH, Html(500, page))
    client = driver.client(retry=byot.RetryPolicy(sleep=False))

    with pytest.raises(errors.InternalServerError) as caught:
        await driver.chat(client)

    error = caught.value
    assert error.status_code == 500
    assert error.error_message == "Upstream exploded"
    assert str(error) == "500 Internal Server Error: Upstream exploded"
    assert error.raw == page.encode()
    assert error.body is None
    assert len(server.requests) == 3  # 5xx is retried


async def test_read_timeout_after_the_headers(driver: Driver, server: TestServer) -> None:
    server.add(CHAT_PATH, Slow(orjson.dumps(CHAT), silence=5))
    client = driver.client(timeout=byot.Timeout(5, read=0.2), max_retries=0)

    started = time.monotonic()
    with pytest.raises(errors.APITimeoutError) as caught:
        await driver.chat(client)

    assert 0.15 < time.monotonic() - started < 1.5
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert "read timeout" in str(caught.value)


async def test_total_deadline_stops_a_trickling_body(driver: Driver, server: TestServer) -> None:
    trickle = b'{"pad": "' + b"x" * 19 + b'"}'  # 30 bytes at one byte per 0.1 s: 3 s
    assert len(trickle) == 30
    server.add(CHAT_PATH, Slow(trickle, step=1, delay=0.1))
    client = driver.client(timeout=byot.Timeout(5, total=0.5))

    started = time.monotonic()
    with pytest.raises(errors.APITimeoutError) as caught:
        await driver.chat(client)

    elapsed = time.monotonic() - started
    assert 0.45 < elapsed < 1.2
    assert "total deadline of 0.5 s" in str(caught.value)
    assert len(server.requests) == 1  # no retry starts once the deadline has passed


async def test_raw_shows_the_real_response(driver: Driver, server: TestServer) -> None:
    headers = {"x-request-id": "req_abc123", "x-ratelimit-remaining-requests": "99"}
    server.add(CHAT_PATH, Json(200, CHAT, headers))
    client = driver.client()

    response = await driver.chat(client, raw=True)

    assert isinstance(response, byot.APIResponse)
    assert response.status_code == 200
    assert response.request_id == "req_abc123"
    assert response.headers["X-RateLimit-Remaining-Requests"] == "99"
    assert response.headers["content-length"] == str(len(response.content))
    assert response.content == orjson.dumps(CHAT)
    assert response.parsed == CHAT
    assert (response.method, response.url) == ("POST", server.url + CHAT_PATH)
    assert response.retries_taken == 0


async def test_per_call_options_reach_the_wire(driver: Driver, server: TestServer) -> None:
    server.add("/v1/files/file%2F1", Json(200, {"id": "file/1"}))
    server.add("/v1/models", Json(200, {"object": "list", "data": []}))
    client = driver.client(default_headers={"x-team": "blue"}, default_query={"a": "1"})

    got = await driver.request(
        client,
        "POST",
        "/files/{id}",
        body={"purpose": "batch"},
        path_params={"id": "file/1"},
        query={"limit": 2, "stream": False},
        headers={"x-team": None, "x-extra": "yes"},
        extra_body={"more": True},
        idempotency_key="key-1",
    )
    models = await driver.request(client, "GET", "/models")

    assert got == {"id": "file/1"}
    assert models == {"object": "list", "data": []}
    post, get = server.requests
    assert post.path == "/v1/files/file%2F1?a=1&limit=2&stream=false"
    assert "x-team" not in post.headers
    assert post.headers["x-extra"] == "yes"
    assert post.headers["idempotency-key"] == "key-1"
    assert post.json() == {"purpose": "batch", "more": True}
    assert (get.method, get.path, get.body) == ("GET", "/v1/models?a=1", b"")
    assert get.headers["x-team"] == "blue"
    assert "content-type" not in get.headers


@dataclass(frozen=True)
class AllAtOnce(Behaviour):
    """Answers only once `barrier.parties` requests are in flight together."""

    barrier: threading.Barrier

    def respond(self, handler: _Handler) -> None:
        self.barrier.wait()  # broken (and the request failed) unless they all came at once
        Json(200, CHAT).respond(handler)


async def test_async_requests_run_concurrently(server: TestServer) -> None:
    # The timeout only guards against a hang: requests sent one after another break the barrier.
    server.always(CHAT_PATH, AllAtOnce(threading.Barrier(8, timeout=30)))
    async with byot.AsyncClient(base_url=server.url + "/v1", api_key="sk-test") as client:
        chats = await asyncio.gather(
            *(client.request("POST", "/chat/completions", body=BODY) for _ in range(8))
        )
    assert client.is_closed
    assert chats == [CHAT] * 8
    assert server.connections == 8


async def test_cancelled_async_call_frees_its_connection(server: TestServer) -> None:
    server.add(CHAT_PATH, Slow(orjson.dumps(CHAT), silence=5), Json(200, CHAT))
    async with byot.AsyncClient(base_url=server.url + "/v1", api_key="sk-test") as client:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.request("POST", "/chat/completions", body=BODY), 0.2)
        assert await client.request("POST", "/chat/completions", body=BODY) == CHAT
    assert [r.connection for r in server.requests] == [1, 2]


@pytest.mark.parametrize("anyio_backend", ["trio"])
async def test_async_client_under_trio(server: TestServer) -> None:
    server.add(CHAT_PATH, Reset("before"), Json(429, {}, {"retry-after-ms": "5"}), Json(200, CHAT))
    server.always(CHAT_PATH, Json(200, CHAT))
    retry = byot.RetryPolicy(initial_delay=0.01)  # real trio sleeps, short ones
    async with byot.AsyncClient(
        base_url=server.url + "/v1", api_key="sk-test", retry=retry
    ) as client:
        response = await client.request("POST", "/chat/completions", body=BODY, raw=True)
        again = await client.request("POST", "/chat/completions", body=BODY)
    assert response.parsed == again == CHAT
    assert response.retries_taken == 2
    assert [r.connection for r in server.requests] == [1, 2, 2, 2]
