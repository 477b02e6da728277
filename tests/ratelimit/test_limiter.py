"""`RateLimiter`'s decisions on a fake clock: no test here sleeps."""

from __future__ import annotations

import itertools
import threading

import httpx
import orjson
import pytest

import byot
from byot._limiter import estimate_tokens, usage_tokens
from byot.errors import ConfigError


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def starts(limiter: byot.RateLimiter, count: int, tokens: int = 0) -> list[float]:
    return [limiter.reserve(tokens).start for _ in range(count)]


def test_requests_per_minute_are_spaced_evenly(clock: Clock) -> None:
    limiter = byot.RateLimiter(rpm=600, clock=clock)
    assert starts(limiter, 4) == pytest.approx([1000.0, 1000.1, 1000.2, 1000.3])


def test_a_client_that_calls_now_and_then_never_waits(clock: Clock) -> None:
    limiter = byot.RateLimiter(rpm=60, clock=clock)
    for _ in range(3):
        assert limiter.reserve().delay() <= 0
        clock.now += 1.0  # exactly the budget's pace


def test_the_delay_counts_down_with_the_clock(clock: Clock) -> None:
    limiter = byot.RateLimiter(rpm=60, clock=clock)
    limiter.reserve()
    ticket = limiter.reserve()
    assert ticket.delay() == pytest.approx(1.0)
    clock.now += 0.75
    assert ticket.delay() == pytest.approx(0.25)
    clock.now += 0.25
    assert ticket.delay() <= 0


def test_tokens_per_minute_pay_back_each_requests_tokens(clock: Clock) -> None:
    limiter = byot.RateLimiter(tpm=6000, clock=clock)  # 100 tokens a second
    first, second, third = (limiter.reserve(tokens) for tokens in (500, 100, 0))
    assert (first.start, second.start, third.start) == pytest.approx((1000.0, 1005.0, 1006.0))
    assert first.tokens == 500


def test_the_later_of_both_budgets_decides(clock: Clock) -> None:
    limiter = byot.RateLimiter(rpm=60, tpm=6000, clock=clock)
    limiter.reserve(50)  # tokens back in 0.5 s, the request slot in 1 s
    assert limiter.reserve(500).start == pytest.approx(1001.0)
    assert limiter.reserve(0).start == pytest.approx(1006.0)  # tokens: 1001 + 5 s


def test_without_a_token_limit_no_tokens_are_booked(clock: Clock) -> None:
    limiter = byot.RateLimiter(rpm=60, clock=clock)
    assert limiter.reserve(10_000).tokens == 0


def test_usage_corrects_the_estimate(clock: Clock) -> None:
    limiter = byot.RateLimiter(tpm=6000, clock=clock)
    ticket = limiter.reserve(1000)  # the next request would wait 10 s
    ticket.used(orjson.dumps({"usage": {"prompt_tokens": 150, "total_tokens": 200}}))
    assert ticket.tokens == 200
    assert limiter.reserve(0).start == pytest.approx(1002.0)


def test_usage_that_is_larger_delays_the_next_request(clock: Clock) -> None:
    limiter = byot.RateLimiter(tpm=6000, clock=clock)
    limiter.reserve(100).used(b'{"usage": {"total_tokens": 900}}')
    assert limiter.reserve(0).start == pytest.approx(1009.0)


def test_an_answer_without_usage_keeps_the_estimate(clock: Clock) -> None:
    limiter = byot.RateLimiter(tpm=6000, clock=clock)
    ticket = limiter.reserve(300)
    ticket.used(b'{"data": []}')
    ticket.used(b'{"usage": {"total_tokens": "many"}}')
    assert ticket.tokens == 300
    assert limiter.reserve(0).start == pytest.approx(1003.0)


def test_usage_without_a_token_limit_is_ignored(clock: Clock) -> None:
    limiter = byot.RateLimiter(rpm=60, clock=clock)
    limiter.correct(1000)
    ticket = limiter.reserve()
    ticket.used(b'{"usage": {"total_tokens": 900}}')
    assert ticket.tokens == 0
    assert limiter.reserve().start == pytest.approx(1001.0)


def _headers(**values: str) -> httpx.Headers:
    return httpx.Headers({name.replace("_", "-"): value for name, value in values.items()})


def test_remaining_requests_at_zero_hold_until_the_reset(clock: Clock) -> None:
    limiter = byot.RateLimiter(clock=clock)  # headers only
    waiting = limiter.reserve()
    assert waiting.delay() <= 0
    limiter.settle(
        200,
        _headers(x_ratelimit_remaining_requests="0", x_ratelimit_reset_requests="1s500ms"),
    )
    # A booking made before the headers came waits too: the delay is read when it is asked.
    assert waiting.delay() == pytest.approx(1.5)
    assert limiter.reserve().start == pytest.approx(1001.5)


def test_remaining_tokens_at_zero_hold_until_their_reset(clock: Clock) -> None:
    limiter = byot.RateLimiter(clock=clock)
    limiter.settle(
        200,
        _headers(
            x_ratelimit_remaining_requests="5",
            x_ratelimit_reset_requests="10s",
            x_ratelimit_remaining_tokens="0",
            x_ratelimit_reset_tokens="20ms",
        ),
    )
    assert limiter.reserve().delay() == pytest.approx(0.02)


def test_a_429_holds_every_request_for_its_retry_after(clock: Clock) -> None:
    limiter = byot.RateLimiter(clock=clock)
    limiter.settle(429, _headers(retry_after_ms="250"))
    assert limiter.reserve().delay() == pytest.approx(0.25)


def test_retry_after_on_a_success_holds_nothing(clock: Clock) -> None:
    limiter = byot.RateLimiter(clock=clock)
    limiter.settle(200, _headers(retry_after="5"))
    assert limiter.reserve().delay() <= 0


def test_headers_hold_at_most_max_header_wait(clock: Clock) -> None:
    limiter = byot.RateLimiter(max_header_wait=30, clock=clock)
    limiter.settle(
        200, _headers(x_ratelimit_remaining_requests="0", x_ratelimit_reset_requests="1h")
    )
    assert limiter.reserve().delay() == pytest.approx(30.0)


def test_a_shorter_hold_never_shortens_a_longer_one(clock: Clock) -> None:
    limiter = byot.RateLimiter(clock=clock)
    limiter.settle(429, _headers(retry_after="3"))
    limiter.settle(429, _headers(retry_after="1"))
    assert limiter.reserve().delay() == pytest.approx(3.0)


@pytest.mark.parametrize(
    "headers",
    [
        {"x-ratelimit-remaining-requests": "0"},  # no reset: nothing to wait for
        {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "soon"},
        {"x-ratelimit-remaining-requests": "1", "x-ratelimit-reset-requests": "10s"},
        {"x-ratelimit-remaining-requests": "zero", "x-ratelimit-reset-requests": "10s"},
        {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "0s"},
    ],
)
def test_headers_that_hold_nothing(clock: Clock, headers: dict[str, str]) -> None:
    limiter = byot.RateLimiter(clock=clock)
    limiter.settle(429 if "zero" in headers.values() else 200, httpx.Headers(headers))
    assert limiter.reserve().delay() <= 0


@pytest.mark.parametrize(
    ("name", "value"),
    [("rpm", 0), ("rpm", -5), ("tpm", float("nan")), ("tpm", float("inf")), ("rpm", True)],
)
def test_limits_must_be_positive_numbers(name: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"{name} must be a positive number per minute"):
        byot.RateLimiter(**{name: value})


def test_a_limit_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigError, match="not '600'"):
        byot.RateLimiter(rpm="600")  # type: ignore[arg-type]


def test_repr() -> None:
    assert repr(byot.RateLimiter(rpm=500, tpm=None)) == "RateLimiter(rpm=500, tpm=None)"


def test_estimate_tokens() -> None:
    body = orjson.dumps(
        {"model": "m", "messages": [{"role": "user", "content": "x" * 400}], "max_tokens": 50}
    )
    assert estimate_tokens(body) == len(body) // 4 + 50
    assert estimate_tokens(b'{"max_completion_tokens": 7, "input": ""}') == 10 + 7
    assert estimate_tokens(b'{"max_output_tokens":30}') == 6 + 30
    assert estimate_tokens(b"{}") == 0
    assert estimate_tokens(None) == 0
    assert estimate_tokens(object()) == 0  # a multipart upload


def test_a_quoted_max_tokens_inside_text_is_not_the_budget() -> None:
    body = orjson.dumps({"messages": [{"content": 'say "max_tokens": 99999'}]})
    assert estimate_tokens(body) == len(body) // 4


def test_usage_tokens() -> None:
    assert usage_tokens(b'{"usage":{"prompt_tokens":3,"total_tokens":12}}') == 12
    assert usage_tokens(b'{"usage": {"total_tokens" : 5}}') == 5
    assert usage_tokens(b"{}") is None
    assert usage_tokens(b'{"total_tokens": null}') is None


def test_threads_each_get_their_own_slot() -> None:
    limiter = byot.RateLimiter(rpm=6000)  # the real clock: 10 ms a request
    booked: list[float] = []
    lock = threading.Lock()

    def book() -> None:
        for _ in range(50):
            start = limiter.reserve().start
            with lock:
                booked.append(start)

    threads = [threading.Thread(target=book) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    booked.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(booked)]
    assert len(booked) == 400
    assert min(gaps) == pytest.approx(0.01)
