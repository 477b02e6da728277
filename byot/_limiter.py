"""`RateLimiter`: requests and tokens per minute on the client side, and backpressure from headers.

Every decision is made here, on an injectable clock, without I/O: `reserve` books the earliest
start a request may have, `Ticket.delay` says how long is still to wait, `settle` reads a
response's headers, `used` corrects the token estimate from the answer's `usage`. The drivers
only sleep (`acquire` / `aacquire`, one before each attempt, retries included).

The budget is spent evenly, the way a generic cell rate algorithm spaces cells: a request
starts once the requests and tokens of those before it are paid back at the configured rate,
so a burst of 200 requests at `rpm=600` goes out one every 0.1 s over 20 s, and a client that
calls now and then never waits. Tokens are booked when a request starts (its estimate) and
corrected when its answer reports what it used. A response that says a limit's `remaining`
is 0, or a 429 with `retry-after`, holds every later request until the reset.

One object is shared by a client and its `with_options` copies and may be shared by several
clients; its state sits behind a `threading.Lock` held only while booking (never across a
wait), so threads and asyncio tasks can share it.
"""

from __future__ import annotations

import math
import re
import threading
import time
from typing import TYPE_CHECKING

from byot._override import override
from byot._ratelimit import parse_duration
from byot._retry import retry_after
from byot.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["RateLimiter", "Ticket", "estimate_tokens", "usage_tokens"]

# The completion budget a request asks for; the largest one found counts.
_MAX_TOKENS = re.compile(rb'"max_(?:completion_|output_)?tokens"\s*:\s*([0-9]{1,12})')
_TOTAL_TOKENS = re.compile(rb"\s*:\s*([0-9]{1,12})")
_TOTAL_KEY = b'"total_tokens"'


def estimate_tokens(body: object) -> int:
    """Tokens a request may use: a quarter of its JSON body's bytes plus its `max_tokens`.

    The body's bytes stand for the characters of its messages or input (about four to a
    token); `max_tokens`, `max_completion_tokens` or `max_output_tokens` is the most the
    answer can add. A body that is not JSON bytes (none, a multipart upload) counts as 0.
    """
    if not isinstance(body, bytes):
        return 0
    most = max((int(found) for found in _MAX_TOKENS.findall(body)), default=0)
    return len(body) // 4 + most


def usage_tokens(content: bytes) -> int | None:
    """The `usage.total_tokens` of an answer's JSON body, or None when it reports none.

    Found from the end (where `usage` sits) without decoding the body.
    """
    at = content.rfind(_TOTAL_KEY)
    if at < 0:
        return None
    found = _TOTAL_TOKENS.match(content, at + len(_TOTAL_KEY))
    return None if found is None else int(found[1])


def _per_minute(name: str, value: object) -> float | None:
    """Seconds one unit of a per-minute budget takes to come back."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < math.inf:
        return 60.0 / value
    raise ConfigError(
        f"{name} must be a positive number per minute (or None for no limit), not {value!r}"
    )


class Ticket:
    """One request's booking with a `RateLimiter`: when it may start and what it counted.

    Attributes:
        start: The clock time the request may start (headers may still push it later).
        tokens: The tokens booked for it (0 without a tokens-per-minute limit).
    """

    __slots__ = ("limiter", "start", "tokens")

    def __init__(self, limiter: RateLimiter, start: float, tokens: int) -> None:
        self.limiter = limiter
        self.start = start
        self.tokens = tokens

    def delay(self) -> float:
        """Seconds still to wait before the request may go (0 or less: go now)."""
        limiter = self.limiter
        return max(self.start, limiter.blocked_until) - limiter.clock()

    def settle(self, status: int, headers: Mapping[str, str]) -> None:
        """Take in what the response's headers say about the limits (see `RateLimiter.settle`)."""
        self.limiter.settle(status, headers)

    def used(self, content: bytes) -> None:
        """Correct the booked tokens from the answer's `usage`, when it reports any."""
        if self.limiter.token_seconds is not None:
            actual = usage_tokens(content)
            if actual is not None:
                self.limiter.correct(actual - self.tokens)
                self.tokens = actual


class RateLimiter:
    """Keeps a client under requests-per-minute and tokens-per-minute limits, and heeds headers.

    Opt-in: pass one to a client (`Client(rate_limiter=...)`); the client and every
    `with_options` copy share it, and so can several clients and threads or tasks. Before each
    attempt (retries too) the client waits until the budget allows the request, so a burst is
    spread out instead of earning 429s. With neither limit set it only heeds the headers.

    Example:
        ```python
        limiter = byot.RateLimiter(rpm=500, tpm=200_000)
        client = byot.Client(rate_limiter=limiter)
        ```

    Args:
        rpm: Requests per minute, spread evenly (one every `60 / rpm` seconds at most).
        tpm: Tokens per minute: a request's tokens are estimated from its body (a quarter of
            its bytes plus `max_tokens`) and corrected from `usage` when the answer arrives.
        max_header_wait: The longest a response's headers can hold requests back, in seconds
            (when `x-ratelimit-remaining-*` is 0, until its reset; after a 429, its
            `retry-after`).
        clock: The monotonic clock decisions are made on (tests pass a fake one).

    Raises:
        ConfigError: A limit is not a positive number.
    """

    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        max_header_wait: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rpm = rpm
        self.tpm = tpm
        self.request_seconds = _per_minute("rpm", rpm)
        self.token_seconds = _per_minute("tpm", tpm)
        self.max_header_wait = max_header_wait
        self.clock = clock
        self.blocked_until = -math.inf
        self._requests_free = -math.inf  # when the requests booked so far are paid back
        self._tokens_free = -math.inf  # when the tokens booked so far are paid back
        self._lock = threading.Lock()

    @override
    def __repr__(self) -> str:
        return f"RateLimiter(rpm={self.rpm!r}, tpm={self.tpm!r})"

    def reserve(self, tokens: int = 0) -> Ticket:
        """Book the earliest start for a request of `tokens` tokens (no waiting here).

        Returns:
            The booking; `ticket.delay()` says how long to wait before sending.
        """
        request_seconds, token_seconds = self.request_seconds, self.token_seconds
        with self._lock:
            start = max(self.clock(), self._requests_free, self._tokens_free, self.blocked_until)
            if request_seconds is not None:
                self._requests_free = start + request_seconds
            if token_seconds is not None:
                self._tokens_free = start + tokens * token_seconds
            else:
                tokens = 0
        return Ticket(self, start, tokens)

    def settle(self, status: int, headers: Mapping[str, str]) -> None:
        """Hold later requests back when a response says a limit is used up.

        `x-ratelimit-remaining-requests` or `-tokens` at 0 holds them until the matching
        `x-ratelimit-reset-*`; a 429 with `retry-after` until then. At most
        `max_header_wait` seconds either way; unreadable headers change nothing.
        """
        waits = [
            parse_duration(headers.get(f"x-ratelimit-reset-{kind}"))
            for kind in ("requests", "tokens")
            if (headers.get(f"x-ratelimit-remaining-{kind}") or "").strip() == "0"
        ]
        if status == 429:
            waits.append(retry_after(headers))
        wait = max((seconds for seconds in waits if seconds is not None), default=None)
        if wait is not None and wait > 0:
            wait = min(wait, self.max_header_wait)
            with self._lock:
                self.blocked_until = max(self.blocked_until, self.clock() + wait)

    def correct(self, tokens: int) -> None:
        """Book `tokens` more (or, negative, fewer) than estimated, once an answer tells."""
        if self.token_seconds is not None:
            with self._lock:
                self._tokens_free += tokens * self.token_seconds

    def acquire(self, body: object = None) -> Ticket:
        """Book a request with the body it sends and sleep until it may go (threads).

        Args:
            body: The request's JSON body as bytes, for the token estimate.
        """
        ticket = self.reserve(estimate_tokens(body) if self.token_seconds else 0)
        while (wait := ticket.delay()) > 0:
            time.sleep(wait)
        return ticket

    async def aacquire(self, body: object = None) -> Ticket:
        """`acquire` for async code: sleeps with the running event loop (asyncio or trio)."""
        import anyio  # httpx's own dependency; only async limiting pays for its import

        ticket = self.reserve(estimate_tokens(body) if self.token_seconds else 0)
        # The delay is asked again after each sleep: a response may have pushed it later.
        while (wait := ticket.delay()) > 0:  # noqa: ASYNC110 - a deadline, not an event
            await anyio.sleep(wait)
        return ticket
