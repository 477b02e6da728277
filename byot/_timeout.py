"""Timeouts: four per-phase limits plus an optional total deadline for a whole call."""

from __future__ import annotations

import contextvars
import math
import time
from dataclasses import dataclass, field

from byot.errors import APITimeoutError

_PHASES = ("connect", "read", "write", "pool")


class _Unset:
    """The type of `_UNSET`: keeps `None` free to mean "no limit" in the phase keywords."""


_UNSET = _Unset()


@dataclass(frozen=True)
class Timeout:
    """How long a call may take, in seconds; `None` means no limit.

    The four phase limits are those of httpx: `connect` (opening a connection), `read`
    (silence between two received chunks, not the whole body), `write` (sending a chunk) and
    `pool` (waiting for a free connection). `total`, when set, bounds the whole call: every
    attempt (connecting, sending, waiting for the status line and headers however slowly
    they trickle in, reading the body), the waits between retries, and the whole life of a
    stream until it ends or is closed (keep-alive comments and slow events included). When it
    runs out the call raises `byot.errors.APITimeoutError` saying so, and is not retried.
    Through byot's own connection pool every socket operation is cut off at the deadline;
    through a caller's `transport=` or `http_client=`, each attempt's phase limits are
    shortened to what is left when it starts and the deadline is checked between reads. The
    phase limits themselves are never shortened beyond that (see docs/timeouts.md).

    Example:
        ```python
        byot.Client(timeout=byot.Timeout(30, connect=2, total=90))
        ```

    Args:
        default: The limit for every phase not given by name.
        connect: Limit for opening a connection.
        read: Limit for silence while receiving.
        write: Limit for sending.
        pool: Limit for waiting for a connection from the pool.
        total: Limit for the whole call: retries, headers, body and a stream's whole life.
    """

    connect: float | None
    read: float | None
    write: float | None
    pool: float | None
    total: float | None
    _httpx: dict[str, float | None] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        default: float | None = 600.0,
        *,
        connect: float | _Unset | None = _UNSET,
        read: float | _Unset | None = _UNSET,
        write: float | _Unset | None = _UNSET,
        pool: float | _Unset | None = _UNSET,
        total: float | None = None,
    ) -> None:
        given = {"connect": connect, "read": read, "write": write, "pool": pool}
        for name, value in given.items():
            chosen = default if isinstance(value, _Unset) else value
            object.__setattr__(self, name, _check(name, chosen))
        object.__setattr__(self, "total", _check("total", total))
        phases = {name: getattr(self, name) for name in _PHASES}
        object.__setattr__(self, "_httpx", phases)

    def as_httpx(self, remaining: float | None = None) -> dict[str, float | None]:
        """The phase limits as httpx's `timeout` request extension, clamped to `remaining`.

        Without `remaining` the same dict is returned every time: it is computed once, and
        httpx only reads it.
        """
        if remaining is None:
            return self._httpx
        return {
            name: remaining if (value := getattr(self, name)) is None else min(value, remaining)
            for name in _PHASES
        }


def _check(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"timeout {name} must be a number of seconds or None, got {value!r}")
    if math.isnan(value) or value < 0:
        raise ValueError(f"timeout {name} must be >= 0 seconds, got {value!r}")
    return float(value)


DEFAULT_TIMEOUT = Timeout(600.0, connect=5.0)
"""The default: 5 s to connect, 600 s for every other phase, no total deadline (as the SDK)."""

NO_TIMEOUT = Timeout(None)


def to_timeout(value: float | Timeout | None) -> Timeout:
    """Normalise the accepted timeout spellings to a `Timeout`."""
    if isinstance(value, Timeout):
        return value
    if value is None:
        return NO_TIMEOUT
    return Timeout(value)


class Deadline:
    """The end of a call's total time budget, on the monotonic clock."""

    __slots__ = ("at", "total")

    def __init__(self, total: float) -> None:
        self.total = total
        self.at = time.monotonic() + total

    def error(self, method: str, url: str) -> APITimeoutError:
        """The error for a call that ran out of its total time."""
        return APITimeoutError(
            f"the call's total deadline of {self.total:g} s ran out", method=method, url=url
        )

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        """Whether the budget is used up."""
        return time.monotonic() >= self.at


DEADLINE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "byot_deadline", default=None
)
"""The total deadline of the call whose I/O runs in this context, if it has one.

The drivers set it around every step that touches the network; byot's own pools read it
(`byot._deadline_io`) to cut each socket operation off at the deadline.
"""
