"""Bring your own types: decode a chat completion into frozen dataclasses, then a TypedDict.

`response_type=` names the type; the call returns it, and type checkers know it does. Fields
the server sends that the type does not declare are ignored, so a provider adding fields
never breaks the call; a missing or mistyped field raises `byot.errors.DecodeError` with its
JSON path.

Run it (`OPENAI_BASE_URL` and `OPENAI_MODEL` point it at another server, as in chat.py):

    OPENAI_API_KEY=sk-... python examples/own_types.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from typing_extensions import TypedDict

import byot

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


class MessageDict(TypedDict):
    """The same message as a TypedDict: a plain dict at run time, typed for the checker."""

    role: str
    content: str | None


class ChoiceDict(TypedDict):
    """One generated answer, as a TypedDict."""

    index: int
    message: MessageDict


class ChatCompletionDict(TypedDict):
    """A chat completion, as a TypedDict."""

    id: str
    model: str
    choices: list[ChoiceDict]


def main() -> None:
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Name a prime number."}]}
    with byot.Client() as client:
        chat = client.request("POST", "/chat/completions", body=body, response_type=ChatCompletion)
        print(f"dataclass: {chat.choices[0].message.content}")
        if chat.usage is not None:
            print(f"dataclass: {chat.usage.total_tokens} tokens")

        typed = client.request(
            "POST", "/chat/completions", body=body, response_type=ChatCompletionDict
        )
        print(f"TypedDict: {typed['choices'][0]['message']['content']}")


if __name__ == "__main__":
    main()
