"""Bodies are replayable: every attempt of a call sends the same bytes.

A bytes body is reused as it is; a body factory (the shape multipart uploads take) is called
again for every attempt, so a retry never sends a half-consumed stream.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import httpx

import byot
from byot._decode import decoder_for
from byot._settings import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from tests.conftest import Both


class Streamed:
    """A replayable body that counts its passes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.passes = 0

    def __iter__(self) -> Iterator[bytes]:
        self.passes += 1
        yield self.data[:5]
        yield self.data[5:]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


def test_streamed_body_is_iterated_afresh_for_each_request() -> None:
    settings = Settings.create({"api_key": "sk-x", "base_url": "http://h/v1", "timeout": 10.0})
    body = Streamed(b'{"part": 1}')
    prepared = settings.prepare("POST", "/uploads", None, encoder=None, options={})
    prepared = dataclasses.replace(prepared, content=body)
    first = prepared.request(prepared.timeout_for(None))
    second = prepared.request(prepared.timeout_for(None))
    assert first.read() == second.read() == b'{"part": 1}'
    assert body.passes == 2


def test_retried_call_resends_identical_body(both: Both) -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        if len(seen) < 3:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(200, json={"ok": True})

    body = Streamed(b'{"file": "abc"}')
    client = both.client(handler, retry=byot.RetryPolicy(sleep=False))
    prepared = client._settings.prepare("POST", "/files", None, encoder=None, options={})
    prepared = dataclasses.replace(prepared, content=body)
    decode, target = decoder_for(None, None)
    result = both.run(client._send(prepared, decode, target, raw=False))
    assert result == {"ok": True}
    assert seen == [b'{"file": "abc"}'] * 3
    assert body.passes == 3
