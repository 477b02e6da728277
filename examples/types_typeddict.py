"""Bring your own type: TypedDicts, for the request and the answer; plain dicts at run time.

A TypedDict costs nothing at run time (the answer is the parsed JSON itself) and gives the type
checker every key. `byot.types` has one for every schema of the spec, so a misspelt key in the
request is a type error; the answer here is the program's own, smaller TypedDict.

    OPENAI_API_KEY=sk-... python examples/types_typeddict.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from typing_extensions import TypedDict

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest


class Message(TypedDict):
    """The assistant's message."""

    role: str
    content: str | None


class Choice(TypedDict):
    """One generated answer."""

    index: int
    message: Message


class ChatCompletion(TypedDict):
    """The part of the answer this program reads."""

    id: str
    choices: list[Choice]


def main() -> None:
    request: CreateChatCompletionRequest = {
        "model": os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
        "messages": [{"role": "user", "content": "Name a colour of the rainbow."}],
        "temperature": 0.2,
    }
    with byot.Client() as client:
        chat = client.chat.completions.create(request, response_type=ChatCompletion)
    print(chat["choices"][0]["message"]["content"])


if __name__ == "__main__":
    main()
