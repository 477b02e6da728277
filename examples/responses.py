"""The Responses API: one call with instructions and input, the text read from its output.

OPENAI_API_KEY=sk-... python examples/responses.py
"""

from __future__ import annotations

import os
from typing import Any

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def output_text(response: dict[str, Any]) -> str:
    """The text of every output message, joined (what the official SDK calls output_text)."""
    return "".join(
        part["text"]
        for item in response["output"]
        if item["type"] == "message"
        for part in item["content"]
        if part["type"] == "output_text"
    )


def main() -> None:
    with byot.Client() as client:
        response = client.responses.create(
            {
                "model": MODEL,
                "instructions": "You are a storyteller.",
                "input": "Tell me a three sentence bedtime story about a unicorn.",
            }
        )
    print(output_text(response))
    print(f"({response['id']}, {response['status']})")


if __name__ == "__main__":
    main()
