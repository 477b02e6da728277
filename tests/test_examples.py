"""The examples run as their users run them: `python examples/x.py`, against a local server.

`OPENAI_BASE_URL` points them at the end-to-end test server (tests/e2e/server.py), which answers
every chat completion with a canned one; `OPENAI_API_KEY=sk-test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.server import Json, TestServer

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ANSWER = "Hello from the test server!"
CHAT = {
    "id": "chatcmpl-example",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": ANSWER, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15},
    "system_fingerprint": "fp_test",
}


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as running:
        running.always("/v1/chat/completions", Json(200, CHAT, {"x-request-id": "req_1"}))
        running.always("/openai/deployments/gpt-4o-mini/chat/completions", Json(200, CHAT))
        yield running


def run(example: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run an example with the (already cleaned) test environment plus `env`."""
    return subprocess.run(  # noqa: S603 - our own interpreter and file
        [sys.executable, str(EXAMPLES / example)],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def openai_env(server: TestServer) -> dict[str, str]:
    return {"OPENAI_BASE_URL": server.url + "/v1", "OPENAI_API_KEY": "sk-test"}


def test_chat(server: TestServer) -> None:
    done = run("chat.py", **openai_env(server))

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{ANSWER}\n(gpt-4o-mini, 15 tokens)\n"
    (request,) = server.requests
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.json()["model"] == "gpt-4o-mini"


def test_chat_model_from_env(server: TestServer) -> None:
    done = run("chat.py", **openai_env(server), OPENAI_MODEL="llama3.2")

    assert done.returncode == 0, done.stderr
    assert server.requests[0].json()["model"] == "llama3.2"


def test_own_types(server: TestServer) -> None:
    done = run("own_types.py", **openai_env(server))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"dataclass: {ANSWER}",
        "dataclass: 15 tokens",
        f"TypedDict: {ANSWER}",
    ]
    assert len(server.requests) == 2


def test_async_chat(server: TestServer) -> None:
    done = run("async_chat.py", **openai_env(server))

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"What is 2 + 2? -> {ANSWER}",
        f"Name a colour. -> {ANSWER}",
        f"Name a planet. -> {ANSWER}",
    ]
    questions = sorted(r.json()["messages"][0]["content"] for r in server.requests)
    assert questions == ["Name a colour.", "Name a planet.", "What is 2 + 2?"]


def test_azure_without_an_endpoint_says_what_is_missing() -> None:
    done = run("azure.py")

    assert done.returncode != 0
    assert "AZURE_OPENAI_ENDPOINT" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_azure_without_a_key_says_what_is_missing(server: TestServer) -> None:
    done = run("azure.py", AZURE_OPENAI_ENDPOINT=server.url)

    assert done.returncode != 0
    assert "AZURE_OPENAI_API_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    assert server.requests == []


def test_azure(server: TestServer) -> None:
    done = run(
        "azure.py",
        AZURE_OPENAI_ENDPOINT=server.url,
        AZURE_OPENAI_API_KEY="azure-key",
        OPENAI_API_VERSION="2024-10-21",
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{ANSWER}\n"
    (request,) = server.requests
    assert request.path == "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
    assert request.headers["api-key"] == "azure-key"
    assert "authorization" not in request.headers
