"""Response bodies decompressed step by step, never past a size limit (sans-I/O).

A server may send a small body that inflates to gigabytes (a decompression bomb). `BodyDecoder`
undoes a response's `Content-Encoding` one read at a time, as httpx would, but in pieces of at
most 1 MiB, counting as it goes: past the limit, `byot.errors.ResponseTooLargeError` names the
limit and the setting that raises it, and memory never held more than the limit and one piece.
Corrupt data raises `httpx.DecodingError`, as httpx's own decoders do, so a driver maps it like
any other failure to read the body.

Codecs: `gzip` and `deflate` (zlib-wrapped or raw, as httpx accepts) from the standard library;
`br` with the `brotli` package (1.2 or later, whose decoder takes an output limit); `zstd` with
`zstandard` (fed 64 bytes at a time: one input byte yields at most 32 KiB, so a piece stays
under 2 MiB); `identity`. A chain (`gzip, br`) is undone in reverse order, piece by piece. An
encoding without its library, or unknown, raises `httpx.DecodingError` before anything is read.

A driver uses it like this (the limit and its setting are the driver's to name)::

    decoder = BodyDecoder(response.headers.get("content-encoding"), limit=max_body_size)
    body = bytearray()
    for chunk in response.iter_raw():  # raw: httpx must not decode it first
        for piece in decoder.feed(chunk):
            body += piece
    decoder.finish()
"""

from __future__ import annotations

import importlib
import zlib
from typing import TYPE_CHECKING, Any, Final, NoReturn, Protocol

import httpx

from byot.errors import ResponseTooLargeError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["DEFAULT_MAX_BODY", "BodyDecoder"]

DEFAULT_MAX_BODY: Final = 128 * 1024 * 1024
"""The default size limit of a buffered body after decoding: 128 MiB."""

_STEP: Final = 1024 * 1024  # the most output one step of a codec makes
_ZSTD_STEP: Final = 64  # input bytes per zstd step: at most 64 x 32 KiB = 2 MiB out
_MiB: Final = 1024 * 1024


class _Stage(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode `data`, in pieces of at most a step's output each."""
        ...

    def finish(self) -> None:
        """Check that the input ended where the encoded data does (`feed` kept nothing back)."""
        ...


class _Zlib:
    """gzip (`wbits` 16 + 15) or deflate; deflate falls back to raw deflate as httpx does."""

    def __init__(self, wbits: int, name: str) -> None:
        self._name = name
        self._wbits = wbits
        self._decoder = zlib.decompressobj(wbits)
        self._started = False
        self._head = b""  # deflate's first bytes, until zlib has checked its 2-byte header

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._started = self._started or bool(data)
        while data:
            try:
                # At most a step of output; the input it did not use stays in `unconsumed_tail`.
                piece = self._decoder.decompress(data, _STEP)
            except zlib.error as exc:
                if self._wbits != zlib.MAX_WBITS or len(self._head) >= 2:
                    raise _corrupt(self._name, exc) from exc
                # No zlib header: a raw deflate stream, which servers send too; start it over.
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                self._wbits = -zlib.MAX_WBITS
                data = self._head + data
                continue
            if self._wbits == zlib.MAX_WBITS and len(self._head) < 2:
                self._head += data[:2]
            if piece:
                yield piece
            data = self._decoder.unconsumed_tail

    def finish(self) -> None:
        if self._started and not self._decoder.eof:
            raise httpx.DecodingError(f"the body ends before its {self._name} data does")


class _BrotliDecompressor(Protocol):
    """What byot uses of `brotli.Decompressor` (1.2 or later), which ships no types."""

    def process(self, data: bytes, output_buffer_limit: int = ...) -> bytes: ...
    def can_accept_more_data(self) -> bool: ...
    def is_finished(self) -> bool: ...


class _Brotli:
    def __init__(self) -> None:
        brotli: Any = importlib.import_module("brotli")  # optional, as in httpx; untyped

        self._decoder: _BrotliDecompressor = brotli.Decompressor()
        self._error: type[Exception] = brotli.error
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._started = self._started or bool(data)
        try:
            # brotli 1.2 stops at the output limit and keeps the input it has not used yet.
            piece = self._decoder.process(data, output_buffer_limit=_STEP)
            while piece:
                yield piece
                if self._decoder.can_accept_more_data():
                    break
                piece = self._decoder.process(b"", output_buffer_limit=_STEP)
        except self._error as exc:
            raise _corrupt("br", exc) from exc

    def finish(self) -> None:
        if self._started and not self._decoder.is_finished():
            raise httpx.DecodingError("the body ends before its br data does")


class _Zstd:
    def __init__(self) -> None:
        import zstandard  # optional, as in httpx

        self._decoder = zstandard.ZstdDecompressor().decompressobj(read_across_frames=True)
        self._error: type[Exception] = zstandard.ZstdError

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            for start in range(0, len(data), _ZSTD_STEP):
                piece = self._decoder.decompress(data[start : start + _ZSTD_STEP])
                if piece:
                    yield piece
        except self._error as exc:
            raise _corrupt("zstd", exc) from exc

    def finish(self) -> None:
        """A cut zstd body shows as missing bytes, as with httpx's own decoder."""


def _corrupt(name: str, exc: Exception) -> httpx.DecodingError:
    return httpx.DecodingError(f"the body is not valid {name} data: {exc}")


def _stage(name: str) -> _Stage:
    if name in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS, "gzip")
    if name == "deflate":
        return _Zlib(zlib.MAX_WBITS, "deflate")
    try:
        if name == "br":
            return _Brotli()
        if name == "zstd":
            return _Zstd()
    except ImportError:
        package = "brotli" if name == "br" else "zstandard"
        raise httpx.DecodingError(
            f"the body is {name}-encoded, which needs the {package} package: pip install {package}"
        ) from None
    raise httpx.DecodingError(f"the body has a Content-Encoding byot cannot decode: {name!r}")


class BodyDecoder:
    """Undo a `Content-Encoding` read by read, refusing output past `limit` bytes."""

    __slots__ = ("_limit", "_setting", "_stages", "_total")

    def __init__(
        self, content_encoding: str | None, *, limit: int, setting: str = "max_body_size"
    ) -> None:
        """A decoder for one body.

        Args:
            content_encoding: The response's `Content-Encoding` header (None: none).
            limit: The most bytes the decoded body may have (and each stage of a chain).
            setting: The name of the setting that raises `limit`, for the error message.

        Raises:
            httpx.DecodingError: An encoding is unknown or its library is not installed.
        """
        self._stages: list[_Stage] = []
        if content_encoding:
            names = [part.strip().lower() for part in content_encoding.split(",")]
            # Undone in reverse order of application; identity stages are no work.
            names.reverse()
            self._stages = [_stage(name) for name in names if name not in ("", "identity")]
        self._limit = limit
        self._setting = setting
        self._total = 0

    def feed(self, data: bytes) -> Iterable[bytes]:
        """Decode one read of the raw body, in pieces of at most about 1 MiB.

        Raises:
            ResponseTooLargeError: The decoded body passed the limit (raised before the piece
                that passes it is yielded).
            httpx.DecodingError: The data is corrupt.
        """
        if not self._stages:  # nothing to undo (most bodies): only the size to count
            self.check_size(self._total + len(data))
            self._total += len(data)
            return (data,) if data else ()
        return self._decoded(data)

    def _decoded(self, data: bytes) -> Iterator[bytes]:
        for piece in self._through(0, data):
            self.check_size(self._total + len(piece))
            self._total += len(piece)
            yield piece

    def check_size(self, size: int) -> None:
        """Refuse a decoded body of `size` bytes when it passes the limit.

        Raises:
            ResponseTooLargeError: `size` is more than the limit.
        """
        if size > self._limit:
            self._too_large()

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):  # a stage's piece: never empty
            yield data
            return
        for piece in self._stages[index].feed(data):
            yield from self._through(index + 1, piece)

    def finish(self) -> None:
        """Check the end of the body: every stage has nothing left to release.

        Raises:
            httpx.DecodingError: The body ends before its encoded data does.
        """
        for stage in self._stages:
            stage.finish()

    def _too_large(self) -> NoReturn:
        limit = self._limit
        shown = f"{limit / _MiB:g} MiB" if limit >= _MiB else f"{limit} bytes"
        raise ResponseTooLargeError(
            f"the response body decodes to more than {shown}, the {self._setting} limit; "
            f"raise it with {self._setting}= if this answer is expected to be that large",
            limit=limit,
            setting=self._setting,
        )
