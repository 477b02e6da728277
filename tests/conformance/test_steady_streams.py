"""Every streaming operation, called through its `*_stream` method, against steady.

steady answers a request whose `Accept` is `text/event-stream` with server-sent events made
from the operation's stream schema (`event: message`, five of them) and ends the stream with
`event: done`. It does so where the spec declares a `text/event-stream` answer, which the spec
leaves out for 6 of the 13 streaming operations: the `steady_streams` fixture serves a copy of
the spec that adds it (conftest.py, `streaming_spec`).

Each streaming operation of byot.resources._endpoints is called once with each client, with the body
test_steady.py sends (bodies.py) plus the stream flag byot sets itself: steady must find the
request valid, and the stream must yield items and end on its terminator (a stream without one
raises StreamTruncatedError).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pytest

import byot
from byot.resources._endpoints import ENDPOINTS
from tests.conformance.bodies import Call, call_for

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.anyio

TIMEOUT = byot.Timeout(10)
STREAMING = sorted(op for op, endpoint in ENDPOINTS.items() if endpoint.stream)
EVENTS_PER_STREAM = 5  # steady's default


def _settings() -> dict[str, Any]:
    return {
        "api_key": "sk-test",
        "timeout": TIMEOUT,
        "max_retries": 0,
        "default_headers": {"X-Steady-Stream-Interval-Ms": "0"},  # not 100 ms between events
    }


def _stream_method(client: object, call: Call) -> Any:
    """The generated `*_stream` method, e.g. `client.chat.completions.create_stream`."""
    return functools.reduce(getattr, f"{call.method}_stream".split("."), client)


def _check(operation_id: str, stream: Any, items: list[Any]) -> None:
    assert stream.headers.get("x-steady-request-valid") == "true", (
        f"steady rejected the stream request of {operation_id}: "
        f"{stream.headers.get('x-steady-error-1-message')}"
    )
    assert stream.headers["x-steady-streaming"] == "true"
    # A terminal event among steady's random ones may end the stream early.
    assert 1 <= len(items) <= EVENTS_PER_STREAM
    assert stream.is_closed
    stream_info = ENDPOINTS[operation_id].stream
    assert stream_info is not None
    if stream_info.get("framing", "data") == "data":
        assert all(type(item) is dict for item in items)
    else:  # named events: (name, value) pairs
        assert all(type(item) is tuple and type(item[0]) is str for item in items)


def test_every_streaming_operation_is_listed() -> None:
    assert len(STREAMING) == 13


@pytest.fixture(scope="module")
def client(steady_streams: str) -> Iterator[byot.Client]:
    with byot.Client(base_url=steady_streams, **_settings()) as client:
        yield client


@pytest.mark.parametrize("operation_id", STREAMING)
def test_stream_sync(client: byot.Client, operation_id: str) -> None:
    call = call_for(operation_id)

    with _stream_method(client, call)(**call.kwargs) as stream:
        items = list(stream)

    _check(operation_id, stream, items)


@pytest.mark.parametrize("operation_id", STREAMING)
async def test_stream_async(steady_streams: str, operation_id: str) -> None:
    call = call_for(operation_id)

    async with (
        byot.AsyncClient(base_url=steady_streams, **_settings()) as client,
        await _stream_method(client, call)(**call.kwargs) as stream,
    ):
        items = [item async for item in stream]

    _check(operation_id, stream, items)
