"""`*_stream` methods: server-sent events as dicts or the caller's type, on both clients."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from tests.conftest import Both

SSE = {"content-type": "text/event-stream", "x-request-id": "req_s"}
CHUNKS = [
    {
        "id": "c1",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": t}}],
    }
    for t in ("Hel", "lo")
]


def _frames(*events: Any, done: bool = True) -> bytes:
    lines = [b"data: " + orjson.dumps(e) + b"\n\n" for e in events]
    return b"".join(lines) + (b"data: [DONE]\n\n" if done else b"")


def _server(body: bytes, seen: list[httpx.Request] | None = None, **kw: Any) -> Callable[..., Any]:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(kw.get("status", 200), content=body, headers=kw.get("headers", SSE))

    return handler


def _drain(both: Both, stream: Any) -> list[Any]:
    if both.is_async:

        async def gather() -> list[Any]:
            async with stream as opened:
                return [item async for item in opened]

        return list(both.run(gather()))
    with stream as opened:
        return list(opened)


@dataclasses.dataclass
class Delta:
    content: str | None = None


@dataclasses.dataclass
class Choice:
    index: int
    delta: Delta


@dataclasses.dataclass
class Chunk:
    id: str
    choices: list[Choice]


def test_chat_stream_yields_dicts_and_sets_the_flag(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(_server(_frames(*CHUNKS), seen))
    stream = both.call(client.chat.completions.create_stream, {"model": "m", "messages": []})
    assert stream.request_id == "req_s"
    assert stream.status_code == 200
    assert _drain(both, stream) == CHUNKS
    assert stream.is_closed
    sent = seen[0]
    assert orjson.loads(sent.content) == {"model": "m", "messages": [], "stream": True}
    assert sent.headers["accept"] == "text/event-stream"


def test_event_type_and_decoder(both: Both) -> None:
    client = both.client(_server(_frames(*CHUNKS)))
    body = {"model": "m", "messages": []}
    typed = _drain(both, both.call(client.chat.completions.create_stream, body, event_type=Chunk))
    assert typed == [Chunk("c1", [Choice(0, Delta("Hel"))]), Chunk("c1", [Choice(0, Delta("lo"))])]
    raw = _drain(both, both.call(client.chat.completions.create_stream, body, decoder=bytes))
    assert raw == [orjson.dumps(c) for c in CHUNKS]
    with pytest.raises(TypeError, match="event_type= or decoder="):
        both.call(client.chat.completions.create_stream, body, event_type=Chunk, decoder=bytes)


RESPONSE_EVENTS = [
    ("response.created", {"type": "response.created", "response": {"id": "r1"}}),
    ("response.output_text.delta", {"type": "response.output_text.delta", "delta": "Hi"}),
    ("response.completed", {"type": "response.completed", "response": {"id": "r1"}}),
]


def _named(events: list[tuple[str, Any]]) -> bytes:
    return b"".join(
        b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"
        for name, data in events
    )


def test_named_events_arrive_as_pairs_and_the_terminal_event_ends(both: Both) -> None:
    trailing = b"event: response.output_text.delta\ndata: {}\n\n"  # after the end: never read
    client = both.client(_server(_named(RESPONSE_EVENTS) + trailing))
    stream = both.call(client.responses.create_stream, {"model": "m", "input": "hi"})
    assert _drain(both, stream) == RESPONSE_EVENTS


def test_retrieve_streams_with_the_query_flag(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(_server(_named(RESPONSE_EVENTS), seen))
    _drain(both, both.call(client.responses.retrieve_stream, "r1"))
    assert seen[0].url.params["stream"] == "true"
    assert seen[0].content == b""


def test_speech_streams_with_stream_format_sse(both: Both) -> None:
    seen: list[httpx.Request] = []
    events = [
        {"type": "speech.audio.delta", "audio": "AAA="},
        {"type": "speech.audio.done", "usage": {}},
    ]
    client = both.client(_server(_frames(*events, done=False), seen))
    stream = both.call(client.audio.speech.create_stream, {"model": "m", "input": "x"})
    assert _drain(both, stream) == events
    assert orjson.loads(seen[0].content)["stream_format"] == "sse"


def test_an_error_status_is_raised_before_any_parsing(both: Both) -> None:
    error = orjson.dumps({"error": {"message": "bad model", "type": "invalid_request_error"}})
    client = both.client(
        _server(error, status=400, headers={"content-type": "application/json"}), max_retries=0
    )
    with pytest.raises(byot.errors.BadRequestError, match="bad model"):
        both.call(client.chat.completions.create_stream, {"model": "x"})


def test_a_json_answer_to_a_stream_request_is_a_clear_error(both: Both) -> None:
    client = both.client(_server(b'{"id": "c1"}', headers={"content-type": "application/json"}))
    with pytest.raises(byot.errors.StreamError, match="expected an event stream"):
        both.call(client.chat.completions.create_stream, {"model": "x"})


def test_an_error_inside_the_stream_is_typed(both: Both) -> None:
    body = _frames(CHUNKS[0], {"error": {"message": "overloaded", "code": 502}}, done=False)
    client = both.client(_server(body))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    with pytest.raises(byot.errors.StreamError, match="overloaded") as info:
        _drain(both, stream)
    assert info.value.request_id == "req_s"
    assert stream.is_closed


def test_a_stream_cut_before_its_terminator_says_so(both: Both) -> None:
    client = both.client(_server(_frames(*CHUNKS, done=False)))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    with pytest.raises(byot.errors.StreamTruncatedError, match=r"\[DONE\]"):
        _drain(both, stream)


def test_establishment_is_retried_but_a_started_stream_never_resent(both: Both) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(200, content=_frames(CHUNKS[0], done=False), headers=SSE)

    client = both.client(handler, retry=byot.RetryPolicy(sleep=False))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    with pytest.raises(byot.errors.StreamTruncatedError):
        _drain(both, stream)
    assert len(calls) == 2


def test_closing_early_releases_the_response(both: Both) -> None:
    client = both.client(_server(_frames(*CHUNKS)))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    if both.is_async:

        async def first() -> Any:
            item = await stream.__anext__()
            await stream.aclose()
            return item

        assert both.run(first()) == CHUNKS[0]
    else:
        assert next(stream) == CHUNKS[0]
        stream.close()
    assert stream.is_closed


def _final(both: Both, stream: Any, *, skip: int = 0) -> dict[str, Any]:
    if both.is_async:

        async def run() -> dict[str, Any]:
            for _ in range(skip):
                await stream.__anext__()
            return dict(await stream.final())

        return dict(both.run(run()))
    for _ in range(skip):
        next(stream)
    return dict(stream.final())


@pytest.mark.parametrize("skip", [0, 1])
def test_final_merges_the_whole_chat_stream(both: Both, skip: int) -> None:
    tool = {"index": 0, "id": "call_1", "type": "function"}
    chunks = [
        *CHUNKS,
        {"id": "c1", "choices": [{"index": 0, "delta": {"tool_calls": [
            {**tool, "function": {"name": "f", "arguments": '{"a"'}}]}}]},
        {"id": "c1", "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "function": {"arguments": ": 1}"}}]}, "finish_reason": "tool_calls"}]},
        {"id": "c1", "choices": [], "usage": {"total_tokens": 9}},
    ]  # fmt: skip
    client = both.client(_server(_frames(*chunks)))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    completion = _final(both, stream, skip=skip)  # events already iterated count too
    message = completion["choices"][0]["message"]
    assert message["content"] == "Hello"
    assert message["tool_calls"][0]["function"] == {"name": "f", "arguments": '{"a": 1}'}
    assert completion["choices"][0]["finish_reason"] == "tool_calls"
    assert completion["usage"] == {"total_tokens": 9}
    assert completion["object"] == "chat.completion"
    assert stream.is_closed


def test_final_returns_the_completed_response(both: Both) -> None:
    client = both.client(_server(_named(RESPONSE_EVENTS)))
    stream = both.call(client.responses.create_stream, {"model": "m", "input": "hi"})
    assert _final(both, stream)["id"] == "r1"


@pytest.mark.parametrize("skip", [0, 1])
def test_final_merges_a_stream_of_the_callers_type(both: Both, skip: int) -> None:
    client = both.client(_server(_frames(*CHUNKS)))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"}, event_type=Chunk)
    completion = _final(both, stream, skip=skip)  # the raw data of every event is merged
    assert completion["choices"][0]["message"]["content"] == "Hello"
    decoded = both.call(client.chat.completions.create_stream, {"model": "x"}, decoder=len)
    assert _final(both, decoded, skip=skip)["choices"][0]["message"]["content"] == "Hello"


def test_final_needs_a_stream_it_can_merge_and_refuses_before_reading(both: Both) -> None:
    speech = both.client(_server(_frames({"type": "speech.audio.done"}, done=False)))
    audio = both.call(speech.audio.speech.create_stream, {"model": "m", "input": "x"})
    with pytest.raises(TypeError, match="final\\(\\) merges chat completion"):
        _final(both, audio)
    assert _drain(both, audio) == [{"type": "speech.audio.done"}]  # nothing was consumed


def test_accumulators_work_on_events_the_caller_collected() -> None:
    assert byot.accumulate_chat(CHUNKS)["choices"][0]["message"]["content"] == "Hello"
    events = [data for _, data in RESPONSE_EVENTS]
    assert byot.accumulate_response(events)["id"] == "r1"


class _Failing(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that sends one event, then fails the way a network does."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.closed = False

    def __iter__(self) -> Any:
        yield _frames(CHUNKS[0], done=False)
        raise self.error

    async def __aiter__(self) -> Any:
        yield _frames(CHUNKS[0], done=False)
        raise self.error

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (httpx.ReadTimeout("idle"), byot.errors.APITimeoutError),
        (httpx.RemoteProtocolError("peer closed"), byot.errors.APIConnectionError),
    ],
)
def test_network_failures_while_reading_are_typed(
    both: Both, error: Exception, raised: type[Exception]
) -> None:
    body = _Failing(error)
    client = both.client(lambda r: httpx.Response(200, stream=body, headers=SSE))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    with pytest.raises(raised) as info:
        _drain(both, stream)
    assert info.value.__cause__ is error
    assert type(info.value) is raised
    assert body.closed


def test_a_dropped_stream_releases_its_connection_at_once() -> None:
    import gc

    bodies: list[_Failing] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(_Failing(httpx.ReadError("never reached")))
        return httpx.Response(200, stream=bodies[-1], headers=SSE)

    client = byot.Client(base_url="http://t/v1", transport=httpx.MockTransport(handler))
    gc.disable()  # the stream must not need the cycle collector
    try:
        stream = client.chat.completions.create_stream({"model": "x"})
        assert next(stream) == CHUNKS[0]
        del stream  # dropped mid-iteration
        assert bodies[0].closed
        client.chat.completions.create_stream({"model": "x"})  # dropped before iterating
        assert bodies[1].closed
    finally:
        gc.enable()
        client.close()


@dataclasses.dataclass
class ResponseEvent:
    type: str
    delta: str | None = None


def test_named_events_in_the_callers_type_or_decoded_raw(both: Both) -> None:
    client = both.client(_server(_named(RESPONSE_EVENTS)))
    body = {"model": "m", "input": "hi"}
    typed = _drain(both, both.call(client.responses.create_stream, body, event_type=ResponseEvent))
    assert typed[1] == (
        "response.output_text.delta",
        ResponseEvent("response.output_text.delta", "Hi"),
    )
    raw = _drain(both, both.call(client.responses.create_stream, body, decoder=orjson.loads))
    assert raw == RESPONSE_EVENTS


def test_converted_items_across_many_reads(both: Both) -> None:
    frames = [_frames(chunk, done=False) for chunk in CHUNKS] + [b"data: [DONE]\n\n"]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=iter(frames), headers=SSE)

    if both.is_async:

        async def chunks() -> Any:
            for frame in frames:
                yield frame

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, content=chunks(), headers=SSE)

    client = both.client(handler)
    stream = both.call(client.chat.completions.create_stream, {"model": "x"}, event_type=Chunk)
    assert [c.choices[0].delta.content for c in _drain(both, stream)] == ["Hel", "lo"]


def test_a_last_event_without_its_blank_line_is_still_delivered(both: Both) -> None:
    done = {"type": "speech.audio.done", "usage": {}}
    client = both.client(_server(b"data: " + orjson.dumps(done) + b"\n"))
    stream = both.call(client.audio.speech.create_stream, {"model": "m", "input": "x"})
    assert _drain(both, stream) == [done]


def _until_error(both: Both, stream: Any) -> tuple[list[Any], BaseException | None]:
    """What a stream delivered before it raised, and what it raised."""
    got: list[Any] = []

    async def collect() -> None:
        async with stream as opened:
            async for item in opened:
                got.append(item)  # noqa: PERF401 - keep what came before the error

    try:
        if both.is_async:
            both.run(collect())
        else:
            with stream as opened:
                for item in opened:
                    got.append(item)  # noqa: PERF402 - keep what came before the error
    except Exception as exc:
        return got, exc
    return got, None


def test_a_failed_conversion_comes_after_the_items_before_it(both: Both) -> None:
    # Both events arrive in one read; the second cannot become a `Chunk` (no `id`).
    bad = {"object": "chat.completion.chunk", "choices": []}
    client = both.client(_server(_frames(CHUNKS[0], bad)))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"}, event_type=Chunk)
    got, error = _until_error(both, stream)
    assert [c.id for c in got] == ["c1"]
    assert isinstance(error, byot.errors.DecodeError)

    def boom(data: bytes) -> Any:
        if b'"id"' not in data:
            raise ValueError("no id")
        return orjson.loads(data)

    stream = both.call(client.chat.completions.create_stream, {"model": "x"}, decoder=boom)
    got, error = _until_error(both, stream)
    assert got == [CHUNKS[0]]
    assert isinstance(error, ValueError)
    assert str(error) == "no id"


class _Reads(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that arrives in the given reads, sync or async."""

    def __init__(self, reads: list[bytes]) -> None:
        self._reads = reads

    def __iter__(self) -> Iterator[bytes]:
        yield from self._reads

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for read in self._reads:
            yield read


def test_final_keeps_every_read_whether_decided_whole_or_event_by_event(both: Both) -> None:
    chunks = [
        {"id": "c1", "choices": [{"index": 0, "delta": {"content": f"{i} "}}]} for i in range(60)
    ]
    body = _frames(*chunks)
    ping = b'data: {"type": "ping"}\n\n'  # a read with a keep-alive goes event by event
    cut = len(_frames(*chunks[:20], done=False))
    reads = [body[:cut], ping + body[cut : cut + 500], body[cut + 500 :]]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, stream=_Reads(reads))

    stream = both.call(both.client(handler).chat.completions.create_stream, {"model": "x"})
    completion = _final(both, stream, skip=5)
    assert completion["choices"][0]["message"]["content"] == "".join(f"{i} " for i in range(60))
    stream = both.call(both.client(handler).chat.completions.create_stream, {"model": "x"})
    assert _drain(both, stream) == chunks


def test_final_reads_wide_integers_exactly(both: Both) -> None:
    body = b'data: {"id": "c1", "choices": [], "x_seed": 123456789012345678901234567890}\n\n'
    client = both.client(_server(body + _frames(*CHUNKS)))
    stream = both.call(client.chat.completions.create_stream, {"model": "x"})
    completion = _final(both, stream)
    assert completion["x_seed"] == 123456789012345678901234567890
    assert completion["choices"][0]["message"]["content"] == "Hello"
