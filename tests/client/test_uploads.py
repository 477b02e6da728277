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
