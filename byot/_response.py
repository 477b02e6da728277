"""What calls return besides a decoded value: `APIResponse` and the binary streams.

`APIResponse` is what `raw=True` gives; `BinaryStream` / `AsyncBinaryStream` are what the
`*_chunks` methods of binary endpoints (audio, files, videos) give, never holding a whole body.
"""

from __future__ import annotations

import functools
import itertools
import sys
import weakref
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol

import httpx

from byot._codec import loads
from byot._decompress import BodyDecoder
from byot._override import override
from byot._signatures import R
from byot._size_limits import DEFAULT_LIMITS, SizeLimits
from byot._sse import SKIP, SSEDecoder, kept_data, kept_read
from byot._timeout import DEADLINE
from byot._transport_errors import connection_error
from byot.errors import StreamClosedError

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator

    from typing_extensions import Self

    from byot._ratelimit import RateLimits
    from byot._sse import Event, StreamRules
    from byot._timeout import Deadline


@dataclass(frozen=True)
class APIResponse(Generic[R]):
    """A decoded response with its status, headers and raw body.

    Example:
        ```python
        response = client.request("POST", "/chat/completions", body=body, raw=True)
        print(response.headers["x-ratelimit-remaining-requests"], response.request_id)
        chat = response.parsed
        ```

    Attributes:
        parsed: The body decoded as the call asked (a dict unless a type was named).
        status_code: The HTTP status.
        headers: The response headers (case-insensitive).
        content: The body exactly as received (after content decoding).
        method: The request's HTTP method.
        url: The request's URL.
        retries_taken: How many retries it took (0 when the first attempt succeeded).

    `rate_limits` reads the `x-ratelimit-*` and `retry-after` headers into a
    `byot.RateLimits` the first time it is asked for.
    """

    parsed: R
    status_code: int
    headers: httpx.Headers
    content: bytes
    method: str
    url: str
    retries_taken: int

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` response header, to quote to the provider's support."""
        request_id: str | None = self.headers.get("x-request-id")
        return request_id

    @cached_property
    def rate_limits(self) -> RateLimits:
        """The rate-limit state the response's headers report (requests, tokens, retry-after)."""
        return _rate_limits(self.headers)

    @override
    def __repr__(self) -> str:
        return (
            f"APIResponse(status_code={self.status_code}, method={self.method!r}, "
            f"url={self.url!r}, request_id={self.request_id!r}, "
            f"retries_taken={self.retries_taken})"
        )


class _StreamBase:
    """What both binary streams share: the response's metadata, and closing it."""

    def __init__(self, response: httpx.Response, *, method: str, url: str) -> None:
        self._response = response
        self.method = method
        self.url = url

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self._response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers (case-insensitive)."""
        return self._response.headers

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` response header."""
        request_id: str | None = self._response.headers.get("x-request-id")
        return request_id

    @cached_property
    def rate_limits(self) -> RateLimits:
        """The rate-limit state the response's headers report (requests, tokens, retry-after)."""
        return _rate_limits(self._response.headers)

    @property
    def is_closed(self) -> bool:
        """Whether the connection has been released."""
        return self._response.is_closed

    @override
    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, method={self.method!r}, "
            f"url={self.url!r}, request_id={self.request_id!r})"
        )

    def __del__(self) -> None:
        # A stream dropped before it was read to the end still holds its connection. An async
        # one must be closed by awaiting, so that is left to a task of the running loop.
        response = self._response
        if not response.is_closed:
            if isinstance(response.stream, httpx.SyncByteStream):
                response.close()
            else:
                _close_soon(response)


class BinaryStream(_StreamBase):
    """A binary answer (audio, a file, a video) read as it arrives, never whole in memory.

    Use it as a context manager so the connection is released even when reading stops early:

    ```python
    with client.files.content_chunks("file-abc") as stream:
        stream.write_to("data.jsonl")
    ```
    """

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks, decompressed, as they arrive."""
        try:
            yield from self._response.iter_bytes(chunk_size)
        finally:
            self.close()

    def read(self) -> bytes:
        """The whole body (for small answers)."""
        return b"".join(self.iter_bytes())

    def write_to(self, path: str | os.PathLike[str]) -> int:
        """Write the body to a file chunk by chunk; returns the number of bytes written."""
        written = 0
        with Path(path).open("wb") as out:
            for chunk in self.iter_bytes():
                written += out.write(chunk)
        return written

    def close(self) -> None:
        """Release the connection (the rest of the body is not read)."""
        self._response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncBinaryStream(_StreamBase):
    """The async twin of `BinaryStream`.

    ```python
    async with await client.files.content_chunks("file-abc") as stream:
        await stream.write_to("data.jsonl")
    ```
    """

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in chunks, decompressed, as they arrive."""
        try:
            async for chunk in self._response.aiter_bytes(chunk_size):
                yield chunk
        finally:
            await self.aclose()

    async def read(self) -> bytes:
        """The whole body (for small answers)."""
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def write_to(self, path: str | os.PathLike[str]) -> int:
        """Write the body to a file chunk by chunk; returns the number of bytes written."""
        written = 0
        with Path(path).open("wb") as out:  # noqa: ASYNC230 - one local chunk at a time
            async for chunk in self.aiter_bytes():
                written += out.write(chunk)
        return written

    async def aclose(self) -> None:
        """Release the connection (the rest of the body is not read)."""
        await self._response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class StreamWatch(Protocol):
    """An observer of a stream (telemetry): it sees each read's events, and the stream's end."""

    def events(self, events: list[Any]) -> None:
        """One read's events, before they become items."""

    def end(self, error: BaseException | None) -> None:
        """The stream ended: read whole (None), closed, or cut off by `error`.

        Called once or more (closing a finished stream ends it again): only the first counts.
        """


class _Feed:
    """Decoded events to the caller's items: the state a stream's reading loop needs.

    Kept apart from the stream object so the reading generator holds no reference to it: a
    stream dropped mid-iteration is freed (and its connection released) at once, not when the
    cycle collector runs.
    """

    __slots__ = (
        "closed",
        "convert",
        "deadline",
        "decoder",
        "deliver",
        "ended",
        "rules",
        "seen",
        "watch",
    )

    def __init__(
        self,
        rules: StreamRules,
        convert: Callable[[Event, Any], Any] | None,
        *,
        keep: bool,
        limits: SizeLimits,
        deadline: Deadline | None,
        watch: StreamWatch | None = None,
    ) -> None:
        self.rules = rules
        self.deadline = deadline  # the call's total deadline, which bounds the stream's life
        self.convert = convert
        self.ended = False  # the reading loop has run to its end (or failed): nothing is left
        self.closed = False  # the caller closed the stream
        # Nameless events come as bare data where no converter needs their `Event`.
        self.decoder = SSEDecoder(
            bare=convert is None and not rules.named, max_line=limits.line, max_event=limits.event
        )
        # The raw data of the delivered events, for final() to merge (chat, Responses only,
        # converted or not: a stream validating its events converts them), one bytes object
        # per read (`byot._sse.kept_data` splits it). Bytes, not the decoded dicts: keeping
        # thousands of dicts alive costs the garbage collector ~1.3 us per event; and per read,
        # not per event, which spares an object and an append per event.
        self.seen: list[bytes] | None = [] if keep else None
        # The items of one read's events, up to the terminator, as a list (see
        # `StreamRules.items`). Items as they are come straight from the rules' own loop.
        self.deliver: Callable[[list[Any]], list[Any]] = (
            functools.partial(rules.items, keep=self.seen) if convert is None else self._converted
        )
        self.watch = watch
        if watch is not None:
            self.deliver = functools.partial(_watched, watch, self.deliver)

    def end(self, error: BaseException | None) -> None:
        """Tell the watcher, if any, that the stream ended."""
        if self.watch is not None:
            self.watch.end(error)

    def _converted(self, events: list[Event]) -> list[Any]:
        # A failed conversion, like a provider's error, comes after the items before it.
        rules, convert, seen = self.rules, self.convert, self.seen
        assert convert is not None  # noqa: S101 - chosen only with a converter
        out: list[Any] = []
        kept: list[bytes] = []
        try:
            for event in events:
                item = rules.handle(event)
                if item is not SKIP:
                    out.append(convert(event, item))
                    kept.append(event.data)
                if rules.done:
                    break
        except Exception as exc:  # noqa: BLE001 - raised by `finish`, after `out`
            rules.fail(exc)
        if seen is not None and kept:
            seen.append(kept_read(kept))
        return out


def _watched(
    watch: StreamWatch, deliver: Callable[[list[Any]], list[Any]], events: list[Any]
) -> list[Any]:
    watch.events(events)
    return deliver(events)


# A stream's body has no total size limit (its lines and events have theirs), but a compressed
# one is still inflated a bounded piece at a time.
_UNBOUNDED = sys.maxsize


def _chunks(response: httpx.Response) -> Generator[bytes]:
    """The body as it arrives, decompressed in pieces of at most about 1 MiB."""
    encoding = response.headers.get("content-encoding")
    if response.is_stream_consumed:  # read already, by a response hook or a mock transport
        yield response.content
        return
    if not encoding:
        yield from response.iter_raw()
        return
    decoder = BodyDecoder(encoding, limit=_UNBOUNDED)
    for chunk in response.iter_raw():
        yield from decoder.feed(chunk)
    decoder.finish()


async def _achunks(response: httpx.Response) -> AsyncGenerator[bytes]:
    """The async twin of `_chunks`."""
    encoding = response.headers.get("content-encoding")
    if response.is_stream_consumed:  # read already, by a response hook or a mock transport
        yield response.content
        return
    if not encoding:
        async for chunk in response.aiter_raw():
            yield chunk
        return
    decoder = BodyDecoder(encoding, limit=_UNBOUNDED)
    async for chunk in response.aiter_raw():
        for piece in decoder.feed(chunk):
            yield piece
    decoder.finish()


def _within(chunks: Iterator[bytes], deadline: Deadline, method: str, url: str) -> Generator[bytes]:
    """`chunks`, each read bounded by the call's total deadline (see `byot._deadline_io`).

    Between reads the deadline is checked too, for transports byot does not own, where only a
    chunk's arrival gives the chance.
    """
    while True:
        if deadline.expired():
            raise deadline.error(method, url)
        scope = DEADLINE.set(deadline)
        try:
            chunk = next(chunks, None)
        except httpx.TimeoutException as exc:
            if deadline.expired():
                raise deadline.error(method, url) from exc
            raise
        finally:
            DEADLINE.reset(scope)
        if chunk is None:
            return
        yield chunk


async def _awithin(
    chunks: AsyncIterator[bytes], deadline: Deadline, method: str, url: str
) -> AsyncGenerator[bytes]:
    """The async twin of `_within`."""
    while True:
        if deadline.expired():
            raise deadline.error(method, url)
        scope = DEADLINE.set(deadline)
        try:
            chunk = await anext(chunks, None)
        except httpx.TimeoutException as exc:
            if deadline.expired():
                raise deadline.error(method, url) from exc
            raise
        finally:
            DEADLINE.reset(scope)
        if chunk is None:
            return
        yield chunk


def _closed_early(method: str, url: str) -> StreamClosedError:
    return StreamClosedError(
        f"the stream of {method} {url} was closed before its end, so its remaining events "
        "are gone: read (or call final()) before closing it, or leave the with block later"
    )


def _read_events(
    response: httpx.Response, feed: _Feed, method: str, url: str
) -> Generator[list[Any]]:
    """The items of the stream, a list per read: `Stream` chains them in C, item by item."""
    error: BaseException | None = None
    chunks = _chunks(response)
    if feed.deadline is not None:
        chunks = _within(chunks, feed.deadline, method, url)
    try:
        decoder, rules, deliver = feed.decoder, feed.rules, feed.deliver
        try:
            for chunk in chunks:
                yield deliver(decoder.feed(chunk))
                if rules.done:
                    break
                if feed.closed:  # by the caller, between two items
                    raise _closed_early(method, url)
        except httpx.StreamClosed:
            raise _closed_early(method, url) from None
        except httpx.RequestError as exc:  # a reset or an idle timeout while reading
            raise connection_error(method, url, exc) from exc
        if not rules.done:
            yield deliver(decoder.flush())
        rules.finish()
    except BaseException as exc:  # the watcher learns how the stream ended; exc goes on
        error = exc
        raise
    finally:
        feed.ended = True
        chunks.close()
        response.close()
        feed.end(error)


async def _aread_events(
    response: httpx.Response, feed: _Feed, method: str, url: str
) -> AsyncIterator[Any]:
    error: BaseException | None = None
    chunks = _achunks(response)
    if feed.deadline is not None:
        chunks = _awithin(chunks, feed.deadline, method, url)
    try:
        decoder, rules, deliver = feed.decoder, feed.rules, feed.deliver
        try:
            async for chunk in chunks:
                for item in deliver(decoder.feed(chunk)):
                    yield item
                if rules.done:
                    break
                if feed.closed:  # by the caller, between two items
                    raise _closed_early(method, url)
        except httpx.StreamClosed:
            raise _closed_early(method, url) from None
        except httpx.RequestError as exc:  # a reset or an idle timeout while reading
            raise connection_error(method, url, exc) from exc
        if not rules.done:
            for item in deliver(decoder.flush()):
                yield item
        rules.finish()
    except BaseException as exc:
        error = exc
        raise
    finally:
        feed.ended = True
        await chunks.aclose()
        await response.aclose()
        feed.end(error)


class _EventStreamBase(_StreamBase, Generic[R]):
    """What both event streams share: the feed, and merging what it delivered."""

    def __init__(
        self,
        response: httpx.Response,
        rules: StreamRules,
        convert: Callable[[Event, Any], R] | None,
        *,
        method: str,
        url: str,
        accumulate: Callable[[list[Any]], dict[str, Any]] | None = None,
        limits: SizeLimits = DEFAULT_LIMITS,
        deadline: Deadline | None = None,
        watch: StreamWatch | None = None,
    ) -> None:
        super().__init__(response, method=method, url=url)
        self._feed = _Feed(
            rules,
            convert,
            keep=accumulate is not None,
            limits=limits,
            deadline=deadline,
            watch=watch,
        )
        self._accumulate = accumulate

    @override
    def __del__(self) -> None:
        # Once the reading generator exists it owns the response (see `_items`): the stream
        # object may go while the generator reads on (`for x in client...create_stream(...)`).
        if "_items" not in self.__dict__:
            super().__del__()
            self._feed.end(None)

    def _merger(self) -> Callable[[], dict[str, Any]]:
        """What merges the events `final()` reads, refused before anything is read.

        Raises:
            TypeError: The stream is not a chat completion or Responses stream.
            StreamClosedError: The stream was closed before its end.
        """
        accumulate, feed = self._accumulate, self._feed
        if accumulate is None:
            raise TypeError(
                "final() merges chat completion and Responses streams; for other streams "
                "collect the events yourself"
            )
        if feed.closed and not feed.ended:
            raise _closed_early(self.method, self.url)
        return lambda: accumulate(list(map(loads, kept_data(feed.seen or ()))))

    def _check_unread(self) -> None:
        """Refuse to iterate a stream that has nothing left to give, instead of yielding nothing.

        Raises:
            StreamClosedError: The stream was already read to its end (or ended in an error),
                or was closed before its end.
        """
        feed = self._feed
        if feed.closed and not feed.ended:
            raise _closed_early(self.method, self.url)
        if feed.ended:
            raise StreamClosedError(
                f"the stream of {self.method} {self.url} was already read to its end: a stream "
                "is read once, so keep its items as they come (final() still merges them)"
            )


class Stream(_EventStreamBase[R]):
    """A server-sent-event stream: iterate it for one item per event.

    Items are dicts by default, the caller's type with `event_type=`, or what `decoder=`
    returns; where the wire names its events (Responses, Assistants, images), each item is an
    `(event name, value)` pair. Errors the provider reports inside the stream raise
    `byot.errors.StreamError`; a stream cut before its terminator raises
    `byot.errors.StreamTruncatedError`; a reset or an idle read timeout between events
    (`Timeout(read=...)`) raises `byot.errors.APIConnectionError` / `APITimeoutError`.
    Leaving the `with` block, `close()`, stopping the iteration or dropping the stream
    releases the connection.

    ```python
    with client.chat.completions.create_stream(body) as stream:
        for chunk in stream:
            print(chunk["choices"][0]["delta"].get("content") or "", end="")
    ```
    """

    def __iter__(self) -> Iterator[R]:
        self._check_unread()
        return self._items

    def __next__(self) -> R:
        return next(self._items)

    @cached_property
    def _items(self) -> Iterator[R]:
        reads = _read_events(self._response, self._feed, self.method, self.url)
        # A generator that started closes the response in its `finally`; one dropped before
        # its first step never runs that, so its collection closes the response too.
        weakref.finalize(reads, self._response.close)
        # Chained in C: an item costs no generator step, only a read does.
        return itertools.chain.from_iterable(reads)

    def final(self) -> dict[str, Any]:
        """Read the rest of the stream and return the whole completion or response, merged.

        For chat completions: one `chat.completion` dict (content, refusal, tool calls,
        usage); for Responses: the final response. The events already iterated count too,
        whatever `event_type=` or `decoder=` made of them.

        Raises:
            TypeError: The stream is of another kind (checked before anything is read).
            StreamClosedError: The stream was closed before its end.
        """
        merged = self._merger()
        for _ in self._items:
            pass
        return merged()

    def close(self) -> None:
        """Release the connection; the rest of the stream is not read."""
        self._feed.closed = True
        self._response.close()
        self._feed.end(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncStream(_EventStreamBase[R]):
    """The async twin of `Stream`: `async for` it, `async with` it, `await stream.aclose()`."""

    def __aiter__(self) -> AsyncIterator[R]:
        self._check_unread()
        return self._items

    async def __anext__(self) -> R:
        return await anext(self._items)

    @cached_property
    def _items(self) -> AsyncIterator[R]:
        items = _aread_events(self._response, self._feed, self.method, self.url)
        # As in `Stream._items`; the event loop closes a started one it finds dropped.
        weakref.finalize(items, _close_soon, self._response)
        return items

    async def final(self) -> dict[str, Any]:
        """Read the rest of the stream and return the whole completion or response, merged."""
        merged = self._merger()
        async for _ in self._items:
            pass
        return merged()

    async def aclose(self) -> None:
        """Release the connection; the rest of the stream is not read."""
        self._feed.closed = True
        await self._response.aclose()
        self._feed.end(None)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _rate_limits(headers: httpx.Headers) -> RateLimits:
    from byot._ratelimit import rate_limits  # paid for only by those who read it

    return rate_limits(headers)


_closing: set[object] = set()  # the tasks closing dropped streams, kept until they finish


def _close_soon(response: httpx.Response) -> None:
    import asyncio

    try:
        task = asyncio.get_running_loop().create_task(response.aclose())
    except RuntimeError:  # no asyncio loop runs here (trio, or the interpreter's exit)
        return
    _closing.add(task)
    task.add_done_callback(_closing.discard)
