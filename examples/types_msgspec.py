"""Bring your own type: msgspec Structs, for answers and for every event of a stream.

msgspec decodes straight from bytes into Structs, the fastest way to typed values in Python.
`event_type=` types each streamed chunk the same way.

    pip install msgspec
    OPENAI_API_KEY=sk-... python examples/types_msgspec.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import msgspec

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


class Delta(msgspec.Struct):
    """What a chunk adds to the message."""

    content: str | None = None


class ChunkChoice(msgspec.Struct):
    """One choice of a chunk."""

    delta: Delta
    finish_reason: str | None = None


class Chunk(msgspec.Struct):
    """A `chat.completion.chunk`."""

    id: str
    choices: list[ChunkChoice]


class Message(msgspec.Struct):
    """The assistant's message."""

    content: str | None = None


class Choice(msgspec.Struct):
    """One generated answer."""

    message: Message


class ChatCompletion(msgspec.Struct):
    """A `chat.completion`."""

    id: str
    choices: list[Choice]


def main() -> None:
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Count to three."}],
    }
    with byot.Client() as client:
        chat = client.chat.completions.create(body, response_type=ChatCompletion)
        print(f"whole: {chat.choices[0].message.content}")
        print("streamed: ", end="")
        with client.chat.completions.create_stream(body, event_type=Chunk) as stream:
            for chunk in stream:
                for choice in chunk.choices:
                    print(choice.delta.content or "", end="", flush=True)
        print()


if __name__ == "__main__":
    main()
