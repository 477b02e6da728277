"""A streamed structured output: the object grows while tokens arrive, then comes back typed.

Iterating a `parse_stream` yields the partial JSON value each time the output grows (read with
jiter: `pip install 'byot-client[structured]'`); `final()` parses and checks the whole.

    OPENAI_API_KEY=sk-... python examples/structured_outputs_stream.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


@dataclass
class Haiku:
    """A poem of three lines."""

    title: str
    lines: list[str]


def main() -> None:
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "A haiku about otters."}],
    }
    with byot.Client() as client, client.chat.completions.parse_stream(body, Haiku) as stream:
        for partial in stream:
            print(f"\r{len(partial.get('lines') or [])} lines so far", end="", flush=True)
        haiku = stream.final().parsed
    print(f"\n{haiku.title}")
    for line in haiku.lines:
        print(f"  {line}")


if __name__ == "__main__":
    main()
