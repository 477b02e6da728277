"""What both clients retry, how often, how long they wait, and what they raise in the end."""

import email.utils
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import orjson
import pytest

import byot
from byot.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

BASE = "http://test.local/v1"
CHAT_URL = f"{BASE}/chat/completions"
NO_SLEEP = byot.RetryPolicy(sleep=False)
OK = b'{"ok": true}'


@dataclass
class Reply:
    status: int = 200
    content: bytes = OK
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, **headers: str) -> Reply:
    body = orjson.dumps({"error": {"message": f"failure {status}", "type": "server_error"}})
    return Reply(status, body, {k.replace("_", "-"): v for k, v in headers.items()})


class Server:
    """A MockTransport handler: answers with `replies` in turn (the last repeats).

    A reply that is an exception class is raised (a fresh instance each time).
    """

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        self.raised: list[Exception] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, type):
            exc = reply(f"attempt {len(self.requests)} failed", request=request)
            self.raised.append(exc)
            raise exc
        return httpx.Response(reply.status, headers=reply.headers, content=reply.content)

    @property
    def calls(self) -> int:
        return len(self.requests)


def chat(both: Any, client: Any, **options: Any) -> Any:
    return both.call(client.request, "POST", "/chat/completions", body={"model": "m"}, **options)


# ----------------------------------------------------------------------------- what is retried


def test_429_then_200_succeeds_after_one_retry(both: Any) -> None:
    server = Server(error(429), Reply())
    client = both.client(server, retry=NO_SLEEP)

    assert chat(both, client) == {"ok": True}
    assert server.calls == 2


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_retried_statuses(both: Any, status: int) -> None:
    server = Server(error(status), Reply())
    client = both.client(server, retry=NO_SLEEP)

    assert chat(both, client) == {"ok": True}
    assert server.calls == 2


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
    ],
)
def test_client_errors_are_not_retried(both: Any, status: int, cls: type[Exception]) -> None:
    server = Server(error(status), Reply())
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(cls) as info:
        chat(both, client)

    assert type(info.value) is cls
    assert info.value.status_code == status  # type: ignore[attr-defined]
    assert server.calls == 1


@pytest.mark.parametrize(
    "body",
    [
        {"error": {"message": "You exceeded your quota", "type": "insufficient_quota"}},
        {"error": {"message": "quota", "type": "requests", "code": "insufficient_quota"}},
    ],
)
def test_429_insufficient_quota_is_not_retried(both: Any, body: dict[str, Any]) -> None:
    server = Server(Reply(429, orjson.dumps(body)), Reply())
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(RateLimitError) as info:
        chat(both, client)

    assert server.calls == 1
    assert "insufficient_quota" in (info.value.type, info.value.code)


def test_x_should_retry_false_on_a_500(both: Any) -> None:
    server = Server(error(500, x_should_retry="false"), Reply())
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(InternalServerError):
        chat(both, client)
    assert server.calls == 1


def test_x_should_retry_true_on_a_400(both: Any) -> None:
    server = Server(error(400, x_should_retry="true"), Reply())
    client = both.client(server, retry=NO_SLEEP)

    assert chat(both, client) == {"ok": True}
    assert server.calls == 2


def test_retry_after_above_the_limit_is_raised_at_once(both: Any) -> None:
    server = Server(error(429, retry_after="120"), Reply())
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(RateLimitError) as info:
        chat(both, client)

    assert server.calls == 1
    assert info.value.headers["retry-after"] == "120"


def test_retry_after_limit_is_configurable(both: Any) -> None:
    server = Server(error(503, retry_after_ms="1500"), Reply())
    client = both.client(server, retry=byot.RetryPolicy(max_retry_after=1, sleep=False))

    with pytest.raises(InternalServerError):
        chat(both, client)
    assert server.calls == 1


def test_exhausted_retries_raise_the_last_status_error(both: Any) -> None:
    server = Server(
        error(500),
        error(502),
        Reply(503, b'{"error": {"message": "overloaded"}}', {"x-request-id": "req_last"}),
    )
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(InternalServerError) as info:
        chat(both, client)

    error_ = info.value
    assert type(error_) is InternalServerError
    assert error_.status_code == 503
    assert error_.request_id == "req_last"
    assert error_.error_message == "overloaded"
    assert str(error_) == "503 Service Unavailable: overloaded [request_id=req_last]"
    assert server.calls == 3


def test_exhausted_429_retries_raise_a_rate_limit_error(both: Any) -> None:
    server = Server(error(429))
    client = both.client(server, retry=NO_SLEEP, max_retries=1)

    with pytest.raises(RateLimitError) as info:
        chat(both, client)

    assert type(info.value) is RateLimitError
    assert server.calls == 2


def test_default_max_retries_is_two(both: Any) -> None:
    server = Server(error(500))
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(InternalServerError):
        chat(both, client)
    assert server.calls == 3
    assert client.retry.max_retries == 2


def test_max_retries_zero_makes_one_attempt(both: Any) -> None:
    server = Server(error(500), Reply())
    client = both.client(server, max_retries=0, retry=NO_SLEEP)

    with pytest.raises(InternalServerError):
        chat(both, client)
    assert server.calls == 1


def test_409_exhausted_raises_a_conflict_error(both: Any) -> None:
    server = Server(error(409))
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(ConflictError):
        chat(both, client)
    assert server.calls == 3


# ----------------------------------------------------------------------------- transport errors


def test_connect_errors_are_retried_then_raised(both: Any) -> None:
    server = Server(httpx.ConnectError)
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(APIConnectionError) as info:
        chat(both, client)

    error_ = info.value
    assert type(error_) is APIConnectionError
    assert server.calls == 3
    assert error_.__cause__ is server.raised[-1]
    assert isinstance(error_.__cause__, httpx.ConnectError)
    assert error_.method == "POST"
    assert error_.url == CHAT_URL
    assert str(error_) == (f"connection error: POST {CHAT_URL}: ConnectError: attempt 3 failed")


def test_connect_error_then_success(both: Any) -> None:
    server = Server(httpx.ConnectError, httpx.RemoteProtocolError, Reply())
    client = both.client(server, retry=NO_SLEEP)

    assert chat(both, client) == {"ok": True}
    assert server.calls == 3


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ReadTimeout, "read"),
        (httpx.ConnectTimeout, "connect"),
        (httpx.WriteTimeout, "write"),
        (httpx.PoolTimeout, "pool"),
    ],
)
def test_timeouts_are_api_timeout_errors(both: Any, exc: type[Exception], kind: str) -> None:
    server = Server(exc)
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(APITimeoutError) as info:
        chat(both, client)

    assert server.calls == 3
    assert isinstance(info.value.__cause__, exc)
    assert info.value.__cause__ is server.raised[-1]
    assert str(info.value) == f"{kind} timeout: POST {CHAT_URL} got no answer in time"


def test_a_read_error_while_receiving_is_a_connection_error(both: Any) -> None:
    class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __iter__(self) -> Any:
            yield b'{"ok":'
            raise httpx.ReadError("connection reset")

        async def __aiter__(self) -> Any:
            yield b'{"ok":'
            raise httpx.ReadError("connection reset")

    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, stream=BrokenStream())

    client = both.client(handler, retry=NO_SLEEP)

    with pytest.raises(APIConnectionError) as info:
        chat(both, client)

    assert len(calls) == 3
    assert isinstance(info.value.__cause__, httpx.ReadError)
    assert str(info.value) == f"connection error: POST {CHAT_URL}: ReadError: connection reset"


def test_other_exceptions_are_not_retried(both: Any) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise RuntimeError("bug in a transport")

    client = both.client(handler, retry=NO_SLEEP)

    with pytest.raises(RuntimeError, match="bug in a transport"):
        chat(both, client)
    assert len(calls) == 1


def test_decode_errors_are_not_retried(both: Any) -> None:
    server = Server(Reply(200, b"<html>"), Reply())
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(byot.errors.DecodeError):
        chat(both, client)
    assert server.calls == 1


# ----------------------------------------------------------------------------- hook and waits


def test_on_retry_hears_attempts_and_delays(both: Any) -> None:
    events: list[byot.RetryEvent] = []
    server = Server(
        error(429, retry_after_ms="250"),
        error(503, retry_after="2"),
        Reply(),
    )
    policy = byot.RetryPolicy(sleep=False, on_retry=events.append)
    client = both.client(server, retry=policy)

    response = chat(both, client, raw=True)

    assert response.retries_taken == 2
    assert [(e.attempt, e.delay) for e in events] == [(1, 0.25), (2, 2.0)]
    assert type(events[0].error) is RateLimitError
    assert type(events[1].error) is InternalServerError
    assert events[1].error.status_code == 503  # type: ignore[attr-defined]


def test_on_retry_backoff_without_retry_after(both: Any) -> None:
    events: list[byot.RetryEvent] = []
    server = Server(httpx.ConnectError, error(500), error(500), Reply())
    policy = byot.RetryPolicy(
        max_retries=3, initial_delay=0.5, max_delay=1.5, jitter=0, sleep=False,
        on_retry=events.append,
    )  # fmt: skip
    client = both.client(server, retry=policy)

    assert chat(both, client) == {"ok": True}

    assert [(e.attempt, e.delay) for e in events] == [(1, 0.5), (2, 1.0), (3, 1.5)]
    assert isinstance(events[0].error, APIConnectionError)


def test_jitter_only_shortens_the_wait(both: Any) -> None:
    events: list[byot.RetryEvent] = []
    server = Server(error(500))
    policy = byot.RetryPolicy(
        max_retries=5, initial_delay=1, max_delay=1, jitter=0.5, sleep=False,
        on_retry=events.append,
    )  # fmt: skip
    client = both.client(server, retry=policy)

    with pytest.raises(InternalServerError):
        chat(both, client)

    assert len(events) == 5
    assert all(0.5 <= e.delay <= 1.0 for e in events), [e.delay for e in events]


def test_post_body_is_resent_byte_identical(both: Any) -> None:
    server = Server(error(500), httpx.ConnectError, error(429), Reply())
    client = both.client(server, retry=byot.RetryPolicy(max_retries=3, sleep=False))
    body = {"model": "m", "messages": [{"role": "user", "content": "héllo ✓"}], "n": 1.5}

    both.call(client.request, "POST", "/chat/completions", body=body)

    assert server.calls == 4
    contents = [r.content for r in server.requests]
    assert contents == [orjson.dumps(body)] * 4
    assert {r.headers["Content-Length"] for r in server.requests} == {str(len(contents[0]))}
    assert all(r.method == "POST" for r in server.requests)
    assert all(str(r.url) == CHAT_URL for r in server.requests)


def test_bytes_body_is_resent_byte_identical(both: Any) -> None:
    server = Server(error(502), Reply())
    client = both.client(server, retry=NO_SLEEP)

    both.call(client.request, "POST", "/uploads", body=b"\x00\xffdata")

    assert [r.content for r in server.requests] == [b"\x00\xffdata"] * 2


# ----------------------------------------------------------------------------- deadline


def test_total_deadline_stops_the_retries(both: Any) -> None:
    server = Server(httpx.ConnectError)
    policy = byot.RetryPolicy(
        max_retries=50, initial_delay=0.02, max_delay=0.02, jitter=0, sleep=True
    )
    client = both.client(server, retry=policy, timeout=byot.Timeout(30, total=0.05))

    with pytest.raises(APIConnectionError):
        chat(both, client)

    # ~3 attempts fit in 50 ms with 20 ms waits; far fewer than the 51 allowed.
    assert 2 <= server.calls <= 5, server.calls


def test_real_sleeping_waits(both: Any) -> None:
    server = Server(error(503), Reply())
    policy = byot.RetryPolicy(initial_delay=0.05, max_delay=0.05, jitter=0, sleep=True)
    client = both.client(server, retry=policy)

    started = time.monotonic()
    assert chat(both, client) == {"ok": True}
    elapsed = time.monotonic() - started

    assert server.calls == 2
    assert elapsed >= 0.05


def test_sleep_false_does_not_wait(both: Any) -> None:
    server = Server(error(503, retry_after="30"), error(503, retry_after="30"), Reply())
    client = both.client(server, retry=NO_SLEEP)

    started = time.monotonic()
    assert chat(both, client) == {"ok": True}

    assert time.monotonic() - started < 30  # did not wait for the 30 s the server asked
    assert server.calls == 3


def test_total_deadline_of_zero_sends_nothing(both: Any) -> None:
    server = Server(Reply())
    client = both.client(server, retry=NO_SLEEP, timeout=byot.Timeout(30, total=0))

    with pytest.raises(APITimeoutError) as info:
        chat(both, client)

    assert server.calls == 0
    assert str(info.value) == "the call's total deadline of 0 s ran out"
    assert info.value.method == "POST"
    assert info.value.url == CHAT_URL


def test_total_deadline_cuts_off_a_slow_body(both: Any) -> None:
    class SlowStream(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __iter__(self) -> Any:
            yield b'{"a": '
            time.sleep(0.1)
            yield b"1}"

        async def __aiter__(self) -> Any:
            yield b'{"a": '
            await anyio.sleep(0.1)
            yield b"1}"

    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(200, stream=SlowStream())

    client = both.client(handler, retry=NO_SLEEP, timeout=byot.Timeout(30, total=0.05))

    with pytest.raises(APITimeoutError) as info:
        chat(both, client)

    assert str(info.value) == "the call's total deadline of 0.05 s ran out"
    assert len(calls) == 1  # no time is left for a retry


def test_total_deadline_leaves_a_fast_body_alone(both: Any) -> None:
    server = Server(error(500), Reply())
    client = both.client(server, retry=NO_SLEEP, timeout=byot.Timeout(30, total=10))

    response = chat(both, client, raw=True)

    assert response.parsed == {"ok": True}
    assert response.retries_taken == 1


# ----------------------------------------------------------------------------- Retry-After


def test_retry_after_http_date(both: Any) -> None:
    events: list[byot.RetryEvent] = []
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    server = Server(error(503, retry_after=when), Reply())
    client = both.client(server, retry=byot.RetryPolicy(sleep=False, on_retry=events.append))

    assert chat(both, client) == {"ok": True}

    assert len(events) == 1
    assert 1.0 < events[0].delay <= 3.0, events[0].delay


def test_retry_after_http_date_too_far_is_raised_at_once(both: Any) -> None:
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server = Server(error(429, retry_after=when), Reply())
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(RateLimitError):
        chat(both, client)
    assert server.calls == 1


@pytest.mark.parametrize("value", ["soon", "inf", "nan", "-5", "0"])
def test_unreadable_or_useless_retry_after_falls_back_to_backoff(both: Any, value: str) -> None:
    events: list[byot.RetryEvent] = []
    server = Server(error(503, retry_after=value), Reply())
    policy = byot.RetryPolicy(initial_delay=0.3, jitter=0, sleep=False, on_retry=events.append)
    client = both.client(server, retry=policy)

    assert chat(both, client) == {"ok": True}

    assert [(e.attempt, e.delay) for e in events] == [(1, 0.3)]


def test_retry_after_ms_wins_over_retry_after(both: Any) -> None:
    events: list[byot.RetryEvent] = []
    server = Server(error(429, retry_after_ms="40", retry_after="9"), Reply())
    client = both.client(server, retry=byot.RetryPolicy(sleep=False, on_retry=events.append))

    assert chat(both, client) == {"ok": True}
    assert [e.delay for e in events] == [0.04]


# ----------------------------------------------------------------------------- async only


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_async_retries_sleep_on_any_event_loop(anyio_backend: str) -> None:
    server = Server(error(503), httpx.ConnectError, Reply())
    policy = byot.RetryPolicy(initial_delay=0.01, max_delay=0.01, jitter=0)

    async with byot.AsyncClient(
        base_url=BASE, api_key="sk-test", transport=httpx.MockTransport(server), retry=policy
    ) as client:
        started = time.monotonic()
        response = await client.request("POST", "/chat/completions", body={}, raw=True)
        elapsed = time.monotonic() - started

    assert response.parsed == {"ok": True}
    assert response.retries_taken == 2
    assert server.calls == 3
    assert elapsed >= 0.02
