"""End to end: server-sent-event streams over real sockets, with both clients.

The scriptable server (`tests/e2e/server.py`, `EventStream`) writes each stream part by part:
slowly, in pieces that split events, held until the test has seen the previous event, paused,
cut with a clean end of body, a FIN in the middle of the chunked body or a TCP reset, and with
every shape of error that providers send inside a 200 stream. The MockTransport tests of the
same features are in tests/client/test_streams.py; these check what only a real connection
shows: incremental delivery, the transport's errors, timeouts and releasing the connection.

Every test runs with `byot.Client` and with `byot.AsyncClient` (the `mode` fixture); the sync
client blocks the test's event loop, which is harmless because the server runs in threads.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
import warnings
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot
from byot import errors
from tests.e2e.server import EventStream, Json, Reset

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from tests.e2e.server import TestServer

pytestmark = pytest.mark.anyio

CHAT_PATH = "/v1/chat/completions"
RESPONSES_PATH = "/v1/responses"
BODY = {"model": "gpt-test", "messages": [{"role": "user", "content": "Hi"}]}
RESPONSE_BODY = {"model": "gpt-test", "input": "Hi"}
REQUEST_ID = "req_stream_e2e"
HEADERS = {"x-request-id": REQUEST_ID}
TIMEOUT = byot.Timeout(10)  # generous for a loaded machine; no test should come near it
DONE = b"data: [DONE]\n\n"
CHAT = {"id": "chatcmpl-1", "object": "chat.completion", "choices": []}


def chunk(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": "gpt-test",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }


def frame(value: object, event: str | None = None) -> bytes:
    """One SSE event: an optional `event:` line, one `data:` line, a blank line."""
    head = b"event: " + event.encode() + b"\n" if event else b""
    return head + b"data: " + orjson.dumps(value) + b"\n\n"


CHUNKS = [chunk(text) for text in ("Hel", "lo", " the", "re", "!")]
FRAMES = [frame(c) for c in CHUNKS]


class Streams:
    """Opens and reads streams with one kind of client, awaiting where the async one needs it."""

    def __init__(self, mode: str, server: TestServer) -> None:
        self.is_async = mode == "async"
        self.server = server
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", self.server.url + "/v1")
        kwargs.setdefault("api_key", "sk-test")
        kwargs.setdefault("timeout", TIMEOUT)
        client = (byot.AsyncClient if self.is_async else byot.Client)(**kwargs)
        self.clients.append(client)
        return client

    async def chat_stream(self, client: Any, **kwargs: Any) -> Any:
        return await self._result(client.chat.completions.create_stream(BODY, **kwargs))

    async def responses_stream(self, client: Any, **kwargs: Any) -> Any:
        return await self._result(client.responses.create_stream(RESPONSE_BODY, **kwargs))

    async def chat(self, client: Any) -> Any:
        """A plain request: it must work after whatever the stream before it did."""
        return await self._result(client.request("POST", "/chat/completions", body=BODY))

    async def next(self, stream: Any) -> Any:
        return await stream.__anext__() if self.is_async else next(stream)

    async def drain(self, stream: Any, into: list[Any] | None = None) -> list[Any]:
        """Every item to the end, inside the stream's context manager; `into` keeps them as
        they arrive, so a test can still see them when the stream then raises."""
        items = [] if into is None else into
        if self.is_async:
            async with stream:
                async for item in stream:
                    items.append(item)
        else:
            with stream:
                items.extend(stream)
        return items

    async def close(self, stream: Any) -> None:
        if self.is_async:
            await stream.aclose()
        else:
            stream.close()

    async def close_clients(self) -> None:
        for client in self.clients:
            if self.is_async:
                await client.aclose()
            else:
                client.close()

    async def _result(self, value: Any) -> Any:
        return await value if self.is_async else value


@pytest.fixture(params=["sync", "async"])
async def streams(request: pytest.FixtureRequest, server: TestServer) -> AsyncIterator[Streams]:
    helper = Streams(request.param, server)
    yield helper
    await helper.close_clients()


def _no_retries_seen() -> tuple[list[byot.RetryEvent], byot.RetryPolicy]:
    """A policy that would retry 5 times, and the list its hook fills."""
    events: list[byot.RetryEvent] = []
    return events, byot.RetryPolicy(max_retries=5, sleep=False, on_retry=events.append)


# -- delivery ---------------------------------------------------------------------------------


async def test_each_event_arrives_before_the_next_is_sent(
    streams: Streams, server: TestServer
) -> None:
    # Lock step: the server sends a part, then waits for the test to see its item before it
    # sends the next. A client that buffered anything would find the server still waiting.
    parts = [*FRAMES, DONE]
    sse = EventStream(parts, delay=0.02, hold=frozenset(range(1, len(parts))), headers=HEADERS)
    server.add(CHAT_PATH, sse)
    client = streams.client()

    stream = await streams.chat_stream(client)
    assert (stream.status_code, stream.request_id) == (200, REQUEST_ID)
    got = []
    for index in range(len(CHUNKS)):
        got.append(await streams.next(stream))
        assert len(sse.sent) == index + 1, "an item came only after later events were sent"
        sse.advance()
    assert await streams.drain(stream) == []  # [DONE]: the end, no item

    assert got == CHUNKS
    assert stream.is_closed
    assert len(sse.sent) == len(parts)
    gaps = [later - earlier for earlier, later in itertools.pairwise(sse.sent)]
    assert min(gaps) >= 0.019  # sent slowly, as the test asked


async def test_events_split_across_chunks_are_put_back_together(
    streams: Streams, server: TestServer
) -> None:
    # CRLF line ends, and every event cut at three places: inside `data:`, inside the JSON and
    # between the CR and the LF of its end, each piece its own HTTP chunk, 20 ms apart.
    wire = b"".join(f.replace(b"\n", b"\r\n") for f in FRAMES) + DONE
    cuts = sorted({i for f in range(len(FRAMES)) for i in _cuts(wire, f)})
    parts = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    sse = EventStream(parts, delay=0.02, headers=HEADERS)
    server.add(CHAT_PATH, sse)
    client = streams.client()

    items = await streams.drain(await streams.chat_stream(client))

    assert items == CHUNKS
    assert len(parts) == 3 * len(FRAMES) + 1
    assert len(sse.sent) == len(parts)


def _cuts(wire: bytes, index: int) -> list[int]:
    """Three cut points in the `index`-th event of `wire` (events end with CRLF CRLF)."""
    start = 0
    for _ in range(index):
        start = wire.index(b"\r\n\r\n", start) + 4
    end = wire.index(b"\r\n\r\n", start)
    return [start + 3, (start + end) // 2, end + 1]


# -- streams that stop early ----------------------------------------------------------------


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
async def test_a_clean_end_without_terminator_is_truncated(
    streams: Streams, server: TestServer, chunked: bool
) -> None:
    # The body ends properly (its last chunk, or the close that delimits it), but [DONE] never
    # came: the answer may be cut, which only the stream's own terminator can tell.
    sse = EventStream(FRAMES[:2], delay=0.02, chunked=chunked, headers=HEADERS)
    server.add(CHAT_PATH, sse)
    retried, policy = _no_retries_seen()
    client = streams.client(retry=policy)

    stream = await streams.chat_stream(client)
    items: list[Any] = []
    with pytest.raises(errors.StreamTruncatedError, match=r"data: \[DONE\]") as caught:
        await streams.drain(stream, items)

    assert items == CHUNKS[:2]  # what came before the end is delivered first
    assert caught.value.request_id == REQUEST_ID
    assert stream.is_closed
    assert len(server.requests) == 1  # a stream that started is never sent again
    assert retried == []


@pytest.mark.parametrize("end", ["reset", "close"], ids=["tcp-reset", "fin-mid-chunked-body"])
async def test_a_connection_lost_mid_stream_is_a_connection_error(
    streams: Streams, server: TestServer, end: str
) -> None:
    # The transport failed: a reset, or a FIN before the chunked body's last chunk (what a
    # crashed server or a dropped proxy connection looks like). The HTTP message is incomplete,
    # so this is the network's failure, typed like every other, not a truncated stream.
    sse = EventStream(FRAMES[:2], delay=0.02, end=end, headers=HEADERS)
    server.add(CHAT_PATH, sse)
    retried, policy = _no_retries_seen()
    client = streams.client(retry=policy)

    stream = await streams.chat_stream(client)
    items: list[Any] = []
    with pytest.raises(errors.APIConnectionError) as caught:
        await streams.drain(stream, items)

    assert type(caught.value) is errors.APIConnectionError  # no timeout, no StreamError
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert (caught.value.method, caught.value.url) == ("POST", server.url + CHAT_PATH)
    assert items == CHUNKS[:2]
    assert stream.is_closed
    assert len(server.requests) == 1  # never re-sent, although connection errors are retried
    assert retried == []


async def test_an_idle_read_timeout_between_events(streams: Streams, server: TestServer) -> None:
    # Two events, then 3 s of silence: the read timeout (0.2 s) fires between events.
    sse = EventStream([*FRAMES, DONE], pause=(2, 3.0), headers=HEADERS)
    server.add(CHAT_PATH, sse)
    retried, policy = _no_retries_seen()
    client = streams.client(timeout=byot.Timeout(5, read=0.2), retry=policy)

    stream = await streams.chat_stream(client)
    items: list[Any] = []
    started = time.monotonic()
    with pytest.raises(errors.APITimeoutError, match="read timeout") as caught:
        await streams.drain(stream, items)
    elapsed = time.monotonic() - started

    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert items == CHUNKS[:2]
    assert 0.15 < elapsed < 2.5  # the timeout, not the end of the silence
    assert stream.is_closed
    assert len(server.requests) == 1
    assert retried == []


# -- errors inside a 200 stream ---------------------------------------------------------------

_CREATED = {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}
# (path, the normal event before the error, the error event, its message, event name, type)
ERROR_SHAPES = {
    "data-error": (
        CHAT_PATH,
        FRAMES[0],
        frame({"error": {"message": "Upstream overloaded", "type": "server_error", "code": 503}}),
        "Upstream overloaded",
        None,
        "server_error",
    ),
    "event-error": (
        CHAT_PATH,
        FRAMES[0],
        frame({"message": "Model crashed", "code": "crash"}, event="error"),
        "Model crashed",
        "error",
        None,
    ),
    "type-error": (
        RESPONSES_PATH,
        frame(_CREATED, event="response.created"),
        # No `event:` line, as some proxies forward it: the `type` alone says it.
        frame({"type": "error", "code": "server_error", "message": "Server had an error"}),
        "Server had an error",
        None,
        None,
    ),
    "vllm-object-error": (
        CHAT_PATH,
        FRAMES[0],
        frame({"object": "error", "message": "Context too long", "type": "BadRequestError"}),
        "Context too long",
        None,
        "BadRequestError",
    ),
    "response-failed": (
        RESPONSES_PATH,
        frame(_CREATED, event="response.created"),
        frame(
            {
                "type": "response.failed",
                "response": {
                    "id": "resp_1",
                    "status": "failed",
                    "error": {"code": "server_error", "message": "The model failed"},
                },
            },
            event="response.failed",
        ),
        "The model failed",
        "response.failed",
        None,
    ),
}


@pytest.mark.parametrize(
    ("path", "before", "error", "message", "event", "kind"),
    list(ERROR_SHAPES.values()),
    ids=list(ERROR_SHAPES),
)
async def test_an_error_inside_the_stream_is_a_stream_error(
    streams: Streams,
    server: TestServer,
    path: str,
    before: bytes,
    error: bytes,
    message: str,
    event: str | None,
    kind: str | None,
) -> None:
    completed = {"type": "response.completed", "response": {"id": "resp_1"}}
    after = FRAMES[1] if path == CHAT_PATH else frame(completed, event="response.completed")
    sse = EventStream([before, error, after, DONE], delay=0.02, headers=HEADERS)
    server.add(path, sse)
    retried, policy = _no_retries_seen()
    client = streams.client(retry=policy)
    open_stream = streams.chat_stream if path == CHAT_PATH else streams.responses_stream

    stream = await open_stream(client)
    items: list[Any] = []
    with pytest.raises(errors.StreamError) as caught:
        await streams.drain(stream, items)

    failure = caught.value
    assert type(failure) is errors.StreamError
    assert failure.request_id == REQUEST_ID
    assert REQUEST_ID in str(failure)
    assert failure.error_message == message
    assert (failure.event, failure.type) == (event, kind)
    assert failure.data == error.split(b"data: ", 1)[1].rstrip(b"\n")
    assert len(items) == 1  # the event before the error, and nothing after it
    assert stream.is_closed
    assert len(server.requests) == 1
    assert retried == []


# -- closing early ----------------------------------------------------------------------------


def _long_stream() -> EventStream:
    """About 4 s of events: a client that did not close would keep it to the end."""
    return EventStream([frame(chunk("x"))] * 200 + [DONE], delay=0.02, headers=HEADERS)


async def _stops_reading(streams: Streams, server: TestServer, how: str) -> None:
    """Read one event, stop `how`, check the server saw the connection go, send again."""
    sse = _long_stream()
    server.add(CHAT_PATH, sse)
    server.add(CHAT_PATH, Json(200, CHAT))
    client = streams.client()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stream = await streams.chat_stream(client)
        if how == "close":
            assert await streams.next(stream) == chunk("x")
            await streams.close(stream)
            assert stream.is_closed
        elif how == "with" and streams.is_async:
            async with stream:
                async for item in stream:
                    assert item == chunk("x")
                    break
            assert stream.is_closed
        elif how == "with":
            with stream:
                for item in stream:
                    assert item == chunk("x")
                    break
            assert stream.is_closed
        else:  # "drop": no close at all, the last reference goes
            assert await streams.next(stream) == chunk("x")
            del stream
        gone = await asyncio.to_thread(sse.done.wait, 5)
        assert gone, "the server is still streaming to a client that left"
        assert sse.outcome == "client gone"
        assert len(sse.sent) < 100
        assert await streams.chat(client) == CHAT  # the pool is fine
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == [], [str(w.message) for w in leaks]
    assert len(server.requests) == 2


@pytest.mark.parametrize("how", ["close", "with"])
async def test_closing_early_releases_the_connection(
    streams: Streams, server: TestServer, how: str
) -> None:
    await _stops_reading(streams, server, how)


async def test_a_dropped_sync_stream_releases_the_connection_at_once(server: TestServer) -> None:
    # Without close(): the stream's last reference goes and CPython frees it, which must
    # release the connection there and then, not when the cycle collector next runs.
    helper = Streams("sync", server)
    gc.disable()
    try:
        await _stops_reading(helper, server, "drop")
    finally:
        gc.enable()
        await helper.close_clients()


async def test_a_stream_iterated_without_a_name_for_it_reads_to_the_end(
    streams: Streams, server: TestServer
) -> None:
    # `for chunk in client.chat.completions.create_stream(...)`: only the iterator is held,
    # and the stream object's own clean-up must not close the response under it.
    server.add(CHAT_PATH, EventStream([*FRAMES, b"data: [DONE]\n\n"]))
    server.add(CHAT_PATH, Json(200, CHAT))
    client = streams.client()
    items: list[Any] = []
    # `for` (unlike `list(...)`) lets go of the stream as soon as it has its iterator.
    if streams.is_async:
        async for item in await client.chat.completions.create_stream(BODY):
            items.append(item)  # noqa: PERF401 - the loop form is what is tested
    else:
        for item in client.chat.completions.create_stream(BODY):
            items.append(item)  # noqa: PERF402 - the loop form is what is tested
    assert items == CHUNKS
    assert await streams.chat(client) == CHAT  # the pool is fine


async def test_a_sync_iterator_dropped_before_its_first_item_releases_the_connection(
    server: TestServer,
) -> None:
    sse = _long_stream()
    server.add(CHAT_PATH, sse)
    helper = Streams("sync", server)
    gc.disable()
    try:
        iterator = iter(helper.client().chat.completions.create_stream(BODY))
        del iterator  # never advanced: the generator's `finally` never ran
        assert await asyncio.to_thread(sse.done.wait, 5)
        assert sse.outcome == "client gone"
    finally:
        gc.enable()
        await helper.close_clients()


async def test_cancelling_an_async_stream_releases_the_connection(server: TestServer) -> None:
    sse = _long_stream()
    server.add(CHAT_PATH, sse)
    server.add(CHAT_PATH, Json(200, CHAT))
    first = asyncio.Event()
    async with byot.AsyncClient(
        base_url=server.url + "/v1", api_key="sk-test", timeout=TIMEOUT
    ) as client:
        stream = await client.chat.completions.create_stream(BODY)

        async def read() -> None:
            async with stream:
                async for _ in stream:
                    first.set()

        task = asyncio.create_task(read())
        await asyncio.wait_for(first.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert stream.is_closed
        assert await asyncio.to_thread(sse.done.wait, 5)
        assert sse.outcome == "client gone"
        assert await client.request("POST", "/chat/completions", body=BODY) == CHAT


@pytest.mark.parametrize("terminator", ["done", "terminal-event"])
async def test_the_terminator_ends_the_stream_at_once(
    streams: Streams, server: TestServer, terminator: str
) -> None:
    # The server keeps the body open after the terminator (a trailing comment 5 s later): the
    # stream ends on the terminator, without waiting for the end of the body.
    if terminator == "done":
        parts = [*FRAMES[:2], DONE]
        open_stream = streams.chat_stream
    else:
        completed = {"type": "response.completed", "response": {"id": "resp_1"}}
        parts = [frame(_CREATED, "response.created"), frame(completed, "response.completed")]
        open_stream = streams.responses_stream
    sse = EventStream([*parts, b": still here\n\n"], pause=(len(parts), 5.0), headers=HEADERS)
    server.add(CHAT_PATH if terminator == "done" else RESPONSES_PATH, sse)
    server.add(CHAT_PATH, Json(200, CHAT))
    client = streams.client()

    started = time.monotonic()
    stream = await open_stream(client)
    items = await streams.drain(stream)
    elapsed = time.monotonic() - started

    assert len(items) == 2
    assert elapsed < 2.5  # not the 5 s until the body would go on
    assert stream.is_closed
    assert await streams.chat(client) == CHAT  # on a new connection: the old one was cut


# -- retries ----------------------------------------------------------------------------------

ESTABLISHMENT_FAILURES: dict[str, Callable[[], Any]] = {
    "500": lambda: Json(500, {"error": {"message": "boom", "type": "server_error"}}),
    "429": lambda: Json(429, {"error": {"message": "slow down"}}, {"retry-after-ms": "10"}),
    "reset-before-headers": lambda: Reset("before"),
}


@pytest.mark.parametrize("failure", list(ESTABLISHMENT_FAILURES))
async def test_establishing_a_stream_is_retried(
    streams: Streams, server: TestServer, failure: str
) -> None:
    sse = EventStream([*FRAMES, DONE], delay=0.02, headers=HEADERS)
    server.add(CHAT_PATH, ESTABLISHMENT_FAILURES[failure](), sse)
    retried, policy = _no_retries_seen()
    client = streams.client(retry=policy)

    items = await streams.drain(await streams.chat_stream(client))

    assert items == CHUNKS
    first, second = server.requests
    assert first.body == second.body
    assert second.json() == {**BODY, "stream": True}
    assert len(retried) == 1
