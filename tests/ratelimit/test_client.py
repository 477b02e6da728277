"""The clients and the rate limiter: a booking per attempt, headers settled, `rate_limits` read."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot

if TYPE_CHECKING:
    from byot._limiter import Ticket
    from tests.conftest import Both

LIMITS = {
    "x-ratelimit-limit-requests": "500",
    "x-ratelimit-remaining-requests": "499",
    "x-ratelimit-reset-requests": "120ms",
    "x-ratelimit-limit-tokens": "30000",
    "x-ratelimit-remaining-tokens": "29000",
    "x-ratelimit-reset-tokens": "2s",
}
EXPECTED = byot.RateLimits(
    requests=byot.RateLimit(limit=500, remaining=499, reset=0.12),
    tokens=byot.RateLimit(limit=30000, remaining=29000, reset=2.0),
    retry_after=None,
)
BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 40}


class Recording(byot.RateLimiter):
    """A limiter that remembers its bookings and what it was told."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tickets: list[Ticket] = []
        self.settled: list[int] = []

    def reserve(self, tokens: int = 0) -> Ticket:
        ticket = super().reserve(tokens)
        self.tickets.append(ticket)
        return ticket

    def settle(self, status: int, headers: Any) -> None:
        self.settled.append(status)
        super().settle(status, headers)


def _answers(*responses: httpx.Response) -> Any:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        return queue.pop(0)

    return handler


def test_every_attempt_books_the_limiter_retries_included(both: Both) -> None:
    limiter = Recording(tpm=1_000_000)
    client = both.client(
        _answers(
            httpx.Response(503, json={"error": {"message": "busy"}}),
            httpx.Response(200, json={"usage": {"total_tokens": 9}}, headers=LIMITS),
        ),
        rate_limiter=limiter,
        retry=byot.RetryPolicy(sleep=False),
    )
    response = both.call(client.chat.completions.create, BODY, raw=True)
    assert response.retries_taken == 1
    assert limiter.settled == [503, 200]
    first, second = limiter.tickets
    sent = len(orjson.dumps(BODY)) // 4 + 40  # the estimate: a quarter of the bytes + max_tokens
    assert first.tokens == sent
    assert second.tokens == 9  # corrected from usage


def test_a_429_holds_the_shared_limiter_for_its_retry_after(both: Both) -> None:
    limiter = byot.RateLimiter()
    client = both.client(
        _answers(httpx.Response(429, json={}, headers={"retry-after-ms": "60000"})),
        rate_limiter=limiter,
        max_retries=0,
    )
    with pytest.raises(byot.errors.RateLimitError):
        both.call(client.chat.completions.create, BODY)
    assert limiter.blocked_until - time.monotonic() > 50


def test_streams_book_the_limiter_and_show_rate_limits(both: Both) -> None:
    limiter = Recording()
    sse = {"content-type": "text/event-stream", **LIMITS}
    client = both.client(
        _answers(httpx.Response(200, content=b"data: [DONE]\n\n", headers=sse)),
        rate_limiter=limiter,
    )
    stream = both.call(client.chat.completions.create_stream, BODY)
    assert stream.rate_limits == EXPECTED
    assert len(limiter.tickets) == 1
    assert limiter.settled == [200]
    both.run(stream.aclose()) if both.is_async else stream.close()


def test_binary_streams_show_rate_limits(both: Both) -> None:
    client = both.client(
        _answers(httpx.Response(200, content=b"RIFF", headers=LIMITS)),
        rate_limiter=Recording(),
    )
    stream = both.call(client.audio.speech.create_chunks, {"model": "m", "input": "x"})
    assert stream.rate_limits == EXPECTED
    both.run(stream.aclose()) if both.is_async else stream.close()


def test_raw_results_show_rate_limits_read_once(both: Both) -> None:
    client = both.client(_answers(httpx.Response(200, json={}, headers=LIMITS)))
    response = both.call(client.chat.completions.create, BODY, raw=True)
    assert response.rate_limits == EXPECTED
    assert response.rate_limits is response.rate_limits


def test_with_options_copies_share_the_limiter(both: Both) -> None:
    limiter = byot.RateLimiter(rpm=60)
    client = both.client(_answers(), rate_limiter=limiter)
    copy = client.with_options(timeout=5)
    assert copy._settings.rate_limiter is limiter
    other = byot.RateLimiter(rpm=30)
    assert client.with_options(rate_limiter=other)._settings.rate_limiter is other
    assert both.client(_answers())._settings.rate_limiter is None


def test_calls_wait_for_the_budget(both: Both) -> None:
    limiter = byot.RateLimiter(rpm=1200)  # one every 50 ms
    client = both.client(lambda request: httpx.Response(200, json={}), rate_limiter=limiter)
    began = time.monotonic()
    for _ in range(3):
        both.call(client.chat.completions.create, BODY)
    # Three calls need two gaps of 50 ms at least (a floor; nothing bounds it from above).
    assert time.monotonic() - began >= 0.1
