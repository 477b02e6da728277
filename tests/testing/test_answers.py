"""SpecMock answers requests that bring their own schema: structured outputs and forced calls.

Each synthesized answer is checked with jsonschema against the very schema the request sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import annotated_types
import httpx
import jsonschema
import orjson
import pytest

import byot
from byot.testing import SpecMock
from byot.testing._synth import Synthesizer

pytestmark = pytest.mark.anyio


@dataclass
class Node:
    value: int
    children: list[Node]
    parent: Node | None


@dataclass
class Point:
    x: float
    y: float
    label: Annotated[str, annotated_types.MaxLen(3)] | None = None


OBJECT = {"type": "object", "additionalProperties": False}
SCHEMAS: dict[str, dict[str, Any]] = {
    "strings": {
        **OBJECT,
        "properties": {
            "city": {"type": "string"},
            "code": {"type": "string", "minLength": 4, "maxLength": 4},
            "short": {"type": "string", "maxLength": 3},
            "digits": {"type": "string", "pattern": "^[0-9]+$"},
            "upper": {"type": "string", "pattern": "^[A-Z]{3}$"},
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "mail": {"type": "string", "format": "email"},
            "id": {"type": "string", "format": "uuid"},
        },
        "required": ["city", "code", "short", "digits", "upper", "when", "day", "mail", "id"],
    },
    "numbers": {
        **OBJECT,
        "properties": {
            "n": {"type": "integer"},
            "positive": {"type": "integer", "exclusiveMinimum": 0},
            "negative": {"type": "integer", "maximum": -5},
            "below": {"type": "number", "exclusiveMaximum": -1},
            "ranged": {"type": "number", "minimum": 2.5, "maximum": 3},
            "tens": {"type": "integer", "minimum": 11, "multipleOf": 10},
            "capped": {"type": "integer", "minimum": -10, "maximum": -3, "multipleOf": 4},
        },
        "required": ["n", "positive", "negative", "below", "ranged", "tens", "capped"],
    },
    "enums and consts": {
        **OBJECT,
        "properties": {
            "kind": {"type": "string", "enum": ["a", "b"]},
            "version": {"const": 2},
            "maybe": {"enum": [None, "x"]},
            "flag": {"type": "boolean"},
            "nothing": {"type": "null"},
        },
        "required": ["kind", "version", "maybe", "flag", "nothing"],
    },
    "arrays": {
        **OBJECT,
        "properties": {
            "empty": {"type": "array", "items": {"type": "string"}},
            "two": {"type": "array", "items": {"type": "integer"}, "minItems": 2},
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "items": False,
            },
        },
        "required": ["empty", "two", "pair"],
    },
    "unions": {
        **OBJECT,
        "properties": {
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "one": {"oneOf": [{"type": "null"}, {"type": "boolean"}]},
            "nullable": {"type": ["string", "null"]},
        },
        "required": ["either", "one", "nullable"],
    },
    "nested with $defs": {
        **OBJECT,
        "properties": {"home": {"$ref": "#/$defs/Place"}, "away": {"$ref": "#/$defs/Place"}},
        "required": ["home", "away"],
        "$defs": {
            "Place": {
                **OBJECT,
                "properties": {"name": {"type": "string"}, "at": {"$ref": "#/$defs/Spot"}},
                "required": ["name", "at"],
            },
            "Spot": {
                "allOf": [
                    {"type": "object", "properties": {"lat": {"type": "number"}}},
                    {"required": ["lat"]},
                ]
            },
        },
    },
    "recursive through #": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
        },
        "required": ["name", "next"],
    },
    "recursive dataclass": byot.json_schema(Node),
    "constrained dataclass": byot.json_schema(Point),
    "top-level array": {"type": "array", "items": {"type": "integer"}, "minItems": 1},
    "free-form": {"type": "object"},
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_synthesized_values_fit_their_schema(name: str) -> None:
    schema = SCHEMAS[name]

    value = Synthesizer.of(schema).instance(schema)

    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(value)


def test_strings_are_named_after_their_property() -> None:
    schema = SCHEMAS["strings"]
    value = Synthesizer.of(schema).instance(schema)
    assert value["city"] == "sample city"
    assert value["short"] == "sam"
    assert value["code"] == "samp"


def test_a_recursive_type_ends_in_null() -> None:
    value = Synthesizer.of(SCHEMAS["recursive dataclass"]).instance(SCHEMAS["recursive dataclass"])
    depth = 0
    while value is not None:
        value, depth = value["parent"], depth + 1
    assert 1 < depth < 12


def structured_chat(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "out", "schema": schema, "strict": True},
    }
    messages = [{"role": "user", "content": "Give me one."}]
    return {
        "model": "gpt-4o-mini",
        "messages": messages,
        "response_format": response_format,
        **extra,
    }


def structured_response(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    text = {"format": {"type": "json_schema", "name": "out", "schema": schema, "strict": True}}
    return {"model": "gpt-4o-mini", "input": "Give me one.", "text": text, **extra}


def client() -> byot.Client:
    return byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=SpecMock())


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_structured_outputs_fit_the_request_s_schema(name: str) -> None:
    schema = SCHEMAS[name]
    with client() as c:
        chat = c.chat.completions.create(structured_chat(schema))
        response = c.responses.create(structured_response(schema))

    choice = chat["choices"][0]
    assert choice["finish_reason"] == "stop"
    assert chat["model"] == "gpt-4o-mini"
    jsonschema.validate(orjson.loads(choice["message"]["content"]), schema)
    (message,) = response["output"]
    jsonschema.validate(orjson.loads(message["content"][0]["text"]), schema)
    byot.validate(chat, "createChatCompletion", direction="response")
    byot.validate(response, "createResponse", direction="response")


def weather_tools(api: Literal["chat", "responses"]) -> list[dict[str, Any]]:
    def get_weather(city: str, days: int = 1) -> str:
        """The weather."""
        return city

    def get_time(zone: Literal["UTC", "CET"]) -> str:
        """The time."""
        return zone

    toolbox = byot.Toolbox(get_weather, get_time)
    return toolbox.chat() if api == "chat" else toolbox.responses()


@pytest.mark.parametrize(
    ("choice", "parallel", "called"),
    [
        ("required", True, ["get_weather", "get_time"]),
        ("required", False, ["get_weather"]),
        ({"type": "function", "function": {"name": "get_time"}}, True, ["get_time"]),
    ],
)
def test_forced_chat_calls_fit_the_tools(choice: Any, parallel: bool, called: list[str]) -> None:
    tools = weather_tools("chat")
    body = structured_chat({"type": "object"}, tools=tools, tool_choice=choice)
    body["parallel_tool_calls"] = parallel
    with client() as c:
        chat = c.chat.completions.create(body)

    choice_ = chat["choices"][0]
    assert choice_["finish_reason"] == "tool_calls"
    calls = choice_["message"]["tool_calls"]
    assert [call["function"]["name"] for call in calls] == called
    assert len({call["id"] for call in calls}) == len(calls)
    schemas = {t["function"]["name"]: t["function"]["parameters"] for t in tools}
    for call in calls:
        jsonschema.validate(
            orjson.loads(call["function"]["arguments"]), schemas[call["function"]["name"]]
        )


@pytest.mark.parametrize(
    ("choice", "called"),
    [
        ("required", ["get_weather", "get_time"]),
        ({"type": "function", "name": "get_time"}, ["get_time"]),
    ],
)
def test_forced_responses_calls_fit_the_tools(choice: Any, called: list[str]) -> None:
    tools = weather_tools("responses")
    with client() as c:
        response = c.responses.create(
            {"model": "m", "input": "x", "tools": tools, "tool_choice": choice}
        )

    assert [item["name"] for item in response["output"]] == called
    schemas = {t["name"]: t["parameters"] for t in tools}
    for item in response["output"]:
        assert item["type"] == "function_call"
        jsonschema.validate(orjson.loads(item["arguments"]), schemas[item["name"]])
    byot.validate(response, "createResponse", direction="response")


def test_requests_that_ask_for_nothing_keep_the_documented_answer() -> None:
    tools = weather_tools("chat")
    hosted = {"type": "web_search_preview"}
    with client() as c:
        declined = c.chat.completions.create(
            {
                **structured_chat({}),
                "response_format": {"type": "text"},
                "tools": tools,
                "tool_choice": "none",
            }
        )
        responses = c.responses.create(
            {
                "model": "m",
                "input": "x",
                "tools": [hosted],
                "tool_choice": {"type": "web_search_preview"},
            }
        )
    assert declined["choices"][0]["message"]["content"] == "Hello! How can I assist you today?"
    assert responses["output"][0]["type"] == "message"


def test_offered_functions_are_called_until_a_result_comes_back() -> None:
    asked = {"model": "m", "messages": [{"role": "user", "content": "Weather?"}]}
    with client() as c:
        first = c.chat.completions.create({**asked, "tools": weather_tools("chat")})
        message = first["choices"][0]["message"]
        (call,) = message["tool_calls"]
        result = {"role": "tool", "tool_call_id": call["id"], "content": "sunny"}
        conversation = [*asked["messages"], message, result]
        second = c.chat.completions.create(
            {**asked, "messages": conversation, "tools": weather_tools("chat")}
        )
        started = c.responses.create(
            {"model": "m", "input": "x", "tools": weather_tools("responses")}
        )
        (item,) = started["output"]
        output = {"type": "function_call_output", "call_id": item["call_id"], "output": "sunny"}
        answered = c.responses.create(
            {"model": "m", "input": [output], "tools": weather_tools("responses")}
        )
    assert first["choices"][0]["finish_reason"] == "tool_calls"
    assert call["function"]["name"] == "get_weather"  # the first offered
    jsonschema.validate(orjson.loads(call["function"]["arguments"]), TOOL_PARAMETERS)
    assert second["choices"][0]["message"]["content"] == "Hello! How can I assist you today?"
    assert item["type"] == "function_call"
    assert item["name"] == "get_weather"
    assert answered["output"][0]["type"] == "message"


TOOL_PARAMETERS = weather_tools("chat")[0]["function"]["parameters"]


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(None, id="parse's own instructions"),
        pytest.param("Reply as JSON matching {schema} and nothing else.", id="another library"),
    ],
)
def test_json_mode_fits_the_schema_in_the_instructions(write: str | None) -> None:
    schema = SCHEMAS["nested with $defs"]
    instructions = (
        byot_instructions(schema) if write is None else write.format(schema=orjson.dumps(schema))
    )
    chat_body = {
        "model": "m",
        "messages": [
            {"role": "developer", "content": [{"type": "text", "text": instructions}]},
            {"role": "user", "content": "One, please."},
        ],
        "response_format": {"type": "json_object"},
    }
    response_body = {
        "model": "m",
        "input": "One, please.",
        "instructions": instructions,
        "text": {"format": {"type": "json_object"}},
    }
    with client() as c:
        chat = c.chat.completions.create(chat_body)
        response = c.responses.create(response_body)
    jsonschema.validate(orjson.loads(chat["choices"][0]["message"]["content"]), schema)
    jsonschema.validate(orjson.loads(response["output"][0]["content"][0]["text"]), schema)


def byot_instructions(schema: dict[str, Any]) -> str:
    """What parse(mode="json_object") writes, read back from the request it sends."""
    sent: list[httpx.Request] = []
    mock = SpecMock()

    def keep(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return mock.handle_request(request)

    transport = httpx.MockTransport(keep)
    with byot.Client(base_url="http://m/v1", api_key="k", transport=transport) as c:
        c.chat.completions.parse(
            {"model": "m", "messages": [{"role": "user", "content": "x"}]},
            Tag,
            mode="json_object",
        )
    system = orjson.loads(sent[0].content)["messages"][0]
    assert system["role"] == "system"
    return str(system["content"]).replace(
        orjson.dumps(byot.json_schema(Tag)).decode(), orjson.dumps(schema).decode()
    )


@dataclass
class Tag:
    name: str


def test_json_mode_without_a_schema_gets_a_small_object() -> None:
    # Braces that hold no JSON, or JSON that is no schema, are not taken for one.
    prose = 'Be brief {like this}. Output shape: {"a": 1}. Close with }.'
    body = {
        **structured_chat({}),
        "messages": [{"role": "system", "content": prose}, {"role": "user", "content": "x"}],
        "response_format": {"type": "json_object"},
    }
    with client() as c:
        chat = c.chat.completions.create(body)
        response = c.responses.create(
            {"model": "m", "input": "x", "text": {"format": {"type": "json_object"}}}
        )
    content = orjson.loads(chat["choices"][0]["message"]["content"])
    assert content == {"answer": "Hello! How can I assist you today?"}
    text = orjson.loads(response["output"][0]["content"][0]["text"])
    assert list(text) == ["answer"]
    assert "unicorn" in text["answer"]


def test_a_forced_tool_that_is_not_offered_is_a_bad_request() -> None:
    body = structured_chat({}, tools=weather_tools("chat"))
    body["tool_choice"] = {"type": "function", "function": {"name": "get_mood"}}
    with (
        client() as c,
        pytest.raises(
            byot.errors.BadRequestError,
            match=r"names 'get_mood', which is not among the tools \(get_weather, get_time\)",
        ),
    ):
        c.chat.completions.create(body)
    with client() as c, pytest.raises(byot.errors.BadRequestError, match=r"\(none\)"):
        c.responses.create(
            {"model": "m", "input": "x", "tool_choice": {"type": "function", "name": "f"}}
        )


def test_a_tool_without_parameters_gets_an_empty_object() -> None:
    tools = [{"type": "function", "function": {"name": "now"}}]
    with client() as c:
        chat = c.chat.completions.create(
            {**structured_chat({}), "tools": tools, "tool_choice": "required"}
        )
    assert chat["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == "{}"


def test_streams_carry_the_same_answer() -> None:
    schema = SCHEMAS["nested with $defs"]
    tools = weather_tools("chat")
    with client() as c:
        whole = c.chat.completions.create(structured_chat(schema))
        with c.chat.completions.create_stream(structured_chat(schema)) as stream:
            chunks = list(stream)
            streamed = stream.final()
        with c.chat.completions.create_stream(
            structured_chat({}, tools=tools, tool_choice="required")
        ) as stream:
            called = stream.final()
        response = c.responses.create(structured_response(schema))
        with c.responses.create_stream(structured_response(schema)) as events:
            names = [name for name, _ in events]
            final = events.final()
        rtools = weather_tools("responses")
        with c.responses.create_stream(
            {"model": "m", "input": "x", "tools": rtools, "tool_choice": "required"}
        ) as events:
            call_events = [name for name, _ in events]
            calls = events.final()

    assert len(chunks) > 3
    assert streamed["choices"][0]["message"]["content"] == whole["choices"][0]["message"]["content"]
    arguments = [c["function"]["arguments"] for c in called["choices"][0]["message"]["tool_calls"]]
    assert [orjson.loads(a) for a in arguments] == [
        {"city": "sample city", "days": 0},
        {"zone": "UTC"},
    ]
    assert called["choices"][0]["finish_reason"] == "tool_calls"
    assert names[0] == "response.created"
    assert names[-1] == "response.completed"
    assert "response.output_text.delta" in names
    assert final["output"] == response["output"]
    assert "response.function_call_arguments.delta" in call_events
    assert [item["name"] for item in calls["output"]] == ["get_weather", "get_time"]


async def test_the_async_client_gets_the_same_answers() -> None:
    async with byot.AsyncClient(base_url="http://mock/v1", api_key="k", transport=SpecMock()) as c:
        chat = await c.chat.completions.create(structured_chat(SCHEMAS["numbers"]))
    jsonschema.validate(orjson.loads(chat["choices"][0]["message"]["content"]), SCHEMAS["numbers"])
