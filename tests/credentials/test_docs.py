"""docs/credentials.md as a reader runs it: its Python snippets in order, as one script.

The script talks to the spec mock on a real port (`OPENAI_BASE_URL`), in a fresh interpreter.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from byot.testing import serve

DOC = Path(__file__).resolve().parents[2] / "docs" / "credentials.md"
PYTHON = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_snippets_run(tmp_path: Path) -> None:
    with serve() as base_url:
        env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}
        done = subprocess.run(  # noqa: S603 - our own interpreter and the page's code
            [sys.executable, "-c", "\n".join(PYTHON)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == "tokens asked for: 2"
    assert lines[1].startswith("refused: the value of header 'Authorization' comes from an async")
    assert lines[2] == "model"
    assert lines[3] == "x-team: search x-trace: off"
    assert len(lines) == 4
