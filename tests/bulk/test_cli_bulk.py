"""`byot bulk`, run in-process through `main([...])`, against the spec mock on a real port."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from byot import bulk
from byot._cli import main
from byot.testing import Reply, Router, SpecMock, serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def chat(text: str) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


@pytest.fixture
def requests(tmp_path: Path) -> Path:
    path = tmp_path / "requests.jsonl"
    bulk.write_requests(path, ((f"q{n}", chat(str(n))) for n in range(6)))
    return path


@pytest.fixture
def base(requests: Path) -> Iterator[list[str]]:
    with serve() as base_url:
        yield ["--base-url", base_url]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_run_then_run_again(
    capsys: pytest.CaptureFixture[str], requests: Path, tmp_path: Path, base: list[str]
) -> None:
    output = tmp_path / "results.jsonl"

    first = run(capsys, "bulk", "run", requests, "-o", output, "--concurrency", "3", *base)
    again = run(capsys, "bulk", "run", requests, "-o", output, "--validate", "--no-progress", *base)

    assert first == (0, f"{output}: 6 succeeded, 0 failed, 0 done before, 174 tokens\n", "")
    assert again == (0, f"{output}: 0 succeeded, 0 failed, 6 done before, 0 tokens\n", "")
    assert sorted(bulk.results_by_id(output)) == [f"q{n}" for n in range(6)]


def test_run_exits_1_when_a_request_failed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    router = Router()
    router.post("/chat/completions", responses=[Reply(json={"id": "a"}), Reply(400, json={})])
    path, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    bulk.write_requests(path, [("a", chat("a")), ("b", chat("b"))])
    with serve(mock=SpecMock(routes=router)) as base_url:
        status, out, _ = run(
            capsys, "bulk", "run", path, "-o", output, "--concurrency", "1", "--base-url", base_url
        )

    assert (status, out) == (1, f"{output}: 1 succeeded, 1 failed, 0 done before, 0 tokens\n")


def test_run_with_the_embedded_mock(
    capsys: pytest.CaptureFixture[str], requests: Path, tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "bulk", "run", requests, "-o", tmp_path / "r.jsonl", "--mock")

    assert status == 0
    assert "6 succeeded" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "missing.jsonl", "-o", "r.jsonl"], "cannot read missing.jsonl: no such file"),
        (["run", "REQUESTS", "-o", "r.jsonl", "--concurrency", "0"], "at least 1, not 0"),
        (["submit", "REQUESTS", "-o", "r.jsonl"], "-o needs --wait"),
        (["run", "BAD", "-o", "r.jsonl", "--validate"], "BAD: 1 problem; fix them"),
    ],
)
def test_mistakes_are_one_line(
    capsys: pytest.CaptureFixture[str],
    requests: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "BAD").write_bytes(b"{}\n")
    argv = [str(requests) if arg == "REQUESTS" else arg for arg in argv]

    status, out, err = run(capsys, "bulk", *argv, "--mock")

    assert status in (1, 2)
    assert out == ""
    assert err.count("\n") == 1
    assert message in err


def test_submit_status_fetch_cancel(
    capsys: pytest.CaptureFixture[str], requests: Path, tmp_path: Path, base: list[str]
) -> None:
    output = tmp_path / "results.jsonl"

    status, out, _ = run(capsys, "bulk", "submit", requests, "--validate", *base)
    assert status == 0
    batch_id, state, *_ = out.split()
    assert (state, out.count("\n")) == ("validating", 1)

    assert run(capsys, "bulk", "status", batch_id, *base) == (
        0,
        f"{batch_id} in_progress 0/6 done, 0 failed\n",
        "",
    )
    fetched = run(capsys, "bulk", "fetch", batch_id, "-o", output, *base)  # done by now
    assert fetched == (0, f"{output}: 1 file(s) of results from 1 batch(es)\n", "")
    assert len(bulk.results_by_id(output)) == 6
    again = run(capsys, "bulk", "fetch", batch_id, "-o", output, "--wait", "--poll", "0", *base)
    assert again == fetched
    waited = run(capsys, "bulk", "status", batch_id, "--wait", *base)
    assert waited == (0, f"{batch_id} completed 6/6 done, 0 failed\n", "")

    status, out, _ = run(capsys, "bulk", "submit", requests, *base)
    second = out.split()[0]
    assert run(capsys, "bulk", "cancel", second, *base) == (
        0,
        f"{second} cancelling 0/0 done, 0 failed\n",
        "",
    )
    cancelled = run(
        capsys, "bulk", "fetch", second, "-o", output, "--wait", "--poll", "0.01", *base
    )
    assert cancelled == (1, f"{output}: 0 file(s) of results from 1 batch(es)\n", "")


def test_submit_wait_and_fetch_in_one(
    capsys: pytest.CaptureFixture[str], requests: Path, tmp_path: Path, base: list[str]
) -> None:
    output = tmp_path / "results.jsonl"

    status, out, _ = run(
        capsys, "bulk", "submit", requests, "--wait", "--poll", "0.01", "-o", output, *base
    )

    assert status == 0
    first, last = out.splitlines()
    assert first.endswith("validating 0/0 done, 0 failed")
    assert last.endswith("completed 6/6 done, 0 failed")
    assert all(result.ok for result in bulk.results_by_id(output).values())
    status, out, _ = run(capsys, "bulk", "submit", requests, "--wait", "--poll", "0.01", *base)
    assert status == 0
    assert out.count("\n") == 2


def test_fetch_refuses_batches_still_running(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    router = Router()
    router.get("/batches/batch_1", json={"id": "batch_1", "status": "in_progress"})
    with serve(mock=SpecMock(routes=router)) as base_url:
        status, out, err = run(
            capsys, "bulk", "fetch", "batch_1", "-o", tmp_path / "r.jsonl", "--base-url", base_url
        )

    assert (status, out) == (2, "")
    assert err == "byot: still running: batch_1 (add --wait)\n"
