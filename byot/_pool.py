"""Buffered calls straight to byot's own httpcore pool, with no httpx request or response.

byot's default pool is an `httpx.HTTPTransport` around an `httpcore.ConnectionPool`. On the
way there a call pays for httpx's objects: an `httpx.Request` (its headers copied and encoded
again, its URL read again), the transport turning it into httpcore's request and httpcore's
response into an `httpx.Response`, and the body read through httpx's stream wrappers: about a
fifth of a small call's CPU. When a call needs none of them, the driver hands the pool
httpcore's request itself and reads httpcore's response (`PoolPath.send`, `PoolResponse`).

It does so only while the result is the same as going through httpx: the transport is byot's
own plain pool (not the proxy-routing one), httpx's `handle_request` is httpx's own (an
instrumentation or a mock that patches it sees every request), the body is bytes or nothing,
and the headers leave `Host`, `Content-Length` and `Transfer-Encoding` to be set as httpx
would; otherwise `send` returns None and the driver goes through httpx. The driver adds the
rest: no event hooks, and streams always go through httpx (their readers take an
`httpx.Response`). httpcore's failures become httpx's exception types exactly as httpx's
transport maps them, so the drivers handle both ways alike.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Final, cast

import httpcore
import httpx

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

    from typing_extensions import Self

    from byot._headers import ClearTextGuard
    from byot._prepared import Prepared

# httpcore's exceptions and httpx's for each: the same names, as httpx's transport maps them.
_ERRORS: Final[dict[type[Exception], type[httpx.TransportError]]] = {
    getattr(httpcore, name): getattr(httpx, name)
    for name in (
        "TimeoutException",
        "ConnectTimeout",
        "ReadTimeout",
        "WriteTimeout",
        "PoolTimeout",
        "NetworkError",
        "ConnectError",
        "ReadError",
        "WriteError",
        "ProxyError",
        "UnsupportedProtocol",
        "ProtocolError",
        "LocalProtocolError",
        "RemoteProtocolError",
    )
}
# Headers httpx sets from the URL and the body unless the request has its own.
_FRAMING: Final = frozenset((b"host", b"content-length", b"transfer-encoding"))
_WITH_BODY: Final = frozenset(("POST", "PUT", "PATCH"))  # httpx sends `Content-Length: 0`
_CACHE_SIZE: Final = 512


class _AsHttpx:
    """Re-raises httpcore's exceptions as httpx's, the most specific that matches.

    A class, not `contextlib.contextmanager`: entering it is on every call's path.
    """

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, traceback: object) -> None:
        if exc is None:
            return
        for base in type(exc).__mro__:
            mapped = _ERRORS.get(cast("type[Exception]", base))
            if mapped is not None:
                raise mapped(str(exc)) from exc


_AS_HTTPX: Final = _AsHttpx()


class _Targets:
    """httpcore's URL and the `Host` header for each URL, kept while the URL object lives.

    The settings cache parsed URLs, so a client's calls share a few URL objects: keyed by
    identity, each kept in its entry, so an identity is never reused while it is cached.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[httpx.URL, httpcore.URL, bytes]] = {}

    def get(self, url: httpx.URL) -> tuple[httpcore.URL, bytes]:
        entry = self._entries.get(id(url))
        if entry is None or entry[0] is not url:
            target = httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            )
            if len(self._entries) >= _CACHE_SIZE:
                self._entries.clear()
            entry = self._entries[id(url)] = (url, target, url.netloc)
        return entry[1], entry[2]


def _untouched(method: object) -> bool:
    """Whether a transport method is httpx's own, not replaced by an instrumentation or mock."""
    return type(method) is types.FunctionType and method.__module__.startswith("httpx.")


class PoolResponse:
    """What the drivers read of httpcore's response: its status, headers and raw body."""

    __slots__ = ("_headers", "_response", "status_code")

    def __init__(self, response: httpcore.Response) -> None:
        self._response = response
        self.status_code = response.status
        self._headers: httpx.Headers | None = None

    @property
    def headers(self) -> httpx.Headers:
        """The headers as httpx's, built when first asked for (most calls never do)."""
        if self._headers is None:
            self._headers = httpx.Headers(self._response.headers)
        return self._headers

    @property
    def content_encoding(self) -> str | None:
        """The `Content-Encoding` header's values, comma-joined as httpx joins them."""
        values = [
            value.decode("latin-1")
            for name, value in self._response.headers
            if len(name) == 16 and name.lower() == b"content-encoding"  # the length first: cheap
        ]
        return ", ".join(values) if values else None

    def iter_raw(self) -> Iterator[bytes]:
        """The body as it arrives, not decompressed."""
        with _AS_HTTPX:
            yield from cast("Iterable[bytes]", self._response.stream)

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it arrives, not decompressed (async)."""
        with _AS_HTTPX:
            async for chunk in cast("AsyncIterable[bytes]", self._response.stream):
                yield chunk

    def close(self) -> None:
        """Give the connection back to the pool (or close it, when the body was not read)."""
        with _AS_HTTPX:
            self._response.close()

    async def aclose(self) -> None:
        """Give the connection back to the pool (async)."""
        with _AS_HTTPX:
            await self._response.aclose()


class PoolPath:
    """A default transport's httpcore pool, for the calls that may skip httpx's objects."""

    def __init__(
        self, transport: httpx.HTTPTransport | httpx.AsyncHTTPTransport, guard: ClearTextGuard
    ) -> None:
        self._transport = transport
        # The method httpx would call, looked up on its class for each call: patching it (an
        # instrumentation, a mock) may come after the client was made.
        sync = isinstance(transport, httpx.HTTPTransport)
        self._method = "handle_request" if sync else "handle_async_request"
        self._pool: Any = transport._pool  # pyright: ignore[reportPrivateUsage]
        self._guard = guard
        self._targets = _Targets()

    @classmethod
    def of(cls, transport: object, guard: ClearTextGuard) -> Self | None:
        """The direct way to `transport`'s pool, if it is httpx's plain transport around one.

        Args:
            transport: A client's transport.
            guard: The clear-text check of the client's own pool, for each request sent.
        """
        pools = (httpcore.ConnectionPool, httpcore.AsyncConnectionPool)
        if type(transport) in _PLAIN and isinstance(getattr(transport, "_pool", None), pools):
            return cls(cast("httpx.HTTPTransport | httpx.AsyncHTTPTransport", transport), guard)
        return None

    def _request(
        self, prepared: Prepared, headers: httpx.Headers, timeout: dict[str, float | None]
    ) -> httpcore.Request | None:
        """The request as httpcore's, or None when it must go through httpx."""
        content = prepared.content
        if content is not None and type(content) is not bytes:
            return None  # a streamed body: httpx frames it
        if not _untouched(vars(type(self._transport)).get(self._method)):
            return None
        raw = headers.raw
        for name, _ in raw:
            if name.lower() in _FRAMING:
                return None  # the caller's own framing: httpx decides how it goes with its own
        url = prepared.url
        self._guard.check(url, headers)
        # The headers httpx adds, where it adds them: `Host` first, the body's length last.
        target, host = self._targets.get(url)
        raw.insert(0, (b"Host", host))
        if content:
            raw.append((b"Content-Length", str(len(content)).encode()))
        elif prepared.method in _WITH_BODY:
            raw.append((b"Content-Length", b"0"))
        return httpcore.Request(
            prepared.method, target, headers=raw, content=content, extensions={"timeout": timeout}
        )

    def send(
        self, prepared: Prepared, headers: httpx.Headers, timeout: dict[str, float | None]
    ) -> PoolResponse | None:
        """Send one attempt through the pool, or None when it must go through httpx.

        The response's body is still to be read.

        Raises:
            httpx.TransportError: The request failed (httpcore's error, as httpx maps it).
        """
        request = self._request(prepared, headers, timeout)
        if request is None:
            return None
        with _AS_HTTPX:
            return PoolResponse(self._pool.handle_request(request))

    async def asend(
        self, prepared: Prepared, headers: httpx.Headers, timeout: dict[str, float | None]
    ) -> PoolResponse | None:
        """Send one attempt through the async pool (see `send`)."""
        request = self._request(prepared, headers, timeout)
        if request is None:
            return None
        with _AS_HTTPX:
            return PoolResponse(await self._pool.handle_async_request(request))


_PLAIN: Final = (httpx.HTTPTransport, httpx.AsyncHTTPTransport)
