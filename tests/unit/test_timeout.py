"""Timeouts: the per-phase limits, their validation, and the total deadline's clock."""

from __future__ import annotations

import dataclasses
import types
from typing import Any

import pytest

from byot._timeout import DEFAULT_TIMEOUT, NO_TIMEOUT, Deadline, Timeout, to_timeout


def phases(timeout: Timeout) -> tuple[float | None, ...]:
    return (timeout.connect, timeout.read, timeout.write, timeout.pool, timeout.total)


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [
        (Timeout(), (600.0, 600.0, 600.0, 600.0, None)),
        (Timeout(10), (10.0, 10.0, 10.0, 10.0, None)),
        (Timeout(10, connect=2), (2.0, 10.0, 10.0, 10.0, None)),
        (Timeout(10, read=None), (10.0, None, 10.0, 10.0, None)),
        (Timeout(None), (None, None, None, None, None)),
        (Timeout(None, connect=1), (1.0, None, None, None, None)),
        (Timeout(1, connect=2, read=3, write=4, pool=5, total=6), (2.0, 3.0, 4.0, 5.0, 6.0)),
        (Timeout(0, total=0), (0.0, 0.0, 0.0, 0.0, 0.0)),
        (DEFAULT_TIMEOUT, (5.0, 600.0, 600.0, 600.0, None)),
        (NO_TIMEOUT, (None, None, None, None, None)),
    ],
)
def test_phases(timeout: Timeout, expected: tuple[float | None, ...]) -> None:
    assert phases(timeout) == expected


def test_ints_become_floats_and_equal_values_compare_equal() -> None:
    timeout = Timeout(10)
    assert type(timeout.read) is float
    assert timeout == Timeout(10.0)
    assert timeout != Timeout(10, total=1)


def test_timeout_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Timeout(10).read = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"default": -1}, ValueError, "timeout connect must be >= 0 seconds, got -1"),
        ({"default": float("nan")}, ValueError, "timeout connect must be >= 0 seconds, got nan"),
        ({"default": True}, TypeError, "timeout connect must be a number of seconds or None"),
        ({"default": "5"}, TypeError, "got '5'"),
        ({"read": -0.5}, ValueError, "timeout read must be >= 0 seconds"),
        ({"write": False}, TypeError, "timeout write must be a number"),
        ({"pool": [1]}, TypeError, "timeout pool must be a number"),
        ({"total": -1}, ValueError, "timeout total must be >= 0 seconds"),
        ({"total": "90"}, TypeError, "timeout total must be a number"),
    ],
)
def test_validation(kwargs: dict[str, Any], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        Timeout(**kwargs)


@pytest.mark.parametrize(
    ("timeout", "remaining", "expected"),
    [
        (Timeout(10, connect=2), None, {"connect": 2.0, "read": 10.0, "write": 10.0, "pool": 10.0}),
        (Timeout(None), None, {"connect": None, "read": None, "write": None, "pool": None}),
        # Clamped to what is left of the deadline; "no limit" becomes the remaining time.
        (
            Timeout(10, connect=2, read=None),
            5.0,
            {"connect": 2.0, "read": 5.0, "write": 5.0, "pool": 5.0},
        ),
        (Timeout(None), 1.5, {"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}),
        (Timeout(10, total=30), 0.0, {"connect": 0.0, "read": 0.0, "write": 0.0, "pool": 0.0}),
    ],
)
def test_as_httpx(
    timeout: Timeout, remaining: float | None, expected: dict[str, float | None]
) -> None:
    assert timeout.as_httpx(remaining) == expected


def test_as_httpx_is_computed_once() -> None:
    timeout = Timeout(10, connect=2)
    assert timeout.as_httpx() is timeout.as_httpx()
    assert timeout.as_httpx(5) is not timeout.as_httpx(5)  # clamped values are per attempt


def test_to_timeout() -> None:
    given = Timeout(3, total=9)
    assert to_timeout(given) is given
    assert to_timeout(None) is NO_TIMEOUT
    assert to_timeout(7) == Timeout(7)
    assert to_timeout(2.5) == Timeout(2.5)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A monotonic clock the test moves by hand: `clock[0] = ...`."""
    now = [1000.0]
    monkeypatch.setattr("byot._timeout.time", types.SimpleNamespace(monotonic=lambda: now[0]))
    return now


def test_deadline(clock: list[float]) -> None:
    deadline = Deadline(5)
    assert deadline.at == 1005.0
    assert deadline.remaining() == 5.0
    assert not deadline.expired()
    clock[0] = 1003.0
    assert deadline.remaining() == 2.0
    assert not deadline.expired()
    clock[0] = 1005.0
    assert deadline.remaining() == 0.0
    assert deadline.expired()  # "used up" includes the exact end
    clock[0] = 1010.0
    assert deadline.remaining() == 0.0  # never negative
    assert deadline.expired()
