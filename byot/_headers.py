"""Request headers: byot's own, the check that refuses what cannot be sent, and merging.

HTTP libraries refuse a value with a control character or with whitespace around it, but their
error quotes the whole value, and an `Authorization` value is a secret: a key pasted with a
trailing newline would end up in an exception message and a retry log. `check_header` refuses
such names and values first, with a `byot.errors.ConfigError` that names the header and what is
wrong with its value, never the value itself.

`ClearTextGuard` warns (once per origin and client) when a credential header is about to go
over plain `http://` to a host that is not this machine.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import sys
import warnings
from typing import TYPE_CHECKING, Final

import httpx

from byot._version import __version__
from byot.errors import ClearTextKeyWarning, ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from byot._signatures import HeaderTypes

USER_AGENT = f"byot/{__version__} (python {sys.version_info.major}.{sys.version_info.minor})"
BASE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
}
JSON = "application/json"
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Every control character but the horizontal tab, which RFC 9110 allows inside a value.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_EDGE_SPACE: Final = (" ", "\t")
# Headers that carry a credential: OpenAI's and Azure's, and those of common compatible APIs.
CREDENTIAL_HEADERS: Final = frozenset(
    {"authorization", "api-key", "x-api-key", "x-goog-api-key", "proxy-authorization"}
)


def check_headers(headers: Mapping[str, object]) -> None:
    """Refuse every header of `headers` that cannot be sent as it is (`None` values remove).

    Raises:
        ConfigError: See `check_header`.
    """
    for name, value in headers.items():
        if value is not None:
            check_header(name, value)
        elif not _TOKEN.fullmatch(name):
            raise ConfigError(f"invalid header name {name!r}: use letters, digits and -")


def check_header(name: str, value: object) -> None:
    """Refuse a header that cannot be sent as it is, without ever echoing its value.

    Args:
        name: The header's name: an HTTP token (letters, digits and `!#$%&'*+-.^_`|~`).
        value: Its value: a str of printable ASCII; tabs and spaces only inside it.

    Raises:
        ConfigError: The name is no token, or the value is no str, not ASCII, holds a control
            character, or begins or ends with whitespace. The message names the header and the
            problem (a control character by its code point), never the value.
    """
    if not _TOKEN.fullmatch(name):
        raise ConfigError(f"invalid header name {name!r}: use letters, digits and -")
    problem = _problem(value)
    if problem is not None:
        raise ConfigError(f"invalid value for header {name!r}: {problem}")


def _problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"it must be a str, not {type(value).__name__}"
    if not value.isascii():
        # httpx's own UnicodeEncodeError for a non-ASCII value would carry all of it.
        return "it must be ASCII (a stray character from a copy and paste?)"
    control = _CONTROL.search(value)
    if control is not None:
        return (
            f"it holds the control character U+{ord(control.group()):04X} "
            f"at position {control.start()}: remove it"
        )
    if value.startswith(_EDGE_SPACE) or value.endswith(_EDGE_SPACE):
        return (
            "it begins or ends with whitespace (a key pasted with a trailing space or tab?): "
            "strip it"
        )
    return None


# Methods that are safe to send again as they are; every other one gets an idempotency key.
_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


def with_idempotency_key(method: str, headers: httpx.Headers, *, may_have: bool) -> httpx.Headers:
    """`headers` with an `Idempotency-Key` for a call whose method is not GET, HEAD or OPTIONS.

    A retry re-sends a request the server may already have acted on (a 2xx answer whose body
    was cut off, a reset after the server committed); the key, the same on every attempt of
    one call, lets the server recognise the repeat, as the official SDKs arrange. A key the
    caller set (`idempotency_key=` or an `Idempotency-Key` header) wins; `may_have` says
    whether `headers` could hold one (looking costs a few microseconds, so only then).
    """
    if method in _SAFE_METHODS or (may_have and "idempotency-key" in headers):
        return headers
    headers = headers.copy()
    # 128 random bits, as a UUID4 has, at a tenth of uuid4()'s cost.
    headers["Idempotency-Key"] = f"byot-retry-{os.urandom(16).hex()}"
    return headers


def merged_headers(current: Mapping[str, str], changes: Mapping[str, str] | None) -> httpx.Headers:
    merged = httpx.Headers(current)
    merged.update(changes or {})
    return merged


def merge_headers(
    base: httpx.Headers, extra: HeaderTypes, idempotency_key: str | None
) -> httpx.Headers:
    if idempotency_key is not None:
        extra = {**extra, "Idempotency-Key": idempotency_key}
    check_headers(extra)
    headers = base.copy()
    for name, value in extra.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return headers


class ClearTextGuard:
    """Warns once per origin when a credential would be sent over plain http:// to another host.

    Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) are exempt: a local server such as
    Ollama or vLLM is commonly reached over http://. The check itself is sans-I/O: the driver
    calls `check` with each attempt's URL and headers.
    """

    __slots__ = ("_warned",)

    def __init__(self) -> None:
        self._warned: set[str] = set()

    def check(self, url: httpx.URL, headers: httpx.Headers) -> None:
        """Warn (`byot.errors.ClearTextKeyWarning`) the first time a key goes in clear text."""
        if url.scheme != "http" or _is_loopback(url.host):
            return
        origin = f"{url.host}:{url.port}"
        if origin in self._warned or not any(name in headers for name in CREDENTIAL_HEADERS):
            return
        self._warned.add(origin)
        warnings.warn(
            f"an API key is sent in clear text (http://) to {url.host}, which is not this "
            "machine: anyone on the path can read it; use https://",
            ClearTextKeyWarning,
            stacklevel=2,
        )


@functools.lru_cache(maxsize=64)  # asked on every call: parsing an address costs ~5 us
def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name, not an address
        return False


def as_httpx(headers: Mapping[str, str]) -> httpx.Headers:
    """`headers` as the `httpx.Headers` that errors and `APIResponse` carry.

    `headers` of the direct path (`byot._direct.Reply`) hold values decoded from UTF-8 with
    undecodable bytes as surrogates: encoded back the same way they are the bytes that came,
    whatever their charset.
    """
    if isinstance(headers, httpx.Headers):
        return headers
    return httpx.Headers(
        [
            (name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
            for name, value in headers.items()
        ]
    )
