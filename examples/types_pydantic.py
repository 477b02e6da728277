"""Bring your own type: pydantic models for the request body and the answer.

The body is encoded with its `None` fields left out (strict gateways reject `null`); the
answer is validated with `model_validate_json`, straight from the bytes.

    pip install pydantic
    OPENAI_API_KEY=sk-... python examples/types_pydantic.py
"""

from __future__ import annotations

import os

from pydantic import BaseModel

import byot


class Message(BaseModel):
    """A chat message."""

    role: str
    content: str | None = None


class ChatRequest(BaseModel):
    """The request body; `None` fields are not sent."""

    model: str
    messages: list[Message]
    temperature: float | None = None
    max_completion_tokens: int | None = None


class Choice(BaseModel):
    """One generated answer."""

    message: Message
    finish_reason: str | None = None


class ChatCompletion(BaseModel):
    """The answer; fields it does not declare are ignored."""

    id: str
    model: str
    choices: list[Choice]


def main() -> None:
    request = ChatRequest(
        model=os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
        messages=[Message(role="user", content="Name a famous painter.")],
    )
    with byot.Client() as client:
        chat = client.chat.completions.create(request, response_type=ChatCompletion)
    print(f"{chat.choices[0].message.content} ({chat.model})")


if __name__ == "__main__":
    main()
