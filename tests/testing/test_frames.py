"""`sse_frames`, `sse_event`, `sse_comment`: bytes that byot's own SSE decoder reads back."""

from __future__ import annotations

import pytest

from byot._sse import SSEDecoder
from byot.testing import SSE_DONE, sse_comment, sse_event, sse_frames


def decode(raw: bytes) -> list[tuple[str | None, bytes, str | None, int | None]]:
    decoder = SSEDecoder()
    return [(e.event, e.data, e.id, e.retry) for e in [*decoder.feed(raw), *decoder.flush()]]


def test_data_only_events_end_with_done() -> None:
    raw = sse_frames([{"n": 1}, [1, 2], "plain"])
    assert raw == b'data: {"n":1}\n\ndata: [1,2]\n\ndata: plain\n\ndata: [DONE]\n\n'
    assert raw.endswith(SSE_DONE)
    assert [data for _, data, _, _ in decode(raw)] == [b'{"n":1}', b"[1,2]", b"plain", b"[DONE]"]


def test_named_events_comments_and_raw_frames() -> None:
    raw = sse_frames(
        [
            ("response.created", {"type": "response.created"}),
            sse_comment("keep-alive"),
            b"data: x\n\n",
        ],
        done=False,
    )
    assert raw == (
        b'event: response.created\ndata: {"type":"response.created"}\n\n: keep-alive\n\ndata: x\n\n'
    )
    assert decode(raw) == [
        ("response.created", b'{"type":"response.created"}', None, None),
        (None, b"x", None, None),
    ]


def test_event_fields_and_multiline_data() -> None:
    raw = sse_event("line 1\nline 2", event="note", id="7", retry=1500)
    assert raw == b"event: note\nid: 7\nretry: 1500\ndata: line 1\ndata: line 2\n\n"
    assert decode(raw) == [("note", b"line 1\nline 2", "7", 1500)]
    assert sse_event("") == b"data: \n\n"
    assert sse_comment() == b": \n\n"
    assert sse_comment("a\nb") == b": a\n: b\n\n"


def test_line_breaks_in_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot hold a line break"):
        sse_event({}, event="a\nb")
    with pytest.raises(ValueError, match="event field"):
        sse_event({}, event="a\rb")
