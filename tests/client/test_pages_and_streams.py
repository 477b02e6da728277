"""`*_pages` / `*_items` follow cursors lazily; `*_chunks` reads binary answers as they come."""

from __future__ import annotations

import dataclasses
import gzip
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Both

PAGES = [
    {"object": "list", "data": [{"id": "f1"}, {"id": "f2"}], "has_more": True, "last_id": "f2"},
    {"object": "list", "data": [{"id": "f3"}], "has_more": False, "last_id": "f3"},
]


@dataclasses.dataclass
class File:
    id: str
    bytes: int | None = None


@dataclasses.dataclass
class Page:
    data: list[File]
    has_more: bool


def _pager(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=PAGES[len(seen) - 1])

    return httpx.MockTransport(handler)


def _collect(both: Both, iterable: Any) -> list[Any]:
    if both.is_async:

        async def gather() -> list[Any]:
            return [item async for item in iterable]

        return list(both.run(gather()))
    return list(iterable)


def test_items_follow_the_cursor(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(transport=_pager(seen))
    items = _collect(both, client.files.list_items(limit=2, purpose="batch"))
    assert [item["id"] for item in items] == ["f1", "f2", "f3"]
    assert [str(r.url) for r in seen] == [
        "http://test.local/v1/files?purpose=batch&limit=2",
        "http://test.local/v1/files?purpose=batch&limit=2&after=f2",
    ]


def test_items_in_the_callers_type(both: Both) -> None:
    client = both.client(transport=_pager([]))
    items = _collect(both, client.files.list_items(item_type=File))
    assert items == [File("f1"), File("f2"), File("f3")]


def test_items_that_do_not_fit_the_type_name_the_path(both: Both) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"data": [{"id": 5}], "has_more": False})

    client = both.client(handler)
    with pytest.raises(byot.errors.DecodeError, match=r"\$\.id: expected a string") as info:
        _collect(both, client.files.list_items(item_type=File))
    assert info.value.raw == b'{"id":5}'


def test_pages_are_fetched_as_iteration_reaches_them(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(transport=_pager(seen))
    pages = client.files.list_pages(limit=2)
    assert seen == []  # nothing is sent before iteration starts
    collected = _collect(both, pages)
    assert collected == PAGES
    assert len(seen) == 2


def test_pages_in_the_callers_type(both: Both) -> None:
    client = both.client(transport=_pager([]))
    pages = _collect(both, client.files.list_pages(response_type=Page))
    assert pages == [
        Page([File("f1"), File("f2")], has_more=True),
        Page([File("f3")], has_more=False),
    ]


def test_paginated_path_parameters_are_kept_on_every_page(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(transport=_pager(seen))
    _collect(both, client.vector_stores.files.list_items("vs_1"))
    assert [r.url.path for r in seen] == ["/v1/vector_stores/vs_1/files"] * 2


BODY = bytes(range(256)) * 1024


def _binary(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/missing/content"):
        return httpx.Response(404, json={"error": {"message": "No such file"}})
    headers = {"x-request-id": "req_bin", "content-encoding": "gzip"}
    return httpx.Response(200, content=gzip.compress(BODY), headers=headers)


def test_binary_method_returns_the_bytes(both: Both) -> None:
    client = both.client(_binary)
    assert both.call(client.files.content, "file-1") == BODY


def test_stream_reads_in_chunks_and_writes_to_a_file(both: Both, tmp_path: Path) -> None:
    client = both.client(_binary)
    stream = both.call(client.files.content_chunks, "file-1")
    assert stream.status_code == 200
    assert stream.request_id == "req_bin"
    assert stream.headers["content-encoding"] == "gzip"
    assert "req_bin" in repr(stream)
    target = tmp_path / "out.bin"
    written = both.run(stream.write_to(target))
    assert written == len(BODY)
    assert target.read_bytes() == BODY
    assert stream.is_closed


def test_stream_read_and_chunks(both: Both) -> None:
    client = both.client(_binary)
    stream = both.call(client.files.content_chunks, "file-1")
    assert both.run(stream.read()) == BODY
    stream = both.call(client.files.content_chunks, "file-1")
    if both.is_async:

        async def chunks() -> list[bytes]:
            async with stream as opened:
                return [c async for c in opened.aiter_bytes(4096)]

        parts = both.run(chunks())
    else:
        with stream as opened:
            parts = list(opened.iter_bytes(4096))
    assert b"".join(parts) == BODY
    assert max(len(p) for p in parts) <= 4096
    assert stream.is_closed


def test_stream_error_status_is_raised_before_reading(both: Both) -> None:
    client = both.client(_binary, max_retries=0)
    with pytest.raises(byot.errors.NotFoundError, match="No such file"):
        both.call(client.files.content_chunks, "missing")


def test_stream_establishment_is_retried(both: Both) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        if len(calls) == 2:
            return httpx.Response(503, json={"error": {"message": "busy"}})
        return httpx.Response(200, content=b"audio")

    client = both.client(handler, retry=byot.RetryPolicy(sleep=False))
    stream = both.call(client.audio.speech.create_chunks, {"model": "tts-1", "input": "hi"})
    assert both.run(stream.read()) == b"audio"
    assert len(calls) == 3


def test_stream_closed_early_releases_the_response(both: Both) -> None:
    client = both.client(_binary)
    stream = both.call(client.files.content_chunks, "file-1")
    both.run(stream.aclose() if both.is_async else stream.close())
    assert stream.is_closed
