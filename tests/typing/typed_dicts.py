"""Static checks of `byot.types` and of the generated methods' typed bodies: never run.

mypy and pyright (both strict) check this file with the rest of tests/typing. As in api.py,
each must-fail line carries one `# type: ignore[<mypy code>]`: mypy insists on that code, and
both tools fail once the line no longer needs it. The request bodies that must pass come from
the spec's own examples (tests/typing/spec_examples.py holds all of them).
"""

from __future__ import annotations

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
        CreateChatCompletionRequest,
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


# -- requests that must fail -----------------------------------------------------------------


def requests_must_fail(client: byot.Client, own: OwnDict, loose: dict[str, object]) -> None:
    client.chat.completions.create({"model": "gpt-4o", "mesages": []})  # type: ignore[dict-item]
    client.chat.completions.create({"model": 4, "messages": []})  # type: ignore[dict-item]
    client.chat.completions.create({"model": "m", "messages": [], "n": "2"})  # type: ignore[dict-item]
    client.chat.completions.create({"model": "m"})  # type: ignore[dict-item]
    client.chat.completions.create_stream({"modle": "m", "messages": []})  # type: ignore[dict-item]
    client.embeddings.create({"model": "m", "input": "x", "encoding_format": "hex"})  # type: ignore[dict-item]
    client.files.create({"file": b"{}", "purpose": "training"})  # type: ignore[dict-item]
    typo: CreateChatCompletionRequest = {"model": "m", "messages": [], "temprature": 1}  # type: ignore[typeddict-unknown-key]
    wrong: CreateChatCompletionRequest = {"model": "m", "messages": [{"role": "robot"}]}  # type: ignore[typeddict-item]
    client.chat.completions.create(own)  # type: ignore[arg-type]
    client.chat.completions.create(loose)  # type: ignore[arg-type]
    del typo, wrong


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
