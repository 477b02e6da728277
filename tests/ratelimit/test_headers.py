"""Reading the `x-ratelimit-*` and `retry-after` headers into `byot.RateLimits` (sans-I/O)."""

from __future__ import annotations

import httpx
import pytest

import byot
from byot._ratelimit import parse_duration, rate_limits

# The header set OpenAI documents (platform.openai.com/docs/guides/rate-limits), as sent.
OPENAI = httpx.Headers(
    {
        "x-ratelimit-limit-requests": "60",
        "x-ratelimit-limit-tokens": "150000",
        "x-ratelimit-remaining-requests": "59",
        "x-ratelimit-remaining-tokens": "149984",
        "x-ratelimit-reset-requests": "1s",
        "x-ratelimit-reset-tokens": "6m0s",
    }
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("6m0s", 360.0),
        ("1s", 1.0),
        ("20ms", 0.02),
        ("1h2m3.5s", 3723.5),
        ("0.5s", 0.5),
        ("17ms", 0.017),
        ("2m", 120.0),
        ("1.5", 1.5),
        ("12", 12.0),
        (" 3s ", 3.0),
        ("250us", 0.00025),
        ("250µs", 0.00025),
        ("10ns", 1e-8),
        (".5s", 0.5),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text", [None, "", "  ", "-1s", "1d", "s", "1s2", "abc", "1e3", "nan", "inf", "1,5s", "1 s"]
)
def test_junk_durations_are_none(text: str | None) -> None:
    assert parse_duration(text) is None


def test_a_duration_too_long_for_a_float_is_none() -> None:
    assert parse_duration("9" * 400 + "h") is None
    assert parse_duration("9" * 400) is None


def test_openai_headers() -> None:
    limits = rate_limits(OPENAI)
    assert limits == byot.RateLimits(
        requests=byot.RateLimit(limit=60, remaining=59, reset=1.0),
        tokens=byot.RateLimit(limit=150000, remaining=149984, reset=360.0),
        retry_after=None,
    )


def test_no_headers_is_all_none() -> None:
    empty = byot.RateLimit(None, None, None)
    assert rate_limits(httpx.Headers()) == byot.RateLimits(empty, empty, None)


def test_retry_after_forms() -> None:
    assert rate_limits(httpx.Headers({"retry-after": "2"})).retry_after == 2.0
    assert rate_limits(httpx.Headers({"retry-after-ms": "150"})).retry_after == 0.15
    date = httpx.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"})
    assert rate_limits(date, now=1445412480.0).retry_after == 10.0
    # A date already past asks for no wait, never a negative one.
    assert rate_limits(date, now=1445412500.0).retry_after == 0.0


def test_junk_counts_are_none() -> None:
    headers = httpx.Headers(
        {
            "x-ratelimit-limit-requests": "sixty",
            "x-ratelimit-remaining-requests": "-1",
            "x-ratelimit-limit-tokens": "1_000",
            "x-ratelimit-remaining-tokens": "9" * 40,
            "x-ratelimit-reset-tokens": "soon",
            "retry-after": "later",
        }
    )
    empty = byot.RateLimit(None, None, None)
    assert rate_limits(headers) == byot.RateLimits(empty, empty, None)
