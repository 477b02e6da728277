"""How a stream's events reach the caller: the stream flag, converter, checks and merger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import orjson

from byot import _codec, _validation
from byot._sse import StreamRules
from byot.errors import StreamFlagError

if TYPE_CHECKING:
    from collections.abc import Callable

    from byot._endpoint import Endpoint
    from byot._prepared import Prepared
    from byot._signatures import CallOptions
    from byot._validation import Mode


class StreamPlan(NamedTuple):
    """What a `*_stream` call decides before it sends: how its events reach the caller.

    The driver sends `call_options(...)`, opens the response, and builds its stream from
    `stream_arguments(...)`: nothing about events is decided in the I/O loop.
    """

    endpoint: Endpoint
    convert: Callable[[Any, Any], Any] | None
    accumulate: Callable[[list[Any]], dict[str, Any]] | None

    def call_options(self, options: CallOptions) -> CallOptions:
        """The call's options with the stream flag set and events accepted."""
        return stream_options(self.endpoint, options)

    def stream_arguments(self, prepared: Prepared, headers: Mapping[str, str]) -> dict[str, Any]:
        """The keywords of `Stream` / `AsyncStream` for an opened response.

        The framing rules, the converter (each event validated first when `validate=` is on
        for the response) and the merger behind `final()`.
        """
        assert self.endpoint.stream is not None  # noqa: S101 - `plan` checked it
        rules = StreamRules.for_endpoint(
            self.endpoint.stream,
            method=prepared.method,
            url=prepared.safe_url,
            request_id=headers.get("x-request-id"),
        )
        convert = self.convert
        if prepared.check_response != "off":
            convert = checked_events(self.endpoint, prepared.check_response, convert)
        return {
            "rules": rules,
            "convert": convert,
            "method": prepared.method,
            "url": prepared.safe_url,
            "accumulate": self.accumulate,
        }


def plan(
    endpoint: Endpoint, event_type: object, decoder: Callable[[bytes], Any] | None
) -> StreamPlan:
    """The plan of a stream of `endpoint`'s events, as `event_type=` or `decoder=` ask.

    Raises:
        TypeError: Both `event_type=` and `decoder=` were given.
    """
    assert endpoint.stream is not None  # noqa: S101 - only streaming operations get here
    named = endpoint.stream.get("framing", "data") != "data"
    convert = event_converter(event_type, decoder, named=named)
    accumulate = None if event_type or decoder else accumulator_for(endpoint)
    return StreamPlan(endpoint, convert, accumulate)


def stream_options(endpoint: Endpoint, options: CallOptions) -> CallOptions:
    """The options of a `*_stream` call: the operation's stream flag set, events accepted.

    The flag goes where the operation takes it: into the body (`stream: true`, or
    `stream_format: "sse"` for speech) or into the query (`GET /responses/{id}?stream=true`).
    """
    info = endpoint.stream or {}
    name, _, value = info.get("flag", "stream").partition("=")
    flag: dict[str, Any] = {name: value or True}
    headers = {"Accept": "text/event-stream", **options.get("headers", {})}
    if info.get("in") == "query":
        return {**options, "headers": headers, "query": {**options.get("query", {}), **flag}}
    return {**options, "headers": headers, "extra_body": {**options.get("extra_body", {}), **flag}}


def refuse_stream_flag(
    endpoint: Endpoint, body: object, options: Mapping[str, Any], *, method: str | None = None
) -> None:
    """Refuse a call that reads one answer when its body or query asks for a stream.

    Its answer would be server-sent events, which a JSON decoder cannot read: say which
    method streams before anything is sent. `method` is what was called (default: the
    endpoint's method name).

    Raises:
        StreamFlagError: The operation's stream flag is set (`"stream": true`,
            `"stream_format": "sse"` for speech, `?stream=true` for a retrieve).
    """
    info = endpoint.stream
    if info is None:
        return
    name, _, wanted = info.get("flag", "stream").partition("=")
    if info.get("in") == "query":
        found = options.get("query", {}).get(name)
    else:
        found = _field(body, name)
        if found is None:
            found = options.get("extra_body", {}).get(name)
    if found is not None and str(found).lower() == (wanted or "true"):
        raise StreamFlagError(
            method=method or endpoint.name,
            flag=f"{name}={found!r}",
            stream_method=f"{endpoint.name}_stream",
        )


def refuse_request_stream(
    method: str, route: str, body: object, options: Mapping[str, Any]
) -> None:
    """`refuse_stream_flag` for `client.request(...)`: by the spec operation of the route.

    A route outside the spec with `"stream": true` in its body is refused too: only the
    `*_stream` methods read events (with `path=` for a route of the caller's own).

    Raises:
        StreamFlagError: The request asks for a stream.
    """
    asked = _field(body, "stream")
    if asked is None:
        asked = options.get("extra_body", {}).get("stream")
    named = str(asked).lower() == "true"
    other = _field(body, "stream_format") == "sse" or (
        str(options.get("query", {}).get("stream")).lower() == "true"
    )
    if not named and not other:
        return  # the usual case: decided without looking the route up
    from byot.resources._endpoints import ENDPOINTS

    operation = _validation.operation_for(method, route)
    endpoint = ENDPOINTS.get(operation) if operation else None
    if endpoint is not None:
        refuse_stream_flag(endpoint, body, options, method="request")
    elif named:
        raise StreamFlagError(method="request", flag=f"stream={asked!r}", stream_method=None)


def _field(body: object, name: str) -> object:
    """A top-level field of a body in any form byot sends: mapping, object, JSON bytes."""
    if isinstance(body, Mapping):
        return cast("Mapping[str, object]", body).get(name)
    if isinstance(body, (bytes, bytearray)):
        if name.encode() not in body:  # most bytes bodies are not parsed at all
            return None
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        document = _codec.json_object(value)
        return None if document is None else document.get(name)
    return getattr(body, name, None)  # a dataclass, attrs, pydantic or msgspec value


def event_converter(
    event_type: object, decoder: Callable[[bytes], Any] | None, *, named: bool
) -> Callable[[Any, Any], Any] | None:
    """How a stream's items (values, or `(event name, value)` pairs) reach the caller.

    As they are, converted into `event_type`, or decoded from each event's raw data by
    `decoder`. None means "as they are" (the fast path).

    Raises:
        TypeError: Both `event_type=` and `decoder=` were given.
    """
    if decoder is not None:
        if event_type is not None:
            raise TypeError("pass event_type= or decoder=, not both")
        if named:
            return lambda event, item: (item[0], decoder(event.data))
        return lambda event, _item: decoder(event.data)
    if event_type is None:
        return None
    convert = _codec.converter_for(event_type)
    if named:
        return lambda _event, item: (item[0], convert(item[1]))
    return lambda _event, item: convert(item)


def checked_events(
    endpoint: Endpoint, mode: Mode, convert: Callable[[Any, Any], Any] | None
) -> Callable[[Any, Any], Any]:
    """A stream's converter with each event validated first (`validate=` on)."""
    assert endpoint.stream is not None  # noqa: S101 - only streaming operations get here
    check = _validation.event_check(endpoint.operation_id, endpoint.stream, mode)
    if convert is None:

        def plain(_event: Any, item: Any) -> Any:
            check(item)
            return item

        return plain
    then = convert

    def checked(event: Any, item: Any) -> Any:
        check(item)
        return then(event, item)

    return checked


_CHAT_STREAMS = frozenset({"createChatCompletion"})
_RESPONSE_STREAMS = frozenset(
    {"createResponse", "getResponse", "beta_createResponse", "beta_getResponse"}
)


def accumulator_for(endpoint: Endpoint) -> Callable[[list[Any]], dict[str, Any]] | None:
    """What merges a stream's events for `final()`: chat completions and Responses have one."""
    from byot import _accumulate  # only streams pay for it

    if endpoint.operation_id in _CHAT_STREAMS:
        return _accumulate.accumulate_chat
    if endpoint.operation_id in _RESPONSE_STREAMS:
        return _accumulate.accumulate_response
    return None
