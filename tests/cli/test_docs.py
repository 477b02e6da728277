"""docs/cli.md as a reader runs it: each shell block through bash, against a local spec mock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from byot._cli import main
from byot.testing import serve

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
TEXT = DOC.read_text(encoding="utf-8")
SHELL = re.findall(r"^```sh\n(.*?)^```$", TEXT, re.MULTILINE | re.DOTALL)
SHOWN = re.findall(r"^```text\n(.*?)^```$", TEXT, re.MULTILINE | re.DOTALL)
BIN = Path(sys.executable).parent


def test_the_page_has_commands() -> None:
    assert SHELL
    assert sum(line.startswith("byot ") for block in SHELL for line in block.splitlines()) >= 8


@pytest.mark.parametrize("number", range(len(SHELL)))
def test_shell_block_runs(number: int, tmp_path: Path) -> None:
    with serve() as base_url:
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": "sk-test",
        }
        done = subprocess.run(  # noqa: S603 - bash running the page's own commands
            ["/bin/bash", "-euo", "pipefail", "-c", SHELL[number]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Hello! How can I assist you today?" in done.stdout


def test_the_shown_validate_output_is_what_validate_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (shown,) = SHOWN
    monkeypatch.chdir(tmp_path)
    body = {"model": "m", "messages": [{"role": "user", "content": "Hi"}], "max_token": 5}
    Path("chat.json").write_bytes(orjson.dumps(body))

    assert main(["validate", "CreateChatCompletionRequest", "chat.json"]) == 1
    assert capsys.readouterr().out == shown
