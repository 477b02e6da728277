"""Every Python block of docs/tools.md runs as written, in order, as one script.

The client in the blocks reads `OPENAI_BASE_URL`, pointed at `byot.testing.serve()`: the spec
mock checks every request against the spec and answers each forced tool call with arguments
that fit the tool, then (the forced choice relaxed) with its documented answer.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

from byot.testing import SpecMock, serve

if TYPE_CHECKING:
    import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "tools.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
SPEC_ANSWER = "Hello! How can I assist you today?"


def test_the_page_has_blocks() -> None:
    assert len(BLOCKS) >= 7


def test_the_blocks_run_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mock = SpecMock()
    with serve(mock=mock) as base_url:
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        # A module of its own, as a reader's script is: dataclasses look their module up.
        module = types.ModuleType("tools_doc")
        monkeypatch.setitem(sys.modules, module.__name__, module)
        for number, block in enumerate(BLOCKS, 1):
            exec(compile(block, f"{DOC.name} block {number}", "exec"), module.__dict__)  # noqa: S102
    printed = capsys.readouterr().out.splitlines()

    pace = {
        "type": "string",
        "enum": ["slow", "brisk"],
        "description": "How fast to walk between stops.",
    }
    assert printed[0] == repr(pace)
    assert printed[1].startswith("{'city': 'Lyon', 'stops': [Stop(name='Fourviere', minutes=40)]")
    assert printed[2] == "A slow walk in Lyon: 1 stops, 40 minutes, 20 euros"
    assert printed[3] == "stops $.stops[0].minutes"
    assert "bad arguments for tool 'plan_walk' at $.stops[0].minutes" in printed[4]
    assert printed[5] == "2 2 sunny days in Lima"
    assert printed[6].startswith("plan_walk -> A slow walk in sample city: 1 stops")
    assert printed[7] == "forecast -> 0 sunny days in sample city"
    assert printed[8] == SPEC_ANSWER
    assert printed[9] == "2 ['user', 'assistant', 'tool', 'tool', 'assistant']"
    assert printed[10] == SPEC_ANSWER
    assert printed[11] == "2 ['0 sunny days in sample city']"
    assert printed[12] == "0 sunny days in sample city"
    assert len(printed) == 13
