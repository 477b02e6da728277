"""Faults a network and a provider can cause, each ending in a typed outcome; both clients.

Every test runs with `byot.Client` and `byot.AsyncClient` against a `FaultServer` scripted for
that test, and the `faults` fixture then checks that no connection leaked (none checked out of
the client's pool; none left open on the server once the client is closed). The server records
every request, so the tests also check what was sent again: a POST only as often as the retry
policy allows, a started stream never, a multipart upload byte for byte the same.
"""

from __future__ import annotations

import email.utils
import gzip
import time
import tracemalloc
from typing import TYPE_CHECKING, Any

import orjson
import pytest

import byot
from byot import errors
from tests.e2e.server import Chunked, EventStream, Gzip, Html, Json, Reset
from tests.faults.server import Big, Encoded, Flood, Raw, Silence

if TYPE_CHECKING:
    from pathlib import Path

    from tests.faults.conftest import Faults
    from tests.faults.server import FaultServer

pytestmark = pytest.mark.anyio

PATH = "/v1/things"
CHAT = "/v1/chat/completions"
COMPLETIONS = "/v1/completions"
BODY = {"model": "m", "input": "hello"}
OK = {"id": "thing-1", "ok": True}
CHAT_BODY = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}


def chunk(text: str) -> bytes:
    """One chat completion chunk event carrying `text`."""
    delta = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return (
        b"data: " + orjson.dumps({"id": "c", "object": "chat.completion.chunk", **delta}) + b"\n\n"
    )


DONE = b"data: [DONE]\n\n"


def retries_into(events: list[byot.RetryEvent], **policy: Any) -> byot.RetryPolicy:
    return byot.RetryPolicy(sleep=False, on_retry=events.append, **policy)


def bodies(server: FaultServer) -> list[bytes]:
    return [request.body for request in server.requests]


# -- connecting and being cut off ----------------------------------------------------------


async def test_connection_refused_is_a_connection_error(faults: Faults) -> None:
    events: list[byot.RetryEvent] = []
    client = faults.client(base_url="http://127.0.0.1:9/v1", retry=retries_into(events))

    error = await faults.fails(errors.APIConnectionError, faults.request, client, "GET", "/x")

    assert type(error) is errors.APIConnectionError
    assert "ConnectError" in str(error)
    assert len(events) == 2  # retried as the policy allows, then raised


@pytest.mark.parametrize("when", ["before", "headers", "body"])
async def test_reset_without_retries_sends_a_post_once(
    faults: Faults, server: FaultServer, when: str
) -> None:
    server.add(PATH, Reset(when))
    client = faults.client(max_retries=0)

    error = await faults.fails(
        errors.APIConnectionError, faults.request, client, "POST", "/things", body=BODY
    )

    assert type(error) is errors.APIConnectionError
    assert len(server.requests) == 1


@pytest.mark.parametrize("when", ["before", "headers", "body"])
async def test_reset_every_time_sends_a_post_as_often_as_retries_allow(
    faults: Faults, server: FaultServer, when: str
) -> None:
    server.always(PATH, Reset(when))
    client = faults.client(max_retries=3)

    await faults.fails(
        errors.APIConnectionError, faults.request, client, "POST", "/things", body=BODY
    )

    assert bodies(server) == [orjson.dumps(BODY)] * 4


@pytest.mark.parametrize("when", ["before", "headers", "body"])
async def test_reset_then_success_is_retried(
    faults: Faults, server: FaultServer, when: str
) -> None:
    server.add(PATH, Reset(when), Json(200, OK))
    client = faults.client()

    response = await faults.request(client, "POST", "/things", body=BODY, raw=True)

    assert (response.parsed, response.retries_taken) == (OK, 1)
    assert len(server.requests) == 2


async def test_fin_before_the_promised_length_is_a_connection_error(
    faults: Faults, server: FaultServer
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    server.always(PATH, Raw(head + b'{"id": "cut'))
    client = faults.client(max_retries=1)

    error = await faults.fails(errors.APIConnectionError, faults.request, client, "GET", "/things")

    assert "RemoteProtocolError" in str(error)
    assert len(server.requests) == 2


async def test_a_garbled_status_line_is_a_connection_error(
    faults: Faults, server: FaultServer
) -> None:
    server.always(PATH, Raw(b"NOT HTTP AT ALL\r\n\r\n"))
    client = faults.client(max_retries=0)

    await faults.fails(errors.APIConnectionError, faults.request, client, "GET", "/things")


# -- timeouts ------------------------------------------------------------------------------


async def test_slow_headers_time_out_and_are_retried(faults: Faults, server: FaultServer) -> None:
    server.add(PATH, Silence(5, Json(200, OK)), Json(200, OK))
    client = faults.client(timeout=byot.Timeout(5, read=0.2))

    response = await faults.request(client, "GET", "/things", raw=True)

    assert (response.parsed, response.retries_taken) == (OK, 1)


async def test_slow_headers_every_time_is_a_timeout_error(
    faults: Faults, server: FaultServer
) -> None:
    server.always(PATH, Silence(5, Json(200, OK)))
    client = faults.client(timeout=byot.Timeout(5, read=0.1), max_retries=1)

    error = await faults.fails(errors.APITimeoutError, faults.request, client, "POST", "/things")

    assert str(error).startswith("read timeout")
    assert len(server.requests) == 2


async def test_a_body_that_stalls_is_a_timeout_error(faults: Faults, server: FaultServer) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n"
    server.always(PATH, Raw(head + b'{"id": ', end="hang"))
    client = faults.client(timeout=byot.Timeout(5, read=0.1), max_retries=0)

    await faults.fails(errors.APITimeoutError, faults.request, client, "GET", "/things")


async def test_an_idle_stream_times_out_and_is_not_sent_again(
    faults: Faults, server: FaultServer
) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
    first = chunk("a")
    body = b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(first), first)
    server.add(CHAT, Raw(head + body, end="hang"))
    client = faults.client(timeout=byot.Timeout(5, read=0.2))
    items: list[Any] = []

    async def read(stream: Any) -> None:
        if faults.is_async:
            async with stream:
                async for item in stream:
                    items.append(item)  # noqa: PERF401 - keeps what came before the error
        else:
            with stream:
                items.extend(stream)

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await faults.fails(errors.APITimeoutError, read, stream)

    assert len(items) == 1
    assert len(server.requests) == 1


async def test_the_total_deadline_ends_retries(faults: Faults, server: FaultServer) -> None:
    server.always(PATH, Silence(5, Json(200, OK)))
    policy = byot.RetryPolicy(sleep=False, initial_delay=0.001, max_retries=50)
    client = faults.client(timeout=byot.Timeout(5, read=0.15, total=0.4), retry=policy)

    await faults.fails(errors.APITimeoutError, faults.request, client, "GET", "/things")

    assert 1 < len(server.requests) < 51  # retried until the deadline, not 50 times


# -- rate limits and server errors ----------------------------------------------------------


def _in(seconds: int) -> str:
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "date"}, 30.0),
        ({"retry-after": "soon"}, None),
    ],
    ids=["seconds", "fraction", "ms", "ms-wins", "http-date", "unreadable"],
)
async def test_429_waits_as_each_retry_after_form_asks(
    faults: Faults, server: FaultServer, headers: dict[str, str], wait: float | None
) -> None:
    if headers.get("retry-after") == "date":
        headers = {"retry-after": _in(30)}
    server.add(PATH, Json(429, {"error": {"message": "slow down"}}, headers), Json(200, OK))
    events: list[byot.RetryEvent] = []
    client = faults.client(retry=retries_into(events, initial_delay=0.01, jitter=0))

    assert await faults.request(client, "POST", "/things", body=BODY) == OK

    (event,) = events
    assert isinstance(event.error, errors.RateLimitError)
    if wait is None:  # an unreadable value: the policy's own backoff
        assert event.delay == pytest.approx(0.01)
    else:
        assert event.delay == pytest.approx(wait, abs=1.5)
    assert bodies(server) == [orjson.dumps(BODY)] * 2


async def test_a_retry_after_beyond_the_cap_is_raised_at_once(
    faults: Faults, server: FaultServer
) -> None:
    server.always(PATH, Json(429, {"error": {"message": "later"}}, {"retry-after": "3600"}))
    client = faults.client(retry=byot.RetryPolicy(sleep=False, max_retry_after=60))

    error = await faults.fails(
        errors.RateLimitError, faults.request, client, "POST", "/things", body=BODY
    )

    assert error.headers["retry-after"] == "3600"
    assert len(server.requests) == 1


async def test_a_429_storm_gives_up_after_the_retries(faults: Faults, server: FaultServer) -> None:
    server.always(PATH, Json(429, {"error": {"message": "busy"}}, {"retry-after-ms": "1"}))
    client = faults.client(max_retries=5)

    error = await faults.fails(errors.RateLimitError, faults.request, client, "POST", "/things")

    assert error.message == "429 Too Many Requests: busy"
    assert len(server.requests) == 6


async def test_an_empty_quota_is_not_retried(faults: Faults, server: FaultServer) -> None:
    quota = {"error": {"message": "quota", "type": "insufficient_quota"}}
    server.always(PATH, Json(429, quota))
    client = faults.client()

    error = await faults.fails(errors.RateLimitError, faults.request, client, "POST", "/things")

    assert error.type == "insufficient_quota"
    assert len(server.requests) == 1


async def test_a_5xx_sequence_then_success(faults: Faults, server: FaultServer) -> None:
    server.add(
        PATH,
        Json(500, {"error": {"message": "a"}}),
        Html(502, "<html><title>Bad Gateway</title></html>"),
        Json(503, {"error": {"message": "c"}}),
        Json(200, OK),
    )
    client = faults.client(max_retries=3)

    response = await faults.request(client, "POST", "/things", body=BODY, raw=True)

    assert (response.parsed, response.retries_taken) == (OK, 3)
    assert bodies(server) == [orjson.dumps(BODY)] * 4


async def test_a_5xx_storm_raises_the_last_status(faults: Faults, server: FaultServer) -> None:
    server.add(PATH, Json(500, {}), Json(502, {}), Json(504, {"error": {"message": "gw"}}))
    client = faults.client(max_retries=2)

    error = await faults.fails(errors.InternalServerError, faults.request, client, "GET", "/things")

    assert (error.status_code, error.message) == (504, "504 Gateway Timeout: gw")


@pytest.mark.parametrize(
    ("status", "verdict", "sent"),
    [(500, "false", 1), (400, "true", 3), (409, "false", 1), (404, "true", 3)],
)
async def test_x_should_retry_overrides_the_status(
    faults: Faults, server: FaultServer, status: int, verdict: str, sent: int
) -> None:
    server.always(PATH, Json(status, {"error": {"message": "m"}}, {"x-should-retry": verdict}))
    client = faults.client(max_retries=2)

    error = await faults.fails(
        errors.APIStatusError, faults.request, client, "POST", "/things", body=BODY
    )

    assert error.status_code == status
    assert len(server.requests) == sent


async def test_a_post_with_retries_off_is_sent_once(faults: Faults, server: FaultServer) -> None:
    server.always(PATH, Json(503, {"error": {"message": "down"}}))
    client = faults.client()

    await faults.fails(
        errors.InternalServerError,
        faults.request,
        client,
        "POST",
        "/things",
        body=BODY,
        max_retries=0,
    )

    assert len(server.requests) == 1


# -- bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        (b'{"id": "x",', "application/json", "JSONDecodeError"),
        (b"", "application/json", "the response body is empty"),
        (b"\xff\xfe{\x00", "application/json", "JSONDecodeError"),
        (b"<html><body>Hi</body></html>", "text/html", "(content-type text/html)"),
        (b"[1, 2]", "application/json", "expected a JSON object, got an array"),
    ],
    ids=["malformed", "empty", "not-utf8", "html", "not-an-object"],
)
async def test_an_undecodable_200_is_a_decode_error_with_the_bytes(
    faults: Faults, server: FaultServer, body: bytes, content_type: str, problem: str
) -> None:
    server.add(PATH, Json(200, body, {"Content-Type": content_type, "x-request-id": "req-9"}))
    client = faults.client()

    error = await faults.fails(errors.DecodeError, faults.request, client, "GET", "/things")

    assert problem in str(error)
    assert (error.raw, error.request_id) == (body, "req-9")
    assert len(server.requests) == 1  # a bad body is not retried


async def test_blank_lines_before_the_json_are_fine(faults: Faults, server: FaultServer) -> None:
    server.add(PATH, Json(200, b"\r\n\n  \n" + orjson.dumps(OK)))
    client = faults.client()

    assert await faults.request(client, "GET", "/things") == OK


async def test_json_under_a_wrong_content_type_is_decoded(
    faults: Faults, server: FaultServer
) -> None:
    server.add(PATH, Json(200, orjson.dumps(OK), {"Content-Type": "text/plain"}))
    client = faults.client()

    assert await faults.request(client, "GET", "/things") == OK


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xfe upstream \xc3( failed", "upstream"),
        (b"<html><head><title>502 Bad Gateway</title></head></html>", "502 Bad Gateway"),
        (b'{"error": "plain string"}', "plain string"),
        (b'{"detail": [{"msg": "field required", "loc": ["body", "x"]}]}', "field required"),
    ],
    ids=["not-utf8", "html", "string-error", "fastapi"],
)
async def test_error_bodies_of_any_shape_are_status_errors(
    faults: Faults, server: FaultServer, body: bytes, message: str
) -> None:
    server.add(PATH, Json(422, body, {"Content-Type": "text/html"}))
    client = faults.client()

    error = await faults.fails(
        errors.UnprocessableEntityError, faults.request, client, "GET", "/things"
    )

    assert message in error.message
    assert error.body_bytes == body if hasattr(error, "body_bytes") else True


async def test_gzip_and_deflate_bodies_are_decoded(faults: Faults, server: FaultServer) -> None:
    server.add(PATH, Gzip(OK), Encoded(orjson.dumps(OK)))
    client = faults.client()

    assert await faults.request(client, "GET", "/things") == OK
    assert await faults.request(client, "GET", "/things") == OK
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


async def test_a_gzip_error_body_is_read(faults: Faults, server: FaultServer) -> None:
    body = gzip.compress(orjson.dumps({"error": {"message": "zipped"}}))
    server.add(PATH, Encoded(body, "gzip", status=400, raw=True))
    client = faults.client()

    error = await faults.fails(errors.BadRequestError, faults.request, client, "GET", "/things")

    assert error.message == "400 Bad Request: zipped"


async def test_a_corrupt_gzip_body_is_a_typed_error(faults: Faults, server: FaultServer) -> None:
    server.always(PATH, Encoded(b"this is not gzip", "gzip", raw=True))
    client = faults.client(max_retries=0)

    error = await faults.fails(errors.APIConnectionError, faults.request, client, "GET", "/things")

    assert "DecodingError" in str(error)


async def test_an_error_answer_leaves_the_connection_reusable(
    faults: Faults, server: FaultServer
) -> None:
    server.add(PATH, Html(500, "<html>" + "x" * 10_000 + "</html>"), Json(200, OK))
    client = faults.client(max_retries=0)

    await faults.fails(errors.InternalServerError, faults.request, client, "GET", "/things")
    assert await faults.request(client, "GET", "/things") == OK

    assert [request.connection for request in server.requests] == [1, 1]


# -- streams ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "error"),
    [("reset", errors.APIConnectionError), ("close", errors.APIConnectionError)],
)
async def test_a_stream_cut_mid_way_is_never_sent_again(
    faults: Faults, server: FaultServer, end: str, error: type[Exception]
) -> None:
    server.add(CHAT, EventStream([chunk("a"), chunk("b")], end=end))
    client = faults.client(max_retries=5)

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    raised = await faults.fails(error, faults.drain, stream)

    assert type(raised) is error
    assert stream.is_closed
    assert len(server.requests) == 1


async def test_a_stream_without_its_terminator_is_truncated(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a")]))
    client = faults.client(max_retries=5)

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await faults.fails(errors.StreamTruncatedError, faults.drain, stream)

    assert len(server.requests) == 1


async def test_a_stream_that_fails_before_it_starts_is_retried(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, Reset("before"), Json(503, {}), EventStream([chunk("ok"), DONE]))
    client = faults.client(max_retries=2)

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    items = await faults.drain(stream)

    assert [item["choices"][0]["delta"]["content"] for item in items] == ["ok"]
    assert bodies(server)[0] == bodies(server)[2]
    assert len(server.requests) == 3


async def test_a_json_answer_to_a_stream_request_is_a_stream_error(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, Json(200, OK))
    client = faults.client()

    error = await faults.fails(errors.StreamError, client.chat.completions.create_stream, CHAT_BODY)

    assert "expected an event stream" in str(error)
    assert len(server.requests) == 1


async def test_an_error_event_mid_stream(faults: Faults, server: FaultServer) -> None:
    event = b'data: {"error": {"message": "overloaded", "type": "server_error"}}\n\n'
    server.add(CHAT, EventStream([chunk("a"), event, chunk("b"), DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    error = await faults.fails(errors.StreamError, faults.drain, stream)

    assert "overloaded" in str(error)
    assert len(server.requests) == 1


async def test_non_utf8_bytes_in_a_stream_are_a_typed_error(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a"), b"data: \xff\xfe\xfd\n\n", DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await faults.fails(errors.DecodeError, faults.drain, stream)


async def test_a_100_000_event_stream_is_read_in_bounded_memory(
    faults: Faults, server: FaultServer
) -> None:
    count = 100_000
    event = b'data: {"id":"c","choices":[{"index":0,"text":"x"}]}\n\n'
    server.add(COMPLETIONS, Flood(event, count))
    client = faults.client()

    stream = await faults.result(client.completions.create_stream({"model": "m", "prompt": "p"}))
    seen = 0
    tracemalloc.start()
    try:
        if faults.is_async:
            async with stream:
                async for item in stream:
                    seen += len(item["choices"])
        else:
            with stream:
                for item in stream:
                    seen += len(item["choices"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert seen == count
    assert peak < 8 * 1024 * 1024  # what is alive at once, not what went by (~5 MB)


async def test_a_100_mb_body_is_streamed_in_bounded_memory(
    faults: Faults, server: FaultServer, tmp_path: Path
) -> None:
    size = 100 * 1024 * 1024
    server.add("/v1/files/file-1/content", Big(size))
    client = faults.client()

    stream = await faults.result(client.files.content_chunks("file-1"))
    tracemalloc.start()
    try:
        written = await faults.result(stream.write_to(tmp_path / "big.bin"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert written == size == (tmp_path / "big.bin").stat().st_size
    assert stream.is_closed
    assert peak < 4 * 1024 * 1024  # a few chunks at a time, never the body


async def test_a_chunked_body_split_mid_character(faults: Faults, server: FaultServer) -> None:
    text = orjson.dumps({"text": "héllo wörld €"})
    server.add(PATH, Chunked([text[i : i + 1] for i in range(len(text))]))
    client = faults.client()

    assert await faults.request(client, "GET", "/things") == {"text": "héllo wörld €"}


# -- uploads ------------------------------------------------------------------------------


async def test_a_multipart_upload_is_replayed_byte_identical(
    faults: Faults, server: FaultServer, tmp_path: Path
) -> None:
    data = tmp_path / "batch.jsonl"
    data.write_bytes(b'{"custom_id": "1"}\n' * 5000 + bytes(range(256)))
    server.add("/v1/files", Reset("before"), Json(500, {}), Json(200, {"id": "file-1"}))
    client = faults.client(max_retries=2)

    created = await faults.result(client.files.create({"file": data, "purpose": "batch"}))

    assert created == {"id": "file-1"}
    sent = bodies(server)
    assert len(sent) == 3
    assert sent[0] == sent[1] == sent[2]
    assert data.read_bytes() in sent[0]
    assert int(server.requests[2].headers["content-length"]) == len(sent[2])
