"""Static typing checks of tools: never run, only type-checked (see api.py for the rules).

A tool's decoded arguments are the arguments type, for every kind of type; what `run` and
`arun` return is the handler's result (awaited, for an async one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import attrs
import msgspec
import pydantic
from typing_extensions import Never, TypedDict, assert_type

import byot


@dataclass
class WeatherDataclass:
    city: str


class WeatherTypedDict(TypedDict):
    city: str


class WeatherPydantic(pydantic.BaseModel):
    city: str


class WeatherStruct(msgspec.Struct):
    city: str


@attrs.define
class WeatherAttrs:
    city: str


def decoded_arguments_are_the_arguments_type() -> None:
    assert_type(byot.Tool(WeatherDataclass).arguments("{}"), WeatherDataclass)
    assert_type(byot.Tool(WeatherTypedDict).arguments("{}"), WeatherTypedDict)
    assert_type(byot.Tool(WeatherPydantic).arguments(b"{}"), WeatherPydantic)
    assert_type(byot.Tool(WeatherStruct).arguments({"city": "x"}), WeatherStruct)
    assert_type(byot.Tool(WeatherAttrs).arguments("{}"), WeatherAttrs)
    assert_type(byot.Tool(WeatherDataclass), byot.Tool[WeatherDataclass, Never])


def forecast(weather: WeatherDataclass) -> str:
    return weather.city


async def aforecast(weather: WeatherDataclass) -> int:
    return len(weather.city)


def get_weather(city: str, days: int = 1) -> dict[str, Any]:
    return {"city": city, "days": days}


async def get_time(city: str) -> str:
    return city


async def results_are_the_handler_s() -> None:
    sync_tool = byot.Tool(WeatherDataclass, forecast)
    assert_type(sync_tool, byot.Tool[WeatherDataclass, str])
    assert_type(sync_tool.run("{}"), str)
    assert_type(await sync_tool.arun("{}"), str)
    async_tool = byot.Tool(WeatherDataclass, aforecast)
    assert_type(await async_tool.arun("{}"), int)

    function_tool = byot.tool(get_weather)
    assert_type(function_tool.arguments("{}"), dict[str, Any])
    assert_type(function_tool.run("{}"), dict[str, Any])
    assert_type(await byot.tool(get_time).arun("{}"), str)


def handlers_take_the_arguments_type() -> None:
    byot.Tool(WeatherTypedDict, forecast)  # type: ignore[arg-type]


def calls_and_runs(client: byot.Client, completion: dict[str, Any]) -> None:
    toolbox = byot.Toolbox(get_weather, byot.Tool(WeatherDataclass, forecast))
    for call in byot.tool_calls(completion):
        assert_type(call, byot.ToolCall)
        assert_type(toolbox.run(call), dict[str, Any])
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Paris?"}]}
    result = toolbox.run_chat(client, body, max_turns=3, timeout=20)
    assert_type(result, byot.ToolRun)
    assert_type(result.response, dict[str, Any])
    toolbox.run_chat(client, body, timout=20)  # type: ignore[call-arg]
