"""One chat completion with plain dicts: a dict goes in, a dict comes out.

Run it against OpenAI:

    OPENAI_API_KEY=sk-... python examples/chat.py

or against any OpenAI-compatible server (Ollama, vLLM, llama.cpp, a gateway), naming a model
it serves:

    OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 python examples/chat.py

`byot.Client()` reads `OPENAI_API_KEY` and `OPENAI_BASE_URL` from the environment itself.
"""

from __future__ import annotations

import os

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def main() -> None:
    with byot.Client() as client:
        chat = client.chat.completions.create(
            {
                "model": MODEL,
                "messages": [
                    {"role": "developer", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "Say hello in one short sentence."},
                ],
            }
        )
    # `chat` is a dict[str, Any]: exactly the JSON the server sent, nothing dropped.
    print(chat["choices"][0]["message"]["content"])
    print(f"({chat['model']}, {chat['usage']['total_tokens']} tokens)")


if __name__ == "__main__":
    main()
