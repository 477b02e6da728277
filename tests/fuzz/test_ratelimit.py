"""Fuzzing the rate-limit header parser: any header text parses or is None, never raises."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from byot._ratelimit import parse_duration, rate_limits

_UNITS = st.sampled_from(["h", "m", "s", "ms", "us", "ns"])
_SCALE = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


@given(st.lists(st.tuples(st.integers(0, 10**6), _UNITS), min_size=1, max_size=4))
def test_generated_durations_add_up(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{number}{unit}" for number, unit in parts)
    expected = sum(number * _SCALE[unit] for number, unit in parts)
    assert parse_duration(text) == pytest.approx(expected)


@given(st.text())
def test_any_duration_text_parses_or_is_none(text: str) -> None:
    seconds = parse_duration(text)
    assert seconds is None or seconds >= 0.0


_NAMES = st.sampled_from(
    [
        f"x-ratelimit-{what}-{kind}"
        for what in ("limit", "remaining", "reset")
        for kind in ("requests", "tokens")
    ]
    + ["retry-after", "retry-after-ms"]
)
# Header values are latin-1 text without controls (httpx refuses others).
_VALUES = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"))


@given(st.dictionaries(_NAMES, _VALUES))
def test_any_headers_parse_without_raising(values: dict[str, str]) -> None:
    limits = rate_limits(httpx.Headers({k: v.encode("latin-1") for k, v in values.items()}))
    for limit in (limits.requests, limits.tokens):
        assert limit.limit is None or limit.limit >= 0
        assert limit.remaining is None or limit.remaining >= 0
        assert limit.reset is None or limit.reset >= 0.0
    assert limits.retry_after is None or limits.retry_after >= 0.0
