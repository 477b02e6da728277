"""Retries, rate limits and timeouts: what is retried, how long byot waits, what it reports.

Connection errors, timeouts, 408, 409, 429 and 5xx are retried with exponential backoff, and a
server's `Retry-After` is honoured. `raw=True` shows the rate-limit headers of the answer.

    OPENAI_API_KEY=sk-... python examples/retries.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def report(event: byot.RetryEvent) -> None:
    print(f"attempt {event.attempt} failed ({event.error}); retrying in {event.delay:.2f} s")


def main() -> None:
    retry = byot.RetryPolicy(max_retries=4, initial_delay=0.25, max_delay=4, on_retry=report)
    timeout = byot.Timeout(30, connect=5, total=120)  # 120 s for the call, retries included
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say hi."}],
    }
    with byot.Client(retry=retry, timeout=timeout) as client:
        try:
            response = client.chat.completions.create(body, raw=True)
        except byot.errors.RateLimitError as error:  # still 429 after every retry
            raise SystemExit(f"rate limited: {error.error_message}") from None
    limits = {k: v for k, v in response.headers.items() if k.startswith("x-ratelimit-")}
    print(response.parsed["choices"][0]["message"]["content"])
    print(f"request {response.request_id} took {response.retries_taken} retries; limits: {limits}")


if __name__ == "__main__":
    main()
