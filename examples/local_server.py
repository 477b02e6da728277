"""Ollama, vLLM, llama.cpp, LM Studio or any local OpenAI-compatible server: no key needed.

    python examples/local_server.py                                      # Ollama's default port
    OPENAI_BASE_URL=http://localhost:8000/v1 python examples/local_server.py   # vLLM
    OPENAI_BASE_URL=http://localhost:8080/v1 python examples/local_server.py   # llama.cpp

The model is `LOCAL_MODEL`, or the first one the server lists.
"""

from __future__ import annotations

import os

import byot


def main() -> None:
    base_url = os.environ.get("OPENAI_BASE_URL", "http://localhost:11434/v1")
    with byot.Client(base_url=base_url) as client:  # without a key no Authorization is sent
        model = os.environ.get("LOCAL_MODEL") or client.models.list()["data"][0]["id"]
        print(f"{base_url}: using {model}")
        with client.chat.completions.create_stream(
            {"model": model, "messages": [{"role": "user", "content": "Why is the sky blue?"}]}
        ) as stream:
            for chunk in stream:
                for choice in chunk["choices"]:
                    print(choice["delta"].get("content") or "", end="", flush=True)
        print()


if __name__ == "__main__":
    main()
