r"""multipart/form-data bodies for uploads (files, audio, images) that can be sent many times.

Invariants:

* Replayable: every pass yields the same bytes. Paths are re-opened and file objects sought back
  to where they stood when the body was built, so a retry re-sends the whole upload. A file whose
  size changed since then fails the pass, as it would no longer match `Content-Length`. Only a
  stream that cannot seek is read once: a second pass raises `RuntimeError` before any byte.
* Streamed: no chunk is larger than `chunk_size`; files are read in such chunks and never held
  whole, and large in-memory payloads are sliced, so a write timeout bounds one chunk.
* Escaped: names and filenames are quoted as browsers and httpx quote them (`"` and control
  characters percent-encoded, `\` doubled, other text UTF-8) and a content type with CR, LF or
  NUL is refused, so no value can add a header or end a part early.
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import secrets
import stat
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeGuard, cast

_BOUNDARY = re.compile(r"[0-9A-Za-z'+_.-]{1,70}\Z")  # RFC 2046 characters that need no quotes
_BAD_CONTENT_TYPE = re.compile(r"[\r\n\x00]")
_ESCAPES = {'"': "%22", "\\": "\\\\", **{chr(c): f"%{c:02X}" for c in (*range(0x20), 0x7F)}}
_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f]')
_UNNAMED = "upload"


@dataclass(slots=True)
class _File:
    """A file part's payload, read afresh on every pass."""

    source: Path | IO[bytes]
    label: str  # names the file in errors
    start: int  # where every pass starts reading
    size: int | None  # None: a stream that cannot seek, readable once


class MultipartBody:
    """A multipart/form-data body that can be sent any number of times, identically.

    Give httpx `content=body` (sync) or `content=body.__aiter__()` (async), with the headers
    `Content-Type: body.content_type` and, when known, `Content-Length: body.content_length()`.

    Args:
        fields: Field names to values, as the official SDK sends them: `str`, `int`, `float`
            (text), `bool` (`true`/`false`), `None` (left out), files, lists (`name[]`
            repeated) and mappings (`name[key]`). A file is `bytes` (named `upload`), a path,
            a binary file object (named after its `.name`), or `(filename, content[,
            content_type])` with one of those as content; the content type is otherwise
            guessed from the filename, else `application/octet-stream`.
        boundary: The part delimiter, random unless given: 1-70 of `A-Za-z0-9'+_.-`, and it
            must not occur in any payload.
        chunk_size: The largest chunk a pass yields, in bytes.

    Raises:
        TypeError: A field name is not a str, a value cannot be form-encoded, or a file object
            is in text mode or not readable.
        ValueError: The boundary, chunk size or a content type is invalid, or a path is not a
            regular file.
        FileNotFoundError: A path does not exist.
    """

    __slots__ = ("_boundary", "_chunk_size", "_length", "_segments", "_started")

    def __init__(
        self, fields: Mapping[str, Any], *, boundary: str | None = None, chunk_size: int = 64 * 1024
    ) -> None:
        if chunk_size < 1:
            raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
        if boundary is None:
            boundary = secrets.token_hex(16)
        elif not _BOUNDARY.match(boundary):
            raise ValueError(f"invalid multipart boundary {boundary!r}: use 1-70 of A-Za-z0-9'+_.-")
        self._boundary = boundary
        self._chunk_size = chunk_size
        self._segments: list[bytes | _File] = []
        for name, value in fields.items():
            self._add(_name(name), value, in_list=False)
        self._emit(f"--{boundary}--\r\n".encode())
        sizes = [len(s) if isinstance(s, bytes) else s.size for s in self._segments]
        self._length = None if None in sizes else sum(size or 0 for size in sizes)
        self._started = False

    @property
    def content_type(self) -> str:
        """The `Content-Type` header value, boundary included."""
        return f"multipart/form-data; boundary={self._boundary}"

    def content_length(self) -> int | None:
        """The exact size in bytes, or None when the body streams a file that cannot seek."""
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        """Yield the body from its start, re-reading every file.

        Raises:
            RuntimeError: A file that cannot seek was already sent, or a file changed size
                since the body was built.
        """
        # Only a stream that cannot seek has an unknown size, and only it cannot be replayed.
        if self._started and self._length is None:
            raise RuntimeError(
                "this multipart body streams a file object that cannot seek, so it can be sent "
                "only once; pass bytes or a path to allow retries"
            )
        self._started = True
        size = self._chunk_size
        for segment in self._segments:
            if isinstance(segment, bytes):
                # A slice covering a whole bytes object is that object: small segments are free.
                for start in range(0, len(segment), size):
                    yield segment[start : start + size]
            else:
                yield from self._read(segment)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        """Yield the same chunks as `__iter__`, for `httpx.AsyncClient`.

        File reads block the event loop, one `chunk_size` read at a time: reading 64 KiB from
        a local disk takes far less than the socket write that follows it.
        """
        for chunk in self:
            yield chunk

    def to_bytes(self) -> bytes:
        """The whole body in memory, for small bodies and tests."""
        return b"".join(self)

    def _read(self, file: _File) -> Iterator[bytes]:
        source = file.source
        opened: AbstractContextManager[IO[bytes]] = (
            source.open("rb") if isinstance(source, Path) else nullcontext(source)
        )
        with opened as stream:
            if file.size is not None and _measure(stream, file.start) != file.size:
                raise RuntimeError(
                    f"{file.label} changed size since the multipart body was built (it had "
                    f"{file.size} bytes) and would not match the Content-Length sent"
                )
            while chunk := stream.read(self._chunk_size):
                yield chunk

    def _emit(self, data: bytes | _File) -> None:
        # Small neighbours are joined into fewer, fuller writes; large payloads are kept
        # uncopied and sliced when sent.
        last = self._segments[-1] if self._segments else None
        if (
            isinstance(data, bytes)
            and isinstance(last, bytes)
            and len(last) + len(data) <= self._chunk_size
        ):
            self._segments[-1] = last + data
        else:
            self._segments.append(data)

    def _add(self, name: str, value: object, *, in_list: bool) -> None:
        if value is None:
            return
        if (text := _text(value)) is not None:
            self._emit(self._header(name, None, None) + text.encode() + b"\r\n")
        elif _is_content(value) or _is_file_tuple(value):
            self._add_file(name, value)
        # Containers inside a list have no spelling that the official SDK and servers share.
        elif in_list or not isinstance(value, (Mapping, list, tuple)):
            raise TypeError(
                f"field {name!r}: cannot form-encode a {type(value).__name__}; pass str, int, "
                "float, bool, None, bytes, a path, a binary file or a (filename, content[, "
                "content_type]) tuple; a list of those; or a mapping of any of these"
            )
        elif isinstance(value, Mapping):
            for key, item in cast("Mapping[object, object]", value).items():
                self._add(f"{name}[{_name(key)}]", item, in_list=False)
        else:
            for item in cast("list[object]", value):
                self._add(f"{name}[]", item, in_list=True)

    def _add_file(self, name: str, value: object) -> None:
        filename: str | None = None
        content_type = None
        content = value
        unnamed = False  # a `(None, content, type)` part: a typed field, not a file
        if _is_file_tuple(value):
            filename, content, *rest = value
            unnamed = filename is None
            given = rest[0] if rest else None
            if given is not None and not isinstance(given, str):
                raise TypeError(f"field {name!r}: the content type must be a str")
            content_type = given
        if isinstance(content, (bytes, bytearray)):
            payload: bytes | _File = bytes(content)
            default = _UNNAMED
        elif isinstance(content, os.PathLike):
            # Absolute, so a retry after a change of directory re-opens the same file.
            path = Path(os.fsdecode(cast("os.PathLike[str]", content))).absolute()
            info = path.stat()  # FileNotFoundError names the path
            if not stat.S_ISREG(info.st_mode):
                raise ValueError(f"field {name!r}: {path} is not a regular file")
            payload, default = _File(path, str(path), 0, info.st_size), path.name
        else:
            payload = _file_object(name, content)
            default = payload.label
        if not unnamed:
            filename = default if filename is None else filename
        content_type = content_type or (mimetypes.guess_type(filename)[0] if filename else None)
        content_type = content_type or "application/octet-stream"
        if _BAD_CONTENT_TYPE.search(content_type):
            raise ValueError(f"field {name!r}: the content type must not hold CR, LF or NUL")
        self._emit(self._header(name, filename, content_type))
        self._emit(payload)
        self._emit(b"\r\n")

    def _header(self, name: str, filename: str | None, content_type: str | None) -> bytes:
        head = f'--{self._boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"'
        if filename is not None:
            head += f'; filename="{_quote(filename)}"'
        if content_type is not None:
            head += f"\r\nContent-Type: {content_type}"
        return f"{head}\r\n\r\n".encode()


def encode_multipart(fields: Mapping[str, Any], *, boundary: str | None = None) -> MultipartBody:
    """Build a `MultipartBody`: every field and file is checked now, not when sending.

    Raises:
        TypeError, ValueError, FileNotFoundError: As `MultipartBody` does.
    """
    return MultipartBody(fields, boundary=boundary)


def _name(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"multipart field names must be str, not {type(key).__name__}: {key!r}")
    return key


def _text(value: object) -> str | None:
    """A scalar's text, else None; subclasses (str and int enums) are sent by value."""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    return None


def _is_content(value: object) -> bool:
    return isinstance(value, (bytes, bytearray, os.PathLike)) or hasattr(value, "read")


def _is_file_tuple(
    value: object,
) -> TypeGuard[tuple[str | None, object] | tuple[str | None, object, object]]:
    """Whether a tuple is `(filename, content[, content_type])` rather than a list of values.

    A None filename makes a typed part without `filename=` (a JSON document, say).
    """
    items = cast("tuple[object, ...]", value) if isinstance(value, tuple) else None
    return (
        items is not None
        and len(items) in {2, 3}
        and (items[0] is None or isinstance(items[0], str))
        and _is_content(items[1])
    )


def _file_object(name: str, value: Any) -> _File:
    """Check a file object and note where every pass starts reading it."""
    mode = getattr(value, "mode", None)  # GzipFile's is an int
    if isinstance(value, io.TextIOBase) or (isinstance(mode, str) and "b" not in mode):
        raise TypeError(f"field {name!r}: the file is open in text mode; open it with 'rb'")
    readable = getattr(value, "readable", None)
    if readable is not None and not readable():
        raise TypeError(f"field {name!r}: the file is not readable; open it with 'rb'")
    path = getattr(value, "name", None)
    label = (Path(path).name if isinstance(path, str) else "") or _UNNAMED
    stream = cast("IO[bytes]", value)
    seekable = getattr(value, "seekable", None)
    if seekable is None or not seekable():
        return _File(stream, label, 0, None)
    start = stream.tell()
    return _File(stream, label, start, _measure(stream, start))


def _measure(stream: IO[bytes], start: int) -> int:
    """The bytes from `start` to the end of a seekable stream, which is left at `start`."""
    end = stream.seek(0, os.SEEK_END)
    stream.seek(start)
    return end - start


def _quote(value: str) -> str:
    """A name or filename escaped for its quoted string in `Content-Disposition`."""
    return _ESCAPE.sub(lambda match: _ESCAPES[match.group()], value)
