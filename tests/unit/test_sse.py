"""The event-stream decoder: every line-end, field and split case, a property over arbitrary
splits of the body into reads, and a differential check against the `httpx-sse` package.

Each property runs `BYOT_HYPOTHESIS_EXAMPLES` examples: by default 10,000 in CI (`CI` set), about
5 s per property here (10 s under coverage, most of it Hypothesis's own cost per example), and
2,000 elsewhere, to keep the local loop short.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from httpx_sse._decoders import SSEDecoder as RefDecoder
from httpx_sse._decoders import SSELineDecoder as RefLineDecoder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from byot import _sse
from byot._sse import Event, SSEDecoder, StreamRules, is_event_stream, media_type
from byot.errors import DecodeError

if TYPE_CHECKING:
    from collections.abc import Sequence

EXAMPLES = int(
    os.environ.get("BYOT_HYPOTHESIS_EXAMPLES") or (10_000 if os.environ.get("CI") else 2_000)
)
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def decode(reads: Sequence[bytes]) -> list[Event]:
    decoder = SSEDecoder()
    events = [event for chunk in reads for event in decoder.feed(chunk)]
    return events + decoder.flush()


def ev(
    data: bytes, event: str | None = None, id: str | None = None, retry: int | None = None
) -> Event:
    return Event(event, data, id, retry)


# ----------------------------------------------------------------------------- cases

CASES: list[tuple[str, list[bytes], list[Event]]] = [
    ("lf", [b"data: a\n\ndata: b\n\n"], [ev(b"a"), ev(b"b")]),
    ("crlf", [b"data: a\r\n\r\ndata: b\r\n\r\n"], [ev(b"a"), ev(b"b")]),
    ("cr", [b"data: a\r\rdata: b\r\r"], [ev(b"a"), ev(b"b")]),
    ("mixed line ends", [b"data: a\r\ndata: b\rdata: c\n\r\n"], [ev(b"a\nb\nc")]),
    ("crlf split after cr", [b"data: a\r", b"\n\r", b"\n"], [ev(b"a")]),
    ("cr then cr across reads", [b"data: a\r", b"\r"], [ev(b"a")]),
    ("cr, empty read, lf", [b"data: a\r", b"", b"\n", b"\r\n"], [ev(b"a")]),
    ("cr at end then data", [b"data: a\r", b"data: b\n\n"], [ev(b"a\nb")]),
    ("lf alone opening a read", [b"data: a\n", b"\n"], [ev(b"a")]),
    ("line in three reads", [b"da", b"ta: hel", b"lo\n\n"], [ev(b"hello")]),
    ("read without line end", [b"data: ab", b"cd", b"ef\n\n"], [ev(b"abcdef")]),
    ("utf-8 split", [b"data: caf\xc3", b"\xa9 \xe2\x82", b"\xac\n\n"], [ev("café €".encode())]),
    (
        "utf-8 event name split",
        [b"event: \xc3", b"\xa9t\xc3\xa9\ndata: x\n\n"],
        [ev(b"x", event="été")],
    ),
    ("multi-line data", [b"data: a\ndata: b\ndata:\ndata: c\n\n"], [ev(b"a\nb\n\nc")]),
    ("no space after colon", [b"data:a\n\n"], [ev(b"a")]),
    ("only one space stripped", [b"data:  a \n\n"], [ev(b" a ")]),
    ("tab is not stripped", [b"data:\ta\n\n"], [ev(b"\ta")]),
    ("field without colon", [b"data\n\n"], [ev(b"")]),
    ("empty data line dispatches", [b"data:\n\n"], [ev(b"")]),
    ("comments ignored", [b": keep-alive\n:\ndata: a\n: more\n\n"], [ev(b"a")]),
    ("comment-only block", [b": OPENROUTER PROCESSING\n\n"], []),
    ("unknown fields ignored", [b"foo: bar\nDATA: x\nData: y\ndata: a\n\n"], [ev(b"a")]),
    (
        "event field",
        [b"event: response.created\ndata: {}\n\n"],
        [ev(b"{}", event="response.created")],
    ),
    ("event field last wins", [b"event: a\nevent: b\ndata: x\n\n"], [ev(b"x", event="b")]),
    ("empty event is the default", [b"event:\ndata: x\n\n"], [ev(b"x")]),
    ("event resets per event", [b"event: a\ndata: x\n\ndata: y\n\n"], [ev(b"x", "a"), ev(b"y")]),
    ("event without data resets", [b"event: a\n\ndata: y\n\n"], [ev(b"y")]),
    ("id persists", [b"id: 7\ndata: a\n\ndata: b\n\n"], [ev(b"a", id="7"), ev(b"b", id="7")]),
    (
        "empty id resets to empty",
        [b"id: 7\ndata: a\n\nid\ndata: b\n\n"],
        [ev(b"a", id="7"), ev(b"b", id="")],
    ),
    (
        "id with nul ignored",
        [b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n"],
        [ev(b"a", id="1"), ev(b"b", id="1")],
    ),
    ("retry", [b"retry: 1500\ndata: a\n\n"], [ev(b"a", retry=1500)]),
    (
        "retry resets per event",
        [b"retry: 5\ndata: a\n\ndata: b\n\n"],
        [ev(b"a", retry=5), ev(b"b")],
    ),
    ("retry not digits", [b"retry: 1.5\nretry: -1\nretry: 1_0\nretry:\ndata: a\n\n"], [ev(b"a")]),
    ("retry non-ascii digits", ["retry: ٣\ndata: a\n\n".encode()], [ev(b"a")]),
    ("retry with space", [b"retry:  5\ndata: a\n\n"], [ev(b"a")]),
    ("meta-only block", [b"event: ping\nid: 3\nretry: 9\n\n"], []),
    ("meta-only then data keeps id", [b"id: 3\n\ndata: a\n\n"], [ev(b"a", id="3")]),
    ("blank lines between events", [b"\n\n\ndata: a\n\n\n\n"], [ev(b"a")]),
    ("bom", [b"\xef\xbb\xbfdata: a\n\n"], [ev(b"a")]),
    ("bom split", [b"\xef", b"\xbb", b"\xbfdata: a\n\n"], [ev(b"a")]),
    ("bom then empty reads", [b"", b"\xef\xbb", b"", b"\xbf", b"data: a\n\n"], [ev(b"a")]),
    ("bom only once", [b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n"], [ev(b"b")]),
    ("not a bom", [b"\xef", b"data: a\n\n"], []),
    ("short start", [b"d", b"ata: a\n\n"], [ev(b"a")]),
    ("bom-like prefix", [b"\xef\xbb", b"x\ndata: a\n\n"], [ev(b"a")]),
    ("colon in value", [b'data: {"a": "b:c"}\n\n'], [ev(b'{"a": "b:c"}')]),
    (
        "nul and u+2028 in data",
        ["data: a\x00b\u2028c\n\n".encode()],
        [ev("a\x00b\u2028c".encode())],
    ),
    (
        "many events in one read",
        [b"".join(b'data: {"i": %d}\n\n' % i for i in range(50))],
        [ev(b'{"i": %d}' % i) for i in range(50)],
    ),
    ("flush ends a complete event", [b"data: [DONE]\n"], [ev(b"[DONE]")]),
    ("flush ends a cr-terminated event", [b"event: x\rdata: a\r"], [ev(b"a", event="x")]),
    ("flush drops a partial line", [b'data: a\n\ndata: {"cut'], [ev(b"a")]),
    ("flush drops a cut multi-line event", [b"data: a\ndata: b"], []),
    ("flush drops a partial bom", [b"\xef\xbb"], []),
    ("flush with nothing pending", [b"data: a\n\n"], [ev(b"a")]),
    ("empty body", [], []),
    ("empty reads", [b"", b"", b""], []),
]


@pytest.mark.parametrize(("reads", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decode(reads: list[bytes], expected: list[Event]) -> None:
    assert decode(reads) == expected
    # However the reads fall, the same bytes decode alike.
    body = b"".join(reads)
    assert decode([body]) == expected
    assert decode([body[i : i + 1] for i in range(len(body))]) == expected


def test_event_defaults_and_fields() -> None:
    event = Event(None, b"x")
    assert (event.event, event.data, event.id, event.retry) == (None, b"x", None, None)
    assert event == ev(b"x")


def test_decoder_keeps_working_after_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\ndata: b") == []
    assert decoder.flush() == []
    assert decoder.feed(b"data: c\n\n") == [ev(b"c")]


def test_flush_is_idempotent() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.flush() == [ev(b"a")]
    assert decoder.flush() == []


TRICKY = (
    '\ufeffid: 1\r\nevent: é\r\ndata: {"a": "€😀"}\r\n\r\n: c\rdata: x\rdata:\r\r'
    "retry: 10\ndata: y\n\nid: 2\x00\ndata: z\r\n\r\ndata: w\n"
).encode()


def test_every_split_of_a_tricky_stream() -> None:
    whole = decode([TRICKY])
    assert whole == [
        ev('{"a": "€😀"}'.encode(), event="é", id="1"),
        ev(b"x\n", id="1"),
        ev(b"y", id="1", retry=10),
        ev(b"z", id="1"),
        ev(b"w", id="1"),
    ]
    for i in range(len(TRICKY) + 1):
        assert decode([TRICKY[:i], TRICKY[i:]]) == whole, i
        for j in range(i, len(TRICKY) + 1, 7):
            assert decode([TRICKY[:i], TRICKY[i:j], TRICKY[j:]]) == whole, (i, j)


def test_linear_in_the_size_of_an_event() -> None:
    # 32 MiB of one data line in 4 KiB reads, and a 200,000-line event: re-scanning or
    # re-joining the buffer per read would take minutes here, not milliseconds.
    line = b"x" * (32 * 1024 * 1024)
    body = b"data: " + line + b"\n\n"
    events = decode([body[i : i + 4096] for i in range(0, len(body), 4096)])
    many = decode([b"data: ab\n" * 200_000 + b"\n"])
    assert len(events) == 1
    assert events[0].data == line
    assert many[0].data == b"\n".join([b"ab"] * 200_000)


# ----------------------------------------------------------------------------- properties

# Each example is one `binary()` draw read as a small program, because Hypothesis costs about
# 0.7 ms per example here whatever it draws, and a draw per line or per split point costs several
# times that: this keeps 10,000 examples within seconds. Shrinking still works on the bytes.
FRAGMENTS = [
    b"data", b"data: ", b"data:", b"event: ", b"id: ", b"retry: ", b": ", b":", b" ", b"x",
    b"7", b"\r", b"\n", b"\r\n", b"\n\n", b"\r\r", b"\xc3\xa9", b"\xe2\x82\xac",
    b"\xf0\x9f\x98\x80", b"\x00", b"\xef\xbb\xbf", b'{"a": 1}',
]  # fmt: skip
# Field values of well-formed streams: anything but line ends.
VALUES = ["", "a", " b", "  c", "é€😀", "x:y", ":", "\x00", '{"k": [1]}', "\u2028", "\ufeff"]
LINE_ENDS = ["\n", "\r", "\r\n"]


def chop(body: bytes, sizes: bytes) -> list[bytes]:
    """`body` in reads of 1 to 7 bytes, their sizes taken from `sizes` in turn."""
    reads, at, turn = [], 0, 0
    while at < len(body):
        size = sizes[turn % len(sizes)] % 7 + 1 if sizes else 1
        reads.append(body[at : at + size])
        at, turn = at + size, turn + 1
    return reads


@PROPERTY
@given(st.binary(max_size=40))
def test_any_split_decodes_like_one_read(program: bytes) -> None:
    # A BOM or not, then a fragment per byte: every CR/LF pairing, multi-byte characters cut
    # anywhere, NUL, stray BOMs, colons and spaces in every place, unterminated ends.
    body = b"\xef\xbb\xbf" * (len(program) % 2) + b"".join(
        FRAGMENTS[b % len(FRAGMENTS)] for b in program
    )
    whole = decode([body])
    assert decode(chop(body, program)) == whole
    assert decode([body[i : i + 1] for i in range(len(body))]) == whole


def valid_stream(program: bytes) -> str:
    """A well-formed stream: every event has a data line and ends with a blank line."""
    end = LINE_ENDS[program[0] % 3] if program else "\n"  # one line end per stream
    text, has_data = "", False
    for b in program[1:]:
        op, value = b % 8, VALUES[(b >> 3) % len(VALUES)]
        if op <= 2:
            text += f"data:{value}{end}"
            has_data = True
        elif op == 3:
            text += f"event: {value}{end}"
        elif op == 4:
            text += f"id: {value}{end}"
        elif op == 5:
            text += f"retry: {b * 37}{end}"
        elif op == 6:
            text += (f": {value}", f"other: {value}", "data")[b % 3] + end
            has_data = has_data or b % 3 == 2
        elif has_data:
            text += end
            has_data = False
    return text + ("data: last" + end if not has_data else "") + end


def reference_events(text: str) -> list[tuple[str, str, str, int | None]]:
    lines = RefLineDecoder()
    decoder = RefDecoder()
    out = []
    for line in [*lines.decode(text), *lines.flush()]:
        sse = decoder.decode(line)
        if sse is not None:
            out.append((sse.event, sse.data, sse.id, sse.retry))
    return out


@PROPERTY
@given(st.binary(max_size=40))
def test_same_events_as_httpx_sse(program: bytes) -> None:
    text = valid_stream(program)
    events = decode(chop(text.encode(), program[::-1]))
    ours = [(e.event or "message", e.data.decode(), e.id or "", e.retry) for e in events]
    assert ours == reference_events(text)


def test_differential_harness_sees_events() -> None:
    # The reference really decodes (so an empty comparison cannot pass for agreement).
    text = "event: x\nid: 1\nretry: 5\ndata: a\ndata: b\n\ndata: c\n\n"
    assert reference_events(text) == [("x", "a\nb", "1", 5), ("message", "c", "1", None)]


def test_a_bare_decoder_dispatches_nameless_events_as_their_data() -> None:
    body = b"data: a\n\nevent: x\ndata: b\n\nid: 7\ndata: c\nretry: 5\n\n"
    bare = SSEDecoder(bare=True)
    assert bare.feed(body) == [b"a", ev(b"b", "x"), b"c"]
    assert [e if isinstance(e, bytes) else e.data for e in decode([body])] == [b"a", b"b", b"c"]


# ----------------------------------------------------------------------------- media types


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/event-stream", "text/event-stream"),
        ("Text/Event-Stream; Charset=UTF-8", "text/event-stream"),
        ("  APPLICATION/JSON ;charset=utf-8", "application/json"),
        ("", ""),
        (None, ""),
    ],
)
def test_media_type_is_lowercased_without_parameters(
    content_type: str | None, expected: str
) -> None:
    assert media_type(content_type) == expected


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/event-stream", True),
        ("TEXT/EVENT-STREAM", True),
        ("Text/Event-Stream; Charset=UTF-8", True),
        ("text/event-stream-ish", False),  # a prefix is not the type
        ("application/json", False),
        (None, False),
    ],
)
def test_is_event_stream_in_any_letter_case(content_type: str | None, expected: bool) -> None:
    assert is_event_stream(content_type) is expected


# ----------------------------------------------------------------------------- wide integers

WIDE = b"%d" % 2**70


def test_data_from_a_read_with_a_wide_integer_is_marked_for_the_exact_reader() -> None:
    decoder = SSEDecoder(bare=True)
    (wide,) = decoder.feed(b'data: {"n": ' + WIDE + b"}\n\n")
    (plain,) = decoder.feed(b'data: {"n": 1}\n\n')
    assert type(wide) is _sse._Wide
    assert wide == b'{"n": ' + WIDE + b"}"
    assert type(plain) is bytes  # the mark ends with the data of the wide read


@pytest.mark.parametrize("cut", range(1, 40))
def test_a_wide_integer_split_across_reads_is_found(cut: int) -> None:
    wire = b'data: {"id": "x", "n": ' + WIDE + b"}\n\n"
    decoder = SSEDecoder(bare=True)
    events = [*decoder.feed(wire[: 10 + cut]), *decoder.feed(wire[10 + cut :])]
    assert [type(event) for event in events] == [_sse._Wide]


def test_pending_data_of_a_wide_read_stays_marked() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: big\ndata: [" + WIDE + b",\n") == []
    assert decoder.feed(b"data: 1]\n") == []
    (event,) = decoder.feed(b"\n")
    assert event.event == "big"
    assert type(event.data) is _sse._Wide
    assert type(decoder.feed(b"data: 2\n\n")[0].data) is bytes


def test_the_rules_read_marked_data_exactly() -> None:
    decoder = SSEDecoder(bare=True)
    rules = StreamRules(method="POST", url="u")
    items = rules.items(
        decoder.feed(b'data: {"n": ' + WIDE + b'}\n\ndata: {"n": -' + WIDE + b"}\n\n")
    )
    assert items == [{"n": 2**70}, {"n": -(2**70)}]
    assert [type(item["n"]) for item in items] == [int, int]
    named = StreamRules(method="POST", url="u", framing="event")
    (event,) = SSEDecoder().feed(b"event: big\ndata: [" + WIDE + b"]\n\n")
    assert named.handle(event) == ("big", [2**70])


def test_marked_data_that_is_not_json_is_a_decode_error() -> None:
    rules = StreamRules(method="POST", url="u")
    events = SSEDecoder(bare=True).feed(b"data: " + WIDE + b" is no JSON\n\n")
    assert rules.items(events) == []
    with pytest.raises(DecodeError, match="a stream event is not JSON"):
        rules.finish()


def test_a_read_marks_only_the_events_that_may_hold_a_wide_integer() -> None:
    decoder = SSEDecoder(bare=True)
    wide, plain = decoder.feed(b'data: {"n": ' + WIDE + b'}\n\ndata: {"id": "x1"}\n\n')
    assert (type(wide), type(plain)) == (_sse._Wide, bytes)
    (multi,) = decoder.feed(b'data: {"n": 1,\ndata: "m": ' + WIDE + b"}\n\ndata: 2\n\n")[:1]
    assert type(multi) is _sse._Wide  # the full decoder's event, checked as a whole


# ----------------------------------------------------------------------------- the fast path

COMMON = b"".join(b'data: {"i": %d}\n\n' % i for i in range(40))


@pytest.mark.parametrize("size", [1, 2, 5, 9, 16, 64, 333, len(COMMON)])
def test_the_common_framing_in_reads_of_any_size(size: int) -> None:
    reads = [COMMON[i : i + size] for i in range(0, len(COMMON), size)]
    expected = [ev(b'{"i": %d}' % i) for i in range(40)]
    assert decode(reads) == expected
    bare = SSEDecoder(bare=True)
    assert [data for read in reads for data in bare.feed(read)] == [e.data for e in expected]


def test_whole_data_lines_are_read_in_one_pass_with_the_line_carried_over() -> None:
    decoder = SSEDecoder(bare=True)
    assert decoder.feed(b"data: 1\n\ndata: 2\n\ndata: 3") == [b"1", b"2"]
    assert decoder._whole_data_lines(b"3\n\ndata: 4\n\n", fresh=False) == [b"33", b"4"]
    assert decoder.feed(b"data: 5\n\n") == [b"5"]


@pytest.mark.parametrize(
    "read",
    [
        b"data: a\n",  # no blank line yet
        b"data: a\n\ndata: b\n",  # a line end between a line and its blank line
        b": ping\n\ndata: a\n\n",  # a comment
        b"event: e\ndata: a\n\n",  # another field
        b"data: a\ndata: b\n\n",  # a multi-line event
        b"data: a\n\n\ndata: b\n\n",  # an extra blank line
        b"data:a\n\n",  # no space after the colon
    ],
)
def test_any_other_framing_goes_to_the_full_decoder(read: bytes) -> None:
    decoder = SSEDecoder()
    assert decoder._whole_data_lines(read, fresh=False) is None
    assert decode([read]) == decode([read[i : i + 1] for i in range(len(read))])


def test_the_fast_path_keeps_the_last_event_id() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 7\n\n") == []
    assert decoder.feed(b"data: a\n\ndata: b\n\n") == [ev(b"a", id="7"), ev(b"b", id="7")]


def test_reads_longer_than_the_limits_pass_when_each_line_and_event_is_within() -> None:
    decoder = SSEDecoder(bare=True, max_line=16, max_event=10)
    read = b"data: 0123456789\n\n" * 3 + b"data: 0123456789"
    assert decoder.feed(read) == [b"0123456789"] * 3
    assert decoder.feed(b"\n\n") == [b"0123456789"]
