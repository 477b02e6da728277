"""Three chat completions at once with `byot.AsyncClient`, then one streamed.

The requests share one connection pool and run concurrently; each answer is a dict.

    OPENAI_API_KEY=sk-... python examples/async_chat.py
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
QUESTIONS = ("What is 2 + 2?", "Name a colour.", "Name a planet.")


def ask(question: str) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": question}]}


async def run() -> None:
    async with byot.AsyncClient() as client:
        chats = await asyncio.gather(
            *(client.chat.completions.create(ask(question)) for question in QUESTIONS)
        )
        for question, chat in zip(QUESTIONS, chats, strict=True):
            print(f"{question} -> {chat['choices'][0]['message']['content']}")

        async with client.chat.completions.create_stream(ask("Tell me a joke.")) as stream:
            async for chunk in stream:
                for choice in chunk["choices"]:
                    print(choice["delta"].get("content") or "", end="", flush=True)
        print()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
