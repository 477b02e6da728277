"""Calls and streams that end early: cancelled at each await point, or simply dropped.

Whatever ends them, the connection goes back to the pool (or is closed) and the client keeps
working; the `faults` fixture checks the pool and the server afterwards, as for every fault.
"""

from __future__ import annotations

import asyncio
import gc
from typing import TYPE_CHECKING, Any

import anyio
import pytest

import byot
from tests.e2e.server import EventStream, Json
from tests.faults.conftest import busy_connections
from tests.faults.server import Raw, Silence

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from tests.faults.conftest import Faults
    from tests.faults.server import FaultServer

pytestmark = pytest.mark.anyio

PATH = "/v1/things"
CHAT = "/v1/chat/completions"
OK = {"ok": True}
CHAT_BODY = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
EVENT = b'data: {"choices": [{"index": 0, "delta": {"content": "x"}}]}\n\n'
STREAM_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
)
FIRST_EVENT = b"%x\r\n%s\r\n" % (len(EVENT), EVENT)
HANG = 30.0


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the loop until `condition()` holds (the test's own timeout bounds it)."""
    while not condition():  # noqa: ASYNC110 - the server's thread signals no event
        await anyio.sleep(0.005)


async def _request(client: byot.AsyncClient) -> Any:
    return await client.request("GET", "/things")


async def _stream_open(client: byot.AsyncClient) -> Any:
    return await client.chat.completions.create_stream(CHAT_BODY)


async def _stream_next(client: byot.AsyncClient) -> Any:
    async with await client.chat.completions.create_stream(CHAT_BODY) as stream:
        return [item async for item in stream]


POINTS: dict[str, tuple[str, Any, Callable[[byot.AsyncClient], Coroutine[Any, Any, Any]]]] = {
    "waiting-for-headers": (PATH, Silence(HANG, Json(200, OK)), _request),
    "reading-the-body": (
        PATH,
        Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{", end="hang"),
        _request,
    ),
    "retry-wait": (PATH, Json(429, {}, {"retry-after": "30"}), _request),
    "opening-a-stream": (CHAT, Silence(HANG, Json(200, OK)), _stream_open),
    "first-event": (CHAT, Raw(STREAM_HEAD, end="hang"), _stream_next),
    "between-events": (CHAT, Raw(STREAM_HEAD + FIRST_EVENT, end="hang"), _stream_next),
}


@pytest.mark.parametrize("point", list(POINTS))
async def test_cancelling_an_async_call_at_each_await_point(
    server: FaultServer, point: str
) -> None:
    path, behaviour, call = POINTS[point]
    server.add(path, behaviour)
    server.always(PATH, Json(200, OK))
    client = byot.AsyncClient(base_url=server.url + "/v1", api_key="k", max_retries=1)

    task = asyncio.create_task(call(client))
    await until(lambda: len(server.requests) == 1)
    await anyio.sleep(0.05)  # let the client reach the await point past the request
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert busy_connections(client) == 0
    assert await client.request("GET", "/things") == OK  # the client still works
    assert len(server.requests) == 2  # the cancelled call was not retried
    await client.aclose()
    assert server.wait_drained() == 0


async def test_a_sync_stream_abandoned_without_close(faults: Faults, server: FaultServer) -> None:
    server.add(CHAT, EventStream([EVENT, EVENT, b"data: [DONE]\n\n"], hold=frozenset({1})))
    server.add(CHAT, EventStream([EVENT, b"data: [DONE]\n\n"], hold=frozenset({0})))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    if faults.is_async:
        await anext(stream)
    else:
        next(stream)
    del stream  # read in part, never closed
    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    del stream  # never read
    gc.collect()
    await anyio.sleep(0.05)  # the async close is a task of the loop

    assert busy_connections(client) == 0


async def test_a_binary_stream_dropped_unread(faults: Faults, server: FaultServer) -> None:
    server.add(
        "/v1/files/f/content", Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nab", "hang")
    )
    client = faults.client()

    stream = await faults.result(client.files.content_chunks("f"))
    assert stream.status_code == 200
    del stream
    gc.collect()
    await anyio.sleep(0.05)

    assert busy_connections(client) == 0


def test_an_async_stream_dropped_after_its_loop_ended(server: FaultServer) -> None:
    """With no loop left to close it, a dropped async stream is let go quietly."""
    server.add(CHAT, Raw(STREAM_HEAD + FIRST_EVENT, end="hang"))
    client = byot.AsyncClient(base_url=server.url + "/v1", api_key="k")
    loop = asyncio.new_event_loop()
    stream = loop.run_until_complete(client.chat.completions.create_stream(CHAT_BODY))

    del stream  # no loop is running: nothing can await the close
    gc.collect()

    assert busy_connections(client) > 0  # held until the client closes
    loop.run_until_complete(client.aclose())
    loop.close()
    assert server.wait_drained() == 0
