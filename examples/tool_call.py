"""Function calling: the model asks for a tool, the program runs it, the model answers.

The tool here is a local weather lookup. The conversation goes: user question -> assistant
message with `tool_calls` -> one `tool` message per call -> the final answer.

    OPENAI_API_KEY=sk-... python examples/tool_call.py
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
        "function": {
            "name": "get_weather",
            "description": "The current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
            "strict": True,
        },
    }
]


def get_weather(city: str) -> dict[str, Any]:
    return {"city": city, "temperature_c": 21, "sky": "clear"}  # a real program asks a service


def main() -> None:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "What's the weather in Paris?"}]
    # A plain dict[str, Any] body: the conversation grows in `messages`, the request with it.
    request: dict[str, Any] = {"model": MODEL, "messages": messages, "tools": TOOLS}
    with byot.Client() as client:
        chat = client.chat.completions.create(request)
        message = chat["choices"][0]["message"]
        calls: list[dict[str, Any]] = message.get("tool_calls") or []
        if calls:
            messages.append(message)  # the assistant's turn, tool calls included, as it came
            for call in calls:
                arguments = orjson.loads(call["function"]["arguments"])
                print(f"calling {call['function']['name']}({arguments})")
                result = get_weather(**arguments)
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": call["id"],
                        "content": orjson.dumps(result).decode(),
                    }
                )
            chat = client.chat.completions.create(request)  # now with the tool results
    print(chat["choices"][0]["message"]["content"])


if __name__ == "__main__":
    main()
