"""Bring your own type: TypedDicts for the request and the answer, plain dicts at run time.

A TypedDict costs nothing at run time (the answer is the parsed JSON itself) and gives the
type checker every key: a misspelt key in the request or the answer is a type error.

    OPENAI_API_KEY=sk-... python examples/types_typeddict.py
"""

from __future__ import annotations

import os
from typing import Literal

from typing_extensions import NotRequired, TypedDict

import byot


class Message(TypedDict):
    """A chat message."""

    role: Literal["developer", "user", "assistant"]
    content: str


class ChatRequest(TypedDict):
    """The request body."""

    model: str
    messages: list[Message]
    temperature: NotRequired[float]


class Choice(TypedDict):
    """One generated answer."""

    index: int
    message: Message


class ChatCompletion(TypedDict):
    """The answer."""

    id: str
    choices: list[Choice]


def main() -> None:
    request: ChatRequest = {
        "model": os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
        "messages": [{"role": "user", "content": "Name a colour of the rainbow."}],
        "temperature": 0.2,
    }
    with byot.Client() as client:
        chat = client.chat.completions.create(request, response_type=ChatCompletion)
    print(chat["choices"][0]["message"]["content"])


if __name__ == "__main__":
    main()
