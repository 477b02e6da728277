"""What users read type-checks as written, and a wrong key is named, under both checkers.

mypy --strict and pyright strict (the project's settings) run once each over:

* README.md's Python blocks as one file, in order, as tests/test_readme.py runs them (later
  blocks use names from earlier ones);
* every Python block of docs/*.md as a file of its own (tests/testing/test_docs.py runs them
  one by one), except in the guides that are one session (`SESSIONS`: their tests run the
  blocks in order, later ones using earlier names), which are one file each, like README.md;
* the lines of tests/typing/typed_dicts.py that must fail with `typeddict-unknown-key`, without
  their ignore comment: each checker must report an error there naming the wrong key, the last
  quoted key of the line (issue 16, rule b).

A block may keep a line that must fail with `# type: ignore[code]`, as tests/typing does: both
checkers then fail once that line type-checks.
"""

from __future__ import annotations

import json  # noqa: TID251 - pyright's report, read by a test
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYRIGHT = Path(sys.executable).with_name("pyright")
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
UNKNOWN_KEY = "  # type: ignore[typeddict-unknown-key]"


def blocks(path: Path) -> list[str]:
    return BLOCK.findall(path.read_text(encoding="utf-8"))


def wrong_key_lines() -> list[str]:
    """The must-fail lines of typed_dicts.py for an unknown key, dedented, ignore removed."""
    source = (ROOT / "tests/typing/typed_dicts.py").read_text(encoding="utf-8")
    lines = [line.strip() for line in source.splitlines() if line.endswith(UNKNOWN_KEY)]
    return [line.removesuffix(UNKNOWN_KEY) for line in lines]


WRONG_KEYS = wrong_key_lines()
TYPES = sorted({re.findall(r"^\w+: (\w+) = ", line)[0] for line in WRONG_KEYS})
HEAD = ["from __future__ import annotations", f"from byot.types import {', '.join(TYPES)}", ""]
WRONG_KEYS_FILE = "\n".join([*HEAD, *WRONG_KEYS])
SESSIONS = frozenset(
    {
        "bulk",
        "credentials",
        "observability",
        "rate-limits",
        "realtime",
        "structured-outputs",
        "tools",
    }
)
DOCS = sorted((ROOT / "docs").glob("*.md"))
SOURCES = {
    "block_readme.py": "\n".join(blocks(ROOT / "README.md")),
    **{f"block_{doc.stem}.py": "\n".join(blocks(doc)) for doc in DOCS if doc.stem in SESSIONS},
    **{
        f"block_{doc.stem}_{number}.py": code
        for doc in DOCS
        if doc.stem not in SESSIONS
        for number, code in enumerate(blocks(doc), 1)
    },
}

Errors = dict[str, dict[str, list[tuple[int, str]]]]  # checker -> file -> (line, message)


@pytest.fixture(scope="module")
def errors(tmp_path_factory: pytest.TempPathFactory) -> Errors:
    folder = tmp_path_factory.mktemp("typecheck")
    files = {**SOURCES, "wrong_keys.py": WRONG_KEYS_FILE}
    for name, code in files.items():
        (folder / name).write_text(code, encoding="utf-8")
    paths = [str(folder / name) for name in files]
    found: Errors = {"mypy": {}, "pyright": {}}
    mypy = subprocess.run(  # noqa: S603 - our own interpreter and files
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for match in re.finditer(r"^(\S+\.py):(\d+): error: (.*)$", mypy.stdout, re.MULTILINE):
        where = found["mypy"].setdefault(Path(match[1]).name, [])
        where.append((int(match[2]), match[3]))
    pyright = subprocess.run(  # noqa: S603 - the project's pyright and files
        [str(PYRIGHT), "--outputjson", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for diagnostic in json.loads(pyright.stdout)["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            where = found["pyright"].setdefault(Path(diagnostic["file"]).name, [])
            where.append((diagnostic["range"]["start"]["line"] + 1, diagnostic["message"]))
    assert mypy.returncode in {0, 1}, mypy.stderr
    return found


def test_the_documents_have_python_blocks() -> None:
    assert len(blocks(ROOT / "README.md")) >= 8
    assert {name.split("_")[1].removesuffix(".py") for name in SOURCES} == {
        *(
            "bulk",
            "observability",
            "rate-limits",
            "credentials",
            "readme",
            "realtime",
            "structured-outputs",
            "testing",
            "timeouts",
            "tools",
            "types",
            "validation",
        )
    }


@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_every_block_type_checks_as_written(errors: Errors, checker: str, name: str) -> None:
    assert errors[checker].get(name, []) == []


@pytest.mark.parametrize("checker", ["mypy", "pyright"])
def test_a_wrong_key_in_an_annotated_body_is_named(errors: Errors, checker: str) -> None:
    assert len(WRONG_KEYS) >= 3
    reported = errors[checker].get("wrong_keys.py", [])
    for number, line in enumerate(WRONG_KEYS, len(HEAD) + 1):
        key = re.findall(r'"(\w+)":', line)[-1]
        messages = [message for at, message in reported if at == number]
        assert any(f'"{key}"' in message for message in messages), (line, reported)
    assert len({at for at, _ in reported}) == len(WRONG_KEYS)  # no other line fails
