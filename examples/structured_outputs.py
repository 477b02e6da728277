"""Structured outputs into a dataclass: `parse` sends its schema and returns an instance.

`client.chat.completions.parse(body, MathReasoning)` turns the dataclass into the strict JSON
schema OpenAI asks for (`byot.json_schema`), sends it as `response_format`, and reads the answer
back into a `MathReasoning`, checked field by field. A refusal, a cut-off or an answer that does
not fit raise their own `byot.errors.StructuredOutputError`.

    OPENAI_API_KEY=sk-... python examples/structured_outputs.py
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
class Step:
    """One step of a solution."""

    explanation: str
    output: str


@dataclass
class MathReasoning:
    """A worked solution.

    Attributes:
        steps: Each step of the solution, in order.
        final_answer: The value of x.
    """

    steps: list[Step]
    final_answer: str


def main() -> None:
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [
            {"role": "developer", "content": "Solve the equation step by step."},
            {"role": "user", "content": "8x + 7 = -23"},
        ],
    }
    with byot.Client() as client:
        try:
            reasoning = client.chat.completions.parse(body, MathReasoning).parsed
        except byot.errors.RefusalError as refused:
            raise SystemExit(f"refused: {refused.refusal}") from None
    for number, step in enumerate(reasoning.steps, 1):
        print(f"{number}. {step.explanation} -> {step.output}")
    print(f"answer: {reasoning.final_answer}")


if __name__ == "__main__":
    main()
