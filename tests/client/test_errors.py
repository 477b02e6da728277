"""Status errors as both clients raise them: the class per status and every body shape."""

import pickle
from typing import Any

import httpx
import orjson
import pytest

import byot
from byot.errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BYOTError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

BASE = "http://test.local/v1"
CHAT_URL = f"{BASE}/chat/completions"
NO_RETRY = byot.RetryPolicy(max_retries=0, sleep=False)


def raise_for(
    both: Any,
    status: int,
    content: bytes,
    headers: dict[str, str] | None = None,
) -> tuple[APIStatusError, list[httpx.Request]]:
    """Send one chat call to a server that answers `status`; return the error raised."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, headers=headers or {}, content=content)

    client = both.client(handler, retry=NO_RETRY)
    with pytest.raises(APIStatusError) as info:
        both.call(client.request, "POST", "/chat/completions", body={"model": "m"})
    return info.value, requests


OPENAI_BODY = {
    "error": {
        "message": "The model `gpt-9` does not exist",
        "type": "invalid_request_error",
        "param": "model",
        "code": "model_not_found",
    }
}


@pytest.mark.parametrize(
    ("status", "cls", "reason"),
    [
        (400, BadRequestError, "Bad Request"),
        (401, AuthenticationError, "Unauthorized"),
        (403, PermissionDeniedError, "Forbidden"),
        (404, NotFoundError, "Not Found"),
        (409, ConflictError, "Conflict"),
        (422, UnprocessableEntityError, "Unprocessable Content"),
        (429, RateLimitError, "Too Many Requests"),
        (500, InternalServerError, "Internal Server Error"),
        (503, InternalServerError, "Service Unavailable"),
        (599, InternalServerError, "Error"),
        (418, APIStatusError, "I'm a Teapot"),
        (402, APIStatusError, "Payment Required"),
    ],
)
def test_status_to_class(both: Any, status: int, cls: type[APIStatusError], reason: str) -> None:
    raw = orjson.dumps(OPENAI_BODY)
    error, requests = raise_for(
        both, status, raw, {"x-request-id": "req_abc", "content-type": "application/json"}
    )

    assert type(error) is cls
    assert isinstance(error, APIStatusError)
    assert isinstance(error, APIError)
    assert isinstance(error, BYOTError)
    assert len(requests) == 1
    assert error.status_code == status
    assert error.request_id == "req_abc"
    assert error.raw == raw
    assert error.body == OPENAI_BODY
    assert error.headers["content-type"] == "application/json"
    assert error.method == "POST"
    assert error.url == CHAT_URL
    assert error.error_message == "The model `gpt-9` does not exist"
    assert error.type == "invalid_request_error"
    assert error.code == "model_not_found"
    assert error.param == "model"
    expected = (
        f"{status} {reason}: The model `gpt-9` does not exist [type=invalid_request_error, "
        "code=model_not_found, param=model, request_id=req_abc]"
    )
    assert error.message == expected
    assert str(error) == expected


# Provider shape -> (status, raw body, str(error), error_message, type, code, param, is JSON).
SHAPES: dict[str, tuple[int, bytes, str, str | None, str | None, Any, str | None, bool]] = {
    "openai": (
        401,
        b'{"error": {"message": "Incorrect API key provided: sk-abc***xyz.", '
        b'"type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}',
        "401 Unauthorized: Incorrect API key provided: sk-abc***xyz. "
        "[type=invalid_request_error, code=invalid_api_key]",
        "Incorrect API key provided: sk-abc***xyz.",
        "invalid_request_error",
        "invalid_api_key",
        None,
        True,
    ),
    "gemini-array": (
        400,
        b'[{"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",'
        b' "status": "INVALID_ARGUMENT"}}]',
        "400 Bad Request: API key not valid. Please pass a valid API key. "
        "[type=INVALID_ARGUMENT, code=400]",
        "API key not valid. Please pass a valid API key.",
        "INVALID_ARGUMENT",
        400,
        None,
        True,
    ),
    "openrouter-int-code": (
        402,
        b'{"error": {"message": "Insufficient credits", "code": 402, '
        b'"metadata": {"provider_name": null}}}',
        "402 Payment Required: Insufficient credits [code=402]",
        "Insufficient credits",
        None,
        402,
        None,
        True,
    ),
    "vllm-top-level": (
        404,
        b'{"object": "error", "message": "The model `llama` does not exist.", '
        b'"type": "NotFoundError", "param": null, "code": 404}',
        "404 Not Found: The model `llama` does not exist. [type=NotFoundError, code=404]",
        "The model `llama` does not exist.",
        "NotFoundError",
        404,
        None,
        True,
    ),
    "ollama-string": (
        404,
        b'{"error": "model \\"llama9\\" not found, try pulling it first"}',
        '404 Not Found: model "llama9" not found, try pulling it first',
        'model "llama9" not found, try pulling it first',
        None,
        None,
        None,
        True,
    ),
    "fastapi-detail": (
        422,
        b'{"detail": [{"loc": ["body", "messages", 0, "role"], "msg": "field required", '
        b'"type": "missing"}]}',
        "422 Unprocessable Content: body.messages.0.role: field required",
        "body.messages.0.role: field required",
        None,
        None,
        None,
        True,
    ),
    "html-page": (
        502,
        b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
        b"<body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>",
        "502 Bad Gateway: 502 Bad Gateway",
        "502 Bad Gateway",
        None,
        None,
        None,
        False,
    ),
    "plain-text": (
        500,
        b"upstream connect error or disconnect/reset before headers\n",
        "500 Internal Server Error: upstream connect error or disconnect/reset before headers",
        "upstream connect error or disconnect/reset before headers",
        None,
        None,
        None,
        False,
    ),
    "empty": (
        503,
        b"",
        "503 Service Unavailable (empty body)",
        None,
        None,
        None,
        None,
        False,
    ),
    "json-without-message": (
        500,
        b'{"status": "down"}',
        "500 Internal Server Error (unreadable error body)",
        None,
        None,
        None,
        None,
        True,
    ),
    "json-string": (
        500,
        b'"internal failure"',
        "500 Internal Server Error: internal failure",
        "internal failure",
        None,
        None,
        None,
        True,
    ),
    "fastapi-detail-string": (
        401,
        b'{"detail": "Not authenticated"}',
        "401 Unauthorized: Not authenticated",
        "Not authenticated",
        None,
        None,
        None,
        True,
    ),
    "detail-list-of-strings": (
        400,
        b'{"detail": ["bad temperature", {"msg": "bad n"}]}',
        "400 Bad Request: bad temperature; bad n",
        "bad temperature; bad n",
        None,
        None,
        None,
        True,
    ),
    "odd-types": (
        400,
        b'{"error": {"message": {"text": "nested"}, "type": "t", "code": 1.5, "param": true}}',
        '400 Bad Request: {"text":"nested"} [type=t, code=1.5, param=true]',
        '{"text":"nested"}',
        "t",
        "1.5",
        "true",
        True,
    ),
    "openai-with-param": (
        400,
        b'{"error": {"message": "Invalid value", "type": "invalid_request_error", '
        b'"param": "messages[0].role", "code": null}}',
        "400 Bad Request: Invalid value [type=invalid_request_error, param=messages[0].role]",
        "Invalid value",
        "invalid_request_error",
        None,
        "messages[0].role",
        True,
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_error_body_shapes(both: Any, shape: str) -> None:
    status, raw, message, error_message, type_, code, param, is_json = SHAPES[shape]

    error, requests = raise_for(both, status, raw)

    assert len(requests) == 1
    assert error.status_code == status
    assert str(error) == message
    assert error.message == message
    assert error.error_message == error_message
    assert error.type == type_
    assert error.code == code
    assert error.param == param
    assert error.raw == raw
    assert error.body == (orjson.loads(raw) if is_json else None)
    assert error.request_id is None
    assert "\n" not in str(error)


def test_long_text_bodies_are_cut(both: Any) -> None:
    raw = b"x" * 2000

    error, _ = raise_for(both, 500, raw)

    assert error.error_message == "x" * 500 + "..."
    assert error.raw == raw


def test_redirects_are_errors_that_point_at_base_url(both: Any) -> None:
    error, requests = raise_for(
        both, 301, b"", {"location": "https://test.local/v1/chat/completions"}
    )

    assert type(error) is APIStatusError
    assert len(requests) == 1
    assert str(error) == (
        "301 Moved Permanently (empty body) (redirect to "
        "https://test.local/v1/chat/completions; check base_url: byot does not follow redirects)"
    )


def test_status_errors_pickle(both: Any) -> None:
    raw = orjson.dumps(OPENAI_BODY)
    error, _ = raise_for(both, 429, raw, {"x-request-id": "req_p", "retry-after": "1"})

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

    assert type(copy) is RateLimitError
    assert str(copy) == str(error)
    assert copy.status_code == 429
    assert copy.request_id == "req_p"
    assert copy.raw == raw
    assert copy.body == OPENAI_BODY
    assert copy.headers["retry-after"] == "1"
    assert copy.url == CHAT_URL
    assert copy.code == "model_not_found"


def test_status_error_from_a_get_names_the_request(both: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": {"message": "No such file"}})

    client = both.client(handler, retry=NO_RETRY)

    with pytest.raises(NotFoundError) as info:
        both.call(
            client.request,
            "GET",
            "/files/{file_id}",
            path_params={"file_id": "f 1"},
            query={"a": 1},
        )

    assert info.value.method == "GET"
    assert info.value.url == f"{BASE}/files/f%201?a=1"
    assert str(info.value) == "404 Not Found: No such file"
