"""`byot.bulk.run` / `arun` with `rate_limiter=`, and `byot bulk run --rpm --tpm`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import anyio
import httpx
import pytest

import byot
from byot import bulk
from byot._cli import main
from byot.testing import NO_WAIT, serve
from tests.ratelimit.test_client import Recording

if TYPE_CHECKING:
    from pathlib import Path


def requests_file(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "requests.jsonl"
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8}
    bulk.write_requests(path, ((f"q{n}", body) for n in range(count)))
    return path


def busy_then_fine() -> Any:
    """The first request gets a 429 (retried by the client), every other one an answer."""
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) == 1:
            return httpx.Response(429, json={"error": {"message": "busy"}})
        return httpx.Response(200, json={"usage": {"total_tokens": 3}})

    return handler


def test_run_books_every_attempt_with_the_limiter(tmp_path: Path) -> None:
    limiter = Recording(tpm=1_000_000)
    transport = httpx.MockTransport(busy_then_fine())
    with byot.Client(base_url="http://t/v1", api_key="k", transport=transport, retry=NO_WAIT) as c:
        summary = bulk.run(
            c, requests_file(tmp_path, 4), tmp_path / "o.jsonl", rate_limiter=limiter
        )
    assert summary == bulk.Summary(skipped=0, succeeded=4, failed=0, tokens=12)
    assert len(limiter.tickets) == 5  # four requests, one retried
    assert sorted(limiter.settled) == [200, 200, 200, 200, 429]
    assert sum(ticket.tokens == 3 for ticket in limiter.tickets) == 4  # corrected from usage


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_arun_books_every_attempt_with_the_limiter(tmp_path: Path, backend: str) -> None:
    limiter = Recording(rpm=6000)

    async def go() -> bulk.Summary:
        transport = httpx.MockTransport(busy_then_fine())
        async with byot.AsyncClient(
            base_url="http://t/v1", api_key="k", transport=transport, retry=NO_WAIT
        ) as client:
            return await bulk.arun(
                client, requests_file(tmp_path, 4), tmp_path / "o.jsonl", rate_limiter=limiter
            )

    began = time.monotonic()
    summary = anyio.run(go, backend=backend)
    assert summary.succeeded == 4
    assert len(limiter.tickets) == 5
    assert time.monotonic() - began >= 4 * 0.01  # five bookings 10 ms apart: four gaps


def test_the_cli_keeps_to_rpm(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    requests, output = requests_file(tmp_path, 5), tmp_path / "results.jsonl"
    with serve() as base_url:
        began = time.monotonic()
        status = main(
            [
                *("bulk", "run", str(requests), "-o", str(output)),
                *("--rpm", "1200", "--tpm", "1e6", "--base-url", base_url, "--no-progress"),
            ]
        )
        took = time.monotonic() - began
    assert status == 0
    assert "5 succeeded" in capsys.readouterr().out
    assert took >= 4 * 0.05  # one request every 50 ms: four gaps at least


@pytest.mark.parametrize(
    ("flag", "value"), [("--rpm", "0"), ("--tpm", "-3"), ("--rpm", "nan"), ("--tpm", "inf")]
)
def test_the_cli_refuses_a_limit_that_is_not_positive(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str, value: str
) -> None:
    requests = requests_file(tmp_path, 1)
    status = main(["bulk", "run", str(requests), "-o", str(tmp_path / "r"), flag, value, "--mock"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{flag} must be a positive number, not {value}" in err
