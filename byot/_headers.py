"""Header names and values checked before anything is sent (sans-I/O).

HTTP libraries refuse a value with a control character or with whitespace around it, but their
error quotes the whole value, and an `Authorization` value is a secret: a key pasted with a
trailing newline would end up in an exception message and a retry log. `check_header` refuses
such names and values first, with a `byot.errors.ConfigError` that names the header and what is
wrong with its value, never the value itself.
"""

from __future__ import annotations

import re
from typing import Final

from byot.errors import ConfigError

__all__ = ["check_header"]

_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Every control character but the horizontal tab, which RFC 9110 allows inside a value.
_CONTROL: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_EDGE_SPACE: Final = (" ", "\t")


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
