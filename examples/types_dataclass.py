"""Bring your own type: a chat completion decoded into frozen dataclasses.

`response_type=` names the type; the call returns it, and mypy and pyright know it does.
Nested dataclasses are built recursively; fields the server sends that the type does not
declare are ignored, so a provider adding fields never breaks the call; a missing or mistyped
field raises `byot.errors.DecodeError` with its JSON path.

    OPENAI_API_KEY=sk-... python examples/types_dataclass.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


@dataclass(frozen=True)
class Message:
    """The assistant's message; `content` is None when it only calls tools."""

    role: str
    content: str | None


@dataclass(frozen=True)
class Choice:
    """One generated answer."""

    index: int
    message: Message
    finish_reason: str | None


@dataclass(frozen=True)
class Usage:
    """Token counts."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass(frozen=True)
class ChatCompletion:
    """The part of a chat completion this program uses."""

    id: str
    model: str
    choices: list[Choice]
    usage: Usage | None = None  # some servers leave it out


def main() -> None:
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Name a prime number."}],
    }
    with byot.Client() as client:
        chat = client.chat.completions.create(body, response_type=ChatCompletion)
    print(f"{chat.choices[0].message.content} ({chat.model})")
    if chat.usage is not None:
        print(f"{chat.usage.total_tokens} tokens")


if __name__ == "__main__":
    main()
