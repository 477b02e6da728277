"""The default connection pools: one shared SSL context, SDK-sized limits, proxies from env.

byot drives httpx's transport API directly rather than `httpx.Client`: no cookie jar, no
redirect machinery, no per-request URL merging (31 % less CPU per call, measured in
research/perf-baseline.md). What `httpx.Client` would take from the environment is taken here
once per client: the proxy (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`) and the
trust store (`SSL_CERT_FILE`, `SSL_CERT_DIR`).
"""

from __future__ import annotations

import functools
import urllib.request
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from byot.errors import ConfigError

if TYPE_CHECKING:
    import ssl

# The official SDK's pool size, so 64 requests in flight never queue for a connection.
LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=5.0)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One SSL context for every client: loading the CA bundle costs ~30 ms each time."""
    return httpx.create_ssl_context()


def env_proxy(base_url: str) -> str | None:
    """The proxy the environment asks for to reach `base_url`, if any."""
    parts = urlsplit(base_url)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or not parts.hostname:
        return None
    if urllib.request.proxy_bypass(parts.hostname):
        return None
    return proxy


def sync_transport(base_url: str, *, http2: bool = False) -> httpx.HTTPTransport:
    """The default sync pool for a client whose requests go to `base_url`.

    Raises:
        ConfigError: `http2` without the `h2` package.
    """
    return httpx.HTTPTransport(
        verify=ssl_context(), limits=LIMITS, proxy=env_proxy(base_url), http2=_http2(http2)
    )


def async_transport(base_url: str, *, http2: bool = False) -> httpx.AsyncHTTPTransport:
    """The default async pool for a client whose requests go to `base_url`.

    Raises:
        ConfigError: `http2` without the `h2` package.
    """
    return httpx.AsyncHTTPTransport(
        verify=ssl_context(), limits=LIMITS, proxy=env_proxy(base_url), http2=_http2(http2)
    )


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
