"""`validate=` on both clients: requests before sending, responses before conversion, events."""

from __future__ import annotations

import dataclasses
import io
import logging
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot
from byot.errors import SchemaValidationError, SchemaValidationWarning

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Both

GOOD = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
BAD = {"model": "m", "messages": [{"role": "usr", "content": "hi"}]}
CHAT = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "eos", "message": {"role": "assistant"}}],
    "provider": "extra fields pass",
}
BAD_CHAT = {**CHAT, "choices": [{"index": "first"}]}
SSE = {"content-type": "text/event-stream"}


def refuse(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"nothing may be sent: {request.method} {request.url}")


def answer(
    body: Any, seen: list[httpx.Request] | None = None, **headers: str
) -> Callable[..., Any]:
    content = body if isinstance(body, bytes) else orjson.dumps(body)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, content=content, headers=headers or None)

    return handler


def frames(*events: Any, named: bool = False, done: bool = True) -> bytes:
    out = b""
    for event in events:
        if named:
            out += b"event: " + event[0].encode() + b"\n"
            event = event[1]
        out += b"data: " + orjson.dumps(event) + b"\n\n"
    return out + (b"data: [DONE]\n\n" if done else b"")


def drain(both: Both, stream: Any, *, final: bool = False) -> Any:
    if both.is_async:

        async def gather() -> Any:
            async with stream as opened:
                return await opened.final() if final else [item async for item in opened]

        return both.run(gather())
    with stream as opened:
        return opened.final() if final else list(opened)


# -- requests --------------------------------------------------------------------------------------


def test_raise_refuses_a_bad_request_before_anything_is_sent(both: Both) -> None:
    client = both.client(refuse, validate="raise")
    with pytest.raises(SchemaValidationError) as info:
        both.call(client.chat.completions.create, BAD)
    error = info.value
    assert (error.direction, error.operation, error.profile) == (
        "request",
        "createChatCompletion",
        "strict",
    )
    assert error.issues[0].path == "$.messages[0].role"
    with pytest.raises(SchemaValidationError):
        both.call(client.request, "POST", "/chat/completions", BAD)
    with pytest.raises(SchemaValidationError):
        both.call(client.call, "createChatCompletion", BAD)
    with pytest.raises(SchemaValidationError):
        both.call(client.chat.completions.create_stream, BAD)


def test_off_by_default_and_per_call(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer(BAD_CHAT, seen))
    assert both.call(client.chat.completions.create, BAD) == BAD_CHAT
    strict = both.client(answer(BAD_CHAT, seen), validate="raise")
    assert both.call(strict.chat.completions.create, BAD, validate="off") == BAD_CHAT
    with pytest.raises(SchemaValidationError):
        both.call(client.chat.completions.create, BAD, validate="raise")
    assert len(seen) == 2


def test_with_options_changes_or_keeps_the_modes(both: Both) -> None:
    client = both.client(refuse)
    strict = client.with_options(validate="raise")
    with pytest.raises(SchemaValidationError):
        both.call(strict.chat.completions.create, BAD)
    kept = strict.with_options(timeout=3)
    with pytest.raises(SchemaValidationError):
        both.call(kept.chat.completions.create, BAD)
    relaxed = strict.with_options(validate=byot.Validation(response="raise"))
    seen: list[httpx.Request] = []
    relaxed = both.client(answer(CHAT, seen), validate=byot.Validation(response="raise"))
    assert both.call(relaxed.chat.completions.create, BAD) == CHAT
    assert seen


def test_warn_warns_and_logs_and_sends(both: Both, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer(CHAT, seen), validate="warn")
    with (
        caplog.at_level(logging.DEBUG, logger="byot"),
        pytest.warns(SchemaValidationWarning, match=r"\$\.messages\[0\]\.role") as record,
    ):
        both.call(client.chat.completions.create, BAD)
    assert len(seen) == 1
    warning = record[0].message
    assert isinstance(warning, SchemaValidationWarning)
    assert (warning.direction, warning.operation) == ("request", "createChatCompletion")
    assert "byot" not in record[0].filename  # it names the caller's line (conftest's here)
    assert "tenacity" not in record[0].filename
    [logged] = [r for r in caplog.records if "request does not match" in r.message]
    assert logged.levelno == logging.DEBUG  # a record for logs, not a second printed warning


def test_a_warning_is_printed_once() -> None:
    """With logging left unconfigured, stderr shows the warning once (not also the logger's)."""
    script = """
import httpx, byot
chat = {"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": []}
client = byot.Client(
    api_key="sk-test",
    validate="warn",
    transport=httpx.MockTransport(lambda request: httpx.Response(200, json=chat)),
)
client.chat.completions.create({"model": "m", "messages": [], "max_token": 5})
"""
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stderr.count("'max_token' is not a parameter") == 1, done.stderr


def test_unknown_parameters_warn_with_a_suggestion_never_fail(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer(CHAT, seen), validate="raise")
    with pytest.warns(SchemaValidationWarning) as record:
        both.call(client.chat.completions.create, {**GOOD, "max_token": 5, "acme_priority": 3})
    assert [str(issue) for issue in record[0].message.issues] == [  # type: ignore[union-attr]
        "$.acme_priority: 'acme_priority' is not a parameter of createChatCompletion "
        "(providers may add their own)",
        "$.max_token: 'max_token' is not a parameter of createChatCompletion; "
        "did you mean 'max_tokens'?",
    ]
    assert len(seen) == 1


def test_extra_body_is_outside_validation(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer(CHAT, seen), validate="raise")
    # Neither the bad type nor the unknown name in extra_body is looked at.
    both.call(client.chat.completions.create, GOOD, extra_body={"temperature": "hot", "top_k": 1})
    assert orjson.loads(seen[0].content)["temperature"] == "hot"


@dataclasses.dataclass
class Body:
    model: str
    messages: list[dict[str, Any]]
    temperature: float | None = None


def test_bodies_are_checked_as_the_json_they_encode_to(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer(CHAT, seen), validate="raise")
    both.call(client.chat.completions.create, Body("m", GOOD["messages"]))  # None left out
    with pytest.raises(SchemaValidationError):
        both.call(client.chat.completions.create, Body("m", BAD["messages"]))
    both.call(client.chat.completions.create, orjson.dumps(GOOD))
    with pytest.warns(SchemaValidationWarning, match=r"\$: \[1\] is not of type 'object'"):
        both.call(client.chat.completions.create, b"[1]", validate="warn")
    with pytest.raises(SchemaValidationError, match="a body that is not JSON"):
        both.call(client.chat.completions.create, b"not json")
    with pytest.raises(SchemaValidationError, match="'messages' is a required property"):
        both.call(client.chat.completions.create, {"model": "m"}, encoder=lambda b: b)
    with pytest.raises(SchemaValidationError, match="'model' is a required property"):
        both.call(client.call, "createChatCompletion")
    assert len(seen) == 3


def test_multipart_forms_are_checked_before_encoding(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer({"text": "hi"}, seen), validate="raise")
    form = {"file": ("a.wav", io.BytesIO(b"RIFF"), "audio/wav"), "model": "whisper-1"}
    assert both.call(client.audio.transcriptions.create, form) == {"text": "hi"}
    with pytest.raises(SchemaValidationError, match=r"\$\.temperature"):
        both.call(client.audio.transcriptions.create, {**form, "temperature": "warm"})
    with pytest.raises(SchemaValidationError, match="'file' is a required property"):
        both.call(client.audio.transcriptions.create, {"model": "whisper-1"})
    assert len(seen) == 1


def test_calls_without_a_body_or_a_spec_route(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer({"data": [], "object": "list"}, seen), validate="raise")
    both.call(client.models.list)
    both.call(client.request, "GET", "/models")
    both.call(client.request, "POST", "/my/own/route", {"anything": 1})
    both.call(client.request, "POST", "/my/own/{id}", {"x": 1}, path_params={"id": "a"})
    # A filled path and a template both name the route.
    run = {"id": "run_1", "object": "thread.run", "status": "queued"}
    client = both.client(answer(run, seen), validate="raise")
    both.call(client.request, "GET", "/threads/t1/runs/run_1")
    both.call(client.request, "GET", "/threads/{t}/runs/{r}", path_params={"t": "a", "r": "b"})
    assert len(seen) == 6


def test_optional_bodies_may_be_left_out(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(answer({"id": "thread_1", "object": "thread"}, seen), validate="raise")
    both.call(client.beta.threads.create)
    assert len(seen) == 1


def test_bad_modes_are_refused() -> None:
    with pytest.raises(ValueError, match="validate= takes 'off', 'warn', 'raise'"):
        byot.Client(api_key="k", validate="loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a validation mode is 'off', 'warn' or 'raise'"):
        byot.Client(api_key="k", validate=byot.Validation(request="strict"))  # type: ignore[arg-type]
    client = byot.Client(api_key="k", transport=httpx.MockTransport(refuse))
    with pytest.raises(ValueError, match="validate= takes"):
        client.chat.completions.create(GOOD, validate=True)  # type: ignore[typeddict-item]
    assert byot.Validation.of("warn") == byot.Validation("warn", "warn")
    assert not byot.Validation().active
    assert byot.Validation(response="warn").active


# -- responses -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Chat:
    id: str
    choices: list[dict[str, Any]]


def test_responses_are_checked_lenient_before_conversion(both: Both) -> None:
    client = both.client(answer(CHAT), validate=byot.Validation(response="raise"))
    assert both.call(client.chat.completions.create, GOOD) == CHAT
    assert both.call(client.chat.completions.create, GOOD, response_type=Chat).id == "c1"
    bad = both.client(answer(BAD_CHAT), validate=byot.Validation(response="raise"))
    for kwargs in ({}, {"response_type": Chat}, {"decoder": orjson.loads}, {"raw": True}):
        with pytest.raises(SchemaValidationError) as info:
            both.call(bad.chat.completions.create, GOOD, **kwargs)
        assert (info.value.direction, info.value.profile) == ("response", "lenient")
        assert info.value.issues[0].path == "$.choices[0].index"
    with pytest.raises(SchemaValidationError):
        both.call(bad.request, "POST", "/chat/completions", GOOD)


def test_response_warnings_still_return_the_value(both: Both) -> None:
    client = both.client(answer(BAD_CHAT), validate="warn")
    with pytest.warns(SchemaValidationWarning, match="response does not match") as record:
        assert both.call(client.chat.completions.create, GOOD) == BAD_CHAT
    assert "byot" not in record[0].filename
    assert "tenacity" not in record[0].filename


def test_bodies_that_are_not_json_or_not_schemad(both: Both) -> None:
    client = both.client(answer(b"plain text"), validate="raise")
    assert both.call(client.chat.completions.create, GOOD, decoder=bytes) == b"plain text"
    with pytest.raises(byot.errors.DecodeError):
        both.call(client.chat.completions.create, GOOD)
    speech = both.client(answer(b"\x00audio"), validate="raise")
    body = {"model": "tts-1", "input": "hi", "voice": "alloy"}
    assert both.call(speech.audio.speech.create, body) == b"\x00audio"


def test_pages_are_checked_one_by_one(both: Both) -> None:
    client = both.client(
        answer({"object": "list", "data": "not a list"}), validate=byot.Validation(response="raise")
    )
    with pytest.raises(SchemaValidationError, match=r"\$\.data"):
        both.call(client.models.list)


# -- stream events ---------------------------------------------------------------------------------

CHUNK = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
CHUNKS = [
    {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]},
    {**CHUNK, "choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]},
]
BAD_CHUNK = {**CHUNK, "choices": [{"index": 0, "delta": {"content": 5}}]}


def test_chat_stream_events_are_checked(both: Both) -> None:
    client = both.client(answer(frames(*CHUNKS), **SSE), validate=byot.Validation(response="raise"))
    assert drain(both, both.call(client.chat.completions.create_stream, GOOD)) == CHUNKS
    merged = drain(both, both.call(client.chat.completions.create_stream, GOOD), final=True)
    assert merged["choices"][0]["message"]["content"] == "Hello"
    bad = both.client(answer(frames(CHUNKS[0], BAD_CHUNK), **SSE), validate="raise")
    with pytest.raises(SchemaValidationError) as info:
        drain(both, both.call(bad.chat.completions.create_stream, GOOD))
    assert info.value.issues[0].path == "$.choices[0].delta.content"
    assert (info.value.schema, info.value.direction) == (
        "CreateChatCompletionStreamResponse",
        "response",
    )


@dataclasses.dataclass
class Chunk:
    id: str


def test_converted_and_decoded_events_are_checked_first(both: Both) -> None:
    client = both.client(answer(frames(CHUNKS[0], BAD_CHUNK), **SSE), validate="warn")
    with pytest.warns(SchemaValidationWarning, match=r"\$\.choices\[0\]\.delta\.content"):
        items = drain(
            both, both.call(client.chat.completions.create_stream, GOOD, event_type=Chunk)
        )
    assert items == [Chunk("c1"), Chunk("c1")]
    with pytest.warns(SchemaValidationWarning):
        raw = drain(both, both.call(client.chat.completions.create_stream, GOOD, decoder=bytes))
    assert raw[1] == orjson.dumps(BAD_CHUNK)
    plain = both.client(answer(frames(*CHUNKS), **SSE), validate="warn")
    assert (
        len(drain(both, both.call(plain.completions.create_stream, {"model": "m", "prompt": "x"})))
        == 2
    )


def test_named_events_and_the_assistants_envelope(both: Both) -> None:
    events = [
        ("response.created", {"type": "response.created", "sequence_number": 0}),
        ("response.output_text.delta", {"type": "response.output_text.delta", "delta": 7}),
    ]
    client = both.client(answer(frames(*events, named=True), **SSE), validate="raise")
    with pytest.raises(SchemaValidationError, match=r"\$\.delta: 7 is not of type"):
        drain(both, both.call(client.responses.create_stream, {"model": "m", "input": "hi"}))
    run = {"id": "run_1", "object": "thread.run", "status": "queued"}
    envelope = [("thread.run.created", run), ("thread.run.queued", {**run, "status": 3})]
    client = both.client(answer(frames(*envelope, named=True), **SSE), validate="raise")
    with pytest.raises(SchemaValidationError, match=r"\$\.data\.status"):
        drain(both, both.call(client.beta.threads.runs.create_stream, "t1", {"assistant_id": "a"}))


# -- the cost when off ---------------------------------------------------------------------------


def test_nothing_is_loaded_when_validation_is_off() -> None:
    code = """
import sys, httpx, byot
answer = lambda request: httpx.Response(200, json={"id": "c1", "choices": []})
client = byot.Client(api_key="k", transport=httpx.MockTransport(answer))
client.chat.completions.create({"model": "m", "messages": [{"role": "usr"}]})
client.request("POST", "/chat/completions", {"model": "m"})
heavy = ("jsonschema", "referencing", "jsonschema_rs")
print(sorted(name for name in heavy if name in sys.modules))
print(byot._validation._STATE.checkers, byot._validation._STATE._operations)
"""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == ["[]", "{} None"]
