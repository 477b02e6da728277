"""The decoder's line and event size limits: an endless line or event ends in a typed error."""

from __future__ import annotations

import itertools
import tracemalloc
from typing import TYPE_CHECKING, Any

import pytest

from byot._sse import DEFAULT_MAX_EVENT, DEFAULT_MAX_LINE, Event, SSEDecoder
from byot.errors import ResponseTooLargeError

if TYPE_CHECKING:
    from collections.abc import Iterable

KiB = 1024


def feed_all(decoder: SSEDecoder, pieces: Iterable[bytes]) -> list[Any]:
    """Every event the pieces complete, fed one read at a time."""
    return [event for piece in pieces for event in decoder.feed(piece)]


def test_the_defaults() -> None:
    assert (DEFAULT_MAX_LINE, DEFAULT_MAX_EVENT) == (64 * 1024 * 1024, 64 * 1024 * 1024)


def test_a_line_of_exactly_the_limit_passes() -> None:
    decoder = SSEDecoder(bare=True, max_line=16)
    assert decoder.feed(b"data: 0123456789\n\n") == [b"0123456789"]  # 16 bytes, split or not
    events = [
        event for piece in (b"data: 01234", b"56789", b"\n\n") for event in decoder.feed(piece)
    ]
    assert events == [b"0123456789"]


@pytest.mark.parametrize(
    "pieces",
    [
        [b"data: 0123456789X\n\n"],  # whole in one read
        [b"data: 01234", b"56789X", b"\n\n"],  # too long before its end comes
        [b"data: 01234", b"56789X\n\n"],  # too long only once its end comes
        [b"data: 01234", b"56789X\n"],  # the same, its blank line not yet come
        [b"data: 01234", b"56789X"],  # never completed
        [b"data: 1\n\ndata: 0123456789X"],  # the partial last line of a read
        [b":" + b"c" * 16 + b"\n"],  # a comment counts too
    ],
)
def test_a_line_past_the_limit_is_refused(pieces: list[bytes]) -> None:
    decoder = SSEDecoder(bare=True, max_line=16, limits=("max_line_size", "max_event_size"))
    with pytest.raises(ResponseTooLargeError) as info:
        feed_all(decoder, pieces)
    assert (info.value.limit, info.value.setting) == (16, "max_line_size")
    assert str(info.value) == (
        "a line in the event stream passed 16 bytes, the max_line_size limit; raise it with "
        "max_line_size= if the server's events are expected to be that large"
    )


def test_an_event_of_exactly_the_limit_passes() -> None:
    decoder = SSEDecoder(max_event=9)
    assert decoder.feed(b"event: e\ndata: 1234\ndata: 5678\n\n") == [Event("e", b"1234\n5678")]
    assert decoder.feed(b"data: 1234\n") == []
    assert decoder.feed(b"data: 5678\n\n") == [Event(None, b"1234\n5678")]


@pytest.mark.parametrize(
    "pieces",
    [
        [b"data: 1234\ndata: 56789\n\n"],  # in one read (longer than the limit)
        [b"data: 1234\n", b"data: 56789\n"],  # pending across reads
        [b"data: 1234\n", b"data: 5", b"6789\n"],
    ],
)
def test_an_event_past_the_limit_is_refused(pieces: list[bytes]) -> None:
    decoder = SSEDecoder(bare=True, max_event=9)
    with pytest.raises(
        ResponseTooLargeError,
        match="an event's data in the event stream passed 9 bytes, the max_event_size limit",
    ):
        feed_all(decoder, pieces)


def test_many_short_reads_of_one_event_are_measured_not_guessed() -> None:
    # The pending bound grows with every read; the exact size decides.
    decoder = SSEDecoder(bare=True, max_event=100)
    for _ in range(40):
        assert decoder.feed(b"data: x\n") == []  # 40 bytes of data + 39 joins, under 100...
    with pytest.raises(ResponseTooLargeError):
        feed_all(decoder, [b"data: x\n"] * 30)  # ... until it is not


def test_an_endless_line_holds_no_more_than_its_limit() -> None:
    decoder = SSEDecoder(bare=True, max_line=1024 * KiB)
    block = b"x" * (64 * KiB)  # 640 MiB in all, if it were kept
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            feed_all(decoder, itertools.chain([b"data: "], itertools.repeat(block, 10_000)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * KiB


def test_an_endless_event_holds_no_more_than_its_limit() -> None:
    decoder = SSEDecoder(bare=True, max_event=1024 * KiB)
    block = b"data: " + b"x" * 1000 + b"\n"
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            feed_all(decoder, itertools.repeat(block * 60, 100_000))  # 6 GB if it were kept
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * KiB


def test_an_event_of_exactly_the_limit_pending_across_reads_passes() -> None:
    decoder = SSEDecoder(bare=True, max_event=9)
    assert decoder.feed(b"data: 1234\n") == []
    assert decoder.feed(b"data: 5678\n") == []  # 9 bytes with the line join, pending
    assert decoder.feed(b"\n") == [b"1234\n5678"]


def test_a_single_line_event_past_the_limit_is_refused_in_any_read() -> None:
    for pieces in ([b"data: 0123456789\n\n"], [b"data: 1\n\ndata: 0123456789\n\n"]):
        with pytest.raises(ResponseTooLargeError, match="an event's data in the event stream"):
            feed_all(SSEDecoder(bare=True, max_event=9), pieces)
