"""Structured outputs into attrs classes, with the whole response as your own type too.

`response_type=` types `result.response` the way it types `create`'s result; the output and
the response are decoded independently.

    pip install attrs
    OPENAI_API_KEY=sk-... python examples/structured_outputs_attrs.py
"""

from __future__ import annotations

import os

import attrs

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


@attrs.define
class Address:
    """A postal address."""

    street: str
    city: str
    postcode: str | None = None


@attrs.define
class Usage:
    """What the call cost."""

    total_tokens: int


@attrs.define
class Completion:
    """The parts of the completion this example reads."""

    id: str
    usage: Usage


def main() -> None:
    text = "Ship it to 10 Downing Street, London SW1A 2AA."
    with byot.Client() as client:
        result = client.chat.completions.parse(
            {"model": MODEL, "messages": [{"role": "user", "content": f"Address in: {text}"}]},
            Address,
            response_type=Completion,
        )
    print(f"{result.parsed.street}, {result.parsed.city} {result.parsed.postcode or ''}".strip())
    print(f"{result.response.id}: {result.response.usage.total_tokens} tokens")


if __name__ == "__main__":
    main()
