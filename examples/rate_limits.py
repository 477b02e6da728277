"""Rate limits, seen and respected: a burst of questions paced by `byot.RateLimiter`.

The limiter spreads the calls over the budget (here 600 requests and 100,000 tokens a minute,
shared by every task) and, when an answer's `x-ratelimit-remaining-*` header reaches 0, holds
the next calls until its reset. Each answer's `rate_limits` shows where the key stands.

    OPENAI_API_KEY=sk-... python examples/rate_limits.py
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
QUESTIONS = ["Name a planet.", "Name a colour.", "Name a river.", "Name a tree.", "Name a bird."]


async def main() -> None:
    limiter = byot.RateLimiter(rpm=600, tpm=100_000)  # one request every 0.1 s at most
    async with byot.AsyncClient(rate_limiter=limiter) as client:

        async def ask(question: str) -> byot.APIResponse[dict[str, object]]:
            body: CreateChatCompletionRequest = {
                "model": MODEL,
                "messages": [{"role": "user", "content": question}],
                "max_completion_tokens": 20,
            }
            return await client.chat.completions.create(body, raw=True)

        began = time.monotonic()
        answers = await asyncio.gather(*(ask(question) for question in QUESTIONS))
        took = time.monotonic() - began
    for question, answer in zip(QUESTIONS, answers, strict=True):
        limits = answer.rate_limits
        print(
            f"{question} (requests left: {limits.requests.remaining}, "
            f"tokens left: {limits.tokens.remaining})"
        )
    print(f"{len(answers)} answers in {took:.1f} s, paced by {limiter}")


if __name__ == "__main__":
    asyncio.run(main())
