"""Server-sent events, sans-I/O: bytes in, events out, then what each event means for a stream.

Two layers, neither of which touches the network:

* `SSEDecoder` turns the raw bytes of a response, in reads of any size, into `Event`s as the
  WHATWG event-stream rules say (CR, LF and CRLF line ends, comments, `event`/`data`/`id`/
  `retry`, a leading BOM), in time linear in the input.
* `StreamRules` decides, per event, what an OpenAI-compatible stream means by it: a value to
  deliver, a keep-alive to skip, the end of the stream, or an error the provider reported
  (raised as `byot.errors.StreamError`, research/anchor-peers.md §3.3).

A driver uses them like this (the async one reads with `async for` and loops over `items`
instead of `yield from`)::

    decoder = SSEDecoder(bare=True)  # nameless events as their data alone: the fast path
    rules = StreamRules.for_endpoint(
        endpoint.stream, method=method, url=url, request_id=response.headers.get("x-request-id")
    )
    try:
        for chunk in response.iter_raw():
            yield from rules.items(decoder.feed(chunk))
            if rules.done:
                break  # the terminator or an error came: stop reading
        else:
            yield from rules.items(decoder.flush())
        rules.finish()  # the error, or StreamTruncatedError when the terminator never came
    finally:
        response.close()

Items are JSON values decoded by orjson; where the framing names events ("event" and
"event-envelope") each item is an `(event name, value)` pair instead, for the driver to turn
into the caller's type. `items` returns a list per read; when an event is an error, the items
before it are returned and `finish` raises the error, so what the caller sees never depends on
how the bytes fell into reads.
`rules.handle(event)` is the same decision for one event (`SKIP` when it delivers nothing).

Decisions beyond the spec:

* `response.failed` is terminal, and the official SDK delivers it as data; here it raises
  `StreamError` carrying the event, so a failed generation never passes for a finished one.
* `data: [DONE]` ends any stream, also one whose operation ends on terminal events.
* Empty data and comments that a proxy re-wrapped as data (`data: : PROCESSING`) are skipped as
  keep-alives; any other payload that is not JSON raises `byot.errors.DecodeError`.
* At the end of the body the pending event is dispatched if only its blank line is missing; an
  event cut mid-line is dropped, so a cut stream is reported as truncated, not as bad JSON.
"""

from __future__ import annotations

import contextlib
import itertools
import typing
from typing import TYPE_CHECKING, Any, Final, NamedTuple, NoReturn

import orjson

from byot._codec import exact_loads, json_array, json_object, may_hold_wide_integers
from byot._status import code_of, text_of
from byot.errors import DecodeError, ResponseTooLargeError, StreamError, StreamTruncatedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "DEFAULT_MAX_EVENT",
    "DEFAULT_MAX_LINE",
    "SKIP",
    "Event",
    "SSEDecoder",
    "StreamRules",
    "is_event_stream",
    "kept_data",
    "kept_read",
    "media_type",
]

DEFAULT_MAX_LINE: Final = 64 * 1024 * 1024
"""The default size limit of one event-stream line: 64 MiB (a base64 image fits many times)."""
DEFAULT_MAX_EVENT: Final = 64 * 1024 * 1024
"""The default size limit of one event's data, all its `data:` lines together: 64 MiB."""

_BOM: Final = b"\xef\xbb\xbf"
_MAX_TEXT: Final = 500  # how much of a non-JSON error payload goes into a message
_EXCERPT: Final = 100  # how much of a payload that is not JSON goes into a DecodeError's message
_RUN: Final = 19  # digits in the shortest integer that may be past 64 bits


def media_type(content_type: str | None) -> str:
    """The media type of a `Content-Type` value, lowercased, without its parameters.

    Media types are case-insensitive (RFC 9110 §8.3.1): `Text/Event-Stream; Charset=UTF-8`
    is `text/event-stream`. An absent or empty header gives "".
    """
    return (content_type or "").partition(";")[0].strip().lower()


def is_event_stream(content_type: str | None) -> bool:
    """Whether a `Content-Type` value announces server-sent events, in any letter case."""
    return media_type(content_type) == "text/event-stream"


class Event(NamedTuple):
    r"""One dispatched server-sent event.

    Attributes:
        event: The `event:` field, or None when the server named none (the spec's "message").
        data: The `data:` lines joined with `b"\\n"`. Bytes, not str: orjson parses bytes
            directly, so the hot path never decodes (and never copies) the payload twice.
        id: The last event id the stream set, which persists across events as the spec says,
            or None before any.
        retry: The `retry:` field of this event, in milliseconds, or None.
    """

    event: str | None
    data: bytes
    id: str | None = None
    retry: int | None = None


class _Wide(bytes):
    """An event's data that may hold an integer past 64 bits.

    The decoder hands such data on in this subclass, so `StreamRules` reads it with the exact
    `byot._codec.exact_loads` instead of `orjson.loads`, which would round the integer to a
    float; every other event keeps the fast path. Only the events of a read whose scan found
    a candidate are scanned again, one by one.
    """

    __slots__ = ()


# A positional constructor in C: the per-event cost of a NamedTuple without its Python __new__.
_new_event = typing.cast(
    "Callable[[type[Event], tuple[str | None, bytes, str | None, int | None]], Event]",
    tuple.__new__,  # pyright: ignore[reportUnknownMemberType]
)
# Exact type checks (orjson builds exactly these) that leave a JSON value typed Any.
_DICT: Final[type[Any]] = dict
_LIST: Final[type[Any]] = list
_loads: Final = orjson.loads
# The per-read checks of `_plain_values`, as C calls over a whole read's values.
_has_key: Final[Callable[[Any, str], bool]] = _DICT.__contains__
_get: Final[Callable[[Any, str], Any]] = _DICT.get
_TYPE_KEY: Final = itertools.repeat("type")
_ERROR_KEY: Final = itertools.repeat("error")
_OBJECT_KEY: Final = itertools.repeat("object")


class SSEDecoder:
    """An incremental event-stream decoder: `feed` it the body's reads, `flush` at its end.

    Lines are split on bytes, where CR and LF never occur inside a multi-byte UTF-8 character, so
    characters split across reads need no care; only the field names and the `event`/`id`
    values are decoded to str. A partial line is kept as a list of pieces and joined once, when
    its line end arrives, so a huge event costs linear time however it is split.

    Events without any `data:` line (meta-only blocks, keep-alives) are never dispatched.

    A line longer than `max_line` bytes (also one whose end never comes) or an event whose data
    passes `max_event` bytes raises `byot.errors.ResponseTooLargeError` as soon as it is seen,
    so an endless line or event never holds more than about its limit. The checks cost nothing
    per line: only a partial line, an event pending across reads, or a read longer than a
    limit is measured.
    """

    __slots__ = (
        "_bare",
        "_data",
        "_event",
        "_head",
        "_id",
        "_limits",
        "_max_event",
        "_max_line",
        "_partial",
        "_parts",
        "_pending",
        "_retry",
        "_skip_lf",
        "_start",
        "_tail",
        "_wide",
    )

    def __init__(
        self,
        *,
        bare: bool = False,
        max_line: int = DEFAULT_MAX_LINE,
        max_event: int = DEFAULT_MAX_EVENT,
        limits: tuple[str, str] = ("max_line_size", "max_event_size"),
    ) -> None:
        """A decoder at the start of a body.

        Args:
            bare: Dispatch an event that has no `event:` field as its data alone (`bytes`), not
                as an `Event`: what a data-framed stream needs, without a tuple per event.
            max_line: The most bytes one line may have, its line end not counted.
            max_event: The most bytes of data one event may have, its `data:` lines joined.
            limits: The names of the settings that raise `max_line` and `max_event`, which
                the error message tells the caller to raise.
        """
        self._bare = bare
        self._max_line = max_line
        self._max_event = max_event
        self._limits = limits
        self._partial = 0  # the bytes in `_parts`
        self._pending = 0  # at least the bytes of data pending in `_data` (an upper bound)
        self._parts: list[bytes] = []  # the unfinished last line, in pieces
        self._skip_lf = False  # the last read ended in CR: an LF opening the next is that line end
        self._start = True  # a BOM may still come; `_head` holds its first bytes meanwhile
        self._head = b""
        self._data: list[bytes] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._wide = False  # pending data came from a read that may hold a wide integer
        self._tail = b""  # the end of the last read, for a run of digits split across reads

    def feed(self, chunk: bytes) -> list[Any]:
        """Decode one read of the body.

        Returns:
            The events that this read completed, in order (often none, often several): `Event`s,
            or with `bare` the data `bytes` of each nameless one.
        """
        if self._start:
            chunk = self._head + chunk
            if len(chunk) < len(_BOM) and _BOM.startswith(chunk):
                self._head = chunk
                return []
            self._start = False
            self._head = b""
            chunk = chunk.removeprefix(_BOM)
        tail = self._tail
        self._tail = chunk[-_RUN:]
        fresh = may_hold_wide_integers(chunk) or may_hold_wide_integers(tail + chunk[:_RUN])
        if fresh:
            self._wide = True
        if self._skip_lf and chunk:
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
        if b"\r" in chunk:
            # Normalise once per read; a CR at the very end may be half of a CRLF.
            self._skip_lf = chunk[-1] == 0x0D
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        elif not self._data and self._event is None and self._retry is None:
            events = self._whole_data_lines(chunk, fresh=fresh)
            if events is not None:
                return events
        lines = chunk.split(b"\n")
        parts = self._parts
        if len(lines) == 1:
            if chunk:
                parts.append(chunk)
                self._partial += len(chunk)
                if self._partial > self._max_line:
                    self._too_large(0)
            return []
        carried = self._partial  # bytes of an earlier read that this one completes
        if parts:
            if carried + len(lines[0]) > self._max_line:
                self._too_large(0)
            parts.append(lines[0])
            lines[0] = b"".join(parts)
            parts.clear()
        last = lines.pop()
        self._partial = len(last)
        if last:
            parts.append(last)
        if len(chunk) > self._max_line and (
            self._partial > self._max_line or any(len(line) > self._max_line for line in lines)
        ):
            self._too_large(0)
        events = self._lines(lines)
        self._check_event(carried + len(chunk), events)
        if not (parts or self._data):
            self._wide = False  # nothing from a wide read is left pending
        return events

    def _whole_data_lines(self, chunk: bytes, *, fresh: bool) -> list[Any] | None:
        """The common framing, read in a few C passes: every event one `data: ` line, LF ends.

        Called with no event pending, only (perhaps) the start of a line carried from the last
        read. When every complete line of the read is `data: ...` followed by a blank line,
        the payloads are one split apart; None when the read holds anything else (a comment,
        another field, a multi-line event, an extra blank line, a line end between a line and
        its blank one), and nothing has changed: the full decoder then reads it. `fresh`: this
        read itself may hold a wide integer (the line carried from the last may, too).
        """
        end = chunk.rfind(b"\n\n")
        if end < 0:
            return None
        rest = chunk[end + 2 :]
        if b"\n" in rest:
            return None
        parts = self._parts
        body = b"".join((*parts, chunk[:end])) if parts else chunk[:end]
        if body[:6] != b"data: ":
            return None
        payloads = body.split(b"\n\ndata: ")
        # Every line end is one of a separator's two: no other line, field or blank line. (A
        # join and a memchr cost a tenth of counting the line ends, which is a byte loop.)
        if b"\n" in b"".join(payloads):
            return None
        payloads[0] = payloads[0][6:]
        # The limits cost nothing per line: only a read longer than one is measured.
        limit = self._max_line
        if len(rest) > limit or (len(body) > limit and max(map(len, payloads)) + 6 > limit):
            self._too_large(0)
        if len(body) > self._max_event and max(map(len, payloads)) > self._max_event:
            self._too_large(1)
        parts.clear()
        if rest:
            parts.append(rest)
        self._partial = len(rest)
        self._pending = 0
        if self._wide:
            payloads = [_Wide(data) if may_hold_wide_integers(data) else data for data in payloads]
            self._wide = fresh and bool(rest)  # what is left pending is this read's
        if self._bare:
            return payloads
        last_id = self._id
        return [_new_event(Event, (None, data, last_id, None)) for data in payloads]

    def _check_event(self, read: int, events: list[Any]) -> None:
        """Refuse an event whose data passed `max_event`, dispatched or still pending.

        `read` is the bytes whose lines this read completed (its own and those carried from
        earlier reads): an event within them is at most that, and one pending across reads
        grows by at most that. Only when these bounds pass the limit is the data measured.
        """
        limit = self._max_event
        if read > limit:
            for event in events:
                if len(event if type(event) is not Event else event.data) > limit:
                    self._too_large(1)
        if not self._data:
            self._pending = 0
            return
        self._pending += read
        if self._pending > limit:
            self._pending = sum(map(len, self._data)) + len(self._data) - 1  # and the joins
            if self._pending > limit:
                self._too_large(1)

    def _too_large(self, which: int) -> NoReturn:
        limit = self._max_event if which else self._max_line
        shown = f"{limit / 1048576:g} MiB" if limit >= 1048576 else f"{limit} bytes"
        what = "an event's data" if which else "a line"
        setting = self._limits[which]
        raise ResponseTooLargeError(
            f"{what} in the event stream passed {shown}, the {setting} limit; raise it with "
            f"{setting}= if the server's events are expected to be that large",
            limit=limit,
            setting=setting,
        )

    def flush(self) -> list[Any]:
        r"""Decode the end of the body.

        A clean end of stream also ends the pending event when all its lines were complete (only
        the blank line is missing, as when a server closes right after `data: [DONE]\\n`). A
        partial last line means the stream was cut mid-event: that event is dropped, as the
        spec says, and the missing terminator is then reported by `StreamRules.finish`.

        Returns:
            The pending event, if it is dispatched.
        """
        cut = bool(self._parts or self._head)
        self._parts.clear()
        self._head = b""
        if cut:
            self._data.clear()
            self._event = self._retry = None
            return []
        return self._lines([b""])

    def _lines(self, lines: list[bytes]) -> list[Any]:
        events: list[Any] = []
        data = self._data
        bare = self._bare
        wide = self._wide
        event, last_id, retry = self._event, self._id, self._retry
        for line in lines:
            if not line:
                if data:
                    payload = data[0] if len(data) == 1 else b"\n".join(data)
                    if wide and may_hold_wide_integers(payload):
                        payload = _Wide(payload)
                    events.append(
                        payload
                        if bare and event is None
                        else _new_event(Event, (event, payload, last_id, retry))
                    )
                    data.clear()
                event = retry = None
                continue
            if line[:6] == b"data: ":  # nearly every line a provider sends
                data.append(line[6:])
                continue
            colon = line.find(b":")
            if colon == 0:
                continue  # a comment, sent as a keep-alive
            if colon < 0:
                name, value = line, b""
            else:
                name = line[:colon]
                value = (
                    line[colon + 2 :] if line[colon + 1 : colon + 2] == b" " else line[colon + 1 :]
                )
            if name == b"data":
                data.append(value)
            elif name == b"event":
                event = value.decode("utf-8", "replace") or None
            elif name == b"id":
                if b"\0" not in value:
                    last_id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():  # bytes.isdigit is ASCII digits only
                retry = int(value)
        self._event, self._id, self._retry = event, last_id, retry
        return events


SKIP: Final = object()
"""What `StreamRules.handle` returns for an event that delivers nothing."""

# Actions, looked up by event name or by the data's `type`; 0 means "deliver".
_SKIP: Final = 1  # a keep-alive
_END: Final = 2  # the end marker itself: nothing to deliver
_LAST: Final = 3  # a terminal event: delivered, then the stream ends
_ERROR: Final = 4  # raise StreamError

# Raised, not delivered (see the module docstring); the response stays in `error.body`.
_FAILED: Final = "response.failed"
_NAMES: Final = {"keepalive": _SKIP, "ping": _SKIP, "done": _END, "error": _ERROR, _FAILED: _ERROR}
_TYPES: Final = {"keepalive": _SKIP, "ping": _SKIP, "error": _ERROR, _FAILED: _ERROR}


class StreamRules:
    """What each event of one stream means: deliver it, skip it, end the stream, or raise.

    Attributes:
        done: The terminator came (`[DONE]`, `event: done` or a terminal event): stop reading.
        named: Items are `(event name, value)` pairs rather than bare values.
        require_terminator: `finish` raises `StreamTruncatedError` if no terminator came.
    """

    __slots__ = (
        "_by_name",
        "_by_type",
        "_done",
        "_failure",
        "_method",
        "_request_id",
        "_terminators",
        "_url",
        "done",
        "named",
        "require_terminator",
    )

    def __init__(
        self,
        *,
        method: str,
        url: str,
        request_id: str | None = None,
        framing: str = "data",
        done: str | None = "[DONE]",
        terminal: Iterable[str] = (),
        require_terminator: bool = True,
    ) -> None:
        """Rules for one stream.

        Args:
            method: The request's method, for errors.
            url: The request's URL, for errors.
            request_id: The response's `x-request-id`, for errors.
            framing: "data" (bare JSON values), "event" (named events) or "event-envelope"
                (Assistants: the name and the data make one event).
            done: The data that ends the stream, or None when terminal events end it instead.
                `[DONE]` ends any stream: compatible servers append it where OpenAI does not.
            terminal: The event names (or data `type`s) delivered last.
            require_terminator: `finish` raises when neither `done` nor a terminal event came;
                False for servers that just close the stream.
        """
        self._method = method
        self._url = url
        self._failure: Exception | None = None
        self._request_id = request_id
        self._done = (done or "[DONE]").encode()
        terminal = tuple(terminal)
        self._by_name = {**dict.fromkeys(terminal, _LAST), **_NAMES}
        self._by_type = {**dict.fromkeys(terminal, _LAST), **_TYPES}
        # What `finish` says was missing.
        self._terminators = (f"data: {done}",) * (done is not None) + terminal
        self.done = False
        self.named = framing != "data"
        self.require_terminator = require_terminator and bool(self._terminators)

    @classmethod
    def for_endpoint(
        cls,
        stream: Mapping[str, Any],
        *,
        method: str,
        url: str,
        request_id: str | None = None,
        require_terminator: bool = True,
    ) -> StreamRules:
        """Rules for an operation's stream, from its `Endpoint.stream` entry."""
        return cls(
            method=method,
            url=url,
            request_id=request_id,
            framing=stream.get("framing", "data"),
            done=stream.get("done"),
            terminal=stream.get("terminal") or (),
            require_terminator=require_terminator,
        )

    def items(self, events: list[Any], keep: list[bytes] | None = None) -> list[Any]:
        """The items of one read's events, up to the terminator (then `done` is True).

        Events are `Event`s or, from a `bare` decoder, the data `bytes` of nameless ones. A
        list, not a generator: a driver hands it on whole (`Stream` chains the lists in C),
        which costs far less per item than resuming a generator. When an event is an error
        the provider reported, the items before it are returned, `done` is set and `finish`
        raises the error, so the caller sees them first whichever read the error fell into.
        With `keep`, the raw data of the delivered events is appended to it (`kept_read`;
        `kept_data` reads it back): what a stream keeps to merge itself later, one bytes
        object per read.
        """
        plain = not self.named
        if plain and events and _Wide not in map(type, events):
            values = _plain_values(events)
            if values is not None:  # the common read, decided as a whole
                if keep is not None:
                    keep.append(kept_read(events))
                return values
        out: list[Any] = []
        deliver = out.append
        kept: list[bytes] = []
        try:
            for event in events:
                if type(event) is not bytes:
                    if type(event) is _Wide:  # a bare event that needs the exact reader
                        event = _new_event(Event, (None, event, None, None))
                    item = self.handle(event)
                    data = event.data
                elif plain:
                    # `handle` inlined for a nameless object that is no error, keep-alive or
                    # terminal event, in a read that `_plain_values` could not take whole.
                    data = event
                    try:
                        value = _loads(data)
                    except orjson.JSONDecodeError as exc:
                        item = self._not_json(data, exc)
                    else:
                        if (
                            type(value) is _DICT
                            and "type" not in value
                            and "error" not in value
                            and value.get("object") != "error"
                        ):
                            kept.append(data)
                            deliver(value)
                            continue
                        item = self._judge(_new_event(Event, (None, data, None, None)), value, 0)
                else:  # a bare decoder's nameless event in a stream of named ones
                    data = event
                    item = self.handle(_new_event(Event, (None, data, None, None)))
                if item is not SKIP:
                    kept.append(data)
                    deliver(item)
                if self.done:
                    break
        except (StreamError, DecodeError) as exc:
            self.fail(exc)
        if keep is not None and kept:
            keep.append(kept_read(kept))
        return out

    def fail(self, error: Exception) -> None:
        """End the stream with `error`, which `finish` raises (after the items before it)."""
        self._failure = error
        self.done = True

    def handle(self, event: Event) -> Any:
        """What one event delivers: a JSON value, an `(event name, value)` pair, or `SKIP`.

        Sets `done` on the terminator; a terminal event is still delivered.

        Raises:
            StreamError: The event is an error the provider reported.
            DecodeError: The event's data is not JSON.
        """
        name, data, _, _ = event
        action = 0
        if name is not None:
            action = self._by_name.get(name, 0)
            if action == _SKIP:
                return SKIP
            if action == _END:
                self.done = True
                return SKIP
            if action == _ERROR:
                raise self._error(event)
        try:
            value = exact_loads(data) if type(data) is _Wide else _loads(data)
        except orjson.JSONDecodeError as exc:
            return self._not_json(data, exc)
        return self._judge(event, value, action)

    def _judge(self, event: Event, value: Any, action: int) -> Any:
        # What a decoded event delivers; `action` is what its name said (0 or _LAST).
        kind = None
        if type(value) is _DICT:
            if "type" in value:
                kind = value["type"]
                if kind.__class__ is not str:
                    kind = None
                elif by_type := self._by_type.get(kind, 0):
                    if by_type == _SKIP:
                        return SKIP
                    if by_type == _ERROR:
                        raise self._error(event, value)
                    action = by_type
            # OpenRouter puts `error` into an otherwise normal chunk; vLLM's is top-level.
            if value.get("error") or value.get("object") == "error":
                raise self._error(event, value)
        elif type(value) is _LIST and _is_error_array(value):
            raise self._error(event, value)
        if action:
            self.done = True
        if self.named:
            return (event.event or kind or "message", value)
        return value

    def _not_json(self, data: bytes, exc: orjson.JSONDecodeError) -> Any:
        # Off the hot path: the only non-JSON payloads a stream may carry.
        if data.startswith(self._done):
            self.done = True
            return SKIP
        if not data or data.isspace():
            return SKIP  # an empty `data:` line, which some gateways send as a keep-alive
        if data[:1] == b":":
            return SKIP  # a comment that a proxy re-wrapped as data (`data: : PROCESSING`)
        raise DecodeError(
            f"a stream event is not JSON ({exc}): {data[:_EXCERPT]!r}",
            raw=data,
            target=Any,
            request_id=self._request_id,
        ) from exc

    def finish(self) -> None:
        """Check the end of the stream: after the terminator, an error, or the end of the body.

        Raises:
            StreamError: An event was an error the provider reported.
            DecodeError: An event's data was not JSON.
            Exception: Whatever else ended the stream through `fail`.
            StreamTruncatedError: The stream expects a terminator, none came, and
                `require_terminator` is set.
        """
        failure = self._failure
        if failure is not None:
            self._failure = None
            raise failure
        if self.done or not self.require_terminator:
            return
        expected = " or ".join(self._terminators)
        message = f"the stream ended without its terminator ({expected}): the output may be cut"
        if self._request_id is not None:
            message += f" [request_id={self._request_id}]"
        raise StreamTruncatedError(
            message, method=self._method, url=self._url, request_id=self._request_id
        )

    def _error(self, event: Event, body: Any = None) -> StreamError:
        data = event.data
        if body is None:
            # `event: error` may carry plain text: then that text is the message.
            with contextlib.suppress(orjson.JSONDecodeError):
                body = orjson.loads(data)
        failed = event.event == _FAILED or _type_of(body) == _FAILED
        message, kind, code = _describe(body, failed=failed)
        text = message
        if text is None and body is None:
            text = data.decode("utf-8", "replace").strip()[:_MAX_TEXT] or None
        summary = f"{_FAILED if failed else 'the stream reported an error'}: {text or 'no message'}"
        details = [
            f"{label}={value}"
            for label, value in (
                ("event", event.event),
                ("type", kind),
                ("code", code),
                ("request_id", self._request_id),
            )
            if value is not None
        ]
        if details:
            summary += f" [{', '.join(details)}]"
        return StreamError(
            summary,
            method=self._method,
            url=self._url,
            event=event.event,
            data=data,
            body=body,
            error_message=message,
            type=kind,
            code=code,
            request_id=self._request_id,
        )


def kept_data(kept: Iterable[bytes]) -> list[bytes]:
    """The data of each delivered event, from what `StreamRules.items` kept per read."""
    return [data for read in kept for data in read.split(b"\r")]


def kept_read(events: list[bytes]) -> bytes:
    """One read's delivered data for `kept_data`: one bytes object, the events joined by CR.

    No event's data holds a CR (it ends a line), so `kept_data` splits them apart again.
    """
    return b"\r".join(events)


def _plain_values(events: list[Any]) -> list[Any] | None:
    """The values of a read whose every event is a plain JSON object, or None.

    The common read decided in a few C loops, with no Python code per event: every event is
    bare data (orjson refuses an `Event` tuple) holding JSON (not `[DONE]` nor a keep-alive),
    and every value is an object (`dict.__contains__` refuses anything else) without `type`
    and `error` keys nor `object: "error"`, so none is an error, a keep-alive or a terminal
    event. Otherwise None, and the per-event loop decides each event.
    """
    try:
        values = list(map(_loads, events))
        if (
            any(map(_has_key, values, _TYPE_KEY))
            or any(map(_has_key, values, _ERROR_KEY))
            or "error" in map(_get, values, _OBJECT_KEY)
        ):
            return None
    except orjson.JSONDecodeError:
        return None
    except TypeError:  # a value that is not an object
        return None
    return values


def _is_error_array(value: list[Any]) -> bool:
    # Gemini wraps its error object in a one-element array.
    first = json_object(value[0]) if value else None
    return first is not None and bool(first.get("error"))


def _type_of(body: Any) -> Any:
    top = json_object(body)
    return None if top is None else top.get("type")


def _describe(body: Any, *, failed: bool) -> tuple[str | None, str | None, str | int | None]:
    """The message, type and code of an error event's decoded data, whatever its shape."""
    items = json_array(body)
    top = json_object(items[0] if items else body)
    if top is None:
        return None, None, None
    if failed:  # the error sits in the failed response: {"response": {"error": {...}}}
        response = json_object(top.get("response"))
        top = {"error": response.get("error")} if response is not None else {}
    error = top.get("error")
    source = json_object(error)
    if source is None:
        if error is not None and not isinstance(error, bool):
            return text_of(error), None, code_of(top.get("code"))  # {"error": "model not found"}
        # vLLM's top level, the Responses `type: error` event, TGIS's {"code", "details"}.
        source = top
    message = text_of(source.get("message")) or text_of(
        source.get("details") or source.get("detail")
    )
    kind = text_of(source.get("type") or source.get("status"))
    # A Responses error event's `type` names the event, not a kind of error.
    return message, None if kind == "error" else kind, code_of(source.get("code"))
