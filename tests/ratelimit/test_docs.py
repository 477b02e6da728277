"""docs/rate-limits.md as a reader runs it: the Python blocks in order, then its `byot` line.

Both go to the spec mock on a real port (`OPENAI_BASE_URL`), in a fresh directory.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from byot import bulk
from byot.testing import SpecMock, serve

DOC = Path(__file__).resolve().parents[2] / "docs" / "rate-limits.md"
TEXT = DOC.read_text(encoding="utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, re.DOTALL)
COMMANDS = [
    line for block in re.findall(r"```sh\n(.*?)```", TEXT, re.DOTALL) for line in block.splitlines()
]
BIN = Path(sys.executable).parent


def test_the_blocks_and_command_run(tmp_path: Path) -> None:
    mock = SpecMock()
    with serve(mock=mock) as base_url:
        env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(  # noqa: S603 - our own interpreter and the page's code
            [sys.executable, "-c", "\n".join(PYTHON)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (done.returncode, done.stderr) == (0, "")
        assert COMMANDS
        for command in COMMANDS:
            ran = subprocess.run(  # noqa: S603 - the page's own byot command
                shlex.split(command), cwd=tmp_path, env=env, capture_output=True, check=False
            )
            assert ran.returncode == 0, ran.stderr
    # The spec mock sends no rate-limit headers: every field reads as None.
    assert done.stdout.splitlines() == [
        "None None None",
        "None",
        "RateLimiter(rpm=500, tpm=200000)",
        "20 answers",
        "10 succeeded",
        "0.0 1.0",
        "0.0",
    ]
    assert len(bulk.results_by_id(tmp_path / "again.jsonl")) == 10
    assert [call.operation_id for call in mock.calls].count(
        "createChatCompletion"
    ) == 2 + 20 + 10 + 10
