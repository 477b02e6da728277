"""Structured outputs from a local server without `json_schema`: JSON mode, or a forced tool.

Many OpenAI-compatible servers reject or ignore `response_format: json_schema`. `mode="tool"`
asks for one forced function call whose parameters are the schema (llama.cpp, Ollama, vLLM,
Groq); `mode="json_object"` puts the schema in a system message under JSON mode. Either way
the answer is parsed and checked like the native mode.

    python examples/structured_outputs_local.py                                  # Ollama
    OPENAI_BASE_URL=http://localhost:8080/v1 python examples/structured_outputs_local.py
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest


@dataclass
class Weather:
    """A weather report."""

    city: str
    celsius: float
    sky: Literal["clear", "cloudy", "rain", "snow"]


def main() -> None:
    base_url = os.environ.get("OPENAI_BASE_URL", "http://localhost:11434/v1")
    model = os.environ.get("LOCAL_MODEL", "llama3.2")
    body: CreateChatCompletionRequest = {
        "model": model,
        "messages": [{"role": "user", "content": "Make up today's weather in Oslo."}],
    }
    with byot.Client(base_url=base_url) as client:
        for mode in ("tool", "json_object"):
            weather = client.chat.completions.parse(body, Weather, mode=mode).parsed
            print(f"{mode}: {weather.city} {weather.celsius} °C, {weather.sky}")


if __name__ == "__main__":
    main()
