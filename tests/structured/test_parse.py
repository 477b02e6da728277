"""`parse` and `parse_stream` on chat completions and Responses, over httpx.MockTransport.

Each test runs with both clients (the `both` fixture). The end-to-end twins over real sockets
are in test_parse_e2e.py.
"""

from __future__ import annotations

import dataclasses
import enum
import sys
from typing import TYPE_CHECKING, Annotated, Any, Literal

import annotated_types as at
import httpx
import orjson
import pydantic
import pytest
from typing_extensions import TypedDict

import byot
from byot import errors
from byot._structured import _sanitize, _strip_fence
from byot.testing import sse_event, sse_frames

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Both

BODY = {"model": "gpt-test", "messages": [{"role": "user", "content": "A city"}]}
RESPONSES_BODY = {"model": "gpt-test", "input": "A city"}


@dataclasses.dataclass
class City:
    """A city.

    Attributes:
        name: Its name.
    """

    name: str
    population: int
    country: str | None = None


class CityDict(TypedDict):
    name: str
    population: Annotated[int, at.Ge(0)]


class CityModel(pydantic.BaseModel):
    name: str
    population: int


class Size(enum.Enum):
    SMALL = "small"
    BIG = "big"


CITY = {"name": "Lyon", "population": 522000, "country": "FR"}


def completion(
    content: str | None = None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-test",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
    }


def call(name: str, arguments: Any) -> dict[str, Any]:
    return {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}


def response(*items: dict[str, Any], status: str = "completed", **extra: Any) -> dict[str, Any]:
    return {"id": "resp_1", "object": "response", "status": status, "output": list(items), **extra}


def message(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "role": "assistant", "content": list(parts)}


def text(value: str) -> dict[str, Any]:
    return {"type": "output_text", "text": value, "annotations": []}


class Recorder:
    """A MockTransport handler answering with canned JSON and keeping the request bodies."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.bodies: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(orjson.loads(request.content))
        answer = self.answers.pop(0)
        if isinstance(answer, bytes):
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=answer
            )
        return httpx.Response(200, json=answer)


def chat_parse(both: Both, answer: Any, *args: Any, **kwargs: Any) -> tuple[Any, Recorder]:
    recorder = Recorder(answer)
    client = both.client(recorder)
    result = both.call(client.chat.completions.parse, *args, **kwargs)
    return result, recorder


def responses_parse(both: Both, answer: Any, *args: Any, **kwargs: Any) -> tuple[Any, Recorder]:
    recorder = Recorder(answer)
    client = both.client(recorder)
    result = both.call(client.responses.parse, *args, **kwargs)
    return result, recorder


# ----------------------------------------------------------------------------- chat


def test_chat_json_schema_mode(both: Both) -> None:
    result, recorder = chat_parse(both, completion(orjson.dumps(CITY).decode()), BODY, City)
    assert result.parsed == City("Lyon", 522000, "FR")
    assert result.response["id"] == "chatcmpl-1"
    assert result.content == orjson.dumps(CITY).decode()
    sent = recorder.bodies[0]
    assert sent["messages"] == BODY["messages"]
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "City", "schema": byot.json_schema(City), "strict": True},
    }
    assert "response_format" not in BODY  # the caller's body is left alone


def test_chat_response_type_and_name(both: Both) -> None:
    @dataclasses.dataclass
    class Completion:
        id: str

    result, recorder = chat_parse(
        both,
        completion('{"name": "Lyon", "population": 1}'),
        BODY,
        CityModel,
        name="my city!",
        strict=False,
        response_type=Completion,
    )
    assert result.parsed == CityModel(name="Lyon", population=1)
    assert result.response == Completion("chatcmpl-1")
    assert recorder.bodies[0]["response_format"]["json_schema"]["name"] == "my_city"
    assert recorder.bodies[0]["response_format"]["json_schema"]["strict"] is False


def test_chat_json_object_mode(both: Both) -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "A city"},
        ],
    }
    result, recorder = chat_parse(
        both, completion(orjson.dumps(CITY).decode()), body, City, mode="json_object"
    )
    assert result.parsed.name == "Lyon"
    sent = recorder.bodies[0]
    assert sent["response_format"] == {"type": "json_object"}
    system = sent["messages"][0]["content"]
    assert system.startswith("You are terse.\n\nAnswer with one JSON object")
    assert orjson.dumps(byot.json_schema(City)).decode() in system
    assert sent["messages"][1] == body["messages"][1]


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "user", "content": "A city"}],
        [{"role": "system", "content": [{"type": "text", "text": "parts"}]}],
        [],
    ],
)
def test_json_object_mode_adds_a_system_message(both: Both, messages: list[dict[str, Any]]) -> None:
    _, recorder = chat_parse(
        both,
        completion(orjson.dumps(CITY).decode()),
        {"model": "m", "messages": messages},
        City,
        mode="json_object",
    )
    sent = recorder.bodies[0]["messages"]
    assert sent[0]["role"] == "system"
    assert sent[0]["content"].startswith("Answer with one JSON object")
    assert sent[1:] == messages


def test_chat_tool_mode(both: Both) -> None:
    own_tool = {"type": "function", "function": {"name": "lookup", "parameters": {}}}
    answer = completion(
        None,
        finish_reason="tool_calls",
        tool_calls=[call("lookup", "{}"), call("City", orjson.dumps(CITY).decode())],
    )
    result, recorder = chat_parse(both, answer, {**BODY, "tools": [own_tool]}, City, mode="tool")
    assert result.parsed == City("Lyon", 522000, "FR")
    sent = recorder.bodies[0]
    assert sent["tools"] == [
        own_tool,
        {
            "type": "function",
            "function": {
                "name": "City",
                "parameters": byot.json_schema(City),
                "strict": True,
                "description": "A city.",
            },
        },
    ]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "City"}}


def test_tool_arguments_sent_as_an_object(both: Both) -> None:
    answer = completion(None, tool_calls=[call("CityModel", {"name": "Lyon", "population": 2})])
    result, _ = chat_parse(both, answer, BODY, CityModel, mode="tool")
    assert result.parsed == CityModel(name="Lyon", population=2)
    assert result.content == '{"name":"Lyon","population":2}'


def test_a_type_that_is_not_an_object_travels_wrapped(both: Both) -> None:
    answer = completion('{"value": ["small", "big"]}')
    result, recorder = chat_parse(both, answer, BODY, list[Size])
    assert result.parsed == [Size.SMALL, Size.BIG]
    schema = recorder.bodies[0]["response_format"]["json_schema"]
    assert schema["name"] == "list_Size"
    assert schema["schema"] == {
        "type": "object",
        "properties": {
            "value": {"type": "array", "items": {"type": "string", "enum": ["small", "big"]}}
        },
        "required": ["value"],
        "additionalProperties": False,
    }


def test_wrapped_definitions_stay_at_the_root(both: Both) -> None:
    answer = completion(orjson.dumps({"value": [CITY]}).decode())
    result, recorder = chat_parse(both, answer, BODY, list[City])
    assert result.parsed == [City("Lyon", 522000, "FR")]
    schema = recorder.bodies[0]["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["value"] == {"type": "array", "items": {"$ref": "#/$defs/City"}}
    assert set(schema["$defs"]) == {"City"}


def test_a_code_fence_around_the_json_is_removed(both: Both) -> None:
    fenced = "```json\n" + orjson.dumps(CITY).decode() + "\n```"
    result, _ = chat_parse(both, completion(fenced), BODY, City, mode="json_object")
    assert result.parsed.name == "Lyon"
    assert result.content == fenced


def test_a_typed_body(both: Both) -> None:
    @dataclasses.dataclass
    class Request:
        model: str
        messages: list[dict[str, str]]
        temperature: float | None = None

    request = Request("m", [{"role": "user", "content": "A city"}])
    _, recorder = chat_parse(both, completion(orjson.dumps(CITY).decode()), request, City)
    assert recorder.bodies[0]["messages"] == request.messages
    assert "temperature" not in recorder.bodies[0]


# ----------------------------------------------------------------------------- chat errors


@pytest.mark.parametrize(
    ("answer", "error", "content"),
    [
        (
            completion('{"name": "Ly', finish_reason="length"),
            errors.LengthFinishReasonError,
            '{"name": "Ly',
        ),
        (
            completion(None, finish_reason="content_filter"),
            errors.ContentFilterFinishReasonError,
            None,
        ),
        (completion(None, refusal="I cannot help with that."), errors.RefusalError, None),
        (completion(""), errors.MissingOutputError, ""),
        ({"id": "x", "choices": []}, errors.MissingOutputError, None),
        (
            completion("Sure! Here is a city: Lyon"),
            errors.OutputNotJSONError,
            "Sure! Here is a city: Lyon",
        ),
        (completion('{"name": "Lyon"}'), errors.OutputTypeError, '{"name": "Lyon"}'),
        (completion('{"name": "Lyon", "population": "many"}'), errors.OutputTypeError, None),
    ],
    ids=[
        "length",
        "content_filter",
        "refusal",
        "empty",
        "no-choices",
        "not-json",
        "missing",
        "wrong-type",
    ],
)
def test_chat_errors(
    both: Both,
    answer: dict[str, Any],
    error: type[errors.StructuredOutputError],
    content: str | None,
) -> None:
    with pytest.raises(error) as caught:
        chat_parse(both, answer, BODY, City)
    assert caught.value.response == answer
    if content is not None:
        assert caught.value.content == content


def test_error_details(both: Both) -> None:
    with pytest.raises(errors.RefusalError) as refused:
        chat_parse(both, completion(None, refusal="No."), BODY, City)
    assert refused.value.refusal == "No."
    assert str(refused.value) == "the model refused: No."
    with pytest.raises(errors.OutputTypeError) as mismatch:
        chat_parse(both, completion('{"name": "Lyon", "population": "many"}'), BODY, City)
    assert mismatch.value.path == "$.population"
    assert "does not fit City" in str(mismatch.value)
    assert isinstance(mismatch.value.__cause__, errors.DecodeError)
    with pytest.raises(errors.OutputNotJSONError, match="not valid JSON"):
        chat_parse(both, completion("x" * 300), BODY, City)
    with pytest.raises(errors.MissingOutputError, match="no a call of the tool 'City'"):
        chat_parse(both, completion("I'd rather talk."), BODY, City, mode="tool")


def test_a_typeddict_is_checked_against_its_schema(both: Both) -> None:
    result, _ = chat_parse(both, completion('{"name": "Lyon", "population": 3}'), BODY, CityDict)
    assert result.parsed == {"name": "Lyon", "population": 3}
    with pytest.raises(errors.OutputTypeError) as caught:
        chat_parse(both, completion('{"name": "Lyon", "population": -3}'), BODY, CityDict)
    assert caught.value.path == "$.population"
    assert "-3 is less than the minimum of 0" in str(caught.value)


def test_a_wrapped_output_without_its_wrapper(both: Both) -> None:
    with pytest.raises(errors.OutputTypeError, match="key 'value' around the list"):
        chat_parse(both, completion('["small"]'), BODY, list[Size])


def test_body_conflicts_and_bad_modes(both: Both) -> None:
    client = both.client(Recorder())
    with pytest.raises(TypeError, match="sets 'response_format' itself"):
        both.call(client.chat.completions.parse, {**BODY, "response_format": {}}, City)
    with pytest.raises(TypeError, match="sets 'tool_choice' itself"):
        both.call(client.chat.completions.parse, {**BODY, "tool_choice": "auto"}, City, mode="tool")
    with pytest.raises(TypeError, match="sets 'format' itself"):
        both.call(client.responses.parse, {**RESPONSES_BODY, "text": {"format": {}}}, City)
    with pytest.raises(
        ValueError, match="mode must be one of 'json_schema', 'json_object', 'tool'"
    ):
        both.call(client.chat.completions.parse, BODY, City, mode="grammar")
    with pytest.raises(errors.SchemaGenerationError, match="free-form keys"):
        both.call(client.chat.completions.parse, BODY, dict[str, int])


# ----------------------------------------------------------------------------- Responses


def test_responses_json_schema_mode(both: Both) -> None:
    answer = response(
        message(text('{"name": "Lyon", '), {"type": "future_part"}, text('"population": 9}'))
    )
    result, recorder = responses_parse(
        both, answer, {**RESPONSES_BODY, "text": {"verbosity": "low"}}, City
    )
    assert result.parsed == City("Lyon", 9)
    assert recorder.bodies[0]["text"] == {
        "verbosity": "low",
        "format": {
            "type": "json_schema",
            "name": "City",
            "schema": byot.json_schema(City),
            "strict": True,
        },
    }


@pytest.mark.parametrize("instructions", [None, "Be brief."])
def test_responses_json_object_mode(both: Both, instructions: str | None) -> None:
    body = {**RESPONSES_BODY, **({"instructions": instructions} if instructions else {})}
    answer = response(message(text(orjson.dumps(CITY).decode())))
    result, recorder = responses_parse(both, answer, body, City, mode="json_object")
    assert result.parsed.country == "FR"
    sent = recorder.bodies[0]
    assert sent["text"] == {"format": {"type": "json_object"}}
    assert sent["instructions"].startswith(
        f"{instructions}\n\nAnswer" if instructions else "Answer"
    )


def test_responses_tool_mode(both: Both) -> None:
    answer = response(
        {"type": "reasoning", "summary": []},
        {
            "type": "function_call",
            "name": "City",
            "call_id": "c1",
            "arguments": orjson.dumps(CITY).decode(),
        },
        {"type": "function_call", "name": "City", "call_id": "c2", "arguments": "{}"},
    )
    result, recorder = responses_parse(both, answer, RESPONSES_BODY, City, mode="tool")
    assert result.parsed.population == 522000
    sent = recorder.bodies[0]
    assert sent["tools"] == [
        {"type": "function", "name": "City", "parameters": byot.json_schema(City), "strict": True}
    ]
    assert sent["tool_choice"] == {"type": "function", "name": "City"}


@pytest.mark.parametrize(
    ("answer", "error", "match"),
    [
        (
            response(
                message(text('{"na')),
                status="incomplete",
                incomplete_details={"reason": "max_output_tokens"},
            ),
            errors.LengthFinishReasonError,
            "max_output_tokens",
        ),
        (
            response(status="incomplete", incomplete_details={"reason": "content_filter"}),
            errors.ContentFilterFinishReasonError,
            "content filter",
        ),
        (
            response(status="incomplete", incomplete_details={"reason": "other"}),
            errors.MissingOutputError,
            "no output text \\(status 'incomplete'\\)",
        ),
        (
            response(status="failed", error={"code": "server_error", "message": "Boom"}),
            errors.MissingOutputError,
            "status 'failed': Boom\\)",
        ),
        (
            response(message({"type": "refusal", "refusal": "No."})),
            errors.RefusalError,
            "the model refused: No.",
        ),
        (response(message(text("{oops"))), errors.OutputNotJSONError, "not valid JSON"),
    ],
)
def test_responses_errors(
    both: Both, answer: dict[str, Any], error: type[errors.StructuredOutputError], match: str
) -> None:
    with pytest.raises(error, match=match) as caught:
        responses_parse(both, answer, RESPONSES_BODY, City)
    assert caught.value.response == answer


def test_responses_tool_not_called(both: Both) -> None:
    with pytest.raises(errors.MissingOutputError, match="no a call of the tool 'City'"):
        responses_parse(both, response(message(text("{}"))), RESPONSES_BODY, City, mode="tool")


# ----------------------------------------------------------------------------- streams


def chat_chunk(
    delta: dict[str, Any], finish_reason: str | None = None, index: int = 0
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "model": "gpt-test",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish_reason}],
    }


def content_stream(*pieces: str, finish_reason: str = "stop") -> bytes:
    chunks = [chat_chunk({"role": "assistant", "content": ""})]
    chunks += [chat_chunk({"content": piece}) for piece in pieces]
    chunks.append(chat_chunk({}, finish_reason))
    return sse_frames(chunks)


def collect(both: Both, stream: Any) -> tuple[list[Any], Any]:
    """Every partial a parse stream yields, then its final result, with either client."""

    async def run_async() -> tuple[list[Any], Any]:
        async with stream:
            partials = [partial async for partial in stream]
            return partials, await stream.final()

    if both.is_async:
        return both.run(run_async())
    with stream:
        partials = list(stream)
        return partials, stream.final()


def test_chat_stream_partials_and_final(both: Both) -> None:
    body = content_stream('{"name": "Ly', 'on", "popul', 'ation": 52', "2000}")
    client = both.client(Recorder(body))
    stream = both.call(client.chat.completions.parse_stream, BODY, City)
    partials, result = collect(both, stream)
    assert partials == [
        {"name": "Ly"},
        {"name": "Lyon"},  # a key without its value yet is left out
        {"name": "Lyon", "population": 52},
        {"name": "Lyon", "population": 522000},
    ]
    assert result.parsed == City("Lyon", 522000)
    assert (
        result.response["choices"][0]["message"]["content"]
        == '{"name": "Lyon", "population": 522000}'
    )
    assert stream.content == '{"name": "Lyon", "population": 522000}'
    assert stream.partial == {"name": "Lyon", "population": 522000}


def test_chat_stream_final_without_iterating(both: Both) -> None:
    client = both.client(Recorder(content_stream('{"name": "A", "population": 1}')))
    stream = both.call(client.chat.completions.parse_stream, BODY, City, response_type=dict)
    assert stream.partial is None  # nothing read yet
    result = both.run(stream.final())
    assert result.parsed == City("A", 1)
    both.run(stream.aclose() if both.is_async else stream.close())


def test_chat_stream_cut_at_the_token_limit(both: Both) -> None:
    client = both.client(Recorder(content_stream('{"name": "Ly', finish_reason="length")))
    stream = both.call(client.chat.completions.parse_stream, BODY, City)
    with pytest.raises(errors.LengthFinishReasonError) as caught:
        collect(both, stream)
    assert caught.value.content == '{"name": "Ly'
    assert caught.value.response["choices"][0]["finish_reason"] == "length"


def test_chat_stream_tool_mode(both: Both) -> None:
    def tool_delta(arguments: str) -> dict[str, Any]:
        return {"tool_calls": [{"index": 0, "function": {"arguments": arguments}}]}

    first = {"index": 0, "id": "call_1", "type": "function"}
    chunks = [
        chat_chunk({"role": "assistant", "content": None}),
        chat_chunk({"tool_calls": [{**first, "function": {"name": "list_Size", "arguments": ""}}]}),
        chat_chunk(tool_delta('{"value": ["sm')),
        chat_chunk(tool_delta('all"]}')),
        chat_chunk({"content": "ignored in tool mode"}, index=1),
        chat_chunk({}, "tool_calls"),
    ]
    client = both.client(Recorder(sse_frames(chunks)))
    stream = both.call(client.chat.completions.parse_stream, BODY, list[Size], mode="tool")
    partials, result = collect(both, stream)
    assert partials == [["sm"], ["small"]]
    assert result.parsed == [Size.SMALL]


def responses_stream(*deltas: str, tool: bool = False) -> bytes:
    kind = "response.function_call_arguments.delta" if tool else "response.output_text.delta"
    whole = "".join(deltas)
    item = (
        {"type": "function_call", "name": "City", "call_id": "c1", "arguments": whole}
        if tool
        else message(text(whole))
    )
    events = [
        sse_event(
            {"type": "response.created", "response": response(status="in_progress")},
            event="response.created",
        )
    ]
    events += [sse_event({"type": kind, "output_index": 0, "delta": d}, event=kind) for d in deltas]
    events.append(
        sse_event(
            {"type": "response.completed", "response": response(item)}, event="response.completed"
        )
    )
    return b"".join(events)


@pytest.mark.parametrize("mode", ["json_schema", "tool"])
def test_responses_stream(both: Both, mode: Literal["json_schema", "tool"]) -> None:
    body = responses_stream('{"name": "Lyon", ', '"population": 7}', tool=mode == "tool")
    client = both.client(Recorder(body))
    stream = both.call(client.responses.parse_stream, RESPONSES_BODY, City, mode=mode)
    partials, result = collect(both, stream)
    assert partials == [{"name": "Lyon"}, {"name": "Lyon", "population": 7}]
    assert result.parsed == City("Lyon", 7)
    assert result.response["status"] == "completed"


def test_partials_need_jiter(both: Both, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jiter", None)
    client = both.client(Recorder(content_stream('{"name": "A", "population": 1}')))
    stream = both.call(client.chat.completions.parse_stream, BODY, City)
    with pytest.raises(
        errors.ConfigError, match=r"needs jiter: pip install 'byot-client\[structured\]'"
    ):
        collect(both, stream)


def test_partials_keep_the_last_readable_value(both: Both) -> None:
    client = both.client(Recorder(content_stream("```json\n", '{"name": "A"', ", x", "}\n```")))
    stream = both.call(client.chat.completions.parse_stream, BODY, CityDict, mode="json_object")
    with pytest.raises(errors.OutputNotJSONError):
        collect(both, stream)


# ----------------------------------------------------------------------------- helpers


def test_response_format_and_text_format() -> None:
    assert byot.response_format(City) == {
        "type": "json_schema",
        "json_schema": {"name": "City", "schema": byot.json_schema(City), "strict": True},
    }
    assert byot.text_format(City, name="town", strict=False) == {
        "type": "json_schema",
        "name": "town",
        "schema": byot.json_schema(City, strict=False),
        "strict": False,
    }
    with pytest.raises(errors.SchemaGenerationError, match="must be a JSON object at its root"):
        byot.response_format(list[City])


@pytest.mark.parametrize(
    ("name", "expected"),
    [("City", "City"), ("list[City]", "list_City"), ("???", "output"), ("x" * 80, "x" * 64)],
)
def test_names(name: str, expected: str) -> None:
    assert _sanitize(name) == expected


@pytest.mark.parametrize(
    ("text", "partial", "expected"),
    [
        ('{"a": 1}', False, '{"a": 1}'),
        ('```json\n{"a": 1}\n```', False, '{"a": 1}'),
        ('```\n{"a": 1}```', False, '{"a": 1}'),
        ('```json\n{"a": 1', False, '```json\n{"a": 1'),
        ('```json\n{"a": 1', True, '{"a": 1'),
    ],
)
def test_fences(text: str, partial: bool, expected: str) -> None:
    assert _strip_fence(text, partial=partial) == expected


def test_unhashable_output_types_are_not_cached(both: Both) -> None:
    class Marker:
        __hash__ = None  # type: ignore[assignment]
        description = "A count"

    tp: Callable[..., Any] = Annotated[int, Marker()]  # type: ignore[assignment]
    result, _ = chat_parse(both, completion('{"value": 3}'), BODY, tp)
    assert result.parsed == 3


def test_typeddicts_are_checked_without_jsonschema_rs(
    both: Both, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Plain(TypedDict):  # a type of its own: outputs are cached per type
        name: str

    monkeypatch.setitem(sys.modules, "jsonschema_rs", None)
    result, _ = chat_parse(both, completion('{"name": "Lyon"}'), BODY, Plain)
    assert result.parsed == {"name": "Lyon"}
    with pytest.raises(errors.OutputTypeError, match="'name' is a required property"):
        chat_parse(both, completion("{}"), BODY, Plain)


def test_pydantic_and_msgspec_errors_come_from_the_slow_path(both: Both) -> None:
    import msgspec

    class Town(msgspec.Struct):
        name: str

    with pytest.raises(errors.OutputTypeError, match="does not fit Town") as caught:
        chat_parse(both, completion('{"name": 3}'), BODY, Town)
    assert isinstance(caught.value.__cause__, errors.DecodeError)
    with pytest.raises(errors.OutputNotJSONError):
        chat_parse(both, completion('{"name": '), BODY, CityModel)
