"""A function call round trip over the Realtime WebSocket, with events as your own dataclass.

The model asks for `get_weather`; the example runs it, sends the result back as a
`function_call_output` item, and asks for the answer that uses it. Server events arrive as the
`Event` dataclass (`event_type=`); `response()` still collects each call's name and arguments.

    pip install 'byot-client[realtime]'
    OPENAI_API_KEY=sk-... python examples/realtime_function_call.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import orjson

import byot
from byot import realtime

MODEL = os.environ.get("OPENAI_REALTIME_MODEL", "gpt-realtime")

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}


@dataclass
class Event:
    """The fields of a server event this example reads; the others are left out."""

    type: str
    event_id: str


def get_weather(location: str) -> dict[str, Any]:
    return {"location": location, "celsius": 20, "sky": "clear"}


def main() -> None:
    client = byot.Client()
    with client.realtime.connect(model=MODEL, event_type=Event) as connection:
        tools = {"type": "realtime", "output_modalities": ["text"], "tools": [WEATHER_TOOL]}
        connection.send(realtime.session_update(tools))
        question = realtime.user_text("What's the weather in San Francisco?")
        connection.send(realtime.conversation_item_create(question))
        connection.send(realtime.response_create())
        for call in connection.response().function_calls:
            arguments = orjson.loads(call["arguments"])  # the model's JSON text
            print(f"calling {call['name']}({arguments})")
            result = orjson.dumps(get_weather(**arguments)).decode()
            output = realtime.function_call_output(call["call_id"], result)
            connection.send(realtime.conversation_item_create(output))
        connection.send(realtime.response_create())
        print(connection.response().text)


if __name__ == "__main__":
    main()
