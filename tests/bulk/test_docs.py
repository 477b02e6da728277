"""docs/bulk.md as a reader runs it: the Python snippets in order, then its `byot bulk` lines.

Both go to the spec mock on a real port (`OPENAI_BASE_URL`), in a fresh directory. A line that
names `BATCH_ID` gets the id the `byot bulk submit` line before it printed.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from byot import bulk
from byot.testing import serve

DOC = Path(__file__).resolve().parents[2] / "docs" / "bulk.md"
TEXT = DOC.read_text(encoding="utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, re.DOTALL)
COMMANDS = [
    line for block in re.findall(r"```sh\n(.*?)```", TEXT, re.DOTALL) for line in block.splitlines()
]
BIN = Path(sys.executable).parent


def test_the_snippets_and_commands_run(tmp_path: Path) -> None:
    script = "\n".join(PYTHON)
    with serve() as base_url:
        env = {**os.environ, "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test"}
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        done = subprocess.run(  # noqa: S603 - our own interpreter and the page's code
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        printed = done.stdout
        outputs = []
        batch_id = ""
        for command in COMMANDS:
            argv = shlex.split(command.replace("BATCH_ID", batch_id))
            ran = subprocess.run(  # noqa: S603 - the page's own command line
                argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
            )
            assert ran.returncode == 0, (command, ran.stderr)
            assert ran.stderr == ""
            outputs.append(ran.stdout)
            if " submit " in command:
                batch_id = ran.stdout.split()[0]

    assert done.stderr == ""
    assert printed.startswith("3 requests ready\n3 answered, 0 failed, 87 tokens\n3 already done\n")
    assert "['completed']" in printed
    assert "q0 Hello! How can I assist you today?" in printed
    assert len(COMMANDS) == 5
    assert outputs[0].startswith("results.jsonl: 0 succeeded, 0 failed, 3 done before")
    assert outputs[2].endswith("in_progress 0/3 done, 0 failed\n")
    assert outputs[3] == "batch_results.jsonl: 1 file(s) of results from 1 batch(es)\n"
    assert outputs[4].endswith("completed 3/3 done, 0 failed\n")  # too late to cancel
    assert len(bulk.results_by_id(tmp_path / "batch_results.jsonl")) == 3
