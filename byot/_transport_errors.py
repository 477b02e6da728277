"""httpx's failures to send or receive, as byot errors.

A failure on the wire (refused, reset, DNS, TLS, a timeout) is an `APIConnectionError`, which
the retry policy may retry. A request httpx refuses to send at all (a header value or URL that
HTTP forbids, an unsupported scheme) is a local error: a `ConfigError`, never retried, whose
message never quotes httpx's, since that quotes the refused value (perhaps `Bearer <key>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from byot.errors import APIConnectionError, APITimeoutError, ConfigError

if TYPE_CHECKING:
    from byot._prepared import Prepared


def transport_error(
    prepared: Prepared, exc: httpx.RequestError
) -> APIConnectionError | ConfigError:
    """The byot error for an httpx failure to send or receive."""
    return connection_error(prepared.method, prepared.safe_url, exc)


def connection_error(
    method: str, url: str, exc: httpx.RequestError
) -> APIConnectionError | ConfigError:
    """The byot error for an httpx failure, also while a stream is being read."""
    if isinstance(exc, httpx.UnsupportedProtocol):
        return ConfigError(f"{method} {url}: byot sends http:// and https:// URLs only")
    if isinstance(exc, httpx.LocalProtocolError):
        return ConfigError(
            f"{method} {url} was not sent: the HTTP library refused it as it is "
            f"({type(exc).__name__}; its details are left out, as they may quote a header's "
            "value): check the headers an event hook or the http_client adds"
        )
    if isinstance(exc, httpx.TimeoutException):
        name = type(exc).__name__
        kind = name.removesuffix("Timeout").lower() if name.endswith("Timeout") else "request"
        return APITimeoutError(
            f"{kind} timeout: {method} {url} got no answer in time", method=method, url=url
        )
    return APIConnectionError(
        f"connection error: {method} {url}: {type(exc).__name__}: {exc}", method=method, url=url
    )
