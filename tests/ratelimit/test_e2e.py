"""The rate limiter against the suite's own HTTP server: bursts spread out, headers heeded.

The server keeps its own budget (a token bucket) and answers 429 past it, and records when
each request arrived; the checks are ratios of those times, with no upper bound on the clock.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

import byot
from tests.e2e.server import Behaviour, Json, TestServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.e2e.server import _Handler

PATH = "/v1/chat/completions"
BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
RPM = 6000  # 100 a second: 200 requests take 2 s
BURST = 200


class Budget(Behaviour):
    """Answers 200 while a token bucket of `capacity` refilled at `rate` a second has a token.

    Past it, 429: so a client that sends faster than the rate for longer than the bucket
    absorbs gets a 429, which every test here would see (they call with `max_retries=0`).
    """

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.arrivals: list[float] = []
        self.refused = 0
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def respond(self, handler: _Handler) -> None:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self._last) * self.rate)
            self._last = now
            self.arrivals.append(now)
            allowed = self.tokens >= 1
            if allowed:
                self.tokens -= 1
            else:
                self.refused += 1
        if allowed:
            Json(200, {"usage": {"total_tokens": 5}}).respond(handler)
        else:
            Json(429, {"error": {"message": "slow down"}}, {"retry-after-ms": "100"}).respond(
                handler
            )

    def spread(self) -> float:
        """The time from the first arrival to the last, over the time the budget needs."""
        arrivals = sorted(self.arrivals)
        return (arrivals[-1] - arrivals[0]) / ((len(arrivals) - 1) * 60.0 / RPM)


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as running:
        yield running


def _budget(server: TestServer) -> Budget:
    # The server allows the client's rate with room for 50 requests bunched by scheduling.
    budget = Budget(rate=RPM / 60.0, capacity=50)
    server.always(PATH, budget)
    return budget


def _options(server: TestServer, limiter: byot.RateLimiter) -> dict[str, Any]:
    return {
        "base_url": server.url + "/v1",
        "api_key": "sk-test",
        "max_retries": 0,
        "rate_limiter": limiter,
    }


def test_a_sync_burst_is_spread_over_the_budget(server: TestServer) -> None:
    budget = _budget(server)
    with (
        byot.Client(**_options(server, byot.RateLimiter(rpm=RPM))) as client,
        ThreadPoolExecutor(32) as pool,
    ):
        results = list(pool.map(lambda _: client.chat.completions.create(BODY), range(BURST)))
    assert len(results) == BURST
    assert budget.refused == 0
    # The last request cannot go before 199 gaps of 10 ms; the first may wait on its
    # connection, so the spread is held to three quarters of it.
    assert budget.spread() >= 0.75


def test_an_async_burst_is_spread_over_the_budget(server: TestServer) -> None:
    budget = _budget(server)

    async def burst() -> list[Any]:
        async with byot.AsyncClient(**_options(server, byot.RateLimiter(rpm=RPM))) as client:
            calls = [client.chat.completions.create(BODY) for _ in range(BURST)]
            return await asyncio.gather(*calls)

    assert len(asyncio.run(burst())) == BURST
    assert budget.refused == 0
    assert budget.spread() >= 0.75


def test_the_budget_refuses_a_burst_without_the_limiter(server: TestServer) -> None:
    # The control: the same burst unlimited earns 429s, so the server's check has teeth.
    budget = Budget(rate=RPM / 60.0, capacity=50)
    server.always(PATH, budget)

    async def burst() -> list[Any]:
        async with byot.AsyncClient(
            base_url=server.url + "/v1", api_key="sk-test", max_retries=0
        ) as client:
            calls = [client.chat.completions.create(BODY) for _ in range(BURST)]
            return await asyncio.gather(*calls, return_exceptions=True)

    results = asyncio.run(burst())
    refused = [r for r in results if isinstance(r, byot.errors.RateLimitError)]
    assert refused
    assert budget.refused == len(refused)


HOLD = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "400ms"}


def test_sync_calls_wait_for_the_reset_when_nothing_remains(server: TestServer) -> None:
    server.add(PATH, Json(200, {}, HOLD))
    server.always(PATH, Json(200, {}))
    with byot.Client(**_options(server, byot.RateLimiter())) as client:
        client.chat.completions.create(BODY)
        began = time.monotonic()
        client.chat.completions.create(BODY)
        waited = time.monotonic() - began
    assert waited >= 0.4 * 0.95  # the reset, less what the first answer took to arrive


def test_async_calls_wait_for_the_reset_when_nothing_remains(server: TestServer) -> None:
    server.add(PATH, Json(200, {}, HOLD))
    server.always(PATH, Json(200, {}))

    async def two() -> float:
        async with byot.AsyncClient(**_options(server, byot.RateLimiter())) as client:
            await client.chat.completions.create(BODY)
            began = time.monotonic()
            await client.chat.completions.create(BODY)
            return time.monotonic() - began

    assert asyncio.run(two()) >= 0.4 * 0.95
    assert len(server.requests) == 2
