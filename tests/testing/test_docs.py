"""Every Python snippet of docs/testing.md runs as written (printing allowed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_page_has_snippets() -> None:
    assert len(SNIPPETS) >= 7


@pytest.mark.parametrize("number", range(len(SNIPPETS)))
def test_snippet_runs(number: int, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(SNIPPETS[number], f"{DOC.name} snippet {number + 1}", "exec"), {})  # noqa: S102
    if number == 0:
        assert capsys.readouterr().out == "Hello! How can I assist you today?\n"
