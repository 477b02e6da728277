"""`byot.aiohttp.AiohttpTransport` under `byot.AsyncClient`, over real sockets.

Every test talks to the suite's scriptable HTTP/1.1 server (tests/e2e/server.py) on 127.0.0.1:
requests and their headers as they reach the wire, keep-alive and the connection limit,
server-sent events delivered as they are written, gzip, status errors, each kind of timeout,
and each way a connection can fail, which must surface as byot's typed errors.
"""

from __future__ import annotations

import asyncio
import io
import socket
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot
from byot import errors
from byot.aiohttp import AiohttpTransport
from tests.e2e.server import Behaviour, Chunked, EventStream, Gzip, Json, Reset, Slow

if TYPE_CHECKING:
    from tests.e2e.server import TestServer, _Handler

pytestmark = pytest.mark.anyio

CHAT = "/v1/chat/completions"
BODY = {"model": "gpt-test", "messages": [{"role": "user", "content": "Hi"}]}
ANSWER = {"id": "chatcmpl-1", "choices": [{"message": {"content": "Hello"}}]}


def client(server: TestServer, **kwargs: Any) -> byot.AsyncClient:
    transport = kwargs.pop("transport", None) or AiohttpTransport()
    kwargs.setdefault("timeout", byot.Timeout(10))
    kwargs.setdefault("max_retries", 0)
    return byot.AsyncClient(
        base_url=server.url + "/v1", api_key="sk-test", transport=transport, **kwargs
    )


def event(text: str) -> bytes:
    chunk = {"object": "chat.completion.chunk", "choices": [{"delta": {"content": text}}]}
    return b"data: " + orjson.dumps(chunk) + b"\n\n"


class Garbage(Behaviour):
    """Bytes that are not an HTTP response."""

    def respond(self, handler: _Handler) -> None:
        handler.send_bytes(b"SPEAKING NONSENSE\r\n\r\n")
        handler.close_connection = True


async def test_a_call_goes_out_as_httpx_would_send_it(server: TestServer) -> None:
    server.add(CHAT, Json(200, ANSWER, headers={"x-request-id": "req_1"}))
    async with client(server) as api:
        response = await api.chat.completions.create(BODY, raw=True)
    assert response.parsed == ANSWER
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req_1"
    [request] = server.requests
    assert request.method == "POST"
    assert request.path == CHAT
    assert request.json() == BODY
    # byot's own headers and nothing that aiohttp would add by itself.
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["user-agent"].startswith("byot/")
    assert request.headers["accept"] == "application/json"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["content-length"] == str(len(request.body))
    assert request.headers["idempotency-key"].startswith("byot-retry-")  # a POST (issue 15)
    assert set(request.headers) == {
        "idempotency-key",
        "host",
        "user-agent",
        "accept",
        "accept-encoding",
        "authorization",
        "content-type",
        "content-length",
    }


async def test_requests_share_one_kept_alive_connection(server: TestServer) -> None:
    server.always(CHAT, Json(200, ANSWER))
    async with client(server) as api:
        for _ in range(5):
            assert await api.chat.completions.create(BODY) == ANSWER
    assert [r.connection for r in server.requests] == [1] * 5
    assert server.connections == 1


async def test_the_connection_limit_holds_with_many_in_flight(server: TestServer) -> None:
    server.always(CHAT, Slow(orjson.dumps(ANSWER), silence=0.05, step=4096))
    async with client(server, transport=AiohttpTransport(max_connections=2)) as api:
        answers = await asyncio.gather(*(api.chat.completions.create(BODY) for _ in range(8)))
    assert answers == [ANSWER] * 8
    assert server.connections == 2  # 8 requests at once would otherwise open 8


async def test_the_per_host_limit_holds_too(server: TestServer) -> None:
    server.always(CHAT, Slow(orjson.dumps(ANSWER), silence=0.05, step=4096))
    transport = AiohttpTransport(max_connections_per_host=1)
    async with client(server, transport=transport) as api:
        await asyncio.gather(*(api.chat.completions.create(BODY) for _ in range(4)))
    assert server.connections == 1


async def test_a_gzip_body_is_decoded(server: TestServer) -> None:
    server.add(CHAT, Gzip(ANSWER))
    async with client(server) as api:
        assert await api.chat.completions.create(BODY) == ANSWER


async def test_a_streamed_upload_arrives_whole(server: TestServer) -> None:
    server.add("/v1/files", Json(200, {"id": "file-1"}))
    data = bytes(range(256)) * 300  # read from the file in pieces, sent as they come
    async with client(server) as api:
        result = await api.files.create({"file": io.BytesIO(data), "purpose": "batch"})
    assert result == {"id": "file-1"}
    [request] = server.requests
    assert data in request.body
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")


async def test_events_arrive_as_the_server_writes_them(server: TestServer) -> None:
    texts = ["Hel", "lo", "!"]
    stream = EventStream(
        [event(t) for t in texts] + [b"data: [DONE]\n\n"],
        hold=frozenset({1, 2, 3}),
        headers={"x-request-id": "req_s"},
    )
    server.add(CHAT, stream)
    seen: list[str] = []
    async with client(server) as api:
        async with await api.chat.completions.create_stream(BODY) as chunks:
            async for chunk in chunks:
                seen.append(chunk["choices"][0]["delta"]["content"])
                # The next part is only written once this one has been read.
                assert len(stream.sent) == len(seen)
                stream.advance()
        stream.advance()
    assert seen == texts
    assert stream.done.wait(5)
    assert stream.outcome == "finished"


async def test_a_stream_left_early_does_not_poison_the_pool(server: TestServer) -> None:
    stream = EventStream([event("a"), event("b"), b"data: [DONE]\n\n"], hold=frozenset({1}))
    server.add(CHAT, stream)
    server.add(CHAT, Json(200, ANSWER))
    async with client(server) as api:
        async with await api.chat.completions.create_stream(BODY) as chunks:
            async for _ in chunks:
                break
        stream.advance()
        # The half-read connection is closed, not handed to the next request.
        assert await api.chat.completions.create(BODY) == ANSWER
    assert [r.connection for r in server.requests] == [1, 2]


async def test_a_stream_cut_by_a_reset_is_a_connection_error(server: TestServer) -> None:
    server.add(CHAT, EventStream([event("a"), event("b")], end="reset"))
    async with client(server) as api:
        chunks = await api.chat.completions.create_stream(BODY)
        with pytest.raises(errors.APIConnectionError) as caught:
            async for _ in chunks:
                pass
    assert not isinstance(caught.value, errors.APITimeoutError)


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, errors.BadRequestError), (404, errors.NotFoundError), (500, errors.InternalServerError)],
)
async def test_status_errors_keep_their_types(
    server: TestServer, status: int, error: type[errors.APIStatusError]
) -> None:
    server.add(CHAT, Json(status, {"error": {"message": "no such thing"}}))
    async with client(server) as api:
        with pytest.raises(error) as caught:
            await api.chat.completions.create(BODY)
    assert caught.value.status_code == status
    assert "no such thing" in str(caught.value)


async def test_a_silent_server_is_a_read_timeout(server: TestServer) -> None:
    server.add(CHAT, Slow(orjson.dumps(ANSWER), silence=2.0))
    async with client(server, timeout=byot.Timeout(10, read=0.2)) as api:
        with pytest.raises(errors.APITimeoutError, match="read timeout"):
            await api.chat.completions.create(BODY)


async def test_waiting_for_a_pooled_connection_times_out(server: TestServer) -> None:
    stream = EventStream([event("a"), b"data: [DONE]\n\n"], hold=frozenset({1}))
    server.add(CHAT, stream)
    transport = AiohttpTransport(max_connections=1)
    api = client(server, transport=transport, timeout=byot.Timeout(10, pool=0.2))
    async with api, await api.chat.completions.create_stream(BODY) as chunks:
        # The only connection is busy with the stream: the next call cannot get one.
        with pytest.raises(errors.APITimeoutError, match="connect timeout"):
            await api.chat.completions.create(BODY)
        stream.advance()
        assert [c["choices"][0]["delta"]["content"] async for c in chunks] == ["a"]


@pytest.mark.parametrize("hooks", [{}, {"request": [print]}], ids=["direct", "httpx"])
async def test_a_refused_connection_is_a_connection_error(hooks: byot.EventHooks) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = byot.AsyncClient(
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key="sk-test",
        transport=AiohttpTransport(),
        max_retries=0,
        event_hooks=hooks,
    )
    async with api:
        with pytest.raises(errors.APIConnectionError) as caught:
            await api.chat.completions.create(BODY)
    assert not isinstance(caught.value, errors.APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.parametrize(
    ("behaviour", "cause"),
    [
        (Reset("body"), httpx.RemoteProtocolError),  # the body stops short of its length
        (Garbage(), httpx.RemoteProtocolError),  # not HTTP at all
        (Reset("before"), httpx.ReadError),  # the connection reset before an answer
    ],
)
async def test_broken_answers_are_connection_errors(
    server: TestServer, behaviour: Behaviour, cause: type[Exception]
) -> None:
    server.add(CHAT, behaviour)
    async with client(server) as api:
        with pytest.raises(errors.APIConnectionError) as caught:
            await api.chat.completions.create(BODY)
    assert isinstance(caught.value.__cause__, cause)


async def test_retries_reach_the_server_again(server: TestServer) -> None:
    server.add(CHAT, Reset("before"), Json(200, ANSWER))
    transport = AiohttpTransport()
    retry = byot.RetryPolicy(max_retries=1, sleep=False)
    async with client(server, transport=transport, retry=retry, max_retries=None) as api:
        assert await api.chat.completions.create(BODY) == ANSWER
    assert len(server.requests) == 2


async def test_closing_the_client_closes_the_transport(server: TestServer) -> None:
    server.add(CHAT, Json(200, ANSWER))
    transport = AiohttpTransport(verify=False, trust_env=True)
    async with client(server, transport=transport) as api:
        assert await api.chat.completions.create(BODY) == ANSWER
    assert api.is_closed
    with pytest.raises(RuntimeError, match="AiohttpTransport is closed"):
        await transport.handle_async_request(httpx.Request("GET", server.url + "/v1/models"))


async def test_a_transport_never_used_closes_cleanly() -> None:
    transport = AiohttpTransport()
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1:9/"))


async def test_it_works_under_plain_httpx_too(server: TestServer) -> None:
    server.add("/v1/models", Json(200, {"data": []}))
    async with httpx.AsyncClient(transport=AiohttpTransport()) as http:
        response = await http.get(server.url + "/v1/models")
    assert response.status_code == 200
    assert response.http_version == "HTTP/1.1"
    assert response.reason_phrase == "OK"
    assert response.json() == {"data": []}


# -- the direct path (byot._direct): buffered calls skip httpx's request and response ------


class Spy(AiohttpTransport):
    """Counts which way each call went: `exchange` (direct) or `handle_async_request`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.direct = self.httpx = 0

    async def exchange(self, *args: Any) -> Any:
        self.direct += 1
        return await super().exchange(*args)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.httpx += 1
        return await super().handle_async_request(request)


async def test_a_buffered_call_goes_the_direct_way(server: TestServer) -> None:
    server.always(CHAT, Json(200, ANSWER, headers={"x-request-id": "req_d"}))
    spy = Spy()
    async with client(server, transport=spy) as api:
        assert await api.chat.completions.create(BODY) == ANSWER
        response = await api.chat.completions.create(BODY, raw=True)
    assert (spy.direct, spy.httpx) == (2, 0)
    assert isinstance(response.headers, httpx.Headers)
    assert response.headers["X-Request-ID"] == "req_d"
    assert response.request_id == "req_d"


async def test_event_hooks_and_streams_go_the_httpx_way(server: TestServer) -> None:
    server.always(CHAT, Json(200, ANSWER))
    server.add("/v1/files", Json(200, {"id": "file-1"}))
    seen: list[object] = []
    spy = Spy()
    hooks: byot.EventHooks = {"request": [seen.append], "response": [seen.append]}
    async with client(server, transport=spy) as api:
        hooked = api.with_options(event_hooks=hooks)
        assert await hooked.chat.completions.create(BODY) == ANSWER
        assert [type(s) for s in seen] == [httpx.Request, httpx.Response]  # hooks need those
        await api.files.create({"file": io.BytesIO(b"x" * 100), "purpose": "batch"})
        stream = EventStream([event("a"), b"data: [DONE]\n\n"])
        server.add(CHAT, stream)
        async with await api.chat.completions.create_stream(BODY) as chunks:
            assert [c async for c in chunks]
    assert (spy.direct, spy.httpx) == (0, 3)  # the hooked call, the upload, the stream


async def test_the_direct_way_sends_what_the_httpx_way_sends(server: TestServer) -> None:
    server.always(CHAT, Json(200, ANSWER))
    removed = {"User-Agent": None, "Content-Type": None}
    async with client(server) as api:
        await api.chat.completions.create(BODY)
        await api.chat.completions.create(BODY, headers=removed)
        hooked = client(server, event_hooks={"request": [lambda request: None]})
        async with hooked:
            await hooked.chat.completions.create(BODY)
            await hooked.chat.completions.create(BODY, headers=removed)
    direct, lean, httpx_way, httpx_lean = (r.headers for r in server.requests)
    assert set(direct) == set(httpx_way)
    assert direct["content-type"] == "application/json"
    # A header the caller removed stays away: aiohttp adds none of its own instead.
    assert set(lean) == set(httpx_lean) == set(direct) - {"user-agent", "content-type"}


async def test_status_errors_keep_the_header_bytes_that_came(server: TestServer) -> None:
    server.always(CHAT, Json(429, {"error": {"message": "slow down"}}, headers={"x-note": "é"}))
    caught: list[errors.APIStatusError] = []
    for hooks in ({}, {"request": [lambda request: None]}):  # the direct way, the httpx way
        async with client(server, event_hooks=hooks) as api:
            with pytest.raises(errors.RateLimitError) as raised:
                await api.chat.completions.create(BODY)
        caught.append(raised.value)
    direct, via_httpx = caught
    assert isinstance(direct.headers, httpx.Headers)
    assert direct.headers.raw == via_httpx.headers.raw
    assert (b"x-note", "é".encode("latin-1")) in direct.headers.raw


async def test_the_body_limit_holds_on_the_direct_way(server: TestServer) -> None:
    big = {"data": "x" * 5000}
    server.add(CHAT, Json(200, big))  # its length announced
    server.add(CHAT, Gzip(big))  # small on the wire, large decoded
    server.add(CHAT, Chunked([orjson.dumps(big)]))  # no length at all
    server.add(CHAT, Json(200, big))
    async with client(server, max_body_size=4096) as api:
        for _ in range(3):
            with pytest.raises(errors.ResponseTooLargeError):
                await api.chat.completions.create(BODY)
        assert await api.chat.completions.create(BODY, max_body_size=8192) == big


async def test_a_chunked_answer_arrives_whole(server: TestServer) -> None:
    parts = [b'{"id": "chatcmpl-1", ', b'"choices": []}']
    server.add(CHAT, Chunked(parts, delay=0.05))
    async with client(server, timeout=byot.Timeout(10, total=10)) as api:
        assert await api.chat.completions.create(BODY) == {"id": "chatcmpl-1", "choices": []}


async def test_the_deadline_holds_between_reads_of_the_body(server: TestServer) -> None:
    server.add(CHAT, Slow(orjson.dumps(ANSWER), step=4, delay=0.05))
    async with client(server, timeout=byot.Timeout(10, total=0.3)) as api:
        with pytest.raises(errors.APITimeoutError, match="total"):
            await api.chat.completions.create(BODY)


async def test_the_rate_limiter_hears_the_headers(server: TestServer) -> None:
    limits = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20s"}
    server.add(CHAT, Json(200, ANSWER, headers=limits))
    limiter = byot.RateLimiter()
    async with client(server, rate_limiter=limiter) as api:
        assert await api.chat.completions.create(BODY) == ANSWER
    assert limiter.blocked_until > limiter.clock() + 15


async def test_a_key_function_is_called_for_each_attempt(server: TestServer) -> None:
    server.always(CHAT, Json(200, ANSWER))
    keys = iter(["sk-one", "sk-two"])

    async def key() -> str:
        return next(keys)

    spy = Spy()
    async with byot.AsyncClient(base_url=server.url + "/v1", api_key=key, transport=spy) as api:
        await api.chat.completions.create(BODY)
        await api.chat.completions.create(BODY)
    assert [r.headers["authorization"] for r in server.requests] == [
        "Bearer sk-one",
        "Bearer sk-two",
    ]
    assert spy.direct == 2


def test_import_byot_does_not_import_aiohttp() -> None:
    code = "import sys, byot; byot.AsyncClient; print('aiohttp' in sys.modules)"
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603 - ours
    assert done.stdout.strip() == "False"
