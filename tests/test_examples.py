"""Every example runs as its users run it, `python examples/x.py`, against the spec mock.

Each example is a subprocess pointed by `OPENAI_BASE_URL` at `byot.testing.serve()`, a real
local socket in front of `SpecMock`: every operation answers with the spec's documented example,
and every request body is checked against the spec's request schema first. Where the documented
example cannot show what an example is about (a tool call, a JSON answer, a 429), a `Router`
route answers first. The test checks the exit status, what the example printed, and which
operations it called. The Realtime examples talk to `byot.testing.RealtimeServer` instead, a
WebSocket server answering from the spec's documented events.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

import byot
from byot.testing import RealtimeServer, Reply, Router, SpecMock, serve

if TYPE_CHECKING:
    from collections.abc import Callable

    from byot.testing._realtime import Turn

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SPEC_ANSWER = "Hello! How can I assist you today?"  # the spec's documented chat completion


def chat(message: dict[str, Any], finish_reason: str = "stop") -> dict[str, Any]:
    """A chat.completion whose only choice carries `message`."""
    return {
        "id": "chatcmpl-route",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, **message},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15},
    }


def tool_call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": orjson.dumps(arguments).decode()},
    }


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stream",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def response(*output: dict[str, Any]) -> dict[str, Any]:
    return {"id": "resp_route", "object": "response", "status": "completed", "output": list(output)}


def tool_routes(router: Router) -> None:
    router.post(
        "/chat/completions",
        responses=[
            Reply(
                json=chat({"tool_calls": [tool_call("call_1", "get_weather", {"city": "Paris"})]})
            ),
            Reply(json=chat({"content": "It is 21 °C and clear in Paris."})),
        ],
    )


def parallel_tool_stream_routes(router: Router) -> None:
    # Two calls, each split over several chunks, as OpenAI streams parallel tool calls.
    def fragment(index: int, **function: str) -> dict[str, Any]:
        call: dict[str, Any] = {"index": index, "function": function}
        if "name" in function:
            call |= {"id": f"call_{index}", "type": "function"}
        return chunk({"tool_calls": [call]})

    events = [
        chunk({"role": "assistant", "content": None}),
        fragment(0, name="get_time", arguments=""),
        fragment(0, arguments='{"city": '),
        fragment(0, arguments='"Tokyo"}'),
        fragment(1, name="get_time", arguments='{"city"'),
        fragment(1, arguments=': "Lima"}'),
        chunk({}, finish_reason="tool_calls"),
    ]
    answer = chat({"content": "21:00 in Tokyo, 07:00 in Lima."})
    router.post("/chat/completions", responses=[Reply(sse=events), Reply(json=answer)])


def json_answer_routes(document: dict[str, Any]) -> Callable[[Router], None]:
    def add(router: Router) -> None:
        router.post("/chat/completions", json=chat({"content": orjson.dumps(document).decode()}))

    return add


def responses_json_routes(document: dict[str, Any]) -> Callable[[Router], None]:
    def add(router: Router) -> None:
        text = {"type": "output_text", "text": orjson.dumps(document).decode(), "annotations": []}
        message = {"type": "message", "id": "msg_1", "role": "assistant", "content": [text]}
        router.post("/responses", json=response(message))

    return add


def structured_stream_routes(router: Router) -> None:
    whole = orjson.dumps({"title": "Otters", "lines": ["Paws held", "in the river", "asleep"]})
    pieces = [whole[i : i + 9].decode() for i in range(0, len(whole), 9)]
    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": piece}) for piece in pieces]
    events.append(chunk({}, finish_reason="stop"))
    router.post("/chat/completions", responses=[Reply(sse=events)])


def local_structured_routes(router: Router) -> None:
    weather = {"city": "Oslo", "celsius": -3.5, "sky": "snow"}
    called = chat({"tool_calls": [tool_call("call_1", "Weather", weather)]}, "tool_calls")
    answered = chat({"content": orjson.dumps({**weather, "sky": "cloudy"}).decode()})
    router.post("/chat/completions", responses=[Reply(json=called), Reply(json=answered)])


def embedding_routes(router: Router) -> None:
    vectors = [[0.9, 0.1, 0.0], [0.8, 0.2, 0.1], [0.0, 0.1, 0.9]]
    data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
    body = {"object": "list", "data": data, "model": "text-embedding-3-small"}
    router.post("/embeddings", json={**body, "usage": {"prompt_tokens": 8, "total_tokens": 8}})


def responses_tool_routes(router: Router) -> None:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "get_horoscope",
        "arguments": '{"sign": "Aquarius"}',
        "status": "completed",
    }
    text = {"type": "output_text", "text": "Aquarius: an otter friend awaits.", "annotations": []}
    message = {"type": "message", "id": "msg_1", "role": "assistant", "content": [text]}
    router.post("/responses", responses=[Reply(json=response(call)), Reply(json=response(message))])


def rate_limit_routes(router: Router) -> None:
    limited = {"error": {"message": "Rate limit reached", "type": "requests", "code": None}}
    router.post(
        "/chat/completions",
        responses=[
            Reply(429, json=limited, headers={"retry-after-ms": "10"}),
            Reply(
                json=chat({"content": "Hi!"}),
                headers={"x-ratelimit-remaining-requests": "99", "x-request-id": "req_2"},
            ),
        ],
    )


def provider_routes(path: str) -> Callable[[Router], None]:
    def add(router: Router) -> None:
        router.post(path, json=chat({"content": "Routed."}))

    return add


@dataclass(frozen=True)
class Case:
    """One example: what it must print, which operations it calls, and its setting."""

    expect: tuple[str, ...]
    operations: tuple[str, ...] = ()
    routes: Callable[[Router], None] | None = None
    env: dict[str, str] = field(default_factory=dict[str, str])
    offline: bool = False  # sends no request at all
    realtime: tuple[Turn, ...] = ()  # talks to a RealtimeServer answering with these turns


CASES: dict[str, Case] = {
    "chat.py": Case((SPEC_ANSWER, "(gpt-5.4, 29 tokens)"), ("createChatCompletion",)),
    "chat_stream.py": Case(("Hello", "finish_reason=stop"), ("createChatCompletion",)),
    "tool_call.py": Case(
        ("calling get_weather({'city': 'Paris'})", "It is 21 °C and clear in Paris."),
        routes=tool_routes,
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
        ("createChatCompletion",),
    ),
    "tool_loop_async.py": Case(
        (
            'called get_exchange_rate({"base":"sample base","quote":"sample quote"})',
            "  -> 161.5",
            "completed after 2 turns",
        ),
        ("createResponse",),
    ),
    "tool_call_stream.py": Case(
        ("call_0: get_time('Tokyo')", "call_1: get_time('Lima')", "21:00 in Tokyo"),
        routes=parallel_tool_stream_routes,
    ),
    "structured_outputs.py": Case(
        ("1. Subtract 7 -> 8x = -30", "answer: x = -3.75"),
        routes=json_answer_routes(
            {
                "steps": [{"explanation": "Subtract 7", "output": "8x = -30"}],
                "final_answer": "x = -3.75",
            }
        ),
    ),
    "structured_outputs_pydantic.py": Case(
        ("Science fair on Friday with Alice, Bob",),
        routes=json_answer_routes(
            {"name": "Science fair", "date": "Friday", "participants": ["Alice", "Bob"]}
        ),
    ),
    "structured_outputs_typeddict.py": Case(
        ("negative (60%): the screen scratches easily",),
        routes=json_answer_routes(
            {"label": "negative", "confidence": 0.6, "quotes": ["the screen scratches easily"]}
        ),
    ),
    "structured_outputs_msgspec.py": Case(
        ("Pancakes: 200 g flour, 300 g milk", "response resp_route (completed)"),
        routes=responses_json_routes(
            {
                "title": "Pancakes",
                "ingredients": [{"name": "flour", "grams": 200}, {"name": "milk", "grams": 300}],
                "minutes": None,
            }
        ),
    ),
    "structured_outputs_attrs.py": Case(
        ("10 Downing Street, London SW1A 2AA", "chatcmpl-route: 15 tokens"),
        routes=json_answer_routes(
            {"street": "10 Downing Street", "city": "London", "postcode": "SW1A 2AA"}
        ),
    ),
    "structured_outputs_stream.py": Case(
        ("3 lines so far", "Otters", "  in the river"), routes=structured_stream_routes
    ),
    "structured_outputs_local.py": Case(
        ("tool: Oslo -3.5 °C, snow", "json_object: Oslo -3.5 °C, cloudy"),
        routes=local_structured_routes,
    ),
    "completions.py": Case(("streamed: This is indeed a test",), ("createCompletion",)),
    "embeddings.py": Case(
        (
            "3 embeddings of 3 dimensions from text-embedding-3-small",
            "closest: 'The cat sat on the mat.' and 'A feline rested on a rug.'",
        ),
        routes=embedding_routes,
    ),
    "models.py": Case(("model-id-0", "retrieved"), ("listModels", "retrieveModel")),
    "moderations.py": Case(("flagged: harassment",), ("createModeration",)),
    "images.py": Case(("saved otter.png",), ("createImage",)),
    "image_edit.py": Case(("edit:", "variation:"), ("createImageEdit", "createImageVariation")),
    "audio_speech.py": Case(("hello.mp3:", "story.mp3:"), ("createSpeech",)),
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
        ("createChatCompletion",),
    ),
    "bulk_batch.py": Case(
        ("submitted: batch_mock", ": completed, 3 of 3", "t2: 3 dimensions"),
        ("createFile", "createBatch", "retrieveBatch", "downloadFile"),
        routes=embedding_routes,
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
    "responses.py": Case(("a unicorn named Lumina", "completed)"), ("createResponse",)),
    "responses_stream.py": Case(("completed,",), ("createResponse",)),
    "responses_function_call.py": Case(
        ("calling get_horoscope({'sign': 'Aquarius'})", "an otter friend awaits"),
        routes=responses_tool_routes,
    ),
    "conversations.py": Case(
        ("conv_123 about demo", "user: Hello!"),
        ("createConversation", "createConversationItems", "createResponse"),
    ),
    "webhooks.py": Case(("response.completed: resp_abc123", "refused:"), offline=True),
    "gemini.py": Case(
        ("Routed.",),
        routes=provider_routes("/v1beta/openai/chat/completions"),
        env={"GEMINI_API_KEY": "gemini-key"},
    ),
    "azure.py": Case(
        ("Routed.",),
        routes=provider_routes("/openai/deployments/gpt-4o-mini/chat/completions"),
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
    "retries.py": Case(
        ("attempt 1 failed", "retrying in 0.01 s", "Hi!", "took 1 retries", "'99'"),
        routes=rate_limit_routes,
    ),
    "types_dataclass.py": Case((f"{SPEC_ANSWER} (gpt-5.4)", "29 tokens")),
    "types_typeddict.py": Case((SPEC_ANSWER,)),
    "types_pydantic.py": Case((f"{SPEC_ANSWER} (gpt-5.4)",)),
    "types_msgspec.py": Case((f"whole: {SPEC_ANSWER}", "streamed: Hello")),
    "types_attrs.py": Case(("model-id-0 (organization-owner)", "gpt-4o-mini available: False")),
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
            "saved answer.wav: 48000 bytes, 1.00 s",
            "transcript: Sure",
        ),
        offline=True,
        realtime=("audio",),
    ),
    "async_chat.py": Case((f"What is 2 + 2? -> {SPEC_ANSWER}", "Name a planet.")),
}


def spec_mock(router: Router | None = None) -> SpecMock:
    """The spec mock, checking every request the examples send against the spec."""
    return SpecMock(routes=router)


def run(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run an example with the (already cleaned) test environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GEMINI_")}
    return subprocess.run(  # noqa: S603 - our own interpreter and file
        [sys.executable, str(EXAMPLES / script)],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_every_example_has_a_case() -> None:
    assert sorted(path.name for path in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example(script: str, tmp_path: Path) -> None:
    case = CASES[script]
    router = Router()
    if case.routes is not None:
        case.routes(router)
    mock = spec_mock(router)
    with serve(mock=mock) as base_url, RealtimeServer(turns=case.realtime or ("text",)) as live:
        if case.realtime:
            base_url = live.base_url
        root = base_url.removesuffix("/v1")
        env = {
            "OPENAI_BASE_URL": base_url,
            "OPENAI_API_KEY": "sk-test",
            "GEMINI_BASE_URL": f"{root}/v1beta/openai",
            "AZURE_OPENAI_ENDPOINT": root,
            **case.env,
        }
        if script == "local_server.py":
            del env["OPENAI_API_KEY"]
        done = run(script, tmp_path, env)

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for expected in case.expect:
        assert expected in done.stdout, f"{expected!r} not in:\n{done.stdout}"
    called = {call.operation_id for call in mock.calls}
    assert set(case.operations) <= called, f"{script} called {called}"
    assert bool(mock.calls) is not case.offline
    if case.realtime:  # every client event the example sent passed the strict schema
        assert len(live.received) > 2
        assert not [e for e in live.received if not byot.is_valid(e, "RealtimeClientEvent")]
    for call in mock.calls:  # the only error status is the 429 that retries.py is about
        assert call.response.status_code in (200, 429), call.response.read()


def test_tool_call_sends_the_results_back(tmp_path: Path) -> None:
    router = Router()
    tool_routes(router)
    with serve(mock=spec_mock(router)) as base_url:
        done = run("tool_call.py", tmp_path, {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "k"})

    assert done.returncode == 0, done.stderr
    first, second = (call.json()["messages"] for call in router.calls)
    assert [m["role"] for m in second] == ["user", "assistant", "tool"]
    assert second[0] == first[0]
    assert second[1]["tool_calls"][0]["id"] == "call_1"
    assert second[2]["tool_call_id"] == "call_1"
    assert orjson.loads(second[2]["content"])["city"] == "Paris"


def test_files_are_written(tmp_path: Path) -> None:
    with serve(mock=spec_mock()) as base_url:
        done = run(
            "audio_speech.py", tmp_path, {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "k"}
        )

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "hello.mp3").read_bytes().startswith(b"byot.testing: the bytes of")
    assert (tmp_path / "story.mp3").read_bytes() == (tmp_path / "hello.mp3").read_bytes()


def test_providers_get_their_own_urls_and_headers(tmp_path: Path) -> None:
    router = Router()
    gemini = router.post("/v1beta/openai/chat/completions", json=chat({"content": "G"}))
    azure = router.post("/openai/deployments/gpt-4o-mini/chat/completions", json=chat({}))
    with serve(mock=spec_mock(router)) as base_url:
        root = base_url.removesuffix("/v1")
        env = {"GEMINI_BASE_URL": f"{root}/v1beta/openai", "GEMINI_API_KEY": "g-key"}
        assert run("gemini.py", tmp_path, env).returncode == 0
        env = {"AZURE_OPENAI_ENDPOINT": root, "AZURE_OPENAI_API_KEY": "a-key"}
        assert run("azure.py", tmp_path, env | {"OPENAI_API_VERSION": "2024-10-21"}).returncode == 0
        local = spec_mock()
    (gemini_call,) = gemini.calls
    assert gemini_call.request.headers["authorization"] == "Bearer g-key"
    (azure_call,) = azure.calls
    assert azure_call.request.url.params["api-version"] == "2024-10-21"
    assert azure_call.request.headers["api-key"] == "a-key"
    assert "authorization" not in azure_call.request.headers
    with serve(mock=local) as base_url:
        assert run("local_server.py", tmp_path, {"OPENAI_BASE_URL": base_url}).returncode == 0
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
    done = run(script, tmp_path, env)

    assert done.returncode != 0
    assert missing in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
