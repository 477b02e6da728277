"""JSON both ways with orjson: request bodies of any kind out, the caller's type in.

Encoding: mappings are sent as written; dataclasses, attrs classes, pydantic models and msgspec
Structs are converted field by field with fields whose value is None left out (strict gateways
reject `null` for optional fields), recursively, wherever they sit in the body.

Decoding: a response type is resolved to a decoder once and cached:

* None, dict, a TypedDict, Mapping, Any -> `loads` (orjson), no runtime check beyond "an object";
* a pydantic model -> its `model_validate_json`; a msgspec Struct -> `msgspec.json.Decoder`;
* a dataclass, an attrs class, or list/dict/tuple/Optional/Union/Literal of them -> orjson,
  then a builder compiled once per type that behaves like serde's defaults: nested classes are
  built recursively, keys the type does not declare are ignored, a missing optional field is
  None, a missing required field or a wrong type raises `DecodeError` naming the JSON path.

Numbers are read the same on every path: integers of any size exact (`loads`, up to Python's
limit for reading integers), and NaN, Infinity and numbers past a double's range refused, also
for pydantic models, whose parser alone would read them.

No optional library (pydantic, msgspec, attrs) is imported here unless the caller's type
comes from it, in which case it is already imported.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any, Final, Literal, NamedTuple, NoReturn, Union, get_args, get_origin

import orjson

from byot.errors import DecodeError


# typing_extensions knows TypedDicts from both modules, but costs ~6 ms to import: it is loaded
# the first time a caller's own type is resolved, never by `import byot`.
def is_typeddict(tp: object) -> bool:
    """Whether `tp` is a TypedDict class, from `typing` or `typing_extensions`."""
    from typing_extensions import is_typeddict as check

    return check(tp)


def get_type_hints(tp: object) -> dict[str, Any]:
    """The resolved annotations of a class, `Annotated` extras kept."""
    from typing_extensions import get_type_hints as hints

    return hints(tp, include_extras=True)


Builder = Callable[[Any], Any]

_DUMPS_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS
_NONE_TYPE = type(None)


# ----------------------------------------------------------------------------- encoding


def encode(
    body: object,
    *,
    encoder: Callable[[Any], bytes | Mapping[str, Any]] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> bytes:
    """Serialise a request body to JSON bytes, merging `extra_body` into its top level.

    Raises:
        TypeError: The body is of a kind byot cannot encode, or `extra_body` was given for a
            body that is not a JSON object.
    """
    if encoder is not None:
        body = encoder(body)
        if isinstance(body, (bytes, bytearray)):
            if extra_body:
                raise TypeError("extra_body cannot be merged into bytes returned by encoder=")
            return bytes(body)
    if extra_body:
        body = {**_top_level(body), **extra_body}
    elif type(body) is not dict:  # a dict, the common case, goes straight to orjson
        body = _top_level(body)
    return encode_value(body)


def encode_value(value: Any) -> bytes:
    """Serialise any JSON value, the caller's typed objects included, as `encode` does.

    Raises:
        TypeError: The value holds something byot cannot encode.
    """
    try:
        return orjson.dumps(value, default=_default, option=_DUMPS_OPTIONS)
    except orjson.JSONEncodeError as exc:
        # Surface byot's own explanation from the hook rather than orjson's generic one.
        raise TypeError(str(exc.__cause__ or exc)) from exc


def _top_level(body: object) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return typing.cast("Mapping[str, Any]", body)
    problem = f"a request body must be a JSON object, not {type(body).__name__}"
    if body is None or isinstance(body, (list, str, int, float)):
        raise TypeError(problem)
    converted = _default(body)  # a typed object's fields, or a tuple or set as a list
    if not isinstance(converted, Mapping):
        raise TypeError(problem)
    return typing.cast("Mapping[str, Any]", converted)


_FIELD_READERS: dict[type[Any], Callable[[Any], Any]] = {}


def _default(obj: Any) -> Any:
    """Orjson's hook for what it cannot serialise natively: the caller's typed objects."""
    cls: Any = obj.__class__
    reader = _FIELD_READERS.get(cls)
    if reader is None:
        reader = _FIELD_READERS[cls] = _field_reader(cls)
    return reader(obj)


def _field_reader(cls: Any) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(cls):
        return _named_fields([f.name for f in dataclasses.fields(cls)])
    if hasattr(cls, "__attrs_attrs__"):
        return _named_fields([a.name for a in cls.__attrs_attrs__])
    if hasattr(cls, "__struct_fields__"):  # msgspec.Struct
        unset = sys.modules["msgspec"].UNSET
        pairs = list(zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True))
        return lambda obj: {
            key: v
            for name, key in pairs
            if (v := getattr(obj, name)) is not None and v is not unset
        }
    if hasattr(cls, "model_dump") and hasattr(cls, "model_fields"):  # pydantic v2
        return lambda obj: obj.model_dump(mode="json", by_alias=True, exclude_none=True)
    if issubclass(cls, Mapping):
        return dict
    if issubclass(cls, (tuple, set, frozenset)):
        return list
    return _unencodable


def _named_fields(names: list[str]) -> Callable[[Any], dict[str, Any]]:
    return lambda obj: {name: v for name in names if (v := getattr(obj, name)) is not None}


def _unencodable(obj: object) -> NoReturn:
    raise TypeError(
        f"byot cannot encode {type(obj).__qualname__} as JSON: pass a mapping, dataclass, "
        "TypedDict, attrs instance, pydantic model or msgspec Struct, or give encoder="
    )


# ----------------------------------------------------------------------------- numbers


# Every byte of a body mapped to its part in a number: digits to "0", "." and the exponent's
# "e" and "+" to themselves, the bytes a JSON number may follow (whitespace, `:`, `,`, `[` and
# its sign `-`) to " ", anything else to "x". Two C passes (translate, then a substring search)
# find the only numbers orjson cannot read exactly, at ~1 ns a byte; a run of digits after a
# letter (an id such as "chatcmpl-0000000000000000000000") is no number and costs nothing.
def _number_shape() -> bytes:
    table = bytearray(b"x" * 256)
    for byte in b" \t\n\r:,[-":
        table[byte] = ord(" ")
    for byte in b"0123456789":
        table[byte] = ord("0")
    for byte in b".+":
        table[byte] = byte
    for byte in b"eE":
        table[byte] = ord("e")
    return bytes(table)


_NUMBER_SHAPE: Final = _number_shape()
_WIDE_RUN = b"0" * 19  # an integer of 19+ digits may be past 64 bits (-2**63 .. 2**64 - 1)
_WIDE = b" " + _WIDE_RUN  # a run of digits that starts a number, not a fraction or exponent


def _may_be_wide(shape: bytes) -> bool:
    # Any run at all first: a search that skips 19 bytes at each miss, so most texts pay little.
    # Then backwards: that search tries the needle's first byte (" ") first, rare among the
    # digits of a body of floats, where a forward one tries its last ("0") at every digit: an
    # embedding's 46 KB take 27 us instead of 99.
    return _WIDE_RUN in shape and (shape.rfind(_WIDE) >= 0 or shape.startswith(_WIDE_RUN))


def may_hold_wide_integers(raw: bytes) -> bool:
    """Whether JSON text may hold an integer orjson cannot read exactly (past 64 bits).

    True for any run of 19 or more digits that starts the text or follows whitespace, `:`,
    `,`, `[` or `-` (where a number may start): also inside a string, which then costs only an
    exact second read.
    """
    return _may_be_wide(raw.translate(_NUMBER_SHAPE))


def loads(raw: bytes) -> Any:
    """Read JSON as byot reads every body: strictly, and with integers of any size exact.

    orjson is strict (no NaN, no Infinity, no number beyond a double's range) but reads an
    integer outside 64 bits as a float, or refuses it when it is past a double too. A body
    that may hold such an integer (a run of 19 or more digits starting a number, also inside a
    string, where it costs only the second read) is read again by the standard library with
    orjson's strictness: the integer stays exact up to Python's limit for reading integers
    (4,300 digits unless `sys.set_int_max_str_digits` says otherwise), and is an error past it.

    Raises:
        orjson.JSONDecodeError: The text is not JSON (also NaN, Infinity, 1e400), or holds an
            integer with more digits than Python reads.
    """
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        if not may_hold_wide_integers(raw):
            raise
        return exact_loads(raw)  # orjson refuses integers past a double's range
    if may_hold_wide_integers(raw):
        return exact_loads(raw)
    return value


def exact_loads(raw: bytes) -> Any:
    """Read JSON with the standard library, as strictly as orjson but integers exact.

    Raises:
        orjson.JSONDecodeError: The text is not JSON (also NaN, Infinity, 1e400), or holds an
            integer with more digits than Python reads: the one error orjson raises too.
    """
    import json  # noqa: TID251 - exact integers, only for the rare body that needs them

    try:
        return json.loads(raw, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise orjson.JSONDecodeError(exc.msg, exc.doc, exc.pos) from None
    except ValueError as exc:  # not UTF-8, or an integer past `sys.get_int_max_str_digits()`
        raise orjson.JSONDecodeError(str(exc), "", 0) from None


def _no_constant(name: str) -> NoReturn:
    raise orjson.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise orjson.JSONDecodeError(f"the number {text[:20]} is beyond a double's range", text, 0)
    return value


def may_not_be_strict(raw: bytes) -> bool:
    """Whether a body may hold what only a lenient parser (pydantic's) reads.

    That is NaN, Infinity, or a number past a double's range (a long exponent, or 19+ integer
    digits); a string holding such text answers True too, which costs only a strict read.
    """
    if b"NaN" in raw or b"Infinity" in raw:
        return True
    shape = raw.translate(_NUMBER_SHAPE)
    return b"e000" in shape or b"e+000" in shape or _may_be_wide(shape)


# ----------------------------------------------------------------------------- decoding


def decode_object(raw: bytes) -> dict[str, Any]:
    """The default decoder: the body must be a JSON object."""
    value: Any = loads(raw)
    if not _is(value, dict):
        raise DecodeError(
            f"expected a JSON object, got {_json_kind(value)}; pass decoder=orjson.loads to "
            "accept any JSON value",
            raw=raw,
            target=dict,
        )
    return typing.cast("dict[str, Any]", value)


_DECODERS: dict[object, Callable[[bytes], Any]] = {}


def decoder_for(target: object) -> Callable[[bytes], Any]:
    """The decoder for a response type, resolved once per type."""
    try:
        return _DECODERS[target]
    except KeyError:
        decoder = _DECODERS[target] = _make_decoder(target)
        return decoder
    except TypeError:  # an unhashable annotation: resolve it every time
        return _make_decoder(target)


def _make_decoder(target: Any) -> Callable[[bytes], Any]:
    if target is None or target is dict or target is Any or is_typeddict(target):
        return decode_object
    if _is_class(target) and hasattr(target, "model_validate_json"):  # pydantic v2
        validate: Callable[[bytes], Any] = target.model_validate_json

        def decode_model(raw: bytes) -> Any:
            # pydantic reads NaN, Infinity and 1e400 (as inf); every other path refuses them.
            if may_not_be_strict(raw):
                loads(raw)
            return validate(raw)

        return decode_model
    if _is_class(target) and hasattr(target, "__struct_fields__"):  # msgspec.Struct
        decode_struct: Callable[[bytes], Any] = sys.modules["msgspec"].json.Decoder(target).decode
        return decode_struct
    build = builder_for(target)
    if build is _identity:
        return loads

    def decode(raw: bytes) -> Any:
        data = loads(raw)
        try:
            return build(data)
        except _Mismatch as exc:
            raise DecodeError(
                f"cannot decode the response into {_type_name(target)}: "
                f"{exc.json_path()}: {exc.problem}",
                raw=raw,
                target=target,
                path=exc.json_path(),
            ) from None

    return decode


def converter_for(target: object) -> Callable[[Any], Any]:
    """Turn an already decoded JSON value (a list item) into `target`, as decoding does.

    The converter raises `DecodeError` naming the JSON path when the value does not fit.
    """
    if target is None:  # items stay the dicts they were decoded as
        return _identity
    build = builder_for(target)

    def convert(value: Any) -> Any:
        try:
            return build(value)
        except _Mismatch as exc:
            raise DecodeError(
                f"cannot convert an item into {_type_name(target)}: "
                f"{exc.json_path()}: {exc.problem}",
                raw=json_text(value).encode(),
                target=target,
                path=exc.json_path(),
            ) from None

    return convert


class _Mismatch(Exception):  # noqa: N818 - internal control flow, never escapes this module
    """A value does not fit its type; the path is filled in on the way out."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path: list[str | int] = []

    def json_path(self) -> str:
        return json_path(reversed(self.path))


def json_path(parts: Iterable[str | int]) -> str:
    """A JSON path such as `$.choices[0].message["odd key"]`, from keys and indexes."""
    path = ["$"]
    for part in parts:
        if isinstance(part, int):
            path.append(f"[{part}]")
        elif part.isidentifier():
            path.append(f".{part}")
        else:
            path.append(f"[{orjson.dumps(part).decode()}]")
    return "".join(path)


def _expected(what: str, value: object) -> NoReturn:
    raise _Mismatch(f"expected {what}, got {_json_kind(value)}")


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"the number {value!r}"
    kind: type[Any] = type(value)
    return _KINDS.get(kind, kind.__name__)


_KINDS: dict[type[Any], str] = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
}


def json_text(value: Any) -> str:
    """A decoded JSON value written back as compact JSON text, for a message; never raises.

    orjson reads 1,024 levels of nesting but writes only 254, and no integer beyond 64 bits:
    such a value is written by the standard library instead, and one nested deeper than
    `_SHOWN_DEPTH` (or with an integer past Python's digit limit) is described rather than
    shown. The depth is byot's own bound, so every Python version answers alike (how deep the
    standard library's encoder can go differs between them).
    """
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        pass
    import json  # noqa: TID251 - only for the rare value orjson cannot write

    try:
        if _deeper_than(value, _SHOWN_DEPTH):
            raise RecursionError
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (RecursionError, ValueError):
        return f"({_json_kind(value)} nested too deeply or too large to show)"


_SHOWN_DEPTH = 512


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests more than `limit` levels (found without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        mapping = json_object(item)
        children = json_array(item) if mapping is None else list(mapping.values())
        stack.extend((child, depth + 1) for child in children or ())
    return False


def json_object(value: Any) -> dict[str, Any] | None:
    """A decoded JSON value as an object, or None when it is something else."""
    return typing.cast("dict[str, Any]", value) if _is_instance(value, dict) else None


def json_array(value: Any) -> list[Any] | None:
    """A decoded JSON value as an array, or None when it is something else."""
    return typing.cast("list[Any]", value) if _is_instance(value, list) else None


# Called through a name so that neither checker narrows a JSON value to a half-known generic.
_is_instance = isinstance


def _is_class(tp: Any) -> bool:
    """Whether `tp` is a class, without narrowing it to a half-known one.

    Not a parametrized builtin such as `list[int]`, which passes `isinstance(tp, type)` on
    Python 3.10 and hashes its arguments (unhashable `Annotated` metadata raises).
    """
    return isinstance(tp, type) and not isinstance(tp, types.GenericAlias)


def _is(value: Any, kind: type[Any]) -> bool:
    """`type(value) is kind`, without narrowing `value` to a half-known generic."""
    return type(value) is kind


def _type_name(tp: object) -> str:
    if _is_class(tp):
        return typing.cast("type[Any]", tp).__qualname__
    return repr(tp).replace("typing.", "")


def _identity(value: Any) -> Any:
    return value


_BUILDERS: dict[object, Builder] = {}


def builder_for(tp: object) -> Builder:
    """A function that checks a decoded JSON value against `tp` and builds the instance."""
    try:
        cached = _BUILDERS.get(tp)
    except TypeError:
        return _make_builder(tp)
    if cached is not None:
        return cached
    if _is_record(tp):
        # Records may refer to themselves; register a forwarder before compiling the fields.
        slot: list[Builder] = []
        _BUILDERS[tp] = lambda value: slot[0](value)
        try:
            slot.append(_make_builder(tp))
        except BaseException:
            del _BUILDERS[tp]  # leave no half-built forwarder behind
            raise
        _BUILDERS[tp] = slot[0]
        return slot[0]
    built = _BUILDERS[tp] = _make_builder(tp)
    return built


def _is_record(tp: Any) -> bool:
    return _is_class(tp) and (dataclasses.is_dataclass(tp) or hasattr(tp, "__attrs_attrs__"))


def _make_builder(tp: Any) -> Builder:
    if tp is Any or tp is object:
        return _identity
    if tp is _NONE_TYPE or tp is None:
        return _build_none
    if _is_class(tp) and tp in _SCALARS:
        return _SCALARS[tp]
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is typing.Annotated:
        return builder_for(args[0])
    if origin is Union or origin is types.UnionType:
        return _union_builder(args)
    if origin is Literal:
        return _literal_builder(args)
    if origin in (list, Sequence, MutableSequence, Iterable) or tp in (list, Sequence):
        return _list_builder(builder_for(args[0]) if args else _identity, list)
    if origin is tuple or tp is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _list_builder(builder_for(args[0]), tuple)
        return (
            _tuple_builder([builder_for(a) for a in args])
            if args
            else _list_builder(_identity, tuple)
        )
    if origin in (dict, Mapping, MutableMapping) or tp in (dict, Mapping):
        return _dict_builder(builder_for(args[1]) if len(args) == 2 else _identity)
    if is_typeddict(tp):
        return _dict_builder(_identity)
    supertype = getattr(tp, "__supertype__", None)  # typing.NewType
    if supertype is not None:
        return builder_for(supertype)
    if isinstance(tp, type):
        return _class_builder(tp)
    return _identity


def _class_builder(tp: Any) -> Builder:
    if dataclasses.is_dataclass(tp):
        return _record_builder(tp, _dataclass_fields(tp))
    if hasattr(tp, "__attrs_attrs__"):
        return _record_builder(tp, _attrs_fields(tp))
    if hasattr(tp, "model_validate"):  # a pydantic model nested in a dataclass

        def build_model(value: Any) -> Any:
            try:
                return tp.model_validate(value)
            except ValueError as exc:
                raise _Mismatch(str(exc).replace("\n", " ")) from None

        return build_model
    if hasattr(tp, "__struct_fields__"):  # a msgspec Struct nested in a dataclass
        convert = sys.modules["msgspec"].convert

        def build_struct(value: Any) -> Any:
            try:
                return convert(value, tp)
            except ValueError as exc:
                raise _Mismatch(str(exc)) from None

        return build_struct
    if issubclass(tp, enum.Enum):
        return _enum_builder(tp)
    return lambda value: value if isinstance(value, tp) else _expected(tp.__qualname__, value)


def _build_none(value: Any) -> None:
    if value is not None:
        _expected("null", value)


def _build_str(value: Any) -> str:
    if type(value) is str:
        return value
    return _expected("a string", value)


def _build_int(value: Any) -> int:
    if type(value) is int:
        return value
    return _expected("an integer", value)


def _build_float(value: Any) -> float:
    if _is(value, float):
        return typing.cast("float", value)
    if _is(value, int):
        try:
            return float(value)
        except OverflowError:
            raise _Mismatch("expected a number a float can hold, got a larger integer") from None
    return _expected("a number", value)


def _build_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    return _expected("a boolean", value)


_SCALARS: dict[object, Builder] = {
    str: _build_str,
    int: _build_int,
    float: _build_float,
    bool: _build_bool,
}


def _union_builder(members: tuple[Any, ...]) -> Builder:
    others = [m for m in members if m is not _NONE_TYPE and m is not None]
    nullable = len(others) < len(members)
    builders = [builder_for(m) for m in others]
    if len(builders) == 1:
        only = builders[0]
        return lambda value: None if value is None else only(value)

    def build(value: Any) -> Any:
        if value is None and nullable:
            return None
        problems: list[str] = []
        for member in builders:
            try:
                return member(value)
            except _Mismatch as exc:
                problems.append(exc.problem)
        raise _Mismatch(f"no member of the union fits ({'; '.join(problems)})")

    return build


def _literal_builder(values: tuple[Any, ...]) -> Builder:
    allowed: set[tuple[type[Any], Any]] = {(type(v), v) for v in values}

    def build(value: Any) -> Any:
        try:
            ok = (type(value), value) in allowed
        except TypeError:  # an array or object is never a literal
            ok = False
        if ok:
            return value
        options = ", ".join(repr(v) for v in values)
        raise _Mismatch(f"expected one of {options}, got {value!r}")

    return build


def _enum_builder(tp: type[enum.Enum]) -> Builder:
    def build(value: Any) -> Any:
        try:
            return tp(value)
        except ValueError:
            options = ", ".join(repr(m.value) for m in tp)
            raise _Mismatch(f"expected one of {options}, got {value!r}") from None

    return build


def _list_builder(item: Builder, into: Callable[[Any], Any]) -> Builder:
    if item is _identity:
        return lambda value: into(value) if _is(value, list) else _expected("an array", value)

    def build(value: Any) -> Any:
        if not _is(value, list):
            _expected("an array", value)
        out: list[Any] = []
        for index, element in enumerate(value):
            try:
                out.append(item(element))
            except _Mismatch as exc:
                exc.path.append(index)
                raise
        return into(out)

    return build


def _tuple_builder(items: list[Builder]) -> Builder:
    def build(value: Any) -> Any:
        if not _is(value, list) or len(value) != len(items):
            _expected(f"an array of {len(items)}", value)
        out: list[Any] = []
        for index, (item, element) in enumerate(zip(items, value, strict=True)):
            try:
                out.append(item(element))
            except _Mismatch as exc:
                exc.path.append(index)
                raise
        return tuple(out)

    return build


def _dict_builder(item: Builder) -> Builder:
    if item is _identity:
        return lambda value: value if _is(value, dict) else _expected("an object", value)

    def build(value: Any) -> Any:
        if not _is(value, dict):
            _expected("an object", value)
        out: dict[str, Any] = {}
        for key, element in value.items():
            try:
                out[key] = item(element)
            except _Mismatch as exc:
                exc.path.append(key)
                raise
        return out

    return build


class _Field(NamedTuple):
    key: str  # the JSON key
    keyword: str  # the constructor's keyword for it
    build: Builder
    has_default: bool
    optional: bool  # the annotation admits None

    @staticmethod
    def of(key: str, keyword: str, annotation: object, has_default: bool) -> _Field:
        return _Field(key, keyword, builder_for(annotation), has_default, _admits_none(annotation))


def _admits_none(tp: object) -> bool:
    if tp is Any or tp is object or tp is None or tp is _NONE_TYPE:
        return True
    origin = get_origin(tp)
    if origin is typing.Annotated:
        return _admits_none(get_args(tp)[0])
    return (origin is Union or origin is types.UnionType) and any(
        _admits_none(m) for m in get_args(tp)
    )


def _dataclass_fields(tp: Any) -> list[_Field]:
    hints = get_type_hints(tp)
    return [
        _Field.of(
            f.name,
            f.name,
            hints.get(f.name, Any),
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING,
        )
        for f in dataclasses.fields(tp)
        if f.init
    ]


def _attrs_fields(tp: Any) -> list[_Field]:
    nothing = sys.modules["attr"].NOTHING
    hints = get_type_hints(tp)
    return [
        _Field.of(
            a.name,
            a.alias or a.name.lstrip("_"),
            hints.get(a.name, a.type if a.type is not None else Any),
            a.default is not nothing,
        )
        for a in tp.__attrs_attrs__
        if a.init
    ]


def _record_builder(tp: Any, fields: list[_Field]) -> Builder:
    checks = [(f.key, f.keyword, f.build) for f in fields]
    # A missing field takes its default; with none, an optional type means None (as serde
    # does for `Option<T>`), anything else is an error.
    required = [f.key for f in fields if not f.has_default and not f.optional]
    fill_none = [(f.key, f.keyword) for f in fields if not f.has_default and f.optional]

    def build(value: Any) -> Any:
        if not _is(value, dict):
            _expected(f"an object for {tp.__qualname__}", value)
        kwargs: dict[str, Any] = {}
        for key, keyword, member in checks:
            if key in value:
                try:
                    kwargs[keyword] = member(value[key])
                except _Mismatch as exc:
                    exc.path.append(key)
                    raise
        if len(kwargs) < len(checks):
            for key in required:
                if key not in value:
                    raise _Mismatch(f"missing required field {key!r} of {tp.__qualname__}")
            for key, keyword in fill_none:
                if key not in value:
                    kwargs[keyword] = None
        return tp(**kwargs)

    return build
