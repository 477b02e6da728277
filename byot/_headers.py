"""Request headers: byot's own, the check that refuses forged lines, and merging."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import httpx

from byot._version import __version__

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
_BAD_HEADER_VALUE = re.compile(r"[\r\n\x00]")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")


def check_headers(headers: Mapping[str, object]) -> None:
    """Refuse header names and values that could split or forge a header line.

    Raises:
        ValueError: A name is not an HTTP token, or a value is not ASCII or holds CR, LF or NUL.
    """
    for name, value in headers.items():
        if not _TOKEN.match(name):
            raise ValueError(f"invalid header name {name!r}: use letters, digits and -")
        if value is not None and (
            not isinstance(value, str) or not value.isascii() or _BAD_HEADER_VALUE.search(value)
        ):
            # The value may be a secret: name the header, never echo the value (httpx's own
            # UnicodeEncodeError for a non-ASCII value would carry all of it).
            raise ValueError(
                f"invalid value for header {name!r}: it must be a str of ASCII characters "
                "without CR, LF or NUL"
            )


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
