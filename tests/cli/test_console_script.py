"""The installed `byot` console script, run as a user runs it: a separate process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import orjson

BYOT = Path(sys.executable).with_name("byot")


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, **extra}


def test_the_console_script_is_installed() -> None:
    done = subprocess.run(  # noqa: S603 - the project's own console script
        [BYOT, "ops", "listModels"], capture_output=True, text=True, check=False, env=env()
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.split()[:3] == ["GET", "/models", "listModels"]


def test_a_mistake_has_no_traceback() -> None:
    done = subprocess.run(  # noqa: S603
        [BYOT, "call", "listModels", "-d", "{}"], capture_output=True, text=True, check=False
    )

    assert done.returncode == 2
    assert done.stderr.startswith("byot: listModels takes no body")
    assert done.stderr.count("\n") == 1


def test_mock_serves_until_interrupted() -> None:
    with subprocess.Popen(  # noqa: S603
        [BYOT, "mock", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
    ) as server:
        assert server.stdout is not None
        banner = server.stdout.readline()
        base_url = banner.split(" at ")[1].split()[0]
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/v1")
        called = subprocess.run(  # noqa: S603
            [BYOT, "call", "listModels", "--base-url", base_url],
            capture_output=True,
            check=False,
            env=env(OPENAI_API_KEY="sk-test"),
        )
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    assert called.returncode == 0, called.stderr
    assert orjson.loads(called.stdout)["data"][0]["id"] == "model-id-0"
    assert server.returncode == 0
