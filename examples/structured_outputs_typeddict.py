"""Structured outputs into a TypedDict: the answer stays a dict, checked against its type.

A TypedDict is only a type, so byot validates the answer against its JSON schema (with
jsonschema) before handing the dict back; `NotRequired` keys are filled in by the model too.

    OPENAI_API_KEY=sk-... python examples/structured_outputs_typeddict.py
"""

from __future__ import annotations

import os
from typing import Literal

from typing_extensions import TypedDict

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


class Sentiment(TypedDict):
    """How a text feels, with quotes to show it."""

    label: Literal["positive", "neutral", "negative"]
    confidence: float
    quotes: list[str]


def main() -> None:
    review = "The battery lasts forever, but the screen scratches easily."
    with byot.Client() as client:
        result = client.chat.completions.parse(
            {
                "model": MODEL,
                "messages": [{"role": "user", "content": f"Classify this review: {review}"}],
            },
            Sentiment,
        )
    sentiment = result.parsed
    print(f"{sentiment['label']} ({sentiment['confidence']:.0%}): {sentiment['quotes'][0]}")


if __name__ == "__main__":
    main()
