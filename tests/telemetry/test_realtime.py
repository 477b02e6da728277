"""Telemetry of the Realtime WebSocket: one span per session, each `response.done` an event.

Against `byot.testing.RealtimeServer`, a real WebSocket server on 127.0.0.1, with both clients.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.trace import SpanKind, StatusCode

import byot
from byot import errors, realtime
from byot.testing import RealtimeServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.telemetry.conftest import Otel

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def realtime_server() -> Iterator[RealtimeServer]:
    with RealtimeServer() as running:
        yield running


async def call(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def connect(mode: str, server: RealtimeServer, otel: Otel) -> Any:
    cls = byot.AsyncClient if mode == "async" else byot.Client
    client = cls(api_key="sk-test", base_url=server.base_url, telemetry=otel.telemetry())
    return client.realtime.connect(model="gpt-realtime")


async def test_a_session_is_one_span_with_its_responses_as_events(
    mode: str, realtime_server: RealtimeServer, otel: Otel
) -> None:
    connection = connect(mode, realtime_server, otel)
    await call(connection.open())
    for _ in range(2):
        await call(connection.send(realtime.conversation_item_create(realtime.user_text("Hi"))))
        await call(connection.send(realtime.response_create()))
        final = await call(connection.response())
    assert otel.spans() == []  # open while the session is
    await call(connection.close())
    await call(connection.close())  # the span ends once

    span = otel.span()
    assert span.name == "realtime gpt-realtime"
    assert span.kind is SpanKind.CLIENT
    usage = final.usage
    port = int(realtime_server.base_url.rsplit(":", 1)[1].split("/")[0])
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "realtime",
        "gen_ai.provider.name": "openai_compatible",
        "gen_ai.request.model": "gpt-realtime",
        "server.address": "127.0.0.1",
        "server.port": port,
        "gen_ai.usage.input_tokens": 2 * usage["input_tokens"],
        "gen_ai.usage.output_tokens": 2 * usage["output_tokens"],
    }
    _, last = span.events
    assert last.name == "response.done"
    assert dict(last.attributes or {}) == {
        "gen_ai.response.id": final.id,
        "gen_ai.response.finish_reasons": ("completed",),
        "gen_ai.usage.input_tokens": usage["input_tokens"],
        "gen_ai.usage.output_tokens": usage["output_tokens"],
    }
    assert span.status.status_code is StatusCode.UNSET
    tokens = sorted(
        (p.attributes["gen_ai.token.type"], p.count)
        for p in otel.points("gen_ai.client.token.usage")
    )
    assert tokens == [("input", 2), ("output", 2)]
    [duration] = otel.points("gen_ai.client.operation.duration")
    assert "error.type" not in duration.attributes


async def test_a_refused_handshake_ends_the_span_with_its_status(mode: str, otel: Otel) -> None:
    with RealtimeServer(refuse=401) as server:
        connection = connect(mode, server, otel)
        with pytest.raises(errors.AuthenticationError):
            await call(connection.open())
        await call(connection.close())

    span = otel.span()
    assert (span.attributes or {})["error.type"] == "401"
    assert span.status.status_code is StatusCode.ERROR


async def test_a_session_cut_off_ends_with_its_close_code(mode: str, otel: Otel) -> None:
    with RealtimeServer(turns=("close_mid_response",), close_code=1011) as server:
        connection = connect(mode, server, otel)
        await call(connection.open())
        await call(connection.send(realtime.response_create()))
        with pytest.raises(errors.RealtimeClosedError):
            await call(connection.response())
        await call(connection.close())

    span = otel.span()
    assert (span.attributes or {})["error.type"] == "1011"
    [duration] = otel.points("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == "1011"


def test_a_response_without_usage_records_no_tokens(otel: Otel) -> None:
    from byot._otel import Tracing

    session = Tracing(otel.telemetry(), "wss://api.openai.com/v1").session(
        "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    )
    session.received("response.created", {"type": "response.created"})
    session.received(
        "response.done", {"response": {"id": "r", "status": "cancelled", "usage": None}}
    )
    session.end(None, 1000)

    span = otel.span()
    assert [event.name for event in span.events] == ["response.done"]
    assert (span.attributes or {})["gen_ai.provider.name"] == "openai"
    assert (span.attributes or {})["gen_ai.usage.output_tokens"] == 0
    assert otel.points("gen_ai.client.token.usage") == []
