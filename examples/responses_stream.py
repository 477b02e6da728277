"""Stream a Responses call: print text deltas as they come, then the final response.

Each item is an `(event name, event)` pair. `stream.final()` is the completed response.

    OPENAI_API_KEY=sk-... python examples/responses_stream.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import byot

if TYPE_CHECKING:
    from byot.types import CreateResponse

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def main() -> None:
    body: CreateResponse = {"model": MODEL, "input": "Write a two-line poem about rain."}
    with byot.Client() as client, client.responses.create_stream(body) as stream:
        for name, event in stream:
            if name == "response.output_text.delta":
                print(event["delta"], end="", flush=True)
        print()
        response = stream.final()
    usage: dict[str, Any] = response.get("usage") or {}
    print(f"[{response['id']}: {response['status']}, {usage.get('total_tokens', '?')} tokens]")


if __name__ == "__main__":
    main()
