"""Streams against llmock, a third-party server that answers like a real model server.

llmock streams chat completions as OpenAI does (a role chunk, content chunks, a finish chunk,
a usage chunk, `data: [DONE]`) and Responses as a real event sequence (`response.created` ...
`response.output_text.delta` ... `response.completed`). Its scenarios script the reply's text
and inject faults: a stream ended cleanly but early (truncate), a chunk that is not JSON
(malformed), a dropped connection (disconnect), a 429 with `Retry-After`. Its verdict then
judges how the client coped. Every test runs with both clients; the server is reset first.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot
from byot import errors

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.anyio

TEXT = "Hello from llmock, streamed in pieces."
MODEL = "gpt-4o-mini"
CHAT_BODY = {
    "model": MODEL,
    "messages": [{"role": "user", "content": "Say hello"}],
    "stream_options": {"include_usage": True},
}
RESPONSE_BODY = {"model": MODEL, "input": "Say hello"}
TIMEOUT = byot.Timeout(10)
CONTROL_TIMEOUT = 10.0


def control(llmock: str, method: str, path: str, **kwargs: Any) -> Any:
    """A call to llmock's control API (`/_llmock/...`)."""
    response = httpx.request(method, f"{llmock}/_llmock/{path}", timeout=CONTROL_TIMEOUT, **kwargs)
    response.raise_for_status()
    return response.json()


def script(llmock: str, *behaviors: dict[str, Any]) -> None:
    """Queue behaviours for the next requests, in order."""
    control(llmock, "POST", "scenario", json={"behaviors": list(behaviors)})


def reply(text: str = TEXT) -> dict[str, Any]:
    return {"type": "reply", "text": text}


def fault(kind: str, after_chunks: int = 2) -> dict[str, Any]:
    """Break the next stream after `after_chunks` events have gone out."""
    return {"type": "stream_fault", "kind": kind, "after_chunks": after_chunks}


def served(llmock: str) -> list[dict[str, Any]]:
    """The requests llmock answered since the reset (it waits for those still running)."""
    requests: list[dict[str, Any]] = control(llmock, "GET", "requests")["requests"]
    return requests


class Streams:
    """One kind of client against llmock, awaited where the async one needs it."""

    def __init__(self, mode: str, llmock: str) -> None:
        self.is_async = mode == "async"
        self.llmock = llmock
        self.clients: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        kwargs.setdefault("retry", byot.RetryPolicy(sleep=False))
        cls = byot.AsyncClient if self.is_async else byot.Client
        client = cls(base_url=self.llmock + "/v1", api_key="sk-test", timeout=TIMEOUT, **kwargs)
        self.clients.append(client)
        return client

    async def chat(self, client: Any) -> Any:
        return await self._result(client.chat.completions.create_stream(CHAT_BODY))

    async def responses(self, client: Any) -> Any:
        return await self._result(client.responses.create_stream(RESPONSE_BODY))

    async def drain(self, stream: Any, into: list[Any] | None = None) -> list[Any]:
        """Every item, inside the stream's context manager; `into` keeps them as they come."""
        items = [] if into is None else into
        if self.is_async:
            async with stream:
                async for item in stream:
                    items.append(item)
        else:
            with stream:
                items.extend(stream)
        return items

    async def final(self, stream: Any) -> dict[str, Any]:
        return dict(await self._result(stream.final()))

    async def close_clients(self) -> None:
        for client in self.clients:
            if self.is_async:
                await client.aclose()
            else:
                client.close()

    async def _result(self, value: Any) -> Any:
        return await value if self.is_async else value


@pytest.fixture(params=["sync", "async"])
async def streams(request: pytest.FixtureRequest, llmock: str) -> AsyncIterator[Streams]:
    control(llmock, "POST", "reset")
    helper = Streams(request.param, llmock)
    yield helper
    await helper.close_clients()


def _content(chunk: dict[str, Any]) -> str:
    choices = chunk["choices"]
    return (choices[0]["delta"].get("content") or "") if choices else ""


async def test_chat_stream_yields_chunks_that_make_the_reply(streams: Streams) -> None:
    script(streams.llmock, reply())
    client = streams.client()

    stream = await streams.chat(client)
    chunks = await streams.drain(stream)
    completion = await streams.final(stream)  # the stream is read: it merges what came

    assert all(type(chunk) is dict for chunk in chunks)
    assert {chunk["object"] for chunk in chunks} == {"chat.completion.chunk"}
    assert len(chunks) > 3  # a real stream, not one event
    assert "".join(_content(chunk) for chunk in chunks) == TEXT
    usage = chunks[-1]["usage"]  # asked for with stream_options.include_usage
    assert usage["completion_tokens"] > 0
    assert completion["object"] == "chat.completion"
    assert completion["id"] == chunks[0]["id"]
    (choice,) = completion["choices"]
    assert choice["message"]["role"] == "assistant"
    assert choice["message"]["content"] == TEXT
    assert choice["finish_reason"] == "stop"
    assert completion["usage"] == usage


async def test_final_reads_the_rest_of_a_chat_stream(streams: Streams) -> None:
    script(streams.llmock, reply())
    client = streams.client()

    completion = await streams.final(await streams.chat(client))

    assert completion["choices"][0]["message"]["content"] == TEXT
    assert completion["usage"]["total_tokens"] > 0


async def test_responses_stream_yields_named_events_to_completed(streams: Streams) -> None:
    script(streams.llmock, reply())
    client = streams.client()

    stream = await streams.responses(client)
    events = await streams.drain(stream)
    response = await streams.final(stream)

    names = [name for name, _ in events]
    assert all(name == event["type"] for name, event in events)
    assert names[0] == "response.created"
    assert names[-1] == "response.completed"
    assert "response.output_text.delta" in names
    deltas = [event["delta"] for name, event in events if name == "response.output_text.delta"]
    assert "".join(deltas) == TEXT
    assert response["output_text"] == TEXT
    assert response["status"] == "completed"
    assert response["id"] == events[0][1]["response"]["id"]


async def test_truncated_stream_is_a_truncated_error(streams: Streams) -> None:
    # llmock ends the HTTP response cleanly after two events: no finish reason, no [DONE].
    script(streams.llmock, reply(), fault("truncate"))
    client = streams.client()

    stream = await streams.chat(client)
    chunks: list[Any] = []
    with pytest.raises(errors.StreamTruncatedError, match=r"data: \[DONE\]"):
        await streams.drain(stream, chunks)

    assert len(chunks) == 2
    assert stream.is_closed
    (record,) = served(streams.llmock)  # a stream that started is never sent again
    assert record["fault"] == "stream:truncate@2"


async def test_malformed_chunk_is_a_decode_error(streams: Streams) -> None:
    script(streams.llmock, reply(), fault("malformed"))
    client = streams.client()

    stream = await streams.chat(client)
    chunks: list[Any] = []
    with pytest.raises(errors.DecodeError, match="not JSON") as caught:
        await streams.drain(stream, chunks)

    assert len(chunks) == 2
    assert caught.value.raw.startswith(b'{"id":"chatcmpl-')  # the event cut in half
    assert stream.is_closed
    (record,) = served(streams.llmock)
    assert record["fault"] == "stream:malformed@2"


async def test_disconnect_is_a_connection_error(streams: Streams) -> None:
    # llmock's app stops mid-response and uvicorn closes the connection before the chunked
    # body's end: the HTTP message is incomplete, a failure of the connection.
    script(streams.llmock, reply(), fault("disconnect"))
    client = streams.client(retry=byot.RetryPolicy(max_retries=5, sleep=False))

    stream = await streams.chat(client)
    chunks: list[Any] = []
    with pytest.raises(errors.APIConnectionError) as caught:
        await streams.drain(stream, chunks)

    assert type(caught.value) is errors.APIConnectionError
    assert isinstance(caught.value.__cause__, httpx.TransportError)
    assert len(chunks) == 2
    assert stream.is_closed
    (record,) = served(streams.llmock)  # connection errors are retried, started streams never
    assert record["fault"] == "stream:disconnect@2"


async def test_429_is_retried_after_the_wait_it_asks_for(streams: Streams) -> None:
    script(streams.llmock, {"type": "fail", "status": 429, "retry_after": 0.3}, reply())
    retries: list[byot.RetryEvent] = []
    client = streams.client(retry=byot.RetryPolicy(on_retry=retries.append))  # real sleeps

    started = time.monotonic()
    stream = await streams.chat(client)
    elapsed = time.monotonic() - started
    chunks = await streams.drain(stream)

    assert "".join(_content(chunk) for chunk in chunks) == TEXT
    (retry,) = retries
    assert isinstance(retry.error, errors.RateLimitError)
    assert retry.delay == pytest.approx(0.3)
    assert elapsed >= 0.3
    assert [request["status"] for request in served(streams.llmock)] == [429, 200]
    verdict = control(streams.llmock, "GET", "verdict")
    assert verdict["passed"], verdict
    assert verdict["findings"] == []
    assert (verdict["calls"], verdict["attempts"]) == (1, 2)
