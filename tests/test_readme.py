"""Every code block of the README runs, as a reader would run it, against the spec mock.

* The Python blocks run in order as one script (later blocks use names from earlier ones) in a
  fresh interpreter, with `OPENAI_BASE_URL` pointing at `byot.testing.serve()`.
* Each `byot ...` line of a shell block runs through the installed console script; the block
  that serves `byot mock` in the background runs an example against it, as written.
* The set-up and test commands are what CI runs: `.ci/run` must contain them verbatim.

A block of any other kind fails the test, so nothing in the README goes unchecked.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from byot.testing import SpecMock, serve

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
BIN = Path(sys.executable).parent
SPEC_ANSWER = "Hello! How can I assist you today?"
BLOCKS = [
    (match["lang"], match["code"])
    for match in re.finditer(
        r"^```(?P<lang>\w*)\n(?P<code>.*?)^```$", README, re.MULTILINE | re.DOTALL
    )
]
PYTHON = [code for lang, code in BLOCKS if lang == "python"]
SHELL = [code for lang, code in BLOCKS if lang == "sh"]
(EXAMPLES_BLOCK,) = [code for code in SHELL if "byot mock" in code and "examples/" in code]
COMMANDS = [
    line.removeprefix(".venv/bin/")
    for code in SHELL
    for line in code.splitlines()
    if line.startswith(("byot ", ".venv/bin/byot ")) and code != EXAMPLES_BLOCK
]
MARK = "--- README block {} ---"


def test_every_block_is_python_or_shell() -> None:
    assert BLOCKS
    assert {lang for lang, _ in BLOCKS} == {"python", "sh"}


def test_every_shell_line_is_checked() -> None:
    lines = [line for code in SHELL if code != EXAMPLES_BLOCK for line in code.splitlines()]
    ci_only = [line for line in lines if not line.startswith(("byot ", ".venv/bin/byot "))]
    assert ci_only == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'",
        "scripts/check",
    ]


def test_the_set_up_and_test_commands_are_what_ci_runs() -> None:
    # .ci/run runs the README's set-up in two steps (with a pip upgrade between), then nox,
    # whose `gate` session is the README's test command.
    assert "python3 -m venv .venv" in CI
    assert ".venv/bin/python -m pip install -q -e '.[dev]'" in CI
    assert '.venv/bin/nox "$@"' in CI
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    assert 'session.run("scripts/check", *session.posargs, external=True)' in noxfile


def run_python_blocks(tmp_path: Path, base_url: str) -> str:
    script = "\n".join(
        f"print({MARK.format(number)!r})\n{code}" for number, code in enumerate(PYTHON, 1)
    )
    env = {
        **os.environ,
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "sk-test",
        "GROQ_API_KEY": "gsk-test",
        "AZURE_OPENAI_API_KEY": "azure-test",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and the README's code
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return done.stdout


def test_python_blocks(tmp_path: Path) -> None:
    mock = SpecMock()
    with serve(mock=mock) as base_url:
        stdout = run_python_blocks(tmp_path, base_url)

    outputs = re.split(r"--- README block \d+ ---\n", stdout)[1:]
    assert len(outputs) == len(PYTHON)
    quick_start, async_start, own_type, streaming, async_streaming, structured, tools, *_ = outputs
    assert quick_start == f"{SPEC_ANSWER}\n"
    assert async_start.startswith("chatcmpl-")
    assert own_type == f"{SPEC_ANSWER}\n"
    assert streaming == "Hellostop\n"
    assert async_streaming == "Hellostop\n"
    # The spec mock answers a request carrying a schema with a value that fits it.
    assert structured == "sample title ['sample lines']\n"
    # The forced call is answered with arguments that fit, the result read back, then the text.
    assert tools == f"21 degrees and clear in sample city / {SPEC_ANSWER}\n"
    # The errors block sends a body the spec refuses: the mock answers 400, caught as such.
    assert re.search(
        r"^400 \S+ Invalid request for createChatCompletion \(1 issue\):\n  \$\.messages",
        stdout,
        re.MULTILINE,
    )
    called = [call.operation_id for call in mock.calls]
    assert called.count("createChatCompletion") == 9


@pytest.mark.parametrize("command", COMMANDS)
def test_byot_commands(command: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(  # noqa: S603 - the README's own command line
        shlex.split(command, comments=True),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.strip()
    if command.startswith("byot call createChatCompletion"):  # the main job
        assert SPEC_ANSWER in done.stdout


def test_an_example_runs_against_byot_mock_as_the_readme_says() -> None:
    serve_line, run_line = EXAMPLES_BLOCK.splitlines()
    with socket.socket() as probe:  # the README's port may be taken here: a free one instead
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    *serve, background = shlex.split(serve_line.replace("8000", port), comments=True)
    assert (serve[0], background) == (".venv/bin/byot", "&")
    mock = subprocess.Popen(  # noqa: S603 - the README's own command line
        [str(BIN / "byot"), *serve[1:]], stdout=subprocess.PIPE, text=True
    )
    try:
        assert mock.stdout is not None
        assert f"127.0.0.1:{port}/v1" in mock.stdout.readline()  # serving
        *assignments, python, script = shlex.split(run_line.replace("8000", port))
        assert python == ".venv/bin/python"
        env = dict(assignment.split("=", 1) for assignment in assignments)
        done = subprocess.run(  # noqa: S603 - the README's own command line
            [sys.executable, script],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert SPEC_ANSWER in done.stdout
        assert mock.stdout.readline() == "POST /v1/chat/completions 200 (createChatCompletion)\n"
    finally:
        mock.send_signal(signal.SIGINT)
        mock.communicate(timeout=30)


def test_every_local_link_exists() -> None:
    links = re.findall(r"\]\(((?:examples|docs|benchmarks)/[^)#]*)\)", README)
    assert len(links) > 5
    assert [link for link in links if not (ROOT / link).exists()] == []
