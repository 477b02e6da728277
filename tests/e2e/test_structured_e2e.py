"""End to end: `parse` and `parse_stream` over real sockets against the suite's own server.

Every mode (json_schema, json_object, tool) with both clients (the `drive` fixture): the request
the server received, the parsed value, and each error a real answer can bring (a refusal, a
`length` cut-off, text that is not JSON). The streamed parse reads its partial output part by
part as the server writes it. The MockTransport twins are in tests/structured/test_parse.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
import pytest

import byot
from byot import errors
from tests.e2e.server import EventStream, Json
from tests.structured.test_parse import (
    BODY,
    CITY,
    RESPONSES_BODY,
    City,
    call,
    chat_chunk,
    completion,
    message,
    response,
    responses_stream,
    text,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.e2e.server import TestServer

pytestmark = pytest.mark.anyio

CHAT_PATH = "/v1/chat/completions"
RESPONSES_PATH = "/v1/responses"
MODES = ["json_schema", "json_object", "tool"]
CITY_JSON = orjson.dumps(CITY).decode()


def answer_in(mode: str, content: str, **kwargs: Any) -> dict[str, Any]:
    """A chat completion carrying `content` where `mode` puts the output."""
    if mode == "tool":
        return completion(None, tool_calls=[call("City", content)], **kwargs)
    return completion(content, **kwargs)


class Driver:
    """One kind of client against the server, awaited where the async one needs it."""

    def __init__(self, mode: str, server: TestServer) -> None:
        self.is_async = mode == "async"
        self.server = server
        cls = byot.AsyncClient if self.is_async else byot.Client
        self.client: Any = cls(base_url=server.url + "/v1", api_key="sk-test", timeout=10)

    async def call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        value = method(*args, **kwargs)
        return await value if self.is_async else value


@pytest.fixture(params=["sync", "async"])
async def drive(request: pytest.FixtureRequest, server: TestServer) -> AsyncIterator[Driver]:
    driver = Driver(request.param, server)
    yield driver
    if driver.is_async:
        await driver.client.aclose()
    else:
        driver.client.close()


@pytest.mark.parametrize("mode", MODES)
async def test_chat_parse(drive: Driver, server: TestServer, mode: str) -> None:
    server.add(CHAT_PATH, Json(200, answer_in(mode, CITY_JSON)))
    result = await drive.call(drive.client.chat.completions.parse, BODY, City, mode=mode)
    assert result.parsed == City("Lyon", 522000, "FR")
    sent = server.requests[0].json()
    if mode == "json_schema":
        assert sent["response_format"]["json_schema"]["schema"] == byot.json_schema(City)
    elif mode == "json_object":
        assert sent["response_format"] == {"type": "json_object"}
        assert sent["messages"][0]["role"] == "system"
    else:
        assert sent["tool_choice"] == {"type": "function", "function": {"name": "City"}}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (('{"name": "Ly', "length"), errors.LengthFinishReasonError),
        (("Here you go: Lyon!", "stop"), errors.OutputNotJSONError),
        (('{"name": 7, "population": 1}', "stop"), errors.OutputTypeError),
    ],
    ids=["length", "invalid-json", "wrong-type"],
)
async def test_chat_parse_errors(
    drive: Driver, server: TestServer, mode: str, answer: tuple[str, str], error: type[Exception]
) -> None:
    content, finish_reason = answer
    server.add(CHAT_PATH, Json(200, answer_in(mode, content, finish_reason=finish_reason)))
    with pytest.raises(error) as caught:
        await drive.call(drive.client.chat.completions.parse, BODY, City, mode=mode)
    assert isinstance(caught.value, errors.StructuredOutputError)
    assert caught.value.content == content


@pytest.mark.parametrize("mode", MODES)
async def test_chat_refusal(drive: Driver, server: TestServer, mode: str) -> None:
    server.add(CHAT_PATH, Json(200, completion(None, refusal="I can't help with that.")))
    with pytest.raises(errors.RefusalError) as caught:
        await drive.call(drive.client.chat.completions.parse, BODY, City, mode=mode)
    assert caught.value.refusal == "I can't help with that."
    assert caught.value.response["id"] == "chatcmpl-1"


@pytest.mark.parametrize("mode", MODES)
async def test_responses_parse(drive: Driver, server: TestServer, mode: str) -> None:
    if mode == "tool":
        item = {"type": "function_call", "name": "City", "call_id": "c", "arguments": CITY_JSON}
    else:
        item = message(text(CITY_JSON))
    server.add(RESPONSES_PATH, Json(200, response(item)))
    result = await drive.call(drive.client.responses.parse, RESPONSES_BODY, City, mode=mode)
    assert result.parsed == City("Lyon", 522000, "FR")
    assert result.response["status"] == "completed"


async def test_responses_refusal_and_cut_off(drive: Driver, server: TestServer) -> None:
    server.add(RESPONSES_PATH, Json(200, response(message({"type": "refusal", "refusal": "No."}))))
    cut = response(message(text('{"na')), status="incomplete")
    cut["incomplete_details"] = {"reason": "max_output_tokens"}
    server.add(RESPONSES_PATH, Json(200, cut))
    with pytest.raises(errors.RefusalError):
        await drive.call(drive.client.responses.parse, RESPONSES_BODY, City)
    with pytest.raises(errors.LengthFinishReasonError):
        await drive.call(drive.client.responses.parse, RESPONSES_BODY, City)


def frames(*chunks: dict[str, Any]) -> list[bytes]:
    return [b"data: " + orjson.dumps(c) + b"\n\n" for c in chunks] + [b"data: [DONE]\n\n"]


async def read_parts(drive: Driver, stream: Any, sent: EventStream) -> tuple[list[Any], Any]:
    """The partials, each taken before the server writes the next part, and the result."""
    partials: list[Any] = []
    if drive.is_async:
        async with stream:
            async for partial in stream:
                partials.append(partial)
                sent.advance()
            return partials, await stream.final()
    with stream:
        for partial in stream:
            partials.append(partial)
            sent.advance()
        return partials, stream.final()


@pytest.mark.parametrize("mode", ["json_schema", "tool"])
async def test_chat_parse_stream_partials_arrive_as_written(
    drive: Driver, server: TestServer, mode: str
) -> None:
    pieces = ['{"name": "Ly', 'on", "population"', ": 5}"]
    if mode == "tool":
        first = {"index": 0, "id": "c1", "type": "function", "function": {"name": "City"}}
        deltas = [{"tool_calls": [first]}]
        deltas += [{"tool_calls": [{"index": 0, "function": {"arguments": p}}]} for p in pieces]
    else:
        deltas = [{"role": "assistant", "content": ""}, *({"content": p} for p in pieces)]
    parts = frames(*(chat_chunk(d) for d in deltas), chat_chunk({}, "stop"))
    # Every part after the first content piece waits until the client has shown a partial.
    stream_out = EventStream(parts, hold=frozenset({2, 3, 4}))
    server.add(CHAT_PATH, stream_out)
    stream = await drive.call(drive.client.chat.completions.parse_stream, BODY, City, mode=mode)
    partials, result = await read_parts(drive, stream, stream_out)
    assert partials == [{"name": "Ly"}, {"name": "Lyon"}, {"name": "Lyon", "population": 5}]
    assert result.parsed == City("Lyon", 5)
    assert server.requests[0].json()["stream"] is True


async def test_chat_parse_stream_cut_at_the_limit(drive: Driver, server: TestServer) -> None:
    deltas = [{"role": "assistant", "content": '{"name": "Ly'}]
    server.add(
        CHAT_PATH, EventStream(frames(*(chat_chunk(d) for d in deltas), chat_chunk({}, "length")))
    )
    stream = await drive.call(drive.client.chat.completions.parse_stream, BODY, City)

    with pytest.raises(errors.LengthFinishReasonError) as caught:
        await drive.call(stream.final)
    assert caught.value.content == '{"name": "Ly'


async def test_responses_parse_stream(drive: Driver, server: TestServer) -> None:
    body = responses_stream('{"name": "Lyon", ', '"population": 7}')
    server.add(RESPONSES_PATH, EventStream([body]))
    stream = await drive.call(drive.client.responses.parse_stream, RESPONSES_BODY, City)

    assert (await drive.call(stream.final)).parsed == City("Lyon", 7)
