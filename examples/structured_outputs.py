"""Structured outputs: the answer follows a JSON schema, so it parses into a known shape.

`response_format` with `"type": "json_schema"` and `"strict": true` makes the model's content a
JSON document matching the schema; orjson turns it into a dict.

    OPENAI_API_KEY=sk-... python examples/structured_outputs.py
"""

from __future__ import annotations

import os

import orjson

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
SCHEMA = {
    "type": "object",
    "properties": {
        "steps": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"explanation": {"type": "string"}, "output": {"type": "string"}},
                "required": ["explanation", "output"],
                "additionalProperties": False,
            },
        },
        "final_answer": {"type": "string"},
    },
    "required": ["steps", "final_answer"],
    "additionalProperties": False,
}


def main() -> None:
    with byot.Client() as client:
        chat = client.chat.completions.create(
            {
                "model": MODEL,
                "messages": [
                    {"role": "developer", "content": "Solve the equation step by step."},
                    {"role": "user", "content": "8x + 7 = -23"},
                ],
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "math_reasoning", "schema": SCHEMA, "strict": True},
                },
            }
        )
    message = chat["choices"][0]["message"]
    if message.get("refusal"):
        raise SystemExit(f"refused: {message['refusal']}")
    reasoning = orjson.loads(message["content"])
    for number, step in enumerate(reasoning["steps"], 1):
        print(f"{number}. {step['explanation']} -> {step['output']}")
    print(f"answer: {reasoning['final_answer']}")


if __name__ == "__main__":
    main()
