"""`client.realtime.connect(...)`: the Realtime WebSocket, sync and async, over `websockets`.

The two connection classes are twins kept line for line alike; they move frames and leave
every decision to `_realtime`. `websockets` is imported when a connection opens, never by
`import byot`: it is the optional `[realtime]` extra.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Generic, Literal, cast

from byot import _realtime
from byot._override import override
from byot._realtime_response import RealtimeResponse
from byot._signatures import T
from byot.errors import RealtimeClosedError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Mapping
    from types import TracebackType

    from typing_extensions import Self
    from websockets.asyncio.client import ClientConnection as AsyncWebSocket
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import ClientConnection as WebSocket

    from byot._otel import Session, Tracing
    from byot._realtime import ErrorHandling, Handshake, Reconnect
    from byot._signatures import ValidateTypes
    from byot.resources._dispatch import AsyncDispatcher, Dispatcher

# Audio deltas and whole responses can be large; websockets' default cap is 1 MiB.
_MAX_FRAME = 16 * 2**20


def _options(handshake: Handshake, given: Mapping[str, Any] | None) -> dict[str, Any]:
    return {  # the headers are added when the connection opens: they may change
        "user_agent_header": None,  # byot's own User-Agent is among the headers
        "open_timeout": handshake.open_timeout,
        "max_size": _MAX_FRAME,
        # No backpressure on received events: a close must not wait behind unread ones (with
        # websockets' default of 16, closing mid-answer took its whole close timeout).
        "max_queue": None,
        **(given or {}),
    }


def _close_info(exc: ConnectionClosed) -> tuple[int, str]:
    """The close code and reason the server sent, or 1006 when it sent none (RFC 6455)."""
    frame = exc.rcvd
    return (1006, "") if frame is None else (frame.code, frame.reason)


def _handshake_failures() -> tuple[type[BaseException], ...]:
    from websockets.exceptions import WebSocketException

    # asyncio's TimeoutError is TimeoutError itself only since Python 3.11.
    return (OSError, TimeoutError, asyncio.TimeoutError, WebSocketException)


class RealtimeConnection(Generic[T]):
    """A Realtime session over a WebSocket: send client events, receive server events.

    Opened by `with client.realtime.connect(...) as connection:` (or `.open()`), closed when
    the block ends, whatever happens in it. Server events arrive as dicts, or as the
    `event_type=` / `decoder=` the connection was opened with.

    Example:
        ```python
        with client.realtime.connect(model="gpt-realtime") as connection:
            connection.send(byot.realtime.conversation_item_create(byot.realtime.user_text("Hi")))
            connection.send(byot.realtime.response_create())
            print(connection.response().text)
        ```

    Attributes:
        url: The URL connected to, secret-looking query values hidden.
        last_type: The `type` of the event `recv()` last returned, read once from its frame.
        reconnects: How many times the connection was reopened (`reconnect=`).
    """

    def __init__(
        self,
        handshake: Handshake,
        events: _realtime.Events[T],
        reconnect: Reconnect | None,
        options: Mapping[str, Any] | None,
        tracing: Tracing | None = None,
    ) -> None:
        self._handshake = handshake
        self._tracing = tracing
        self._session: Session | None = None  # the telemetry span, when the client has one
        self._events = events
        self._outbox = _realtime.Outbox(reconnect)
        self._options = _options(handshake, options)
        self._ws: WebSocket | None = None
        self._closing = False
        self.url = handshake.safe_url
        self.last_type: str | None = None
        self.reconnects = 0

    def open(self) -> Self:
        """Open the connection (what `with` does); opening twice does nothing.

        Raises:
            APIStatusError: The server refused the handshake with an HTTP status.
            APITimeoutError: The handshake took longer than the client's connect timeout.
            APIConnectionError: The server could not be reached.
        """
        if self._ws is None:
            if self._tracing is not None:
                self._session = self._tracing.session(self._handshake.url)
            try:
                self._ws = self._dial()
            except BaseException as exc:
                if self._session is not None:
                    self._session.end(exc, None)
                raise
        return self

    def _dial(self) -> WebSocket:
        from websockets.sync.client import connect

        headers = self._handshake.opening_headers()  # a key's function: asked each time
        options: dict[str, Any] = {"additional_headers": headers, **self._options}
        try:
            connection = cast("WebSocket", connect(self._handshake.url, **options))
        except _handshake_failures() as exc:
            raise _realtime.handshake_error(exc, self.url) from exc
        # websockets >= 17.1 wants its sync connection entered as a context manager (it warns
        # otherwise); this class is that context, and its close() closes the connection.
        return connection.__enter__()

    def _socket(self) -> WebSocket:
        if self._ws is None:
            raise RuntimeError(
                "the Realtime connection is not open: use `with client.realtime.connect(...)`"
            )
        return self._ws

    def send(self, event: object) -> None:
        """Send a client event: a dict, or the caller's object (encoded like request bodies).

        Raises:
            RealtimeClosedError: The connection is closed (and not being reopened, or the
                queue of events waiting for the reconnect is full).
            SchemaValidationError: The event fails the strict schema and validation raises.
            TypeError: The event cannot be encoded as a JSON object.
        """
        text, kind = self._events.outgoing(event)
        from websockets.exceptions import ConnectionClosed

        try:
            self._socket().send(text)
        except ConnectionClosed as exc:
            code, reason = _close_info(exc)
            if self._closing or not self._outbox.may_reopen(code):
                raise _realtime.closed_error(
                    code, reason, self.url, during="before a send"
                ) from None
            if not self._outbox.hold(text):
                raise _realtime.closed_error(
                    code, reason, self.url, during="and the queue of events to resend is full"
                ) from None
            return
        self._outbox.sent(text, kind)

    def recv(self) -> T:
        """The next server event (reopening a dropped connection first, with `reconnect=`).

        Raises:
            RealtimeClosedError: The connection closed.
            RealtimeError: The server sent an `error` event (unless `errors="deliver"`).
            DecodeError: A frame is not a JSON event, or does not fit the caller's type.
            SchemaValidationError: The event fails the lenient schema and validation raises.
        """
        return self._next().value

    def _next(self) -> _realtime.Incoming[T]:
        from websockets.exceptions import ConnectionClosed

        ws = self._socket()
        while True:
            try:
                frame = ws.recv()
            except ConnectionClosed as exc:
                ws = self._reopen(exc)
                continue
            incoming = self._events.incoming(frame)
            self.last_type = incoming.type
            if self._session is not None:
                self._session.received(incoming.type, incoming.data)
            return incoming

    def _reopen(self, exc: ConnectionClosed) -> WebSocket:
        from tenacity import Retrying

        code, reason = _close_info(exc)
        if self._closing or not self._outbox.may_reopen(code):
            raise _realtime.closed_error(code, reason, self.url, during="while receiving") from None
        ws = Retrying(**self._outbox.retrying())(self._dial)
        self._ws = ws
        self.reconnects += 1
        for text in self._outbox.replay():
            ws.send(text)
        return ws

    def __iter__(self) -> Iterator[T]:
        """Server events until the connection closes normally (or `close()` is called)."""
        while True:
            try:
                yield self.recv()
            except RealtimeClosedError as exc:
                if self._closing or exc.close_code == 1000:
                    return
                raise

    def response(self, on_event: Callable[[T], object] | None = None) -> RealtimeResponse:
        """Read events until `response.done` and return the response they built.

        Each event also goes to `on_event` (as the caller's type), to show the answer as it
        streams. Events before the response begins pass through it too.

        Raises:
            RealtimeClosedError: The connection closed (or was reopened) mid-response.
            RealtimeError: The server sent an `error` event (unless `errors="deliver"`).
        """
        final = RealtimeResponse()
        reconnects = self.reconnects
        while True:
            incoming = self._next()
            if self.reconnects != reconnects:
                raise _realtime.closed_error(
                    None, "", self.url, during="mid-response and was reopened; the response is lost"
                )
            if on_event is not None:
                on_event(incoming.value)
            if final.add(incoming.data):
                return final

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code, once the connection is closed."""
        return None if self._ws is None else self._ws.close_code

    @property
    def close_reason(self) -> str | None:
        """The close reason, once the connection is closed."""
        return None if self._ws is None else self._ws.close_reason

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (waiting for the server's close frame); closing twice is fine."""
        self._closing = True
        if self._ws is not None:
            self._ws.close(code, reason)
        if self._session is not None:
            self._session.end(None, self.close_code)

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @override
    def __repr__(self) -> str:
        state = "closed" if self._closing else "open" if self._ws else "not open"
        return f"{type(self).__name__}({self.url!r}, {state})"


class AsyncRealtimeConnection(Generic[T]):
    """A Realtime session over a WebSocket, for asyncio: `RealtimeConnection`'s async twin.

    Example:
        ```python
        async with client.realtime.connect(model="gpt-realtime") as connection:
            await connection.send(byot.realtime.response_create())
            async for event in connection:
                print(event["type"])
        ```

    Attributes:
        url: The URL connected to, secret-looking query values hidden.
        last_type: The `type` of the event `recv()` last returned, read once from its frame.
        reconnects: How many times the connection was reopened (`reconnect=`).
    """

    def __init__(
        self,
        handshake: Handshake,
        events: _realtime.Events[T],
        reconnect: Reconnect | None,
        options: Mapping[str, Any] | None,
        tracing: Tracing | None = None,
    ) -> None:
        self._handshake = handshake
        self._tracing = tracing
        self._session: Session | None = None  # the telemetry span, when the client has one
        self._events = events
        self._outbox = _realtime.Outbox(reconnect)
        self._options = _options(handshake, options)
        self._ws: AsyncWebSocket | None = None
        self._closing = False
        self.url = handshake.safe_url
        self.last_type: str | None = None
        self.reconnects = 0

    async def open(self) -> Self:
        """Open the connection (what `async with` does); opening twice does nothing.

        Raises:
            APIStatusError: The server refused the handshake with an HTTP status.
            APITimeoutError: The handshake took longer than the client's connect timeout.
            APIConnectionError: The server could not be reached.
        """
        if self._ws is None:
            if self._tracing is not None:
                self._session = self._tracing.session(self._handshake.url)
            try:
                self._ws = await self._dial()
            except BaseException as exc:
                if self._session is not None:
                    self._session.end(exc, None)
                raise
        return self

    async def _dial(self) -> AsyncWebSocket:
        from websockets.asyncio.client import connect

        headers = await self._handshake.aopening_headers()  # a key's function: asked each time
        options: dict[str, Any] = {"additional_headers": headers, **self._options}
        try:
            connection: AsyncWebSocket = await connect(self._handshake.url, **options)
        except _handshake_failures() as exc:
            raise _realtime.handshake_error(exc, self.url) from exc
        return connection

    def _socket(self) -> AsyncWebSocket:
        if self._ws is None:
            raise RuntimeError(
                "the Realtime connection is not open: use `async with client.realtime.connect(...)`"
            )
        return self._ws

    async def send(self, event: object) -> None:
        """Send a client event: a dict, or the caller's object (encoded like request bodies).

        Raises:
            RealtimeClosedError: The connection is closed (and not being reopened, or the
                queue of events waiting for the reconnect is full).
            SchemaValidationError: The event fails the strict schema and validation raises.
            TypeError: The event cannot be encoded as a JSON object.
        """
        text, kind = self._events.outgoing(event)
        from websockets.exceptions import ConnectionClosed

        try:
            await self._socket().send(text)
        except ConnectionClosed as exc:
            code, reason = _close_info(exc)
            if self._closing or not self._outbox.may_reopen(code):
                raise _realtime.closed_error(
                    code, reason, self.url, during="before a send"
                ) from None
            if not self._outbox.hold(text):
                raise _realtime.closed_error(
                    code, reason, self.url, during="and the queue of events to resend is full"
                ) from None
            return
        self._outbox.sent(text, kind)

    async def recv(self) -> T:
        """The next server event (reopening a dropped connection first, with `reconnect=`).

        Raises:
            RealtimeClosedError: The connection closed.
            RealtimeError: The server sent an `error` event (unless `errors="deliver"`).
            DecodeError: A frame is not a JSON event, or does not fit the caller's type.
            SchemaValidationError: The event fails the lenient schema and validation raises.
        """
        return (await self._next()).value

    async def _next(self) -> _realtime.Incoming[T]:
        from websockets.exceptions import ConnectionClosed

        ws = self._socket()
        while True:
            try:
                frame = await ws.recv()
            except ConnectionClosed as exc:
                ws = await self._reopen(exc)
                continue
            incoming = self._events.incoming(frame)
            self.last_type = incoming.type
            if self._session is not None:
                self._session.received(incoming.type, incoming.data)
            return incoming

    async def _reopen(self, exc: ConnectionClosed) -> AsyncWebSocket:
        from tenacity import AsyncRetrying

        code, reason = _close_info(exc)
        if self._closing or not self._outbox.may_reopen(code):
            raise _realtime.closed_error(code, reason, self.url, during="while receiving") from None
        ws: AsyncWebSocket = await AsyncRetrying(**self._outbox.retrying())(self._dial)
        self._ws = ws
        self.reconnects += 1
        for text in self._outbox.replay():
            await ws.send(text)
        return ws

    async def __aiter__(self) -> AsyncIterator[T]:
        """Server events until the connection closes normally (or `close()` is called)."""
        while True:
            try:
                yield await self.recv()
            except RealtimeClosedError as exc:
                if self._closing or exc.close_code == 1000:
                    return
                raise

    async def response(self, on_event: Callable[[T], object] | None = None) -> RealtimeResponse:
        """Read events until `response.done` and return the response they built.

        Each event also goes to `on_event` (as the caller's type), to show the answer as it
        streams. Events before the response begins pass through it too.

        Raises:
            RealtimeClosedError: The connection closed (or was reopened) mid-response.
            RealtimeError: The server sent an `error` event (unless `errors="deliver"`).
        """
        final = RealtimeResponse()
        reconnects = self.reconnects
        while True:
            incoming = await self._next()
            if self.reconnects != reconnects:
                raise _realtime.closed_error(
                    None, "", self.url, during="mid-response and was reopened; the response is lost"
                )
            if on_event is not None:
                on_event(incoming.value)
            if final.add(incoming.data):
                return final

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code, once the connection is closed."""
        return None if self._ws is None else self._ws.close_code

    @property
    def close_reason(self) -> str | None:
        """The close reason, once the connection is closed."""
        return None if self._ws is None else self._ws.close_reason

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (waiting for the server's close frame); closing twice is fine."""
        self._closing = True
        if self._ws is not None:
            await self._ws.close(code, reason)
        if self._session is not None:
            self._session.end(None, self.close_code)

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @override
    def __repr__(self) -> str:
        state = "closed" if self._closing else "open" if self._ws else "not open"
        return f"{type(self).__name__}({self.url!r}, {state})"


_DEFAULT: Literal["default"] = "default"


class RealtimeConnect:
    """`client.realtime.connect`: a hand-written method on the generated namespace."""

    _client: Dispatcher

    def connect(
        self,
        *,
        model: str | None = None,
        event_type: type[T] | None = None,
        decoder: Callable[[bytes], T] | None = None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None = None,
        validate: ValidateTypes | None = None,
        errors: ErrorHandling = "raise",
        reconnect: Reconnect | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | Literal["default"] | None = _DEFAULT,
        websocket_connection_options: Mapping[str, Any] | None = None,
    ) -> RealtimeConnection[T]:
        """A Realtime WebSocket session, opened by `with` (or `.open()`).

        The URL, authentication, headers and query come from the client's configuration
        (OpenAI, Azure classic or v1, any `Config`); a proxy from the environment is used
        as `websockets` does. Needs the `[realtime]` extra (`websockets`).

        Example:
            ```python
            with client.realtime.connect(model="gpt-realtime") as connection:
                for event in connection:
                    print(event["type"])
            ```

        Args:
            model: The model (or, on Azure classic without a configured deployment, the
                deployment), sent as `?model=`.
            event_type: The caller's type for server events (default: dicts).
            decoder: A function from each raw frame to the caller's event, instead.
            encoder: Turns the caller's client events into a dict or JSON bytes.
            validate: `"off"`, `"warn"` or `"raise"`: check client events (strict profile)
                before sending and server events (lenient) on arrival. Default: the client's.
            errors: `"raise"` an `error` event as `RealtimeError` (default), or `"deliver"`
                it like any other event.
            reconnect: Reopen a dropped connection (see `byot.realtime.Reconnect`).
            extra_headers: More handshake headers, over the client's.
            extra_query: More query parameters, over the client's.
            timeout: Seconds the opening handshake may take (default: the client's connect
                timeout), or None for no limit.
            websocket_connection_options: Keyword arguments for `websockets`' `connect`.

        Raises:
            TypeError: Both `event_type=` and `decoder=` were given.
            ValueError: A header would corrupt the handshake, or `errors=` is unknown.
        """
        handshake, events = _realtime.prepare(
            self._client._settings,  # pyright: ignore[reportPrivateUsage]
            model,
            event_type=event_type,
            decoder=decoder,
            encoder=encoder,
            validate=validate,
            errors=errors,
            headers=extra_headers,
            query=extra_query,
            timeout=timeout,
        )
        return RealtimeConnection(
            handshake,
            events,
            reconnect,
            websocket_connection_options,
            self._client._settings.tracing,  # pyright: ignore[reportPrivateUsage]
        )


class AsyncRealtimeConnect:
    """`client.realtime.connect` of the async client."""

    _client: AsyncDispatcher

    def connect(
        self,
        *,
        model: str | None = None,
        event_type: type[T] | None = None,
        decoder: Callable[[bytes], T] | None = None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None = None,
        validate: ValidateTypes | None = None,
        errors: ErrorHandling = "raise",
        reconnect: Reconnect | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | Literal["default"] | None = _DEFAULT,
        websocket_connection_options: Mapping[str, Any] | None = None,
    ) -> AsyncRealtimeConnection[T]:
        """A Realtime WebSocket session, opened by `async with` (or `await .open()`).

        Takes the arguments of the sync client's `client.realtime.connect`.

        Example:
            ```python
            async with client.realtime.connect(model="gpt-realtime") as connection:
                async for event in connection:
                    print(event["type"])
            ```

        Raises:
            TypeError: Both `event_type=` and `decoder=` were given.
            ValueError: A header would corrupt the handshake, or `errors=` is unknown.
        """
        handshake, events = _realtime.prepare(
            self._client._settings,  # pyright: ignore[reportPrivateUsage]
            model,
            event_type=event_type,
            decoder=decoder,
            encoder=encoder,
            validate=validate,
            errors=errors,
            headers=extra_headers,
            query=extra_query,
            timeout=timeout,
        )
        return AsyncRealtimeConnection(
            handshake,
            events,
            reconnect,
            websocket_connection_options,
            self._client._settings.tracing,  # pyright: ignore[reportPrivateUsage]
        )
