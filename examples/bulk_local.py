"""Many requests from one JSONL file, sent now, 64 at a time, results read back by custom_id.

    OPENAI_API_KEY=sk-... python examples/bulk_local.py

Its files go into `byot-bulk-local` in the temporary folder. Run it again and it finds
everything done: a re-run with the same results file skips what succeeded and sends again what
failed (and Ctrl-C stops cleanly, keeping what finished). The same file goes to the Batch API,
at half the price, in examples/bulk_batch.py.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import byot
from byot import bulk


@dataclass
class Message:
    """The part of a chat message this program reads."""

    content: str | None


@dataclass
class Choice:
    """One answer of a completion."""

    message: Message


@dataclass
class Chat:
    """A chat.completion, reduced to what this program reads (other keys are ignored)."""

    id: str
    choices: list[Choice]


QUESTIONS = ["What is 2 + 2?", "Name a planet.", "Say hello in French."]


def main() -> None:
    folder = Path(tempfile.gettempdir()) / "byot-bulk-local"
    folder.mkdir(exist_ok=True)
    requests, results_file = folder / "requests.jsonl", folder / "results.jsonl"
    bulk.write_requests(
        requests,
        (
            (f"q{n}", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": q}]})
            for n, q in enumerate(QUESTIONS)
        ),
    )
    bulk.check_requests(requests)  # every bad line listed before anything is sent
    with byot.Client(max_retries=5) as client:  # 429s and 5xx are retried by the client
        summary = bulk.run(client, requests, results_file, concurrency=64)
    print(f"{summary.succeeded} answered, {summary.failed} failed, {summary.tokens} tokens")

    results = bulk.results_by_id(results_file, response_type=Chat)
    for n, question in enumerate(QUESTIONS):
        result = results[f"q{n}"]
        answer = result.body.choices[0].message.content if result.body else result.error
        print(f"{question} -> {answer}")


if __name__ == "__main__":
    main()
