"""The progress bar: drawn by rich only on a terminal (or when asked), silent otherwise."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import httpx
from rich.console import Console

import byot
from byot import _progress, bulk
from byot._progress import Progress, wanted

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=160, color_system=None), out


def test_the_bar_shows_counts_rate_tokens_failures_and_eta() -> None:
    screen, out = console()
    with Progress("requests", 4, show=True, console=screen) as bar:
        bar.advance(ok=True, tokens=1200)
        bar.advance(ok=False)
    assert (bar.done, bar.failed, bar.tokens) == (2, 1, 1200)
    text = out.getvalue()
    for shown in ("requests", "2/4", "/s", "1,200 tokens", "1 failed", "ETA"):
        assert shown in text, text


def test_a_batch_sets_the_counts_it_reports() -> None:
    screen, out = console()
    with Progress("batch", None, show=True, console=screen) as bar:
        bar.set(done=0, failed=0, total=0)
        bar.set(done=7, failed=2, total=10)
    assert (bar.done, bar.failed) == (7, 2)
    assert "7/10" in out.getvalue()
    assert "2 failed" in out.getvalue()


def test_nothing_is_drawn_unless_asked_or_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with Progress("requests", 3, show=False) as bar:
        bar.advance(ok=True, tokens=5)
        bar.set(done=1, failed=0, total=3)
    assert bar.done == 1
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert wanted(None) is False
    assert wanted(True) is True

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Terminal())
    assert wanted(None) is True
    monkeypatch.setattr(_progress.importlib.util, "find_spec", lambda name: None)
    assert wanted(None) is False


def test_a_run_counts_the_input_for_the_bar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    totals: list[int | None] = []
    real = _progress.Progress

    def spy(description: str, total: int | None, **kwargs: object) -> Progress:
        totals.append(total)
        return real(description, total, show=False)

    monkeypatch.setattr("byot._runner.Progress", spy)
    requests, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    bulk.write_requests(requests, ((f"q{n}", {"model": "m"}) for n in range(5)))
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    with byot.Client(base_url="http://t/v1", api_key="k", transport=transport) as client:
        bulk.run(client, requests, output, progress=True)
        bulk.run(client, requests, output, progress=False)

    assert totals == [5, None]
