"""Bodies are replayable: every attempt of a call sends the same bytes.

A bytes body is reused as it is; a body factory (the shape multipart uploads take) is called
again for every attempt, so a retry never sends a half-consumed stream.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import httpx

import byot
from byot import _core

if TYPE_CHECKING:
    from tests.conftest import Both


def test_factory_body_is_rebuilt_for_each_request() -> None:
    calls: list[int] = []

    def factory() -> bytes:
        calls.append(1)
        return b'{"part": 1}'

    settings = _core.Settings.create(
        config=None,
        api_key="sk-x",
        base_url="http://h/v1",
        organization=None,
        project=None,
        default_headers=None,
        default_query=None,
        timeout=10.0,
        retry=None,
        max_retries=None,
    )
    prepared = settings.prepare("POST", "/uploads", {"x": 1}, encoder=None, options={})
    prepared = dataclasses.replace(prepared, content=factory)
    first = prepared.request(prepared.timeout_for(None))
    second = prepared.request(prepared.timeout_for(None))
    assert first.read() == second.read() == b'{"part": 1}'
    assert len(calls) == 2


def test_retried_call_resends_identical_body(both: Both) -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        if len(seen) < 3:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(200, json={"ok": True})

    built: list[int] = []

    def factory() -> bytes:
        built.append(1)
        return b'{"file": "abc"}'

    client = both.client(handler, retry=byot.RetryPolicy(sleep=False))
    prepared = client._settings.prepare("POST", "/files", None, encoder=None, options={})
    prepared = dataclasses.replace(prepared, content=factory)
    decode, target = _core.decoder_for(None, None)
    result = both.run(client._send(prepared, decode, target, raw=False))
    assert result == {"ok": True}
    assert seen == [b'{"file": "abc"}'] * 3
    assert len(built) == 3
