"""Function tools from the caller's own functions and types: define, decode, call, answer.

A `Tool` pairs an arguments type with an optional handler. `tool(fn)` makes the arguments type
from a function's signature (a TypedDict of its parameters, described by the docstring's Args
section or `Annotated` text), so one function is the single source of the schema the model
sees, the decoding of what it sends, and the call. The JSON Schema comes from
`byot.json_schema`; decoding reuses the response decoders of `byot._codec`, so arguments become
the declared types (nested dataclasses, enums, tuples...) with errors that name the field.

`ToolCall` reads a call out of either API (a chat `tool_calls` entry or a Responses
`function_call` item, arguments as a JSON string or, as some providers send, an object) and
builds the matching answer: a `tool` message or a `function_call_output` item.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
import typing
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    NamedTuple,
    Union,
    get_args,
    get_origin,
    overload,
)

import orjson

from byot._codec import converter_for, encode_value, get_type_hints, is_typeddict, json_path
from byot._override import override
from byot.errors import DecodeError, ToolArgumentsError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from typing_extensions import Never, TypeVar

    A = TypeVar("A")
    """The decoded arguments of a tool: the arguments type, or a dict for a function's."""
    R = TypeVar("R", covariant=True, default=Never)
    """What a tool's handler returns (a coroutine for an async one); Never without one."""
    T = TypeVar("T")
else:
    # As in byot._signatures: only type checkers read the default, and typing_extensions
    # stays out of `import byot`.
    from typing import TypeVar  # noqa: TID251 - see above

    A, R, T = TypeVar("A"), TypeVar("R", covariant=True), TypeVar("T")

__all__ = ["Tool", "ToolCall", "tool", "tool_calls"]

Api = Literal["chat", "responses"]
_MISSING: Any = inspect.Parameter.empty


class _Param(NamedTuple):
    """One field of a tool's arguments: a function parameter or a TypedDict key."""

    name: str
    annotation: Any
    default: Any  # _MISSING when there is none
    required: bool
    convert: Callable[[Any], Any]
    admits_none: bool


class Tool(Generic[A, R]):
    """A function tool: its definition for the model, and what to do when the model calls it.

    Made from a function by `byot.tool(fn)`, or from an arguments type directly:
    `Tool(GetWeather, handler)`, where `GetWeather` is any of the caller's types (dataclass,
    TypedDict, pydantic model, msgspec Struct, attrs class) and `handler` takes one instance
    of it. Without a handler the tool still defines itself and decodes arguments (the
    official SDK's `pydantic_function_tool`, for any kind of type).

    Example:
        ```python
        from dataclasses import dataclass

        import byot


        @dataclass
        class GetWeather:
            \"\"\"The current weather in a city.\"\"\"

            city: str


        weather = byot.Tool(GetWeather)
        assert weather.chat()["function"]["name"] == "GetWeather"
        args = weather.arguments('{"city": "Paris"}')  # a GetWeather
        print(args.city)
        ```

    Args:
        arguments: The type the call's arguments decode into; its JSON Schema is the tool's
            `parameters`.
        handler: Called with the decoded arguments by `run` / `arun` (sync or async).
        name: The tool's name (default: the type's name).
        description: What the tool does, for the model (default: the type's docstring).
        strict: Ask for OpenAI's strict mode (`"strict": true`, a strict schema).

    Attributes:
        name: The tool's name, as the model calls it.
        description: What the tool does, or None.
        parameters: The JSON Schema of the arguments.
        strict: Whether the definitions ask for strict mode.
    """

    name: str
    description: str | None
    parameters: dict[str, Any]
    strict: bool

    def __init__(
        self,
        arguments: type[A],
        handler: Callable[[A], R] | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        strict: bool = True,
    ) -> None:
        doc = arguments.__doc__ if _own_doc(arguments) else None
        summary, described = _parse_docstring(doc)
        self.name = name or arguments.__name__
        self.description = description if description is not None else summary
        self.strict = strict
        self.parameters = _describe(_schema(arguments, strict=strict), described)
        self._handler = handler
        self._decode: Callable[[dict[str, Any]], A]
        if is_typeddict(arguments):
            self._decode = _fields_decoder(self.name, _typeddict_params(arguments))
        else:
            self._decode = _type_decoder(self.name, arguments)

    def chat(self) -> dict[str, Any]:
        """The tool as a chat completions `tools` entry."""
        return {"type": "function", "function": self._definition()}

    def responses(self) -> dict[str, Any]:
        """The tool as a Responses API `tools` entry."""
        return {"type": "function", **self._definition()}

    def _definition(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["parameters"] = self.parameters
        if self.strict:
            out["strict"] = True
        return out

    def arguments(self, arguments: str | bytes | Mapping[str, Any]) -> A:
        """Decode a call's arguments (the JSON text, or an object) into the arguments type.

        Raises:
            byot.errors.ToolArgumentsError: The arguments are not JSON, not an object, or do
                not fit the parameters; the error names the tool and the field.
        """
        if isinstance(arguments, (str, bytes)):
            try:
                data: Any = orjson.loads(arguments)
            except orjson.JSONDecodeError as exc:
                raise ToolArgumentsError(
                    f"the arguments of tool {self.name!r} are not valid JSON ({exc}); "
                    "send one JSON object of the parameters",
                    tool=self.name,
                    arguments=arguments,
                ) from None
        else:
            data = arguments
        if not isinstance(data, dict):
            raise _bad(self.name, "the arguments must be a JSON object", arguments)
        return self._decode(typing.cast("dict[str, Any]", data))

    def run(self, arguments: str | bytes | Mapping[str, Any]) -> R:
        """Decode the arguments and call the handler; for a sync handler.

        Raises:
            byot.errors.ToolArgumentsError: The arguments do not fit (see `arguments`).
            TypeError: The tool has no handler, or an async one (use `arun`).
        """
        result = self._handler_for()(self.arguments(arguments))
        if inspect.isawaitable(result):
            if inspect.iscoroutine(result):
                result.close()  # never awaited: close it so Python does not warn
            raise TypeError(
                f"tool {self.name!r} is async: call it with arun() (or an AsyncClient loop)"
            )
        return result

    @overload
    async def arun(
        self: Tool[Any, Awaitable[T]], arguments: str | bytes | Mapping[str, Any]
    ) -> T: ...
    @overload
    async def arun(self: Tool[Any, T], arguments: str | bytes | Mapping[str, Any]) -> T: ...
    async def arun(self, arguments: str | bytes | Mapping[str, Any]) -> Any:
        """Decode the arguments and call the handler, awaiting it when it is async."""
        result: Any = self._handler_for()(self.arguments(arguments))
        if inspect.isawaitable(result):
            result = await result
        return result

    def _handler_for(self) -> Callable[[A], R]:
        if self._handler is None:
            raise TypeError(
                f"tool {self.name!r} has no handler: pass one, Tool(arguments, handler), "
                "or decode with .arguments() and act yourself"
            )
        return self._handler

    @override
    def __repr__(self) -> str:
        return f"<byot.Tool {self.name!r}>"


def _schema(arguments: object, *, strict: bool) -> dict[str, Any]:
    """The arguments' JSON Schema, from `byot.json_schema`.

    A function without parameters has an empty TypedDict, which `json_schema` takes for a
    free-form mapping: its schema is the empty object, which strict mode accepts.
    """
    if is_typeddict(arguments) and not get_type_hints(arguments):
        return {"type": "object", "properties": {}, "required": [], "additionalProperties": False}
    from byot._json_schema import json_schema  # on the first tool, not by `import byot`

    return json_schema(arguments, strict=strict)


def _bad(
    tool: str, problem: str, arguments: object, field: str | None = None, path: str = "$"
) -> ToolArgumentsError:
    where = f" at {path}" if path != "$" else ""
    return ToolArgumentsError(
        f"bad arguments for tool {tool!r}{where}: {problem}",
        tool=tool,
        arguments=arguments,
        field=field,
        path=path,
    )


def tool(
    fn: Callable[..., R],
    *,
    name: str | None = None,
    description: str | None = None,
    strict: bool = True,
) -> Tool[dict[str, Any], R]:
    """A tool made from a function: its parameters are the arguments, its docstring the text.

    The parameters' annotations give the schema and the decoded types; the docstring's first
    part describes the tool, its Google-style `Args:` section each parameter (or write
    `Annotated[str, "what it is"]`). Parameters with a default may be left out by the model
    (in strict mode it sends null for them, which means the default). Sync and async
    functions both work; `run` / `arun` call it with the decoded arguments by keyword.

    Example:
        ```python
        from typing import Annotated

        import byot


        def get_weather(city: Annotated[str, "The city's name"], celsius: bool = True) -> str:
            \"\"\"The current weather in a city.\"\"\"
            return f"21 degrees in {city}"


        weather = byot.tool(get_weather)
        print(weather.run('{"city": "Paris", "celsius": null}'))  # 21 degrees in Paris
        ```

    Args:
        fn: The function, sync or async.
        name: The tool's name (default: the function's).
        description: What the tool does (default: the docstring's text before its sections).
        strict: Ask for OpenAI's strict mode (`"strict": true`, a strict schema).

    Raises:
        TypeError: The function takes `*args` or `**kwargs`, which no schema can describe.
    """
    return _FunctionTool(fn, name=name, description=description, strict=strict)


class _FunctionTool(Tool[dict[str, Any], R]):
    """A tool whose arguments are a function's parameters, decoded one by one."""

    def __init__(
        self, fn: Callable[..., R], *, name: str | None, description: str | None, strict: bool
    ) -> None:
        hints = get_type_hints(fn)
        params: list[_Param] = []
        positional: list[str] = []
        for parameter in inspect.signature(fn).parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise TypeError(
                    f"{_qualname(fn)} takes *{parameter.name}: a tool's parameters must be "
                    "named; list them, or build the tool from an arguments type with byot.Tool"
                )
            if parameter.kind is parameter.POSITIONAL_ONLY:
                positional.append(parameter.name)
            params.append(_param(parameter.name, hints.get(parameter.name, Any), parameter.default))
        from typing_extensions import NotRequired, TypedDict

        make: Any = TypedDict  # the functional form: the names are known only at run time
        fields = {p.name: p.annotation if p.required else NotRequired[p.annotation] for p in params}
        summary, described = _parse_docstring(fn.__doc__)  # `Annotated` text wins over it

        def call(kwargs: dict[str, Any]) -> R:
            args = [kwargs.pop(name) for name in positional if name in kwargs]
            return fn(*args, **kwargs)

        name = name or getattr(fn, "__name__", "function")
        super().__init__(
            make(name, fields),
            call,
            name=name,
            description=description if description is not None else summary,
            strict=strict,
        )
        self.parameters = _describe(self.parameters, described)
        self._decode = _fields_decoder(self.name, params)
        self.function = fn


def _qualname(fn: object) -> str:
    return str(getattr(fn, "__qualname__", fn))


def _own_doc(tp: object) -> bool:
    """Whether a type has a docstring of its own (not one inherited from its base)."""
    doc = getattr(tp, "__doc__", None)
    if not doc:
        return False
    return not dataclasses.is_dataclass(tp) or not doc.startswith(f"{getattr(tp, '__name__', '')}(")


def _param(name: str, annotation: Any, default: Any, *, required: bool | None = None) -> _Param:
    return _Param(
        name,
        annotation,
        default,
        default is _MISSING if required is None else required,
        converter_for(annotation),
        _admits_none(annotation),
    )


def _typeddict_params(td: Any) -> list[_Param]:
    required: frozenset[str] = td.__required_keys__
    params: list[_Param] = []
    for name, hint in get_type_hints(td).items():
        value, decided = _unqualified(hint)
        is_required = name in required if decided is None else decided
        params.append(_param(name, value, _MISSING, required=is_required))
    return params


def _unqualified(hint: Any) -> tuple[Any, bool | None]:
    """A TypedDict key's value type, and whether `Required[...]`/`NotRequired[...]` make it so.

    The resolved hint has the last word: `__required_keys__` misses the qualifiers when they
    are written as strings (under `from __future__ import annotations`).
    """
    decided: bool | None = None
    qualifiers = ("Required", "NotRequired", "ReadOnly")
    while (name := getattr(get_origin(hint), "_name", None)) in qualifiers:
        if name != "ReadOnly":
            decided = name == "Required"
        hint = get_args(hint)[0]
    return hint, decided


def _admits_none(tp: Any) -> bool:
    if tp is Any or tp is None or tp is type(None):
        return True
    origin = get_origin(tp)
    if origin is typing.Annotated:
        return _admits_none(get_args(tp)[0])
    return _is_union(origin) and any(_admits_none(member) for member in get_args(tp))


def _is_union(origin: object) -> bool:
    return origin is Union or origin is types.UnionType


def _fields_decoder(tool_name: str, params: list[_Param]) -> Callable[[dict[str, Any]], Any]:
    """Decode an arguments object field by field: a function's parameters, a TypedDict's keys.

    A null for a field that has a default and does not admit None means "the default" (what a
    strict schema makes the model send for an optional parameter); a missing one likewise.
    """
    known = {p.name for p in params}

    def decode(data: dict[str, Any]) -> dict[str, Any]:
        unknown = [key for key in data if key not in known]
        if unknown:
            allowed = ", ".join(sorted(known)) or "none"
            raise _bad(
                tool_name,
                f"unexpected argument {unknown[0]!r} (the parameters are: {allowed})",
                data,
                unknown[0],
                json_path([unknown[0]]),
            )
        out: dict[str, Any] = {}
        for param in params:
            value = data.get(param.name, _MISSING)
            if value is None and not param.admits_none and not param.required:
                value = _MISSING
            if value is _MISSING:
                if param.required and not param.admits_none:
                    raise _bad(
                        tool_name,
                        f"missing required argument {param.name!r}",
                        data,
                        param.name,
                        json_path([param.name]),
                    )
                if param.default is not _MISSING:
                    out[param.name] = param.default
                elif param.required:
                    out[param.name] = None
                continue
            try:
                out[param.name] = param.convert(value)
            except DecodeError as exc:
                path = json_path([param.name]) + exc.path[1:]
                raise _bad(tool_name, _problem(exc), data, param.name, path) from None
        return out

    return decode


def _type_decoder(tool_name: str, arguments: type[A]) -> Callable[[dict[str, Any]], A]:
    """Decode an arguments object into a record type, with the field named on failure."""
    pydantic_model = hasattr(arguments, "model_validate")
    convert = None if pydantic_model else converter_for(arguments)

    def decode(data: dict[str, Any]) -> A:
        if convert is None:
            try:
                return typing.cast("A", arguments.model_validate(data))  # type: ignore[attr-defined]
            except ValueError as exc:
                first: dict[str, Any] = typing.cast("Any", exc).errors()[0]  # pydantic's
                where: list[str | int] = list(first["loc"])
                field = str(where[0]) if where else None
                path = json_path(where)
                raise _bad(tool_name, str(first["msg"]), data, field, path) from None
        try:
            return typing.cast("A", convert(data))
        except DecodeError as exc:
            path, problem = exc.path, _problem(exc)
            struct_path = re.search(r" - at `(\$[^`]*)`$", problem)  # msgspec names its own
            if struct_path is not None:
                path, problem = struct_path.group(1), problem[: struct_path.start()]
            top = re.match(r"\$\.(\w+)|\$\[\"([^\"]+)\"\]", path)
            name = next((g for g in top.groups() if g), None) if top else None
            raise _bad(tool_name, problem, data, name, path) from None

    return decode


def _problem(exc: DecodeError) -> str:
    """The problem part of a decode error's message (after its 'cannot ...: $.path: ')."""
    message = str(exc)
    marker = f"{exc.path}: "
    index = message.find(marker)
    return message[index + len(marker) :] if index >= 0 else message


_SECTION = re.compile(r"^(\w[\w ]*):\s*$")
_ENTRY = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_ARGS_SECTIONS = ("Args", "Arguments", "Parameters", "Params", "Attributes")


def _parse_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """A Google-style docstring's text before its first section, and its Args entries."""
    if not doc:
        return None, {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    described: dict[str, str] = {}
    index = 0
    while index < len(lines) and not _SECTION.match(lines[index]):
        summary.append(lines[index])
        index += 1
    while index < len(lines):  # at a section's header: the loops stop only there
        header = lines[index].partition(":")[0]
        index += 1
        body: list[str] = []
        while index < len(lines) and not _SECTION.match(lines[index]):
            body.append(lines[index])
            index += 1
        if header in _ARGS_SECTIONS:
            described.update(_entries(body))
    text = "\n".join(summary).strip()
    return text or None, described


def _entries(body: list[str]) -> dict[str, str]:
    """`name (type): text` entries of one section, continuation lines joined."""
    indented = [line for line in body if line.strip()]
    if not indented:
        return {}
    indent = min(len(line) - len(line.lstrip()) for line in indented)
    out: dict[str, str] = {}
    current: str | None = None
    for line in indented:
        entry = _ENTRY.match(line[indent:]) if len(line) - len(line.lstrip()) == indent else None
        if entry is not None:
            key = str(entry.group(1)).lstrip("*")
            out[key] = str(entry.group(2)).strip()
            current = key
        elif current is not None:
            out[current] = f"{out[current]} {line.strip()}".strip()
    return out


def _describe(schema: dict[str, Any], described: Mapping[str, str]) -> dict[str, Any]:
    """The schema with each property's description filled in where it has none."""
    properties: dict[str, Any] = schema.get("properties", {})
    if not described or not properties:
        return schema
    filled = {
        name: {**prop, "description": described[name]}
        if name in described and "description" not in prop
        else prop
        for name, prop in properties.items()
    }
    return {**schema, "properties": filled}


class ToolCall(NamedTuple):
    """A function call the model asked for, read from either API.

    Attributes:
        id: The call's id: `id` of a chat tool call, `call_id` of a Responses item.
        name: The function's name.
        arguments: The arguments as sent: JSON text, or an object (some providers).
        api: `"chat"` or `"responses"`, which decides the shape of `output`.
        item: The call exactly as it came, provider extras included.
    """

    id: str
    name: str
    arguments: str | dict[str, Any]
    api: Api
    item: dict[str, Any]

    def output(self, content: object) -> dict[str, Any]:
        """The answer to this call: a chat `tool` message or a `function_call_output` item.

        `content` is sent as it is when it is a string, otherwise as JSON (dataclasses,
        models and the other typed objects included).
        """
        text = content if isinstance(content, str) else encode_value(content).decode()
        if self.api == "chat":
            return {"role": "tool", "tool_call_id": self.id, "content": text}
        return {"type": "function_call_output", "call_id": self.id, "output": text}


def tool_calls(value: Mapping[str, Any] | list[Any]) -> list[ToolCall]:
    """The function calls in a model's answer, in order.

    Takes a chat completion (its first choice), a chat message, a Responses response, or a
    list of Responses output items. Calls of other kinds (custom tools, hosted tools) are
    not function calls and are left out.
    """
    if isinstance(value, list):
        return [_responses_call(item) for item in value if _is_function_call(item)]
    if "output" in value:
        return tool_calls(typing.cast("list[Any]", value["output"]))
    choices: list[dict[str, Any]] | None = value.get("choices")
    message: Mapping[str, Any] = choices[0]["message"] if choices else value
    found: list[dict[str, Any]] = message.get("tool_calls") or []
    return [_chat_call(call) for call in found if call.get("type", "function") == "function"]


def _is_function_call(item: Any) -> bool:
    return isinstance(item, dict) and typing.cast("dict[str, Any]", item).get("type") == (
        "function_call"
    )


def _chat_call(call: dict[str, Any]) -> ToolCall:
    function: dict[str, Any] = call["function"]
    return ToolCall(call["id"], function["name"], _raw(function.get("arguments")), "chat", call)


def _responses_call(item: dict[str, Any]) -> ToolCall:
    return ToolCall(item["call_id"], item["name"], _raw(item.get("arguments")), "responses", item)


def _raw(arguments: Any) -> str | dict[str, Any]:
    # No arguments at all (some servers, for a function without parameters) is an empty object.
    return "{}" if arguments is None or arguments == "" else arguments
