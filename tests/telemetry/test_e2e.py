"""Telemetry over real sockets: the spans and metrics of calls to the suite's HTTP server.

Every test runs with `byot.Client` and `byot.AsyncClient` (the `calls` fixture) and reads what
OpenTelemetry's SDK recorded through its in-memory span exporter and metric reader: a chat
call, a stream (its span open until the stream ends, the time to its first chunk), a stream
cut off mid-way, an embeddings call, a retried call and failed calls.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest
from opentelemetry.trace import SpanKind, StatusCode

import byot
from byot import _telemetry, errors
from tests.e2e.server import EventStream, Json, Reset

if TYPE_CHECKING:
    from tests.e2e.server import TestServer
    from tests.telemetry.conftest import Calls, Otel

pytestmark = pytest.mark.anyio

CHAT_PATH = "/v1/chat/completions"
BODY = {
    "model": "gpt-test",
    "messages": [{"role": "user", "content": "Hi"}],
    "temperature": 0.5,
    "max_completion_tokens": 50,
}
CHAT = {
    "id": "chatcmpl-7",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-test-2026-01-01",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"},
        {"index": 1, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "length"},
    ],
    "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
}
DURATION = "gen_ai.client.operation.duration"
USAGE = "gen_ai.client.token.usage"
FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
DONE = b"data: [DONE]\n\n"


def port(server: TestServer) -> int:
    found = httpx.URL(server.url).port
    assert found is not None
    return found


def common(server: TestServer, operation: str = "chat", **extra: Any) -> dict[str, Any]:
    """The attributes every span and metric point of a call to the test server has."""
    return {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": "openai_compatible",
        "server.address": "127.0.0.1",
        "server.port": port(server),
        **extra,
    }


def frame(value: object) -> bytes:
    return b"data: " + orjson.dumps(value) + b"\n\n"


def chunk(text: str, finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-9",
        "object": "chat.completion.chunk",
        "model": "gpt-test-2026-01-01",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }


USAGE_CHUNK = {
    "id": "chatcmpl-9",
    "object": "chat.completion.chunk",
    "model": "gpt-test-2026-01-01",
    "choices": [],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


def check_usage_points(otel: Otel, attributes: dict[str, Any], **counts: int) -> None:
    points = {point.attributes["gen_ai.token.type"]: point for point in otel.points(USAGE)}
    assert sorted(points) == sorted(counts)
    for kind, count in counts.items():
        point = points[kind]
        assert point.attributes == {**attributes, "gen_ai.token.type": kind}
        assert (point.count, point.sum) == (1, count)
        assert point.bounds == _telemetry.USAGE_BUCKETS


async def test_a_chat_call_is_one_span_with_the_conventions_attributes(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    server.add(CHAT_PATH, Json(200, CHAT))
    client = calls.client()

    chat = await calls.result(client.chat.completions.create(BODY))

    assert chat["id"] == "chatcmpl-7"
    span = otel.span()
    assert span.name == "chat gpt-test"
    assert span.kind is SpanKind.CLIENT
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "byot"
    assert dict(span.attributes or {}) == common(
        server,
        **{
            "gen_ai.request.model": "gpt-test",
            "gen_ai.request.temperature": 0.5,
            "gen_ai.request.max_tokens": 50,
            "http.response.status_code": 200,
            "gen_ai.response.id": "chatcmpl-7",
            "gen_ai.response.model": "gpt-test-2026-01-01",
            "gen_ai.response.finish_reasons": ("stop", "length"),
            "gen_ai.usage.input_tokens": 11,
            "gen_ai.usage.output_tokens": 7,
        },
    )
    assert span.status.status_code is StatusCode.UNSET
    assert list(span.events) == []
    metric = common(
        server, **{"gen_ai.request.model": "gpt-test", "gen_ai.response.model": CHAT["model"]}
    )
    [duration] = otel.points(DURATION)
    assert duration.attributes == metric
    assert duration.count == 1
    assert duration.sum > 0
    assert duration.bounds == _telemetry.DURATION_BUCKETS
    check_usage_points(otel, metric, input=11, output=7)
    assert otel.points(FIRST_CHUNK) == []  # only streams have a first chunk


@dataclass
class Chat:
    id: str


async def test_the_attributes_come_from_the_json_whatever_type_the_caller_decodes_to(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    server.add(CHAT_PATH, Json(200, CHAT))
    server.add(CHAT_PATH, Json(200, CHAT))
    client = calls.client()

    typed = await calls.result(client.chat.completions.create(BODY, response_type=Chat))
    plain = await calls.result(client.chat.completions.create(BODY))

    assert typed == Chat(id="chatcmpl-7")
    assert plain["id"] == "chatcmpl-7"
    first, second = otel.spans()
    assert first.attributes == second.attributes


async def test_a_stream_span_ends_with_the_stream_with_its_time_to_first_chunk(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    parts = [frame(chunk("Hel")), frame(chunk("lo", "stop")), frame(USAGE_CHUNK), DONE]
    sse = EventStream(parts, hold=frozenset({1}))
    server.add(CHAT_PATH, sse)
    client = calls.client()

    stream = await calls.result(client.chat.completions.create_stream(BODY))
    first = await calls.next(stream)
    assert first["choices"][0]["delta"]["content"] == "Hel"
    assert otel.spans() == []  # open while the stream is
    sse.advance()
    rest = await calls.drain(stream)

    assert len(rest) == 2
    span = otel.span()
    attributes = dict(span.attributes or {})
    first_chunk = attributes.pop("gen_ai.response.time_to_first_chunk")
    assert attributes == common(
        server,
        **{
            "gen_ai.request.model": "gpt-test",
            "gen_ai.request.temperature": 0.5,
            "gen_ai.request.max_tokens": 50,
            "gen_ai.request.stream": True,
            "http.response.status_code": 200,
            "gen_ai.response.id": "chatcmpl-9",
            "gen_ai.response.model": "gpt-test-2026-01-01",
            "gen_ai.response.finish_reasons": ("stop",),
            "gen_ai.usage.input_tokens": 5,
            "gen_ai.usage.output_tokens": 2,
        },
    )
    metric = common(
        server, **{"gen_ai.request.model": "gpt-test", "gen_ai.response.model": CHAT["model"]}
    )
    [point] = otel.points(FIRST_CHUNK)
    assert (point.attributes, point.count, point.sum) == (metric, 1, first_chunk)
    assert point.bounds == _telemetry.DURATION_BUCKETS
    [duration] = otel.points(DURATION)
    assert 0 < first_chunk < duration.sum  # the span stayed open while the second part was held
    check_usage_points(otel, metric, input=5, output=2)


async def test_a_stream_cut_off_mid_way_ends_its_span_with_the_error(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    sse = EventStream([frame(chunk("Hel")), frame(chunk("lo"))], delay=0.02, end="reset")
    server.add(CHAT_PATH, sse)
    client = calls.client()

    stream = await calls.result(client.chat.completions.create_stream(BODY))
    items: list[Any] = []
    with pytest.raises(errors.APIConnectionError) as caught:
        await calls.drain(stream, items)

    assert len(items) == 2
    span = otel.span()
    kind = type(caught.value)
    error_type = f"{kind.__module__}.{kind.__qualname__}"
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == error_type
    assert attributes["gen_ai.response.id"] == "chatcmpl-9"  # what arrived before the cut
    assert "gen_ai.response.finish_reasons" not in attributes
    assert attributes["gen_ai.response.time_to_first_chunk"] > 0
    assert span.status.status_code is StatusCode.ERROR
    [duration] = otel.points(DURATION)
    assert duration.attributes["error.type"] == error_type
    assert otel.points(USAGE) == []


async def test_a_stream_closed_early_ends_its_span_without_an_error(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    parts = [frame(chunk("Hel")), frame(chunk("lo", "stop")), DONE]
    server.add(CHAT_PATH, EventStream(parts, hold=frozenset({1})))
    server.add(CHAT_PATH, EventStream(parts))
    client = calls.client()

    stream = await calls.result(client.chat.completions.create_stream(BODY))
    await calls.next(stream)
    await calls.close(stream)
    unread = await calls.result(client.chat.completions.create_stream(BODY))
    await calls.close(unread)  # never iterated

    for span in otel.spans():
        assert "error.type" not in (span.attributes or {})
        assert span.status.status_code is StatusCode.UNSET
    assert len(otel.spans()) == 2


async def test_an_embeddings_call(calls: Calls, server: TestServer, otel: Otel) -> None:
    answer = {
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 4, "total_tokens": 4},
    }
    server.add("/v1/embeddings", Json(200, answer))
    client = calls.client()

    await calls.result(
        client.embeddings.create({"model": "text-embedding-3-small", "input": "Hi there"})
    )

    span = otel.span()
    assert span.name == "embeddings text-embedding-3-small"
    model = {"gen_ai.request.model": "text-embedding-3-small"}
    assert dict(span.attributes or {}) == common(
        server,
        "embeddings",
        **model,
        **{
            "http.response.status_code": 200,
            "gen_ai.response.model": "text-embedding-3-small",
            "gen_ai.usage.input_tokens": 4,
        },
    )
    metric = common(
        server, "embeddings", **model, **{"gen_ai.response.model": "text-embedding-3-small"}
    )
    [duration] = otel.points(DURATION)
    assert duration.attributes == metric
    check_usage_points(otel, metric, input=4)


async def test_a_retried_call_is_one_span_with_a_retry_event_per_retry(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    server.add(
        CHAT_PATH,
        Json(500, {"error": {"message": "try again"}}),
        Reset("before"),
        Json(200, CHAT),
    )
    client = calls.client(max_retries=2)

    await calls.result(client.chat.completions.create(BODY))

    span = otel.span()
    assert len(server.requests) == 3
    first, second = span.events
    assert (first.name, dict(first.attributes or {})) == (
        "retry",
        {"byot.attempt": 2, "error.type": "500", "http.response.status_code": 500},
    )
    assert (second.name, dict(second.attributes or {})) == (
        "retry",
        {"byot.attempt": 3, "error.type": "byot.errors.APIConnectionError"},
    )
    attributes = dict(span.attributes or {})
    assert attributes["http.request.resend_count"] == 2
    assert attributes["gen_ai.response.id"] == "chatcmpl-7"
    assert "error.type" not in attributes
    assert span.status.status_code is StatusCode.UNSET
    [duration] = otel.points(DURATION)
    assert "error.type" not in duration.attributes


async def test_a_failed_call_records_its_status_as_the_error(
    calls: Calls, server: TestServer, otel: Otel
) -> None:
    server.add(CHAT_PATH, Json(400, {"error": {"message": "bad model", "type": "invalid"}}))
    client = calls.client()

    with pytest.raises(errors.BadRequestError):
        await calls.result(client.chat.completions.create(BODY))

    span = otel.span()
    attributes = dict(span.attributes or {})
    assert attributes["error.type"] == "400"
    assert attributes["http.response.status_code"] == 400
    assert "gen_ai.response.id" not in attributes
    assert span.status.status_code is StatusCode.ERROR
    assert list(span.events) == []  # a 400 is not retried
    [duration] = otel.points(DURATION)
    assert duration.attributes == common(
        server, **{"gen_ai.request.model": "gpt-test", "error.type": "400"}
    )
    assert otel.points(USAGE) == []


async def test_a_call_that_cannot_connect_fails_after_its_retries(calls: Calls, otel: Otel) -> None:
    with socket.socket() as sock:  # a port nothing listens on once this closes
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    client = calls.client(base_url=f"http://127.0.0.1:{free}/v1", max_retries=1)

    with pytest.raises(errors.APIConnectionError):
        await calls.result(client.chat.completions.create(BODY))

    span = otel.span()
    [event] = span.events
    assert dict(event.attributes or {}) == {
        "byot.attempt": 2,
        "error.type": "byot.errors.APIConnectionError",
    }
    assert (span.attributes or {})["error.type"] == "byot.errors.APIConnectionError"
    assert span.status.status_code is StatusCode.ERROR


async def test_telemetry_true_reports_to_the_global_providers(
    calls: Calls, server: TestServer
) -> None:
    # No SDK is installed globally here: the API's no-op providers take the span quietly.
    server.add(CHAT_PATH, Json(200, CHAT))
    client = calls.client(telemetry=True)

    chat = await calls.result(client.chat.completions.create(BODY))

    assert chat["id"] == "chatcmpl-7"
    assert client._settings.telemetry == byot.Telemetry()
