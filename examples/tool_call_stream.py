"""Parallel tool calls, streamed: the calls arrive in fragments and `final()` merges them.

The model may ask for several tools in one turn (`parallel_tool_calls`). In a stream each call's
name and JSON arguments come in pieces; `stream.final()` reassembles them by index or id, also
for providers that number them differently (Gemini, vLLM, Ollama).

    OPENAI_API_KEY=sk-... python examples/tool_call_stream.py
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
            "name": "get_time",
            "description": "The local time in a city, as HH:MM.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]
CLOCKS = {"Tokyo": "21:00", "Lima": "07:00"}


def main() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": "What time is it in Tokyo and in Lima?"}
    ]
    body: dict[str, Any] = {"model": MODEL, "messages": messages, "tools": TOOLS}
    body["parallel_tool_calls"] = True
    with byot.Client() as client:
        with client.chat.completions.create_stream(body) as stream:
            for chunk in stream:
                for choice in chunk["choices"]:
                    print(choice["delta"].get("content") or "", end="", flush=True)
            message = stream.final()["choices"][0]["message"]
        calls: list[dict[str, Any]] = message.get("tool_calls") or []
        if not calls:
            print()
            return
        messages.append(message)
        for call in calls:
            city = orjson.loads(call["function"]["arguments"])["city"]
            print(f"{call['id']}: {call['function']['name']}({city!r})")
            answer = CLOCKS.get(city, "unknown")
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": answer})
        del body["tools"]  # the same conversation, now with the results: the final answer
        chat = client.chat.completions.create(body)
    print(chat["choices"][0]["message"]["content"])


if __name__ == "__main__":
    main()
