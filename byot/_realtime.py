"""The Realtime WebSocket's decisions, free of I/O: the handshake, events both ways, errors.

The sync and async connections (`_realtime_connection.py`) only move frames through
`websockets`; what URL and headers to open with, how an event is encoded, validated, decoded
or turned into an error, and whether a dropped connection is reopened, is decided here.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple

import httpx
import orjson

from byot import _codec, _status, _validation
from byot._config import AzureConfig
from byot._headers import check_headers
from byot._signatures import T
from byot._url import encode_query, redact_url
from byot.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BYOTError,
    DecodeError,
    RealtimeClosedError,
    RealtimeError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from byot._credentials import Credentials
    from byot._settings import Settings
    from byot._signatures import ValidateTypes
    from byot._validation import Validation

ErrorHandling = Literal["raise", "deliver"]

# Close codes after which a reconnect may succeed: going away, no status, abnormal closure,
# server error, service restart, try again later, TLS failure (RFC 6455 section 7.4.1).
RETRYABLE_CLOSE_CODES = frozenset({1001, 1005, 1006, 1011, 1012, 1013, 1015})


@dataclass(frozen=True)
class Reconnect:
    """Reopen a Realtime connection that dropped, instead of raising (opt-in).

    After a close with a code that allows it (1001, 1005, 1006, 1011-1013, 1015), the
    connection is reopened with the same URL and headers, the session settings sent so far
    (every `session.update`, merged) are sent again, then the events `send()` was given while
    the connection was down. A response in progress when the connection dropped is lost:
    `response()` raises `RealtimeClosedError` for it.

    Example:
        ```python
        with client.realtime.connect(model="gpt-realtime", reconnect=Reconnect()) as conn:
            ...
        ```

    Attributes:
        max_attempts: Handshakes to try before giving up and raising.
        max_queue: Events `send()` may hold while the connection is down; one more raises
            `RealtimeClosedError`.
        initial_delay: Seconds before the second attempt; each later wait doubles, with jitter.
        max_delay: The longest wait between two attempts.
    """

    max_attempts: int = 5
    max_queue: int = 100
    initial_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt `attempt` (1-based; none before the first)."""
        if attempt <= 1:
            return 0.0
        base = min(self.initial_delay * 2.0 ** (attempt - 2), self.max_delay)
        return base * (0.75 + 0.25 * random.random())  # noqa: S311 - jitter, not a secret


class Handshake(NamedTuple):
    """What a Realtime connection opens with.

    Attributes:
        url: The `ws://` or `wss://` URL, query included.
        safe_url: The URL for messages, with secret-looking query values hidden.
        headers: The handshake's headers (authentication, organization, user agent, extras),
            less those that `credentials` gives.
        open_timeout: Seconds the opening handshake may take, or None.
        credentials: The headers computed when the connection opens (a key given as a
            function), or None.
    """

    url: str
    safe_url: str
    headers: list[tuple[str, str]]
    open_timeout: float | None
    credentials: Credentials | None = None

    def opening_headers(self) -> list[tuple[str, str]]:
        """The headers of one opening (a reconnection's too), for a sync connection.

        Raises:
            ConfigError: A key's function gave no valid header value, or an awaitable.
        """
        if self.credentials is None:
            return self.headers
        return list(self.credentials.resolve(httpx.Headers(self.headers)).items())

    async def aopening_headers(self) -> list[tuple[str, str]]:
        """The headers of one opening, for an async connection: async functions awaited.

        Raises:
            ConfigError: A key's function gave no valid header value.
        """
        if self.credentials is None:
            return self.headers
        return list((await self.credentials.aresolve(httpx.Headers(self.headers))).items())


def handshake(
    settings: Settings,
    model: str | None,
    *,
    query: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    open_timeout: float | None,
) -> Handshake:
    """The handshake of `client.realtime.connect(...)` from the client's settings.

    OpenAI and every `Config` whose URLs end in `/realtime` under the base URL (Azure v1
    included) take `?model=`; Azure's classic API takes `?deployment=` (the configured
    deployment, else the model) next to its `api-version`.

    Raises:
        ValueError: A header would corrupt the request.
    """
    config = settings.config
    params: dict[str, Any] = dict(settings.query)
    if isinstance(config, AzureConfig):
        params["deployment"] = config.deployment or model
    elif model is not None:
        params["model"] = model
    params.update(query or {})
    params = {name: value for name, value in params.items() if value is not None}
    url = config.url("/realtime")
    if params:
        url += ("&" if "?" in url else "?") + encode_query(params)
    url = "ws" + url.removeprefix("http") if url.startswith("http") else url
    merged = httpx.Headers(settings.plain_headers)
    # HTTP content negotiation means nothing to a WebSocket upgrade, unless the caller says so.
    own = {name.lower() for name in settings.default_headers}
    for name in ("accept", "accept-encoding"):
        if name not in own:
            merged.pop(name, None)
    credentials = settings.credentials
    if headers:
        check_headers(headers)
        merged.update(headers)
        credentials = credentials and credentials.without(headers)
    return Handshake(
        url=url,
        safe_url=redact_url(httpx.URL(url)),
        headers=list(merged.items()),
        open_timeout=open_timeout,
        credentials=credentials,
    )


def prepare(
    settings: Settings,
    model: str | None,
    *,
    event_type: type[T] | None,
    decoder: Callable[[bytes], T] | None,
    encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
    validate: ValidateTypes | None,
    errors: ErrorHandling,
    headers: Mapping[str, str] | None,
    query: Mapping[str, Any] | None,
    timeout: float | Literal["default"] | None,
) -> tuple[Handshake, Events[T]]:
    """The handshake and the event handling of one `connect(...)` call.

    Raises:
        TypeError: Both `event_type=` and `decoder=` were given.
        ValueError: A header would corrupt the handshake, or `errors=` is unknown.
    """
    from byot._validation import Validation

    found = handshake(
        settings,
        model,
        query=query,
        headers=headers,
        open_timeout=settings.timeout.connect if timeout == "default" else timeout,
    )
    events = Events[T](
        found.safe_url,
        event_type=event_type,
        decoder=decoder,
        encoder=encoder,
        validation=settings.validation if validate is None else Validation.of(validate),
        errors=errors,
    )
    return found, events


def handshake_error(exc: BaseException, safe_url: str) -> BYOTError:
    """The error for a failed handshake: a status error, a timeout, or a connection error."""
    from websockets.exceptions import InvalidStatus

    if isinstance(exc, InvalidStatus):
        response = exc.response
        headers = httpx.Headers(list(response.headers.raw_items()))
        return _status.make_status_error(
            method="GET",
            url=safe_url,
            status=response.status_code,
            headers=headers,
            raw=bytes(response.body or b""),
        )
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # two classes before Python 3.11
        return APITimeoutError(
            f"connect timeout: the Realtime handshake with {safe_url} did not finish in time",
            method="GET",
            url=safe_url,
        )
    return APIConnectionError(
        f"connection error: GET {safe_url}: {type(exc).__name__}: {exc}",
        method="GET",
        url=safe_url,
    )


def may_retry_handshake(error: BaseException) -> bool:
    """Whether a failed reconnect attempt is worth another: network trouble, 429 or 5xx."""
    if isinstance(error, APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, APIConnectionError)


def closed_error(
    code: int | None, reason: str, safe_url: str, *, during: str
) -> RealtimeClosedError:
    """The error for a connection found closed (`code` None: it never said why)."""
    said = f"code {code}" if code is not None else "no close code"
    if reason:
        said += f", reason {reason!r}"
    return RealtimeClosedError(
        f"the Realtime connection to {safe_url} closed {during} ({said})",
        method="GET",
        url=safe_url,
        close_code=code,
        reason=reason,
    )


@dataclass(frozen=True, slots=True)
class Incoming(Generic[T]):
    """A received event: its `type`, the JSON object, and what the caller gets.

    A dataclass, not a generic NamedTuple: Python 3.10 refuses those.
    """

    type: str
    data: dict[str, Any]
    value: T


class Events(Generic[T]):
    """How one connection's events are encoded, checked and decoded.

    Args:
        safe_url: For error messages.
        event_type: The caller's type for server events, or None for dicts.
        decoder: The caller's decoder of each raw frame, instead of `event_type`.
        encoder: Turns the caller's client events into a dict or JSON bytes.
        validation: Client events are checked with `.request`, server events with `.response`.
        errors: `"raise"` an `error` event as `RealtimeError`, or `"deliver"` it as an event.

    Raises:
        TypeError: Both `event_type=` and `decoder=` were given.
    """

    def __init__(
        self,
        safe_url: str,
        *,
        event_type: object,
        decoder: Callable[[bytes], Any] | None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        validation: Validation,
        errors: ErrorHandling,
    ) -> None:
        if decoder is not None and event_type is not None:
            raise TypeError("pass event_type= or decoder=, not both")
        if errors not in ("raise", "deliver"):
            raise ValueError(f"errors= is 'raise' or 'deliver', not {errors!r}")
        self.safe_url = safe_url
        self._decoder = decoder
        self._target = decoder or event_type or dict
        self._convert = _codec.converter_for(event_type)
        self._encoder = encoder
        self._validation = validation
        self._errors = errors

    def outgoing(self, event: object) -> tuple[str, str | None]:
        """The frame's text for a client event, and its `type` (checked first if asked).

        Raises:
            TypeError: The event cannot be encoded.
            SchemaValidationError: It fails the strict schema and validation raises.
        """
        raw = _codec.encode(event, encoder=self._encoder)
        mode = self._validation.request
        data: Any = _codec.json_object(event) if mode == "off" and self._encoder is None else None
        if data is None:  # what was sent, as JSON, is what gets checked
            data = _json(raw)
        if mode != "off":
            _validation.check_value(data, "RealtimeClientEvent", "strict", mode)
        kind = (_codec.json_object(data) or {}).get("type")
        return raw.decode(), kind if isinstance(kind, str) else None

    def incoming(self, frame: str | bytes) -> Incoming[T]:
        """A received frame as an event, or the error it stands for.

        Raises:
            DecodeError: The frame is not a JSON object with a `type`, or does not fit the
                caller's type or decoder.
            SchemaValidationError: It fails the lenient schema and validation raises.
            RealtimeError: It is an `error` event and errors are raised.
        """
        raw = frame.encode() if isinstance(frame, str) else frame
        data = _json(raw)
        event = _codec.json_object(data)
        kind = None if event is None else event.get("type")
        if event is None or not isinstance(kind, str):
            excerpt = raw[:120].decode("utf-8", "replace")
            what = "not JSON" if data is _NOT_JSON else "not an event (no 'type')"
            raise DecodeError(
                f"the Realtime server sent a frame that is {what}: {excerpt!r}",
                raw=raw,
                target=self._target,
            )
        if self._validation.response != "off":
            _validation.check_value(
                event, "RealtimeServerEvent", "lenient", self._validation.response
            )
        if kind == "error" and self._errors == "raise":
            raise self.error(event)
        if self._decoder is None:
            return Incoming(kind, event, self._convert(event))
        try:
            value = self._decoder(raw)
        except DecodeError as exc:
            raise exc.with_context(raw=raw, request_id=None) from None
        except Exception as exc:
            raise DecodeError(
                f"cannot decode a {kind} event with {self._target!r}: {type(exc).__name__}: {exc}",
                raw=raw,
                target=self._target,
            ) from exc
        return Incoming(kind, event, value)

    def error(self, event: dict[str, Any]) -> RealtimeError:
        """The `RealtimeError` for an `error` event, whatever its shape."""
        info = _status.parse_error_body(orjson.dumps({"error": event.get("error")}))
        event_id = (_codec.json_object(event.get("error")) or {}).get("event_id")
        message = info.message or "no message"
        extra = ", ".join(
            f"{name}={value}"
            for name, value in (("type", info.type), ("code", info.code), ("event_id", event_id))
            if value is not None
        )
        return RealtimeError(
            f"Realtime error event: {message}" + (f" [{extra}]" if extra else ""),
            method="GET",
            url=self.safe_url,
            event=event,
            error_message=info.message,
            type=info.type,
            code=info.code,
            param=info.param,
            event_id=event_id if isinstance(event_id, str) else None,
        )


_NOT_JSON: Any = object()


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _NOT_JSON


class Outbox:
    """Events held while a dropped connection is reopened, and the session to restore."""

    def __init__(self, policy: Reconnect | None) -> None:
        self.policy = policy
        self.session: dict[str, Any] | None = None  # the settings sent, merged
        self.held: deque[str] = deque()

    def sent(self, text: str, kind: str | None) -> None:
        """Remember a sent `session.update`: a reopened connection needs its settings again.

        Each update changes only the fields it names, so they are merged, as the server does.
        """
        if kind == "session.update":
            fields = _codec.json_object(orjson.loads(text).get("session")) or {}
            self.session = {**(self.session or {}), **fields}

    def may_reopen(self, code: int | None) -> bool:
        """Whether a connection closed with this code is reopened."""
        return self.policy is not None and (code is None or code in RETRYABLE_CLOSE_CODES)

    def hold(self, text: str) -> bool:
        """Keep an event for after the reconnect; False when the queue is full."""
        assert self.policy is not None  # noqa: S101 - only held when reconnecting is on
        if len(self.held) >= self.policy.max_queue:
            return False
        self.held.append(text)
        return True

    def retrying(self) -> dict[str, Any]:
        """Tenacity's arguments for reopening: the policy's attempts and waits."""
        from tenacity import retry_if_exception, stop_after_attempt

        policy = self.policy
        assert policy is not None  # noqa: S101 - only reopened when reconnecting is on
        return {
            "stop": stop_after_attempt(policy.max_attempts),
            "wait": lambda state: policy.delay(state.attempt_number + 1),  # pyright: ignore[reportUnknownLambdaType, reportUnknownMemberType, reportUnknownArgumentType]
            "retry": retry_if_exception(may_retry_handshake),
            "reraise": True,
        }

    def replay(self) -> list[str]:
        """What to send first on a reopened connection: the session, then the held events."""
        update = {"type": "session.update", "session": self.session}
        frames = [orjson.dumps(update).decode()] if self.session is not None else []
        frames += self.held
        self.held.clear()
        return frames
