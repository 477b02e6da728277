"""`byot._pool`'s parts that need no socket: errors as httpx's, headers, the URL cache."""

from __future__ import annotations

import httpcore
import httpx
import pytest

from byot import _pool
from byot._pool import PoolResponse

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpcore.ReadTimeout("slow"), httpx.ReadTimeout),  # the most specific, not the base
        (httpcore.ConnectError("refused"), httpx.ConnectError),
        (httpcore.RemoteProtocolError("cut"), httpx.RemoteProtocolError),
        (httpcore.PoolTimeout("busy"), httpx.PoolTimeout),
    ],
)
def test_httpcore_errors_become_httpx_errors(raised: Exception, expected: type) -> None:
    with pytest.raises(expected, match=str(raised)) as caught, _pool._AS_HTTPX:
        raise raised
    assert type(caught.value) is expected
    assert caught.value.__cause__ is raised


def test_other_errors_pass_through() -> None:
    with pytest.raises(ValueError, match="own") as caught, _pool._AS_HTTPX:
        raise ValueError("own")
    assert caught.value.__cause__ is None


async def test_a_response_reads_its_body_and_headers_once_built() -> None:
    headers = [
        (b"Content-Encoding", b"gzip"),
        (b"X-Request-Id", b"req-1"),
        (b"content-encoding", b"br"),
    ]
    response = PoolResponse(httpcore.Response(201, headers=headers, content=b"body"))

    assert response.status_code == 201
    assert response.content_encoding == "gzip, br"  # as httpx joins a repeated header
    built = response.headers
    assert built is response.headers  # built once
    assert built["x-request-id"] == "req-1"
    assert b"".join(response.iter_raw()) == b"body"
    response.close()
    again = PoolResponse(httpcore.Response(200, content=b"more"))
    assert again.content_encoding is None
    assert [chunk async for chunk in again.aiter_raw()] == [b"more"]
    await again.aclose()


def test_targets_are_kept_per_url_object() -> None:
    targets = _pool._Targets()
    url = httpx.URL("http://127.0.0.1:8000/v1/chat/completions?x=1")
    target, host = targets.get(url)
    assert (target.scheme, target.host, target.port, target.target) == (
        b"http",
        b"127.0.0.1",
        8000,
        b"/v1/chat/completions?x=1",
    )
    assert host == b"127.0.0.1:8000"
    assert targets.get(url)[0] is target  # cached
    assert targets.get(httpx.URL(str(url)))[0] is not target  # another object: its own entry
    urls = [httpx.URL(f"https://example.com/{n}") for n in range(_pool._CACHE_SIZE + 1)]
    for each in urls:
        targets.get(each)
    assert len(targets._entries) < 10  # full once: emptied, then filled again
    assert targets.get(urls[0])[1] == b"example.com"


def test_only_httpx_s_own_method_counts_as_untouched() -> None:
    assert _pool._untouched(vars(httpx.HTTPTransport)["handle_request"])
    assert _pool._untouched(vars(httpx.AsyncHTTPTransport)["handle_async_request"])
    assert not _pool._untouched(test_other_errors_pass_through)  # a function of another module
    assert not _pool._untouched(print)  # not a Python function (a wrapper object, a builtin)
