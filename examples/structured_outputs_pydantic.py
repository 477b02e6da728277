"""Structured outputs from a pydantic model: its JSON schema goes out, an instance comes back.

The model class is the single source of truth: `model_json_schema()` is the schema the model
must follow, and `model_validate_json` checks and builds the answer.

    pip install pydantic
    OPENAI_API_KEY=sk-... python examples/structured_outputs_pydantic.py
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


class CalendarEvent(BaseModel):
    """An event read from free text."""

    model_config = ConfigDict(extra="forbid")  # strict schemas need additionalProperties: false

    name: str
    date: str
    participants: list[str]


def main() -> None:
    with byot.Client() as client:
        chat = client.chat.completions.create(
            {
                "model": MODEL,
                "messages": [
                    {"role": "developer", "content": "Extract the event."},
                    {"role": "user", "content": "Alice and Bob go to a science fair on Friday."},
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "calendar_event",
                        "schema": CalendarEvent.model_json_schema(),
                        "strict": True,
                    },
                },
            }
        )
    event = CalendarEvent.model_validate_json(chat["choices"][0]["message"]["content"])
    print(f"{event.name} on {event.date} with {', '.join(event.participants)}")


if __name__ == "__main__":
    main()
