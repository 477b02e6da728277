"""Async `*_stream` and `*_chunks` methods: `async with` directly, or `await` first (issue 16).

`async with client.chat.completions.create_stream(body) as stream:` reads like httpx; the
`await` form (and `async with await ...`) keeps working. Nothing is sent before either, and the
stream is closed on the way out of the block, also when the block raises.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot
from byot.errors import APIStatusError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
EVENTS = b'data: {"n": 1}\n\ndata: {"n": 2}\n\ndata: [DONE]\n\n'


class Body(httpx.AsyncByteStream):
    """A response body that records whether the client closed it."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.content

    async def aclose(self) -> None:
        self.closed = True


class Server:
    """A MockTransport handler: event streams for chat, bytes for file content."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[Body] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        events = request.url.path.endswith("/chat/completions")
        body = Body(EVENTS if events else b"file bytes")
        self.bodies.append(body)
        kind = "text/event-stream" if events else "application/octet-stream"
        return httpx.Response(self.status, stream=body, headers={"content-type": kind})


def run(server: Server, use: Any) -> Any:
    async def main() -> Any:
        transport = httpx.MockTransport(server)
        client = byot.AsyncClient(
            base_url="https://api.test/v1", api_key="k", transport=transport, max_retries=0
        )
        async with client:
            return await use(client)

    return asyncio.run(main())


def test_async_with_directly_opens_reads_and_closes_the_stream() -> None:
    server = Server()

    async def use(client: byot.AsyncClient) -> list[Any]:
        async with client.chat.completions.create_stream(CHAT) as stream:
            assert isinstance(stream, byot.AsyncStream)
            assert not server.bodies[0].closed
            return [chunk async for chunk in stream]

    assert run(server, use) == [{"n": 1}, {"n": 2}]
    assert server.bodies[0].closed


def test_await_still_gives_the_stream_and_async_with_await_still_works() -> None:
    server = Server()

    async def use(client: byot.AsyncClient) -> list[Any]:
        stream = await client.chat.completions.create_stream(CHAT)
        assert isinstance(stream, byot.AsyncStream)
        first = [chunk async for chunk in stream]
        async with await client.chat.completions.create_stream(CHAT) as again:
            second = [chunk async for chunk in again]
        return [first, second]

    assert run(server, use) == [[{"n": 1}, {"n": 2}]] * 2
    assert [body.closed for body in server.bodies] == [True, True]


def test_nothing_is_sent_before_the_stream_is_awaited_or_entered() -> None:
    server = Server()

    async def use(client: byot.AsyncClient) -> int:
        opening = client.chat.completions.create_stream(CHAT)
        assert server.bodies == []
        async with opening as stream:
            return len([chunk async for chunk in stream])

    assert run(server, use) == 2
    assert len(server.bodies) == 1


def test_the_stream_is_closed_when_the_block_raises() -> None:
    server = Server()

    async def use(client: byot.AsyncClient) -> None:
        async with client.chat.completions.create_stream(CHAT) as stream:
            async for _ in stream:
                raise KeyError("the caller's own error")

    with pytest.raises(KeyError, match="the caller's own error"):
        run(server, use)
    assert server.bodies[0].closed


def test_an_error_answer_raises_from_async_with() -> None:
    server = Server(status=500)

    async def use(client: byot.AsyncClient) -> None:
        async with client.chat.completions.create_stream(CHAT):
            pytest.fail("the block must not run")

    with pytest.raises(APIStatusError) as info:
        run(server, use)
    assert info.value.status_code == 500


def test_binary_chunks_both_ways() -> None:
    server = Server()

    async def use(client: byot.AsyncClient) -> list[bytes]:
        async with client.files.content_chunks("file-1") as chunks:
            assert isinstance(chunks, byot.AsyncBinaryStream)
            direct = await chunks.read()
        awaited = await client.files.content_chunks("file-1")
        async with awaited:
            return [direct, await awaited.read()]

    assert run(server, use) == [b"file bytes", b"file bytes"]
    assert [body.closed for body in server.bodies] == [True, True]
