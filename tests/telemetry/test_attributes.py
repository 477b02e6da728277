"""`byot._telemetry`, sans I/O: the attributes a request, a response and a stream's events give."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from byot import _telemetry as t
from byot import errors


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://api.openai.com/v1", "openai"),
        ("https://my-res.openai.azure.com/openai", "azure.ai.openai"),
        ("https://my-res.services.ai.azure.com/models", "azure.ai.inference"),
        ("https://generativelanguage.googleapis.com/v1beta/openai", "gcp.gemini"),
        ("https://us-central1-aiplatform.googleapis.com/v1/x", "gcp.vertex_ai"),
        ("https://api.groq.com/openai/v1", "groq"),
        ("https://api.deepseek.com", "deepseek"),
        ("https://api.mistral.ai/v1", "mistral_ai"),
        ("https://api.x.ai/v1", "x_ai"),
        ("https://api.perplexity.ai", "perplexity"),
        ("https://api.moonshot.cn/v1", "moonshot_ai"),
        ("https://api.anthropic.com/v1", "anthropic"),
        ("https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1", "aws.bedrock"),
        ("http://localhost:11434/v1", "openai_compatible"),
        ("https://notapi.openai.com.evil.example/v1", "openai_compatible"),
    ],
)
def test_the_provider_name_comes_from_the_host(url: str, name: str) -> None:
    assert t.provider_name(url) == name


def test_a_given_provider_name_wins() -> None:
    assert t.provider_name("http://localhost:8000/v1", "vllm") == "vllm"
    assert t.provider_name("https://api.openai.com/v1", "my-gateway") == "my-gateway"


@pytest.mark.parametrize(
    ("operation_id", "path", "name"),
    [
        ("createChatCompletion", "/v1/chat/completions", "chat"),
        ("createResponse", "/v1/responses", "chat"),
        ("createCompletion", "/v1/completions", "text_completion"),
        ("createEmbedding", "/v1/embeddings", "embeddings"),
        ("listModels", "/v1/models", "listModels"),
        (None, "/v1/chat/completions", "chat"),
        (None, "/v1/embeddings", "embeddings"),
        (None, "/v1/custom/thing", "request"),
    ],
)
def test_operation_names(operation_id: str | None, path: str, name: str) -> None:
    assert t.operation_name(operation_id, path) == name


def test_span_name_without_a_model_is_the_operation() -> None:
    assert t.span_name({t.OPERATION: "listModels"}) == "listModels"
    assert t.span_name({t.OPERATION: "chat", t.REQUEST_MODEL: "m"}) == "chat m"


def test_server_fills_in_the_schemes_port() -> None:
    assert t.server(httpx.URL("https://api.openai.com/v1/x")) == {
        "server.address": "api.openai.com",
        "server.port": 443,
    }
    assert t.server(httpx.URL("http://h/v1"))["server.port"] == 80
    assert t.server(httpx.URL("http://h:8080/v1"))["server.port"] == 8080


def body(value: object) -> bytes:
    return orjson.dumps(value)


def test_request_attributes() -> None:
    request = {
        "model": "m",
        "messages": [{"role": "user", "content": "secret prompt"}],
        "max_tokens": 10,
        "top_p": 0.9,
        "frequency_penalty": 0.1,
        "presence_penalty": 0,
        "seed": 7,
        "stop": "END",
        "n": 2,
        "stream": True,
        "temperature": True,  # not a number: left out
    }
    assert t.request_attributes(body(request), capture_content=False) == {
        "gen_ai.request.model": "m",
        "gen_ai.request.max_tokens": 10,
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.frequency_penalty": 0.1,
        "gen_ai.request.presence_penalty": 0,
        "gen_ai.request.seed": 7,
        "gen_ai.request.stop_sequences": ["END"],
        "gen_ai.request.choice.count": 2,
        "gen_ai.request.stream": True,
    }


def test_request_content_is_recorded_only_when_asked() -> None:
    messages = [{"role": "user", "content": "secret prompt"}]
    plain = t.request_attributes(body({"model": "m", "messages": messages}), capture_content=False)
    assert "secret" not in str(plain)
    captured = t.request_attributes(
        body({"model": "m", "messages": messages}), capture_content=True
    )
    assert orjson.loads(captured[t.INPUT_MESSAGES]) == messages
    responses = t.request_attributes(body({"model": "m", "input": "Hi"}), capture_content=True)
    assert orjson.loads(responses[t.INPUT_MESSAGES]) == "Hi"
    no_messages = t.request_attributes(body({"model": "m"}), capture_content=True)
    assert t.INPUT_MESSAGES not in no_messages
    no_output = t.response_attributes(body({"id": "x"}), capture_content=True)
    assert no_output == {"gen_ai.response.id": "x"}


@pytest.mark.parametrize(
    "content",
    [None, b"", b"[1]", b"{not json", b"\x00\x01", "text", {"model": "m"}],
)
def test_what_is_not_a_json_object_gives_no_attributes(content: object) -> None:
    assert t.request_attributes(content, capture_content=True) == {}
    assert t.response_attributes(content, capture_content=True) == {}


def test_odd_request_fields_are_left_out() -> None:
    request = {"model": 3, "stop": ["a", 1], "n": 1}
    assert t.request_attributes(body(request), capture_content=False) == {}
    assert t.request_attributes(body({"stop": ["a", "b"]}), capture_content=False) == {
        "gen_ai.request.stop_sequences": ["a", "b"]
    }


def test_chat_response_attributes_and_content() -> None:
    answer = {
        "id": "c",
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "private"},
                "finish_reason": "stop",
            },
            {"index": 1, "finish_reason": None},
            "junk",
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2},
    }
    plain = t.response_attributes(body(answer), capture_content=False)
    assert plain == {
        "gen_ai.response.id": "c",
        "gen_ai.response.model": "m",
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.input_tokens": 1,
        "gen_ai.usage.output_tokens": 2,
    }
    captured = t.response_attributes(body(answer), capture_content=True)
    assert orjson.loads(captured[t.OUTPUT_MESSAGES]) == [
        {"role": "assistant", "content": "private"},
        None,
    ]


def test_responses_api_attributes() -> None:
    done = {
        "id": "resp_1",
        "object": "response",
        "model": "m",
        "status": "completed",
        "output": [{"type": "message", "content": [{"type": "output_text", "text": "x"}]}],
        "usage": {"input_tokens": 3, "output_tokens": 4, "total_tokens": 7},
    }
    attributes = t.response_attributes(body(done), capture_content=True)
    assert attributes[t.FINISH_REASONS] == ["completed"]
    assert (attributes[t.INPUT_TOKENS], attributes[t.OUTPUT_TOKENS]) == (3, 4)
    assert orjson.loads(attributes[t.OUTPUT_MESSAGES]) == done["output"]
    cut = {**done, "status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}
    assert t.response_attributes(body(cut), capture_content=False)[t.FINISH_REASONS] == [
        "max_output_tokens"
    ]
    odd = {"object": "response", "status": None, "incomplete_details": "?"}
    assert t.FINISH_REASONS not in t.response_attributes(body(odd), capture_content=False)


def test_usage_reads_what_is_a_count() -> None:
    assert t.usage({"input_tokens": True, "prompt_tokens": 5, "output_tokens": "7"}) == {
        "gen_ai.usage.input_tokens": 5
    }
    assert t.usage(None) == {}
    assert t.usage([1]) == {}


def test_error_types() -> None:
    status = errors.APIStatusError.__new__(errors.RateLimitError)
    status.status_code = 429
    assert t.error_type(status) == "429"
    assert t.error_type(ValueError("x")) == "builtins.ValueError"
    assert t.error_type(errors.StreamTruncatedError.__new__(errors.StreamTruncatedError)) == (
        "byot.errors.StreamTruncatedError"
    )


def feed(state: t.StreamState, *values: Any) -> dict[str, Any]:
    for value in values:
        state.feed(value if isinstance(value, bytes) else body(value))
    return state.result()


def test_stream_state_of_a_chat_stream() -> None:
    def chunk(index: int, text: str | None, finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "c",
            "model": "m",
            "choices": [{"index": index, "delta": {"content": text}, "finish_reason": finish}],
        }

    events = [
        chunk(0, "He"),
        chunk(1, "Yo"),
        chunk(0, "llo", "stop"),
        chunk(1, None, "length"),
        {
            "id": "c",
            "model": "m",
            "choices": [],
            "usage": {"prompt_tokens": 2, "completion_tokens": 3},
        },
        b"not json",
        {"choices": ["junk", {"delta": "odd", "text": "!", "index": "x"}]},
    ]
    plain = feed(t.StreamState(capture_content=False), *events)
    assert plain == {
        "gen_ai.response.id": "c",
        "gen_ai.response.model": "m",
        "gen_ai.usage.input_tokens": 2,
        "gen_ai.usage.output_tokens": 3,
        "gen_ai.response.finish_reasons": ["stop", "length"],
    }
    captured = feed(t.StreamState(capture_content=True), *events)
    assert orjson.loads(captured[t.OUTPUT_MESSAGES]) == [
        {"role": "assistant", "content": "Hello!"},
        {"role": "assistant", "content": "Yo"},
    ]


def test_stream_state_of_a_completions_stream_with_text() -> None:
    events = [{"choices": [{"index": 0, "text": "a"}]}, {"choices": [{"index": 0, "text": "b"}]}]
    captured = feed(t.StreamState(capture_content=True), *events)
    assert orjson.loads(captured[t.OUTPUT_MESSAGES]) == [{"role": "assistant", "content": "ab"}]


def test_stream_state_of_a_responses_stream() -> None:
    created = {
        "type": "response.created",
        "response": {"id": "r", "model": "m", "status": "in_progress"},
    }
    delta = {"type": "response.output_text.delta", "delta": "x"}
    done = {
        "type": "response.completed",
        "response": {
            "id": "r",
            "object": "response",
            "model": "m-1",
            "status": "completed",
            "usage": {"input_tokens": 1, "output_tokens": 2},
        },
    }
    assert feed(t.StreamState(capture_content=False), created, delta, done) == {
        "gen_ai.response.id": "r",
        "gen_ai.response.model": "m-1",
        "gen_ai.response.finish_reasons": ["completed"],
        "gen_ai.usage.input_tokens": 1,
        "gen_ai.usage.output_tokens": 2,
    }


def test_telemetry_defaults_keep_content_out() -> None:
    options = t.Telemetry()
    assert options.capture_content is False
    assert (options.tracer_provider, options.meter_provider, options.provider_name) == (
        None,
        None,
        None,
    )


def test_realtime_session_attributes() -> None:
    assert t.realtime_session("wss://api.openai.com/v1/realtime?model=gpt-realtime") == {
        "gen_ai.operation.name": "realtime",
        "server.address": "api.openai.com",
        "server.port": 443,
        "gen_ai.request.model": "gpt-realtime",
    }
    # Azure classic names the deployment in the path: no model in the query.
    assert t.realtime_session("ws://localhost:9000/openai/realtime?api-version=x") == {
        "gen_ai.operation.name": "realtime",
        "server.address": "localhost",
        "server.port": 9000,
    }
    assert t.realtime_session("ws://h/v1/realtime")["server.port"] == 80


def test_realtime_response_attributes() -> None:
    done = {"type": "response.done", "response": {"id": "r", "status": "failed", "usage": None}}
    assert t.realtime_response(done) == {
        "gen_ai.response.id": "r",
        "gen_ai.response.finish_reasons": ["failed"],
    }
    assert t.realtime_response({"type": "response.done", "response": {"id": 3}}) == {}
    assert t.realtime_response({"type": "response.done"}) == {}
