"""Structured outputs against llmock, a third-party server that answers like a model server.

llmock reads a request's `response_format` / `text.format` schema and answers with JSON it
synthesizes to fit it, so the native mode is checked against a reader of byot's schemas that
is not byot. Its `reply` behaviour scripts the JSON-mode text, forced tool calls (streamed in
fragments), a `length` stop and text that is not JSON. Both clients, plain and streamed; the
server is reset before each test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
import pytest

import byot
from byot import errors
from tests.conformance.test_llmock import control, script
from tests.structured.test_parse import CITY, City

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.anyio

MODEL = "gpt-4o-mini"
CHAT_BODY = {"model": MODEL, "messages": [{"role": "user", "content": "A city, please"}]}
RESPONSES_BODY = {"model": MODEL, "input": "A city, please"}


class Driver:
    """One kind of client against llmock, awaited where the async one needs it."""

    def __init__(self, mode: str, llmock: str) -> None:
        self.is_async = mode == "async"
        cls = byot.AsyncClient if self.is_async else byot.Client
        self.client: Any = cls(base_url=llmock + "/v1", api_key="sk-test", timeout=10)

    async def call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        value = method(*args, **kwargs)
        return await value if self.is_async else value

    async def stream(self, stream: Any) -> tuple[list[Any], Any]:
        """Every partial of a parse stream, then its result."""
        if self.is_async:
            async with stream:
                return [p async for p in stream], await stream.final()
        with stream:
            return list(stream), stream.final()


@pytest.fixture(params=["sync", "async"])
async def drive(request: pytest.FixtureRequest, llmock: str) -> AsyncIterator[Driver]:
    control(llmock, "POST", "reset")
    driver = Driver(request.param, llmock)
    yield driver
    if driver.is_async:
        await driver.client.aclose()
    else:
        driver.client.close()


def reply(text: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"type": "reply", **({"text": text} if text is not None else {}), **fields}


def tool_reply() -> dict[str, Any]:
    return reply(tool_calls=[{"name": "City", "arguments": CITY}])


async def test_native_schema_answered_by_synthesis(drive: Driver) -> None:
    result = await drive.call(drive.client.chat.completions.parse, CHAT_BODY, City)
    assert isinstance(result.parsed, City)
    assert orjson.loads(result.content).keys() == {"name", "population", "country"}
    other = await drive.call(drive.client.responses.parse, RESPONSES_BODY, City)
    assert isinstance(other.parsed, City)


async def test_native_schema_streamed(drive: Driver, llmock: str) -> None:
    stream = await drive.call(drive.client.chat.completions.parse_stream, CHAT_BODY, City)
    partials, result = await drive.stream(stream)
    assert isinstance(result.parsed, City)
    assert partials  # the output arrived in pieces
    assert partials[-1] == orjson.loads(result.content)
    stream = await drive.call(drive.client.responses.parse_stream, RESPONSES_BODY, City)
    _, other = await drive.stream(stream)
    assert isinstance(other.parsed, City)


async def test_json_object_mode(drive: Driver, llmock: str) -> None:
    script(llmock, reply(orjson.dumps(CITY).decode()), reply(orjson.dumps(CITY).decode()))
    chat = drive.client.chat.completions
    result = await drive.call(chat.parse, CHAT_BODY, City, mode="json_object")
    assert result.parsed == City("Lyon", 522000, "FR")
    stream = await drive.call(chat.parse_stream, CHAT_BODY, City, mode="json_object")
    _, streamed = await drive.stream(stream)
    assert streamed.parsed == City("Lyon", 522000, "FR")


async def test_tool_mode(drive: Driver, llmock: str) -> None:
    script(llmock, tool_reply(), tool_reply(), tool_reply())
    chat = drive.client.chat.completions
    result = await drive.call(chat.parse, CHAT_BODY, City, mode="tool")
    assert result.parsed == City("Lyon", 522000, "FR")
    stream = await drive.call(chat.parse_stream, CHAT_BODY, City, mode="tool")
    partials, streamed = await drive.stream(stream)
    assert streamed.parsed == City("Lyon", 522000, "FR")
    assert partials[-1] == CITY
    other = await drive.call(drive.client.responses.parse, RESPONSES_BODY, City, mode="tool")
    assert other.parsed == City("Lyon", 522000, "FR")


@pytest.mark.parametrize("mode", ["json_schema", "json_object", "tool"])
async def test_length_cut_off(drive: Driver, llmock: str, mode: str) -> None:
    if mode == "tool":
        script(
            llmock, reply(tool_calls=[{"name": "City", "arguments": CITY}], finish_reason="length")
        )
    else:
        script(llmock, reply('{"name": "Ly', finish_reason="length"))
    with pytest.raises(errors.LengthFinishReasonError):
        await drive.call(drive.client.chat.completions.parse, CHAT_BODY, City, mode=mode)


@pytest.mark.parametrize("mode", ["json_schema", "json_object"])
async def test_text_that_is_not_json(drive: Driver, llmock: str, mode: str) -> None:
    script(llmock, reply("Lyon is a lovely city."))
    with pytest.raises(errors.OutputNotJSONError) as caught:
        await drive.call(drive.client.chat.completions.parse, CHAT_BODY, City, mode=mode)
    assert caught.value.content == "Lyon is a lovely city."


async def test_no_tool_call(drive: Driver, llmock: str) -> None:
    script(llmock, reply("I would rather chat."))
    with pytest.raises(errors.MissingOutputError, match="tool 'City'"):
        await drive.call(drive.client.chat.completions.parse, CHAT_BODY, City, mode="tool")
