"""Error responses, sans-I/O: status code to exception class, and every error-body shape.

Providers disagree on how an error looks (research/anchor-peers.md §1.5, §3.2), so the body is
read leniently: whatever its shape, the status error is raised with the status, the headers,
the raw bytes and the best message that can be found. Nothing here raises anything but the
status error it builds.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from byot import errors
from byot._codec import json_array, json_object, json_text

if TYPE_CHECKING:
    import httpx

_STATUS_CLASSES: dict[int, type[errors.APIStatusError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    422: errors.UnprocessableEntityError,
    429: errors.RateLimitError,
}

# RFC 9110's reason phrases where the stdlib spells the older ones before Python 3.13, so an
# error message reads the same on every Python.
_RFC9110_PHRASES = {
    413: "Content Too Large",
    414: "URI Too Long",
    416: "Range Not Satisfiable",
    422: "Unprocessable Content",
}
_MAX_TEXT = 500
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class ErrorBody(NamedTuple):
    """What could be read from an error response body."""

    body: Any = None
    message: str | None = None
    type: str | None = None
    code: str | int | None = None
    param: str | None = None


def error_class(status: int) -> type[errors.APIStatusError]:
    """The exception class for a status code."""
    if status >= 500:
        return errors.InternalServerError
    return _STATUS_CLASSES.get(status, errors.APIStatusError)


def parse_error_body(raw: bytes) -> ErrorBody:
    """Read an error body of any shape; never raises."""
    if not raw.strip():
        return ErrorBody()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return ErrorBody(message=_text_message(raw))
    return _json_message(body)


def _json_message(body: Any) -> ErrorBody:
    # Gemini wraps its error object in a one-element array.
    items = json_array(body)
    if items is not None and not items:
        return ErrorBody(body=body)
    first = items[0] if items else body
    top = json_object(first)
    if top is None:
        return ErrorBody(body=body, message=text_of(first))
    error = top.get("error")
    inner = json_object(error)
    if inner is not None:
        # OpenAI, Azure, OpenRouter (integer code), Gemini (`status` names the kind).
        return ErrorBody(
            body=body,
            message=text_of(inner.get("message")),
            type=text_of(inner.get("type") or inner.get("status")),
            code=code_of(inner.get("code")),
            param=text_of(inner.get("param")),
        )
    if error is not None and not isinstance(error, bool):
        # `{"error": "model not found"}` (Ollama, llama.cpp, many proxies).
        return ErrorBody(body=body, message=text_of(error), code=code_of(top.get("code")))
    detail = top.get("detail")
    if detail is not None:
        # FastAPI-based servers: a string, or a list of {loc, msg} validation problems.
        return ErrorBody(body=body, message=_detail_message(detail))
    # vLLM's top-level `{"object": "error", "message": ..., "code": 400}` and the like.
    return ErrorBody(
        body=body,
        message=text_of(top.get("message") or top.get("msg")),
        type=text_of(top.get("type")),
        code=code_of(top.get("code")),
        param=text_of(top.get("param")),
    )


def _detail_message(detail: Any) -> str | None:
    items = json_array(detail)
    if items is None:
        return text_of(detail)
    parts: list[str] = []
    for item in items:
        problem = json_object(item)
        if problem is None:
            parts.append(text_of(item) or "")
            continue
        loc = json_array(problem.get("loc"))
        where = ".".join(text_of(x) or "" for x in loc) if loc else None
        msg = text_of(problem.get("msg") or problem.get("message")) or ""
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or None


def _text_message(raw: bytes) -> str | None:
    title = _TITLE.search(raw)
    text = (title.group(1) if title else raw).decode("utf-8", "replace")
    text = _SPACE.sub(" ", _TAG.sub(" ", text)).strip()
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "..."
    return text or None


def text_of(value: Any) -> str | None:
    """A decoded JSON value as message text: a string as it is, anything else as JSON.

    Never raises, however deep or large the value (see `json_text`); None for null or "".
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json_text(value)


def code_of(value: Any) -> str | int | None:
    """A decoded JSON value as an error code: a string or an integer as it is, else text."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (str, int)):
        return value
    return text_of(value)


def is_quota_error(info: ErrorBody) -> bool:
    """Whether a 429 means the account is out of credit, which no retry will fix."""
    return "insufficient_quota" in (info.type, info.code)


def reason_phrase(status: int) -> str:
    """The status's reason phrase as RFC 9110 spells it, on every Python; "Error" if unknown."""
    try:
        return _RFC9110_PHRASES.get(status) or HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def make_status_error(
    *,
    method: str,
    url: str,
    status: int,
    headers: httpx.Headers,
    raw: bytes,
    info: ErrorBody | None = None,
) -> errors.APIStatusError:
    """Build the status error for a response, with a message that says what happened."""
    if info is None:
        info = parse_error_body(raw)
    request_id = headers.get("x-request-id")
    text = f"{status} {reason_phrase(status)}"
    if info.message:
        text += f": {info.message}"
    elif raw.strip():
        text += " (unreadable error body)"
    else:
        text += " (empty body)"
    details = [
        f"{name}={value}"
        for name, value in (
            ("type", info.type),
            ("code", info.code),
            ("param", info.param),
            ("request_id", request_id),
        )
        if value is not None
    ]
    if details:
        text += f" [{', '.join(details)}]"
    if 300 <= status < 400 and (location := headers.get("location")):
        text += f" (redirect to {location}; check base_url: byot does not follow redirects)"
    return error_class(status)(
        text,
        method=method,
        url=url,
        status_code=status,
        headers=headers,
        raw=raw,
        body=info.body,
        request_id=request_id,
        error_message=info.message,
        type=info.type,
        code=info.code,
        param=info.param,
    )
