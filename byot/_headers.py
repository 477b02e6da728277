"""Request headers: byot's own, the check that refuses what cannot be sent, and merging.

HTTP libraries refuse a value with a control character or with whitespace around it, but their
error quotes the whole value, and an `Authorization` value is a secret: a key pasted with a
trailing newline would end up in an exception message and a retry log. `check_header` refuses
such names and values first, with a `byot.errors.ConfigError` that names the header and what is
wrong with its value, never the value itself.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Final

import httpx

from byot._version import __version__
from byot.errors import ConfigError

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
