"""A hostile or broken server never hangs a call past its deadline nor exhausts memory (issue 15).

Both clients, against the fault server: headers trickled a byte at a time, streams kept alive
forever, decompression bombs in every encoding byot accepts, endless bodies, lines and events;
and stream objects used as users do (closed, iterated twice, merged with their own types).
"""

from __future__ import annotations

import dataclasses
import functools
import struct
import threading
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest
from typing_extensions import Self

import byot
from byot import errors
from tests.e2e.server import EventStream, Json
from tests.faults.server import Big, Drip, Encoded, Endless, Trickle

if TYPE_CHECKING:
    from tests.faults.conftest import Faults
    from tests.faults.server import FaultServer

pytestmark = pytest.mark.anyio

PATH = "/v1/things"
CHAT = "/v1/chat/completions"
CHAT_BODY = {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
DONE = b"data: [DONE]\n\n"
MiB = 1 << 20


def chunk(text: str) -> bytes:
    delta = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
    return (
        b"data: " + orjson.dumps({"id": "c", "object": "chat.completion.chunk", **delta}) + b"\n\n"
    )


async def read_all(faults: Faults, stream: Any) -> list[Any]:
    """Every item of a stream, without closing it first (a `for` loop over it)."""
    if faults.is_async:
        return [item async for item in stream]
    return list(stream)


# -- 1. the total deadline is total ----------------------------------------------------------


async def test_headers_trickled_a_byte_at_a_time_end_at_the_total_deadline(
    faults: Faults, server: FaultServer
) -> None:
    # A byte of head every 20 ms for 10 s: no read is ever idle for long.
    server.add(PATH, Trickle(gap=0.02))
    client = faults.client(timeout=byot.Timeout(5, total=0.5), max_retries=0)

    error = await faults.fails(errors.APITimeoutError, faults.request, client, "GET", "/things")

    assert str(error) == "the call's total deadline of 0.5 s ran out"


@pytest.mark.parametrize("part", [b": keep-alive\n\n", chunk("x")], ids=["comments", "events"])
async def test_a_stream_kept_alive_ends_at_the_total_deadline(
    faults: Faults, server: FaultServer, part: bytes
) -> None:
    # A part every 50 ms for 10 s, then a close without the terminator.
    server.add(CHAT, Drip(part, gap=0.05, first=chunk("Hi")))
    client = faults.client(timeout=byot.Timeout(5, total=1.0))

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    error = await faults.fails(errors.APITimeoutError, faults.drain, stream)

    assert str(error) == "the call's total deadline of 1 s ran out"
    assert stream.is_closed
    assert len(server.requests) == 1


async def test_a_stream_read_timeout_is_not_shrunk_to_what_was_left_when_it_opened(
    faults: Faults, server: FaultServer
) -> None:
    # The server falls silent for 3 s after its first event; read= allows 5 s, total= 1 s.
    # The deadline ends the stream, and says so (not a read timeout that read=5 never set).
    server.add(CHAT, Drip(DONE, gap=3.0, first=chunk("Hi")))
    client = faults.client(timeout=byot.Timeout(5, total=1.0))

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    error = await faults.fails(errors.APITimeoutError, faults.drain, stream)

    assert str(error) == "the call's total deadline of 1 s ran out"


@pytest.mark.parametrize("total", [None, 30.0])
async def test_a_stream_keeps_its_whole_read_timeout(
    faults: Faults, server: FaultServer, total: float | None
) -> None:
    server.add(CHAT, EventStream([chunk("a"), DONE], pause=(1, 1.0)))
    client = faults.client(timeout=byot.Timeout(5, read=3, total=total))

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))

    assert len(await faults.drain(stream)) == 1


async def test_a_stream_that_ends_inside_the_deadline_ends_as_without_one(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a")]))  # the body ends before the terminator
    client = faults.client(timeout=byot.Timeout(5, total=30))

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))

    await faults.fails(errors.StreamTruncatedError, faults.drain, stream)


async def test_a_read_timeout_inside_the_deadline_is_a_read_timeout(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, Drip(DONE, gap=3.0, first=chunk("Hi")))
    client = faults.client(timeout=byot.Timeout(5, read=0.5, total=30))

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    error = await faults.fails(errors.APITimeoutError, faults.drain, stream)

    assert str(error).startswith("read timeout")


def own_transport(faults: Faults) -> Any:
    """An httpx transport of the caller's, whose sockets byot cannot bound."""
    return httpx.AsyncHTTPTransport() if faults.is_async else httpx.HTTPTransport()


@pytest.mark.parametrize("kind", ["call", "stream"])
async def test_through_a_callers_transport_the_deadline_is_checked_between_reads(
    faults: Faults, server: FaultServer, kind: str
) -> None:
    # A comment every 50 ms for 10 s: no read times out, but the deadline does.
    server.add(CHAT, Drip(b": keep-alive\n\n", gap=0.05, first=chunk("Hi")))
    client = faults.client(timeout=byot.Timeout(5, total=1.0), transport=own_transport(faults))

    if kind == "call":
        error = await faults.fails(
            errors.APITimeoutError, faults.request, client, "POST", "/chat/completions"
        )
    else:
        stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
        error = await faults.fails(errors.APITimeoutError, faults.drain, stream)

    assert str(error) == "the call's total deadline of 1 s ran out"


# -- 2. bounded memory -----------------------------------------------------------------------

BOMB = 2 << 30  # 2 GiB of zeros, once decompressed
# zlib.crc32 / zlib.adler32 of BOMB zero bytes (what the trailers of a whole gzip / zlib
# stream carry), computed once: recomputing them over 2 GiB takes seconds.
_BOMB_CRC32 = 0x4DBDF21C
_BOMB_ADLER32 = 0x80690001


@functools.cache
def bomb(encoding: str) -> bytes:
    """BOMB zero bytes compressed as `encoding` (a few MiB at most), built in seconds.

    Deflate data of a MiB of zeros ending in a full flush is the same for every MiB, so it is
    made once and repeated between the header and the trailer.
    """
    zeros = bytes(MiB)
    count = BOMB // MiB
    if encoding in ("gzip", "deflate"):
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
        data = block * count + compressor.flush()
        if encoding == "gzip":
            trailer = struct.pack("<II", _BOMB_CRC32, BOMB & 0xFFFFFFFF)
            return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + data + trailer
        return b"\x78\xda" + data + struct.pack(">I", _BOMB_ADLER32)
    if encoding == "br":
        brotli: Any = pytest.importorskip("brotli")
        stream = brotli.Compressor(quality=1)
        return b"".join(stream.process(zeros) for _ in range(count)) + stream.finish()
    zstandard = pytest.importorskip("zstandard")
    writer = zstandard.ZstdCompressor(level=1).compressobj()
    return b"".join(writer.compress(zeros) for _ in range(count)) + writer.flush()


def test_the_bombs_are_what_they_claim() -> None:
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data, size = bomb("gzip"), 0
    while data:
        size += len(decoder.decompress(data, 64 * MiB))
        data = decoder.unconsumed_tail
    assert (size, decoder.eof) == (BOMB, True)  # whole, trailer (CRC and size) checked
    start = zlib.decompressobj().decompress(bomb("deflate"), MiB)
    assert start == bytes(MiB)  # the same blocks behind a zlib header


def rss() -> int:
    """The process's resident memory now, in bytes."""
    pages = Path("/proc/self/statm").read_text().split()[1]
    return int(pages) * 4096


class PeakRSS:
    """The most resident memory the process used above its level at the start."""

    def __init__(self) -> None:
        self.baseline = rss()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, rss())

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())

    @property
    def above(self) -> int:
        return self.peak - self.baseline


def measured(name: str, peak: PeakRSS) -> None:
    print(f"\n{name}: peak RSS {peak.above / MiB:.0f} MiB above baseline")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
async def test_a_decompression_bomb_ends_in_the_typed_error_in_bounded_memory(
    faults: Faults, server: FaultServer, encoding: str
) -> None:
    server.add(PATH, Encoded(bomb(encoding), encoding=encoding, raw=True))
    client = faults.client(max_retries=0)

    with PeakRSS() as peak:
        error = await faults.fails(
            errors.ResponseTooLargeError, faults.request, client, "GET", "/things"
        )

    measured(f"{encoding} bomb of 2 GiB [{faults.mode}]", peak)
    assert (error.limit, error.setting) == (128 * MiB, "max_body_size")
    assert "raise it with max_body_size=" in str(error)
    assert peak.above < 200 * 1000 * 1000
    assert len(server.requests) == 1  # a limit is not a network failure: never retried


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
async def test_an_endless_body_ends_at_the_default_limit_in_bounded_memory(
    faults: Faults, server: FaultServer
) -> None:
    server.add(PATH, Endless(b"x" * 65536))
    client = faults.client()

    with PeakRSS() as peak:
        error = await faults.fails(
            errors.ResponseTooLargeError, faults.request, client, "GET", "/things"
        )

    measured(f"endless body [{faults.mode}]", peak)
    assert error.setting == "max_body_size"
    assert peak.above < 200 * 1000 * 1000


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
async def test_a_gzip_bomb_as_an_event_stream_ends_at_the_line_limit(
    faults: Faults, server: FaultServer
) -> None:
    headers = {"Content-Type": "text/event-stream"}
    server.add(CHAT, Encoded(bomb("gzip"), encoding="gzip", raw=True, headers=headers))
    client = faults.client()

    with PeakRSS() as peak:
        stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
        error = await faults.fails(errors.ResponseTooLargeError, faults.drain, stream)

    assert (error.limit, error.setting) == (64 * MiB, "max_line_size")
    assert peak.above < 200 * 1000 * 1000
    assert stream.is_closed


async def test_the_body_limit_per_client_per_copy_and_per_call(
    faults: Faults, server: FaultServer
) -> None:
    answer = {"text": "a" * (2 * MiB)}
    for _ in range(4):
        server.add(PATH, Json(body=answer))
    client = faults.client(max_body_size=MiB)

    error = await faults.fails(
        errors.ResponseTooLargeError, faults.request, client, "GET", "/things"
    )
    assert str(error) == (
        "the response body decodes to more than 1 MiB, the max_body_size limit; raise it with "
        "max_body_size= if this answer is expected to be that large"
    )
    assert await faults.request(client, "GET", "/things", max_body_size=4 * MiB) == answer
    roomy = client.with_options(max_body_size=4 * MiB)
    assert await faults.request(roomy, "GET", "/things") == answer
    assert roomy.with_options(timeout=9)._settings.limits.body == 4 * MiB  # kept by a copy
    await faults.fails(errors.ResponseTooLargeError, faults.request, client, "GET", "/things")


async def test_an_error_body_is_bounded_too(faults: Faults, server: FaultServer) -> None:
    server.add(PATH, Json(status=500, body={"error": {"message": "x" * (2 * MiB)}}))
    client = faults.client(max_body_size=MiB, max_retries=0)

    error = await faults.fails(
        errors.ResponseTooLargeError, faults.request, client, "GET", "/things"
    )
    assert error.limit == MiB


async def test_a_line_without_an_end_ends_at_the_per_call_line_limit(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, Endless(b"x" * 65536, head=b"data: ", content_type="text/event-stream"))
    client = faults.client()

    stream = await faults.result(
        client.chat.completions.create_stream(CHAT_BODY, max_line_size=MiB)
    )
    error = await faults.fails(errors.ResponseTooLargeError, faults.drain, stream)

    assert (error.limit, error.setting) == (MiB, "max_line_size")
    assert "raise it with max_line_size=" in str(error)
    assert stream.is_closed


async def test_an_endless_event_ends_at_the_client_event_limit(
    faults: Faults, server: FaultServer
) -> None:
    line = b"data: " + b"x" * 1000 + b"\n"
    server.add(CHAT, Endless(line * 64, content_type="text/event-stream"))
    client = faults.client(max_event_size=MiB)

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    error = await faults.fails(errors.ResponseTooLargeError, faults.drain, stream)

    assert (error.limit, error.setting) == (MiB, "max_event_size")
    assert stream.is_closed


async def test_a_compressed_event_stream_is_read(faults: Faults, server: FaultServer) -> None:
    body = zlib.compress(chunk("Hel") + chunk("lo") + DONE)
    headers = {"Content-Type": "text/event-stream"}
    server.add(CHAT, Encoded(body, encoding="deflate", raw=True, headers=headers))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    items = await faults.drain(stream)

    assert [item["choices"][0]["delta"]["content"] for item in items] == ["Hel", "lo"]


async def test_streamed_downloads_have_no_size_limit(faults: Faults, server: FaultServer) -> None:
    server.add("/v1/files/f/content", Big(3 * MiB))
    client = faults.client(max_body_size=MiB)

    stream = await faults.result(client.files.content_chunks("f"))
    content = await faults.result(stream.read())

    assert len(content) == 3 * MiB


@pytest.mark.parametrize(
    ("option", "value", "error"),
    [("max_body_size", 0, ValueError), ("max_line_size", "1", TypeError)],
)
def test_a_limit_must_be_a_positive_int(option: str, value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match=option):
        byot.Client(api_key="k", **{option: value})


# -- 7. stream objects behave ----------------------------------------------------------------


@dataclasses.dataclass
class Delta:
    content: str | None = None


@dataclasses.dataclass
class Choice:
    index: int
    delta: Delta


@dataclasses.dataclass
class Chunk:
    id: str
    choices: list[Choice]


@pytest.mark.parametrize(
    "kind", [{"event_type": Chunk}, {"decoder": orjson.loads}], ids=["event_type", "decoder"]
)
async def test_final_merges_a_stream_of_the_callers_own_items(
    faults: Faults, server: FaultServer, kind: dict[str, Any]
) -> None:
    server.add(CHAT, EventStream([chunk("Hel"), chunk("lo"), DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY, **kind))
    first = await faults.result(stream.__anext__() if faults.is_async else next(stream))
    completion = await faults.result(stream.final())

    assert first == (Chunk("c", [Choice(0, Delta("Hel"))]) if "event_type" in kind else first)
    assert completion["choices"][0]["message"]["content"] == "Hello"
    assert stream.is_closed


async def test_final_refuses_a_stream_it_cannot_merge_before_reading_it(
    faults: Faults, server: FaultServer
) -> None:
    event = b'data: {"type": "speech.audio.done"}\n\n'
    server.add("/v1/audio/speech", EventStream([event]))
    client = faults.client()

    stream = await faults.result(client.audio.speech.create_stream({"model": "m", "input": "x"}))
    with pytest.raises(TypeError, match="collect the events yourself"):
        await faults.result(stream.final())

    assert await faults.drain(stream) == [{"type": "speech.audio.done"}]


async def test_final_after_close_says_the_stream_was_closed(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a"), DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await faults.result(stream.aclose() if faults.is_async else stream.close())
    error = await faults.fails(errors.StreamClosedError, stream.final)

    assert "was closed before its end" in str(error)
    assert isinstance(error, RuntimeError)


async def test_iterating_after_close_says_the_stream_was_closed(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a"), chunk("b"), DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    first = await faults.result(stream.__anext__() if faults.is_async else next(stream))
    await faults.result(stream.aclose() if faults.is_async else stream.close())
    error = await faults.fails(errors.StreamClosedError, read_all, faults, stream)

    assert first["choices"][0]["delta"]["content"] == "a"
    assert "was closed before its end" in str(error)


async def test_closing_inside_the_loop_ends_it_with_the_closed_error(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a"), chunk("b"), DONE], delay=0.5))
    client = faults.client()
    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    seen: list[Any] = []

    async def loop() -> None:
        if faults.is_async:
            async for item in stream:
                seen.append(item)
                await stream.aclose()
        else:
            for item in stream:
                seen.append(item)
                stream.close()

    await faults.fails(errors.StreamClosedError, loop)
    assert len(seen) == 1


async def test_a_second_iteration_says_the_stream_was_read(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a"), DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    assert len(await read_all(faults, stream)) == 1
    error = await faults.fails(errors.StreamClosedError, read_all, faults, stream)

    assert "was already read to its end" in str(error)
    assert (await faults.result(stream.final()))["choices"][0]["message"]["content"] == "a"


async def test_a_200_that_is_only_an_error_raises_the_status_error(
    faults: Faults, server: FaultServer
) -> None:
    upstream = {"error": {"message": "upstream failed", "type": "server_error", "code": 502}}
    server.add(PATH, Json(body=upstream))
    client = faults.client(max_retries=0)

    error = await faults.fails(errors.APIStatusError, faults.request, client, "GET", "/things")

    assert error.status_code == 200
    assert "upstream failed" in str(error)
    assert error.body == upstream


async def test_a_200_result_that_has_an_error_field_is_a_result(
    faults: Faults, server: FaultServer
) -> None:
    result = {"error": None, "id": "resp_1"}
    server.add(PATH, Json(body=result))
    server.add(PATH, Json(body={"error": {"message": "m"}, "id": "batch_1"}))
    client = faults.client()

    assert await faults.request(client, "GET", "/things") == result
    assert (await faults.request(client, "GET", "/things"))["id"] == "batch_1"


async def test_next_after_close_says_the_stream_was_closed(
    faults: Faults, server: FaultServer
) -> None:
    server.add(CHAT, EventStream([chunk("a"), DONE]))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await faults.result(stream.aclose() if faults.is_async else stream.close())
    step = stream.__anext__ if faults.is_async else stream.__next__

    await faults.fails(errors.StreamClosedError, step)


async def test_a_compressed_stream_cut_before_its_terminator_is_truncated(
    faults: Faults, server: FaultServer
) -> None:
    headers = {"Content-Type": "text/event-stream"}
    body = zlib.compress(chunk("a"))
    server.add(CHAT, Encoded(body, encoding="deflate", raw=True, headers=headers))
    client = faults.client()

    stream = await faults.result(client.chat.completions.create_stream(CHAT_BODY))
    await faults.fails(errors.StreamTruncatedError, faults.drain, stream)


async def test_a_typed_stream_that_cannot_be_merged_keeps_no_raw_data(
    faults: Faults, server: FaultServer
) -> None:
    server.add("/v1/audio/speech", EventStream([b'data: {"type": "speech.audio.done"}\n\n']))
    client = faults.client()

    stream = await faults.result(
        client.audio.speech.create_stream({"model": "m", "input": "x"}, decoder=orjson.loads)
    )

    assert await faults.drain(stream) == [{"type": "speech.audio.done"}]
    assert stream._feed.seen is None


@pytest.mark.parametrize("body", [b'{"error": {"message": "m"}', b'[{"error": {"message": "m"}}]'])
async def test_a_200_that_starts_like_an_error_but_is_not_one(
    faults: Faults, server: FaultServer, body: bytes
) -> None:
    server.add(PATH, Json(body=body))
    client = faults.client()

    # Not an error object: decoded as any answer is (and refused here, as not one JSON object).
    error = await faults.fails(errors.DecodeError, faults.request, client, "GET", "/things")
    assert error.raw == body
