"""The legacy completions API (a prompt in, text out), whole and streamed.

Many local servers (vLLM, llama.cpp) still serve `/completions` for base models.

    OPENAI_API_KEY=sk-... python examples/completions.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateCompletionRequest

MODEL = os.environ.get("OPENAI_COMPLETION_MODEL", "gpt-3.5-turbo-instruct")


def main() -> None:
    body: CreateCompletionRequest = {
        "model": MODEL,
        "prompt": "Tell me a joke about the universe",
        "max_tokens": 40,
    }
    with byot.Client() as client:
        completion = client.completions.create(body)
        for choice in completion["choices"]:
            print(f"whole: {choice['text'].strip()}")

        print("streamed: ", end="")
        with client.completions.create_stream(body) as stream:
            for chunk in stream:
                for choice in chunk["choices"]:
                    print(choice["text"].strip(), end="", flush=True)
        print()


if __name__ == "__main__":
    main()
