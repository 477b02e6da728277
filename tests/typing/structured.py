"""Static typing checks of structured outputs: `parse` infers the caller's type, never run.

Checked by mypy --strict and pyright strict like api.py (see its docstring for the rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import attrs
import msgspec
import pydantic
from typing_extensions import TypedDict, assert_type

import byot
from byot import errors


@dataclass
class CityDataclass:
    name: str


class CityDict(TypedDict):
    name: str


class CityModel(pydantic.BaseModel):
    name: str


class CityStruct(msgspec.Struct):
    name: str


@attrs.define
class CityAttrs:
    name: str


@dataclass
class Completion:
    id: str


BODY: dict[str, Any] = {"model": "gpt-4o-mini", "messages": []}
RESPONSES_BODY: dict[str, Any] = {"model": "gpt-4o-mini", "input": "A city"}


def chat(client: byot.Client) -> None:
    chat = client.chat.completions
    assert_type(chat.parse(BODY, CityDataclass).parsed, CityDataclass)
    assert_type(chat.parse(BODY, CityDict).parsed, CityDict)
    assert_type(chat.parse(BODY, CityModel).parsed, CityModel)
    assert_type(chat.parse(BODY, CityStruct).parsed, CityStruct)
    assert_type(chat.parse(BODY, CityAttrs).parsed, CityAttrs)
    assert_type(chat.parse(BODY, list[CityDataclass]).parsed, list[CityDataclass])
    result = chat.parse(BODY, CityModel, mode="tool", name="city", strict=False)
    assert_type(result, byot.Parsed[CityModel, dict[str, Any]])
    assert_type(result.response, dict[str, Any])
    assert_type(result.content, str)
    typed = chat.parse(BODY, CityDict, response_type=Completion, timeout=5)
    assert_type(typed, byot.Parsed[CityDict, Completion])
    assert_type(typed.response, Completion)
    chat.parse(BODY, CityDict, mode="grammar")  # type: ignore[arg-type]
    chat.parse(BODY, CityDict, timout=5)  # type: ignore[call-arg]
    with chat.parse_stream(BODY, CityAttrs) as stream:
        assert_type(stream, byot.ParsedStream[CityAttrs, dict[str, Any]])
        for partial in stream:
            assert_type(partial, Any)
        assert_type(stream.final().parsed, CityAttrs)
        assert_type(stream.content, str)


def responses(client: byot.Client) -> None:
    assert_type(client.responses.parse(RESPONSES_BODY, CityStruct).parsed, CityStruct)
    result = client.responses.parse(RESPONSES_BODY, CityDataclass, response_type=Completion)
    assert_type(result, byot.Parsed[CityDataclass, Completion])
    with client.responses.parse_stream(RESPONSES_BODY, CityModel, mode="json_object") as stream:
        assert_type(stream.final().parsed, CityModel)


async def chat_async(client: byot.AsyncClient) -> None:
    chat = client.chat.completions
    assert_type((await chat.parse(BODY, CityDataclass)).parsed, CityDataclass)
    assert_type((await chat.parse(BODY, CityDict)).parsed, CityDict)
    assert_type((await chat.parse(BODY, CityModel)).parsed, CityModel)
    assert_type((await chat.parse(BODY, CityStruct)).parsed, CityStruct)
    assert_type((await chat.parse(BODY, CityAttrs)).parsed, CityAttrs)
    typed = await client.responses.parse(RESPONSES_BODY, CityAttrs, response_type=Completion)
    assert_type(typed, byot.Parsed[CityAttrs, Completion])
    async with await chat.parse_stream(BODY, CityDict) as stream:
        assert_type(stream, byot.AsyncParsedStream[CityDict, dict[str, Any]])
        async for partial in stream:
            assert_type(partial, Any)
        assert_type((await stream.final()).parsed, CityDict)
    other = await client.responses.parse_stream(RESPONSES_BODY, CityStruct)
    assert_type((await other.final()).parsed, CityStruct)


def schemas_and_errors() -> None:
    assert_type(byot.json_schema(CityDataclass), dict[str, Any])
    assert_type(byot.response_format(CityModel, name="city"), dict[str, Any])
    assert_type(byot.text_format(CityStruct, strict=False), dict[str, Any])
    try:
        pass
    except errors.RefusalError as error:
        assert_type(error.refusal, str)
        assert_type(error.content, str | None)
    except errors.OutputTypeError as error:
        assert_type(error.path, str)
        assert_type(error.response, Any)
    except errors.SchemaGenerationError as error:
        assert_type(error.field, str)
