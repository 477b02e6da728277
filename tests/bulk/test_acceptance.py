"""Issue 19's acceptance, offline: one file of 10,000 requests down both paths.

Locally: through `byot.bulk.run` against the suite's own server (tests/e2e/server.py) that
answers 429s, resets connections and has a burst of 503s, interrupted half-way by what Ctrl-C
does and resumed: every line ends exactly once in the output, answered with its own question.
On the Batch API: the same file submitted to the spec mock on a real port, waited for, fetched.
Both result files are read back into the same dataclass by `custom_id`.
"""

from __future__ import annotations

import _thread
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import pytest

import byot
from byot import bulk
from byot.testing import NO_WAIT, SpecMock, serve
from tests.e2e.server import Behaviour, Json, Request, Reset, TestServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LINES = 10_000


@dataclass
class Message:
    content: str | None


@dataclass
class Choice:
    message: Message


@dataclass
class Chat:
    id: str
    choices: list[Choice]


def completion(question: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": f"re: {question}"}
    return {
        "id": f"chatcmpl-{question}",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


class FaultyModel(TestServer):
    """Answers each question with its own completion, but not always at the first try.

    By the number of the request: every 7th gets a 429, every 11th a reset before any answer,
    every 13th a reset after the headers, and requests 2,000 to 2,199 a 503 (a burst some
    lines cannot outlast with the client's two retries). After `interrupt_at` answers it does
    what Ctrl-C does to the process.
    """

    def __init__(self, interrupt_at: int | None) -> None:
        super().__init__()
        self.count = self.answered = 0
        self.interrupt_at = interrupt_at
        self.answers: dict[str, int] = {}
        self._count_lock = threading.Lock()

    def take(self, path: str, request: Request) -> Behaviour:
        with self._count_lock:
            self.count += 1
            number = self.count
        if 2000 <= number < 2200:
            return Json(503, {"error": {"message": "overloaded", "type": "server_error"}})
        if number % 7 == 0:
            limited = {"error": {"message": "Rate limit reached", "type": "requests"}}
            return Json(429, limited, headers={"retry-after-ms": "1"})
        if number % 11 == 0:
            return Reset("before")
        if number % 13 == 0:
            return Reset("headers")
        question = request.json()["messages"][0]["content"]
        with self._count_lock:
            self.answers[question] = self.answers.get(question, 0) + 1
            self.answered += 1
            if self.answered == self.interrupt_at:
                _thread.interrupt_main()
        return Json(200, completion(question))


@pytest.fixture
def requests(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ""}]}
    bulk.write_requests(
        path,
        (
            (f"q{n}", {**body, "messages": [{"role": "user", "content": str(n)}]})
            for n in range(LINES)
        ),
    )
    return path


@pytest.fixture
def model() -> Iterator[FaultyModel]:
    with FaultyModel(interrupt_at=LINES // 2) as server:
        yield server


def test_local_runner_with_faults_interrupted_and_resumed(
    requests: Path, tmp_path: Path, model: FaultyModel
) -> None:
    output = tmp_path / "results.jsonl"
    with byot.Client(base_url=model.url + "/v1", api_key="sk-test", retry=NO_WAIT) as client:
        with pytest.raises(KeyboardInterrupt):
            bulk.run(client, requests, output, concurrency=32)
        first = bulk.results_by_id(output)
        # Resume until nothing fails: a line fails again only if all three attempts of a
        # re-run meet a fault too, which happens to a few percent of them.
        reruns = [bulk.run(client, requests, output, concurrency=32)]
        while reruns[-1].failed:
            assert len(reruns) < 6
            before = reruns[-1]
            reruns.append(bulk.run(client, requests, output, concurrency=32))
            assert reruns[-1].skipped == LINES - before.failed  # only the failed are sent

    assert LINES // 2 <= len(first) < LINES  # half-way: what was answered is written
    failed_before = [key for key, result in first.items() if not result.ok]
    assert failed_before  # the 503 burst outlasted some lines' retries
    done_before = len(first) - len(failed_before)
    assert reruns[0].skipped == done_before
    assert sum(rerun.succeeded for rerun in reruns) == LINES - done_before
    custom_ids = [orjson.loads(line)["custom_id"] for line in output.read_bytes().splitlines()]
    assert len(custom_ids) == len(set(custom_ids)) == LINES  # every line exactly once
    results = bulk.results_by_id(output, response_type=Chat)
    for n in range(LINES):
        chat = results[f"q{n}"].body
        assert chat is not None
        assert chat.choices[0].message.content == f"re: {n}"
    # No request was answered twice: retries repeat only what got no answer.
    assert sorted(model.answers.values()) == [1] * LINES
    assert all(rerun.tokens == 5 * rerun.succeeded for rerun in reruns)


def test_the_same_file_through_the_batch_api_of_the_mock(requests: Path, tmp_path: Path) -> None:
    output = tmp_path / "results.jsonl"
    mock = SpecMock(validate_requests=False)
    with serve(mock=mock) as base_url, byot.Client(base_url=base_url, api_key="k") as client:
        batches = bulk.submit(client, requests)
        done = bulk.wait(client, [batch["id"] for batch in batches], poll_interval=0.01)
        bulk.fetch(client, done, output)

    assert [batch["request_counts"]["completed"] for batch in done] == [LINES]
    results = bulk.results_by_id(output, response_type=Chat)
    assert sorted(results) == sorted(f"q{n}" for n in range(LINES))
    assert all(result.ok and result.body is not None for result in results.values())
    assert results["q42"].body is not None
    assert results["q42"].body.choices[0].message.content  # the spec's documented answer
