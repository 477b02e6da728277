"""What a call tells OpenTelemetry, read from its JSON: the GenAI semantic conventions, sans I/O.

Every function here takes values (a URL, request bytes, a response's JSON, a stream's event
data, an exception) and returns span attributes; `byot._otel` hands them to OpenTelemetry.
Attributes come from the JSON as it arrives, never from the caller's decoded type, so what
telemetry costs does not depend on `response_type=`. Nothing here imports OpenTelemetry:
`Telemetry` is what a client is configured with, importable while the `[otel]` extra is
absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qs, urlsplit

import orjson

from byot.errors import APIStatusError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx

Attributes = dict[str, Any]

# Span attribute and metric names of the GenAI semantic conventions.
OPERATION = "gen_ai.operation.name"
PROVIDER = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
RESPONSE_ID = "gen_ai.response.id"
FINISH_REASONS = "gen_ai.response.finish_reasons"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
USAGE_KIND = "gen_ai.token.type"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
ERROR_TYPE = "error.type"
STATUS_CODE = "http.response.status_code"
RESEND_COUNT = "http.request.resend_count"

DURATION_METRIC = "gen_ai.client.operation.duration"
USAGE_METRIC = "gen_ai.client.token.usage"
FIRST_CHUNK_METRIC = "gen_ai.client.operation.time_to_first_chunk"
# The bucket boundaries the conventions give: seconds for the durations, tokens for usage.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                    40.96, 81.92)  # fmt: skip
USAGE_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
                 16777216, 67108864)  # fmt: skip
# The attributes of a span that the metrics carry too (error.type only on the duration).
METRIC_KEYS = (OPERATION, PROVIDER, REQUEST_MODEL, RESPONSE_MODEL, SERVER_ADDRESS, SERVER_PORT)

# The operations the conventions name; every other operation is named by its operationId.
_OPERATIONS = {
    "createChatCompletion": "chat",
    "createResponse": "chat",
    "createCompletion": "text_completion",
    "createEmbedding": "embeddings",
}
# The same for `client.request()` on a path the spec index was not asked about.
_PATHS = {
    "/chat/completions": "chat",
    "/responses": "chat",
    "/completions": "text_completion",
    "/embeddings": "embeddings",
}
# Well-known `gen_ai.provider.name` values by the API's host (a suffix of it).
_PROVIDERS = (
    ("api.openai.com", "openai"),
    (".openai.azure.com", "azure.ai.openai"),
    (".services.ai.azure.com", "azure.ai.inference"),
    (".models.ai.azure.com", "azure.ai.inference"),
    ("generativelanguage.googleapis.com", "gcp.gemini"),
    ("aiplatform.googleapis.com", "gcp.vertex_ai"),
    ("api.groq.com", "groq"),
    ("api.deepseek.com", "deepseek"),
    ("api.mistral.ai", "mistral_ai"),
    ("api.x.ai", "x_ai"),
    ("api.perplexity.ai", "perplexity"),
    ("api.moonshot.ai", "moonshot_ai"),
    ("api.moonshot.cn", "moonshot_ai"),
    ("api.anthropic.com", "anthropic"),
    ("api.cohere.com", "cohere"),
    ("api.cohere.ai", "cohere"),
    (".amazonaws.com", "aws.bedrock"),
)
# The operation name of a Realtime WebSocket session (the conventions name none).
REALTIME = "realtime"
# Any other server: an OpenAI-compatible one (vLLM, Ollama, a gateway) unless told otherwise.
COMPATIBLE = "openai_compatible"
# Request fields read into `gen_ai.request.*` attributes, by the attribute's last name.
_REQUEST_FIELDS = (
    ("max_tokens", "max_tokens"),
    ("max_completion_tokens", "max_tokens"),
    ("max_output_tokens", "max_tokens"),
    ("temperature", "temperature"),
    ("top_p", "top_p"),
    ("frequency_penalty", "frequency_penalty"),
    ("presence_penalty", "presence_penalty"),
    ("seed", "seed"),
)


@dataclass(frozen=True)
class Telemetry:
    """OpenTelemetry traces and metrics of every call, as the GenAI semantic conventions say.

    Needs the `[otel]` extra (`pip install 'byot-client[otel]'`). Each call is one span named
    `{operation} {model}` (`chat gpt-4o-mini`), with retries as its events; a stream's span
    ends when the stream does. `Client(telemetry=True)` is `Client(telemetry=Telemetry())`.

    Example:
        ```python
        client = byot.Client(telemetry=byot.Telemetry(capture_content=False))
        ```

    Attributes:
        capture_content: Record the messages sent and received (`gen_ai.input.messages`,
            `gen_ai.output.messages`). Off by default: prompts and answers may be private.
        tracer_provider: The OpenTelemetry `TracerProvider` to use (default: the global one).
        meter_provider: The OpenTelemetry `MeterProvider` to use (default: the global one).
        provider_name: The `gen_ai.provider.name` to report, for a server byot cannot tell
            from its URL (default: read from the base URL, `openai_compatible` if unknown).
    """

    capture_content: bool = False
    tracer_provider: Any = None
    meter_provider: Any = None
    provider_name: str | None = None


def provider_name(base_url: str, given: str | None = None) -> str:
    """The `gen_ai.provider.name` of a base URL, unless `given`: a well-known value by host."""
    if given:
        return given
    host = _host(base_url)
    for suffix, name in _PROVIDERS:
        if host == suffix.lstrip(".") or host.endswith(suffix):
            return name
    return COMPATIBLE


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def operation_name(operation_id: str | None, path: str) -> str:
    """The `gen_ai.operation.name`: the conventions' name, else the spec's operationId.

    A call by path alone (`client.request`) is named from the path's end, else `request`.
    """
    if operation_id is not None:
        return _OPERATIONS.get(operation_id, operation_id)
    for suffix, name in _PATHS.items():
        if path.endswith(suffix):
            return name
    return "request"


def span_name(attributes: Mapping[str, Any]) -> str:
    """`{gen_ai.operation.name} {gen_ai.request.model}`, or the operation alone."""
    model = attributes.get(REQUEST_MODEL)
    operation: str = attributes[OPERATION]
    return f"{operation} {model}" if model else operation


def server(url: httpx.URL) -> Attributes:
    """`server.address` and `server.port` of a request URL (the scheme's port when implicit)."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return {SERVER_ADDRESS: url.host, SERVER_PORT: port}


def realtime_session(url: str) -> Attributes:
    """The attributes of a Realtime session from its WebSocket URL (`wss://...?model=...`)."""
    parts = urlsplit(url)
    attributes: Attributes = {
        OPERATION: REALTIME,
        SERVER_ADDRESS: parts.hostname or "",
        SERVER_PORT: parts.port or (443 if parts.scheme == "wss" else 80),
    }
    model = parse_qs(parts.query).get("model")
    if model:
        attributes[REQUEST_MODEL] = model[0]
    return attributes


def realtime_response(event: Mapping[str, Any]) -> Attributes:
    """The attributes of one Realtime `response.done` event: id, status, usage."""
    response = _object(event.get("response")) or {}
    attributes: Attributes = {}
    for key, name in (("id", RESPONSE_ID), ("status", FINISH_REASONS)):
        value = response.get(key)
        if isinstance(value, str):
            attributes[name] = value if key == "id" else [value]
    attributes.update(usage(response.get("usage")))
    return attributes


def _json_object(content: object) -> dict[str, Any] | None:
    """A JSON object's value from bytes that hold one, else None (a file, an array, garbage)."""
    if not isinstance(content, bytes) or content[:1] != b"{":
        return None
    try:
        return _object(orjson.loads(content))
    except orjson.JSONDecodeError:
        return None


def _object(value: object) -> dict[str, Any] | None:
    """A JSON value as an object to read fields from, or None when it is not one."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def _objects(value: object) -> list[dict[str, Any]]:
    """The objects among a JSON array's items (none when the value is no array)."""
    if not isinstance(value, list):
        return []
    return [
        cast("dict[str, Any]", item)
        for item in cast("list[object]", value)
        if isinstance(item, dict)
    ]


def _strings(value: object) -> list[str] | None:
    """A JSON string, or array of strings, as a list; None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(
        isinstance(item, str) for item in cast("list[object]", value)
    ):
        return cast("list[str]", value)
    return None


def request_attributes(content: object, *, capture_content: bool) -> Attributes:
    """The `gen_ai.request.*` attributes of a request body (JSON bytes; anything else: none).

    With `capture_content`, the messages sent (`messages`, or a Responses `input`) as
    `gen_ai.input.messages`, a JSON string.
    """
    body = _json_object(content)
    if body is None:
        return {}
    attributes: Attributes = {}
    model = body.get("model")
    if isinstance(model, str):
        attributes[REQUEST_MODEL] = model
    for field, name in _REQUEST_FIELDS:
        value = body.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            attributes[f"gen_ai.request.{name}"] = value
    stop = _strings(body.get("stop"))
    if stop is not None:
        attributes["gen_ai.request.stop_sequences"] = stop
    count = body.get("n")
    if isinstance(count, int) and count != 1:
        attributes["gen_ai.request.choice.count"] = count
    if body.get("stream") is True:
        attributes["gen_ai.request.stream"] = True
    if capture_content:
        messages = body.get("messages", body.get("input"))
        if messages is not None:
            attributes[INPUT_MESSAGES] = orjson.dumps(messages).decode()
    return attributes


def response_attributes(content: object, *, capture_content: bool) -> Attributes:
    """The `gen_ai.response.*` and `gen_ai.usage.*` attributes of a JSON response body."""
    body = _json_object(content)
    return {} if body is None else response_fields(body, capture_content=capture_content)


def response_fields(body: Mapping[str, Any], *, capture_content: bool) -> Attributes:
    """The response attributes of one decoded JSON object (a completion, response, list...)."""
    attributes: Attributes = {}
    for key, name in (("id", RESPONSE_ID), ("model", RESPONSE_MODEL)):
        value = body.get(key)
        if isinstance(value, str):
            attributes[name] = value
    reasons = finish_reasons(body)
    if reasons:
        attributes[FINISH_REASONS] = reasons
    attributes.update(usage(body.get("usage")))
    if capture_content:
        output = _output(body)
        if output is not None:
            attributes[OUTPUT_MESSAGES] = orjson.dumps(output).decode()
    return attributes


def finish_reasons(body: Mapping[str, Any]) -> list[str]:
    """Why each choice ended (chat, completions); a Responses object's status or its reason."""
    if "choices" in body:
        return [
            choice["finish_reason"]
            for choice in _objects(body["choices"])
            if isinstance(choice.get("finish_reason"), str)
        ]
    if body.get("object") == "response":
        details = _object(body.get("incomplete_details")) or {}
        reason = details.get("reason")
        status = body.get("status")
        if isinstance(reason, str):
            return [reason]
        if isinstance(status, str):
            return [status]
    return []


def usage(value: object) -> Attributes:
    """`gen_ai.usage.input_tokens` / `output_tokens` of a chat, Responses or embeddings usage."""
    counts = _object(value)
    if counts is None:
        return {}
    attributes: Attributes = {}
    for keys, name in (
        (("input_tokens", "prompt_tokens"), INPUT_TOKENS),
        (("output_tokens", "completion_tokens"), OUTPUT_TOKENS),
    ):
        for key in keys:
            count = counts.get(key)
            if isinstance(count, int) and not isinstance(count, bool):
                attributes[name] = count
                break
    return attributes


def _output(body: Mapping[str, Any]) -> object:
    if "choices" in body:
        return [choice.get("message", choice.get("text")) for choice in _objects(body["choices"])]
    return body.get("output")


def error_type(error: BaseException) -> str:
    """`error.type`: the HTTP status of a status error, else the exception's qualified name."""
    if isinstance(error, APIStatusError):
        return str(error.status_code)
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


class StreamState:
    """The response attributes of a stream, gathered from its events' data as they pass.

    Chat completion chunks carry the id and model in each chunk, a finish reason per choice
    near the end and the usage (when asked for) in the last; Responses streams carry the
    whole response in `response.created` and `response.completed` (or `.failed`,
    `.incomplete`). Finish reasons are kept per choice index, in index order.
    """

    __slots__ = ("_reasons", "attributes", "capture_content", "text")

    def __init__(self, *, capture_content: bool) -> None:
        self.attributes: Attributes = {}
        self.capture_content = capture_content
        self._reasons: dict[int, str] = {}
        self.text: dict[int, list[str]] = {}

    def feed(self, data: bytes) -> None:
        """Read one event's data; what is not a JSON object is passed over."""
        body = _json_object(data)
        if body is None:
            return
        response = _object(body.get("response"))
        if response is not None:  # a Responses event: the response so far, whole
            self.attributes.update(response_fields(response, capture_content=self.capture_content))
            return
        attributes = self.attributes
        for key, name in (("id", RESPONSE_ID), ("model", RESPONSE_MODEL)):
            value = body.get(key)
            if isinstance(value, str):
                attributes[name] = value
        attributes.update(usage(body.get("usage")))
        for choice in _objects(body.get("choices")):
            self._choice(choice)

    def _choice(self, choice: dict[str, Any]) -> None:
        index = choice.get("index")
        if not isinstance(index, int):
            index = 0
        reason = choice.get("finish_reason")
        if isinstance(reason, str):
            self._reasons[index] = reason
        if self.capture_content:
            delta = _object(choice.get("delta"))
            piece = choice.get("text") if delta is None else delta.get("content")
            if isinstance(piece, str):
                self.text.setdefault(index, []).append(piece)

    def result(self) -> Attributes:
        """The attributes gathered so far."""
        attributes = dict(self.attributes)
        if self._reasons:
            attributes[FINISH_REASONS] = [self._reasons[i] for i in sorted(self._reasons)]
        if self.text:
            output = [
                {"role": "assistant", "content": "".join(self.text[i])} for i in sorted(self.text)
            ]
            attributes[OUTPUT_MESSAGES] = orjson.dumps(output).decode()
        return attributes
