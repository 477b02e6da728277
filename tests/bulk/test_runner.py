"""The local runner, sync and async, on httpx.MockTransport: outcomes, bounds, resuming, stops."""

from __future__ import annotations

import _thread
import threading
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import orjson
import pytest

import byot
from byot import bulk
from byot._jsonl import result_line
from byot.errors import BulkInputError
from byot.testing import NO_WAIT

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from byot.bulk import Request


def chat(text: str) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": text}]}


def answer(request: httpx.Request) -> httpx.Response:
    """A chat.completion naming the question, with usage."""
    text = orjson.loads(request.content)["messages"][0]["content"]
    body = {"id": f"re:{text}", "usage": {"total_tokens": 10}}
    return httpx.Response(200, json=body, headers={"x-request-id": f"req-{text}"})


def requests_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "requests.jsonl"
    bulk.write_requests(path, ((f"q{n}", chat(str(n))) for n in range(count)))
    return path


class Runner:
    """Runs `byot.bulk.run` or `arun` with a client on a handler, the same way for a test."""

    def __init__(self, mode: str) -> None:
        self.is_async = mode == "async"

    def run(
        self,
        handler: Callable[[httpx.Request], httpx.Response],
        *args: Any,
        client: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> bulk.Summary:
        options: dict[str, Any] = {
            "base_url": "http://test/v1",
            "api_key": "sk-test",
            "transport": httpx.MockTransport(handler),
            "retry": NO_WAIT,
            **(client or {}),
        }
        if not self.is_async:
            with byot.Client(**options) as client:
                return bulk.run(client, *args, **kwargs)

        async def main() -> bulk.Summary:
            async with byot.AsyncClient(**options) as client:
                return await bulk.arun(client, *args, **kwargs)

        return anyio.run(main)


@pytest.fixture(params=["sync", "async"])
def runner(request: pytest.FixtureRequest) -> Runner:
    return Runner(request.param)


def test_every_request_answered_once(runner: Runner, tmp_path: Path) -> None:
    requests, output = requests_file(tmp_path, 50), tmp_path / "results.jsonl"

    summary = runner.run(answer, requests, output, concurrency=7)

    assert summary == bulk.Summary(skipped=0, succeeded=50, failed=0, tokens=500)
    results = bulk.results_by_id(output)
    assert sorted(results) == sorted(f"q{n}" for n in range(50))
    assert results["q7"].body == {"id": "re:7", "usage": {"total_tokens": 10}}
    assert results["q7"].request_id == "req-7"
    assert orjson.loads(output.read_bytes().splitlines()[0])["id"].startswith("byot_req_")


def test_concurrency_bounds_the_requests_in_flight(runner: Runner, tmp_path: Path) -> None:
    lock = threading.Lock()
    in_flight = [0, 0]  # now, most
    release = threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        if not runner.is_async:
            release.wait(0.01)  # let the other threads pile up
        with lock:
            in_flight[0] -= 1
        return answer(request)

    runner.run(slow, requests_file(tmp_path, 40), tmp_path / "out.jsonl", concurrency=4)

    assert 1 <= in_flight[1] <= 4
    if not runner.is_async:
        assert in_flight[1] == 4


def test_failures_are_written_as_the_batch_api_does(runner: Runner, tmp_path: Path) -> None:
    def failing(request: httpx.Request) -> httpx.Response:
        text = orjson.loads(request.content)["messages"][0]["content"]
        if text == "0":
            return httpx.Response(400, json={"error": {"message": "bad", "code": "x"}})
        if text == "1":
            raise httpx.ConnectError("refused", request=request)
        if text == "2":
            raise httpx.ReadTimeout("slow", request=request)
        if text == "3":
            return httpx.Response(502, content=b"<html>gateway</html>")
        if text == "4":
            return httpx.Response(200, json=[1, 2])  # not an object: a decode error
        return httpx.Response(200, json={"id": text})  # no usage: no tokens

    output = tmp_path / "results.jsonl"
    summary = runner.run(failing, requests_file(tmp_path, 6), output, client={"max_retries": 0})

    assert summary == bulk.Summary(skipped=0, succeeded=1, failed=5, tokens=0)
    results = bulk.results_by_id(output)
    assert (results["q0"].status_code, results["q0"].error) == (
        400,
        {"message": "bad", "code": "x"},
    )
    assert results["q1"].status_code is None
    assert results["q1"].error is not None
    assert results["q1"].error["code"] == "connection_error"
    assert results["q2"].error is not None
    assert results["q2"].error["code"] == "timeout"
    assert results["q3"].status_code == 502
    assert results["q3"].error is not None
    assert "gateway" in results["q3"].error["message"]
    assert results["q4"].error is not None
    assert results["q4"].error["code"] == "decode_error"
    assert results["q5"].ok


def test_a_body_that_cannot_be_sent_fails_its_line_only(runner: Runner, tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(
        b'{"custom_id": "list", "method": "POST", "url": "/v1/chat/completions", "body": [1]}\n'
        + bulk.request_line("fine", chat("x"))
    )

    summary = runner.run(answer, path, tmp_path / "out.jsonl")

    results = bulk.results_by_id(tmp_path / "out.jsonl")
    assert (summary.succeeded, summary.failed) == (1, 1)
    assert results["list"].error is not None
    assert results["list"].error["code"] == "invalid_request"
    assert "JSON object" in results["list"].error["message"]


def test_a_rerun_skips_what_is_done_and_retries_what_failed(runner: Runner, tmp_path: Path) -> None:
    requests, output = requests_file(tmp_path, 5), tmp_path / "results.jsonl"
    output.write_bytes(
        result_line("q0", number=1, status_code=200, body=b'{"id": "before"}')
        + result_line("q1", number=2, status_code=500, body=b"{}")
        + result_line("q2", number=3, error={"code": "timeout", "message": "slow"})
        + b"\n"
        + result_line("q3", number=4, status_code=200, body=b'{"id": "before"}')
        + result_line("q4", number=5, status_code=200, body=b'{"id": "torn"}')[:-9]
    )
    sent: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(orjson.loads(request.content)["messages"][0]["content"])
        return answer(request)

    summary = runner.run(record, requests, output)

    assert sorted(sent) == ["1", "2", "4"]
    assert summary == bulk.Summary(skipped=2, succeeded=3, failed=0, tokens=30)
    custom_ids = [orjson.loads(line)["custom_id"] for line in output.read_bytes().splitlines()]
    assert sorted(custom_ids) == ["q0", "q1", "q2", "q3", "q4"]
    assert bulk.results_by_id(output)["q0"].body == {"id": "before"}
    assert not (tmp_path / "results.jsonl.resume").exists()
    assert runner.run(record, requests, output) == bulk.Summary(5, 0, 0, 0)


def test_acquire_is_called_before_each_send(runner: Runner, tmp_path: Path) -> None:
    order: list[str] = []

    def send(request: httpx.Request) -> httpx.Response:
        order.append("send")
        return answer(request)

    def acquire(request: Request) -> None:
        order.append(f"acquire {request.custom_id}")

    async def aacquire(request: Request) -> None:
        acquire(request)

    hook: Any = aacquire if runner.is_async else acquire
    runner.run(send, requests_file(tmp_path, 3), tmp_path / "o.jsonl", concurrency=1, acquire=hook)

    assert order == ["acquire q0", "send", "acquire q1", "send", "acquire q2", "send"]


def test_a_bad_line_stops_after_the_lines_before_it(runner: Runner, tmp_path: Path) -> None:
    requests = requests_file(tmp_path, 3)
    with requests.open("ab") as out:
        out.write(b"garbage\n" + bulk.request_line("after", chat("x")))
    output = tmp_path / "results.jsonl"

    with pytest.raises(BulkInputError, match="line 4: not JSON"):
        runner.run(answer, requests, output, concurrency=2)

    assert sorted(bulk.results_by_id(output)) == ["q0", "q1", "q2"]


def test_concurrency_must_be_positive(runner: Runner, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        runner.run(answer, requests_file(tmp_path, 1), tmp_path / "o.jsonl", concurrency=0)


def test_ctrl_c_writes_everything_finished(tmp_path: Path) -> None:
    requests, output = requests_file(tmp_path, 200), tmp_path / "results.jsonl"
    count = [0]
    lock = threading.Lock()

    def interrupt_at_50(request: httpx.Request) -> httpx.Response:
        with lock:
            count[0] += 1
            if count[0] == 50:
                _thread.interrupt_main()  # what Ctrl-C does
        return answer(request)

    with pytest.raises(KeyboardInterrupt):
        Runner("sync").run(interrupt_at_50, requests, output, concurrency=8)

    done = bulk.results_by_id(output)
    assert 50 <= len(done) == count[0] < 200  # every request answered is written
    assert all(result.ok for result in done.values())
    summary = Runner("sync").run(answer, requests, output)
    assert (summary.skipped, summary.succeeded) == (len(done), 200 - len(done))
    assert len(output.read_bytes().splitlines()) == 200


@pytest.mark.anyio
async def test_cancelling_arun_keeps_what_finished(tmp_path: Path) -> None:
    requests, output = requests_file(tmp_path, 100), tmp_path / "results.jsonl"
    answered = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal answered
        answered += 1
        if answered > 30:
            await anyio.sleep(10)
        return answer(request)

    client = byot.AsyncClient(
        base_url="http://test/v1", api_key="k", transport=httpx.MockTransport(handler)
    )
    with anyio.move_on_after(0.5):
        await bulk.arun(client, requests, output, concurrency=8)
    await client.aclose()

    assert sorted(bulk.results_by_id(output)) == sorted(f"q{n}" for n in range(30))


def test_arun_runs_under_trio(tmp_path: Path) -> None:
    import trio

    requests, output = requests_file(tmp_path, 20), tmp_path / "results.jsonl"

    async def main() -> bulk.Summary:
        transport = httpx.MockTransport(answer)
        async with byot.AsyncClient(base_url="http://t/v1", api_key="k", transport=transport) as c:
            return await bulk.arun(c, requests, output, concurrency=4)

    assert trio.run(main) == bulk.Summary(skipped=0, succeeded=20, failed=0, tokens=200)
    assert len(bulk.results_by_id(output)) == 20
