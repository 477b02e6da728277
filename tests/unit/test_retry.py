"""Retry decisions and waits, and the two tenacity loops that run them (never sleeping here)."""

from __future__ import annotations

import asyncio
import logging
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from byot import errors
from byot._retry import RetryEvent, RetryPolicy, retry_after
from byot._status import make_status_error
from byot._timeout import Deadline

if TYPE_CHECKING:
    from collections.abc import Callable

URL = "https://api.example/v1/chat/completions"
HTTP_DATE = "Wed, 21 Oct 2015 07:28:00 GMT"
HTTP_DATE_TS = parsedate_to_datetime(HTTP_DATE).timestamp()


def status_error(
    status: int, headers: dict[str, str] | None = None, raw: bytes = b""
) -> errors.APIStatusError:
    return make_status_error(
        method="POST", url=URL, status=status, headers=httpx.Headers(headers or {}), raw=raw
    )


def connection_error() -> errors.APIConnectionError:
    return errors.APIConnectionError("connection error: refused", method="POST", url=URL)


@pytest.fixture
def random_value(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Fix what `random.random()` returns inside the retry module."""

    def set_value(value: float) -> None:
        monkeypatch.setattr("byot._retry.random.random", lambda: value)

    return set_value


@pytest.fixture
def no_jitter(random_value: Callable[[float], None]) -> None:
    """Every wait is the full backoff: 0.5 s, then 1 s, 2 s, ..."""
    random_value(0.0)


# ----------------------------------------------------------------------------- retry_after


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({}, None, id="none"),
        pytest.param({"retry-after-ms": "1500", "retry-after": "20"}, 1.5, id="ms-wins"),
        pytest.param({"retry-after-ms": "1500"}, 1.5, id="ms-only"),
        pytest.param({"retry-after-ms": "-5"}, -0.005, id="ms-negative"),
        pytest.param({"retry-after-ms": "soon", "retry-after": "20"}, 20.0, id="bad-ms-fallback"),
        pytest.param({"retry-after-ms": "inf", "retry-after": "2"}, 2.0, id="inf-ms-fallback"),
        pytest.param({"retry-after": "20"}, 20.0, id="seconds"),
        pytest.param({"retry-after": "0.5"}, 0.5, id="fraction"),
        pytest.param({"retry-after": "0"}, 0.0, id="zero"),
        pytest.param({"retry-after": "-10"}, -10.0, id="negative"),
        pytest.param({"retry-after": ""}, None, id="empty"),
        pytest.param({"retry-after": "inf"}, None, id="inf"),
        pytest.param({"retry-after": "nan"}, None, id="nan"),
        pytest.param({"retry-after": "1e400"}, None, id="overflow"),
        pytest.param({"retry-after": "soon"}, None, id="garbage"),
        pytest.param({"retry-after": "Wed, 32 Oct 2015 99:99:99 GMT"}, None, id="invalid-date"),
        # Years no datetime holds: parsing overflows a C long, or the date is past year 9999.
        pytest.param({"retry-after": f"Fri, 31 Dec {'9' * 20} 23:59:59 GMT"}, None, id="huge-year"),
        pytest.param({"retry-after": "Fri, 31 Dec 99999 23:59:59 GMT"}, None, id="year-99999"),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after(httpx.Headers(headers), now=HTTP_DATE_TS) == expected


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        pytest.param(HTTP_DATE, HTTP_DATE_TS - 30, 30.0, id="future"),
        pytest.param(HTTP_DATE, HTTP_DATE_TS + 10, -10.0, id="past"),
        # "-0000" parses to a naive datetime; it must still be read as UTC, not local time.
        pytest.param("Wed, 21 Oct 2015 07:28:00 -0000", HTTP_DATE_TS - 30, 30.0, id="naive"),
        pytest.param("Wed, 21 Oct 2015 09:28:00 +0200", HTTP_DATE_TS - 5, 5.0, id="offset"),
    ],
)
def test_retry_after_http_date(value: str, now: float, expected: float) -> None:
    assert retry_after(httpx.Headers({"retry-after": value}), now=now) == expected


def test_retry_after_http_date_uses_the_clock_by_default() -> None:
    before = time.time()
    waited = retry_after(httpx.Headers({"Retry-After": HTTP_DATE}))
    after = time.time()
    assert waited is not None
    assert HTTP_DATE_TS - after <= waited <= HTTP_DATE_TS - before


# ----------------------------------------------------------------------------- should_retry


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(connection_error(), True, id="connection"),
        pytest.param(
            errors.APITimeoutError("read timeout", method="POST", url=URL), True, id="timeout"
        ),
        pytest.param(status_error(408), True, id="408"),
        pytest.param(status_error(409), True, id="409"),
        pytest.param(status_error(429), True, id="429"),
        pytest.param(status_error(500), True, id="500"),
        pytest.param(status_error(502), True, id="502"),
        pytest.param(status_error(400), False, id="400"),
        pytest.param(status_error(401), False, id="401"),
        pytest.param(status_error(404), False, id="404"),
        pytest.param(status_error(422), False, id="422"),
        pytest.param(
            status_error(429, raw=b'{"error": {"message": "m", "type": "insufficient_quota"}}'),
            False,
            id="429-quota-type",
        ),
        pytest.param(
            status_error(429, raw=b'{"error": {"message": "m", "code": "insufficient_quota"}}'),
            False,
            id="429-quota-code",
        ),
        pytest.param(status_error(400, {"x-should-retry": "true"}), True, id="header-true"),
        pytest.param(status_error(503, {"x-should-retry": "false"}), False, id="header-false"),
        pytest.param(
            status_error(
                429,
                {"x-should-retry": "true"},
                b'{"error": {"message": "m", "type": "insufficient_quota"}}',
            ),
            True,
            id="header-true-beats-quota",
        ),
        pytest.param(status_error(400, {"x-should-retry": "maybe"}), False, id="header-other"),
        pytest.param(status_error(503, {"retry-after": "60"}), True, id="retry-after-at-max"),
        pytest.param(status_error(503, {"retry-after": "61"}), False, id="retry-after-too-long"),
        pytest.param(
            # No wait is honoured beyond max_retry_after, even when the server says retry.
            status_error(503, {"retry-after": "120", "x-should-retry": "true"}),
            False,
            id="retry-after-too-long-beats-header",
        ),
        pytest.param(
            status_error(503, {"retry-after-ms": "60001"}), False, id="retry-after-ms-too-long"
        ),
        pytest.param(
            status_error(400, {"retry-after": f"Fri, 31 Dec {'9' * 20} 23:59:59 GMT"}),
            False,
            id="400-unreadable-date",
        ),
        pytest.param(
            status_error(503, {"retry-after": f"Fri, 31 Dec {'9' * 20} 23:59:59 GMT"}),
            True,
            id="503-unreadable-date",
        ),
        pytest.param(ValueError("boom"), False, id="other-exception"),
        pytest.param(
            errors.DecodeError("bad body", raw=b"x", target=dict), False, id="decode-error"
        ),
    ],
)
def test_should_retry(error: BaseException, expected: bool) -> None:
    assert RetryPolicy().should_retry(error) is expected


# ----------------------------------------------------------------------------- delay


@pytest.mark.parametrize(
    ("retries_taken", "drawn", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (4, 0.0, 8.0),
        (5, 0.0, 8.0),  # capped at max_delay
        (10_000, 0.0, 8.0),  # no OverflowError however many retries
        (0, 1.0, 0.375),  # jitter takes off at most 25 %
        (5, 1.0, 6.0),
        (1, 0.5, 0.875),
    ],
)
def test_delay_backoff(
    random_value: Callable[[float], None],
    retries_taken: int,
    drawn: float,
    expected: float,
) -> None:
    random_value(drawn)
    assert RetryPolicy().delay(retries_taken, None) == expected


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        pytest.param(status_error(429, {"retry-after": "3"}), 3.0, id="retry-after"),
        pytest.param(status_error(429, {"retry-after-ms": "1500"}), 1.5, id="retry-after-ms"),
        pytest.param(status_error(503, {"retry-after": "60"}), 60.0, id="at-max"),
        # Anything out of (0, max_retry_after] falls back to the backoff (2.0 here).
        pytest.param(status_error(503, {"retry-after": "61"}), 2.0, id="above-max"),
        pytest.param(status_error(503, {"retry-after": "0"}), 2.0, id="zero"),
        pytest.param(status_error(503, {"retry-after": "-1"}), 2.0, id="negative"),
        pytest.param(status_error(503), 2.0, id="no-header"),
        pytest.param(connection_error(), 2.0, id="connection-error"),
    ],
)
@pytest.mark.usefixtures("no_jitter")
def test_delay_honours_server(error: BaseException, expected: float) -> None:
    assert RetryPolicy().delay(2, error) == expected


def test_delay_custom_policy(random_value: Callable[[float], None]) -> None:
    random_value(1.0)
    policy = RetryPolicy(initial_delay=1.0, max_delay=3.0, jitter=0.0, max_retry_after=5.0)
    assert [policy.delay(n, None) for n in range(4)] == [1.0, 2.0, 3.0, 3.0]
    assert policy.delay(0, status_error(429, {"retry-after": "5"})) == 5.0
    assert policy.delay(0, status_error(429, {"retry-after": "6"})) == 1.0


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"max_retries": True}, TypeError, "max_retries must be an int >= 0, got True"),
        ({"max_retries": 1.0}, TypeError, "max_retries must be an int >= 0, got 1.0"),
        ({"max_retries": "2"}, TypeError, "max_retries must be an int >= 0, got '2'"),
        ({"max_retries": -1}, ValueError, "max_retries must be >= 0, got -1"),
        ({"initial_delay": -0.1}, ValueError, "initial_delay must be a number of seconds >= 0"),
        ({"max_delay": -1}, ValueError, "max_delay must be a number of seconds >= 0"),
        ({"max_delay": float("nan")}, ValueError, "max_delay must be a number of seconds >= 0"),
        ({"max_retry_after": -1}, ValueError, "max_retry_after must be a number of seconds"),
        ({"max_retry_after": "5"}, ValueError, "max_retry_after must be a number of seconds"),
        ({"jitter": -0.1}, ValueError, "jitter must be between 0 and 1, got -0.1"),
        ({"jitter": 1.5}, ValueError, "jitter must be between 0 and 1, got 1.5"),
    ],
)
def test_policy_validation(kwargs: dict[str, Any], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        RetryPolicy(**kwargs)


def test_policy_accepts_bounds() -> None:
    policy = RetryPolicy(max_retries=0, initial_delay=0, max_delay=0, jitter=1, max_retry_after=0)
    assert (policy.max_retries, policy.jitter) == (0, 1)
    assert RetryPolicy(jitter=0).jitter == 0


# ----------------------------------------------------------------------------- the loops


class Flaky:
    """Raises the given errors in turn, then returns "ok"; counts the calls."""

    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"

    async def run_async(self) -> str:
        return self()


def run_sync(
    policy: RetryPolicy,
    flaky: Flaky,
    max_retries: int | None = None,
    deadline: Deadline | None = None,
) -> str:
    return policy.retrying(max_retries, deadline)(flaky)


def run_async(
    policy: RetryPolicy,
    flaky: Flaky,
    max_retries: int | None = None,
    deadline: Deadline | None = None,
) -> str:
    async def main() -> str:
        return await policy.async_retrying(max_retries, deadline)(flaky.run_async)

    return asyncio.run(main())


LOOPS = pytest.mark.parametrize("run", [run_sync, run_async], ids=["sync", "async"])


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """`sleep=False` must reach neither time.sleep nor asyncio's sleep."""

    def forbidden(seconds: float) -> None:
        raise AssertionError(f"slept {seconds} s with sleep=False")

    async def forbidden_async(seconds: float) -> None:
        forbidden(seconds)

    monkeypatch.setattr("byot._retry.time.sleep", forbidden)
    monkeypatch.setattr("asyncio.sleep", forbidden_async)


@LOOPS
@pytest.mark.usefixtures("no_real_sleep", "no_jitter")
def test_loop_retries_then_returns(run: Callable[..., str]) -> None:
    first, second = status_error(500), status_error(503)
    events: list[RetryEvent] = []
    flaky = Flaky(first, second)
    assert run(RetryPolicy(sleep=False, on_retry=events.append), flaky) == "ok"
    assert flaky.calls == 3
    assert events == [
        RetryEvent(attempt=1, delay=0.5, error=first),
        RetryEvent(attempt=2, delay=1.0, error=second),
    ]
    assert events[0].error is first


@LOOPS
def test_loop_raises_non_retryable_at_once(run: Callable[..., str]) -> None:
    error = status_error(400, raw=b'{"error": {"message": "bad"}}')
    events: list[RetryEvent] = []
    flaky = Flaky(error)
    with pytest.raises(errors.BadRequestError) as caught:
        run(RetryPolicy(sleep=False, on_retry=events.append), flaky)
    assert caught.value is error  # the real error, never tenacity.RetryError
    assert flaky.calls == 1
    assert events == []


@LOOPS
@pytest.mark.usefixtures("no_jitter")
def test_loop_exhausted_reraises_last_error(run: Callable[..., str]) -> None:
    failures = [status_error(500), status_error(502), status_error(503)]
    events: list[RetryEvent] = []
    flaky = Flaky(*failures)
    with pytest.raises(errors.InternalServerError) as caught:
        run(RetryPolicy(sleep=False, on_retry=events.append), flaky)
    assert caught.value is failures[2]
    assert flaky.calls == 3  # max_retries=2: one attempt and two retries
    assert [e.attempt for e in events] == [1, 2]


@LOOPS
@pytest.mark.parametrize(("override", "calls"), [(0, 1), (1, 2), (4, 5)])
def test_loop_max_retries_override(run: Callable[..., str], override: int, calls: int) -> None:
    flaky = Flaky(*(connection_error() for _ in range(10)))
    with pytest.raises(errors.APIConnectionError):
        run(RetryPolicy(sleep=False, max_retries=2), flaky, max_retries=override)
    assert flaky.calls == calls


@LOOPS
def test_loop_stops_before_a_wait_past_the_deadline(run: Callable[..., str]) -> None:
    # The first wait (0.5 s at least 0.375 s) cannot fit in 10 ms: no retry, no hook.
    error = status_error(500)
    events: list[RetryEvent] = []
    flaky = Flaky(error)
    with pytest.raises(errors.InternalServerError) as caught:
        run(RetryPolicy(sleep=False, on_retry=events.append), flaky, deadline=Deadline(0.01))
    assert caught.value is error
    assert flaky.calls == 1
    assert events == []


@LOOPS
def test_loop_retries_within_the_deadline(run: Callable[..., str]) -> None:
    flaky = Flaky(status_error(500))
    assert run(RetryPolicy(sleep=False), flaky, deadline=Deadline(3600)) == "ok"
    assert flaky.calls == 2


@pytest.mark.usefixtures("no_jitter")
def test_sync_loop_sleeps_the_computed_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("byot._retry.time.sleep", slept.append)
    flaky = Flaky(status_error(500), status_error(429, {"retry-after": "3"}))
    assert run_sync(RetryPolicy(), flaky) == "ok"
    assert slept == [0.5, 3.0]


def test_async_loop_sleeps() -> None:
    # Real asyncio sleeps of 0 s: the default (sleeping) async loop still retries.
    flaky = Flaky(connection_error(), connection_error())
    assert run_async(RetryPolicy(initial_delay=0, max_delay=0), flaky) == "ok"
    assert flaky.calls == 3


@LOOPS
@pytest.mark.usefixtures("no_jitter")
def test_loop_logs_each_retry(run: Callable[..., str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="byot")
    run(RetryPolicy(sleep=False), Flaky(status_error(500)))
    [record] = [r for r in caplog.records if r.name == "byot"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == (
        f"retrying POST {URL} in 0.50 s (attempt 1 failed): 500 Internal Server Error (empty body)"
    )
