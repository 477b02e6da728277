"""Error responses: every body shape a provider sends, the class per status, the message."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from byot import errors
from byot._status import ErrorBody, error_class, is_quota_error, make_status_error, parse_error_body

LONG_TEXT = "a" * 600


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            b'{"error": {"message": "Invalid model", "type": "invalid_request_error",'
            b' "param": "model", "code": "model_not_found"}}',
            ErrorBody(
                body={
                    "error": {
                        "message": "Invalid model",
                        "type": "invalid_request_error",
                        "param": "model",
                        "code": "model_not_found",
                    }
                },
                message="Invalid model",
                type="invalid_request_error",
                code="model_not_found",
                param="model",
            ),
            id="openai",
        ),
        pytest.param(
            b'[{"error": {"code": 400, "message": "API key not valid",'
            b' "status": "INVALID_ARGUMENT"}}]',
            ErrorBody(
                body=[
                    {
                        "error": {
                            "code": 400,
                            "message": "API key not valid",
                            "status": "INVALID_ARGUMENT",
                        }
                    }
                ],
                message="API key not valid",
                type="INVALID_ARGUMENT",  # Gemini names the kind in `status`
                code=400,
            ),
            id="gemini-array",
        ),
        pytest.param(
            b'{"error": {"code": 429, "message": "Rate limit exceeded", "metadata": {}}}',
            ErrorBody(
                body={"error": {"code": 429, "message": "Rate limit exceeded", "metadata": {}}},
                message="Rate limit exceeded",
                code=429,
            ),
            id="openrouter-int-code",
        ),
        pytest.param(
            b'{"object": "error", "message": "The model does not exist.",'
            b' "type": "BadRequestError", "param": null, "code": 400}',
            ErrorBody(
                body={
                    "object": "error",
                    "message": "The model does not exist.",
                    "type": "BadRequestError",
                    "param": None,
                    "code": 400,
                },
                message="The model does not exist.",
                type="BadRequestError",
                code=400,
            ),
            id="vllm-top-level",
        ),
        pytest.param(
            b'{"detail": "Not authenticated"}',
            ErrorBody(body={"detail": "Not authenticated"}, message="Not authenticated"),
            id="fastapi-detail-string",
        ),
        pytest.param(
            b'{"detail": [{"loc": ["body", "model"], "msg": "field required"}]}',
            ErrorBody(
                body={"detail": [{"loc": ["body", "model"], "msg": "field required"}]},
                message="body.model: field required",
            ),
            id="fastapi-detail-list",
        ),
        pytest.param(
            # Every item of the list is reported: no loc, `message` instead of `msg`, a bare
            # string, and an integer position in `loc`.
            b'{"detail": [{"msg": "bad"}, {"loc": ["body", "messages", 0],'
            b' "message": "too long"}, "plain"]}',
            ErrorBody(
                body={
                    "detail": [
                        {"msg": "bad"},
                        {"loc": ["body", "messages", 0], "message": "too long"},
                        "plain",
                    ]
                },
                message="bad; body.messages.0: too long; plain",
            ),
            id="fastapi-detail-mixed-list",
        ),
        pytest.param(
            b'{"detail": []}',
            ErrorBody(body={"detail": []}),
            id="fastapi-detail-empty-list",
        ),
        pytest.param(
            b'{"error": "model not found"}',
            ErrorBody(body={"error": "model not found"}, message="model not found"),
            id="error-string",
        ),
        pytest.param(
            b'{"error": "overloaded", "code": "busy"}',
            ErrorBody(
                body={"error": "overloaded", "code": "busy"}, message="overloaded", code="busy"
            ),
            id="error-string-with-code",
        ),
        pytest.param(
            # A boolean `error` is a flag, not a message: the top-level fields are read instead.
            b'{"error": true, "message": "upstream failed"}',
            ErrorBody(
                body={"error": True, "message": "upstream failed"}, message="upstream failed"
            ),
            id="error-flag",
        ),
        pytest.param(
            b'{"message": "Something went wrong"}',
            ErrorBody(body={"message": "Something went wrong"}, message="Something went wrong"),
            id="message-only",
        ),
        pytest.param(
            b'{"msg": "quota"}',
            ErrorBody(body={"msg": "quota"}, message="quota"),
            id="msg-only",
        ),
        pytest.param(
            b'{"foo": 1}',
            ErrorBody(body={"foo": 1}),
            id="object-without-message",
        ),
        pytest.param(
            b'"service unavailable"',
            ErrorBody(body="service unavailable", message="service unavailable"),
            id="json-string",
        ),
        pytest.param(b"42", ErrorBody(body=42, message="42"), id="json-number"),
        pytest.param(b"null", ErrorBody(), id="json-null"),
        pytest.param(
            # An empty array holds no message, like an empty object.
            b"[]",
            ErrorBody(body=[]),
            id="json-empty-list",
        ),
        pytest.param(
            b'["rate limited"]',
            ErrorBody(body=["rate limited"], message="rate limited"),
            id="json-list-of-string",
        ),
        pytest.param(
            b"<html><head><title>502 Bad Gateway</title></head>"
            b"<body><h1>502 Bad Gateway</h1><hr>nginx</body></html>",
            ErrorBody(message="502 Bad Gateway"),
            id="html-title",
        ),
        pytest.param(
            b"<HTML><TITLE lang='en'>\n  Service\n   Unavailable  </TITLE></HTML>",
            ErrorBody(message="Service Unavailable"),
            id="html-title-case-and-whitespace",
        ),
        pytest.param(
            b"<html><body><h1>Oops</h1>\n<p>Something   <b>broke</b></p></body></html>",
            ErrorBody(message="Oops Something broke"),
            id="html-without-title",
        ),
        pytest.param(
            b"upstream connect error or disconnect/reset before headers",
            ErrorBody(message="upstream connect error or disconnect/reset before headers"),
            id="plain-text",
        ),
        pytest.param(
            LONG_TEXT.encode(),
            ErrorBody(message="a" * 500 + "..."),
            id="long-text-truncated",
        ),
        pytest.param(b"a" * 500, ErrorBody(message="a" * 500), id="text-at-limit-kept"),
        pytest.param(b"", ErrorBody(), id="empty"),
        pytest.param(b" \r\n\t ", ErrorBody(), id="whitespace"),
        pytest.param(b"<p> </p>", ErrorBody(), id="html-without-text"),
        pytest.param(
            b"\xff\xfe bad gateway",
            ErrorBody(message="\ufffd\ufffd bad gateway"),
            id="invalid-utf8",
        ),
        pytest.param(
            b'{"error": {"message": {"reason": "bad"}, "type": 7, "param": ["messages", 0]}}',
            ErrorBody(
                body={"error": {"message": {"reason": "bad"}, "type": 7, "param": ["messages", 0]}},
                message='{"reason":"bad"}',  # non-string values are kept as JSON text
                type="7",
                param='["messages",0]',
            ),
            id="non-string-fields",
        ),
        pytest.param(
            b'{"error": {"message": "m", "code": true}}',
            ErrorBody(body={"error": {"message": "m", "code": True}}, message="m"),
            id="bool-code-ignored",
        ),
        pytest.param(
            b'{"message": "m", "code": false}',
            ErrorBody(body={"message": "m", "code": False}, message="m"),
            id="top-level-bool-code-ignored",
        ),
        pytest.param(
            b'{"error": {"message": "m", "code": 1.5}}',
            ErrorBody(body={"error": {"message": "m", "code": 1.5}}, message="m", code="1.5"),
            id="float-code-as-text",
        ),
        pytest.param(
            b'{"error": {"message": "", "type": "", "code": ""}}',
            ErrorBody(body={"error": {"message": "", "type": "", "code": ""}}),
            id="empty-strings-are-none",
        ),
    ],
)
def test_parse_error_body(raw: bytes, expected: ErrorBody) -> None:
    assert parse_error_body(raw) == expected


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (409, errors.ConflictError),
        (422, errors.UnprocessableEntityError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (503, errors.InternalServerError),
        (599, errors.InternalServerError),
        (418, errors.APIStatusError),
        (302, errors.APIStatusError),
    ],
)
def test_error_class(status: int, cls: type[errors.APIStatusError]) -> None:
    # `is`, not issubclass: a 418 must not come out as some more specific class.
    assert error_class(status) is cls


def status_error(
    status: int, raw: bytes = b"", headers: dict[str, str] | None = None, **kwargs: Any
) -> errors.APIStatusError:
    return make_status_error(
        method="POST",
        url="https://api.example/v1/chat/completions",
        status=status,
        headers=httpx.Headers(headers or {}),
        raw=raw,
        **kwargs,
    )


OPENAI_429 = (
    b'{"error": {"message": "Rate limit reached", "type": "requests",'
    b' "param": "model", "code": "rate_limit_exceeded"}}'
)


@pytest.mark.parametrize(
    ("status", "raw", "headers", "message"),
    [
        pytest.param(
            429,
            OPENAI_429,
            {"x-request-id": "req_123"},
            "429 Too Many Requests: Rate limit reached "
            "[type=requests, code=rate_limit_exceeded, param=model, request_id=req_123]",
            id="full",
        ),
        pytest.param(
            400, b'{"error": "model not found"}', {}, "400 Bad Request: model not found", id="bare"
        ),
        pytest.param(
            404,
            b'{"error": {"message": "no", "code": 404}}',
            {},
            "404 Not Found: no [code=404]",
            id="int-code",
        ),
        pytest.param(500, b"", {}, "500 Internal Server Error (empty body)", id="empty-body"),
        pytest.param(
            502, b"  \n", {"x-request-id": "r1"}, "502 Bad Gateway (empty body) [request_id=r1]"
        ),
        pytest.param(
            400, b'{"foo": 1}', {}, "400 Bad Request (unreadable error body)", id="no-message"
        ),
        pytest.param(599, b"", {}, "599 Error (empty body)", id="unknown-status"),
        # RFC 9110's phrases on every Python (the stdlib has them from 3.13 on).
        pytest.param(413, b"", {}, "413 Content Too Large (empty body)", id="rfc9110-413"),
        pytest.param(414, b"", {}, "414 URI Too Long (empty body)", id="rfc9110-414"),
        pytest.param(416, b"", {}, "416 Range Not Satisfiable (empty body)", id="rfc9110-416"),
        pytest.param(422, b"", {}, "422 Unprocessable Content (empty body)", id="rfc9110-422"),
        pytest.param(418, b"short and stout", {}, "418 I'm a Teapot: short and stout", id="teapot"),
        pytest.param(
            302,
            b"",
            {"location": "https://api.example/v1/"},
            "302 Found (empty body) (redirect to https://api.example/v1/; "
            "check base_url: byot does not follow redirects)",
            id="redirect",
        ),
        pytest.param(301, b"", {}, "301 Moved Permanently (empty body)", id="redirect-no-location"),
        pytest.param(
            # A Location header on a non-redirect says nothing about redirects.
            404,
            b"",
            {"location": "https://elsewhere/"},
            "404 Not Found (empty body)",
            id="location-on-404",
        ),
    ],
)
def test_make_status_error_message(
    status: int, raw: bytes, headers: dict[str, str], message: str
) -> None:
    error = status_error(status, raw, headers)
    assert error.message == message
    assert str(error) == message


def test_make_status_error_attributes() -> None:
    headers = {"x-request-id": "req_123", "retry-after": "3"}
    error = status_error(429, OPENAI_429, headers)
    assert type(error) is errors.RateLimitError
    assert error.method == "POST"
    assert error.url == "https://api.example/v1/chat/completions"
    assert error.status_code == 429
    assert error.headers == httpx.Headers(headers)
    assert error.headers["Retry-After"] == "3"  # still case-insensitive
    assert error.request_id == "req_123"
    assert error.raw == OPENAI_429
    assert error.body == {
        "error": {
            "message": "Rate limit reached",
            "type": "requests",
            "param": "model",
            "code": "rate_limit_exceeded",
        }
    }
    assert error.error_message == "Rate limit reached"
    assert error.type == "requests"
    assert error.code == "rate_limit_exceeded"
    assert error.param == "model"


def test_make_status_error_without_json_body() -> None:
    error = status_error(503, b"<title>Down for maintenance</title>")
    assert type(error) is errors.InternalServerError
    assert error.body is None
    assert error.request_id is None
    assert error.error_message == "Down for maintenance"
    assert (error.type, error.code, error.param) == (None, None, None)


def test_make_status_error_uses_given_info_over_raw() -> None:
    # The driver may have parsed the body already; it is not parsed a second time.
    info = ErrorBody(body={"k": 1}, message="already parsed", code="c")
    error = status_error(400, b'{"error": {"message": "from raw"}}', info=info)
    assert error.message == "400 Bad Request: already parsed [code=c]"
    assert error.body == {"k": 1}
    assert error.raw == b'{"error": {"message": "from raw"}}'


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (ErrorBody(type="insufficient_quota"), True),
        (ErrorBody(code="insufficient_quota"), True),
        (ErrorBody(type="requests", code="rate_limit_exceeded"), False),
        (ErrorBody(code=429), False),
        (ErrorBody(), False),
    ],
)
def test_is_quota_error(info: ErrorBody, expected: bool) -> None:
    assert is_quota_error(info) is expected
