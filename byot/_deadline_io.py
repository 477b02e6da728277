"""Socket operations that never outlast a call's total deadline (`Timeout(total=...)`).

httpx's phase timeouts bound one socket operation each: a server that trickles its headers a
byte at a time, or a stream that sends a keep-alive comment every few seconds, never trips
them. byot's own connection pools therefore talk to the network through `DeadlineBackend`,
which shortens every connect, read and write to what is left of the deadline of the call in
progress (`byot._timeout.DEADLINE`, set by the driver around each step that touches the
network), and fails it as a timeout once nothing is left. Without a deadline every operation
is passed on as is. Imported when a pool is built: httpcore loads much (trio's dependencies
among it) that `import byot` should not pay for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpcore
from httpcore._utils import is_socket_readable  # what httpcore's own backends poll with

from byot._override import override
from byot._timeout import DEADLINE

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterable


def _clamped(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` shortened to what is left of the current deadline.

    Raises:
        httpcore.TimeoutException: The deadline has passed (`error`, the phase's own kind).
    """
    deadline = DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline.remaining()
    if left <= 0:
        raise error("the call's total deadline ran out")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    @override
    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    @override
    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamped(timeout, httpcore.WriteTimeout))

    @override
    def close(self) -> None:
        self._inner.close()

    @override
    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    @override
    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: Any = None  # the raw socket, once `is_readable` was first asked

    @override
    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    @override
    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _clamped(timeout, httpcore.WriteTimeout))

    @override
    async def aclose(self) -> None:
        await self._inner.aclose()

    @override
    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    @override
    def get_extra_info(self, info: str) -> Any:
        if info != "is_readable":
            return self._inner.get_extra_info(info)
        # httpcore asks this of every idle connection each time it hands out a connection:
        # with 64 in flight, 64 times per request. anyio builds a dict of every attribute of
        # the stream to find the socket each time; the socket is looked up once here, and
        # polled as httpcore polls it.
        if self._socket is None:
            self._socket = self._inner.get_extra_info("socket")
        return is_socket_readable(self._socket)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync network backend, every operation bounded by `DEADLINE`.

    Only TCP: byot's pools never connect to a Unix socket, nor retry a connect (which sleeps).
    """

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    @override
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))


class AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """httpcore's async network backend (asyncio or trio), every operation bounded by `DEADLINE`."""

    def __init__(self) -> None:
        # httpcore's own choice between asyncio (through anyio) and trio, made per call.
        from httpcore._backends.auto import AutoBackend

        self._inner = AutoBackend()

    @override
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        timeout = _clamped(timeout, httpcore.ConnectTimeout)
        inner = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(inner)


def install(transport: object) -> None:
    """Make an httpx transport's pool connect through a deadline-bounded backend.

    httpx builds its httpcore pool without a way to choose the backend, so it is set on the
    pool before the pool opens any connection (connections take the backend when created).
    """
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.ConnectionPool):
        pool._network_backend = DeadlineBackend()  # pyright: ignore[reportPrivateUsage]
    elif isinstance(pool, httpcore.AsyncConnectionPool):
        pool._network_backend = AsyncDeadlineBackend()  # pyright: ignore[reportPrivateUsage]
