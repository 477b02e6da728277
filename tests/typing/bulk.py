"""Static typing checks of `byot.bulk`: never run, only type-checked (see api.py).

Results read back by `custom_id` are `Result[dict[str, Any]]` by default and `Result[T]` for
the caller's own type `T`, and the runners return a `Summary`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from typing_extensions import assert_type

import byot
from byot import bulk


@dataclass(frozen=True)
class Answer:
    id: str
    model: str


def read_back() -> None:
    by_id = bulk.results_by_id("results.jsonl", response_type=Answer)
    assert_type(by_id, dict[str, bulk.Result[Answer]])
    assert_type(by_id["q1"].body, Answer | None)
    plain = bulk.results_by_id("output.jsonl", "errors.jsonl")
    assert_type(plain["q1"].body, dict[str, Any] | None)
    for result in bulk.read_results("results.jsonl", response_type=Answer):
        assert_type(result, bulk.Result[Answer])
        assert_type(result.ok, bool)
    for request in bulk.read_requests("requests.jsonl"):
        assert_type(request, bulk.Request)
    bulk.results_by_id("results.jsonl", response_type="Answer")  # type: ignore[call-overload]


def run_both(client: byot.Client) -> None:
    assert_type(bulk.run(client, "requests.jsonl", "results.jsonl"), bulk.Summary)
    assert_type(bulk.submit(client, "requests.jsonl"), list[dict[str, Any]])


async def run_async(client: byot.AsyncClient) -> None:
    assert_type(await bulk.arun(client, "requests.jsonl", "results.jsonl"), bulk.Summary)
