"""Structured outputs: ask for the caller's type, get it back parsed and checked.

`parse(body, T)` on `client.chat.completions` and `client.responses` sends T's JSON Schema
(`byot.json_schema`) the way the chosen mode says, then reads the answer back into T:

* `mode="json_schema"` (default): `response_format` / `text.format` of type `json_schema`, with
  `strict: true`; the model is held to the schema by the provider.
* `mode="json_object"`: `response_format` / `text.format` of type `json_object`, the schema
  written into the instructions (a system message, or Responses `instructions`): for servers
  that offer JSON mode but no schemas.
* `mode="tool"`: one function tool whose parameters are the schema, and a `tool_choice` that
  forces it; its arguments are the output. The most portable: llama.cpp, Ollama, vLLM, Groq.

Every mode is read the same way: a refusal, a `length` or `content_filter` stop, no output,
text that is not JSON, and JSON that does not fit T each raise their own
`byot.errors.StructuredOutputError`, holding the raw text and the whole response. A type whose
root is not an object (`list[Step]`, an `Enum`) travels wrapped as `{"value": ...}` and comes
back unwrapped. Everything here but the mixins' two calls is free of I/O.
"""

# The mixins are part of the namespaces, the client's own facade: they call its dispatcher.
# pyright: reportPrivateUsage=false

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal

import orjson

from byot._codec import converter_for, decoder_for, encode, json_array, json_object, json_path
from byot._json_schema import cached_schema, generated, type_name
from byot._signatures import R, T
from byot.errors import (
    ConfigError,
    ContentFilterFinishReasonError,
    DecodeError,
    LengthFinishReasonError,
    MissingOutputError,
    OutputNotJSONError,
    OutputTypeError,
    RefusalError,
    SchemaGenerationError,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from typing_extensions import Self, Unpack

    from byot._endpoint import Endpoint
    from byot._response import AsyncStream, Stream
    from byot._signatures import Body, CallOptions
    from byot.resources._dispatch import AsyncDispatcher, Dispatcher
    from byot.types import CreateChatCompletionRequest, CreateResponse

__all__ = [
    "AsyncChatCompletionsParse",
    "AsyncParsedStream",
    "AsyncResponsesParse",
    "ChatCompletionsParse",
    "OutputMode",
    "Parsed",
    "ParsedStream",
    "ResponsesParse",
    "response_format",
    "text_format",
]

OutputMode = Literal["json_schema", "json_object", "tool"]
"""How `parse` asks for the output: a native schema, JSON mode plus instructions, or a tool."""

_MODES = typing.get_args(OutputMode)
_WRAPPER_KEY = "value"


@dataclasses.dataclass(frozen=True)
class Parsed(Generic[T, R]):
    """What `parse` returns: the output as the caller's type, and the whole response.

    Attributes:
        parsed: The output, decoded into the type given to `parse` and checked against it.
        response: The whole response: a dict, or the caller's `response_type`.
        content: The output exactly as the model wrote it (the message text, or the forced
            tool call's arguments).
    """

    parsed: T
    response: R
    content: str


# ----------------------------------------------------------------------------- the output type


class _Output:
    """What `parse` needs of one output type, made once per type and strictness."""

    def __init__(self, tp: Any, *, strict: bool) -> None:
        schema = cached_schema(tp, strict=strict)
        self.type_name = type_name(tp)
        self.wrapped = schema.get("type") != "object"
        if self.wrapped:  # strict mode and tools want an object at the root
            inner = {k: v for k, v in schema.items() if k != "$defs"}
            wrapper: dict[str, Any] = {
                "type": "object",
                "properties": {_WRAPPER_KEY: inner},
                "required": [_WRAPPER_KEY],
                "additionalProperties": False,
            }
            if "$defs" in schema:
                wrapper["$defs"] = schema["$defs"]
            schema = wrapper
        self.schema = schema
        self.strict = strict
        self.default_name = _sanitize(self.type_name)
        self.convert = converter_for(tp)
        # Where decoding T checks less than the schema says (TypedDicts, Annotated bounds on
        # plain classes), the value is validated against the faithful schema first.
        self.validator: Any = None
        self.is_valid: Callable[[Any], bool] | None = None
        if not generated(tp, strict=False).decoder_checks:
            self.validator, self.is_valid = _validators(cached_schema(tp, strict=False))
        # The common case straight from the text: pydantic's and msgspec's own JSON decoders,
        # or orjson and byot's builder. Failures are explained by the slower path below.
        self.direct = None if self.wrapped or self.validator else decoder_for(tp)

    def decode(self, content: str, response: Any) -> Any:
        """The output text as the caller's type, or the error that says why it is not."""
        text = _strip_fence(content)
        if self.direct is not None:
            try:
                return self.direct(text.encode())
            except (ValueError, DecodeError):
                pass  # not JSON, or not the type: the path below says which, and where
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise OutputNotJSONError(
                f"the model's output is not valid JSON ({exc}): {_preview(content)}",
                content=content,
                response=response,
            ) from exc
        if self.wrapped:
            if not _is_object(data) or _WRAPPER_KEY not in data:
                raise OutputTypeError(
                    f"expected an object with the key {_WRAPPER_KEY!r} around the "
                    f"{self.type_name} output, got {_preview(text)}",
                    path="$",
                    content=content,
                    response=response,
                )
            data = data[_WRAPPER_KEY]
        if self.validator is not None and not (self.is_valid and self.is_valid(data)):
            error = next(iter(self.validator.iter_errors(data)), None)
            if error is not None:
                path = json_path(error.absolute_path)
                raise OutputTypeError(
                    f"the output does not fit {self.type_name}: {path}: {error.message}",
                    path=path,
                    content=content,
                    response=response,
                )
        try:
            return self.convert(data)
        except DecodeError as exc:
            raise OutputTypeError(
                f"the output does not fit {self.type_name}: {exc}",
                path=exc.path,
                content=content,
                response=response,
            ) from exc

    def partial(self, text: str) -> Any:
        """The output so far, as plain JSON values; None until anything can be read."""
        try:
            import jiter  # optional: only partials need it
        except ImportError:
            raise ConfigError(
                "showing the output while it streams needs jiter: pip install "
                "'byot-client[structured]' (final() works without it)"
            ) from None
        try:
            value = jiter.from_json(
                _strip_fence(text, partial=True).encode(), partial_mode="trailing-strings"
            )
        except ValueError:  # nothing readable yet, or not JSON at all
            return None
        if self.wrapped and _is_object(value):
            return value.get(_WRAPPER_KEY)
        return value


def _validators(schema: dict[str, Any]) -> tuple[Any, Callable[[Any], bool] | None]:
    """Jsonschema's validator (it explains), and jsonschema-rs's yes/no check when installed."""
    from jsonschema import Draft202012Validator  # only for types that need it

    try:
        import jsonschema_rs
    except ImportError:  # the `fast` extra is optional
        return Draft202012Validator(schema), None
    quick: Callable[[Any], bool] = jsonschema_rs.validator_for(schema).is_valid
    return Draft202012Validator(schema), quick


_OUTPUTS: dict[tuple[object, bool], _Output] = {}


def _output(tp: object, strict: bool) -> _Output:
    key = (tp, strict)
    try:
        return _OUTPUTS[key]
    except KeyError:
        made = _OUTPUTS[key] = _Output(tp, strict=strict)
        return made
    except TypeError:  # unhashable Annotated metadata (Python 3.10)
        return _Output(tp, strict=strict)


def _sanitize(name: str) -> str:
    """A schema or tool name as OpenAI allows them: [a-zA-Z0-9_-], at most 64 characters."""
    return re.sub(r"[^a-zA-Z0-9_-]+", "_", name).strip("_")[:64] or "output"


_FENCE = re.compile(r"^\s*```[a-zA-Z]*\s*\n?(.*?)(?:\n?```\s*)?$", re.DOTALL)


def _strip_fence(text: str, *, partial: bool = False) -> str:
    """The JSON inside one Markdown code fence, which models without JSON mode like to add."""
    if "```" not in text[:16]:
        return text
    match = _FENCE.match(text)
    return match.group(1) if match and (partial or text.rstrip().endswith("```")) else text


def _preview(text: str, limit: int = 200) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


# ----------------------------------------------------------------------------- public helpers


def response_format(
    tp: type[Any], *, name: str | None = None, strict: bool = True
) -> dict[str, Any]:
    """Chat's `response_format` asking for a type's JSON Schema, for `create` by hand.

    ```python
    body = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "A point, please"}],
        "response_format": byot.response_format(Point),
    }
    ```

    Args:
        tp: A class whose JSON is an object (dataclass, TypedDict, attrs, pydantic, msgspec).
        name: The schema's name; the type's name by default.
        strict: Whether the provider must hold the model to the schema (`byot.json_schema`).

    Raises:
        SchemaGenerationError: The type has no such schema, or its JSON is not an object
            (`parse` wraps those for you).
    """
    schema = _object_schema(tp, strict)
    return {
        "type": "json_schema",
        "json_schema": {"name": name or _sanitize(tp.__name__), "schema": schema, "strict": strict},
    }


def text_format(tp: type[Any], *, name: str | None = None, strict: bool = True) -> dict[str, Any]:
    """Responses' `text.format` asking for a type's JSON Schema, for `create` by hand.

    ```python
    body = {
        "model": "gpt-4o-mini",
        "input": "A point, please",
        "text": {"format": byot.text_format(Point)},
    }
    ```

    Args and errors as `response_format`.
    """
    schema = _object_schema(tp, strict)
    return {
        "type": "json_schema",
        "name": name or _sanitize(tp.__name__),
        "schema": schema,
        "strict": strict,
    }


def _object_schema(tp: type[Any], strict: bool) -> dict[str, Any]:
    output = _output(tp, strict)
    if output.wrapped:
        raise SchemaGenerationError(
            target=tp,
            field=output.type_name,
            reason="a structured output must be a JSON object at its root",
            hint="use a class with one field holding it, or parse(), which wraps it for you",
            strict=strict,
        )
    return output.schema


# ----------------------------------------------------------------------------- requests


def _body_dict(body: object) -> dict[str, Any]:
    if isinstance(body, Mapping):
        return dict(typing.cast("Mapping[str, Any]", body))
    converted: dict[str, Any] = orjson.loads(encode(body))
    return converted


def _instructions(output: _Output) -> str:
    schema = orjson.dumps(output.schema).decode()
    return (
        "Answer with one JSON object and nothing else: no prose, no code fence. The object "
        f"must fit this JSON Schema:\n{schema}"
    )


def _taken(body: Mapping[str, Any], key: str, mode: str) -> None:
    if key in body:
        raise TypeError(
            f"parse(mode={mode!r}) sets {key!r} itself from the output type; remove it from the "
            "body (or call create() and decode the output yourself)"
        )


def chat_request(body: object, output: _Output, mode: str, name: str) -> dict[str, Any]:
    """The chat completion request that asks for the output in the given mode."""
    request = _body_dict(body)
    if mode == "json_schema":
        _taken(request, "response_format", mode)
        request["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": name, "schema": output.schema, "strict": output.strict},
        }
    elif mode == "json_object":
        _taken(request, "response_format", mode)
        request["response_format"] = {"type": "json_object"}
        request["messages"] = _with_system(request.get("messages") or [], _instructions(output))
    else:
        _taken(request, "tool_choice", mode)
        tool: dict[str, Any] = {"name": name, "parameters": output.schema, "strict": output.strict}
        description = output.schema.get("description")
        if description:
            tool["description"] = description
        request["tools"] = [*request.get("tools", ()), {"type": "function", "function": tool}]
        request["tool_choice"] = {"type": "function", "function": {"name": name}}
    return request


def _with_system(messages: list[Any], text: str) -> list[Any]:
    if messages and _is_object(messages[0]):
        first = _obj(messages[0])
        content = first.get("content")
        if first.get("role") in ("system", "developer") and isinstance(content, str):
            return [{**first, "content": f"{content}\n\n{text}"}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def responses_request(body: object, output: _Output, mode: str, name: str) -> dict[str, Any]:
    """The Responses request that asks for the output in the given mode."""
    request = _body_dict(body)
    if mode in ("json_schema", "json_object"):
        text = dict(request.get("text") or {})
        _taken(text, "format", mode)
        if mode == "json_schema":
            text["format"] = {
                "type": "json_schema",
                "name": name,
                "schema": output.schema,
                "strict": output.strict,
            }
        else:
            text["format"] = {"type": "json_object"}
            given = request.get("instructions")
            note = _instructions(output)
            request["instructions"] = f"{given}\n\n{note}" if given else note
        request["text"] = text
    else:
        _taken(request, "tool_choice", mode)
        tool = {
            "type": "function",
            "name": name,
            "parameters": output.schema,
            "strict": output.strict,
        }
        request["tools"] = [*request.get("tools", ()), tool]
        request["tool_choice"] = {"type": "function", "name": name}
    return request


# ----------------------------------------------------------------------------- responses


def _obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (null, a missing key)."""
    return json_object(value) or {}


def _list(value: Any) -> list[Any]:
    """A JSON array, or an empty one for anything else."""
    return json_array(value) or []


def chat_content(response: Mapping[str, Any], mode: str, name: str) -> str:
    """The output text of a chat completion, or the error for why there is none."""
    choices = _list(response.get("choices"))
    if not choices:
        raise MissingOutputError("the completion has no choices", content=None, response=response)
    choice = _obj(choices[0])
    message = _obj(choice.get("message"))
    content = _text_of(message, mode, name)
    reason = choice.get("finish_reason")
    if reason == "length":
        raise LengthFinishReasonError(
            "the output stopped at the token limit (finish_reason 'length'), so it is "
            "incomplete: raise max_completion_tokens or ask for less",
            content=content,
            response=response,
        )
    if reason == "content_filter":
        raise ContentFilterFinishReasonError(
            "the provider's content filter withheld the output (finish_reason 'content_filter')",
            content=content,
            response=response,
        )
    refusal = message.get("refusal")
    if refusal:
        raise RefusalError(
            f"the model refused: {refusal}",
            refusal=str(refusal),
            content=content,
            response=response,
        )
    if not content:
        wanted = f"a call of the tool {name!r}" if mode == "tool" else "content"
        raise MissingOutputError(
            f"the completion holds no output: no {wanted} (finish_reason {reason!r})",
            content=content,
            response=response,
        )
    return content


def _text_of(message: dict[str, Any], mode: str, name: str) -> str | None:
    if mode != "tool":
        content = message.get("content")
        return content if isinstance(content, str) else None
    for call in _list(message.get("tool_calls")):
        function = _obj(_obj(call).get("function"))
        if function.get("name") == name:
            return _arguments(function.get("arguments"))
    return None


def _arguments(arguments: Any) -> str:
    """Tool arguments as text: a JSON string, or an object as some providers send them."""
    if isinstance(arguments, str):
        return arguments
    return orjson.dumps(arguments).decode()


def responses_content(response: Mapping[str, Any], mode: str, name: str) -> str:
    """The output text of a Responses answer, or the error for why there is none."""
    text: list[str] = []
    refusal: list[str] = []
    arguments: str | None = None
    for item in map(_obj, _list(response.get("output"))):
        kind = item.get("type")
        if kind == "message":
            for part in map(_obj, _list(item.get("content"))):
                if part.get("type") == "output_text":
                    text.append(str(part.get("text") or ""))
                elif part.get("type") == "refusal":
                    refusal.append(str(part.get("refusal") or ""))
        elif kind == "function_call" and item.get("name") == name and arguments is None:
            arguments = _arguments(item.get("arguments"))
    content = arguments if mode == "tool" else ("".join(text) if text else None)
    status = response.get("status")
    if status == "incomplete":
        reason = _obj(response.get("incomplete_details")).get("reason")
        if reason == "max_output_tokens":
            raise LengthFinishReasonError(
                "the output stopped at max_output_tokens, so it is incomplete: raise it or "
                "ask for less",
                content=content,
                response=response,
            )
        if reason == "content_filter":
            raise ContentFilterFinishReasonError(
                "the provider's content filter withheld the output",
                content=content,
                response=response,
            )
    if refusal:
        joined = "".join(refusal)
        raise RefusalError(
            f"the model refused: {joined}", refusal=joined, content=content, response=response
        )
    if not content:
        wanted = f"a call of the tool {name!r}" if mode == "tool" else "output text"
        detail = f"status {status!r}"
        message = _obj(response.get("error")).get("message")
        if message:
            detail += f": {message}"
        raise MissingOutputError(
            f"the response holds no output: no {wanted} ({detail})",
            content=content,
            response=response,
        )
    return content


# ----------------------------------------------------------------------------- one call


class _Call:
    """One parse call, sans-I/O: the request to send and how to read what comes back."""

    def __init__(
        self,
        api: Literal["chat", "responses"],
        output_type: object,
        *,
        mode: str,
        name: str | None,
        strict: bool,
        response_type: Any,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, _MODES))}, not {mode!r}")
        self.api = api
        self.output = _output(output_type, strict)
        self.mode = mode
        self.name = _sanitize(name) if name else self.output.default_name
        self.to_response = None if response_type is None else converter_for(response_type)

    def request(self, body: object) -> dict[str, Any]:
        make = chat_request if self.api == "chat" else responses_request
        return make(body, self.output, self.mode, self.name)

    def content(self, response: Mapping[str, Any]) -> str:
        read = chat_content if self.api == "chat" else responses_content
        return read(response, self.mode, self.name)

    def result(self, response: dict[str, Any]) -> Parsed[Any, Any]:
        """The parsed output and the whole response (converted as the caller asked)."""
        typed = response if self.to_response is None else self.to_response(response)
        content = self.content(response)
        return Parsed(self.output.decode(content, typed), typed, content)

    def fragment(self, item: Any) -> str | None:
        """The output text a stream item adds, if any."""
        if self.api == "chat":
            for choice in map(_obj, _list(_obj(item).get("choices"))):
                if choice.get("index", 0) != 0:
                    continue
                delta = _obj(choice.get("delta"))
                if self.mode != "tool":
                    return _string(delta.get("content"))
                # The forced call is the only one: every arguments fragment is part of it.
                calls = _list(delta.get("tool_calls"))
                parts = [_string(_obj(_obj(c).get("function")).get("arguments")) for c in calls]
                return "".join(part for part in parts if part) or None
            return None
        event, data = item
        wanted = (
            "response.function_call_arguments.delta"
            if self.mode == "tool"
            else "response.output_text.delta"
        )
        return _string(_obj(data).get("delta")) if event == wanted else None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ----------------------------------------------------------------------------- streams


class _StreamState:
    """What both parse streams share: the output text so far and its partial value."""

    def __init__(self, call: _Call) -> None:
        self._call = call
        self._parts: list[str] = []
        self._partial: Any = None

    def feed(self, item: Any) -> bool:
        """Take one stream item; whether it added to the output."""
        fragment = self._call.fragment(item)
        if fragment:
            self._parts.append(fragment)
            return True
        return False

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def partial(self) -> Any:
        value = self._call.output.partial(self.text)
        if value is not None:
            self._partial = value
        return self._partial


_END = object()  # what next() gives past a stream's last item


class ParsedStream(Generic[T, R]):
    """A streamed `parse`: iterate it for the output so far, then `final()` for the result.

    ```python
    with client.chat.completions.parse_stream(body, Recipe) as stream:
        for partial in stream:  # a dict of what has arrived (needs the `structured` extra)
            print(partial.get("title"))
        recipe = stream.final().parsed  # a Recipe, checked
    ```

    Iterating yields, each time the output grows, its partial JSON value read with jiter
    (dicts and lists, strings cut where the tokens stop). `final()` reads the rest, merges the
    stream into the whole response and parses it as `parse` does, raising the same errors.
    """

    def __init__(self, stream: Stream[Any], call: _Call) -> None:
        self._stream = stream
        self._state = _StreamState(call)
        self._call = call

    @property
    def content(self) -> str:
        """The output text received so far."""
        return self._state.text

    @property
    def partial(self) -> Any:
        """The output so far as JSON values (None before anything readable arrived)."""
        return self._state.partial()

    def __iter__(self) -> Iterator[Any]:
        for item in self._stream:
            if self._state.feed(item):
                yield self._state.partial()

    def final(self) -> Parsed[T, R]:
        """Read the rest of the stream; the output as the caller's type, and the response."""
        # next(), not a for loop: iterating a stream read to its end raises (nothing is left),
        # and "the rest" of such a stream is simply nothing.
        while (item := next(self._stream, _END)) is not _END:
            self._state.feed(item)
        return self._call.result(self._stream.final())

    def close(self) -> None:
        """Release the connection; the rest of the stream is not read."""
        self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncParsedStream(Generic[T, R]):
    """The async twin of `ParsedStream`: `async for`, `await final()`, `async with`."""

    def __init__(self, stream: AsyncStream[Any], call: _Call) -> None:
        self._stream = stream
        self._state = _StreamState(call)
        self._call = call

    @property
    def content(self) -> str:
        """The output text received so far."""
        return self._state.text

    @property
    def partial(self) -> Any:
        """The output so far as JSON values (None before anything readable arrived)."""
        return self._state.partial()

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for item in self._stream:
            if self._state.feed(item):
                yield self._state.partial()

    async def final(self) -> Parsed[T, R]:
        """Read the rest of the stream; the output as the caller's type, and the response."""
        while (item := await anext(self._stream, _END)) is not _END:  # as in `ParsedStream`
            self._state.feed(item)
        return self._call.result(await self._stream.final())

    async def aclose(self) -> None:
        """Release the connection; the rest of the stream is not read."""
        await self._stream.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


# ----------------------------------------------------------------------------- the mixins


_LOADED: dict[str, Endpoint] = {}


def _endpoint(operation: str) -> Endpoint:
    try:
        return _LOADED[operation]
    except KeyError:  # the table loads with the namespaces, not with `import byot`
        from byot.resources._endpoints import ENDPOINTS

        endpoint = _LOADED[operation] = ENDPOINTS[operation]
        return endpoint


_CHAT = "createChatCompletion"
_RESPONSES = "createResponse"


class ChatCompletionsParse:
    """`client.chat.completions.parse` and `parse_stream`: structured outputs of your type."""

    _client: Dispatcher

    def parse(
        self,
        body: CreateChatCompletionRequest | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> Parsed[T, R]:
        """Create a chat completion whose output is `output_type`, parsed and checked.

        ```python
        result = client.chat.completions.parse(body, Recipe)
        recipe = result.parsed  # a Recipe; result.response is the whole completion
        ```

        Args:
            body: The request, without `response_format` (or `tool_choice` in tool mode).
            output_type: A dataclass, TypedDict, attrs class, pydantic model, msgspec Struct,
                or any type `byot.json_schema` takes.
            mode: `"json_schema"` (default), `"json_object"` (schema in a system message) or
                `"tool"` (a forced function call), for servers without the first.
            name: The schema's (or tool's) name; the type's name by default.
            strict: Ask the provider to hold the model to the schema (`strict: true`).
            response_type: The type of `.response`; a dict by default.
            **options: Per-call options, as for `create`.

        Raises:
            StructuredOutputError: A refusal, a `length` or `content_filter` stop, no output,
                output that is not JSON or does not fit the type (one subclass each).
            SchemaGenerationError: The type has no (strict) JSON Schema.
        """
        call = _Call(
            "chat", output_type, mode=mode, name=name, strict=strict, response_type=response_type
        )
        response = self._client._call(
            _endpoint(_CHAT), call.request(body), {}, {}, None, None, None, False, options
        )
        return call.result(response)

    def parse_stream(
        self,
        body: CreateChatCompletionRequest | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> ParsedStream[T, R]:
        """`parse`, streamed: the partial output while tokens arrive, then the result.

        Arguments as for `parse`; see `ParsedStream`.
        """
        call = _Call(
            "chat", output_type, mode=mode, name=name, strict=strict, response_type=response_type
        )
        stream = self._client._events(
            _endpoint(_CHAT), call.request(body), {}, {}, None, None, None, options
        )
        return ParsedStream(stream, call)


class AsyncChatCompletionsParse:
    """The async twin of `ChatCompletionsParse`."""

    _client: AsyncDispatcher

    async def parse(
        self,
        body: CreateChatCompletionRequest | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> Parsed[T, R]:
        """Create a chat completion whose output is `output_type` (see the sync `parse`)."""
        call = _Call(
            "chat", output_type, mode=mode, name=name, strict=strict, response_type=response_type
        )
        response = await self._client._call(
            _endpoint(_CHAT), call.request(body), {}, {}, None, None, None, False, options
        )
        return call.result(response)

    async def parse_stream(
        self,
        body: CreateChatCompletionRequest | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncParsedStream[T, R]:
        """`parse`, streamed (see the sync `parse_stream`)."""
        call = _Call(
            "chat", output_type, mode=mode, name=name, strict=strict, response_type=response_type
        )
        stream = await self._client._events(
            _endpoint(_CHAT), call.request(body), {}, {}, None, None, None, options
        )
        return AsyncParsedStream(stream, call)


class ResponsesParse:
    """`client.responses.parse` and `parse_stream`: structured outputs of your type."""

    _client: Dispatcher

    def parse(
        self,
        body: CreateResponse | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> Parsed[T, R]:
        """Create a response whose output is `output_type`, parsed and checked.

        ```python
        result = client.responses.parse({"model": "gpt-4o-mini", "input": "..."}, Recipe)
        ```

        Arguments and errors as for `client.chat.completions.parse`; in `json_object` mode
        the schema goes into `instructions`.
        """
        call = _Call(
            "responses",
            output_type,
            mode=mode,
            name=name,
            strict=strict,
            response_type=response_type,
        )
        response = self._client._call(
            _endpoint(_RESPONSES), call.request(body), {}, {}, None, None, None, False, options
        )
        return call.result(response)

    def parse_stream(
        self,
        body: CreateResponse | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> ParsedStream[T, R]:
        """`parse`, streamed: the partial output while tokens arrive, then the result."""
        call = _Call(
            "responses",
            output_type,
            mode=mode,
            name=name,
            strict=strict,
            response_type=response_type,
        )
        stream = self._client._events(
            _endpoint(_RESPONSES), call.request(body), {}, {}, None, None, None, options
        )
        return ParsedStream(stream, call)


class AsyncResponsesParse:
    """The async twin of `ResponsesParse`."""

    _client: AsyncDispatcher

    async def parse(
        self,
        body: CreateResponse | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> Parsed[T, R]:
        """Create a response whose output is `output_type` (see the sync `parse`)."""
        call = _Call(
            "responses",
            output_type,
            mode=mode,
            name=name,
            strict=strict,
            response_type=response_type,
        )
        response = await self._client._call(
            _endpoint(_RESPONSES), call.request(body), {}, {}, None, None, None, False, options
        )
        return call.result(response)

    async def parse_stream(
        self,
        body: CreateResponse | Body,
        output_type: type[T],
        *,
        mode: OutputMode = "json_schema",
        name: str | None = None,
        strict: bool = True,
        response_type: type[R] | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncParsedStream[T, R]:
        """`parse`, streamed (see the sync `parse_stream`)."""
        call = _Call(
            "responses",
            output_type,
            mode=mode,
            name=name,
            strict=strict,
            response_type=response_type,
        )
        stream = await self._client._events(
            _endpoint(_RESPONSES), call.request(body), {}, {}, None, None, None, options
        )
        return AsyncParsedStream(stream, call)
