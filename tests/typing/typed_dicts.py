"""Static checks of `byot.types` and of the generated methods' typed bodies: never run.

mypy and pyright (both strict) check this file with the rest of tests/typing. As in api.py,
each must-fail line carries one `# type: ignore[<mypy code>]`: mypy insists on that code, and
both tools fail once the line no longer needs it. The request bodies that must pass come from
the spec's own examples (tests/typing/spec_examples.py holds all of them).
"""

from __future__ import annotations

import json  # noqa: TID251 - the caller's json.loads, as a user writes it
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import attrs
import msgspec
import pydantic
from typing_extensions import TypedDict, assert_type

from byot.types import (
    CreateChatCompletionResponse,
    CreateChatCompletionResponseChoice,
    CreateChatCompletionStreamResponse,
    CreateEmbeddingResponse,
    Embedding,
    ResponseTextDeltaEvent,
)

if TYPE_CHECKING:
    import byot
    from byot.types import (
        ChatCompletionRequestMessage,
        ChatCompletionRequestUserMessage,
        CreateChatCompletionRequest,
        CreateEmbeddingRequest,
        CreateFileRequest,
        CreateResponse,
        ResponseStreamEvent,
    )

# -- the caller's own body types, still accepted -------------------------------------------


@dataclass
class ChatBody:
    model: str
    messages: list[dict[str, str]]


@attrs.define
class ChatAttrs:
    model: str


class ChatModel(pydantic.BaseModel):
    model: str


class ChatStruct(msgspec.Struct):
    model: str


class OwnDict(TypedDict):
    model: str
    messages: list[dict[str, str]]


# -- requests that must pass -----------------------------------------------------------------


def requests(client: byot.Client, untyped: dict[str, Any], anything: Any, own: OwnDict) -> None:
    # The spec's example for POST /chat/completions, as a literal and as a typed variable.
    client.chat.completions.create(
        {
            "model": "gpt-5.4",
            "messages": [
                {"role": "developer", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Hello!"},
            ],
        }
    )
    body: CreateChatCompletionRequest = {
        "model": "gpt-4o",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What's in this image?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            }
        ],
        "max_completion_tokens": 300,
        "temperature": None,  # nullable in the spec
    }
    client.chat.completions.create(body, raw=True)
    history: list[ChatCompletionRequestMessage] = [{"role": "user", "content": "hi"}]
    client.chat.completions.create({"model": "gpt-4o", "messages": history})
    client.embeddings.create({"model": "text-embedding-3-small", "input": ["a", "b"]})
    client.responses.create({"model": "gpt-5", "input": "Tell me a story."})
    client.files.create({"file": b"{}", "purpose": "batch"})  # multipart: typed as well
    client.chat.completions.create_stream(body)
    # Not a literal: a mapping typed with Any values, Any itself, the caller's own objects,
    # or anything at all with encoder=.
    client.chat.completions.create(untyped)
    client.chat.completions.create(anything)
    client.chat.completions.create(ChatBody("gpt-4o", [{"role": "user", "content": "hi"}]))
    client.chat.completions.create(ChatAttrs("gpt-4o"))
    client.chat.completions.create(ChatModel(model="gpt-4o"))
    client.chat.completions.create(ChatStruct(model="gpt-4o"))
    client.chat.completions.create(own, encoder=dict)
    client.chat.completions.create(ChatStruct(model="m"), encoder=msgspec.json.encode, raw=True)
    client.chat.completions.create_stream(own, encoder=dict)


async def async_requests(client: byot.AsyncClient, untyped: dict[str, Any]) -> None:
    await client.chat.completions.create({"model": "gpt-4o", "messages": []})
    await client.chat.completions.create(untyped)
    await client.chat.completions.create_stream({"model": "gpt-4o", "messages": []})


# -- issue 16 (a): what a user writes by reflex type-checks with no annotation and no cast ----


def reflex_bodies(client: byot.Client, own: OwnDict, loose: dict[str, object]) -> None:
    # The README's quick start: a body built in an unannotated variable (mypy infers
    # `dict[str, object]`, pyright `dict[str, str | list[dict[str, str]]]`).
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    client.chat.completions.create(body)
    client.chat.completions.create(body, raw=True)
    client.chat.completions.create_stream(body)
    client.embeddings.create({"model": "m", "input": ["a", "b"], "dimensions": 8})
    loaded = json.loads('{"model": "m", "messages": []}')  # a `json.load` result: Any
    client.chat.completions.create(loaded)
    client.chat.completions.create(own)  # the caller's own TypedDict
    client.chat.completions.create(loose)  # any mapping with string keys
    client.files.create({"file": b"{}", "purpose": "batch"})  # multipart, in a variable too
    form = {"file": b"{}", "purpose": "batch"}
    client.files.create(form)


async def async_reflex_bodies(client: byot.AsyncClient) -> None:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
    await client.chat.completions.create(body)
    await client.chat.completions.create_stream(body)


# -- issue 16 (b): a variable annotated with a byot.types typed dict is checked key by key ---
# The message names the key (mypy: 'Extra key "temprature"', pyright: '"temprature" is an
# undefined item'); tests/typing/test_must_fail.py runs both checkers and reads it.


def requests_must_fail() -> None:
    typo: CreateChatCompletionRequest = {"model": "m", "messages": [], "temprature": 1}  # type: ignore[typeddict-unknown-key]
    short: CreateEmbeddingRequest = {"model": "m", "input": "x", "dimension": 8}  # type: ignore[typeddict-unknown-key]
    message: ChatCompletionRequestUserMessage = {"role": "user", "content": "hi", "nmae": "x"}  # type: ignore[typeddict-unknown-key]
    respond: CreateResponse = {"model": "gpt-5", "input": "hi", "max_tokens": 9}  # type: ignore[typeddict-unknown-key]
    wrong: CreateChatCompletionRequest = {"model": "m", "messages": [{"role": "robot"}]}  # type: ignore[typeddict-item]
    value: CreateChatCompletionRequest = {"model": "m", "messages": [], "n": "2"}  # type: ignore[typeddict-item]
    missing: CreateChatCompletionRequest = {"model": "m"}  # type: ignore[typeddict-item]
    embed: CreateEmbeddingRequest = {"model": "m", "input": "x", "encoding_format": "hex"}  # type: ignore[typeddict-item]
    upload: CreateFileRequest = {"file": b"{}", "purpose": "training"}  # type: ignore[typeddict-item]
    del typo, short, message, respond, wrong, value, missing, embed, upload


# -- responses: the decoded dict, typed, with no conversion ----------------------------------


def responses(client: byot.Client, body: CreateChatCompletionRequest) -> None:
    completion = client.chat.completions.create(body, response_type=CreateChatCompletionResponse)
    assert_type(completion, CreateChatCompletionResponse)
    for choice in completion.get("choices") or []:
        assert_type(choice, CreateChatCompletionResponseChoice)
        assert_type(choice.get("finish_reason"), str | None)  # an open enum: any string
        message = choice.get("message") or {}
        assert_type(message.get("content"), str | None)
    raw = client.chat.completions.create(body, response_type=CreateChatCompletionResponse, raw=True)
    assert_type(raw.parsed, CreateChatCompletionResponse)
    embedded = client.embeddings.create(
        {"model": "m", "input": "x"}, response_type=CreateEmbeddingResponse
    )
    assert_type(embedded.get("data"), list[Embedding] | None)

    with client.chat.completions.create_stream(
        body, event_type=CreateChatCompletionStreamResponse
    ) as chunks:
        for chunk in chunks:
            assert_type(chunk, CreateChatCompletionStreamResponse)
    # Named events are a union: annotate the stream and check the tag to narrow.
    events: byot.Stream[tuple[str, ResponseStreamEvent]] = client.responses.create_stream(
        {"model": "gpt-5", "input": "hi"}
    )
    for _name, event in events:
        if event["type"] == "response.output_text.delta":
            assert_type(event, ResponseTextDeltaEvent)
            assert_type(event.get("delta"), str | None)


def responses_must_fail(completion: CreateChatCompletionResponse) -> None:
    completion["choice"]  # type: ignore[typeddict-item]
    completion["usage"] = 3  # type: ignore[typeddict-item]
