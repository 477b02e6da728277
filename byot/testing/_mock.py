"""`SpecMock`: an httpx transport that answers every operation of the bundled OpenAI spec.

Requests are matched to operations by method and path template, under the `/v1` prefix the
real API has (or the prefix of a provider's OpenAI-compatible layout: Azure's `/openai/v1`
and `/openai/deployments/{deployment}`, Gemini's `/v1beta/openai`); a path without one is
answered 404 saying so. A fixed query such as `?beta=true` prefers its own operation. The
answer is the spec's documented example (`schemas/openai/examples.json`, generated from the
spec's x-oaiMeta), or, where the spec documents none, a small instance built from the response
schema, adapted to the request as a server would (`_echo.py`: the model, the ids asked for,
one embedding per input, real images, list pages). A chat or Responses request that carries
its own JSON schema, asks for JSON mode or offers tools is answered for real: content or
arguments synthesized to fit (see `_answers.py`). Streaming calls get the documented event
stream framed as the operation's wire format says, and binary endpoints bytes with the
documented content type. Each JSON or multipart request is checked against the operation's
request schema first (`byot.validate`); an invalid one is answered 400 with every issue found,
one per line. Files uploaded for batches and the batches made of them are kept in memory and
run through the mock itself (`_batches.py`).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import httpx
import orjson

from byot._codec import json_object
from byot._override import override
from byot._validation import load_bundled
from byot.testing._answers import answer_stream, own_answer
from byot.testing._batches import BatchStore
from byot.testing._echo import echo
from byot.testing._frames import SSE_DONE, sse_event
from byot.testing._routes import Call, PathTemplate, error_response, raw_path
from byot.testing._synth import Synthesizer

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from byot.testing._routes import Router

__all__ = ["SpecMock"]


@dataclass(frozen=True)
class _Operation:
    operation_id: str
    method: str
    path: PathTemplate
    fixed_query: dict[str, str]
    info: dict[str, Any]


@functools.cache
def _spec() -> tuple[list[_Operation], dict[str, Any]]:
    """The operations, most specific template first, and the documented examples."""
    operations = [
        _Operation(op_id, op["method"], PathTemplate(op["path"]), op["fixed_query"], op)
        for op_id, op in load_bundled("operations.json")["operations"].items()
    ]
    operations.sort(key=lambda op: (op.path.specificity, len(op.fixed_query)), reverse=True)
    return operations, load_bundled("examples.json")["operations"]


@functools.cache
def _synthesizer() -> Synthesizer:
    return Synthesizer(load_bundled("openai.schema.json")["$defs"])


class SpecMock(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport (sync and async) answering every operation of the OpenAI spec.

    Example:
        ```python
        import byot
        from byot.testing import SpecMock

        mock = SpecMock()
        client = byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=mock)
        chat = client.chat.completions.create(
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}
        )
        print(chat["choices"][0]["message"]["content"])  # the spec's documented answer
        assert mock.calls[0].operation_id == "createChatCompletion"
        ```

    Args:
        routes: A `Router` asked first; requests it has no route for get the spec's answer.
        validate_requests: Check each JSON or multipart request body against the operation's
            request schema and answer 400 listing the issues when it does not match.

    Attributes:
        calls: Every request answered, in order, as `byot.testing.Call` records.
    """

    def __init__(self, *, routes: Router | None = None, validate_requests: bool = True) -> None:
        self.routes = routes
        self.validate_requests = validate_requests
        self.calls: list[Call] = []
        self._batches = BatchStore(self._answer_line)

    @override
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request (the sync transport API)."""
        return self.handle(request).response

    def handle(self, request: httpx.Request) -> Call:
        """Answer a request, sync: the routes' answer, else the spec's; recorded in `calls`."""
        request.read()
        routes = self.routes
        if routes is not None and (found := routes.match(request)) is not None:
            response = routes.respond(*found, request)
            return self._record(Call(request, response, path_params=found[1]))
        return self._record(self.answer(request))

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request (the async transport API)."""
        await request.aread()
        routes = self.routes
        if routes is not None and (found := routes.match(request)) is not None:
            response = await routes.arespond(*found, request)
            return self._record(Call(request, response, path_params=found[1])).response
        return self._record(self.answer(request)).response

    def _answer_line(self, request: httpx.Request) -> httpx.Response:
        """A batch line's answer: the routes', else the spec's (not recorded in `calls`)."""
        routes = self.routes
        if routes is not None and (found := routes.match(request)) is not None:
            return routes.respond(*found, request)
        return self.answer(request).response

    def _record(self, call: Call) -> Call:
        self.calls.append(call)
        return call

    def answer(self, request: httpx.Request) -> Call:
        """The spec's answer to a request whose body has been read, as a `Call`."""
        found = _PREFIX.fullmatch(raw_path(request))
        if found is None:
            message = (
                f"{request.url.path} is not under /v1, where the OpenAI API's paths are: a base "
                f"URL ends in /v1, e.g. {request.url.scheme}://{request.url.netloc.decode()}/v1"
            )
            return Call(request, error_response(404, message, code="unknown_url"))
        path = found["rest"] or "/"
        deployment = found["deployment"]
        operations, _ = _spec()
        allowed: list[str] = []
        for op in operations:
            values = op.path.match(path)
            if values is None:
                continue
            query = request.url.params
            if op.method != request.method or any(
                query.get(k) != v for k, v in op.fixed_query.items()
            ):
                allowed.append(op.method)
                continue
            response = self._respond(op, request, values, deployment)
            return Call(request, response, op.operation_id, values)
        if allowed:
            methods = ", ".join(sorted(set(allowed)))
            message = (
                f"{request.method} is not an operation of {request.url.path} (it takes {methods})"
            )
            return Call(request, error_response(405, message, code="method_not_allowed"))
        message = f"no operation of the OpenAI spec matches {request.method} {request.url.path}"
        return Call(request, error_response(404, message, code="unknown_url"))

    def _respond(
        self,
        op: _Operation,
        request: httpx.Request,
        values: Mapping[str, str],
        deployment: str | None,
    ) -> httpx.Response:
        info = op.info
        try:
            body = _body(request, info)
        except ValueError as exc:
            return error_response(400, f"{op.operation_id}: {exc}", code="invalid_body")
        if deployment is not None:  # Azure's classic routes name the model in the path
            body = _with_model(body, info, deployment)
        refusal = (
            _refusal(op.operation_id, info["request"], body) if self.validate_requests else None
        )
        if refusal is not None:
            return refusal
        kept = self._batches.respond(op.operation_id, values, body)
        if kept is not None:
            return kept
        success = min(code for code in info["responses"] if code.startswith("2"))
        headers = {"x-request-id": f"req_byot_mock_{len(self.calls) + 1}"}
        stream = info["stream"]
        streaming = stream is not None and _wants_stream(stream, request, body)
        documented: dict[str, Any] = _spec()[1].get(op.operation_id, {}).get("response") or {}
        try:
            own = own_answer(op.operation_id, body, documented)
        except ValueError as exc:
            return error_response(400, f"{op.operation_id}: {exc}", code="invalid_request")
        if own is not None:
            content = answer_stream(op.operation_id, own) if streaming else orjson.dumps(own)
            headers["content-type"] = "text/event-stream" if streaming else "application/json"
        elif streaming:
            content = _stream_body(op.operation_id, body)
            headers["content-type"] = "text/event-stream"
        else:
            query = dict(request.url.params)
            content = _document(
                op.operation_id,
                info,
                headers,
                lambda document: echo(op.operation_id, info, values, query, body, document),
            )
        return httpx.Response(int(success), content=content, headers=headers)


_NO_BODY: Final[Any] = object()
# The prefixes the OpenAI API (and the providers' OpenAI-compatible layouts) put before paths.
_PREFIX: Final = re.compile(
    r"(?:/v1|/openai/v1|/v1beta/openai|/openai/deployments/(?P<deployment>[^/]+))(?P<rest>/.*)?"
)


def _with_model(body: Any, info: Mapping[str, Any], deployment: str) -> Any:
    """A body that names no model takes the deployment's, where the operation has `model`."""
    request = info["request"]
    fields = json_object(body)
    if fields is None or "model" in fields or request is None:
        return body
    properties = _synthesizer().flatten({"$ref": request["schema"]}).get("properties", {})
    return {**fields, "model": deployment} if "model" in properties else body


def _body(request: httpx.Request, info: Mapping[str, Any]) -> Any:
    """The request body as data: parsed JSON, a multipart form's fields, or `_NO_BODY`."""
    media = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if not request.content:
        return _NO_BODY
    if media == "multipart/form-data":
        return _typed_form(_form(request), info)
    try:
        return orjson.loads(request.content)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"the request body is not JSON ({exc})") from None


def _form(request: httpx.Request) -> dict[str, Any]:
    """A multipart body as the dict a caller passed: `x[]` parts as lists, `x[k]` as mappings."""
    head = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.content)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            raise ValueError("a multipart part has no name=")
        value: Any = payload
        if part.get_filename() is None:
            text = payload.decode("utf-8", "replace")
            value = orjson.loads(payload) if part.get_content_type() == "application/json" else text
        if name.endswith("[]"):
            fields.setdefault(name[:-2], []).append(value)
        elif name.endswith("]") and "[" in name:
            key, _, sub = name[:-1].partition("[")
            fields.setdefault(key, {})[sub] = value
        else:
            fields[name] = value
    return fields


def _typed_form(fields: dict[str, Any], info: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields as the values a caller passed.

    A form carries only text: it is turned back into the numbers, booleans, objects and arrays
    the request schema says the fields are.
    """
    request = info["request"]
    if request is None:
        return fields
    synth = _synthesizer()
    properties: dict[str, Any] = synth.flatten({"$ref": request["schema"]}).get("properties", {})
    return {name: _typed_value(synth, properties.get(name, {}), v) for name, v in fields.items()}


def _typed_value(synth: Synthesizer, schema: Any, value: object) -> Any:
    if isinstance(value, list):
        items = synth.flatten(schema).get("items", {})
        return [_typed_value(synth, items, item) for item in cast("list[object]", value)]
    if isinstance(value, dict):
        inner = synth.flatten(schema)
        fields: dict[str, Any] = inner.get("properties", {})
        extra = inner.get("additionalProperties", {})
        mapping = cast("dict[str, object]", value)
        return {k: _typed_value(synth, fields.get(k, extra), v) for k, v in mapping.items()}
    kinds = synth.types(schema)
    if not isinstance(value, str) or "string" in kinds:
        return value
    if "boolean" in kinds and value in ("true", "false"):
        return value == "true"
    with contextlib.suppress(ValueError):
        if "integer" in kinds and value.lstrip("-").isdigit():
            return int(value)
        if "number" in kinds:
            return float(value)
    if kinds & {"object", "array"}:
        with contextlib.suppress(orjson.JSONDecodeError):
            return orjson.loads(value)
    return value


def _wants_stream(stream: Mapping[str, Any], request: httpx.Request, body: Any) -> bool:
    name, _, value = str(stream["flag"]).partition("=")
    if stream["in"] == "query":
        return bool(request.url.params.get(name) == "true")
    if not isinstance(body, dict):
        return False
    return bool(cast("dict[str, Any]", body).get(name) == (value or True))


def _document(
    operation_id: str,
    info: Mapping[str, Any],
    headers: dict[str, str],
    adapt: Callable[[Any], Any],
) -> bytes:
    """The body of a non-streaming answer, by the kind of result the operation has.

    A JSON answer is `adapt`ed to the request it answers.
    """
    kind = info["result"]
    example = _spec()[1].get(operation_id, {})
    success = min(code for code in info["responses"] if code.startswith("2"))
    if kind == "binary":
        media = (info["responses"][success].get("raw") or ["application/octet-stream"])[0]
        headers["content-type"] = media
        return f"byot.testing: the bytes of {operation_id}".encode()
    if kind == "text":
        headers["content-type"] = info["responses"][success]["raw"][0]
        return str(example.get("text", "")).encode()
    if kind == "empty":
        return b""
    headers["content-type"] = "application/json"
    document: Any = example.get("response")
    if document is None:
        document = _synthesizer().instance({"$ref": info["responses"][success]["json"]})
    return orjson.dumps(adapt(document))


def _stream_body(operation_id: str, body: Any) -> bytes:
    """The event stream the mock sends for a streaming operation, framed for its wire format."""
    operations, examples = _spec()
    info = next(op.info for op in operations if op.operation_id == operation_id)
    stream = info["stream"]
    events: list[list[Any]] | None = examples.get(operation_id, {}).get("stream")
    if events is None:  # another operation streaming the same events documented them
        events = next(
            (
                examples[op.operation_id]["stream"]
                for op in operations
                if op.info["stream"]
                and op.info["stream"]["schema"] == stream["schema"]
                and "stream" in examples.get(op.operation_id, {})
            ),
            None,
        )
    if events is None:
        synth = _synthesizer()
        tag = (stream["terminal"] or synth.tags({"$ref": stream["schema"]}) or [None])[0]
        events = [[tag, synth.instance({"$ref": stream["schema"]}, tag=tag)]]
    model = (json_object(body) or {}).get("model")
    out = bytearray()
    for name, event in events:
        data = _with_model_named(event, model) if isinstance(model, str) else event
        if stream["framing"] == "data":
            out += sse_event(data)
        else:
            out += sse_event(data, event=name)
    if stream["done"]:
        out += (
            sse_event(stream["done"], event="done")
            if stream["framing"] == "event-envelope"
            else SSE_DONE
        )
    return bytes(out)


def _with_model_named(event: dict[str, Any], model: str) -> dict[str, Any]:
    """A stream event naming the request's model where it names one (or its response does)."""
    out = dict(event)
    if "model" in out:
        out["model"] = model
    inner = json_object(out.get("response"))
    if inner is not None and "model" in inner:
        out["response"] = {**inner, "model": model}
    return out


def _refusal(operation_id: str, spec: Mapping[str, Any] | None, body: Any) -> httpx.Response | None:
    """The 400 answer for a request body the operation's schema rejects, or None."""
    if spec is None:
        return None
    if body is _NO_BODY:
        if not spec["required"]:
            return None
        return error_response(400, f"{operation_id} needs a request body", code="missing_body")
    from byot import validate
    from byot.errors import SchemaValidationError

    try:
        validate(body, operation_id, direction="request")
    except SchemaValidationError as exc:
        issues = [{"path": issue.path, "message": issue.message} for issue in exc.issues]
        listed = "".join(f"\n  {i['path']}: {i['message']}" for i in issues)
        count = f"{len(issues)} issue{'s' if len(issues) > 1 else ''}"
        message = f"Invalid request for {operation_id} ({count}):{listed}"
        param = issues[0]["path"].removeprefix("$").removeprefix(".") or None if issues else None
        return error_response(400, message, code="invalid_request", param=param, issues=issues)
    return None
