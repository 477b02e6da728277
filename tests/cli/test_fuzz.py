"""No traceback for any mistake on the command line: the `byot` command, fed by hypothesis.

Every subcommand gets command lines drawn from a broad vocabulary of good and bad pieces
(unknown operations in both name styles, bodies that are arrays or not JSON, missing and
unreadable files, bad headers, keys, timeouts, ports, hosts, schemas, directions, a busy port)
plus arbitrary text. Whatever comes, `main` returns a status: 0, or non-zero with at most one
`byot: ...` line on stderr (a failed `validate` lists its problems on stdout instead), and
never a traceback. Calls go to a local spec mock or a closed local port; nothing leaves the
machine.
"""

from __future__ import annotations

import contextlib
import functools
import io
import socket
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from byot import _cli, _settings
from byot._retry import RetryPolicy
from byot.testing import Router, SpecMock, serve

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hypothesis.strategies import SearchStrategy

CHAT = '{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
FILES = {
    "good.json": CHAT,
    "bad.json": '{"model": "m", "messages": [{"role": "usr"}], "max_token": 1}',
    "data.jsonl": CHAT + "\n" + "not json\n",
    "requests.jsonl": (
        '{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", '
        '"body": {"model": "m", "input": "x"}}\n'
    ),
    "broken.jsonl": '{"custom_id": "a"}\n[]\n',
}


@dataclass(frozen=True)
class World:
    """The fixed surroundings of every command line: files, a served mock, a busy port."""

    base_url: str
    busy_port: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("cli-fuzz")
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    router = Router()
    router.get("/models/broken", status=500, json={"error": {"message": "down"}})
    with (
        serve(mock=SpecMock(routes=router)) as base_url,
        socket.socket() as busy,
        pytest.MonkeyPatch.context() as patch,
    ):
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        patch.chdir(folder)
        # Retries keep their decisions but never sleep; `byot mock` returns once it listens.
        patch.setattr(_settings, "RetryPolicy", functools.partial(RetryPolicy, sleep=False))
        patch.setattr(_cli, "_wait", lambda: None)
        yield World(base_url, str(busy.getsockname()[1]))


def pieces(*options: str) -> SearchStrategy[list[str]]:
    """One word, or a flag with one of its values."""
    return st.sampled_from(options).map(lambda option: [option])


def flag(name: str, *values: str) -> SearchStrategy[list[str]]:
    return st.sampled_from(values).map(lambda value: [name, value])


NOISE = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12).map(
    lambda text: [text]
)
CLIENT = [
    flag("--base-url", "{base}", "http://127.0.0.1:1/v1", "notaurl", "ftp://x", "", "http://"),
    flag("--api-key", "sk-test", "", "sk test\n", "sk-\x01", " sk-pad "),
    flag("-H", "X-A: 1", "X", ": v", "X-B: a\r\nb", "Authorization: Bearer sk-x", "X-C:"),
    flag("--timeout", "1", "0", "-1", "abc", "nan", "inf", "1e9", "0.001"),
    flag("--max-retries", "0", "1", "-1", "x", "101", "99999999999999999999"),
]
CALL = st.lists(
    st.one_of(
        pieces(
            "listModels",
            "models.list",
            "createChatCompletion",
            "chat.completions.create",
            "chat.completions.create_stream",
            "createFile",
            "files.create",
            "retrieveFile",
            "retrieveModel",
            "createSpeech",
            "createEmbedding",
            "getResponse",
            "nope",
            "createchatcompletion",
            "model=broken",
            "model=gpt-4o",
            "file_id=",
            "file_id=file-1",
            "response_id=r1",
            "limit=abc",
            "=x",
            "--stream",
            "--raw",
            "--validate",
            "--mock",
        ),
        flag(
            "-d",
            CHAT,
            "[1,2]",
            "1",
            "null",
            "{",
            "",
            "@good.json",
            "@missing.json",
            "@-",
            "@.",
            '{"model": "m", "stream": true}',
            '{"file": "@data.jsonl", "purpose": "batch"}',
        ),
        flag(
            "-F",
            "file=@data.jsonl",
            "purpose=batch",
            "file=@missing",
            "x",
            "file=@-",
            "=v",
            "file=@.",
        ),
        flag("-o", "out.json", "/nonexistent/out", "."),
        *CLIENT,
        NOISE,
    ),
    max_size=7,
)
VALIDATE = st.lists(
    st.one_of(
        pieces(
            "CreateChatCompletionRequest",
            "createChatCompletion",
            "CreateChatRequest",
            "#/$defs/Nope",
            "urn:x",
            "good.json",
            "bad.json",
            "data.jsonl",
            "-",
            "missing.json",
            ".",
            "--allow-extra",
            "--allow-extra=max_token",
            "--allow-extra=",
        ),
        flag("--direction", "request", "response", "sideways"),
        flag("--profile", "strict", "lenient", "loose"),
        NOISE,
    ),
    max_size=6,
)
MOCK = st.tuples(
    flag("--port", "0", "{busy}", "-1", "70000", "x", ""),
    st.lists(
        st.one_of(
            flag("--host", "127.0.0.1", "::1", "0.0.0.0", "localhost", "nowhere.invalid", ""),
            pieces("--no-validate"),
            NOISE,
        ),
        max_size=3,
    ),
).map(lambda drawn: [drawn[0], *drawn[1]])
BULK = st.tuples(
    st.sampled_from(["run", "submit", "status", "fetch", "cancel", "wait", ""]),
    st.lists(
        st.one_of(
            pieces(
                "requests.jsonl",
                "broken.jsonl",
                "missing.jsonl",
                ".",
                "batch_abc123",
                "--validate",
                "--mock",
            ),
            flag("-o", "results.jsonl", "/nonexistent/results.jsonl", "."),
            flag("--concurrency", "0", "1", "x"),
            flag("--poll", "0", "-1", "x"),
            *CLIENT,
            NOISE,
        ),
        max_size=6,
    ),
).map(lambda drawn: [[drawn[0]], *drawn[1]])
REALTIME = st.lists(
    st.one_of(
        flag("--model", "gpt-realtime", ""),
        flag("--instructions", "be brief"),
        pieces("--validate"),
        *CLIENT,
        NOISE,
    ),
    max_size=5,
)
OPS = st.lists(st.one_of(pieces("chat", "vector_stores/", "[", "zzz"), NOISE), max_size=2)
TOP = st.lists(st.one_of(pieces("--version", "--help", "-x", ""), NOISE), max_size=2)


def command(name: str, rest: SearchStrategy[list[list[str]]]) -> SearchStrategy[list[str]]:
    return rest.map(lambda groups: [name, *(word for group in groups for word in group)])


COMMAND_LINES = st.one_of(
    command("call", CALL),
    command("validate", VALIDATE),
    command("mock", MOCK),
    command("bulk", BULK),
    command("realtime", REALTIME),
    command("ops", OPS),
    TOP.map(lambda groups: [word for group in groups for word in group]),
)


def run(argv: list[str], world: World) -> tuple[int, str, str]:
    """`main(argv)` in this process, with stdin holding a JSON body and both outputs captured."""
    argv = [
        word.replace("{base}", world.base_url).replace("{busy}", world.busy_port) for word in argv
    ]
    stdin = io.TextIOWrapper(io.BytesIO(CHAT.encode()))
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.ExitStack() as stack:
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        patch.setattr(sys, "stdin", stdin)
        patch.setattr(sys, "stdout", stdout)
        patch.setattr(sys, "stderr", stderr)
        # Set per example: the suite's autouse `clean_env` clears OPENAI_* for each test, and
        # a call without --base-url must never reach api.openai.com.
        patch.setenv("OPENAI_BASE_URL", world.base_url)
        status = _cli.main(argv)
        stdout.flush()
        stderr.flush()
    out = stdout.buffer.getvalue().decode(errors="replace")  # type: ignore[attr-defined]
    err = stderr.buffer.getvalue().decode(errors="replace")  # type: ignore[attr-defined]
    return status, out, err


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(argv=COMMAND_LINES)
@example(argv=["call", "chat.completions.create", "-d", "[1,2]"])
@example(argv=["call", "createFile", "-F", "file=@data.jsonl", "-F", "purpose=batch"])
@example(argv=["call", "retrieveModel", "model=broken", "--max-retries", "0"])
@example(argv=["mock", "--port", "{busy}"])
@example(argv=["mock", "--port", "0", "--host", "0.0.0.0"])
@example(argv=["validate", "CreateChatRequest", "-"])
@example(argv=["bulk", "run", "requests.jsonl", "-o", "."])
@example(argv=["bulk", "status", ""])
@example(argv=["call"])
def test_no_traceback_for_any_command_line(argv: list[str], world: World) -> None:
    status, out, err = run(argv, world)

    assert "Traceback" not in out + err, (argv, err)
    assert status in (0, 1, 2), (argv, status)
    lines = err.splitlines()
    if status == 2:  # a command line that cannot run: exactly one line says why
        assert len(lines) == 1, (argv, err)
    if status != 0:
        assert lines or out, (argv, "a failure says something")
        assert len(lines) <= 1, (argv, err)
        assert all(line.startswith("byot: ") for line in lines), (argv, err)
