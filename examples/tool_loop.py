"""A tool loop: the model calls your typed functions until it can answer.

Each tool is a plain function (its signature is the schema, its docstring the description) or
one of your types with a handler. The loop sends the conversation, runs every call the model
makes (two at once here), sends the results back, and stops at the model's answer.

    OPENAI_API_KEY=sk-... python examples/tool_loop.py
    byot mock --port 8765 &  OPENAI_BASE_URL=http://127.0.0.1:8765/v1 python examples/tool_loop.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


@dataclass
class Weather:
    """What get_weather returns; the model reads it as JSON."""

    city: str
    temperature: float
    sky: Literal["clear", "cloudy", "rain"]


def get_weather(city: str, unit: Literal["celsius", "fahrenheit"] = "celsius") -> Weather:
    """The current weather in a city.

    Args:
        city: The city's name, e.g. Paris.
        unit: The unit of the temperature.
    """
    return Weather(city, 21.0 if unit == "celsius" else 69.8, "clear")  # a real one asks a service


@dataclass
class LocalTime:
    """The local time in a city.

    Attributes:
        city: The city's name.
    """

    city: str


def local_time(query: LocalTime) -> str:
    return f"12:00 in {query.city}"


def main() -> None:
    toolbox = byot.Toolbox(get_weather, byot.Tool(LocalTime, local_time, name="local_time"))
    question = {"role": "user", "content": "What are the weather and the time in Paris?"}
    # "required": call a tool first; the loop lets the model answer freely once it has.
    body = {"model": MODEL, "messages": [question], "tool_choice": "required"}
    with byot.Client() as client:
        run = toolbox.run_chat(client, body, max_turns=5)
    for message in run.transcript:
        for call in byot.tool_calls(message):
            print(f"called {call.name}({call.arguments})")
        if message["role"] == "tool":
            print(f"  -> {message['content']}")
    print(run.response["choices"][0]["message"]["content"])
    print(f"({run.turns} turns)")


if __name__ == "__main__":
    main()
