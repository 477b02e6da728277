"""The one formatting step every generator shares: text as ruff would leave it.

Generators compare their output with the files on disk (`--check`), so what they write must
already be what `ruff check --fix` and `ruff format` make of it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ruff(text: str, path: Path) -> str:
    """The text as `ruff check --fix` (imports, quotes) and `ruff format` would leave it.

    Args:
        text: The Python source.
        path: Where it will be written (ruff picks its per-file settings by path).

    Raises:
        SystemExit: ruff failed, with its message.
    """
    for args in (["check", "--fix-only", "--exit-zero", "-q"], ["format"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(path), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if done.returncode != 0:
            raise SystemExit(f"ruff {args[0]} failed on {path}:\n{done.stderr}")
        text = done.stdout
    return text
