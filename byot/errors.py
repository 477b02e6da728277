"""The exceptions byot raises, one tree with one root.

Names follow the official SDK, so `except openai.RateLimitError` ports as
`except byot.errors.RateLimitError`::

    BYOTError
    ├── APIError                      .message .method .url
    │   ├── APIConnectionError        the network failed; __cause__ is the httpx error
    │   │   └── APITimeoutError       a timeout or the total deadline fired
    │   ├── APIStatusError            .status_code .headers .request_id .raw .body .type .code
    │   │   ├── BadRequestError            400
    │   │   ├── AuthenticationError        401
    │   │   ├── PermissionDeniedError      403
    │   │   ├── NotFoundError              404
    │   │   ├── ConflictError              409
    │   │   ├── UnprocessableEntityError   422
    │   │   ├── RateLimitError             429
    │   │   └── InternalServerError        >= 500
    │   └── StreamError               an error inside a 2xx stream: .event .data .body .type .code
    │       └── StreamTruncatedError  the stream ended without its terminator
    ├── DecodeError                   .raw .target .path .request_id; __cause__: the decoder's error
    ├── ConfigError                   a client was configured in a way that cannot work
    └── InvalidWebhookSignatureError  a webhook's headers, timestamp or signature do not check out

Every exception has a keyword-only constructor, a one-line `str()` that says what happened,
pickles and unpickles intact, and never holds the API key or any request header.
Retries never wrap errors: after the last attempt the caller sees the real one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from byot._types import override

if TYPE_CHECKING:
    import httpx
    from typing_extensions import Self

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BYOTError",
    "BadRequestError",
    "ConfigError",
    "ConflictError",
    "DecodeError",
    "InternalServerError",
    "InvalidWebhookSignatureError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "StreamError",
    "StreamTruncatedError",
    "UnprocessableEntityError",
]


def _restore(cls: type[BYOTError], state: dict[str, Any], message: str) -> BYOTError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class BYOTError(Exception):
    """The root of every exception byot raises."""

    @override
    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling (it replays `args`).
        return (_restore, (type(self), self.__dict__.copy(), str(self)))


class ConfigError(BYOTError, ValueError):
    """A client was configured in a way that cannot work, such as no API key for OpenAI."""


class InvalidWebhookSignatureError(BYOTError, ValueError):
    """A webhook could not be verified, so its payload must not be trusted.

    Raised by `byot.webhooks` when a header is missing, the timestamp is malformed or out of
    tolerance, no signature matches, or no usable secret is configured. The message says
    which; it never contains the secret.
    """


class APIError(BYOTError):
    """A call to the API failed.

    Attributes:
        message: What went wrong, in one line.
        method: The HTTP method of the failed request.
        url: The URL of the failed request.
    """

    message: str
    method: str
    url: str

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """The request could not be sent or the response not received (refused, reset, DNS, TLS).

    `__cause__` holds the underlying httpx exception.
    """


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout fired, or the call's total deadline ran out."""


class APIStatusError(APIError):
    """The server answered with a status code >= 400 (or an unexpected 1xx/3xx).

    The message is taken from the error body whatever its shape: OpenAI's
    `{"error": {...}}`, Gemini's JSON array, OpenRouter's integer `code`, vLLM's top-level
    `{"object": "error"}`, FastAPI's `detail`, an HTML page's title or plain text.

    Example:
        ```python
        try:
            client.request("POST", "/chat/completions", body=body)
        except byot.errors.RateLimitError as e:
            print(e.status_code, e.request_id, e.headers.get("retry-after"))
        ```

    Attributes:
        status_code: The HTTP status.
        headers: The response headers (case-insensitive).
        request_id: The `x-request-id` response header, if any.
        raw: The response body exactly as received.
        body: The body decoded as JSON, or None when it is not JSON.
        error_message: The server's own message, as extracted from the body.
        type: The error type from the body (`"invalid_request_error"`, ...), if any.
        code: The error code from the body (a string or, for some providers, an int), if any.
        param: The request parameter the error is about, if the body names one.
    """

    status_code: int
    headers: httpx.Headers
    request_id: str | None
    raw: bytes
    body: Any
    error_message: str | None
    type: str | None
    code: str | int | None
    param: str | None

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        status_code: int,
        headers: httpx.Headers,
        raw: bytes,
        body: Any = None,
        request_id: str | None = None,
        error_message: str | None = None,
        type: str | None = None,
        code: str | int | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.headers = headers
        self.raw = raw
        self.body = body
        self.request_id = request_id
        self.error_message = error_message
        self.type = type
        self.code = code
        self.param = param


class BadRequestError(APIStatusError):
    """400: the request was malformed or named an invalid parameter."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this resource, model or region."""


class NotFoundError(APIStatusError):
    """404: no such resource, route or model (check the base URL and the path)."""


class ConflictError(APIStatusError):
    """409: the resource changed concurrently; retried by default."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but could not be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests or tokens; retried by default, except `insufficient_quota`."""


class InternalServerError(APIStatusError):
    """A status >= 500: the provider failed; retried by default."""


class StreamError(APIError):
    """The server reported an error inside a stream that had begun with a 2xx status.

    Raised for every shape providers use: `data: {"error": {...}}` (OpenAI, OpenRouter with an
    integer code, vLLM, SGLang), an `event: error` frame whatever its data, a Responses
    `{"type": "error", ...}` event, vLLM's top-level `{"object": "error", ...}`, and a Responses
    `response.failed` event. The message is the provider's own, with its type and code.

    Example:
        ```python
        try:
            for chunk in stream:
                ...
        except byot.errors.StreamError as e:
            print(e.event, e.code, e.error_message, e.request_id)
        ```

    Attributes:
        event: The SSE event name (`"error"`, `"response.failed"`), or None when it had none.
        data: The event's data exactly as received.
        body: The data decoded as JSON, or None when it is not JSON.
        error_message: The provider's own message, as extracted from the data.
        type: The error type the provider reported, if any.
        code: The error code (a string or, for some providers, an int), if any.
        request_id: The `x-request-id` header of the response that carried the stream.
    """

    event: str | None
    data: bytes
    body: Any
    error_message: str | None
    type: str | None
    code: str | int | None
    request_id: str | None

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        event: str | None = None,
        data: bytes = b"",
        body: Any = None,
        error_message: str | None = None,
        type: str | None = None,
        code: str | int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.event = event
        self.data = data
        self.body = body
        self.error_message = error_message
        self.type = type
        self.code = code
        self.request_id = request_id


class StreamTruncatedError(StreamError):
    """The stream ended without its terminator (`data: [DONE]` or a terminal event).

    The connection closed cleanly but early: the output may be incomplete. Streams can be told
    not to require a terminator, for servers that never send one.
    """


class DecodeError(BYOTError):
    """A response body could not be decoded into the requested type.

    Attributes:
        raw: The body exactly as received.
        target: The type or decoder the body was meant for.
        path: Where in the JSON document decoding failed, as a JSON path (`$.choices[0]`).
        request_id: The `x-request-id` response header, if any.
    """

    raw: bytes
    target: object
    path: str
    request_id: str | None

    def __init__(
        self,
        message: str,
        *,
        raw: bytes,
        target: object,
        path: str = "$",
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.raw = raw
        self.target = target
        self.path = path
        self.request_id = request_id

    def with_context(self, *, raw: bytes, request_id: str | None) -> Self:
        """The same error, now knowing the whole body and the request it answered."""
        self.raw = raw
        self.request_id = request_id
        return self
