"""Every example runs as its users run it, `python examples/x.py`, against `byot mock`.

One `byot mock` process serves the whole module on a free port, exactly as a user starts it;
each example is a subprocess pointed at it by `OPENAI_BASE_URL` (or the provider's own
variables), with no route written for it: the mock answers every operation of the spec as a
server would (the request's model and ids, one embedding per input, a real PNG, JSON that fits
the schema asked for, the tool calls offered) and checks every request body against the
spec's request schema first. The test checks the exit status, what the example printed, that
it wrote nothing into the working directory, and which operations it called (read from the
mock's request log). The Realtime examples talk to `byot.testing.RealtimeServer` instead, a
WebSocket server answering from the spec's documented events.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

import byot
from byot.testing import RealtimeServer, SpecMock, serve
from byot.testing._echo import TINY_PNG

if TYPE_CHECKING:
    from collections.abc import Iterator

    from byot.testing._realtime import Turn

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SPEC_ANSWER = "Hello! How can I assist you today?"  # the spec's documented chat completion
UNICORN = "a unicorn named Lumina"  # the spec's documented Responses answer
_LOG_LINE = re.compile(r"(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3})(?: \((?P<op>[^)]+)\))?")


class MockProcess:
    """A `byot mock` process, and the operations it answered, read from its request log."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "byot", "mock", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.stdout = self.process.stdout
        banner = self.stdout.readline()
        found = re.search(r"at (http://\S+/v1) ", banner)
        assert found is not None, banner
        self.base_url = found.group(1)
        self.root = self.base_url.removesuffix("/v1")
        self._marks = 0

    def answered(self) -> list[tuple[str, int]]:
        """The operations and statuses answered since the last call, in order.

        The mock writes a request's log line before its answer, so once the marker request
        below has been answered every earlier line is in the pipe ahead of the marker's.
        """
        self._marks += 1
        marker = f"byot-test-mark-{self._marks}"
        with byot.Client(base_url=self.base_url, api_key="k") as client:
            assert client.models.retrieve(marker)["id"] == marker
        seen: list[tuple[str, int]] = []
        while (line := self.stdout.readline()) and marker not in line:
            found = _LOG_LINE.fullmatch(line.strip())
            assert found is not None, line
            seen.append((found["op"] or found["path"], int(found["status"])))
        return seen

    def stop(self) -> str:
        """Stop the mock (Ctrl-C) and return what it wrote on standard error."""
        self.process.send_signal(signal.SIGINT)
        _, err = self.process.communicate(timeout=30)
        return err


@pytest.fixture(scope="module")
def mock_process() -> Iterator[MockProcess]:
    mock = MockProcess()
    try:
        yield mock
    finally:
        assert mock.stop() == "byot: mock stopped\n"


@dataclass(frozen=True)
class Case:
    """One example: what it must print, which operations it calls, and its setting."""

    expect: tuple[str, ...]
    operations: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict[str, str])
    offline: bool = False  # sends no request at all
    realtime: tuple[Turn, ...] = ()  # talks to a RealtimeServer answering with these turns
    writes: tuple[str, ...] = ()  # files it leaves in the temporary folder


CHAT = ("createChatCompletion",)
CASES: dict[str, Case] = {
    "chat.py": Case((SPEC_ANSWER, "(gpt-4o-mini, 29 tokens)"), CHAT),
    "chat_stream.py": Case(("Hello", "finish_reason=stop"), CHAT),
    "tool_call.py": Case(("calling get_weather({'city': 'sample city'})", SPEC_ANSWER), CHAT),
    "telemetry.py": Case(
        (
            "chat gpt-4o-mini: openai_compatible, 19 in / 10 out, finish ('stop',)",
            "metrics: gen_ai.client.operation.duration,"
            " gen_ai.client.operation.time_to_first_chunk, gen_ai.client.token.usage",
        ),
        CHAT,
    ),
    "tool_loop.py": Case(
        (
            'called get_weather({"city":"sample city","unit":"celsius"})',
            '  -> {"city":"sample city","temperature":21.0,"sky":"clear"}',
            'called local_time({"city":"sample city"})',
            "  -> 12:00 in sample city",
            SPEC_ANSWER,
            "(2 turns)",
        ),
        CHAT,
    ),
    "tool_loop_async.py": Case(
        (
            'called get_exchange_rate({"base":"sample base","quote":"sample quote"})',
            "  -> 161.5",
            "completed after 2 turns",
        ),
        ("createResponse",),
    ),
    "tool_call_stream.py": Case(("call_byot_1: get_time('sample city')", SPEC_ANSWER), CHAT),
    "structured_outputs.py": Case(
        ("1. sample explanation -> sample output", "answer: sample final answer"), CHAT
    ),
    "structured_outputs_pydantic.py": Case(
        ("sample name on sample date with sample participants",), CHAT
    ),
    "structured_outputs_typeddict.py": Case(("positive (0%): sample quotes",), CHAT),
    "structured_outputs_msgspec.py": Case(
        ("sample title: 0 g sample name", "(completed)"), ("createResponse",)
    ),
    "structured_outputs_attrs.py": Case(
        ("sample street, sample city sample postcode", ": 29 tokens"), CHAT
    ),
    "structured_outputs_stream.py": Case(
        ("1 lines so far", "sample title", "  sample lines"), CHAT
    ),
    "structured_outputs_local.py": Case(
        ("tool: sample city 0.0 °C, clear", "json_object: sample city 0.0 °C, clear"), CHAT
    ),
    "completions.py": Case(("streamed: This is indeed a test",), ("createCompletion",)),
    "embeddings.py": Case(
        ("3 embeddings of 1536 dimensions from text-embedding-3-small", "closest: "),
        ("createEmbedding",),
    ),
    "models.py": Case(("model-id-0", "retrieved model-id-0"), ("listModels", "retrieveModel")),
    "moderations.py": Case(("flagged: harassment",), ("createModeration",)),
    "images.py": Case(
        (f"otter.png ({len(TINY_PNG)} bytes)", "url: https://"),
        ("createImage",),
        writes=("byot-images-*/otter.png",),
    ),
    "image_edit.py": Case(
        ("edit: 1 image(s)", "variation: https://"), ("createImageEdit", "createImageVariation")
    ),
    "audio_speech.py": Case(
        ("hello.mp3:", "story.mp3:"),
        ("createSpeech",),
        writes=("byot-speech-*/hello.mp3", "byot-speech-*/story.mp3"),
    ),
    "audio_transcribe.py": Case(
        (
            "whole: Imagine the wildest idea",
            "streamed: I see skies of blue",
            "in English: Hello, my name is Wolfgang",
        ),
        ("createTranscription", "createTranslation"),
    ),
    "in_memory_file.py": Case(("from bytes: file-abc123", "from a file object:"), ("createFile",)),
    "uploads.py": Case(
        ("upload_abc123: sent 3 parts", "completed: file file-xyz321"),
        ("createUpload", "addUploadPart", "completeUpload"),
    ),
    "batches.py": Case(  # the mock keeps the batch: validating, then in_progress when asked
        (": validating", "in_progress: 0 of 2 done"),
        ("createFile", "createBatch", "retrieveBatch"),
    ),
    "bulk_local.py": Case(
        ("3 answered, 0 failed, 87 tokens", f"Name a planet. -> {SPEC_ANSWER}"),
        CHAT,
        writes=("byot-bulk-local/requests.jsonl", "byot-bulk-local/results.jsonl"),
    ),
    "bulk_batch.py": Case(
        ("submitted: batch_mock", ": completed, 3 of 3", "t2: 1536 dimensions"),
        ("createFile", "createBatch", "retrieveBatch", "downloadFile"),
        writes=("byot-bulk-batch-*/embeddings.jsonl", "byot-bulk-batch-*/embedded.jsonl"),
    ),
    "fine_tuning.py": Case(
        ("ftjob-abc123: queued", "Fine tuning job successfully completed"),
        ("createFile", "createFineTuningJob", "listFineTuningEvents"),
    ),
    "assistants.py": Case(
        ("Math Tutor (asst_abc123) on thread_abc123", "user: How does AI work?"),
        ("createAssistant", "createThread", "createMessage", "createRun", "listMessages"),
    ),
    "vector_stores.py": Case(
        ("vs_abc123:", "unicorn"),
        ("createFile", "createVectorStore", "searchVectorStore", "createResponse"),
    ),
    "responses.py": Case((UNICORN, "completed)"), ("createResponse",)),
    "responses_stream.py": Case(("completed,",), ("createResponse",)),
    "responses_function_call.py": Case(
        ("calling get_horoscope({'sign': 'sample sign'})", UNICORN), ("createResponse",)
    ),
    "conversations.py": Case(
        ("conv_123 about demo", "user: Hello!"),
        ("createConversation", "createConversationItems", "createResponse"),
    ),
    "webhooks.py": Case(("response.completed: resp_abc123", "refused:"), offline=True),
    "gemini.py": Case((SPEC_ANSWER,), CHAT, env={"GEMINI_API_KEY": "gemini-key"}),
    "azure.py": Case(
        (SPEC_ANSWER,),
        CHAT,
        env={"AZURE_OPENAI_API_KEY": "azure-key", "OPENAI_API_VERSION": "2024-10-21"},
    ),
    "azure_token_provider.py": Case(
        (
            "tokens lasting 3600 s: 3 calls, 1 token(s) fetched",
            "tokens lasting 60 s: 3 calls, 3 token(s) fetched",
            f"async: {SPEC_ANSWER!r}, 1 token",
        ),
        ("createChatCompletion",),
        env={"AZURE_OPENAI_ENDPOINT": ""},  # the OpenAI-compatible mock at OPENAI_BASE_URL
    ),
    "local_server.py": Case(("using model-id-0", "Hello"), ("listModels", "createChatCompletion")),
    "rate_limits.py": Case(
        ("Name a planet. (requests left: None, tokens left: None)", "5 answers in"), CHAT
    ),
    "retries.py": Case((SPEC_ANSWER, "took 0 retries"), CHAT),
    "types_dataclass.py": Case((f"{SPEC_ANSWER} (gpt-4o-mini)", "29 tokens"), CHAT),
    "types_typeddict.py": Case((SPEC_ANSWER,), CHAT),
    "types_pydantic.py": Case((f"{SPEC_ANSWER} (gpt-4o-mini)",), CHAT),
    "types_msgspec.py": Case((f"whole: {SPEC_ANSWER}", "streamed: Hello"), CHAT),
    "types_attrs.py": Case(
        ("model-id-0 (organization-owner)", "gpt-4o-mini available: False"), ("listModels",)
    ),
    "realtime_text.py": Case(
        (
            "> What is the capital of France?",
            "Sure, I can help with that.",
            "[completed, 253 tokens]",
        ),
        offline=True,
        realtime=("text",),
    ),
    "realtime_function_call.py": Case(
        ("calling get_weather({'location': 'San Francisco'})", "Sure, I can help with that."),
        offline=True,
        realtime=("function_call", "text"),
    ),
    "realtime_audio.py": Case(
        (
            "sent 48000 bytes from question.wav",
            "answer.wav: 48000 bytes, 1.00 s",
            "transcript: Sure",
        ),
        offline=True,
        realtime=("audio",),
        writes=("byot-realtime-*/question.wav", "byot-realtime-*/answer.wav"),
    ),
    "async_chat.py": Case((f"What is 2 + 2? -> {SPEC_ANSWER}", "Name a planet."), CHAT),
}


def run(
    script: str, tmp_path: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run an example in an empty working directory, its temporary folder under `tmp_path`.

    The environment is the (already cleaned) test environment plus `env`. Returns the
    finished process and the temporary folder.
    """
    cwd, temp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir(exist_ok=True)
    temp.mkdir(exist_ok=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "AZURE_"))}
    done = subprocess.run(  # noqa: S603 - our own interpreter and file
        [sys.executable, str(EXAMPLES / script)],
        cwd=cwd,
        env={**base, "TMPDIR": str(temp), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert list(cwd.iterdir()) == [], f"{script} wrote into the working directory"
    return done, temp


def test_every_example_has_a_case() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example(script: str, tmp_path: Path, mock_process: MockProcess) -> None:
    case = CASES[script]
    env = {
        "OPENAI_BASE_URL": mock_process.base_url,
        "OPENAI_API_KEY": "sk-test",
        "GEMINI_BASE_URL": f"{mock_process.root}/v1beta/openai",
        "AZURE_OPENAI_ENDPOINT": mock_process.root,
        **case.env,
    }
    if script == "local_server.py":
        del env["OPENAI_API_KEY"]
    with RealtimeServer(turns=case.realtime or ("text",)) as live:
        if case.realtime:
            env["OPENAI_BASE_URL"] = live.base_url
        done, temp = run(script, tmp_path, env)
    answered = mock_process.answered()

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for expected in case.expect:
        assert expected in done.stdout, f"{expected!r} not in:\n{done.stdout}"
    called = {operation for operation, _ in answered}
    assert set(case.operations) <= called, f"{script} called {called}"
    assert bool(answered) is not case.offline
    assert [status for _, status in answered if status != 200] == []
    written = sorted(str(path.relative_to(temp)) for path in temp.rglob("*") if path.is_file())
    assert len(written) == len(case.writes)
    for pattern, path in zip(sorted(case.writes), written, strict=True):
        assert Path(path).match(pattern), written
        assert (temp / path).stat().st_size > 0
    if case.realtime:  # every client event the example sent passed the strict schema
        assert len(live.received) > 2
        assert not [e for e in live.received if not byot.is_valid(e, "RealtimeClientEvent")]


def test_the_saved_image_is_the_mock_s_png(tmp_path: Path, mock_process: MockProcess) -> None:
    env = {"OPENAI_BASE_URL": mock_process.base_url, "OPENAI_API_KEY": "k"}
    done, temp = run("images.py", tmp_path, env)

    assert done.returncode == 0, done.stderr
    (saved,) = temp.glob("byot-images-*/otter.png")
    assert saved.read_bytes() == TINY_PNG
    assert f"saved {saved} " in done.stdout


def test_tool_call_sends_the_results_back(tmp_path: Path) -> None:
    mock = SpecMock()
    with serve(mock=mock) as base_url:
        done, _ = run(
            "tool_call.py", tmp_path, {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "k"}
        )

    assert done.returncode == 0, done.stderr
    first, second = (orjson.loads(call.request.content)["messages"] for call in mock.calls)
    assert [m["role"] for m in second] == ["user", "assistant", "tool"]
    assert second[0] == first[0]
    call_id = second[1]["tool_calls"][0]["id"]
    assert second[2]["tool_call_id"] == call_id
    assert orjson.loads(second[2]["content"])["city"] == "sample city"


def test_providers_get_their_own_urls_and_headers(tmp_path: Path) -> None:
    mock = SpecMock()
    with serve(mock=mock) as base_url:
        root = base_url.removesuffix("/v1")
        env = {"GEMINI_BASE_URL": f"{root}/v1beta/openai", "GEMINI_API_KEY": "g-key"}
        assert run("gemini.py", tmp_path, env)[0].returncode == 0
        env = {"AZURE_OPENAI_ENDPOINT": root, "AZURE_OPENAI_API_KEY": "a-key"}
        env |= {"OPENAI_API_VERSION": "2024-10-21"}
        assert run("azure.py", tmp_path, env)[0].returncode == 0
        local = SpecMock()
    gemini_call, azure_call = mock.calls
    assert gemini_call.request.url.path == "/v1beta/openai/chat/completions"
    assert gemini_call.request.headers["authorization"] == "Bearer g-key"
    assert azure_call.request.url.path == "/openai/deployments/gpt-4o-mini/chat/completions"
    assert azure_call.request.url.params["api-version"] == "2024-10-21"
    assert azure_call.request.headers["api-key"] == "a-key"
    assert "authorization" not in azure_call.request.headers
    assert orjson.loads(azure_call.response.read())["model"] == "gpt-4o-mini"  # the deployment
    with serve(mock=local) as base_url:
        assert run("local_server.py", tmp_path, {"OPENAI_BASE_URL": base_url})[0].returncode == 0
    assert all("authorization" not in call.request.headers for call in local.calls)


@pytest.mark.parametrize(
    ("script", "env", "missing"),
    [
        ("azure.py", {}, "AZURE_OPENAI_ENDPOINT"),
        ("azure.py", {"AZURE_OPENAI_ENDPOINT": "http://127.0.0.1:9"}, "AZURE_OPENAI_API_KEY"),
        ("gemini.py", {}, "GEMINI_API_KEY"),
    ],
)
def test_missing_settings_are_named(
    script: str, env: dict[str, str], missing: str, tmp_path: Path
) -> None:
    done, _ = run(script, tmp_path, env)

    assert done.returncode != 0
    assert missing in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
