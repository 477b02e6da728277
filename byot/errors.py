"""The exceptions byot raises, one tree with one root.

Names follow the official SDK, so `except openai.RateLimitError` ports as
`except byot.errors.RateLimitError`::

    BYOTError
    ├── APIError                      .message .method .url
    │   ├── APIConnectionError        the network failed; __cause__ is the httpx error
    │   │   ├── APITimeoutError       a timeout or the total deadline fired
    │   │   └── RealtimeClosedError   a Realtime WebSocket closed unexpectedly: .close_code .reason
    │   ├── APIStatusError            .status_code .headers .request_id .raw .body .type .code
    │   │   ├── BadRequestError            400
    │   │   ├── AuthenticationError        401
    │   │   ├── PermissionDeniedError      403
    │   │   ├── NotFoundError              404
    │   │   ├── ConflictError              409
    │   │   ├── UnprocessableEntityError   422
    │   │   ├── RateLimitError             429
    │   │   └── InternalServerError        >= 500
    │   ├── StreamError               an error inside a 2xx stream: .event .data .body .type .code
    │   │   └── StreamTruncatedError  the stream ended without its terminator
    │   └── RealtimeError             a Realtime `error` event: .event .type .code .param .event_id
    ├── DecodeError                   .raw .target .path .request_id; __cause__: the decoder's error
    ├── SchemaGenerationError         a type has no (strict) JSON Schema: .target .field .reason
    ├── StructuredOutputError         `parse` got no value of the type: .content .response
    │   ├── RefusalError              the model refused: .refusal
    │   ├── LengthFinishReasonError   the output was cut at the token limit
    │   ├── ContentFilterFinishReasonError  the output was withheld by the content filter
    │   ├── MissingOutputError        no output to parse: no content, not the forced tool call
    │   ├── OutputNotJSONError        the content is not JSON
    │   └── OutputTypeError           the JSON does not fit the type: .path; __cause__: why
    ├── SchemaValidationError         .direction .operation .schema .profile .issues
    │   (and SchemaValidationWarning, what validate="warn" emits, with the same attributes)
    ├── ConfigError                   a client was configured in a way that cannot work
    ├── StreamFlagError               `"stream": true` given to a method that reads one answer
    ├── UnknownOperationError         `client.call` named no operation: .name .suggestions
    ├── BulkInputError                a batch JSONL file has bad lines: .path .problems
    ├── ToolError                     .tool .call_id: a tool call that cannot be carried out
    │   ├── ToolArgumentsError        .field .path .arguments: arguments that do not fit the tool
    │   └── UnknownToolError          the model called a tool it was not offered
    ├── MaxTurnsError                 .turns .response .transcript: a tool loop did not finish
    └── InvalidWebhookSignatureError  a webhook's headers, timestamp or signature do not check out

Every exception has a keyword-only constructor, a one-line `str()` that says what happened,
pickles and unpickles intact, and never holds the API key or any request header.
Retries never wrap errors: after the last attempt the caller sees the real one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from byot._override import override

if TYPE_CHECKING:
    from collections.abc import Sequence

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
    "BulkInputError",
    "ClearTextKeyWarning",
    "ConfigError",
    "ConflictError",
    "ContentFilterFinishReasonError",
    "DecodeError",
    "InternalServerError",
    "InvalidWebhookSignatureError",
    "LengthFinishReasonError",
    "LineProblem",
    "MaxTurnsError",
    "MissingOutputError",
    "NotFoundError",
    "OutputNotJSONError",
    "OutputTypeError",
    "PaginationCycleError",
    "PermissionDeniedError",
    "RateLimitError",
    "RealtimeClosedError",
    "RealtimeError",
    "RefusalError",
    "ResponseTooLargeError",
    "SchemaGenerationError",
    "SchemaIssue",
    "SchemaValidationError",
    "SchemaValidationWarning",
    "StreamError",
    "StreamFlagError",
    "StreamTruncatedError",
    "StructuredOutputError",
    "ToolArgumentsError",
    "ToolError",
    "UnknownOperationError",
    "UnknownToolError",
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


class ClearTextKeyWarning(BYOTError, UserWarning):  # noqa: N818 - a warning, not an error
    """An API key is sent over plain http:// to a host that is not this machine.

    Warned once per host and client; loopback hosts (a local Ollama or vLLM) are exempt. Use
    https://, or silence it with `warnings.filterwarnings("ignore", category=...)` when the
    network path is trusted.
    """


class StreamFlagError(BYOTError, ValueError):
    """A method that reads one answer was asked for a stream (`"stream": true`).

    Raised before anything is sent: the answer would be server-sent events, which that method
    cannot decode. The message names the method that streams (`create_stream`).

    Attributes:
        method: What was called: `chat.completions.create`, `call` or `request`.
        flag: The flag as found, `stream=True` or `stream_format='sse'`.
        stream_method: The method that reads the events, or None when byot knows none for
            the route (a path outside the spec).
    """

    method: str
    flag: str
    stream_method: str | None

    def __init__(self, *, method: str, flag: str, stream_method: str | None) -> None:
        self.method = method
        self.flag = flag
        self.stream_method = stream_method
        if stream_method is not None:
            instead = f"call {stream_method}() for its events"
        else:
            instead = (
                "call the *_stream method of the operation the route follows, with "
                "path='/your/route' (chat.completions.create_stream(body, path=...))"
            )
        super().__init__(
            f"{method}() reads one answer, but the request asks for a stream ({flag}): "
            f"{instead}, or leave the flag out"
        )


class UnknownOperationError(BYOTError, KeyError):
    """`client.call` (or `byot call`) named no operation of the API.

    Both names are accepted: the spec's operationId (`createChatCompletion`) and the SDK's
    method name (`chat.completions.create`), as `byot ops` lists them.

    Attributes:
        name: The name given.
        suggestions: The closest operationIds and method names, the likeliest first.
    """

    name: str
    suggestions: tuple[str, ...]

    def __init__(self, *, name: str, suggestions: Sequence[str]) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        *most, last = self.suggestions or ("",)
        listed = f"{', '.join(most)} or {last}" if most else last
        hint = f"did you mean {listed}?" if listed else "`byot ops` lists them"
        super().__init__(f"no operation {name!r}; {hint}")

    @override
    def __str__(self) -> str:
        # KeyError shows its argument's repr; this is a sentence.
        return str(self.args[0])


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


class PaginationCycleError(APIError):
    """Auto-pagination met a cursor it had already followed (A -> B -> A): a server bug.

    Following it would fetch the same pages for ever; the items already yielded stand.

    Attributes:
        cursor: The cursor that came round again.
    """

    cursor: str

    def __init__(self, message: str, *, method: str, url: str, cursor: str) -> None:
        super().__init__(message, method=method, url=url)
        self.cursor = cursor


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout fired, or the call's total deadline ran out."""


class RealtimeClosedError(APIConnectionError):
    """A Realtime WebSocket closed without the caller closing it, or could not carry an event.

    Raised when the server goes away (mid-response too), sends a frame that is not a JSON
    event, or when the queue of events sent while reconnecting is full.

    Attributes:
        close_code: The WebSocket close code (1006 when the connection dropped without a close
            frame), or None when the connection is still open.
        reason: The close reason the server gave, or `""`.
    """

    close_code: int | None
    reason: str

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        close_code: int | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.close_code = close_code
        self.reason = reason


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


class ResponseTooLargeError(BYOTError):
    """A response passed one of byot's size limits, so the rest of it is not read.

    A body that decodes (decompresses) past its limit, or an event-stream line or event past
    theirs. The message names the limit and the setting that raises it; the connection is
    released.

    Attributes:
        limit: The limit that was passed, in bytes.
        setting: The name of the setting that raises it.
    """

    limit: int
    setting: str

    def __init__(self, message: str, *, limit: int, setting: str) -> None:
        super().__init__(message)
        self.limit = limit
        self.setting = setting


class RealtimeError(APIError):
    """The Realtime server sent an `error` event (raised unless `errors="deliver"`).

    Most such errors leave the session open: catch it, and the connection can go on.

    Example:
        ```python
        try:
            event = connection.recv()
        except byot.errors.RealtimeError as e:
            print(e.code, e.error_message, e.event_id)
        ```

    Attributes:
        event: The whole `error` event, as received.
        error_message: The server's own message.
        type: The error type (`"invalid_request_error"`, `"server_error"`), if any.
        code: The error code (`"invalid_event"`), if any.
        param: The parameter the error is about, if any.
        event_id: The `event_id` of the client event that caused it, if the server named one.
    """

    event: dict[str, Any]
    error_message: str | None
    type: str | None
    code: str | int | None
    param: str | None
    event_id: str | None

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        event: dict[str, Any],
        error_message: str | None = None,
        type: str | None = None,
        code: str | int | None = None,
        param: str | None = None,
        event_id: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url)
        self.event = event
        self.error_message = error_message
        self.type = type
        self.code = code
        self.param = param
        self.event_id = event_id


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


class SchemaGenerationError(BYOTError, TypeError):
    """A type has no JSON Schema, or none that OpenAI's strict mode accepts.

    The message names the field (`Order.lines[].sku`), says why, and what to use instead.

    Attributes:
        target: The type the schema was asked for (or its name).
        field: Where in that type the problem is, as `Type.field[].subfield`.
        reason: Why it cannot be expressed.
        hint: What to do instead.
        strict: Whether only strict mode is the problem (`strict=False` would work).
    """

    target: object
    field: str
    reason: str
    hint: str
    strict: bool

    def __init__(
        self, *, target: object, field: str, reason: str, hint: str = "", strict: bool = False
    ) -> None:
        mode = "a strict JSON schema" if strict else "a JSON schema"
        name = target if isinstance(target, str) else getattr(target, "__name__", repr(target))
        where = "" if field == name else f" (at {field})"
        message = f"cannot make {mode} for {name}{where}: {reason}"
        super().__init__(f"{message}; {hint}" if hint else message)
        self.target = target
        self.field = field
        self.reason = reason
        self.hint = hint
        self.strict = strict


class StructuredOutputError(BYOTError):
    """`parse` could not give a value of the caller's type; the raw answer is kept.

    Attributes:
        content: The model's text (or the forced tool call's arguments) exactly as received,
            or None when there was none.
        response: The whole response (a dict, or the caller's `response_type`), or for a
            stream the accumulated final response.
    """

    content: str | None
    response: Any

    def __init__(self, message: str, *, content: str | None, response: Any) -> None:
        super().__init__(message)
        self.content = content
        self.response = response


class RefusalError(StructuredOutputError):
    """The model refused to answer in the schema; `refusal` holds its explanation."""

    refusal: str

    def __init__(self, message: str, *, refusal: str, content: str | None, response: Any) -> None:
        super().__init__(message, content=content, response=response)
        self.refusal = refusal


class LengthFinishReasonError(StructuredOutputError):
    """The output stopped at the token limit (`finish_reason: length`), so it is incomplete.

    Raise `max_tokens` / `max_output_tokens`, or ask for less.
    """


class ContentFilterFinishReasonError(StructuredOutputError):
    """The provider's content filter withheld the output (`finish_reason: content_filter`)."""


class MissingOutputError(StructuredOutputError):
    """The response holds no output to parse.

    No content, no call of the forced tool, or a Responses answer that failed or stopped for
    another reason; the message says which.
    """


class OutputNotJSONError(StructuredOutputError):
    """The model's output is not valid JSON (a provider that ignored the schema, a cut stream)."""


class OutputTypeError(StructuredOutputError):
    """The output is JSON but does not fit the caller's type; `__cause__` says why.

    Attributes:
        path: Where it does not fit, as a JSON path (`$.lines[0].sku`), when known.
    """

    path: str

    def __init__(self, message: str, *, path: str, content: str | None, response: Any) -> None:
        super().__init__(message, content=content, response=response)
        self.path = path


class SchemaIssue(NamedTuple):
    """One way a value fails its schema (immutable, a named pair).

    Attributes:
        path: Where in the value, as a JSON path (`$.messages[0].role`; `$` is the whole value).
        message: What is wrong there, e.g. `'usr' is not a valid 'role'; expected one of [...]`.
    """

    path: str
    message: str

    @override
    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


_SHOWN_ISSUES = 8
_ISSUE_WIDTH = 200


def _summary(what: str, schema: str, profile: str | None, issues: Sequence[SchemaIssue]) -> str:
    """A one-screen account of a validation failure: the best match first."""
    against = f"{schema} ({profile} profile)" if profile else schema
    count = f"{len(issues)} problem{'s' * (len(issues) != 1)}"
    lines = [f"{what} does not match {against}: {count}"]
    for issue in issues[:_SHOWN_ISSUES]:
        text = str(issue)
        lines.append(
            "  " + (text if len(text) <= _ISSUE_WIDTH else text[: _ISSUE_WIDTH - 3] + "...")
        )
    if len(issues) > _SHOWN_ISSUES:
        lines.append(f"  ... and {len(issues) - _SHOWN_ISSUES} more (see .issues)")
    return "\n".join(lines)


class _SchemaReport(BYOTError):  # noqa: N818 - a base, not an error itself
    """What a validation error and a validation warning both carry."""

    direction: str | None
    operation: str | None
    schema: str
    profile: str | None
    issues: tuple[SchemaIssue, ...]

    def __init__(
        self,
        *,
        schema: str,
        issues: Sequence[SchemaIssue],
        direction: str | None = None,
        operation: str | None = None,
        profile: str | None = None,
    ) -> None:
        self.schema = schema
        self.issues = tuple(issues)
        self.direction = direction
        self.operation = operation
        self.profile = profile
        what = " ".join(filter(None, (operation, direction))) or "the value"
        super().__init__(_summary(what, schema, profile, self.issues))


class SchemaValidationError(_SchemaReport, ValueError):
    """A value does not match its JSON Schema (raised by `byot.validate`, `validate="raise"`).

    Example:
        ```python
        try:
            byot.validate(body, "CreateChatCompletionRequest")
        except byot.errors.SchemaValidationError as e:
            for issue in e.issues:
                print(issue.path, issue.message)
        ```

    Attributes:
        direction: `"request"` or `"response"` (stream events count as responses), or None
            when `byot.validate` was called without one.
        operation: The spec's operationId (`"createChatCompletion"`), or None.
        schema: The schema checked against: a component name or a URI.
        profile: `"strict"` or `"lenient"`, or None for a schema of the caller's own.
        issues: Every problem found, the most telling first.
    """


class SchemaValidationWarning(_SchemaReport, UserWarning):
    """What `validate="warn"` emits (through `warnings` and the `byot` logger) for a bad value.

    It carries the same attributes as `SchemaValidationError`. Unknown top-level request
    parameters (a likely typo such as `max_token`) are reported as this warning in both modes:
    extra parameters are legal, since providers add their own.
    """


class ToolError(BYOTError):
    """A tool call the model made cannot be carried out (see `byot.Toolbox`).

    Attributes:
        tool: The name of the tool the model called.
        call_id: The call's id (`tool_call_id` in chat, `call_id` in Responses), or None.
    """

    tool: str
    call_id: str | None

    def __init__(self, message: str, *, tool: str, call_id: str | None = None) -> None:
        super().__init__(message)
        self.tool = tool
        self.call_id = call_id


class ToolArgumentsError(ToolError, ValueError):
    """A tool call's arguments do not fit the tool's parameters.

    The message names the tool and the field; in a tool loop it is what the model reads back
    (unless the loop was told to raise), so that it can correct its call.

    Attributes:
        field: The parameter at fault, or None when the arguments as a whole are wrong (not
            JSON, not an object).
        path: Where in the arguments, as a JSON path (`$.city`, `$.stops[2].name`).
        arguments: The arguments exactly as the model sent them (a JSON string or an object).
    """

    field: str | None
    path: str
    arguments: object

    def __init__(
        self,
        message: str,
        *,
        tool: str,
        arguments: object,
        field: str | None = None,
        path: str = "$",
        call_id: str | None = None,
    ) -> None:
        super().__init__(message, tool=tool, call_id=call_id)
        self.field = field
        self.path = path
        self.arguments = arguments


class UnknownToolError(ToolError, LookupError):
    """The model called a tool by a name the toolbox does not have."""


class MaxTurnsError(BYOTError):
    """A tool loop reached its `max_turns` while the model was still calling tools.

    Attributes:
        turns: How many times the model was asked.
        response: The model's last answer (a chat completion or a Responses response).
        transcript: The conversation so far, tool results included: chat messages or
            Responses input items, ready to send again to carry on.
    """

    turns: int
    response: dict[str, Any]
    transcript: list[dict[str, Any]]

    def __init__(
        self,
        message: str,
        *,
        turns: int,
        response: dict[str, Any],
        transcript: list[dict[str, Any]],
    ) -> None:
        super().__init__(message)
        self.turns = turns
        self.response = response
        self.transcript = transcript


class LineProblem(NamedTuple):
    """One problem with one line of a batch JSONL file.

    Attributes:
        line: The line number, from 1.
        message: What is wrong with it, e.g. `$.body.messages: 'messages' is a required property`.
    """

    line: int
    message: str

    @override
    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BulkInputError(BYOTError, ValueError):
    """A batch input file (`{"custom_id", "method", "url", "body"}` per line) has bad lines.

    Raised by `byot.bulk.check_requests` before anything is sent, listing every problem, and
    by the readers for a line that is not a request at all.

    Example:
        ```python
        try:
            byot.bulk.check_requests("requests.jsonl")
        except byot.errors.BulkInputError as e:
            for problem in e.problems:
                print(problem.line, problem.message)
        ```

    Attributes:
        path: The file, as given.
        problems: Every problem found, in line order.
    """

    path: str
    problems: tuple[LineProblem, ...]

    def __init__(self, *, path: str, problems: Sequence[LineProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        count = f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)}"
        lines = [f"{path}: {count}; fix them and run again"]
        lines += [f"  {problem}" for problem in self.problems[:_SHOWN_ISSUES]]
        if len(self.problems) > _SHOWN_ISSUES:
            lines.append(f"  ... and {len(self.problems) - _SHOWN_ISSUES} more (see .problems)")
        super().__init__("\n".join(lines))
