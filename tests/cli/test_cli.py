"""The `byot` command, run in-process through `main([...])`.

`--mock` calls are answered by `byot.testing.SpecMock` (the spec's documented examples); calls
to a real socket go to the suite's own server (tests/e2e/server.py). Every user mistake must
end in exactly one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import io
import runpy
import sys
from typing import TYPE_CHECKING

import orjson
import pytest

import byot
from byot import _cli
from byot._cli import main
from byot.resources._endpoints import ENDPOINTS
from byot.testing import Reply, Router, SpecMock, serve

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from byot._endpoint import Endpoint

SPEC_ANSWER = "Hello! How can I assist you today?"
CHAT = '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}'


class Served:
    """A `Router` in front of the spec mock, on a real local port."""

    def __init__(self, router: Router, base_url: str) -> None:
        self.router = router
        self.base = ["--base-url", base_url]


@pytest.fixture
def served() -> Iterator[Served]:
    router = Router()
    with serve(mock=SpecMock(routes=router, validate_requests=False)) as base_url:
        yield Served(router, base_url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line(err: str) -> str:
    """The single `byot: ...` line a mistake prints."""
    assert err.startswith("byot: ")
    assert err.count("\n") == 1, err
    assert err.endswith("\n")
    return err[len("byot: ") : -1]


# ------------------------------------------------------------------------------ the parser


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"byot {byot.__version__}\n", "")


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--help")

    assert status == 0
    for command in ("ops", "call", "validate", "mock"):
        assert command in out


def test_no_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys)

    assert (status, out) == (2, "")
    assert one_line(err) == "the following arguments are required: COMMAND (see byot --help)"


def test_a_bad_flag_names_the_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "call", "listModels", "--bogus")

    assert status == 2
    assert "--bogus" in one_line(err)
    assert err.endswith("(see byot --help)\n")


def test_keyboard_interrupt_exits_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "_ops", interrupted)
    assert run(capsys, "ops") == (130, "", "")


def test_a_closed_pipe_ends_quietly(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def reader_gone(args: object) -> int:
        sys.stdout.write("first line\n")
        raise BrokenPipeError  # what writing to `byot ops | head -1` raises once head exits

    monkeypatch.setattr(_cli, "_ops", reader_gone)
    assert main(["ops"]) == 1
    print("after", flush=True)  # stdout now goes nowhere, quietly
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_python_dash_m_byot(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["byot", "ops", "createChatCompletion"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("byot", run_name="__main__")

    assert exited.value.code == 0
    assert "POST  /chat/completions  createChatCompletion" in capsys.readouterr().out


# ------------------------------------------------------------------------------------ ops


def test_ops_lists_every_operation(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "ops")

    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(ENDPOINTS)
    assert {line.split()[2] for line in lines} == set(ENDPOINTS)
    chat = next(line for line in lines if " createChatCompletion " in line)
    assert chat.split() == [
        "POST",
        "/chat/completions",
        "createChatCompletion",
        "chat.completions.create",
        "(stream)",
    ]


def test_ops_filters_by_path_id_or_method_name(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "ops", "Chat/Comp")

    assert status == 0
    rows = [line.split()[:3] for line in out.splitlines()]
    assert rows == [
        ["GET", "/chat/completions", "listChatCompletions"],
        ["POST", "/chat/completions", "createChatCompletion"],
        ["DELETE", "/chat/completions/{completion_id}", "deleteChatCompletion"],
        ["GET", "/chat/completions/{completion_id}", "getChatCompletion"],
        ["POST", "/chat/completions/{completion_id}", "updateChatCompletion"],
        ["GET", "/chat/completions/{completion_id}/messages", "getChatCompletionMessages"],
    ]
    # The columns line up.
    assert len({line.index("/chat") for line in out.splitlines()}) == 1
    assert run(capsys, "ops", "speech.create")[1].split()[:3] == [
        "POST",
        "/audio/speech",
        "createSpeech",
    ]


def test_ops_without_a_match(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "ops", "teleport")

    assert (status, out) == (2, "")
    assert one_line(err) == "no operation matches 'teleport'"


# ----------------------------------------------------------------------------------- call


def test_call_the_mock(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "call", "createChatCompletion", "--mock", "-d", CHAT)

    assert (status, err) == (0, "")
    chat = orjson.loads(out)
    assert chat["choices"][0]["message"]["content"] == SPEC_ANSWER
    assert out.startswith('{\n  "')  # indented for a reader
    assert out.endswith("}\n")


def test_call_with_path_and_query_parameters(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    files = served.router.get("/files", json={"object": "list", "data": []})
    file = served.router.get("/files/{file_id}", json={"id": "file-a/b"})

    assert run(capsys, "call", "listFiles", "purpose=batch", "limit=2", *served.base)[0] == 0
    status, out, _ = run(capsys, "call", "retrieveFile", "file_id=file-a/b", *served.base)

    assert status == 0
    assert orjson.loads(out) == {"id": "file-a/b"}
    assert files.calls[0].request.url.raw_path == b"/v1/files?purpose=batch&limit=2"
    assert file.calls[0].request.url.raw_path == b"/v1/files/file-a%2Fb"


def test_call_reads_the_key_and_url_from_the_environment(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    models = served.router.get("/models", json={"data": []})
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", served.base[1])

    assert run(capsys, "call", "listModels") == (0, '{\n  "data": []\n}\n', "")
    assert models.calls[0].request.headers["authorization"] == "Bearer sk-from-env"


def test_body_from_a_file_and_from_stdin(
    served: Served,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    embeddings = served.router.post("/embeddings", json={"data": []})
    body = tmp_path / "body.json"
    body.write_text('{"model": "m", "input": "from a file"}')
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"input": "from stdin"}')))

    assert run(capsys, "call", "createEmbedding", "-d", f"@{body}", *served.base)[0] == 0
    assert run(capsys, "call", "createEmbedding", "-d", "@-", *served.base)[0] == 0

    assert [c.json()["input"] for c in embeddings.calls] == ["from a file", "from stdin"]


def test_stream_prints_one_event_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "call", "createChatCompletion", "--mock", "--stream", "-d", CHAT)

    assert (status, err) == (0, "")
    chunks = [orjson.loads(line) for line in out.splitlines()]
    assert [c["object"] for c in chunks] == ["chat.completion.chunk"] * len(chunks)
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == "Hello"


def test_named_events_print_their_names(capsys: pytest.CaptureFixture[str]) -> None:
    body = '{"model": "gpt-4o-mini", "input": "Hi"}'
    status, out, _ = run(capsys, "call", "createResponse", "--mock", "--stream", "-d", body)

    assert status == 0
    events = [orjson.loads(line) for line in out.splitlines()]
    assert events[0]["event"] == "response.created"
    assert events[-1]["event"] == "response.completed"
    assert all(e["data"]["type"] == e["event"] for e in events)


def test_a_stream_without_a_body(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    done = {"type": "response.completed", "response": {"id": "resp_1", "output": []}}
    route = served.router.get("/responses/{response_id}", responses=[Reply(sse=[done], done=False)])

    status, out, _ = run(
        capsys, "call", "getResponse", "response_id=resp_1", "--stream", *served.base
    )

    assert status == 0
    assert orjson.loads(out) == {"event": "response.completed", "data": done}
    assert route.calls[0].request.url.params["stream"] == "true"


def test_stream_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "events.jsonl"
    status, out, _ = run(
        capsys, "call", "createChatCompletion", "--mock", "--stream", "-d", CHAT, "-o", str(target)
    )

    assert (status, out) == (0, "")
    assert len(target.read_text().splitlines()) == 3


def test_raw_shows_status_and_headers(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "call", "listModels", "--mock", "--raw")

    assert status == 0
    raw = orjson.loads(out)
    assert raw["status"] == 200
    assert raw["headers"]["content-type"] == "application/json"
    assert raw["headers"]["x-request-id"].startswith("req_byot_mock_")
    assert raw["body"]["data"][0]["id"] == "model-id-0"


def test_raw_binary_answer_is_base64(capsys: pytest.CaptureFixture[str]) -> None:
    body = '{"model": "tts-1", "input": "Hi", "voice": "alloy"}'
    status, out, _ = run(capsys, "call", "createSpeech", "--mock", "--raw", "-d", body)

    assert status == 0
    encoded = orjson.loads(out)["body"]["base64"]
    assert encoded.startswith("YnlvdC50ZXN0aW5n")  # "byot.testing"


def test_binary_answer_goes_to_stdout_or_a_file(
    capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    argv = ["call", "downloadFile", "file_id=file-abc", "--mock"]
    assert main(argv) == 0
    content = capsysbinary.readouterr().out
    assert content == b"byot.testing: the bytes of downloadFile"

    target = tmp_path / "content.bin"
    assert main([*argv, "-o", str(target)]) == 0
    assert capsysbinary.readouterr().out == b""
    assert target.read_bytes() == content


def test_binary_answer_is_not_sent_to_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    status, out, err = run(capsys, "call", "downloadFile", "file_id=file-abc", "--mock")

    assert (status, out) == (2, "")
    assert one_line(err) == "the answer is binary: pass -o FILE to save it"


def test_text_answer_is_printed_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "call", "create-realtime-call", "--mock", "-d", '{"sdp": "v=0"}')

    assert status == 0
    assert out.startswith("v=0\no=- ")
    assert out.endswith("a=sctp-port:5000\n")


def test_empty_answer_prints_null(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "call", "deleteResponse", "response_id=resp_1", "--mock") == (
        0,
        "null\n",
        "",
    )


# ------------------------------------------------------------------- call: user mistakes


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["createchatcompletion"],
            "no operation 'createchatcompletion'; did you mean createChatCompletion, ",
        ),
        (
            ["chat.completion.create"],
            "no operation 'chat.completion.create'; did you mean chat.completions.create, ",
        ),
        (["teleport"], "no operation 'teleport'; `byot ops` lists them"),
        (["retrieveFile", "file_id"], "expected NAME=VALUE, got 'file_id'"),
        (["retrieveFile", "=x"], "expected NAME=VALUE, got '=x'"),
        (
            ["retrieveFile", "file_id=a", "limit=1"],
            "retrieveFile has no parameter 'limit'; it takes file_id",
        ),
        (["listModels", "limit=1"], "listModels has no parameter 'limit'; it takes none"),
        (
            ["retrieveFile"],
            "missing path parameter 'file_id' for /files/{file_id}: pass it as NAME=VALUE",
        ),
        (
            ["retrieveFile", "file_id="],
            "path parameter 'file_id' is empty; an empty id would change the route: "
            "pass it as NAME=VALUE",
        ),
        (["createEmbedding", "-d", "{nope"], "-d is not JSON: "),
        (
            ["createEmbedding", "-d", "@/nonexistent/body.json"],
            "cannot read /nonexistent/body.json: ",
        ),
        (["listModels", "-d", "{}"], "listModels takes no body; leave out -d and -F"),
        (["listModels", "-F", "a=b"], "listModels takes no body; leave out -d and -F"),
        (
            ["createEmbedding", "-d", "[1,2]"],
            "-d must be a JSON object (the request's fields), not list",
        ),
        (
            ["createEmbedding", "-d", "null"],
            "-d must be a JSON object (the request's fields), not null",
        ),
        (
            ["createEmbedding", "-F", "input=x"],
            "createEmbedding takes a JSON body: pass it with -d, not -F",
        ),
        (["createFile", "-F", "purpose"], "expected -F NAME=VALUE or NAME=@FILE, got 'purpose'"),
        (
            ["createFile", "-F", "file=@/nonexistent/data.jsonl"],
            "cannot read /nonexistent/data.jsonl: no such readable file",
        ),
        (
            ["createFile", "-d", '{"purpose": "batch"}', "-F", "purpose=batch"],
            "purpose is given by both -d and -F; keep one",
        ),
        (
            ["createFile", "-d", '{"file": "@data.jsonl", "purpose": "batch"}'],
            "-d sends '@data.jsonl' as text: upload the file with -F file=@data.jsonl",
        ),
        (
            ["createChatCompletion", "--mock", "-d", '{"model": "m", "stream": true}'],
            "the body asks createChatCompletion for a stream: add --stream",
        ),
        (["listModels", "-H", "no colon"], "expected -H 'NAME: VALUE', got 'no colon'"),
        (
            ["listModels", "--timeout", "soon"],
            "argument --timeout: expected a number of seconds above 0, got 'soon'",
        ),
        (
            ["listModels", "--timeout", "-1"],
            "argument --timeout: expected a number of seconds above 0",
        ),
        (
            ["listModels", "--max-retries", "-1"],
            "argument --max-retries: expected a whole number from 0 to 100, got '-1'",
        ),
        (["listModels", "--mock", "--api-key", "sk-x"], "--mock and --api-key exclude each other"),
        (["listModels", "--stream"], "listModels does not stream; leave out --stream"),
        (["createChatCompletion", "--stream", "--raw"], "--stream and --raw exclude each other"),
        (
            ["listModels", "--mock", "--base-url", "http://x"],
            "--mock and --base-url exclude each other",
        ),
        (
            ["listModels", "--mock", "-o", "/nonexistent/out.json"],
            "cannot write /nonexistent/out.json: ",
        ),
        (
            ["createChatCompletion", "--mock", "--stream", "-d", CHAT, "-o", "/nonexistent/x"],
            "cannot write /nonexistent/x: ",
        ),
    ],
)
def test_mistakes_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "call", *argv)

    assert (status, out) == (2, "")
    assert one_line(err).startswith(message)


def test_call_without_arguments_asks_for_the_operation_only(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = run(capsys, "call")

    assert status == 2
    assert one_line(err) == (
        "the following arguments are required: OPERATION (see byot call --help)"
    )


def test_the_sdk_method_names_work_too(capsys: pytest.CaptureFixture[str]) -> None:
    by_id = run(capsys, "call", "createChatCompletion", "--mock", "-d", CHAT)
    by_name = run(capsys, "call", "chat.completions.create", "--mock", "-d", CHAT)
    assert by_id == by_name
    assert by_name[0] == 0
    status, out, _ = run(capsys, "call", "models.retrieve", "model=gpt-4o", "--mock")
    assert status == 0
    assert "id" in orjson.loads(out)
    # `<method>_stream`, as the client spells it, is the method with --stream.
    status, out, _ = run(capsys, "call", "chat.completions.create_stream", "--mock", "-d", CHAT)
    assert status == 0
    assert {orjson.loads(line)["object"] for line in out.splitlines()} == {"chat.completion.chunk"}


def test_client_flags_reach_the_request(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    models = served.router.get("/models", json={"data": []})
    argv = ["--api-key", "sk-from-flag", "-H", "X-Trace: t-1", "-H", "OpenAI-Beta:assistants=v2"]

    assert run(capsys, "call", "models.list", *argv, *served.base)[0] == 0

    headers = models.calls[0].request.headers
    assert headers["authorization"] == "Bearer sk-from-flag"
    assert (headers["x-trace"], headers["openai-beta"]) == ("t-1", "assistants=v2")


def test_a_header_that_would_corrupt_the_request_is_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "call", "listModels", "--mock", "-H", "X-Bad: a\r\nb")

    assert (status, out) == (1, "")
    assert one_line(err).startswith("invalid value for header 'X-Bad'")


def test_max_retries_and_timeout(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    error = {"error": {"message": "down"}}
    # The server asks for no wait between attempts: the test counts them without sleeping.
    failing = served.router.get("/models", status=500, json=error, headers={"retry-after-ms": "0"})
    base = ["--api-key", "sk-test", *served.base]

    assert run(capsys, "call", "listModels", "--max-retries", "0", *base)[0] == 1
    assert len(failing.calls) == 1
    assert run(capsys, "call", "listModels", "--max-retries", "3", *base)[0] == 1
    assert len(failing.calls) == 1 + 4
    args = _cli._parser().parse_args(["call", "listModels", "--timeout", "2.5", *base])
    with _cli._client(args) as client:
        assert (client.timeout.connect, client.timeout.read) == (2.5, 2.5)


def test_no_key_and_an_error_status_says_no_key_was_sent(
    served: Served, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    served.router.get("/models", status=500, json={"error": {"message": "Internal error"}})
    argv = ["call", "listModels", "--max-retries", "0", *served.base]

    status, _, err = run(capsys, *argv)
    assert status == 1
    assert one_line(err).endswith("(no API key was sent: set OPENAI_API_KEY or pass --api-key)")
    assert "500" in err
    # With a key, or an Authorization header of -H, the status is reported as it is.
    for given in (["--api-key", "sk-test"], ["-H", "Authorization: Bearer sk-test"]):
        status, _, err = run(capsys, *argv, *given)
        assert status == 1
        assert "no API key" not in one_line(err)


def test_form_fields_upload_files_like_curl(
    served: Served,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    files = served.router.post("/files", json={"id": "file-1"})
    data = tmp_path / "data.jsonl"
    data.write_bytes(b'{"custom_id": "a"}\n')
    base = ["--api-key", "sk-test", *served.base]

    status, out, _ = run(
        capsys, "call", "files.create", "-F", f"file=@{data}", "-F", "purpose=batch", *base
    )
    assert (status, orjson.loads(out)) == (0, {"id": "file-1"})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"from stdin")))
    assert (
        run(capsys, "call", "createFile", "-d", '{"purpose": "batch"}', "-F", "file=@-", *base)[0]
        == 0
    )

    first, second = (call.request for call in files.calls)
    assert first.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="data.jsonl"' in first.content
    assert b'{"custom_id": "a"}\n' in first.content
    assert b'name="purpose"\r\n\r\nbatch\r\n' in first.content
    assert b'filename="stdin"' in second.content
    assert b"from stdin" in second.content


def test_a_repeated_form_field_is_a_list(
    served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    edits = served.router.post("/images/edits", json={"data": []})
    (tmp_path / "a.png").write_bytes(b"A")
    (tmp_path / "b.png").write_bytes(b"B")
    argv = ["-F", f"image=@{tmp_path / 'a.png'}", "-F", f"image=@{tmp_path / 'b.png'}"]

    status, _, _ = run(
        capsys,
        "call",
        "images.edit",
        *argv,
        "-F",
        "prompt=a cat",
        "--api-key",
        "k",
        *served.base,
    )

    assert status == 0
    content = edits.calls[0].request.content
    assert content.count(b'name="image[]"') == 2
    assert b'filename="b.png"' in content


def test_no_key_for_openai_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "call", "listModels")

    assert (status, out) == (1, "")
    assert one_line(err).startswith("no API key for api.openai.com")


def test_an_error_status_is_one_line(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    error = {
        "error": {"message": "The model `nope` does not exist", "type": "invalid_request_error"}
    }
    served.router.get(
        "/models/{model}", status=404, json=error, headers={"x-request-id": "req_404"}
    )

    status, out, err = run(capsys, "call", "retrieveModel", "model=nope", *served.base)

    assert (status, out) == (1, "")
    line = one_line(err)
    assert "404" in line
    assert "The model `nope` does not exist" in line
    assert "req_404" in line


def test_an_error_in_a_stream_is_one_line(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    first = {"choices": [{"index": 0, "delta": {"content": "Hel"}}]}
    failure = {"error": {"message": "overloaded", "code": 502}}
    served.router.post("/chat/completions", sse=[first, failure])

    status, out, err = run(
        capsys, "call", "createChatCompletion", "--stream", "-d", CHAT, *served.base
    )

    assert status == 1
    assert orjson.loads(out) == first  # what came before the error is printed
    # The server thread, in this process, may report the connection the CLI closed after the
    # error (a broken pipe) on stderr too: only the CLI's own lines are its output.
    (line,) = [line for line in err.splitlines() if line.startswith("byot: ")]
    assert line == "byot: the stream reported an error: overloaded [code=502]"


# ---------------------------------------------------------------------------------- mock


def test_mock_serves_until_interrupted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def wait() -> None:  # a client calls, then Ctrl-C
        base_url = capsys.readouterr().out.split(" at ")[1].split()[0]
        with byot.Client(base_url=base_url, api_key="sk-test") as client:
            seen.append(client.models.list()["data"][0]["id"])
        raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "_wait", wait)

    assert run(capsys, "mock", "--port", "0") == (0, "", "byot: mock stopped\n")
    assert seen == ["model-id-0"]


def test_mock_waits_for_ctrl_c(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Interrupted:
        def wait(self) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(_cli, "_NEVER_SET", Interrupted())

    status, out, err = run(capsys, "mock", "--port", "0")

    assert (status, err) == (0, "byot: mock stopped\n")
    assert out.startswith("byot: serving the OpenAI spec mock at http://127.0.0.1:")


def test_a_file_system_error_on_a_path_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(args: object) -> int:
        raise IsADirectoryError(21, "Is a directory", "results.jsonl")

    monkeypatch.setattr(_cli, "_ops", fails)
    assert run(capsys, "ops") == (1, "", "byot: cannot use results.jsonl: Is a directory\n")

    def broken(args: object) -> int:
        raise OSError("no path: a bug in byot")

    monkeypatch.setattr(_cli, "_ops", broken)
    with pytest.raises(OSError, match="a bug in byot"):
        main(["ops"])


def test_mock_mistakes_are_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_cli, "_wait", lambda: None)
    with serve() as taken:
        port = taken.split(":")[2].split("/")[0]
        status, out, err = run(capsys, "mock", "--port", port)
    assert (status, out) == (2, "")
    assert one_line(err).startswith(f"cannot listen on 127.0.0.1 port {port}: ")
    assert err.endswith("(--port 0 picks a free one)\n")

    status, out, err = run(capsys, "mock", "--host", "0.0.0.0", "--port", "0")
    assert (status, out) == (2, "")
    assert "pass --allow-remote to serve other interfaces" in one_line(err)
    assert "allow_remote=True" not in err

    argv = ["mock", "--host", "nowhere.invalid", "--port", "0", "--allow-remote"]
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert one_line(err).startswith("cannot listen on nowhere.invalid port 0: ")

    status, _, err = run(capsys, "mock", "--port", "70000")
    assert status == 2
    assert "expected a port from 0 to 65535, got '70000'" in one_line(err)


def test_mock_port_must_be_a_number(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "mock", "--port", "eighty")

    assert status == 2
    assert "expected a port from 0 to 65535, got 'eighty'" in one_line(err)


# ------------------------------------------------------------------------------- validate

BAD_ROLE = '{"model": "gpt-4o-mini", "messages": [{"role": "usr", "content": "Hi"}]}'


def test_call_validate_checks_the_request_before_sending(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    chat = served.router.post("/chat/completions", json={"choices": []})
    status, out, err = run(
        capsys, "call", "createChatCompletion", "--validate", "-d", BAD_ROLE, *served.base
    )

    assert (status, out) == (1, "")
    line = one_line(err)
    assert line.startswith(
        "createChatCompletion request does not match CreateChatCompletionRequest"
    )
    assert "$.messages[0].role: 'usr' is not a valid 'role'" in line
    assert chat.calls == []  # never sent


def test_call_validate_checks_the_answer(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    served.router.post("/chat/completions", json={"choices": "none"})
    argv = ["call", "createChatCompletion", "-d", CHAT, *served.base]

    assert run(capsys, *argv)[0] == 0  # without --validate the answer is printed as it came
    status, out, err = run(capsys, *argv, "--validate")

    assert (status, out) == (1, "")
    assert "createChatCompletion response does not match" in one_line(err)
    assert "$.choices" in err


def test_call_validate_passes_a_good_call(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "call", "createChatCompletion", "--mock", "--validate", "-d", CHAT)

    assert status == 0
    assert orjson.loads(out)["choices"][0]["message"]["content"] == SPEC_ANSWER


def test_validate_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(CHAT)
    bad = tmp_path / "bad.json"
    bad.write_text(BAD_ROLE)
    lines = tmp_path / "requests.jsonl"
    lines.write_text(f"{CHAT}\n\n" + '{"model": "m", "messages": []}\n{"model": "m"\n')

    status, out, err = run(
        capsys, "validate", "CreateChatCompletionRequest", str(good), str(bad), str(lines)
    )

    assert (status, err) == (1, "")
    assert out.splitlines() == [
        f"{good}: ok",
        f"{bad}: $.messages[0].role: 'usr' is not a valid 'role'; expected one of "
        "['assistant', 'developer', 'function', 'system', 'tool', 'user']",
        f"{lines}:1: ok",
        f"{lines}:3: $.messages: [] should be non-empty",
        f"{lines}:4: not JSON: unexpected end of data: line 1 column 14 (char 13)",
    ]


def test_validate_all_good(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = tmp_path / "chat.json"
    good.write_text('{"id": "c", "choices": []}')

    status, out, _ = run(
        capsys, "validate", "createChatCompletion", "--direction", "response", str(good)
    )

    assert (status, out) == (0, f"{good}: ok\n")


TYPOS = '{"model": "m", "messages": [{"role": "user", "content": "Hi"}], "max_token": 5, '
TYPOS += '"temprature": 0.2, "top_k": 3}'


def test_validate_reports_unknown_request_parameters(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_text(TYPOS)

    status, out, _ = run(capsys, "validate", "CreateChatCompletionRequest", str(body))

    assert status == 1
    assert out.splitlines() == [
        f"{body}: $.max_token: 'max_token' is not a parameter of CreateChatCompletionRequest; "
        "did you mean 'max_tokens'?",
        f"{body}: $.temprature: 'temprature' is not a parameter of "
        "CreateChatCompletionRequest; did you mean 'temperature'?",
        f"{body}: $.top_k: 'top_k' is not a parameter of CreateChatCompletionRequest; "
        "did you mean 'top_p'?",
    ]
    # A provider's own parameters are allowed by name, or all of them at once.
    argv = ["validate", "createChatCompletion", "--direction", "request", str(body)]
    status, out, _ = run(capsys, *argv, "--allow-extra", "top_k,max_token")
    assert status == 1
    assert [line.split(": ")[1] for line in out.splitlines()] == ["$.temprature"]
    assert run(capsys, *argv, "--allow-extra") == (0, f"{body}: ok\n", "")
    # The lenient profile checks the values present, not which parameters there are.
    assert run(capsys, *argv, "--profile", "lenient") == (0, f"{body}: ok\n", "")


def test_validate_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def stdin(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))

    stdin(CHAT)
    assert run(capsys, "validate", "CreateChatCompletionRequest", "-") == (
        0,
        "<stdin>: ok\n",
        "",
    )
    stdin(f"{CHAT}\n\n{BAD_ROLE}\n")  # several documents, one a line: JSON Lines
    status, out, _ = run(capsys, "validate", "CreateChatCompletionRequest", "-")
    assert status == 1
    assert out.splitlines()[0] == "<stdin>:1: ok"
    assert out.splitlines()[1].startswith("<stdin>:3: $.messages[0].role: 'usr' is not")
    stdin('{"model": ')
    status, out, _ = run(capsys, "validate", "CreateChatCompletionRequest", "-")
    assert status == 1
    assert out.startswith("<stdin>: not JSON: ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Nope", "{file}"], "no schema or operation named 'Nope'"),
        (
            ["createChatCompletion", "{file}"],
            "createChatCompletion is an operation: add --direction request or --direction response",
        ),
        (["CreateChatCompletionRequest", "/nonexistent.json"], "cannot read /nonexistent.json: "),
        (["CreateChatCompletionRequest"], "the following arguments are required: FILE"),
        (
            ["CreateChatRequest", "/nonexistent.json"],  # the name is checked before the files
            "no schema or operation named 'CreateChatRequest' in the OpenAI bundle; did you "
            "mean 'CreateChatCompletionRequest', ",
        ),
        (["Item", "--profile", "loose", "{file}"], "argument --profile: invalid choice: 'loose'"),
    ],
)
def test_validate_mistakes_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    payload = tmp_path / "payload.json"
    payload.write_text(CHAT)
    status, out, err = run(capsys, "validate", *(a.format(file=payload) for a in argv))

    assert (status, out) == (2, "")
    assert one_line(err).startswith(message)


def test_the_mock_checks_requests(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "call", "createChatCompletion", "--mock", "-d", BAD_ROLE)

    assert (status, out) == (1, "")
    assert "400" in one_line(err)
    assert "'usr' is not a valid 'role'" in err


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS.values() if e.stream], ids=lambda e: e.operation_id
)
def test_every_streaming_operation_has_its_stream_method(endpoint: Endpoint) -> None:
    # --stream finds `<method>_stream` by the operation's dotted name.
    *parents, method = endpoint.name.split(".")
    with byot.Client(base_url="http://unused/v1") as client:
        namespace: object = client
        for attribute in parents:
            namespace = getattr(namespace, attribute)
        assert callable(getattr(namespace, method + "_stream"))
