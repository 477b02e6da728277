"""Every Python snippet of docs/testing.md runs as written (printing allowed).

A snippet that defines tests (the pytest plugin's) is also run by pytest, in a subprocess
where only byot's entry point loads the plugin, and every test in it must pass.
"""

from __future__ import annotations

import re
import subprocess
import sys
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


def test_the_plugin_s_snippets_pass_under_pytest(tmp_path: Path) -> None:
    tests = [snippet for snippet in SNIPPETS if "\ndef test_" in snippet]
    assert tests
    for number, snippet in enumerate(tests):
        (tmp_path / f"test_doc_{number}.py").write_text(snippet)
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    defined = sum(snippet.count("\ndef test_") for snippet in tests)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{defined} passed" in done.stdout
