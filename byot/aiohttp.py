"""An aiohttp-backed transport for `byot.AsyncClient`, for many requests in flight.

httpx's default async pool (httpcore) re-scans its connections for every queued request, so
its CPU per request grows with the number in flight: at 64 it costs several times what one
sequential request does. aiohttp's pool does not. This transport lets byot send through
aiohttp while everything above the transport (retries, timeouts, errors, streams, decoding)
stays the same. Install it with the `aiohttp` extra (`pip install 'byot-client[aiohttp]'`).

```python
import byot
from byot.aiohttp import AiohttpTransport

async with byot.AsyncClient(transport=AiohttpTransport()) as client:
    chat = await client.chat.completions.create(body)
```

The transport runs on asyncio only (not trio) and belongs to the event loop it first sends
on. It reads no proxy settings from the environment unless `trust_env=True`. aiohttp has no
write timeout: the `write` phase of a `byot.Timeout` is not enforced here.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING

import aiohttp
import httpx
from typing_extensions import override
from yarl import URL

from byot import _transport
from byot._decompress import BodyDecoder
from byot._direct import Reply

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncIterator, Callable, Mapping

    from byot._prepared import Prepared
    from byot._timeout import Deadline

__all__ = ["AiohttpTransport"]

# The wire carries exactly the headers of the httpx request: aiohttp adds none of its own.
# It adds these when a request lacks them; byot's carry them unless a caller removed one (a
# None header value), and only then is aiohttp told to skip them: that costs it a few µs.
_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "Content-Type", "User-Agent")
_AUTO_HEADERS = frozenset({"accept", "accept-encoding", "user-agent"})
_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx async transport that sends through one `aiohttp.ClientSession`.

    Pass it as `byot.AsyncClient(transport=AiohttpTransport())`. The session and its
    connection pool are made on the first request (aiohttp needs a running event loop) and
    closed by `aclose()`, which the client's `aclose()` calls. Bodies arrive undecoded
    (httpx undoes `Content-Encoding`), and aiohttp's failures surface as the httpx exceptions
    byot turns into `APIConnectionError` and `APITimeoutError`.

    Args:
        max_connections: Connections open at once, over all hosts (default 1000, as byot's
            default pool); requests beyond it wait for a free one, up to the pool timeout.
        max_connections_per_host: Connections open at once to one host (0: no limit of its
            own).
        keepalive_expiry: Seconds an idle connection is kept for reuse.
        verify: Check the server's certificate (the default: with byot's shared context), an
            `ssl.SSLContext` of your own, or False to skip the check.
        trust_env: Take the proxy from `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` (and
            credentials from `~/.netrc`), as aiohttp does with `trust_env`.
    """

    def __init__(
        self,
        *,
        max_connections: int = _transport.LIMITS.max_connections or 0,
        max_connections_per_host: int = 0,
        keepalive_expiry: float = 5.0,
        verify: ssl.SSLContext | bool = True,
        trust_env: bool = False,
    ) -> None:
        self._max_connections = max_connections
        self._max_connections_per_host = max_connections_per_host
        self._keepalive_expiry = keepalive_expiry
        self._verify = verify
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("this AiohttpTransport is closed: make a new one for a new client")
        session = self._session
        if session is None:
            verify = self._verify
            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                limit_per_host=self._max_connections_per_host,
                keepalive_timeout=self._keepalive_expiry,
                ssl=_transport.ssl_context() if verify is True else verify,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                trust_env=self._trust_env,
            )
        return session

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` and return the response once its headers have arrived.

        Raises:
            httpx.TransportError: The connection failed or timed out (the matching subclass).
            RuntimeError: The transport was closed.
        """
        session = self._open_session()
        try:
            data: bytes | AsyncIterator[bytes] | None = request.content or None
        except httpx.RequestNotRead:  # a streamed body (a multipart upload)
            data = _chunks(request)
        headers, skip = _wire_headers(request.headers, body=data is not None)
        try:
            response = await session.request(
                request.method,
                _url(str(request.url)),
                headers=headers,
                skip_auto_headers=skip,
                data=data,
                timeout=_client_timeout(request.extensions.get("timeout", {})),
                allow_redirects=False,
            )
        except _ERRORS as exc:
            raise _httpx_error(exc, request) from exc
        major, minor = response.version or (1, 1)
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_ResponseStream(response, request),
            extensions={
                "http_version": f"HTTP/{major}.{minor}".encode(),
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
            request=request,
        )

    async def exchange(
        self,
        prepared: Prepared,
        headers: httpx.Headers,
        timeout: Mapping[str, float | None],
        deadline: Deadline | None,
        settle: Callable[[int, Mapping[str, str]], None] | None,
    ) -> Reply:
        """Send a buffered call and read its whole answer, without httpx's objects.

        byot's direct path (`byot._direct`): what `handle_async_request` and reading the body
        do, without an `httpx.Request` or `httpx.Response`. The headers come back as aiohttp
        parsed them.

        Raises:
            httpx.TransportError: The connection failed or timed out (the matching subclass).
            httpx.DecodingError: The body does not decode as its `Content-Encoding` says.
            ResponseTooLargeError: The decoded body passed `max_body_size`.
            APITimeoutError: The deadline ran out between two reads.
            RuntimeError: The transport was closed.
        """
        session = self._open_session()
        data = prepared.content or None
        wire, skip = _wire_headers(headers, body=data is not None)
        try:
            async with session.request(
                prepared.method,
                _url(str(prepared.url)),
                headers=wire,
                skip_auto_headers=skip,
                data=data,
                timeout=_client_timeout(timeout),
                allow_redirects=False,
            ) as response:
                fields = response.headers
                if settle is not None:
                    settle(response.status, fields)
                content = await _read(response, fields, prepared, deadline)
        except _ERRORS as exc:
            raise _httpx_error(exc, None) from exc
        return Reply(response.status, fields, content)

    @override
    async def aclose(self) -> None:
        """Close every pooled connection; the transport cannot send afterwards."""
        self._closed = True
        if self._session is not None:
            await self._session.close()


class _ResponseStream(httpx.AsyncByteStream):
    """A response body read from aiohttp as it arrives."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    @override
    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except _ERRORS as exc:
            raise _httpx_error(exc, self._request) from exc

    @override
    async def aclose(self) -> None:
        # Back to the pool when the body was read to its end; otherwise aiohttp closes it.
        self._response.release()


async def _read(
    response: aiohttp.ClientResponse,
    fields: Mapping[str, str],
    prepared: Prepared,
    deadline: Deadline | None,
) -> bytes:
    """The whole body, decoded, never past `max_body_size`, the deadline checked between reads."""
    limit = prepared.limits.body
    encoding = fields.get("Content-Encoding")
    length = response.content_length
    if deadline is None and encoding is None and length is not None and length <= limit:
        # The common answer: plain, of a known and allowed length, which aiohttp reads exactly.
        return await response.read()
    decoder = BodyDecoder(encoding, limit=limit)
    body = bytearray()
    async for chunk in response.content.iter_any():
        for piece in decoder.feed(chunk):
            body += piece
        if deadline is not None and deadline.expired():
            raise deadline.error(prepared.method, prepared.safe_url)
    decoder.finish()
    return bytes(body)


async def _chunks(request: httpx.Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream:  # type: ignore[union-attr]
        yield chunk


def _wire_headers(
    headers: httpx.Headers, *, body: bool
) -> tuple[list[tuple[str, str]], tuple[str, ...] | None]:
    """The headers for aiohttp, and the automatic headers it must not add (None: none)."""
    items = headers.multi_items()  # names in lower case, as in the old adapter
    names = {name for name, _ in items}
    if names >= _AUTO_HEADERS and (not body or "content-type" in names):
        return items, None
    return items, _SKIP_AUTO_HEADERS


@functools.lru_cache(maxsize=64)
def _url(text: str) -> URL:
    # httpx has already encoded the URL: parse it once per distinct URL, never re-quote it.
    return URL(text, encoded=True)


def _client_timeout(timeout: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    return _timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool"))


@functools.lru_cache(maxsize=64)
def _timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    # aiohttp's `connect` covers waiting for a pooled connection as well as opening one.
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect, sock_read=read)


def _httpx_error(exc: BaseException, request: httpx.Request | None) -> httpx.TransportError:
    """The httpx exception that stands for an aiohttp failure (byot maps those to its errors)."""
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, asyncio.TimeoutError):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(
        exc,
        (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError),
    ):
        return httpx.RemoteProtocolError(message, request=request)
    return httpx.ReadError(message, request=request)
