"""Batch API jobs against the spec mock: split, submit, wait, fetch, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot
from byot import bulk
from byot._batch_jobs import split
from byot.errors import BulkInputError
from byot.testing import Reply, Router, SpecMock

if TYPE_CHECKING:
    from pathlib import Path


def chat(text: str) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


def client_for(mock: SpecMock) -> byot.Client:
    return byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=mock)


def test_split_keeps_one_endpoint_and_the_limits_per_file(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    embed = {"model": "e", "input": "x"}
    with source.open("wb") as out:
        for n in range(7):
            out.write(bulk.request_line(f"c{n}", chat(str(n))))
            out.write(bulk.request_line(f"e{n}", embed, url="/embeddings"))
        out.write(b"\n")
        out.write(bulk.request_line("last", chat("x")).rstrip(b"\n"))  # no final newline
    parts_dir = tmp_path / "parts"
    parts_dir.mkdir()

    parts = list(split(source, parts_dir, max_lines=3, max_bytes=10_000))

    endpoints = [endpoint for endpoint, _ in parts]
    assert endpoints.count("/v1/chat/completions") == 3  # 8 lines: 3 + 3 + 2
    assert endpoints.count("/v1/embeddings") == 3  # 7 lines: 3 + 3 + 1
    by_endpoint: dict[str, list[str]] = {}
    for endpoint, path in parts:
        lines = path.read_bytes().splitlines(keepends=True)
        assert 1 <= len(lines) <= 3
        assert all(line.endswith(b"\n") for line in lines)
        ids = [orjson.loads(line)["custom_id"] for line in lines]
        by_endpoint.setdefault(endpoint, []).extend(ids)
    assert by_endpoint["/v1/chat/completions"] == [f"c{n}" for n in range(7)] + ["last"]
    assert by_endpoint["/v1/embeddings"] == [f"e{n}" for n in range(7)]


def test_split_by_bytes(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    bulk.write_requests(source, ((f"q{n}", chat("x" * 50)) for n in range(10)))
    size = len(source.read_bytes().splitlines(keepends=True)[0])

    parts = list(split(source, tmp_path, max_bytes=size * 4))

    assert [len(path.read_bytes().splitlines()) for _, path in parts] == [4, 4, 2]
    assert all(len(path.read_bytes()) <= size * 4 for _, path in parts)


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"[]\n", "line 1: expected a JSON object"), (None, "line 1: 1")],
)
def test_split_refuses_what_no_batch_can_take(
    tmp_path: Path, content: bytes | None, problem: str
) -> None:
    source = tmp_path / "requests.jsonl"
    source.write_bytes(content or bulk.request_line("big", chat("x" * 1000)))

    with pytest.raises(BulkInputError, match=problem):
        list(split(source, tmp_path, max_bytes=500))


def test_submit_wait_fetch_read_back(tmp_path: Path) -> None:
    source, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    bulk.write_requests(source, ((f"q{n}", chat(str(n))) for n in range(5)))
    mock = SpecMock()
    client = client_for(mock)
    sleeps: list[float] = []

    batches = bulk.submit(client, source, max_lines=2, metadata={"job": "test"})
    assert [batch["status"] for batch in batches] == ["validating"] * 3
    assert batches[0]["metadata"] == {"job": "test"}
    assert batches[0]["endpoint"] == "/v1/chat/completions"
    done = bulk.wait(client, [b["id"] for b in batches], poll_interval=0.5, sleep=sleeps.append)
    files = bulk.fetch(client, done, output)

    assert [batch["status"] for batch in done] == ["completed"] * 3
    assert sum(batch["request_counts"]["total"] for batch in done) == 5
    assert sleeps == [0.5]  # validating, then in_progress, then completed: one wait between
    assert files == 3  # three output files, no error file
    results = bulk.results_by_id(output)
    assert sorted(results) == [f"q{n}" for n in range(5)]
    assert all(result.ok for result in results.values())
    uploads = [call for call in mock.calls if call.operation_id == "createFile"]
    assert len(uploads) == 3
    assert b'name="purpose"' in uploads[0].request.content


def test_wait_polls_only_the_batches_still_running(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    bulk.write_requests(source, [("a", chat("a")), ("b", chat("b"))])
    mock = SpecMock()
    client = client_for(mock)
    first, second = bulk.submit(client, source, max_lines=1)
    client.batches.retrieve(first["id"])
    client.batches.retrieve(first["id"])  # completed before the wait starts

    done = bulk.wait(client, [first["id"], second["id"]], sleep=lambda _: None)

    assert [batch["status"] for batch in done] == ["completed", "completed"]
    polled = [
        call.path_params["batch_id"] for call in mock.calls if call.operation_id == "retrieveBatch"
    ]
    assert polled.count(first["id"]) == 3  # twice before, once in the wait
    assert polled.count(second["id"]) == 2


def test_wait_backs_off_and_gives_up_at_the_timeout() -> None:
    router = Router()
    running = {"id": "batch_1", "status": "in_progress", "request_counts": {"total": 4}}
    router.get("/batches/batch_1", json=running)
    client = client_for(SpecMock(routes=router))
    sleeps: list[float] = []

    def stop_after_four(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 4:
            raise RuntimeError("enough")

    with pytest.raises(TimeoutError, match=r"1 batch\(es\) still running after 0 s: batch_1"):
        bulk.wait(client, ["batch_1"], timeout=0, sleep=sleeps.append)
    with pytest.raises(RuntimeError, match="enough"):
        bulk.wait(client, ["batch_1"], poll_interval=1, max_interval=3, sleep=stop_after_four)
    assert sleeps == [1, 2, 3, 3]


def test_fetch_by_id_joins_the_output_and_error_files(tmp_path: Path) -> None:
    router = Router()
    router.post(
        "/chat/completions",
        responses=[Reply(json={"id": "ok"}), Reply(400, json={"error": {"message": "no"}})],
    )
    source, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    bulk.write_requests(source, [("good", chat("a")), ("bad", chat("b"))])
    client = client_for(SpecMock(routes=router))
    (batch,) = bulk.submit(client, source)
    (done,) = bulk.wait(client, [batch["id"]], sleep=lambda _: None)

    assert bulk.fetch(client, [batch["id"]], output) == 2
    assert done["request_counts"] == {"total": 2, "completed": 1, "failed": 1}
    results = bulk.results_by_id(output)
    assert results["good"].body == {"id": "ok"}
    assert results["bad"].error == {"message": "no"}
    assert (results["bad"].status_code, results["good"].status_code) == (400, 200)


def test_fetch_puts_each_file_on_lines_of_its_own(tmp_path: Path) -> None:
    router = Router()
    router.get("/files/out/content", content=b'{"custom_id": "a", "response": null, "error": {}}')
    router.get("/files/err/content", content=b'{"custom_id": "b", "response": null, "error": {}}')
    client = client_for(SpecMock(routes=router))
    batch = {"id": "b", "output_file_id": "out", "error_file_id": "err"}
    output = tmp_path / "results.jsonl"

    assert bulk.fetch(client, [batch, {"id": "none", "output_file_id": None}], output) == 2
    assert sorted(bulk.results_by_id(output)) == ["a", "b"]


def test_cancel(tmp_path: Path) -> None:
    source = tmp_path / "requests.jsonl"
    bulk.write_requests(source, [("a", chat("a"))])
    client = client_for(SpecMock())
    (batch,) = bulk.submit(client, source)

    (cancelling,) = bulk.cancel(client, [batch["id"]])
    (cancelled,) = bulk.wait(client, [batch["id"]], sleep=lambda _: None)

    assert cancelling["status"] == "cancelling"
    assert cancelled["status"] == "cancelled"
    assert cancelled["output_file_id"] is None
    assert bulk.cancel(client, [batch["id"]])[0]["status"] == "cancelled"


def test_the_mock_keeps_only_batch_files_and_its_own_ids(tmp_path: Path) -> None:
    mock = SpecMock()
    client = client_for(mock)
    tuned = client.files.create(
        {"file": ("t.jsonl", b"{}\n", "application/jsonl"), "purpose": "fine-tune"}
    )
    kept = client.files.create(
        {"file": ("b.jsonl", b"line\n", "application/jsonl"), "purpose": "batch"}
    )

    assert tuned["id"] == "file-abc123"  # the spec's documented answer
    assert kept["id"].startswith("file-mock")
    assert client.files.retrieve(kept["id"])["bytes"] == 5
    assert client.files.content(kept["id"]) == b"line\n"
    assert client.files.retrieve("file-abc123")["id"] == "file-abc123"
    assert client.files.delete(kept["id"])["deleted"] is True
    gone = client.files.retrieve(kept["id"])  # no longer kept: the spec's answer, for that id
    assert (gone["id"], gone["filename"]) == (kept["id"], "mydata.jsonl")
    unknown = client.batches.create(
        {
            "input_file_id": "file-nope",
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
        }
    )
    assert unknown["id"] == "batch_abc123"
    assert client.batches.retrieve("batch_abc123")["id"] == "batch_abc123"


def test_the_mock_fails_lines_it_cannot_run(tmp_path: Path) -> None:
    router = Router()
    router.post("/chat/completions", content="plain text", status=503)
    lines = (
        b"not json\n\n"
        + bulk.request_line("other", {"model": "e", "input": "x"}, url="/v1/embeddings")
        + bulk.request_line("down", chat("x"))
    )
    client = client_for(SpecMock(routes=router))
    file = client.files.create(
        {"file": ("b.jsonl", lines, "application/jsonl"), "purpose": "batch"}
    )
    batch = client.batches.create(
        {
            "input_file_id": file["id"],
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
        }
    )
    (done,) = bulk.wait(client, [batch["id"]], sleep=lambda _: None)
    output = tmp_path / "results.jsonl"
    bulk.fetch(client, [done], output)

    assert done["output_file_id"] is None
    assert done["request_counts"] == {"total": 3, "completed": 0, "failed": 3}
    results = bulk.results_by_id(output)
    assert results["line-1"].error is not None
    assert results["line-1"].error["code"] == "invalid_request"
    assert results["other"].error is not None
    assert results["other"].error["code"] == "invalid_url"
    assert (results["down"].status_code, results["down"].error) == (503, {"message": "plain text"})


def test_a_served_mock_runs_batches_for_any_client(tmp_path: Path) -> None:
    from byot.testing import serve

    source, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    bulk.write_requests(source, [("a", chat("a"))])
    with serve() as base_url, byot.Client(base_url=base_url, api_key="k") as client:
        (batch,) = bulk.submit(client, source)
        done = bulk.wait(client, [batch["id"]], poll_interval=0.01)
        bulk.fetch(client, done, output)
        assert httpx.get(f"{base_url}/batches/{batch['id']}").json()["status"] == "completed"

    assert bulk.results_by_id(output)["a"].ok


def test_a_batch_of_batch_calls_does_not_lock_the_mock(tmp_path: Path) -> None:
    body = {"input_file_id": "file-nope", "endpoint": "/v1/embeddings", "completion_window": "24h"}
    source = tmp_path / "requests.jsonl"
    bulk.write_requests(source, [("inner", body)], url="/v1/batches")
    client = client_for(SpecMock(validate_requests=False))  # the spec has no such batches
    (batch,) = bulk.submit(client, source)

    (done,) = bulk.wait(client, [batch["id"]], sleep=lambda _: None)

    assert done["request_counts"]["completed"] == 1
