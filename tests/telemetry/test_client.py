"""How a client turns telemetry on and off, and what it costs when off (nothing imported)."""

from __future__ import annotations

import gc
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest
from opentelemetry import trace
from opentelemetry.trace import StatusCode

import byot
from byot.errors import ConfigError

if TYPE_CHECKING:
    from tests.telemetry.conftest import Otel

CHAT = {
    "id": "c",
    "model": "m",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "the answer"},
            "finish_reason": "stop",
        }
    ],
}
BODY = {"model": "m", "messages": [{"role": "user", "content": "the question"}]}


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=CHAT)


def client(otel: Otel, handler: Any = answer, **kwargs: Any) -> byot.Client:
    return byot.Client(
        api_key="sk-test",
        base_url="https://api.openai.com/v1",
        transport=httpx.MockTransport(handler),
        telemetry=otel.telemetry(**kwargs),
    )


def test_telemetry_off_imports_no_opentelemetry() -> None:
    code = (
        "import sys, httpx, byot\n"
        "print('opentelemetry' in sys.modules, 'byot._otel' in sys.modules)\n"
        "ok = lambda request: httpx.Response(200, json={'id': 'c', 'choices': []})\n"
        "for telemetry in (None, False):\n"
        "    client = byot.Client(api_key='k', transport=httpx.MockTransport(ok),"
        " telemetry=telemetry)\n"
        "    client.chat.completions.create({'model': 'm', 'messages': []})\n"
        "    print(client._settings.tracing)\n"
        "print('opentelemetry' in sys.modules, 'byot._otel' in sys.modules)\n"
        "byot.Client(api_key='k', telemetry=True)\n"
        "print('opentelemetry' in sys.modules)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False", "None", "None", "False", "False", "True"]


def test_without_opentelemetry_turning_it_on_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # what a missing package looks like
    monkeypatch.delitem(sys.modules, "byot._otel", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'byot-client\[otel\]'"):
        byot.Client(api_key="k", telemetry=True)


def test_telemetry_takes_true_false_or_a_telemetry() -> None:
    with pytest.raises(
        TypeError, match=r"telemetry= takes True, False or a byot\.Telemetry, not str"
    ):
        byot.Client(api_key="k", telemetry="yes")  # type: ignore[arg-type]
    assert byot.Client(api_key="k", telemetry=False)._settings.tracing is None


def test_with_options_keeps_or_changes_telemetry(otel: Otel) -> None:
    base = client(otel)
    assert base.with_options(timeout=5)._settings.telemetry == base._settings.telemetry
    assert base.with_options(telemetry=False)._settings.tracing is None
    assert byot.Client(api_key="k").with_options(telemetry=True)._settings.tracing is not None


def test_content_is_recorded_only_when_the_caller_opts_in(otel: Otel) -> None:
    client(otel).chat.completions.create(BODY)
    client(otel, capture_content=True).chat.completions.create(BODY)

    plain, captured = otel.spans()
    assert "the question" not in str(plain.attributes)
    assert "the answer" not in str(plain.attributes)
    attributes = captured.attributes or {}
    assert orjson.loads(str(attributes["gen_ai.input.messages"])) == BODY["messages"]
    assert orjson.loads(str(attributes["gen_ai.output.messages"])) == [
        {"role": "assistant", "content": "the answer"}
    ]


def test_the_provider_name_is_read_from_the_base_url_or_given(otel: Otel) -> None:
    client(otel).chat.completions.create(BODY)
    client(otel, provider_name="my-gateway").chat.completions.create(BODY)

    first, second = otel.spans()
    assert (first.attributes or {})["gen_ai.provider.name"] == "openai"
    assert (first.attributes or {})["server.port"] == 443
    assert (second.attributes or {})["gen_ai.provider.name"] == "my-gateway"


def test_the_span_is_current_while_the_call_runs(otel: Otel) -> None:
    seen: list[trace.Span] = []

    def hook(request: httpx.Request) -> None:
        seen.append(trace.get_current_span())

    with byot.Client(
        api_key="k",
        transport=httpx.MockTransport(answer),
        telemetry=otel.telemetry(),
        event_hooks={"request": [hook]},
    ) as traced:
        traced.chat.completions.create(BODY)

    [span] = otel.spans()
    assert seen[0].get_span_context().span_id == span.context.span_id
    assert not trace.get_current_span().get_span_context().is_valid  # detached after the call


@pytest.mark.anyio
async def test_an_async_call_detaches_its_span_too(otel: Otel) -> None:
    async with byot.AsyncClient(
        api_key="k", transport=httpx.MockTransport(answer), telemetry=otel.telemetry()
    ) as traced:
        await traced.chat.completions.create(BODY)
    assert len(otel.spans()) == 1
    assert not trace.get_current_span().get_span_context().is_valid


def test_a_list_call_gets_the_generic_attributes(otel: Otel) -> None:
    def models(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"object": "list", "data": []})

    client(otel, models).models.list()

    span = otel.span()
    assert span.name == "listModels"
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "listModels",
        "gen_ai.provider.name": "openai",
        "server.address": "api.openai.com",
        "server.port": 443,
        "http.response.status_code": 200,
    }


def test_a_binary_stream_span_covers_the_call_until_its_body_starts(otel: Otel) -> None:
    def speech(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"RIFF....", headers={"content-type": "audio/wav"})

    traced = client(otel, speech)
    with traced.audio.speech.create_chunks(
        {"model": "tts-1", "input": "Hi", "voice": "alloy"}
    ) as audio:
        span = otel.span()  # ended already: the body is the caller's to read
        assert audio.read() == b"RIFF...."
    assert span.name == "createSpeech tts-1"
    assert (span.attributes or {})["http.response.status_code"] == 200


def test_a_refused_stream_ends_its_span_with_the_error(otel: Otel) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": {"message": "slow down"}})

    traced = byot.Client(
        api_key="k",
        transport=httpx.MockTransport(refuse),
        telemetry=otel.telemetry(),
        max_retries=0,
    )
    with pytest.raises(byot.errors.RateLimitError):
        traced.chat.completions.create_stream(BODY)

    span = otel.span()
    assert (span.attributes or {})["error.type"] == "429"
    assert span.status.status_code is StatusCode.ERROR


def test_a_stream_dropped_unread_still_ends_its_span(otel: Otel) -> None:
    def sse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"data: [DONE]\n\n", headers={"content-type": "text/event-stream"}
        )

    stream = client(otel, sse).chat.completions.create_stream(BODY)
    del stream
    gc.collect()
    assert len(otel.spans()) == 1


def test_a_responses_stream_reads_the_final_response(otel: Otel) -> None:
    completed = {
        "type": "response.completed",
        "response": {
            "id": "resp_1",
            "object": "response",
            "model": "m-1",
            "status": "completed",
            "usage": {"input_tokens": 3, "output_tokens": 4},
        },
    }
    frames = (
        b"event: response.output_text.delta\ndata: "
        + orjson.dumps({"type": "response.output_text.delta", "delta": "x"})
        + b"\n\nevent: response.completed\ndata: "
        + orjson.dumps(completed)
        + b"\n\n"
    )

    def sse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=frames, headers={"content-type": "text/event-stream"})

    with client(otel, sse).responses.create_stream({"model": "m", "input": "Hi"}) as stream:
        events = [name for name, _ in stream]

    assert events == ["response.output_text.delta", "response.completed"]
    attributes = otel.span().attributes or {}
    assert attributes["gen_ai.response.id"] == "resp_1"
    assert attributes["gen_ai.response.finish_reasons"] == ("completed",)
    assert attributes["gen_ai.usage.output_tokens"] == 4


@pytest.mark.anyio
async def test_async_binary_and_refused_streams_end_their_spans(otel: Otel) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/speech"):
            return httpx.Response(200, content=b"RIFF", headers={"content-type": "audio/wav"})
        return httpx.Response(400, json={"error": {"message": "bad"}})

    async with byot.AsyncClient(
        api_key="k", transport=httpx.MockTransport(answer), telemetry=otel.telemetry()
    ) as traced:
        speech = {"model": "tts-1", "input": "Hi", "voice": "alloy"}
        async with await traced.audio.speech.create_chunks(speech) as audio:
            assert await audio.read() == b"RIFF"
        with pytest.raises(byot.errors.BadRequestError):
            await traced.chat.completions.create_stream(BODY)

    binary, refused = otel.spans()
    assert (binary.attributes or {})["http.response.status_code"] == 200
    assert (refused.attributes or {})["error.type"] == "400"
