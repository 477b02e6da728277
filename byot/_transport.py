"""The default connection pools: one shared SSL context, SDK-sized limits, proxies from env.

byot drives httpx's transport API directly rather than `httpx.Client`: no cookie jar, no
redirect machinery, no per-request URL merging (31 % less CPU per call, measured in
research/perf-baseline.md). What `httpx.Client` would take from the environment is taken here
once per client: the proxies (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) and the
trust store (`SSL_CERT_FILE`, `SSL_CERT_DIR`). As in httpx, the proxy is chosen per request
URL: a request to an absolute URL whose host `NO_PROXY` names goes direct, even when the base
URL's requests go through the proxy (and the other way round).

A caller's own `httpx.Client` must not follow redirects: it would send the key (`api-key`,
`Authorization`, ...) on to whatever origin a `Location` names. `check_http_client` refuses
one that would, and the drivers never let it follow one anyway.
"""

from __future__ import annotations

import functools
import threading
import urllib.request

# typing's TypeVar: no default is needed, and typing_extensions would cost `import byot` time.
from typing import TYPE_CHECKING, Generic, TypeVar  # noqa: TID251
from urllib.parse import urlsplit

import httpx

from byot._override import override
from byot.errors import ConfigError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Mapping

    from byot._headers import ClearTextGuard
    from byot._pool import PoolPath

# The official SDK's pool size, so 64 requests in flight never queue for a connection.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One SSL context for every client: loading the CA bundle costs ~30 ms each time."""
    return httpx.create_ssl_context()


def env_proxy(url: str, proxies: Mapping[str, str] | None = None) -> str | None:
    """The proxy the environment (or the snapshot `proxies` of it) asks for to reach `url`."""
    if proxies is None:
        proxies = urllib.request.getproxies_environment()
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or not parts.hostname:
        return None
    if urllib.request.proxy_bypass(parts.hostname):  # NO_PROXY (and the OS settings)
        return None
    return proxy


def sync_transport(base_url: str, *, http2: bool = False) -> httpx.HTTPTransport:
    """The default sync pool for a client whose requests go to `base_url`.

    Raises:
        ConfigError: `http2` without the `h2` package.
    """
    proxies = urllib.request.getproxies_environment()
    proxy = env_proxy(base_url, proxies)
    make = functools.partial(_sync_pool, http2=_http2(http2))
    if not proxies:  # the usual case: nothing to choose per request
        return make(proxy)
    return _RoutedTransport(_ProxyChoice(proxies, proxy, make), http2=http2)


def async_transport(base_url: str, *, http2: bool = False) -> httpx.AsyncHTTPTransport:
    """The default async pool for a client whose requests go to `base_url`.

    Raises:
        ConfigError: `http2` without the `h2` package.
    """
    proxies = urllib.request.getproxies_environment()
    proxy = env_proxy(base_url, proxies)
    make = functools.partial(_async_pool, http2=_http2(http2))
    if not proxies:
        return make(proxy)
    return _AsyncRoutedTransport(_ProxyChoice(proxies, proxy, make), http2=http2)


def _sync_pool(proxy: str | None, *, http2: bool = False) -> httpx.HTTPTransport:
    return _bounded(
        httpx.HTTPTransport(verify=ssl_context(), limits=LIMITS, proxy=proxy, http2=http2)
    )


def _async_pool(proxy: str | None, *, http2: bool = False) -> httpx.AsyncHTTPTransport:
    return _bounded(
        httpx.AsyncHTTPTransport(verify=ssl_context(), limits=LIMITS, proxy=proxy, http2=http2)
    )


PoolT = TypeVar("PoolT", httpx.HTTPTransport, httpx.AsyncHTTPTransport)


def _bounded(pool: PoolT) -> PoolT:
    """`pool`, its sockets bounded by the total deadline of the call using them."""
    from byot import _deadline_io  # httpcore's backends, loaded with the first pool

    _deadline_io.install(pool)
    return pool


def direct_pool(transport: object, guard: ClearTextGuard) -> PoolPath | None:
    """The way around httpx's objects to a default pool (`byot._pool`), when it has one."""
    from byot._pool import PoolPath  # httpcore, loaded with the first pool

    return PoolPath.of(transport, guard)


def _http2(wanted: bool) -> bool:
    """Whether to offer HTTP/2: when asked, and then only with `h2` installed."""
    if wanted:
        import importlib

        try:  # httpx would say so too, but name its own extra, not byot's
            importlib.import_module("h2")
        except ImportError:
            raise ConfigError(
                "http2=True needs the h2 package: pip install 'byot-client[http2]'"
            ) from None
    return wanted


T = TypeVar("T")


class _ProxyChoice(Generic[T]):
    """Which pool a request URL goes through, when the environment names proxies.

    The base URL's pool is the transport itself; a URL that needs another proxy (or none)
    gets a pool of its own, made on first use. Decisions are cached per scheme and host.
    """

    def __init__(
        self, proxies: Mapping[str, str], base: str | None, make: Callable[[str | None], T]
    ) -> None:
        self.proxies = dict(proxies)
        self.base = base
        self.make = make
        self.others: dict[str | None, T] = {}
        self._decided: dict[tuple[str, str], str | None] = {}
        self._lock = threading.Lock()

    def other_pool(self, url: httpx.URL) -> T | None:
        """The pool for `url` when it is not the base URL's, else None."""
        key = (url.scheme, url.host)
        try:
            proxy = self._decided[key]
        except KeyError:
            proxy = self._decided[key] = env_proxy(str(url), self.proxies)
        if proxy == self.base:
            return None
        with self._lock:  # one pool per proxy, even when two threads ask at once
            pool = self.others.get(proxy)
            if pool is None:
                pool = self.others[proxy] = self.make(proxy)
            return pool


class _RoutedTransport(httpx.HTTPTransport):
    """byot's sync pool for `base_url`, passing other URLs to the pool their proxy needs."""

    def __init__(self, choice: _ProxyChoice[httpx.HTTPTransport], *, http2: bool) -> None:
        super().__init__(verify=ssl_context(), limits=LIMITS, proxy=choice.base, http2=http2)
        _bounded(self)
        self.choice = choice

    @override
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        other = self.choice.other_pool(request.url)
        if other is not None:
            return other.handle_request(request)
        return super().handle_request(request)

    @override
    def close(self) -> None:
        super().close()
        for pool in self.choice.others.values():
            pool.close()


class _AsyncRoutedTransport(httpx.AsyncHTTPTransport):
    """The async twin of `_RoutedTransport`."""

    def __init__(self, choice: _ProxyChoice[httpx.AsyncHTTPTransport], *, http2: bool) -> None:
        super().__init__(verify=ssl_context(), limits=LIMITS, proxy=choice.base, http2=http2)
        _bounded(self)
        self.choice = choice

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        other = self.choice.other_pool(request.url)
        if other is not None:
            return await other.handle_async_request(request)
        return await super().handle_async_request(request)

    @override
    async def aclose(self) -> None:
        await super().aclose()
        for pool in self.choice.others.values():
            await pool.aclose()


def check_http_client(http_client: httpx.Client | httpx.AsyncClient | None) -> None:
    """Refuse a caller's httpx client that follows redirects.

    Raises:
        ConfigError: `http_client.follow_redirects` is true.
    """
    if http_client is not None and http_client.follow_redirects:
        raise ConfigError(
            "http_client follows redirects (follow_redirects=True): it would send the API key "
            "on to whatever origin a redirect names. byot does not follow redirects (a 3xx "
            "answer is raised as an APIStatusError); create the client without "
            "follow_redirects=True"
        )


class EventLoopOwner:
    """Which event loop byot's own async pool belongs to: the first that uses it.

    Its connections hang or fail obscurely in another loop, so a second loop is refused. An
    injected transport or `httpx.AsyncClient` is the caller's to manage, and not checked.
    """

    def __init__(self) -> None:
        self.loop: object = None

    def check(self) -> None:
        """Bind the pool to the running loop on first use; after that, refuse any other.

        Raises:
            RuntimeError: The pool was first used in another event loop.
        """
        loop = _running_loop()
        if self.loop is None:
            self.loop = loop
        elif loop is not self.loop:
            raise RuntimeError(
                "this AsyncClient was first used in another event loop, and its pooled "
                "connections belong to that loop: create one AsyncClient per event loop "
                "(for example inside the coroutine that asyncio.run() runs)"
            )


def _running_loop() -> object:
    """The running event loop: asyncio's loop, or the token of the running `trio.run`."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # httpx runs on asyncio or trio: this is trio
        import trio

        return trio.lowlevel.current_trio_token()
