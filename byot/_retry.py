"""When to retry and how long to wait: one policy, run by tenacity in both drivers.

Every decision is a pure function of the error (and, for HTTP-dates, the clock): what is
retried, how long to wait, and when to give up. The sync driver runs the policy with
`tenacity.Retrying`, the async one with `tenacity.AsyncRetrying`; both re-raise the real error
after the last attempt (`reraise=True`), never a wrapper.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass, field
from datetime import timezone
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from byot import _status
from byot.errors import APIConnectionError, APIError, APIStatusError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    import tenacity
    from typing_extensions import TypeVar

    from byot._timeout import Deadline

    T = TypeVar("T")

logger = logging.getLogger("byot")

RETRY_STATUSES = frozenset({408, 409, 429})
"""Statuses below 500 that are retried; every status >= 500 is retried too."""


class RetryEvent(NamedTuple):
    """What `RetryPolicy.on_retry` hears before each wait.

    Attributes:
        attempt: The attempt that just failed, starting at 1.
        delay: Seconds until the next attempt.
        error: The error of the failed attempt.
    """

    attempt: int
    delay: float
    error: BaseException


@dataclass(frozen=True)
class RetryPolicy:
    """What is retried, how often, and how long byot waits in between.

    Retried: connection errors, timeouts, and the statuses 408, 409, 429 and >= 500, except a
    429 whose error says `insufficient_quota` (no wait refills an empty account). A response
    header `x-should-retry: true|false` overrides the status. The wait is the server's
    `retry-after-ms` or `Retry-After` (seconds or an HTTP-date) when it asks for one up to
    `max_retry_after` seconds; a server asking for longer gets no retry, the error is raised at
    once. Otherwise the wait grows exponentially from `initial_delay` to `max_delay`, shortened
    at random by up to `jitter` so parallel clients spread out. A call's total deadline (see
    `byot.Timeout`) also stops retries when the next wait would pass it.

    For tests, `RetryPolicy(sleep=False)` makes every decision the same but never sleeps:
    `byot.Client(retry=byot.RetryPolicy(sleep=False))`.

    Args:
        max_retries: Retries after the first attempt (0 disables retries).
        initial_delay: Seconds before the first retry, before jitter.
        max_delay: The cap on the exponential wait.
        jitter: The largest fraction taken off a computed wait at random (0 to 1).
        max_retry_after: The longest server-requested wait honoured, in seconds.
        sleep: False skips the waits (the hook still hears the computed delay).
        on_retry: Called before each wait with a `RetryEvent`.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    sleep: bool = True
    on_retry: Callable[[RetryEvent], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        given = cast("object", self.max_retries)  # checked at run time: callers pass anything
        if isinstance(given, bool) or not isinstance(given, int):
            raise TypeError(f"max_retries must be an int >= 0, got {given!r}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            value: object = getattr(self, name)
            if not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter must be between 0 and 1, got {self.jitter!r}")

    def should_retry(self, error: BaseException) -> bool:
        """Whether an attempt that failed with `error` may be tried again."""
        if isinstance(error, APIConnectionError):
            return True
        if not isinstance(error, APIStatusError):
            return False
        requested = retry_after(error.headers)
        if requested is not None and requested > self.max_retry_after:
            return False
        verdict = error.headers.get("x-should-retry")
        if verdict == "true":
            return True
        if verdict == "false":
            return False
        if error.status_code == 429:
            info = _status.ErrorBody(type=error.type, code=error.code)
            return not _status.is_quota_error(info)
        return error.status_code in RETRY_STATUSES or error.status_code >= 500

    def delay(self, retries_taken: int, error: BaseException | None) -> float:
        """Seconds to wait before the next attempt, `retries_taken` retries in."""
        if isinstance(error, APIStatusError):
            requested = retry_after(error.headers)
            if requested is not None and 0 < requested <= self.max_retry_after:
                return requested
        backoff = min(self.initial_delay * 2.0 ** min(retries_taken, 64), self.max_delay)
        return backoff * (1.0 - self.jitter * random.random())  # noqa: S311 - not crypto

    def run(
        self,
        attempt: Callable[..., T],
        *args: Any,
        max_retries: int | None,
        deadline: Deadline | None,
    ) -> tuple[T, int]:
        """Call `attempt(*args)` with retries; returns its result and the retries it took.

        The first attempt runs outside tenacity, which costs ~30 us per call to set up and run:
        only a failed attempt builds the retry loop, which then sees that same failure as its
        first attempt, so waits, stops and hooks are exactly as if tenacity had run it.
        """
        try:
            return attempt(*args), 0
        except Exception as exc:  # noqa: BLE001 - the retry loop decides what happens to it
            failed: list[Exception] = [exc]

        def again(*args: Any) -> T:
            if failed:
                raise failed.pop()
            return attempt(*args)

        retrying = self.retrying(max_retries, deadline)
        return retrying(again, *args), retrying.statistics["attempt_number"] - 1

    async def arun(
        self,
        attempt: Callable[..., Awaitable[T]],
        *args: Any,
        max_retries: int | None,
        deadline: Deadline | None,
    ) -> tuple[T, int]:
        """The async twin of `run`."""
        try:
            return await attempt(*args), 0
        except Exception as exc:  # noqa: BLE001 - the retry loop decides what happens to it
            failed: list[Exception] = [exc]

        async def again(*args: Any) -> T:
            if failed:
                raise failed.pop()
            return await attempt(*args)

        retrying = self.async_retrying(max_retries, deadline)
        return await retrying(again, *args), retrying.statistics["attempt_number"] - 1

    def retrying(self, max_retries: int | None, deadline: Deadline | None) -> tenacity.Retrying:
        """The sync retry loop for one call (`max_retries` overrides the policy's)."""
        import tenacity  # imported on first use: it is a tenth of byot's import time

        return tenacity.Retrying(
            stop=_Stop(self._attempts(max_retries), deadline),
            wait=self._wait,
            retry=self._retry,
            before_sleep=self._before_sleep,
            reraise=True,
            sleep=time.sleep if self.sleep else _no_sleep,
        )

    def async_retrying(
        self, max_retries: int | None, deadline: Deadline | None
    ) -> tenacity.AsyncRetrying:
        """The async retry loop for one call; tenacity picks asyncio's or trio's sleep."""
        import tenacity

        retrying = tenacity.AsyncRetrying(
            stop=_Stop(self._attempts(max_retries), deadline),
            wait=self._wait,
            retry=self._retry,
            before_sleep=self._before_sleep,
            reraise=True,
        )
        if not self.sleep:
            retrying = retrying.copy(sleep=_no_async_sleep)
        return retrying

    def _attempts(self, max_retries: int | None) -> int:
        return (self.max_retries if max_retries is None else max_retries) + 1

    def _retry(self, state: tenacity.RetryCallState) -> bool:
        error = _error_of(state)
        return error is not None and self.should_retry(error)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        return self.delay(state.attempt_number - 1, _error_of(state))

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        # Only APIError subclasses pass `should_retry`, so only they get here.
        error = cast("APIError", _error_of(state))
        delay = state.upcoming_sleep
        logger.info(
            "retrying %s %s in %.2f s (attempt %d failed): %s",
            error.method,
            error.url,
            delay,
            state.attempt_number,
            error.message,
        )
        if self.on_retry is not None:
            self.on_retry(RetryEvent(attempt=state.attempt_number, delay=delay, error=error))


class _Stop:
    """Stop after the last attempt, or when the next wait would end past the deadline."""

    __slots__ = ("attempts", "deadline")

    def __init__(self, attempts: int, deadline: Deadline | None) -> None:
        self.attempts = attempts
        self.deadline = deadline

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        if state.attempt_number >= self.attempts:
            return True
        return self.deadline is not None and state.upcoming_sleep >= self.deadline.remaining()


def _no_sleep(seconds: float) -> None:
    """Stands in for `time.sleep` when waits are off."""


async def _no_async_sleep(seconds: float) -> None:
    """Stands in for the async sleep when waits are off (tenacity awaits its sleep)."""


def _error_of(state: tenacity.RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome is not None else None


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a response asks for, in seconds, or None when it asks for none we can read.

    `retry-after-ms` (milliseconds) wins over `Retry-After`, which may be a number of seconds
    or an HTTP-date. A value that cannot be read (not a finite number, not a date, a date whose
    year no clock can hold) counts as no request at all: never an error of its own.
    """
    value = headers.get("retry-after-ms")
    if value is not None:
        seconds = _number(value)
        if seconds is not None:
            return seconds / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    from email.utils import parsedate_to_datetime  # rarely needed; keeps imports light

    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000" parses naive; an HTTP-date is always UTC
            when = when.replace(tzinfo=timezone.utc)
        moment = when.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: a huge year
        return None
    return moment - (time.time() if now is None else now)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
