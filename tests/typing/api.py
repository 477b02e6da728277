"""Static typing checks of the public API: never run, only type-checked.

`mypy` and `pyright` (both strict, configured in pyproject.toml) check this file. Each
`assert_type` states what a type checker must infer for a call; each line ending in an ignore
comment is a call that must stay an error (both tools fail on an ignore that is no longer
needed: mypy's `warn_unused_ignores`, pyright's `reportUnnecessaryTypeIgnoreComment`).

The must-fail lines carry one comment that both tools check: mypy reads the code
(`call-overload`, so the call must keep failing for that reason), and pyright, which honours
`# type: ignore` for every rule on its line, reports it as unnecessary once the line is clean.
A `# pyright: ignore[...]` next to it would always be unnecessary for pyright (the `type: ignore`
already covers the line), hence the single comment.

Pytest does not collect it (its name does not start with `test_`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import attrs
import msgspec
import orjson
import pydantic
from typing_extensions import TypedDict, assert_type

import byot
from byot import errors

if TYPE_CHECKING:
    from byot.resources._dispatch import AsyncDispatcher, Dispatcher

# -- the caller's own types --------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    role: str
    content: str | None


@dataclass(frozen=True)
class Choice:
    index: int
    message: Message


@dataclass(frozen=True)
class ChatCompletion:
    id: str
    choices: list[Choice]


class ChatDict(TypedDict):
    id: str
    model: str


class ChatModel(pydantic.BaseModel):
    id: str
    model: str


class ChatStruct(msgspec.Struct):
    id: str
    model: str


@attrs.define
class ChatAttrs:
    id: str
    model: str


def parse(body: bytes) -> int:
    return len(body)


BODY: dict[str, Any] = {"model": "gpt-4o-mini", "messages": []}


# -- the sync client ---------------------------------------------------------------------


def sync_results(client: byot.Client) -> None:
    assert_type(client.request("POST", "/chat/completions", body=BODY), dict[str, Any])
    assert_type(client.request("GET", "/models"), dict[str, Any])

    assert_type(
        client.request("POST", "/chat/completions", body=BODY, response_type=ChatCompletion),
        ChatCompletion,
    )
    assert_type(client.request("POST", "/x", body=BODY, response_type=ChatDict), ChatDict)
    assert_type(client.request("POST", "/x", body=BODY, response_type=ChatModel), ChatModel)
    assert_type(client.request("POST", "/x", body=BODY, response_type=ChatStruct), ChatStruct)
    assert_type(client.request("POST", "/x", body=BODY, response_type=ChatAttrs), ChatAttrs)

    assert_type(client.request("GET", "/x", decoder=ChatModel.model_validate_json), ChatModel)
    structs = msgspec.json.Decoder(list[ChatStruct])
    assert_type(client.request("GET", "/x", decoder=structs.decode), list[ChatStruct])
    assert_type(client.request("GET", "/x", decoder=orjson.loads), Any)
    assert_type(client.request("GET", "/x", decoder=parse), int)


def sync_raw(client: byot.Client) -> None:
    response = client.request("POST", "/chat/completions", body=BODY, raw=True)
    assert_type(response, byot.APIResponse[dict[str, Any]])
    assert_type(response.parsed, dict[str, Any])
    assert_type(response.status_code, int)
    assert_type(response.request_id, str | None)
    assert_type(response.content, bytes)

    typed = client.request("POST", "/x", body=BODY, response_type=ChatCompletion, raw=True)
    assert_type(typed, byot.APIResponse[ChatCompletion])
    assert_type(typed.parsed, ChatCompletion)
    assert_type(client.request("GET", "/x", decoder=parse, raw=True), byot.APIResponse[int])
    assert_type(client.request("GET", "/x", raw=False), dict[str, Any])


def sync_raw_flag(client: byot.Client, flag: bool) -> None:
    # A bool only known at run time: either shape, and the checker makes the caller narrow.
    result = client.request("GET", "/x", raw=flag)
    assert_type(result, dict[str, Any] | byot.APIResponse[dict[str, Any]])


def sync_options(client: byot.Client) -> None:
    assert_type(client.request("GET", "/x", timeout=3), dict[str, Any])
    assert_type(client.request("GET", "/x", timeout=2.5), dict[str, Any])
    assert_type(client.request("GET", "/x", timeout=None), dict[str, Any])
    assert_type(client.request("GET", "/x", timeout=byot.Timeout(1, total=5)), dict[str, Any])
    assert_type(client.request("GET", "/x", headers={"x": None, "y": "1"}), dict[str, Any])
    assert_type(client.request("GET", "/x", query={"limit": 2, "tags": ["a"]}), dict[str, Any])
    assert_type(client.request("POST", "/x", body=BODY, extra_body={"seed": 1}), dict[str, Any])
    assert_type(client.request("GET", "/x", max_retries=0), dict[str, Any])
    assert_type(client.request("POST", "/x", idempotency_key="k"), dict[str, Any])
    assert_type(client.request("GET", "/y", path="/x"), dict[str, Any])
    assert_type(client.request("GET", "/x/{id}", path_params={"id": 1}), dict[str, Any])
    assert_type(
        client.request(
            "POST",
            "/x/{id}",
            body=BODY,
            response_type=ChatModel,
            timeout=byot.Timeout(30, connect=2),
            headers={"x-trace": "1"},
            max_retries=1,
            path_params={"id": "a"},
        ),
        ChatModel,
    )
    assert_type(
        client.request(
            "POST", "/x", body=ChatStruct(id="1", model="m"), encoder=msgspec.json.encode
        ),
        dict[str, Any],
    )


def sync_client(client: byot.Client) -> None:
    assert_type(client.with_options(timeout=5, max_retries=0), byot.Client)
    assert_type(client.with_options(timeout=None, default_headers={"x": "1"}), byot.Client)
    assert_type(client.timeout, byot.Timeout)
    assert_type(client.retry, byot.RetryPolicy)
    assert_type(client.config, byot.Config)
    assert_type(client.base_url, str)
    with byot.Client(timeout=byot.Timeout(10, total=60), max_retries=3) as entered:
        assert_type(entered, byot.Client)
    byot.Client(retry=byot.RetryPolicy(sleep=False), default_query={"a": 1})
    byot.Client(config=byot.AzureConfig(deployment="gpt", api_version="2024-10-21"))


def sync_errors(client: byot.Client) -> None:
    try:
        client.request("GET", "/x")
    except errors.RateLimitError as error:
        assert_type(error.status_code, int)
        assert_type(error.request_id, str | None)
        assert_type(error.code, str | int | None)
    except errors.APIConnectionError as error:
        assert_type(error.message, str)
    except errors.DecodeError as error:
        assert_type(error.raw, bytes)


def sync_must_fail(client: byot.Client) -> None:
    client.request("GET", "/x", timout=3)  # type: ignore[call-overload]
    client.request("GET", "/x", raw="yes")  # type: ignore[call-overload]


# -- the async client --------------------------------------------------------------------


async def async_results(client: byot.AsyncClient) -> None:
    assert_type(await client.request("POST", "/chat/completions", body=BODY), dict[str, Any])
    assert_type(await client.request("GET", "/models"), dict[str, Any])

    assert_type(
        await client.request("POST", "/x", body=BODY, response_type=ChatCompletion),
        ChatCompletion,
    )
    assert_type(await client.request("POST", "/x", response_type=ChatDict), ChatDict)
    assert_type(await client.request("POST", "/x", response_type=ChatModel), ChatModel)
    assert_type(await client.request("POST", "/x", response_type=ChatStruct), ChatStruct)
    assert_type(await client.request("POST", "/x", response_type=ChatAttrs), ChatAttrs)

    assert_type(await client.request("GET", "/x", decoder=ChatModel.model_validate_json), ChatModel)
    structs = msgspec.json.Decoder(list[ChatStruct])
    assert_type(await client.request("GET", "/x", decoder=structs.decode), list[ChatStruct])
    assert_type(await client.request("GET", "/x", decoder=orjson.loads), Any)
    assert_type(await client.request("GET", "/x", decoder=parse), int)


async def async_raw(client: byot.AsyncClient) -> None:
    response = await client.request("POST", "/chat/completions", body=BODY, raw=True)
    assert_type(response, byot.APIResponse[dict[str, Any]])
    typed = await client.request("POST", "/x", response_type=ChatCompletion, raw=True)
    assert_type(typed, byot.APIResponse[ChatCompletion])
    assert_type(await client.request("GET", "/x", decoder=parse, raw=True), byot.APIResponse[int])


async def async_options(client: byot.AsyncClient) -> None:
    assert_type(await client.request("GET", "/x", timeout=3), dict[str, Any])
    assert_type(await client.request("GET", "/x", timeout=None), dict[str, Any])
    assert_type(await client.request("GET", "/x", timeout=byot.Timeout(1, total=5)), dict[str, Any])
    assert_type(await client.request("GET", "/x", headers={"x": None}), dict[str, Any])
    assert_type(await client.request("GET", "/x", query={"limit": 2}), dict[str, Any])
    assert_type(await client.request("POST", "/x", extra_body={"seed": 1}), dict[str, Any])
    assert_type(await client.request("GET", "/x", max_retries=0), dict[str, Any])
    assert_type(await client.request("POST", "/x", idempotency_key="k"), dict[str, Any])
    assert_type(await client.request("GET", "/y", path="/x"), dict[str, Any])
    assert_type(await client.request("GET", "/x/{id}", path_params={"id": 1}), dict[str, Any])


async def async_client(client: byot.AsyncClient) -> None:
    assert_type(client.with_options(timeout=5, max_retries=0), byot.AsyncClient)
    async with byot.AsyncClient(timeout=None) as entered:
        assert_type(entered, byot.AsyncClient)


async def async_must_fail(client: byot.AsyncClient) -> None:
    await client.request("GET", "/x", timout=3)  # type: ignore[call-overload]
    await client.request("GET", "/x", raw="yes")  # type: ignore[call-overload]


# -- the generated API ------------------------------------------------------------------


def dispatchers(client: byot.Client, async_client: byot.AsyncClient) -> None:
    # The namespaces reach the clients through these protocols (cast at the top level, so
    # checked here): the drivers must keep satisfying them.
    sync: Dispatcher = client
    asynchronous: AsyncDispatcher = async_client
    del sync, asynchronous


def sync_generated(client: byot.Client) -> None:
    assert_type(client.chat.completions.create(BODY), dict[str, Any])
    assert_type(client.chat.completions.create(BODY, response_type=ChatCompletion), ChatCompletion)
    assert_type(client.files.retrieve("file-1"), dict[str, Any])
    assert_type(client.files.list(limit=2, order="asc"), dict[str, Any])
    assert_type(client.files.content("file-1"), bytes)
    assert_type(client.files.content("file-1", raw=True), byot.APIResponse[bytes])
    assert_type(client.responses.delete("resp-1"), None)
    assert_type(client.realtime.calls.create({"sdp": "v=0"}), str)
    assert_type(client.call("listModels"), Any)
    with client.files.content_chunks("file-1") as stream:
        assert_type(stream, byot.BinaryStream)
        assert_type(stream.write_to("out.bin"), int)
    for item in client.files.list_items(purpose="batch"):
        assert_type(item, dict[str, Any])
    for message in client.chat.completions.messages.list_items("cmpl-1", item_type=Message):
        assert_type(message, Message)
    for page in client.files.list_pages(response_type=ChatCompletion):
        assert_type(page, ChatCompletion)


def sync_generated_must_fail(client: byot.Client) -> None:
    client.files.list(limt=2)  # type: ignore[call-overload]
    client.files.list(order="sideways")  # type: ignore[call-overload]
    client.files.retrieve()  # type: ignore[call-overload]
    client.models.list(path_params={"x": 1})  # type: ignore[call-overload]


async def async_generated(client: byot.AsyncClient) -> None:
    assert_type(await client.chat.completions.create(BODY), dict[str, Any])
    assert_type(await client.embeddings.create(BODY, response_type=ChatCompletion), ChatCompletion)
    assert_type(await client.files.content("file-1"), bytes)
    async with await client.files.content_chunks("file-1") as stream:
        assert_type(stream, byot.AsyncBinaryStream)
    async for item in client.files.list_items():
        assert_type(item, dict[str, Any])
    async for page in client.files.list_pages():
        assert_type(page, dict[str, Any])


def sync_streams(client: byot.Client) -> None:
    with client.chat.completions.create_stream(BODY) as stream:
        assert_type(stream, byot.Stream[dict[str, Any]])
        for chunk in stream:
            assert_type(chunk, dict[str, Any])
        assert_type(stream.final(), dict[str, Any])
    typed = client.chat.completions.create_stream(BODY, event_type=ChatCompletion)
    assert_type(typed, byot.Stream[ChatCompletion])
    for name, event in client.responses.create_stream(BODY):
        assert_type(name, str)
        assert_type(event, dict[str, Any])
    assert_type(client.chat.completions.create_stream(BODY, decoder=parse), byot.Stream[int])


async def async_streams(client: byot.AsyncClient) -> None:
    stream = await client.chat.completions.create_stream(BODY)
    assert_type(stream, byot.AsyncStream[dict[str, Any]])
    async with stream:
        async for chunk in stream:
            assert_type(chunk, dict[str, Any])
    assert_type(await stream.final(), dict[str, Any])
    # Entered directly, as with httpx (issue 16), or awaited first: the same stream type.
    async with client.chat.completions.create_stream(BODY) as direct:
        assert_type(direct, byot.AsyncStream[dict[str, Any]])
    async with client.chat.completions.create_stream(BODY, event_type=ChatCompletion) as typed:
        async for event in typed:
            assert_type(event, ChatCompletion)
    async with client.responses.create_stream(BODY) as named:
        async for name, value in named:
            assert_type((name, value), tuple[str, dict[str, Any]])
    async with await client.chat.completions.create_stream(BODY) as awaited:
        assert_type(awaited, byot.AsyncStream[dict[str, Any]])
    async with client.files.content_chunks("file-1") as chunks:
        assert_type(chunks, byot.AsyncBinaryStream)


# -- schema validation ---------------------------------------------------------------------


def validation(client: byot.Client) -> None:
    assert_type(byot.validate(BODY, "CreateChatCompletionRequest"), None)
    assert_type(byot.is_valid(BODY, "createChatCompletion", direction="request"), bool)
    assert_type(byot.is_valid(BODY, "#/$defs/X", direction="response", profile="strict"), bool)
    byot.register_schema({"$id": "urn:acme:api", "type": "object"})
    byot.Client(validate="raise")
    byot.Client(validate=byot.Validation(request="raise", response="warn"))
    assert_type(client.with_options(validate="warn"), byot.Client)
    byot.AsyncClient(validate=byot.Validation(response="raise"))
    assert_type(client.chat.completions.create(BODY, validate="off"), dict[str, Any])
    assert_type(client.request("POST", "/x", body=BODY, validate="raise"), dict[str, Any])
    try:
        byot.validate(BODY, "CreateChatCompletionRequest")
    except errors.SchemaValidationError as error:
        assert_type(error.issues, tuple[errors.SchemaIssue, ...])
        assert_type(error.issues[0].path, str)
        assert_type(error.direction, str | None)
        assert_type(error.operation, str | None)


def validation_must_fail(client: byot.Client) -> None:
    byot.validate(BODY, "X", direction="sideways")  # type: ignore[arg-type]
    byot.Validation(request="loud")  # type: ignore[arg-type]
    client.request("GET", "/x", validate="loud")  # type: ignore[call-overload]
    byot.Client(validate="strict")  # type: ignore[arg-type]
