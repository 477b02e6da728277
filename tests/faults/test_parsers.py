"""Parsers fed odd values by a real server: each ends in byot's typed error or the exact value.

Headers no clock can read, bodies and stream events nested as deep as JSON parsers allow,
chunks that `final()` must merge at that depth: both clients, against a `FaultServer`, with the
`faults` fixture checking that no connection leaked.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import msgspec
import orjson
import pydantic
import pytest

import byot
from byot import errors
from tests.e2e.server import EventStream, Json

if TYPE_CHECKING:
    from tests.faults.conftest import Faults
    from tests.faults.server import FaultServer

pytestmark = pytest.mark.anyio

PATH = "/v1/things"
CHAT = "/v1/chat/completions"
BODY = {"model": "m", "input": "hello"}
OK = {"id": "thing-1", "ok": True}
CHAT_BODY = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
DONE = b"data: [DONE]\n\n"
HUGE_YEAR = f"Fri, 31 Dec {'9' * 20} 23:59:59 GMT"
# orjson reads 1,024 levels but writes only 254; 1,000 is also past Python's recursion limit.
DEPTHS = [300, 1000]
TOO_DEEP = "(an object nested too deeply or too large to show)"


def nested(depth: int, leaf: bytes = b'"deep"') -> bytes:
    """`{"a": {"a": ... leaf ...}}`, `depth` objects deep, written by hand (orjson stops at 254)."""
    return b'{"a":' * depth + leaf + b"}" * depth


def leaf_of(value: Any, depth: int) -> Any:
    """What `nested(depth, leaf)` holds at its bottom, found without recursion."""
    for _ in range(depth):
        value = value["a"]
    return value


def chunk(text: str, **extra: bytes) -> bytes:
    """A chat completion chunk event carrying `text`, with raw JSON `extra` fields."""
    fields = b"".join(b',"%s":%s' % (key.encode(), value) for key, value in extra.items())
    delta = orjson.dumps({"choices": [{"index": 0, "delta": {"content": text}}]})[1:-1]
    return b'data: {"id":"c","object":"chat.completion.chunk",%s%s}\n\n' % (delta, fields)


async def collect(faults: Faults, stream: Any, into: list[Any]) -> None:
    """Append a stream's items to `into` as they come, inside its context manager."""
    if faults.is_async:
        async with stream:
            async for item in stream:
                into.append(item)  # noqa: PERF401 - kept one by one, up to the error
    else:
        with stream:
            into.extend(stream)  # what came before the error stays in `into`


# -- Retry-After -----------------------------------------------------------------------------


async def test_an_unreadable_retry_after_date_on_a_400_is_the_status_error(
    faults: Faults, server: FaultServer
) -> None:
    server.add(PATH, Json(400, {"error": {"message": "bad input"}}, {"Retry-After": HUGE_YEAR}))
    client = faults.client()

    error = await faults.fails(
        errors.BadRequestError, faults.request, client, "POST", "/things", body=BODY
    )

    assert "bad input" in error.message
    assert len(server.requests) == 1


async def test_an_unreadable_retry_after_date_means_the_policy_backoff(
    faults: Faults, server: FaultServer
) -> None:
    server.add(PATH, Json(503, {"error": {"message": "busy"}}, {"Retry-After": HUGE_YEAR}))
    server.add(PATH, Json(200, OK))
    events: list[byot.RetryEvent] = []
    policy = byot.RetryPolicy(sleep=False, on_retry=events.append, initial_delay=0.25, jitter=0)
    client = faults.client(retry=policy)

    assert await faults.request(client, "POST", "/things", body=BODY) == OK

    assert [event.delay for event in events] == [0.25]  # no Retry-After: the policy's own wait
    assert len(server.requests) == 2


# -- deeply nested bodies and events ---------------------------------------------------------


@pytest.mark.parametrize("depth", DEPTHS)
async def test_a_deeply_nested_error_body_is_the_status_error(
    faults: Faults, server: FaultServer, depth: int
) -> None:
    body = b'{"error": {"message": %s, "type": "server_error"}}' % nested(depth)
    server.add(PATH, Json(500, body))
    client = faults.client(max_retries=0)

    error = await faults.fails(errors.InternalServerError, faults.request, client, "GET", "/things")

    assert error.type == "server_error"
    shown = '{"a":{"a":' if depth < 1000 else TOO_DEEP  # written by the stdlib, or described
    assert error.message.startswith(f"500 Internal Server Error: {shown}")
    assert leaf_of(error.body["error"]["message"], depth) == "deep"


@pytest.mark.parametrize("depth", DEPTHS)
async def test_a_deeply_nested_detail_list_is_the_status_error(
    faults: Faults, server: FaultServer, depth: int
) -> None:
    deep_list = b"[" * depth + b'"deep"' + b"]" * depth
    body = b'{"detail": [%s, {"loc": [%s], "msg": "odd"}]}' % (deep_list, nested(depth))
    server.add(PATH, Json(422, body))
    client = faults.client()

    error = await faults.fails(
        errors.UnprocessableEntityError, faults.request, client, "GET", "/things"
    )

    shown = "[[[" if depth < 1000 else TOO_DEEP.replace("an object", "an array")
    assert error.message.startswith(f"422 Unprocessable Content: {shown}")
    assert error.message.endswith(": odd")


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("form", ["data", "event"])
async def test_a_deeply_nested_stream_error_event_is_the_stream_error(
    faults: Faults, server: FaultServer, depth: int, form: str
) -> None:
    if form == "data":
        event = b'data: {"error": {"message": %s, "code": %s}}\n\n' % (nested(depth), nested(9))
    else:
        event = b"event: error\ndata: %s\n\n" % nested(depth, b'{"message": "deep"}')
    server.add(CHAT, EventStream([chunk("a"), event, chunk("b"), DONE]))
    client = faults.client()
    seen: list[Any] = []

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    with pytest.raises(errors.StreamError) as info:
        await collect(faults, stream, seen)

    assert [item["choices"][0]["delta"]["content"] for item in seen] == ["a"]
    assert "the stream reported an error" in str(info.value)
    if form == "data":
        shown = '{"a":{"a":' if depth < 1000 else TOO_DEEP
        assert str(info.value).startswith(f"the stream reported an error: {shown}")
        assert info.value.code == orjson.dumps(orjson.loads(nested(9))).decode()
    else:
        assert leaf_of(info.value.body, depth) == {"message": "deep"}


# -- final() ---------------------------------------------------------------------------------


async def test_final_merges_chunks_nested_past_the_recursion_limit(
    faults: Faults, server: FaultServer
) -> None:
    depth = 1000
    parts = [
        chunk("Hel", x_deep=nested(depth, b'{"first": 1}')),
        chunk("lo", x_deep=nested(depth, b'{"second": [2]}')),
        chunk("!", x_deep=nested(depth, b'{"second": [3], "note": "x"}')),
        DONE,
    ]
    server.add(CHAT, EventStream(parts))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    merged = await faults.result(stream.final())

    assert merged["choices"][0]["message"]["content"] == "Hello!"
    assert leaf_of(merged["x_deep"], depth) == {"first": 1, "second": [2, 3], "note": "x"}


# -- media types -----------------------------------------------------------------------------


async def test_an_event_stream_media_type_in_any_letter_case_is_read(
    faults: Faults, server: FaultServer
) -> None:
    headers = {"Content-Type": "Text/Event-Stream; Charset=UTF-8"}
    server.add(CHAT, EventStream([chunk("a"), chunk("b"), DONE], headers=headers))
    client = faults.client()
    seen: list[Any] = []

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await collect(faults, stream, seen)

    assert [item["choices"][0]["delta"]["content"] for item in seen] == ["a", "b"]


# -- numbers ---------------------------------------------------------------------------------


@dataclasses.dataclass
class IntRecord:
    value: int


@dataclasses.dataclass
class FloatRecord:
    value: float


@dataclasses.dataclass
class AnyRecord:
    value: Any


class IntModel(pydantic.BaseModel):
    value: int


class FloatModel(pydantic.BaseModel):
    value: float


class AnyModel(pydantic.BaseModel):
    value: Any


class IntStruct(msgspec.Struct):
    value: int


class FloatStruct(msgspec.Struct):
    value: float


class AnyStruct(msgspec.Struct):
    value: Any


# Per kind of target: the type whose field is declared an int, a float, or anything.
TARGETS: dict[str, dict[str, Any]] = {
    "dict": {"int": None, "float": None, "any": None},
    "dataclass": {"int": IntRecord, "float": FloatRecord, "any": AnyRecord},
    "pydantic": {"int": IntModel, "float": FloatModel, "any": AnyModel},
    "msgspec": {"int": IntStruct, "float": FloatStruct, "any": AnyStruct},
}
WIDE = {  # integers past 64 bits: exact on every path
    "2**64": 2**64,
    "-2**63-1": -(2**63) - 1,
    "10**30": 10**30,
    "10**400": 10**400,  # past a double too
}
NOT_JSON = {  # no JSON number: a DecodeError on every path
    "NaN": b"NaN",
    "Infinity": b"Infinity",
    "-Infinity": b"-Infinity",
    "1e400": b"1e400",
    "5000-digits": b"9" * 5000,  # past Python's limit for reading an integer
}


def value_of(result: Any) -> Any:
    return result["value"] if isinstance(result, dict) else result.value


@pytest.mark.parametrize("field", ["int", "any"])
@pytest.mark.parametrize("kind", list(TARGETS))
@pytest.mark.parametrize("name", list(WIDE))
async def test_integers_past_64_bits_are_exact(
    faults: Faults, server: FaultServer, kind: str, field: str, name: str
) -> None:
    number = WIDE[name]
    server.add(PATH, Json(200, b'{"value": %d, "other": "x"}' % number))
    client = faults.client()
    target = TARGETS[kind][field]

    result = await faults.request(client, "GET", "/things", response_type=target)

    assert type(value_of(result)) is int
    assert value_of(result) == number


@pytest.mark.parametrize("field", ["float", "int", "any"])
@pytest.mark.parametrize("kind", list(TARGETS))
@pytest.mark.parametrize("name", list(NOT_JSON))
async def test_numbers_json_does_not_have_are_a_decode_error(
    faults: Faults, server: FaultServer, kind: str, field: str, name: str
) -> None:
    raw = b'{"value": %s, "other": "x"}' % NOT_JSON[name]
    server.add(PATH, Json(200, raw))
    client = faults.client()
    target = TARGETS[kind][field]

    error = await faults.fails(
        errors.DecodeError, faults.request, client, "GET", "/things", response_type=target
    )

    assert error.raw == raw


async def test_a_float_field_refuses_an_integer_no_float_holds(
    faults: Faults, server: FaultServer
) -> None:
    # What pydantic alone would turn into inf; msgspec refuses it too.
    raw = b'{"value": %d}' % 10**400
    server.add(PATH, Json(200, raw), Json(200, raw))
    client = faults.client()

    error = await faults.fails(
        errors.DecodeError, faults.request, client, "GET", "/things", response_type=FloatRecord
    )
    assert "expected a number a float can hold, got a larger integer" in str(error)
    assert error.path == "$.value"
    await faults.fails(
        errors.DecodeError, faults.request, client, "GET", "/things", response_type=FloatStruct
    )


async def test_integers_past_64_bits_in_a_stream_are_exact(
    faults: Faults, server: FaultServer
) -> None:
    big = b"%d" % 2**70
    first = chunk("a", x_big=big)
    second = chunk("b", x_big=b"-" + big)
    cut = second.index(big) + 7  # a read ends in the middle of the digits
    server.add(CHAT, EventStream([chunk("0"), first, second[:cut], second[cut:], chunk("c"), DONE]))
    client = faults.client()
    seen: list[Any] = []

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await collect(faults, stream, seen)

    assert [item.get("x_big") for item in seen] == [None, 2**70, -(2**70), None]
    assert [type(item.get("x_big")) for item in seen[1:3]] == [int, int]
