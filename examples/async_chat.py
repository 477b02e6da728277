"""Three chat completions at once with `byot.AsyncClient` and `asyncio.gather`.

The three requests share one connection pool and run concurrently; each answer is a dict.

Run it (`OPENAI_BASE_URL` and `OPENAI_MODEL` point it at another server, as in chat.py):

    OPENAI_API_KEY=sk-... python examples/async_chat.py
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
QUESTIONS = ("What is 2 + 2?", "Name a colour.", "Name a planet.")


async def ask(client: byot.AsyncClient, question: str) -> dict[str, Any]:
    return await client.request(
        "POST",
        "/chat/completions",
        body={"model": MODEL, "messages": [{"role": "user", "content": question}]},
    )


async def run() -> None:
    async with byot.AsyncClient() as client:
        chats = await asyncio.gather(*(ask(client, question) for question in QUESTIONS))
    for question, chat in zip(QUESTIONS, chats, strict=True):
        print(f"{question} -> {chat['choices'][0]['message']['content']}")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
