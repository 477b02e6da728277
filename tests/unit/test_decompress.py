"""`BodyDecoder`: every content encoding undone read by read, never past its limit."""

from __future__ import annotations

import gzip
import importlib
import sys
import tracemalloc
import zlib
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import zstandard

from byot._decompress import DEFAULT_MAX_BODY, BodyDecoder
from byot.errors import ResponseTooLargeError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

MiB = 1024 * 1024
brotli: Any = importlib.import_module("brotli")  # ships no types
TEXT = b'{"id": "x", "text": "' + b"hello, world " * 5000 + b'"}'


def deflate_raw(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor().compress(data)


def br(data: bytes) -> bytes:
    out: bytes = brotli.compress(data)
    return out


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "deflate-raw": deflate_raw,
    "br": br,
    "zstd": zstd,
}


def header(name: str) -> str:
    return name.removesuffix("-raw")


def reads(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def decode_all(decoder: BodyDecoder, data: bytes, size: int = 1000) -> bytes:
    out = b"".join(piece for read in reads(data, size) for piece in decoder.feed(read))
    decoder.finish()
    return out


def drain(decoder: BodyDecoder, data: bytes, kept: list[int]) -> None:
    """Feed `data` in 64 KiB reads, noting the size of each decoded piece in `kept`."""
    kept.extend(len(piece) for read in reads(data, 65536) for piece in decoder.feed(read))
    decoder.finish()


@pytest.mark.parametrize("size", [1, 7, 1000, 1 << 20])
@pytest.mark.parametrize("name", list(ENCODERS))
def test_each_encoding_round_trips_in_reads_of_any_size(name: str, size: int) -> None:
    decoder = BodyDecoder(header(name), limit=DEFAULT_MAX_BODY)
    assert decode_all(decoder, ENCODERS[name](TEXT), size) == TEXT


@pytest.mark.parametrize("encoding", [None, "", "identity", "Identity"])
def test_no_encoding_passes_the_bytes_through(encoding: str | None) -> None:
    assert decode_all(BodyDecoder(encoding, limit=len(TEXT)), TEXT) == TEXT
    assert list(BodyDecoder(encoding, limit=1).feed(b"")) == []  # an empty read: no piece


def test_a_chain_is_undone_in_reverse_order() -> None:
    wire = gzip.compress(br(TEXT))
    assert decode_all(BodyDecoder("br, GZIP", limit=len(TEXT)), wire) == TEXT


@pytest.mark.parametrize("name", list(ENCODERS))
def test_exactly_the_limit_passes_and_one_byte_more_does_not(name: str) -> None:
    wire = ENCODERS[name](TEXT)
    assert decode_all(BodyDecoder(header(name), limit=len(TEXT)), wire) == TEXT
    with pytest.raises(ResponseTooLargeError) as info:
        decode_all(BodyDecoder(header(name), limit=len(TEXT) - 1), wire)
    assert info.value.limit == len(TEXT) - 1
    assert info.value.setting == "max_body_size"
    assert str(info.value) == (
        f"the response body decodes to more than {len(TEXT) - 1} bytes, the max_body_size "
        "limit; raise it with max_body_size= if this answer is expected to be that large"
    )


def bomb(name: str, size: int) -> bytes:
    """`size` zero bytes, compressed as `name` without ever holding them all."""
    block = bytes(MiB)
    if name == "gzip":
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    elif name == "deflate":
        packer = zlib.compressobj(9)
    elif name == "deflate-raw":
        packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    elif name == "zstd":
        return zstandard.ZstdCompressor().compress(bytes(size))
    else:
        return br(bytes(size))
    return b"".join(packer.compress(block) for _ in range(size // MiB)) + packer.flush()


@pytest.mark.parametrize("name", list(ENCODERS))
def test_a_bomb_stops_at_the_limit_in_bounded_memory(name: str) -> None:
    wire = bomb(name, 256 * MiB)
    assert len(wire) < MiB  # a small body ...
    decoder = BodyDecoder(header(name), limit=4 * MiB, setting="max_body_size")
    kept: list[int] = []
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError, match=r"more than 4 MiB, the max_body_size"):
            drain(decoder, wire, kept)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sum(kept) <= 4 * MiB
    assert max(kept) <= 2 * MiB  # in pieces: never the limit at once
    assert peak < 8 * MiB  # ... that would be 256 MiB: memory stays near a piece


def test_each_stage_of_a_chain_is_bounded() -> None:
    wire = gzip.compress(zstd(bytes(8 * MiB)))
    with pytest.raises(ResponseTooLargeError, match="more than 1 MiB"):
        decode_all(BodyDecoder("zstd, gzip", limit=MiB), wire, 65536)


@pytest.mark.parametrize("name", ["gzip", "deflate", "br", "zstd"])
def test_corrupt_data_is_httpx_decoding_error(name: str) -> None:
    decoder = BodyDecoder(name, limit=MiB)
    with pytest.raises(httpx.DecodingError, match=f"the body is not valid {name} data"):
        decode_all(decoder, b"\xff" * 64 + b"this is not compressed")


@pytest.mark.parametrize("name", ["gzip", "deflate", "deflate-raw", "br"])
def test_a_body_cut_before_its_end_is_a_decoding_error(name: str) -> None:
    wire = ENCODERS[name](TEXT)
    decoder = BodyDecoder(header(name), limit=MiB)
    assert len(b"".join(decoder.feed(wire[: len(wire) // 2]))) < len(TEXT)  # some, not all
    with pytest.raises(httpx.DecodingError, match=f"the body ends before its {header(name)} data"):
        decoder.finish()


def test_an_empty_body_is_empty_whatever_its_encoding() -> None:
    for name in ("gzip", "deflate", "br", "zstd"):
        assert decode_all(BodyDecoder(name, limit=MiB), b"") == b""


def test_an_unknown_encoding_is_refused_before_reading() -> None:
    with pytest.raises(httpx.DecodingError, match="byot cannot decode: 'compress'"):
        BodyDecoder("compress", limit=MiB)


@pytest.mark.parametrize(("name", "package"), [("br", "brotli"), ("zstd", "zstandard")])
def test_a_missing_library_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, name: str, package: str
) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # import fails as if not installed
    with pytest.raises(httpx.DecodingError, match=f"needs the {package} package: pip install"):
        BodyDecoder(name, limit=MiB)
