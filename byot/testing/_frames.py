r"""Server-sent-event bytes built from Python values, as OpenAI-compatible servers frame them.

`sse_frames([{"x": 1}, ("response.completed", {...}), sse_comment("keep-alive")])` gives one
`data:` event, one named event and one comment, then `data: [DONE]`. Everything byot's stream
parser meets on the wire can be written this way, so a test can feed a client exactly the stream
it wants to check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import orjson

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["SSE_DONE", "sse_comment", "sse_event", "sse_frames"]

SSE_DONE: Final = b"data: [DONE]\n\n"
"""The terminator of chat and completion streams."""


def sse_event(
    data: Any, *, event: str | None = None, id: str | None = None, retry: int | None = None
) -> bytes:
    r"""One event: optional `event:`/`id:`/`retry:` fields, the data, and its blank line.

    Args:
        data: A `str` is sent as is (one `data:` line per line of it); anything else is sent as
            JSON.
        event: The event's name (`event:` field).
        id: The event id (`id:` field).
        retry: The reconnection time in milliseconds (`retry:` field).

    Returns:
        The event's bytes, e.g. `b'event: ping\ndata: {"n":1}\n\n'`.

    Raises:
        ValueError: A field other than the data holds a line break.
    """
    head = b""
    for name, value in (("event", event), ("id", id), ("retry", retry)):
        if value is not None:
            text = str(value)
            if "\n" in text or "\r" in text:
                raise ValueError(f"an SSE {name} field cannot hold a line break: {text!r}")
            head += f"{name}: {text}\n".encode()
    payload = data.encode() if isinstance(data, str) else orjson.dumps(data)
    lines = b"".join(b"data: " + line + b"\n" for line in payload.splitlines() or [b""])
    return head + lines + b"\n"


def sse_comment(text: str = "") -> bytes:
    r"""A comment line, which clients skip: what servers send as a keep-alive (`: ping\n\n`)."""
    return b"".join(b": " + line.encode() + b"\n" for line in text.splitlines() or [""]) + b"\n"


def sse_frames(events: Iterable[Any], *, done: bool = True) -> bytes:
    r"""A whole event stream's bytes from values.

    Example:
        ```python
        from byot.testing import sse_comment, sse_frames

        body = sse_frames([{"choices": []}, sse_comment("keep-alive"), ("ping", {"n": 1})])
        assert body.endswith(b"data: [DONE]\n\n")
        ```

    Args:
        events: Each item is one of: `bytes`, sent as they are (from `sse_event` or
            `sse_comment`, or a deliberately broken frame); a `(name, data)` tuple, a named
            event; any other value, a `data:`-only event (see `sse_event`).
        done: End with `data: [DONE]`, as chat and completion streams do.

    Returns:
        The concatenated frames.
    """
    out = bytearray()
    for item in events:
        if isinstance(item, bytes):
            out += item
        elif isinstance(item, tuple):
            name, data = item  # pyright: ignore[reportUnknownVariableType]
            out += sse_event(data, event=str(name))  # pyright: ignore[reportUnknownArgumentType]
        else:
            out += sse_event(item)
    if done:
        out += SSE_DONE
    return bytes(out)
