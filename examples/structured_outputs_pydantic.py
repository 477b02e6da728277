"""Structured outputs into a pydantic model: its own schema goes out, strict; a model comes back.

byot starts from `model_json_schema()` and makes it strict (every field required,
`additionalProperties: false`), so no `extra="forbid"` is needed; pydantic validates the answer.

    pip install pydantic
    OPENAI_API_KEY=sk-... python examples/structured_outputs_pydantic.py
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


class CalendarEvent(BaseModel):
    """An event read from free text."""

    name: str
    date: str = Field(description="The day, as written")
    participants: list[str]


def main() -> None:
    with byot.Client() as client:
        result = client.chat.completions.parse(
            {
                "model": MODEL,
                "messages": [
                    {"role": "developer", "content": "Extract the event."},
                    {"role": "user", "content": "Alice and Bob go to a science fair on Friday."},
                ],
            },
            CalendarEvent,
        )
    event = result.parsed  # a CalendarEvent; result.response is the whole completion
    print(f"{event.name} on {event.date} with {', '.join(event.participants)}")


if __name__ == "__main__":
    main()
