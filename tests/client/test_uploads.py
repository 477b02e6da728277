"""Multipart uploads through the clients: streamed from disk, replayed identically on retry."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import httpx
import pytest

import byot

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Both


class OneWayStream(io.RawIOBase):
    """A pipe-like body: readable once, not seekable."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_file_from_disk_is_replayed_byte_identical(both: Both, tmp_path: Path) -> None:
    upload = tmp_path / "train.jsonl"
    upload.write_bytes(b'{"messages": []}\n' * 5000)
    bodies: list[bytes] = []
    lengths: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        lengths.append(request.headers.get("content-length"))
        if len(bodies) < 3:
            return httpx.Response(502, text="bad gateway")
        return httpx.Response(200, json={"id": "file-1", "object": "file"})

    client = both.client(handler, retry=byot.RetryPolicy(sleep=False))
    result = both.call(client.files.create, {"file": upload, "purpose": "fine-tune"})
    assert result == {"id": "file-1", "object": "file"}
    assert len(bodies) == 3
    assert bodies[0] == bodies[1] == bodies[2]
    assert b'filename="train.jsonl"' in bodies[0]
    assert lengths == [str(len(bodies[0]))] * 3


def test_a_one_way_stream_is_sent_chunked_once(both: Both) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(200, json={"id": "file-2"})

    client = both.client(handler)
    stream = ("data.jsonl", OneWayStream(b"line\n" * 100), "application/jsonl")
    assert both.call(client.files.create, {"file": stream, "purpose": "batch"}) == {"id": "file-2"}
    assert "content-length" not in seen[0].headers
    assert seen[0].headers["transfer-encoding"] == "chunked"


def test_a_one_way_stream_cannot_be_retried_silently(both: Both) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        return httpx.Response(503, json={"error": {"message": "busy"}})

    client = both.client(handler, retry=byot.RetryPolicy(sleep=False))
    stream = ("data.jsonl", OneWayStream(b"line\n"), "application/jsonl")
    with pytest.raises(RuntimeError, match="can be sent only once; pass bytes or a path"):
        both.call(client.files.create, {"file": stream, "purpose": "batch"})


def test_typed_parts_follow_the_spec_encoding(both: Both) -> None:
    """`realtime.calls.create` sends `sdp` as application/sdp and `session` as one JSON part."""
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.read())
        return httpx.Response(200, text="v=0", headers={"content-type": "application/sdp"})

    client = both.client(handler)
    session = {"type": "realtime", "model": "gpt-realtime"}
    answer = both.call(client.realtime.calls.create, {"sdp": "v=0\r\n", "session": session})
    assert answer == "v=0"
    body = bodies[0]
    assert b'name="sdp"\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n' in body
    assert (
        b'name="session"\r\nContent-Type: application/json\r\n\r\n'
        b'{"type":"realtime","model":"gpt-realtime"}\r\n'
    ) in body
    assert b"filename=" not in body
    assert b"session[" not in body

    # Bytes, and a part the caller built, are sent as given.
    both.call(
        client.realtime.calls.create,
        {"sdp": b"v=1", "session": ("s.json", b'{"a":1}', "application/json")},
    )
    assert b'name="sdp"\r\nContent-Type: application/sdp\r\n\r\nv=1\r\n' in bodies[1]
    assert b'name="session"; filename="s.json"' in bodies[1]
