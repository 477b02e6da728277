"""The exception tree: hierarchy, messages, and pickling (errors cross process boundaries)."""

from __future__ import annotations

import pickle
from typing import Any

import httpx
import pytest

from byot import errors

STATUS_CLASSES = [
    errors.APIStatusError,
    errors.BadRequestError,
    errors.AuthenticationError,
    errors.PermissionDeniedError,
    errors.NotFoundError,
    errors.ConflictError,
    errors.UnprocessableEntityError,
    errors.RateLimitError,
    errors.InternalServerError,
]


def status_error(cls: type[errors.APIStatusError]) -> errors.APIStatusError:
    return cls(
        "429 Too Many Requests: slow down [code=rate_limit_exceeded]",
        method="POST",
        url="https://api.example/v1/chat/completions",
        status_code=429,
        headers=httpx.Headers({"x-request-id": "req_1", "retry-after": "2"}),
        raw=b'{"error": {"message": "slow down"}}',
        body={"error": {"message": "slow down"}},
        request_id="req_1",
        error_message="slow down",
        type="requests",
        code="rate_limit_exceeded",
        param="model",
    )


EXAMPLES: list[errors.BYOTError] = [
    errors.BYOTError("something failed"),
    errors.ConfigError("no API key"),
    errors.APIError("call failed", method="GET", url="http://h/v1/models"),
    errors.APIConnectionError("connection error: refused", method="GET", url="http://h/v1/x"),
    errors.APITimeoutError("read timeout: GET", method="GET", url="http://h/v1/x"),
    *(status_error(cls) for cls in STATUS_CLASSES),
    errors.DecodeError(
        "cannot decode", raw=b"[1]", target=dict, path="$.choices[0]", request_id="req_2"
    ),
    errors.RealtimeClosedError(
        "closed", method="GET", url="ws://h/v1/realtime", close_code=1011, reason="boom"
    ),
    errors.RealtimeError(
        "Realtime error event: bad",
        method="GET",
        url="ws://h/v1/realtime",
        event={"type": "error", "error": {"message": "bad"}},
        error_message="bad",
        type="invalid_request_error",
        code="invalid_event",
        param="session",
        event_id="evt_1",
    ),
    errors.StreamFlagError(
        method="chat.completions.create",
        flag="stream=True",
        stream_method="chat.completions.create_stream",
    ),
    errors.UnknownOperationError(name="chat.create", suggestions=["chat.completions.create"]),
]


def round_trip(error: errors.BYOTError) -> Any:
    return pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error: errors.BYOTError) -> None:
    restored = round_trip(error)
    assert type(restored) is type(error)
    assert str(restored) == str(error)
    assert restored.args == error.args
    # Every attribute survives, whatever the class (headers compare by content).
    assert restored.__dict__ == error.__dict__


def test_pickle_keeps_status_attributes() -> None:
    restored = round_trip(status_error(errors.RateLimitError))
    assert isinstance(restored, errors.RateLimitError)
    assert restored.message == "429 Too Many Requests: slow down [code=rate_limit_exceeded]"
    assert (restored.method, restored.url) == ("POST", "https://api.example/v1/chat/completions")
    assert restored.status_code == 429
    assert restored.headers["Retry-After"] == "2"
    assert restored.request_id == "req_1"
    assert restored.raw == b'{"error": {"message": "slow down"}}'
    assert restored.body == {"error": {"message": "slow down"}}
    assert (restored.error_message, restored.type, restored.code, restored.param) == (
        "slow down",
        "requests",
        "rate_limit_exceeded",
        "model",
    )


def test_pickle_keeps_decode_attributes() -> None:
    error = errors.DecodeError("cannot decode", raw=b"[1]", target=dict, path="$.a", request_id="r")
    restored = round_trip(error)
    assert (restored.raw, restored.target, restored.path, restored.request_id) == (
        b"[1]",
        dict,
        "$.a",
        "r",
    )


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_str_is_the_message(error: errors.BYOTError) -> None:
    assert str(error) == error.args[0]
    if isinstance(error, errors.APIError):
        assert error.message == str(error)


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (errors.ConfigError, (errors.BYOTError, ValueError)),
        (errors.APIError, (errors.BYOTError, Exception)),
        (errors.APIConnectionError, (errors.APIError,)),
        (errors.APITimeoutError, (errors.APIConnectionError, errors.APIError)),
        (errors.APIStatusError, (errors.APIError,)),
        *(
            (cls, (errors.APIStatusError, errors.APIError, errors.BYOTError))
            for cls in STATUS_CLASSES
        ),
        (errors.DecodeError, (errors.BYOTError,)),
    ],
)
def test_hierarchy(cls: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    assert all(issubclass(cls, base) for base in bases)


@pytest.mark.parametrize(
    ("cls", "not_base"),
    [
        (errors.APIStatusError, errors.APIConnectionError),
        (errors.APIConnectionError, errors.APIStatusError),
        (errors.DecodeError, errors.APIError),
        (errors.ConfigError, errors.APIError),
        (errors.RateLimitError, errors.InternalServerError),
    ],
)
def test_hierarchy_separates_branches(cls: type[Exception], not_base: type[Exception]) -> None:
    assert not issubclass(cls, not_base)


def test_decode_error_defaults() -> None:
    error = errors.DecodeError("bad", raw=b"x", target=int)
    assert (error.path, error.request_id) == ("$", None)


def test_decode_error_with_context() -> None:
    error = errors.DecodeError("bad", raw=b"", target=dict, path="$.a")
    same = error.with_context(raw=b'{"a": 1}', request_id="req_9")
    assert same is error
    assert (error.raw, error.request_id, error.path, str(error)) == (
        b'{"a": 1}',
        "req_9",
        "$.a",
        "bad",
    )
