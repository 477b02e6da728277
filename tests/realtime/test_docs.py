"""Every Python snippet of docs/realtime.md runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "realtime.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_snippets_run_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {}
    for number, snippet in enumerate(SNIPPETS, 1):
        exec(compile(snippet, f"{DOC.name} snippet {number}", "exec"), namespace)  # noqa: S102
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == ["session.created", "Sure, I can help with that.", "1000"]
    assert "Sure, I can help with that. 253" in lines
    assert "response_failed evt_1" in lines
    assert "$.type" in lines
    assert lines[-1] == "['session.update', 'conversation.item.create', 'response.create']"
    assert len(SNIPPETS) == 9
