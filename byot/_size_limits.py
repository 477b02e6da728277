"""How much of a response byot holds in memory at once: a body, a stream's line, an event.

A hostile or broken server can send a small body that inflates to gigabytes, a body that never
ends, an event-stream line without a line end or an event of endless `data:` lines. Each is
refused once it passes its limit, with `byot.errors.ResponseTooLargeError` naming the setting
that raises it. Streamed downloads (`*_chunks`) are never held whole, so they have no limit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from byot._decompress import DEFAULT_MAX_BODY
from byot._sse import DEFAULT_MAX_EVENT, DEFAULT_MAX_LINE

if TYPE_CHECKING:
    from collections.abc import Mapping

NAMES: Final = ("max_body_size", "max_line_size", "max_event_size")
"""The settings, as clients and calls take them (and as the errors name them)."""


@dataclass(frozen=True, slots=True)
class SizeLimits:
    """The size limits of one call, in bytes.

    Attributes:
        body: A buffered body after content decoding (`max_body_size`, default 128 MiB).
        line: One event-stream line (`max_line_size`, default 64 MiB).
        event: The data of one event, its `data:` lines joined (`max_event_size`, 64 MiB).
    """

    body: int = DEFAULT_MAX_BODY
    line: int = DEFAULT_MAX_LINE
    event: int = DEFAULT_MAX_EVENT

    def over(self, options: Mapping[str, object]) -> SizeLimits:
        """These limits with those `options` sets (a value of None keeps the current one).

        Raises:
            TypeError: A limit is not an int.
            ValueError: A limit is not positive.
        """
        changes = {
            field: _check(name, value)
            for field, name in zip(("body", "line", "event"), NAMES, strict=True)
            if (value := options.get(name)) is not None
        }
        return replace(self, **changes) if changes else self


def _check(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a number of bytes (an int), got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of bytes, got {value}")
    return value


DEFAULT_LIMITS: Final = SizeLimits()
