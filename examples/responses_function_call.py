"""Function calling with the Responses API: run what the model asks, send back the output.

OPENAI_API_KEY=sk-... python examples/responses_function_call.py
"""

from __future__ import annotations

import os
from typing import Any

import orjson

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
TOOLS = [
    {
        "type": "function",
        "name": "get_horoscope",
        "description": "Today's horoscope for an astrological sign.",
        "parameters": {
            "type": "object",
            "properties": {"sign": {"type": "string"}},
            "required": ["sign"],
            "additionalProperties": False,
        },
        "strict": True,
    }
]


def get_horoscope(sign: str) -> str:
    return f"{sign}: next Tuesday you will befriend a baby otter."


def main() -> None:
    with byot.Client() as client:
        request: dict[str, Any] = {"model": MODEL, "tools": TOOLS}
        request["input"] = "What is my horoscope? I am an Aquarius."
        response = client.responses.create(request)
        outputs: list[dict[str, Any]] = []
        for item in response["output"]:
            if item["type"] == "function_call":
                arguments = orjson.loads(item["arguments"])
                print(f"calling {item['name']}({arguments})")
                result = get_horoscope(**arguments)
                outputs.append(
                    {"type": "function_call_output", "call_id": item["call_id"], "output": result}
                )
        if outputs:
            request.update(previous_response_id=response["id"], input=outputs)
            response = client.responses.create(request)
    for item in response["output"]:
        if item["type"] == "message":
            print("".join(part.get("text", "") for part in item["content"]))


if __name__ == "__main__":
    main()
