"""Events both ways, free of I/O: encoding, validation, decoding, `error` events, the outbox."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import orjson
import pytest
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus, InvalidURI
from websockets.http11 import Response

import byot
from byot import _realtime, realtime
from byot._validation import Validation
from byot.testing import realtime_examples

SERVER = realtime_examples()["server"]
URL = "ws://test/v1/realtime?model=m"


def events(
    *,
    event_type: Any = None,
    decoder: Any = None,
    encoder: Any = None,
    validate: Any = "off",
    errors: Any = "raise",
) -> _realtime.Events[Any]:
    return _realtime.Events[Any](
        URL,
        event_type=event_type,
        decoder=decoder,
        encoder=encoder,
        validation=Validation.of(validate),
        errors=errors,
    )


@dataclasses.dataclass
class UserText:
    text: str


@dataclasses.dataclass
class ItemCreate:
    item: dict[str, Any]
    type: str = "conversation.item.create"


def test_outgoing_dict_and_typed_object_and_encoder() -> None:
    event = realtime.response_create()
    assert events().outgoing(event) == ('{"type":"response.create"}', "response.create")
    typed = ItemCreate(item=realtime.user_text("hi"))
    text, kind = events(validate="raise").outgoing(typed)
    assert kind == "conversation.item.create"
    assert orjson.loads(text)["item"]["content"][0]["text"] == "hi"
    encoded = events(encoder=lambda e: {"type": "response.cancel", "response_id": e.text}).outgoing(
        UserText("r1")
    )
    assert encoded == ('{"type":"response.cancel","response_id":"r1"}', "response.cancel")
    raw = events(encoder=lambda _e: b'{"type": 7}').outgoing(object())
    assert raw == ('{"type": 7}', None)


def test_outgoing_that_is_no_json_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="JSON object"):
        events().outgoing(["response.create"])


def test_outgoing_validation_raise_and_warn() -> None:
    bad = {"type": "response.craete"}
    with pytest.raises(byot.errors.SchemaValidationError, match="RealtimeClientEvent"):
        events(validate="raise").outgoing(bad)
    with pytest.warns(byot.errors.SchemaValidationWarning, match="response.craete"):
        assert events(validate="warn").outgoing(bad)[1] == "response.craete"
    assert events(validate=Validation("off", "raise")).outgoing(bad)[1] == "response.craete"


def test_incoming_dicts_types_and_decoders() -> None:
    frame = orjson.dumps(SERVER["response.output_text.delta"][0])
    plain = events().incoming(frame.decode())
    assert (plain.type, plain.value["delta"]) == ("response.output_text.delta", "Sure, I can h")

    @dataclasses.dataclass
    class Delta:
        type: str
        delta: str

    typed = events(event_type=Delta).incoming(frame)
    assert typed.value == Delta("response.output_text.delta", "Sure, I can h")
    decoded = events(decoder=lambda raw: len(raw)).incoming(frame)
    assert (decoded.type, decoded.value) == ("response.output_text.delta", len(frame))


def test_incoming_that_does_not_fit_is_a_decode_error() -> None:
    @dataclasses.dataclass
    class Needs:
        missing_field: int

    frame = orjson.dumps(SERVER["session.created"][0])
    with pytest.raises(byot.errors.DecodeError, match="missing_field"):
        events(event_type=Needs).incoming(frame)

    def failing(_raw: bytes) -> Any:
        raise ValueError("nope")

    with pytest.raises(byot.errors.DecodeError, match="ValueError: nope") as info:
        events(decoder=failing).incoming(frame)
    assert info.value.raw == frame

    def strict(raw: bytes) -> Any:
        raise byot.errors.DecodeError("typed", raw=b"", target=dict)

    with pytest.raises(byot.errors.DecodeError, match="typed") as info:
        events(decoder=strict).incoming(frame)
    assert info.value.raw == frame


@pytest.mark.parametrize(
    ("frame", "what"),
    [
        ("this is not json", "not JSON"),
        ('{"no": "type"}', "no 'type'"),
        ("[1, 2]", "no 'type'"),
        ('{"type": 3}', "no 'type'"),
    ],
)
def test_a_frame_that_is_no_event(frame: str, what: str) -> None:
    with pytest.raises(byot.errors.DecodeError, match=what) as info:
        events().incoming(frame)
    assert info.value.raw == frame.encode()


def test_incoming_validation_lenient() -> None:
    odd = {"type": "response.output_text.delta", "delta": 5}
    with pytest.raises(byot.errors.SchemaValidationError, match="lenient"):
        events(validate="raise").incoming(orjson.dumps(odd))
    with pytest.warns(byot.errors.SchemaValidationWarning):
        assert events(validate="warn").incoming(orjson.dumps(odd)).value == odd


def test_error_event_raised_or_delivered() -> None:
    error = SERVER["error"][0]
    with pytest.raises(byot.errors.RealtimeError) as info:
        events().incoming(orjson.dumps(error))
    raised = info.value
    assert (raised.code, raised.type, raised.event_id) == (
        "invalid_event",
        "invalid_request_error",
        "event_567",
    )
    assert raised.error_message == "The 'type' field is missing."
    assert raised.event == error
    assert raised.url == URL
    assert str(raised) == (
        "Realtime error event: The 'type' field is missing. "
        "[type=invalid_request_error, code=invalid_event, event_id=event_567]"
    )
    assert events(errors="deliver").incoming(orjson.dumps(error)).value == error
    shapeless = events().error({"type": "error", "error": "overloaded"})
    assert (shapeless.error_message, shapeless.event_id, shapeless.code) == (
        "overloaded",
        None,
        None,
    )
    assert str(shapeless) == "Realtime error event: overloaded"
    empty = events().error({"type": "error"})
    assert str(empty) == "Realtime error event: no message"


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="not both"):
        events(event_type=dict, decoder=bytes)
    with pytest.raises(ValueError, match="'raise' or 'deliver'"):
        events(errors="ignore")


def test_handshake_errors_map_to_byot_errors() -> None:
    body = orjson.dumps(
        {
            "error": {
                "message": "Rate limit reached",
                "type": "requests",
                "code": "rate_limit_exceeded",
            }
        }
    )
    refused = InvalidStatus(
        Response(429, "Too Many Requests", Headers({"x-request-id": "req_1"}), body)
    )
    error = _realtime.handshake_error(refused, URL)
    assert isinstance(error, byot.errors.RateLimitError)
    assert (error.status_code, error.code, error.request_id) == (
        429,
        "rate_limit_exceeded",
        "req_1",
    )
    assert "Rate limit reached" in str(error)
    assert isinstance(_realtime.handshake_error(TimeoutError(), URL), byot.errors.APITimeoutError)
    other = _realtime.handshake_error(InvalidURI("x", "bad"), URL)
    assert type(other) is byot.errors.APIConnectionError
    assert "InvalidURI" in str(other)


def test_which_reconnect_failures_are_retried() -> None:
    def status(code: int) -> byot.errors.APIStatusError:
        return byot.errors.APIStatusError(
            "x", method="GET", url=URL, status_code=code, headers=httpx.Headers(), raw=b""
        )

    assert _realtime.may_retry_handshake(status(503))
    assert _realtime.may_retry_handshake(status(429))
    assert not _realtime.may_retry_handshake(status(401))
    assert _realtime.may_retry_handshake(byot.errors.APIConnectionError("x", method="GET", url=URL))
    assert not _realtime.may_retry_handshake(ValueError())


def test_outbox_keeps_the_session_and_a_bounded_queue() -> None:
    box = _realtime.Outbox(_realtime.Reconnect(max_queue=2))
    assert [box.may_reopen(code) for code in (1006, None, 1000)] == [True, True, False]
    box.sent(
        '{"type":"session.update","session":{"voice":"a","instructions":"x"}}', "session.update"
    )
    box.sent('{"type":"session.update","session":{"voice":"b"}}', "session.update")
    box.sent('{"type":"session.update"}', "session.update")
    box.sent('{"type":"response.create"}', "response.create")
    assert [box.hold("a"), box.hold("b")] == [True, True]
    assert not box.hold("c")
    session = '{"type":"session.update","session":{"voice":"b","instructions":"x"}}'
    assert box.replay() == [session, "a", "b"]
    assert box.replay() == [session]
    assert not _realtime.Outbox(None).may_reopen(1006)
    assert _realtime.Outbox(_realtime.Reconnect()).replay() == []


def test_closed_error_says_code_and_reason() -> None:
    error = _realtime.closed_error(1011, "boom", URL, during="while receiving")
    assert (error.close_code, error.reason) == (1011, "boom")
    assert (
        str(error)
        == f"the Realtime connection to {URL} closed while receiving (code 1011, reason 'boom')"
    )
    assert "no close code" in str(_realtime.closed_error(None, "", URL, during="x"))
