"""Every streaming operation's `*_stream` method, on both clients.

Each sets its own stream flag where the operation takes it (JSON body, form field or query),
asks for `text/event-stream`, and turns the answer into one item per event: bare values for
the "data" framing, `(event name, value)` pairs where the wire names its events, and ends at
the operation's terminator.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

from byot.resources._endpoints import ENDPOINTS

if TYPE_CHECKING:
    from byot._endpoint import Endpoint
    from tests.conftest import Both

STREAMING = sorted(op for op, e in ENDPOINTS.items() if e.stream)


def _wire(endpoint: Endpoint) -> tuple[bytes, list[Any]]:
    """A stream in the operation's framing, and the items the caller must get from it."""
    info = endpoint.stream or {}
    framing = info["framing"]
    last = (info["terminal"] or ["thread.run.completed"])[0]
    values = [{"type": "delta", "n": 1}, {"type": last, "n": 2}]
    if framing == "data":
        body = b"".join(b"data: " + orjson.dumps(v) + b"\n\n" for v in values)
        expected: list[Any] = values
    else:
        body = b"".join(
            b"event: " + v["type"].encode() + b"\ndata: " + orjson.dumps(v) + b"\n\n"
            for v in values
        )
        expected = [(v["type"], v) for v in values]
    if info["done"]:
        body += b"data: [DONE]\n\n"
    return body + b'data: {"after": "the end"}\n\n' * bool(info["terminal"]), expected


@pytest.mark.parametrize("operation_id", STREAMING)
def test_stream(both: Both, operation_id: str) -> None:
    endpoint = ENDPOINTS[operation_id]
    wire, expected = _wire(endpoint)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=wire, headers={"content-type": "text/event-stream"})

    client = both.client(handler)
    method = functools.reduce(getattr, f"{endpoint.name}_stream".split("."), client)
    args: list[Any] = [f"id-{p}" for p in re.findall(r"\{(\w+)\}", endpoint.path)]
    if endpoint.body == "json":
        args.append({"model": "m"})
    elif endpoint.body == "multipart":
        args.append({"model": "m", "file": b"data"})
    stream = both.call(method, *args)
    if both.is_async:

        async def drain() -> list[Any]:
            return [item async for item in stream]

        items = both.run(drain())
    else:
        items = list(stream)
    assert items == expected
    request = seen[0]
    assert request.method == endpoint.method
    assert request.headers["accept"] == "text/event-stream"
    info = endpoint.stream or {}
    name, _, value = info["flag"].partition("=")
    if info["in"] == "query":
        assert request.url.params[name] == "true"
    elif endpoint.body == "multipart":
        assert f'name="{name}"\r\n\r\ntrue\r\n'.encode() in request.read()
    else:
        assert orjson.loads(request.read())[name] == (value or True)
