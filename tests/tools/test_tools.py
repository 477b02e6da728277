"""Tools from the caller's functions and types: definitions, decoded arguments, calls, answers."""

from __future__ import annotations

import enum
import pickle
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import attrs
import msgspec
import orjson
import pydantic
import pytest
from typing_extensions import NotRequired, ReadOnly, TypedDict

import byot
from byot.errors import ToolArgumentsError

pytestmark = pytest.mark.anyio


class Unit(enum.Enum):
    C = "c"
    F = "f"


@dataclass
class Stop:
    name: str
    minutes: int


def plan_trip(
    city: str,
    stops: list[Stop],
    unit: Unit = Unit.C,
    note: str | None = None,
    /,
    *,
    budget: Annotated[float, "Euros to spend"] = 100.0,
    tags: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Plan a trip through a city.

    More words about the tool.

    Args:
        city: The city to visit.
        stops: Where to stop, in order;
            each with how long to stay.
        unit (Unit): Degrees for the forecast.

    Returns:
        The plan.
    """
    return {
        "city": city,
        "stops": stops,
        "unit": unit,
        "note": note,
        "budget": budget,
        "tags": tags,
    }


def test_a_function_defines_its_tool() -> None:
    trip = byot.tool(plan_trip)

    chat = trip.chat()
    function = chat["function"]
    assert chat["type"] == "function"
    assert function["name"] == "plan_trip"
    assert function["description"] == "Plan a trip through a city.\n\nMore words about the tool."
    assert function["strict"] is True
    properties = function["parameters"]["properties"]
    assert list(properties) == ["city", "stops", "unit", "note", "budget", "tags"]
    assert properties["city"]["description"] == "The city to visit."
    assert properties["stops"]["description"] == (
        "Where to stop, in order; each with how long to stay."
    )
    assert properties["unit"]["description"] == "Degrees for the forecast."
    assert properties["budget"]["description"] == "Euros to spend"
    assert function["parameters"]["additionalProperties"] is False
    responses = trip.responses()
    assert responses == {"type": "function", **function}
    assert repr(trip) == "<byot.Tool 'plan_trip'>"


def test_a_function_s_arguments_become_its_parameter_types() -> None:
    trip = byot.tool(plan_trip)
    arguments = {
        "city": "Lyon",
        "stops": [{"name": "Fourvière", "minutes": 40}],
        "unit": "f",
        "note": None,
        "budget": 80,
        "tags": ["food"],
    }

    decoded = trip.arguments(orjson.dumps(arguments))
    result = trip.run(orjson.dumps(arguments).decode())

    assert decoded == {
        "city": "Lyon",
        "stops": [Stop("Fourvière", 40)],
        "unit": Unit.F,
        "note": None,
        "budget": 80.0,
        "tags": ("food",),
    }
    assert result == decoded  # positional-only parameters were passed by position


def test_null_or_missing_optional_arguments_take_their_defaults() -> None:
    trip = byot.tool(plan_trip)

    # Strict mode makes the model send null for a parameter it wants left at its default.
    sent = {"city": "Lyon", "stops": [], "unit": None, "note": None, "budget": None}
    decoded = trip.arguments(sent)

    assert decoded == {
        "city": "Lyon",
        "stops": [],
        "unit": Unit.C,
        "note": None,
        "budget": 100.0,
        "tags": (),
    }


def only_required(city: str, when: str | None) -> str:
    return f"{city} {when}"


def test_a_missing_nullable_parameter_is_none() -> None:
    assert byot.tool(only_required).run({"city": "Oslo"}) == "Oslo None"


@pytest.mark.parametrize(
    ("arguments", "field", "path", "problem"),
    [
        ('{"city": ', None, "$", "are not valid JSON"),
        ("[1, 2]", None, "$", "must be a JSON object"),
        ({"stops": []}, "city", "$.city", "missing required argument 'city'"),
        ({"city": 3, "stops": []}, "city", "$.city", "expected a string, got the number 3"),
        (
            {"city": "x", "stops": [{"name": "a", "minutes": "ten"}]},
            "stops",
            "$.stops[0].minutes",
            "expected an integer, got a string",
        ),
        ({"city": "x", "stops": [], "unit": "k"}, "unit", "$.unit", "expected one of 'c', 'f'"),
        ({"city": "x", "stops": [], "cty": 1}, "cty", "$.cty", "unexpected argument 'cty'"),
    ],
)
def test_bad_arguments_name_the_tool_and_the_field(
    arguments: Any, field: str | None, path: str, problem: str
) -> None:
    trip = byot.tool(plan_trip)

    with pytest.raises(ToolArgumentsError) as caught:
        trip.arguments(arguments)

    error = caught.value
    assert "plan_trip" in str(error)
    assert problem in str(error)
    assert (error.tool, error.field, error.path) == ("plan_trip", field, path)
    assert error.arguments is not None
    assert error.call_id is None
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.field, copy.path, str(copy)) == (field, path, str(error))


def test_names_descriptions_and_strictness_can_be_given() -> None:
    trip = byot.tool(plan_trip, name="trip", description="Trips.", strict=False)

    function = trip.chat()["function"]
    assert (function["name"], function["description"]) == ("trip", "Trips.")
    assert "strict" not in function
    assert "city" in function["parameters"]["properties"]


def no_docs(x: Annotated[int, "An x."], y: int) -> int:
    return x + y


def test_a_function_without_a_docstring_is_described_by_its_annotations() -> None:
    function = byot.tool(no_docs).chat()["function"]

    assert "description" not in function
    assert function["parameters"]["properties"]["x"]["description"] == "An x."
    assert "description" not in function["parameters"]["properties"]["y"]


def sections_only(a: int) -> int:
    """Args:
        (stray text before any entry)
    a: The a.
    """
    return a


def empty_sections(a: int) -> int:
    """Does a thing.

    Args:

    Note:
        Not an argument.
    """
    return a


def test_docstring_sections() -> None:
    only = byot.tool(sections_only).chat()["function"]
    assert "description" not in only
    assert only["parameters"]["properties"]["a"]["description"] == "The a."
    empty = byot.tool(empty_sections).chat()["function"]
    assert empty["description"] == "Does a thing."
    assert "description" not in empty["parameters"]["properties"]["a"]


def no_parameters() -> str:
    """The time."""
    return "noon"


def test_a_function_without_parameters() -> None:
    now = byot.tool(no_parameters)
    assert now.chat()["function"]["parameters"]["properties"] == {}
    assert now.run("{}") == "noon"
    with pytest.raises(
        ToolArgumentsError, match=r"unexpected argument 'x' \(the parameters are: none\)"
    ):
        now.run({"x": 1})


def takes_args(*cities: str) -> None: ...


def takes_kwargs(**options: str) -> None: ...


@pytest.mark.parametrize("fn", [takes_args, takes_kwargs])
def test_variadic_parameters_cannot_be_a_tool(fn: Any) -> None:
    with pytest.raises(
        TypeError, match=r"takes \*(cities|options): a tool's parameters must be named"
    ):
        byot.tool(fn)


async def fetch(city: str) -> str:
    """Fetch a city."""
    return f"fetched {city}"


async def test_async_functions_run_with_arun() -> None:
    fetcher = byot.tool(fetch)

    assert await fetcher.arun('{"city": "Rome"}') == "fetched Rome"
    assert await byot.tool(only_required).arun({"city": "Oslo", "when": "now"}) == "Oslo now"
    with pytest.raises(TypeError, match=r"tool 'fetch' is async: call it with arun\(\)"):
        fetcher.run('{"city": "Rome"}')


def test_an_async_handler_that_returns_an_awaitable_that_is_not_a_coroutine() -> None:
    class Later:
        def __await__(self) -> Any:
            yield from ()

    later = byot.Tool(WeatherDataclass, lambda _: Later())
    with pytest.raises(TypeError, match="is async"):
        later.run('{"city": "Oslo"}')


# -- arguments types of every kind --------------------------------------------------------


@dataclass
class WeatherDataclass:
    """The weather in a city.

    Attributes:
        city: Which city.
    """

    city: str
    days: int = 1


class WeatherTypedDict(TypedDict):
    """The weather in a city."""

    city: ReadOnly[str]
    days: NotRequired[ReadOnly[int]]


class WeatherPydantic(pydantic.BaseModel):
    """The weather in a city."""

    city: str
    days: int = 1


class WeatherStruct(msgspec.Struct):
    """The weather in a city."""

    city: str
    days: int = 1


@attrs.define
class WeatherAttrs:
    """The weather in a city."""

    city: str
    days: int = 1


KINDS: list[Any] = [
    WeatherDataclass,
    WeatherTypedDict,
    WeatherPydantic,
    WeatherStruct,
    WeatherAttrs,
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_any_kind_of_type_is_an_arguments_type(kind: Any) -> None:
    weather = byot.Tool(kind)

    function = weather.chat()["function"]
    assert function["name"] == kind.__name__
    assert function["description"].startswith("The weather in a city.")
    assert set(function["parameters"]["properties"]) == {"city", "days"}
    decoded = weather.arguments('{"city": "Lima", "days": 3}')
    if kind is WeatherTypedDict:
        assert decoded == {"city": "Lima", "days": 3}
    else:
        assert decoded == kind(city="Lima", days=3)
    with pytest.raises(TypeError, match=f"tool '{kind.__name__}' has no handler"):
        weather.run('{"city": "Lima"}')


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_a_bad_field_of_any_kind_is_named(kind: Any) -> None:
    weather = byot.Tool(kind)

    with pytest.raises(ToolArgumentsError) as caught:
        weather.arguments({"city": "Lima", "days": "three"})

    assert caught.value.field == "days"
    assert caught.value.path == "$.days"
    assert kind.__name__ in str(caught.value)


def test_a_typed_dict_without_a_required_key() -> None:
    with pytest.raises(ToolArgumentsError, match="missing required argument 'city'") as caught:
        byot.Tool(WeatherTypedDict).arguments({"days": 2})
    assert caught.value.field == "city"
    assert byot.Tool(WeatherTypedDict).arguments({"city": "x", "days": None}) == {"city": "x"}


class Odd(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    value: int


def test_an_error_not_inside_a_field() -> None:
    @dataclass
    class Keyed:
        table: dict[str, int]

    with pytest.raises(ToolArgumentsError) as caught:
        byot.Tool(Keyed, strict=False).arguments({"table": {"odd key": "x"}})
    assert (caught.value.field, caught.value.path) == ("table", '$.table["odd key"]')
    with pytest.raises(ToolArgumentsError) as caught:
        byot.Tool(Odd).arguments({"value": 1, "other": 2})
    assert caught.value.field == "other"
    with pytest.raises(ToolArgumentsError) as caught:
        byot.Tool(WeatherDataclass).arguments({})
    assert (caught.value.field, caught.value.path) == (None, "$")


def test_a_handler_gets_the_decoded_instance() -> None:
    def forecast(weather: WeatherDataclass) -> str:
        return f"{weather.days} days in {weather.city}"

    tool = byot.Tool(WeatherDataclass, forecast, name="forecast", description="A forecast.")

    assert tool.run('{"city": "Quito"}') == "1 days in Quito"
    assert tool.chat()["function"]["description"] == "A forecast."


def test_an_undocumented_dataclass_has_no_description() -> None:
    @dataclass
    class Bare:
        x: int

    assert "description" not in byot.Tool(Bare).chat()["function"]


# -- calls and answers --------------------------------------------------------------------

CHAT_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
    "extra_content": {"google": {"thought_signature": "sig=="}},
}
RESPONSES_CALL = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_2",
    "name": "get_time",
    "arguments": {"city": "Lima"},  # an object, as some providers send
}


def test_tool_calls_from_every_shape() -> None:
    completion = {"choices": [{"message": {"role": "assistant", "tool_calls": [CHAT_CALL]}}]}
    custom = {"id": "c", "type": "custom", "custom": {"name": "grammar", "input": "x"}}
    message = {"role": "assistant", "tool_calls": [custom, {**CHAT_CALL, "id": "call_9"}]}
    response = {"output": [{"type": "reasoning", "id": "rs"}, RESPONSES_CALL]}

    (from_completion,) = byot.tool_calls(completion)
    (from_message,) = byot.tool_calls(message)
    (from_response,) = byot.tool_calls(response)
    (from_items,) = byot.tool_calls(response["output"])

    assert from_completion == byot.ToolCall(
        "call_1", "get_weather", '{"city": "Paris"}', "chat", CHAT_CALL
    )
    assert from_message.id == "call_9"
    assert from_response == from_items
    assert from_response == byot.ToolCall(
        "call_2", "get_time", {"city": "Lima"}, "responses", RESPONSES_CALL
    )
    assert byot.tool_calls({"role": "assistant", "content": "Hi", "tool_calls": None}) == []
    assert byot.tool_calls({"choices": []}) == []


def test_missing_or_empty_arguments_are_an_empty_object() -> None:
    bare = {"id": "c", "type": "function", "function": {"name": "now"}}
    empty = {"type": "function_call", "call_id": "c", "name": "now", "arguments": ""}
    assert byot.tool_calls({"tool_calls": [bare]})[0].arguments == "{}"
    assert byot.tool_calls([empty])[0].arguments == "{}"


def test_answers_in_each_api_s_shape() -> None:
    chat_call = byot.tool_calls({"tool_calls": [CHAT_CALL]})[0]
    responses_call = byot.tool_calls([RESPONSES_CALL])[0]

    assert chat_call.output("sunny") == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": "sunny",
    }
    assert responses_call.output(Stop("a", 1)) == {
        "type": "function_call_output",
        "call_id": "call_2",
        "output": '{"name":"a","minutes":1}',
    }
    assert chat_call.output(None)["content"] == "null"
    with pytest.raises(TypeError, match="cannot encode"):
        chat_call.output(object())


def test_literal_arguments() -> None:
    def pick(color: Literal["red", "blue"]) -> str:
        return color

    assert byot.tool(pick).run({"color": "blue"}) == "blue"
