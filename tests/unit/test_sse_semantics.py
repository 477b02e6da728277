"""What stream events mean: deliver, skip keep-alives, end on the terminator, raise the errors
providers send inside a 200 stream in every shape, and report a stream cut before its end.

Each case runs through the driver loop that `byot._sse`'s docstring prescribes.
"""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from byot import _sse
from byot._sse import SKIP, Event, SSEDecoder, StreamRules, kept_data
from byot.errors import APIError, DecodeError, StreamError, StreamTruncatedError
from byot.resources._endpoints import ENDPOINTS

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

URL = "https://api.example/v1/chat/completions"
CHAT: dict[str, Any] = {"framing": "data", "done": "[DONE]", "terminal": []}
RESPONSES: dict[str, Any] = {
    "framing": "event",
    "done": None,
    "terminal": ["response.completed", "response.failed", "response.incomplete"],
}
ASSISTANTS: dict[str, Any] = {"framing": "event-envelope", "done": "[DONE]", "terminal": []}
SPEECH: dict[str, Any] = {"framing": "data", "done": None, "terminal": ["speech.audio.done"]}
TRANSCRIPTION: dict[str, Any] = {
    "framing": "data",
    "done": None,
    "terminal": ["transcript.text.done"],
}
IMAGES: dict[str, Any] = {
    "framing": "event",
    "done": None,
    "terminal": ["image_generation.completed"],
}


def rules_for(stream: dict[str, Any], **kwargs: Any) -> StreamRules:
    kwargs.setdefault("request_id", "req_1")
    return StreamRules.for_endpoint(stream, method="POST", url=URL, **kwargs)


def drive(rules: StreamRules, reads: Sequence[bytes], *, bare: bool = False) -> Iterator[Any]:
    """The driver loop from the module docstring, over canned reads."""
    decoder = SSEDecoder(bare=bare)
    for chunk in reads:
        yield from rules.items(decoder.feed(chunk))
        if rules.done:
            break
    else:
        yield from rules.items(decoder.flush())
    rules.finish()


def drive_by_handle(rules: StreamRules, reads: Sequence[bytes]) -> Iterator[Any]:
    """The same loop one event at a time: `handle` must agree with `items`' inlined path."""
    decoder = SSEDecoder()
    for chunk in [*reads, None]:
        for event in decoder.feed(chunk) if chunk is not None else decoder.flush():
            item = rules.handle(event)
            if item is not SKIP:
                yield item
            if rules.done:
                return
    rules.finish()


def run(stream: dict[str, Any], body: bytes, **kwargs: Any) -> list[Any]:
    """The items of a body, the same whether nameless events come as `Event`s or bare data."""
    items = list(drive(rules_for(stream, **kwargs), [body]))
    assert list(drive(rules_for(stream, **kwargs), [body], bare=True)) == items
    return items


def run_until_error(stream: dict[str, Any], body: bytes) -> tuple[list[Any], BaseException]:
    """The items before the error and the error, the same from a bare decoder."""
    outcomes: list[tuple[list[Any], BaseException]] = []
    for bare in (False, True):
        items: list[Any] = []
        with pytest.raises((StreamError, DecodeError)) as caught:
            items.extend(drive(rules_for(stream), [body], bare=bare))
        outcomes.append((items, caught.value))
    (items, error), (bare_items, bare_error) = outcomes
    assert (bare_items, type(bare_error), str(bare_error)) == (items, type(error), str(error))
    return items, error


def sse(*events: str) -> bytes:
    return "".join(f"{event}\n\n" for event in events).encode()


CHUNK = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "Hi"}}]}
CHUNK_LINE = "data: " + orjson.dumps(CHUNK).decode()


# ----------------------------------------------------------------------------- deliver, skip, end

KEEPALIVES = [
    ": keep-alive",
    ": OPENROUTER PROCESSING",
    "event: keepalive\ndata: {}",
    'event: ping\ndata: {"type": "ping"}',
    'data: {"type": "keepalive", "sequence_number": 3}',
    'data: {"type": "ping"}',
    "data:",
    "data:    ",
    "data: : OPENROUTER PROCESSING",  # a comment that a proxy re-wrapped as data
    "event: keepalive\ndata: not json",
    "id: 5\nretry: 100",  # a meta-only block
]


@pytest.mark.parametrize("keepalive", KEEPALIVES)
def test_keepalives_are_skipped(keepalive: str) -> None:
    body = sse(keepalive, CHUNK_LINE, keepalive, CHUNK_LINE, keepalive, "data: [DONE]")
    assert run(CHAT, body) == [CHUNK, CHUNK]
    assert list(drive_by_handle(rules_for(CHAT), [body])) == [CHUNK, CHUNK]


DELIVERIES: list[tuple[str, dict[str, Any], bytes, list[Any]]] = [
    ("chat", CHAT, sse(CHUNK_LINE, "data: [DONE]"), [CHUNK]),
    ("chat event: done", CHAT, sse(CHUNK_LINE, "event: done\ndata: [DONE]"), [CHUNK]),
    ("chat [DONE] with a trailing space", CHAT, sse(CHUNK_LINE, "data: [DONE] "), [CHUNK]),
    ("chat ends at [DONE]", CHAT, sse("data: [DONE]", "data: {bad", 'data: {"error": 1}'), []),
    ("chat error key null", CHAT, sse('data: {"error": null}', "data: [DONE]"), [{"error": None}]),
    (
        "chat non-object values",
        CHAT,
        sse("data: [1, 2]", "data: []", "data: 3", "data: [DONE]"),
        [[1, 2], [], 3],
    ),
    ("chat array of non-objects", CHAT, sse('data: ["error"]', "data: [DONE]"), [["error"]]),
    ("chat array without error", CHAT, sse('data: [{"a": 1}]', "data: [DONE]"), [[{"a": 1}]]),
    ("chat type not a string", CHAT, sse('data: {"type": 5}', "data: [DONE]"), [{"type": 5}]),
    ("chat other type", CHAT, sse('data: {"type": "x"}', "data: [DONE]"), [{"type": "x"}]),
    (
        "chat named event ignored",
        CHAT,
        sse("event: message\n" + CHUNK_LINE, "data: [DONE]"),
        [CHUNK],
    ),
    (
        "responses",
        RESPONSES,
        sse(
            'event: response.created\ndata: {"type": "response.created"}',
            'event: keepalive\ndata: {"type": "keepalive"}',
            'event: response.output_text.delta\ndata: {"type": "response.output_text.delta"}',
            'event: response.completed\ndata: {"type": "response.completed"}',
            'event: response.created\ndata: {"type": "after the end"}',
        ),
        [
            ("response.created", {"type": "response.created"}),
            ("response.output_text.delta", {"type": "response.output_text.delta"}),
            ("response.completed", {"type": "response.completed"}),
        ],
    ),
    (
        "responses incomplete",
        RESPONSES,
        sse('event: response.incomplete\ndata: {"type": "response.incomplete"}', "data: {bad"),
        [("response.incomplete", {"type": "response.incomplete"})],
    ),
    (
        "responses without event lines",
        RESPONSES,
        sse('data: {"type": "response.created"}', 'data: {"type": "response.completed"}'),
        [
            ("response.created", {"type": "response.created"}),
            ("response.completed", {"type": "response.completed"}),
        ],
    ),
    (
        "responses ended by [DONE]",
        RESPONSES,
        sse('data: {"type": "response.created"}', "data: [DONE]"),
        [("response.created", {"type": "response.created"})],
    ),
    (
        "responses nameless non-typed",
        RESPONSES,
        sse("data: [1]", 'data: {"type": 7}', 'data: {"type": "response.completed"}'),
        [
            ("message", [1]),
            ("message", {"type": 7}),
            ("response.completed", {"type": "response.completed"}),
        ],
    ),
    (
        "assistants",
        ASSISTANTS,
        sse(
            'event: thread.run.created\ndata: {"id": "run_1", "object": "thread.run"}',
            'event: thread.run.failed\ndata: {"id": "run_1", "last_error": {"code": "x"}}',
            "event: done\ndata: [DONE]",
        ),
        [
            ("thread.run.created", {"id": "run_1", "object": "thread.run"}),
            ("thread.run.failed", {"id": "run_1", "last_error": {"code": "x"}}),
        ],
    ),
    (
        "speech",
        SPEECH,
        sse(
            'data: {"type": "speech.audio.delta", "audio": "AAA="}',
            'data: {"type": "speech.audio.done", "usage": {}}',
            "data: {bad",
        ),
        [
            {"type": "speech.audio.delta", "audio": "AAA="},
            {"type": "speech.audio.done", "usage": {}},
        ],
    ),
    (
        "transcription",
        TRANSCRIPTION,
        sse('data: {"type": "transcript.text.delta"}', 'data: {"type": "transcript.text.done"}'),
        [{"type": "transcript.text.delta"}, {"type": "transcript.text.done"}],
    ),
    (
        "images",
        IMAGES,
        sse(
            "event: image_generation.partial_image\n"
            'data: {"type": "image_generation.partial_image"}',
            'event: image_generation.completed\ndata: {"type": "image_generation.completed"}',
        ),
        [
            ("image_generation.partial_image", {"type": "image_generation.partial_image"}),
            ("image_generation.completed", {"type": "image_generation.completed"}),
        ],
    ),
    (
        "images terminal by name only",
        IMAGES,
        sse("event: image_generation.completed\ndata: {}", "data: {bad"),
        [("image_generation.completed", {})],
    ),
]


@pytest.mark.parametrize(
    ("stream", "body", "expected"), [c[1:] for c in DELIVERIES], ids=[c[0] for c in DELIVERIES]
)
def test_deliveries(stream: dict[str, Any], body: bytes, expected: list[Any]) -> None:
    assert run(stream, body) == expected
    assert list(drive_by_handle(rules_for(stream), [body])) == expected
    # Whatever the reads, the caller sees the same items.
    rules = rules_for(stream)
    assert list(drive(rules, [body[i : i + 1] for i in range(len(body))])) == expected
    assert rules.done


def test_handle_one_event_at_a_time() -> None:
    rules = rules_for(CHAT)
    assert rules.handle(Event("keepalive", b"")) is SKIP
    assert rules.handle(Event(None, b"")) is SKIP
    assert rules.handle(Event(None, b'{"a": 1}')) == {"a": 1}
    assert not rules.done
    assert rules.handle(Event(None, b"[DONE]")) is SKIP
    assert rules.done


def test_named_and_default_rules() -> None:
    assert not StreamRules(method="GET", url=URL).named
    assert rules_for(RESPONSES).named
    assert rules_for(ASSISTANTS).named
    assert rules_for({}).named is False


# ----------------------------------------------------------------------------- errors

ERRORS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "openai chat",
        CHAT,
        'data: {"error": {"message": "The server had an error", "type": "server_error", '
        '"code": null}}',
        {"error_message": "The server had an error", "type": "server_error", "code": None},
    ),
    (
        "openrouter chunk with error",
        CHAT,
        'data: {"id": "gen-1", "object": "chat.completion.chunk", "error": {"code": 502, '
        '"message": "Provider disconnected"}, "choices": [{"index": 0, "delta": {"content": ""}, '
        '"finish_reason": "error"}]}',
        {"error_message": "Provider disconnected", "code": 502, "type": None},
    ),
    (
        "openrouter",
        CHAT,
        'data: {"error": {"code": 429, "message": "Rate limit exceeded", "metadata": {"x": 1}}}',
        {"error_message": "Rate limit exceeded", "code": 429},
    ),
    (
        "vllm nested",
        CHAT,
        'data: {"error": {"object": "error", "message": "bad", "type": "BadRequestError", '
        '"code": 400}}',
        {"error_message": "bad", "type": "BadRequestError", "code": 400},
    ),
    (
        "vllm top level",
        CHAT,
        'data: {"object": "error", "message": "too long", "type": "BadRequestError", '
        '"param": null, "code": 400}',
        {"error_message": "too long", "type": "BadRequestError", "code": 400},
    ),
    (
        "error as a string",
        CHAT,
        'data: {"error": "model not found", "code": "404"}',
        {"error_message": "model not found", "code": "404"},
    ),
    (
        "gemini array",
        CHAT,
        'data: [{"error": {"code": 429, "message": "Resource exhausted", '
        '"status": "RESOURCE_EXHAUSTED"}}]',
        {"error_message": "Resource exhausted", "type": "RESOURCE_EXHAUSTED", "code": 429},
    ),
    (
        "tgis event: error",
        CHAT,
        'event: error\ndata: {"code": 400, "details": "Input validation error"}',
        {"event": "error", "error_message": "Input validation error", "code": 400},
    ),
    (
        "event: error with plain text",
        CHAT,
        "event: error\ndata: upstream timed out",
        {"event": "error", "error_message": None, "body": None, "text": "upstream timed out"},
    ),
    (
        "event: error without data",
        CHAT,
        "event: error\ndata:",
        {"event": "error", "error_message": None, "body": None, "text": "no message"},
    ),
    (
        "event: error with a JSON scalar",
        CHAT,
        "event: error\ndata: 42",
        {"event": "error", "error_message": None, "body": 42},
    ),
    (
        "event: error with error true",
        CHAT,
        'event: error\ndata: {"error": true, "message": "boom", "code": true}',
        {"error_message": "boom", "code": None},
    ),
    (
        "assistants event: error",
        ASSISTANTS,
        'event: error\ndata: {"code": "server_error", "message": "Sorry", "param": null, '
        '"type": "server_error"}',
        {
            "event": "error",
            "error_message": "Sorry",
            "code": "server_error",
            "type": "server_error",
        },
    ),
    (
        "responses error event",
        RESPONSES,
        'event: error\ndata: {"type": "error", "code": "ERR_SOMETHING", "message": "Something '
        'went wrong", "param": null, "sequence_number": 1}',
        {
            "event": "error",
            "error_message": "Something went wrong",
            "code": "ERR_SOMETHING",
            "type": None,
        },
    ),
    (
        "responses error event, nested",
        RESPONSES,
        'event: error\ndata: {"type": "error", "error": {"type": "invalid_request_error", '
        '"code": "context_length_exceeded", "message": "Too long"}}',
        {
            "error_message": "Too long",
            "code": "context_length_exceeded",
            "type": "invalid_request_error",
        },
    ),
    (
        "responses error without event line",
        RESPONSES,
        'data: {"type": "error", "message": "Something went wrong"}',
        {"event": None, "error_message": "Something went wrong"},
    ),
    (
        "response.failed",
        RESPONSES,
        'event: response.failed\ndata: {"type": "response.failed", "response": {"id": "resp_1", '
        '"status": "failed", "error": {"code": "server_error", "message": "The model failed"}}}',
        {
            "event": "response.failed",
            "error_message": "The model failed",
            "code": "server_error",
            "text": "response.failed: The model failed",
        },
    ),
    (
        "response.failed without event line",
        RESPONSES,
        'data: {"type": "response.failed", "response": {"error": {"code": "rate_limit_exceeded", '
        '"message": "Slow down"}}}',
        {"event": None, "error_message": "Slow down", "code": "rate_limit_exceeded"},
    ),
    (
        "response.failed without an error object",
        RESPONSES,
        "event: response.failed\n"
        'data: {"type": "response.failed", "response": {"status": "failed"}}',
        {"error_message": None, "code": None, "type": None, "text": "response.failed: no message"},
    ),
    (
        "response.failed without a response",
        RESPONSES,
        'event: response.failed\ndata: {"type": "response.failed"}',
        {"error_message": None, "text": "response.failed: no message"},
    ),
    (
        "response.failed with plain text",
        RESPONSES,
        "event: response.failed\ndata: oops",
        {"error_message": None, "body": None, "text": "response.failed: oops"},
    ),
    (
        "message and code of odd types",
        CHAT,
        'data: {"error": {"message": {"text": "nested"}, "code": 1.5, "type": ["a"]}}',
        {"error_message": '{"text":"nested"}', "code": "1.5", "type": '["a"]'},
    ),
    (
        "empty message falls back to detail",
        CHAT,
        'data: {"error": {"message": "", "detail": "see here", "code": ""}}',
        {"error_message": "see here", "code": None},
    ),
]


@pytest.mark.parametrize(
    ("stream", "line", "expected"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS]
)
def test_errors_in_every_shape(stream: dict[str, Any], line: str, expected: dict[str, Any]) -> None:
    body = sse(CHUNK_LINE, line, CHUNK_LINE, "data: [DONE]")
    items, error = run_until_error(stream, body)
    assert isinstance(error, StreamError)
    with pytest.raises(StreamError) as by_handle:
        list(drive_by_handle(rules_for(stream), [body]))
    assert by_handle.value.__dict__ == error.__dict__
    assert not isinstance(error, StreamTruncatedError)
    assert isinstance(error, APIError)
    # The chunk before the error is delivered first; nothing after it.
    assert len(items) == 1
    data = line.split("data:", 1)[1].removeprefix(" ").encode()
    assert error.data == data
    assert (error.method, error.url, error.request_id) == ("POST", URL, "req_1")
    assert str(error) == error.message
    assert "request_id=req_1" in str(error)
    text = expected.pop("text", None)
    if text is not None:
        assert text in str(error)
    if "body" not in expected:
        assert error.body == orjson.loads(data)
    for name, value in expected.items():
        assert getattr(error, name) == value, name
    if error.error_message:
        assert error.error_message in str(error)
    # Errors cross process boundaries intact.
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(restored) is StreamError
    assert restored.__dict__ == error.__dict__
    assert str(restored) == str(error)


def test_error_message_format() -> None:
    rules = StreamRules(method="POST", url=URL)
    with pytest.raises(StreamError) as caught:
        rules.handle(Event(None, b'{"error": {"message": "boom"}}'))
    assert str(caught.value) == "the stream reported an error: boom"
    with pytest.raises(StreamError) as caught:
        rules.handle(Event("error", b'{"error": {"message": "boom", "type": "t", "code": 1}}'))
    assert str(caught.value) == "the stream reported an error: boom [event=error, type=t, code=1]"


def test_long_plain_text_error_is_cut() -> None:
    rules = StreamRules(method="POST", url=URL)
    with pytest.raises(StreamError) as caught:
        rules.handle(Event("error", b"x" * 2000))
    assert str(caught.value) == "the stream reported an error: " + "x" * 500 + " [event=error]"
    assert caught.value.data == b"x" * 2000


@pytest.mark.parametrize("cut", range(0, 120, 3))
def test_items_before_an_error_do_not_depend_on_the_reads(cut: int) -> None:
    body = sse(CHUNK_LINE, CHUNK_LINE, 'data: {"error": {"message": "boom"}}')
    items: list[Any] = []
    with pytest.raises(StreamError, match="boom"):
        items.extend(drive(rules_for(CHAT), [body[:cut], body[cut:]]))
    assert items == [CHUNK, CHUNK]


# ----------------------------------------------------------------------------- not JSON


@pytest.mark.parametrize("payload", [b'{"choices": [', b"hello", b"[DON", b'{"a": 1}}'])
def test_data_that_is_not_json(payload: bytes) -> None:
    items, error = run_until_error(CHAT, sse(CHUNK_LINE) + b"data: " + payload + b"\n\n")
    assert items == [CHUNK]
    assert isinstance(error, DecodeError)
    assert error.raw == payload
    assert error.request_id == "req_1"
    assert isinstance(error.__cause__, orjson.JSONDecodeError)
    assert repr(payload) in str(error)


def test_not_json_message_shows_an_excerpt() -> None:
    with pytest.raises(DecodeError) as caught:
        StreamRules(method="GET", url=URL).handle(Event(None, b"<" + b"x" * 300))
    assert str(caught.value).endswith(repr(b"<" + b"x" * 99))
    assert caught.value.request_id is None


# ----------------------------------------------------------------------------- truncation

TRUNCATED: list[tuple[str, dict[str, Any], bytes, str]] = [
    ("chat, no [DONE]", CHAT, sse(CHUNK_LINE), "(data: [DONE])"),
    ("chat, cut mid-event", CHAT, sse(CHUNK_LINE) + b'data: {"choi', "(data: [DONE])"),
    ("chat, empty body", CHAT, b"", "(data: [DONE])"),
    (
        "responses",
        RESPONSES,
        sse('event: response.created\ndata: {"type": "response.created"}'),
        "(response.completed or response.failed or response.incomplete)",
    ),
    ("assistants", ASSISTANTS, sse('event: thread.created\ndata: {"id": "t"}'), "(data: [DONE])"),
    ("speech", SPEECH, sse('data: {"type": "speech.audio.delta"}'), "(speech.audio.done)"),
]


@pytest.mark.parametrize(
    ("stream", "body", "expected"), [c[1:] for c in TRUNCATED], ids=[c[0] for c in TRUNCATED]
)
def test_truncated_streams(stream: dict[str, Any], body: bytes, expected: str) -> None:
    rules = rules_for(stream)
    items: list[Any] = []
    with pytest.raises(StreamTruncatedError) as caught:
        items.extend(drive(rules, [body]))
    error = caught.value
    assert isinstance(error, StreamError)
    assert expected in str(error)
    assert str(error).startswith("the stream ended without its terminator")
    assert str(error).endswith("[request_id=req_1]")
    assert (error.event, error.data, error.body, error.request_id) == (None, b"", None, "req_1")
    assert len(items) == body.count(b"data: {") - body.count(b'data: {"choi')
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(restored) is StreamTruncatedError
    assert restored.__dict__ == error.__dict__
    # The caller can opt out, for servers that just close the stream.
    assert list(drive(rules_for(stream, require_terminator=False), [body])) == items


def test_truncation_message_without_request_id() -> None:
    rules = StreamRules(method="POST", url=URL)
    with pytest.raises(StreamTruncatedError) as caught:
        rules.finish()
    assert str(caught.value) == (
        "the stream ended without its terminator (data: [DONE]): the output may be cut"
    )


def test_no_terminator_expected() -> None:
    rules = StreamRules(method="POST", url=URL, done=None)
    assert not rules.require_terminator
    rules.finish()
    assert list(drive(rules, [sse(CHUNK_LINE)])) == [CHUNK]


def test_finish_after_the_terminator() -> None:
    rules = rules_for(CHAT)
    assert list(drive(rules, [sse("data: [DONE]")])) == []
    rules.finish()


# ----------------------------------------------------------------------------- every operation

STREAMING = sorted(
    (endpoint for endpoint in ENDPOINTS.values() if endpoint.stream), key=lambda e: e.operation_id
)


def test_every_streaming_operation_is_covered() -> None:
    assert len(STREAMING) == 13
    framings = {endpoint.stream["framing"] for endpoint in STREAMING if endpoint.stream}
    assert framings == {"data", "event", "event-envelope"}


@pytest.mark.parametrize("endpoint", STREAMING, ids=lambda e: e.operation_id)
def test_every_operation_ends_and_reports_truncation(endpoint: Any) -> None:
    stream = endpoint.stream
    rules = rules_for(stream)
    assert rules.named == (stream["framing"] != "data")
    if stream["done"]:
        end = f"data: {stream['done']}"
    else:
        name = stream["terminal"][0]
        end = f"event: {name}\ndata: " + orjson.dumps({"type": name}).decode()
    items = list(drive(rules, [sse('data: {"type": "x.delta"}', end)]))
    assert rules.done
    assert len(items) == (1 if stream["done"] else 2)
    with pytest.raises(StreamTruncatedError):
        list(drive(rules_for(stream), [sse('data: {"type": "x.delta"}')]))


# ----------------------------------------------------------------------------- whole reads

# Reads a whole-read decision must not take (each needs the per-event loop), with what the
# per-event loop makes of them. Each holds plain chunks around the event that disqualifies it.
MIXED_READS = [
    'data: {"type": "ping"}',  # a keep-alive by type
    'data: {"error": {"message": "boom"}}',  # an error key
    'data: {"error": null, "id": "x"}',  # an error key that is no error: delivered
    'data: {"object": "error", "message": "boom"}',  # vLLM's top-level error
    'data: [{"error": {"message": "boom"}}]',  # Gemini's error array
    "data: [1, 2]",  # a value that is not an object
    "data: 7",
    "data: [DONE]",
    "data:",  # a keep-alive as empty data
    'event: note\ndata: {"named": true}',  # an Event among bare data
]


def per_event(rules: StreamRules, events: list[Any], keep: list[bytes]) -> list[Any]:
    """`items` with the whole-read decision switched off: the per-event loop alone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_sse, "_plain_values", lambda _events: None)
        return rules.items(events, keep)


def outcome(items_of: Any, body: bytes) -> tuple[list[Any], list[bytes], str | None, bool]:
    rules = rules_for(CHAT)
    keep: list[bytes] = []
    items = items_of(rules, SSEDecoder(bare=True).feed(body), keep)
    try:
        rules.finish()
    except (StreamError, DecodeError, StreamTruncatedError) as exc:
        failure: str | None = f"{type(exc).__name__}: {exc}"
    else:
        failure = None
    return items, kept_data(keep), failure, rules.done


@pytest.mark.parametrize("middle", MIXED_READS)
def test_a_read_decided_whole_matches_the_per_event_loop(middle: str) -> None:
    body = sse(CHUNK_LINE, CHUNK_LINE, middle, CHUNK_LINE)
    fast = outcome(StreamRules.items, body)
    assert fast == outcome(per_event, body)
    assert len(fast[0]) >= 2  # the chunks before the event always come first


def test_a_plain_read_is_decided_whole_and_keeps_every_event() -> None:
    chunks = [{**CHUNK, "n": i, "text": "line\nbreak é"} for i in range(50)]
    body = b"".join(b"data: " + orjson.dumps(chunk) + b"\n\n" for chunk in chunks)
    events = SSEDecoder(bare=True).feed(body)
    assert _sse._plain_values(events) == chunks  # the whole-read decision is taken
    assert rules_for(CHAT).items(events) == chunks  # also when nothing is kept
    fast = outcome(StreamRules.items, body)
    assert fast == outcome(per_event, body)
    assert fast[0] == chunks
    assert [orjson.loads(data) for data in fast[1]] == chunks
    assert fast[2:] == ("StreamTruncatedError: " + str(_truncated()), False)


def _truncated() -> StreamTruncatedError:
    rules = rules_for(CHAT)
    with pytest.raises(StreamTruncatedError) as caught:
        rules.finish()
    return caught.value


def test_a_read_with_a_wide_integer_is_read_exactly() -> None:
    body = sse(CHUNK_LINE, 'data: {"n": 123456789012345678901234567890}', CHUNK_LINE)
    items, kept, _, _ = outcome(StreamRules.items, body)
    assert items == [CHUNK, {"n": 123456789012345678901234567890}, CHUNK]
    assert type(items[1]["n"]) is int
    assert len(kept) == 3


def test_kept_data_holds_multi_line_data_whole() -> None:
    rules = rules_for(CHAT)
    keep: list[bytes] = []
    events = SSEDecoder(bare=True).feed(b'data: {"a":\ndata: 1}\n\ndata: {"b": 2}\n\n')
    assert rules.items(events, keep) == [{"a": 1}, {"b": 2}]
    assert kept_data(keep) == [b'{"a":\n1}', b'{"b": 2}']
    assert rules.items([], keep) == []
    assert len(keep) == 1  # a read that delivers nothing keeps nothing
