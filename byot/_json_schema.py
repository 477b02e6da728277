"""JSON Schemas from the caller's types, in the subset OpenAI's strict mode accepts.

`json_schema(T)` turns a dataclass, TypedDict, attrs class, pydantic model or msgspec Struct, and
the plain types inside them, into a Draft 2020-12 schema. Our own generator handles dataclasses,
TypedDicts, attrs classes and plain types; pydantic and msgspec describe their own types (their
validators are what decodes them, so their schemas are the truth), and one transform then brings
any of these schemas into the strict subset (OpenAI's "Structured Outputs: supported schemas"):

* every object lists all its properties in `required` and has `additionalProperties: false`; a
  field with a default or `NotRequired` keeps its type and so must be filled in (type it
  `X | None` to let the model leave it empty);
* keywords strict mode does not support but that only narrow a value (`minLength`, `maxLength`,
  `uniqueItems`, `examples`, other string formats) move into the description, where the model
  reads them, and are still checked when the output is decoded; `default` is dropped (every
  field is required, so a default never applies);
* what strict mode cannot express at all (free-form keys, `Any`, fixed-length tuples, `allOf`,
  `not`, conditionals) raises `SchemaGenerationError` naming the field, the reason and what to
  do instead.

Named classes go under `$defs` and are referred to by `$ref` (recursion included); the root
type sits at the root and refers to itself as `#`. The result is cached per type. Nothing from
pydantic, msgspec or attrs is imported unless the type is theirs (then it already is).
"""

from __future__ import annotations

import copy
import dataclasses
import enum
import inspect
import re
import sys
import types
import typing
from collections.abc import Iterable, Mapping, MutableMapping, MutableSequence, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Literal, Union, get_args, get_origin

from byot._codec import get_type_hints, is_typeddict
from byot.errors import SchemaGenerationError

__all__ = ["json_schema"]

Schema = dict[str, Any]

_NONE_TYPE = type(None)

# Keywords strict mode accepts (types: string, number, integer, boolean, object, array, null,
# enum/const and anyOf; definitions and references; the listed constraints).
STRICT_KEYWORDS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "anyOf", "enum",
        "const", "$ref", "$defs", "description", "title", "pattern", "format", "multipleOf",
        "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "minItems", "maxItems",
    }
)  # fmt: skip
STRICT_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
# Keywords that only narrow a value: told to the model in the description, checked on decoding.
_NOTED = ("minLength", "maxLength", "uniqueItems", "minProperties", "maxProperties", "examples")
# Keywords with no bearing on what the model writes.
_DROPPED = frozenset(
    {"default", "$schema", "$id", "$comment", "readOnly", "writeOnly", "deprecated",
     "discriminator", "contentEncoding", "contentMediaType"}
)  # fmt: skip

# OpenAI's documented size limits for one strict schema.
MAX_PROPERTIES = 5000
MAX_NESTING = 10
MAX_ENUM_VALUES = 1000
MAX_STRING_CHARS = 120_000
LARGE_ENUM = 250
LARGE_ENUM_CHARS = 15_000


class Generated(typing.NamedTuple):
    """A type's schema, and whether decoding the type alone fully checks a value against it."""

    schema: Schema
    # False when the type holds a TypedDict (decoded as a plain dict) or a constraint from
    # `Annotated` that byot's own decoder does not enforce: then a value must also be validated
    # against the (faithful) schema.
    decoder_checks: bool


_CACHE: dict[tuple[object, bool], Generated] = {}


def json_schema(tp: object, *, strict: bool = True) -> dict[str, Any]:
    """The JSON Schema of a type, by default in the subset OpenAI's strict mode accepts.

    ```python
    from dataclasses import dataclass

    import byot


    @dataclass
    class Point:
        x: float
        y: float
        label: str | None = None


    schema = byot.json_schema(Point)
    assert schema["required"] == ["x", "y", "label"]
    assert schema["additionalProperties"] is False
    ```

    Args:
        tp: A dataclass, TypedDict, attrs class, pydantic model, msgspec Struct, or a plain
            type (`str`, `int`, `float`, `bool`, `None`, `Literal`, an `Enum`, unions,
            `list`/`tuple`/`set`, `dict[str, V]`), nested as deep as you like. `Annotated`
            metadata adds descriptions (a plain string, or anything with `.description`) and
            constraints (`annotated_types`, `msgspec.Meta`, pydantic's `Field`).
        strict: Produce what OpenAI's strict mode accepts (see the module docs); False gives
            the faithful schema of what byot decodes into `tp`.

    Returns:
        A fresh dict each call (the work is done once per type and cached).

    Raises:
        SchemaGenerationError: A field's type has no JSON Schema, or (strict) one strict mode
            cannot express; the message names the field and says what to use instead.
    """
    return copy.deepcopy(cached_schema(tp, strict=strict))


def cached_schema(tp: object, *, strict: bool) -> Schema:
    """`json_schema`, shared rather than copied: callers must not modify it."""
    return generated(tp, strict=strict).schema


def generated(tp: object, *, strict: bool) -> Generated:
    """The schema of a type and what its decoder checks, made once per type."""
    key = (tp, strict)
    try:
        return _CACHE[key]
    except KeyError:
        made = _CACHE[key] = _generate(tp, strict=strict)
        return made
    except TypeError:  # unhashable Annotated metadata (Python 3.10): no cache for this one
        return _generate(tp, strict=strict)


def _generate(tp: object, *, strict: bool) -> Generated:
    generator = _Generator(tp)
    schema = generator.root_schema()
    if strict:
        schema = StrictTransform(generator.name, schema).apply()
        check_limits(generator.name, schema)
    return Generated(schema, decoder_checks=not generator.unchecked)


# ----------------------------------------------------------------------------- generation


class _Generator:
    """Builds the (non-strict) schema of one root type, collecting named classes in `$defs`."""

    def __init__(self, root: object) -> None:
        self.root = root
        self.name = type_name(root)
        self.defs: dict[str, Schema] = {}
        self.refs: dict[object, str] = {}  # class -> its $ref
        self.unchecked = False  # see `Generated.decoder_checks`

    def root_schema(self) -> Schema:
        if _is_named(self.root):
            self.refs[self.root] = "#"
            schema = self.class_schema(self.root, self.name)
        else:
            schema = self.schema(self.root, self.name)
        if self.defs:
            schema["$defs"] = dict(sorted(self.defs.items()))
        return schema

    def fail(self, where: str, reason: str, hint: str) -> typing.NoReturn:
        raise SchemaGenerationError(target=self.root, field=where, reason=reason, hint=hint)

    def schema(self, tp: Any, where: str) -> Schema:
        if tp is _NONE_TYPE or tp is None:
            return {"type": "null"}
        if tp is Any or tp is object:
            return {}
        if _is_instance(tp, type) and tp in _SCALARS:
            return {"type": _SCALARS[tp]}
        origin = get_origin(tp)
        args = get_args(tp)
        if origin is typing.Annotated:
            return self.annotated(args[0], args[1:], where)
        if _is_wrapper(origin):  # Required / NotRequired / ReadOnly outside a TypedDict
            return self.schema(args[0], where)
        if origin is Union or origin is types.UnionType:
            return _union([self.schema(member, where) for member in args])
        if origin is Literal:
            return _enum(list(args))
        if origin in _ARRAYS or tp in _ARRAYS:
            return (
                {"type": "array", "items": self.schema(args[0], f"{where}[]")}
                if args
                else {"type": "array"}
            )
        if origin in _SETS or tp in _SETS:
            items = self.schema(args[0], f"{where}[]") if args else {}
            return {"type": "array", "items": items, "uniqueItems": True}
        if tp is tuple:
            return {"type": "array"}
        if origin is tuple:
            return self.fixed(args, where)
        if origin in _MAPPINGS or tp in _MAPPINGS:
            return self.mapping(args, where)
        supertype = getattr(tp, "__supertype__", None)  # typing.NewType
        if supertype is not None:
            return self.schema(supertype, where)
        if _is_enum(tp):
            return _enum([member.value for member in tp], description=_own_doc(tp))
        if _is_named(tp):
            return self.ref(tp)
        return self.fail(
            where,
            f"{type_name(tp)} has no JSON Schema",
            "use str, int, float, bool, None, Literal, an Enum, list, dict[str, V] or a "
            "dataclass, TypedDict, attrs class, pydantic model or msgspec Struct",
        )

    def annotated(self, tp: Any, metadata: tuple[Any, ...], where: str) -> Schema:
        schema = self.schema(tp, where)
        constraints: Schema = {}
        for item in metadata:
            _read_metadata(item, constraints)
        if set(constraints) - {"description", "title"}:
            self.unchecked = True
        if "anyOf" in schema:  # constraints of a union apply to its members, null aside
            return _constrain_members(schema, constraints)
        # Beside a reference, the strict transform later inlines the definition under them.
        return {**schema, **_length_keywords(schema, constraints)}

    def fixed(self, args: tuple[Any, ...], where: str) -> Schema:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": self.schema(args[0], f"{where}[]")}
        if not args or args == ((),):  # tuple[()], spelt either way by Python versions
            return {"type": "array", "maxItems": 0}
        items = [self.schema(arg, f"{where}[{index}]") for index, arg in enumerate(args)]
        return {
            "type": "array",
            "prefixItems": items,
            "items": False,
            "minItems": len(items),
            "maxItems": len(items),
        }

    def mapping(self, args: tuple[Any, ...], where: str) -> Schema:
        if not args:
            return {"type": "object"}
        key, value = args
        if key is not str and get_origin(key) is not Literal and key is not Any:
            self.fail(
                where,
                f"a JSON object's keys are strings, not {type_name(key)}",
                "use dict[str, V]",
            )
        return {"type": "object", "additionalProperties": self.schema(value, f"{where}{{}}")}

    def ref(self, tp: Any) -> Schema:
        known = self.refs.get(tp)
        if known is not None:
            return {"$ref": known}
        name = _unique(type_name(tp), self.defs)
        ref = self.refs[tp] = f"#/$defs/{name}"
        self.defs[name] = {}  # reserved: recursion refers to it while it is being built
        self.defs[name] = self.class_schema(tp, name)
        return {"$ref": ref}

    def class_schema(self, tp: Any, where: str) -> Schema:
        if hasattr(tp, "model_json_schema"):  # pydantic v2
            return self.foreign(tp.model_json_schema(), tp)
        if hasattr(tp, "__struct_fields__"):  # msgspec.Struct
            return self.foreign(_msgspec_schema(tp), tp)
        return self.fields_schema(tp, where)

    def fields_schema(self, tp: Any, where: str) -> Schema:
        try:
            hints = get_type_hints(tp)
        except NameError as exc:
            self.fail(
                where,
                f"an annotation cannot be resolved ({exc})",
                "define the types it names at module level, or import them there",
            )
        docs = _attribute_docs(tp)
        properties: Schema = {}
        required: list[str] = []
        for field in _fields(tp, hints):
            schema = self.schema(field.annotation, f"{where}.{field.name}")
            description = field.description or docs.get(field.name)
            if description and "description" not in schema:
                schema = _describe(schema, description)
            properties[field.name] = schema
            if field.required:
                required.append(field.name)
        schema = {"type": "object", "title": tp.__name__, "properties": properties}
        if required:
            schema["required"] = required
        if is_typeddict(tp):  # a TypedDict names all its keys; a class ignores unknown keys
            schema["additionalProperties"] = False
            self.unchecked = True
        description = _own_doc(tp)
        if description:
            schema["description"] = description
        return schema

    def foreign(self, schema: Schema, tp: Any) -> Schema:
        """A pydantic or msgspec schema: its definitions join ours, renamed if they clash."""
        own = schema.pop("$defs", {})
        renames: dict[str, str] = {}
        for name in own:
            renames[f"#/$defs/{name}"] = f"#/$defs/{_unique(name, self.defs)}"
            self.defs[renames[f"#/$defs/{name}"].removeprefix("#/$defs/")] = {}
        self_ref = self.refs[tp]
        for name, definition in own.items():
            target = renames[f"#/$defs/{name}"].removeprefix("#/$defs/")
            self.defs[target] = _rename_refs(definition, renames)
        schema = _rename_refs(schema, renames)
        if "$ref" in schema:  # msgspec (and pydantic for recursive models) point at a def
            target = schema["$ref"].removeprefix("#/$defs/")
            schema = self.defs.pop(target)
            schema = _rename_refs(schema, {f"#/$defs/{target}": self_ref})
            for name, definition in list(self.defs.items()):
                self.defs[name] = _rename_refs(definition, {f"#/$defs/{target}": self_ref})
        return schema


class _Field(typing.NamedTuple):
    name: str
    annotation: Any
    required: bool
    description: str | None


def _fields(tp: Any, hints: dict[str, Any]) -> list[_Field]:
    if is_typeddict(tp):
        required_keys: frozenset[str] = tp.__required_keys__
        return [
            _Field(name, hint, _key_required(hint, name in required_keys), None)
            for name, hint in hints.items()
        ]
    if dataclasses.is_dataclass(tp):
        return [
            _Field(
                f.name,
                hints.get(f.name, Any),
                f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING
                and not _admits_none(hints.get(f.name, Any)),
                f.metadata.get("description"),
            )
            for f in dataclasses.fields(tp)
            if f.init
        ]
    nothing = sys.modules["attr"].NOTHING
    return [
        _Field(
            a.name,
            hints.get(a.name, a.type if a.type is not None else Any),
            a.default is nothing and not _admits_none(hints.get(a.name, a.type)),
            a.metadata.get("description"),
        )
        for a in tp.__attrs_attrs__
        if a.init
    ]


def _key_required(hint: object, default: bool) -> bool:
    """Whether a TypedDict key is required, read from its annotation first.

    `__required_keys__` misses `Required[...]`/`NotRequired[...]` written as strings (under
    `from __future__ import annotations`); the resolved hint still carries them.
    """
    while True:
        origin = get_origin(hint)
        if not (_is_wrapper(origin) or origin is typing.Annotated):
            return default
        name: str | None = getattr(origin, "_name", None)
        if name in ("Required", "NotRequired"):
            return name == "Required"
        hint = get_args(hint)[0]


def _msgspec_schema(tp: Any) -> Schema:
    import msgspec.json  # the type is a Struct: msgspec is loaded

    (schema,), components = msgspec.json.schema_components((tp,), ref_template="#/$defs/{name}")
    return {**schema, "$defs": components} if components else dict(schema)


def _rename_refs(schema: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(schema, dict):
        out: Schema = {
            key: _rename_refs(value, renames)
            for key, value in typing.cast("Schema", schema).items()
        }
        ref = out.get("$ref")
        if isinstance(ref, str) and ref in renames:
            out["$ref"] = renames[ref]
        return out
    if _is_instance(schema, list):
        return [_rename_refs(item, renames) for item in schema]
    return schema


_SCALARS: dict[object, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}
_ARRAYS = (list, Sequence, MutableSequence, Iterable)
_SETS = (set, frozenset, AbstractSet)
_MAPPINGS = (dict, Mapping, MutableMapping)
_WRAPPER_NAMES = frozenset({"Required", "NotRequired", "ReadOnly"})


def _is_wrapper(origin: object) -> bool:
    """`Required[X]`, `NotRequired[X]`, `ReadOnly[X]` from typing or typing_extensions."""
    return getattr(origin, "_name", None) in _WRAPPER_NAMES


def _is_enum(tp: Any) -> bool:
    return _is_instance(tp, type) and issubclass(tp, enum.Enum)


def _is_instance(value: Any, kind: type[Any]) -> bool:
    """`isinstance`, without narrowing a JSON value to a half-known generic for the checkers."""
    return isinstance(value, kind)


def _is_named(tp: Any) -> bool:
    return _is_instance(tp, type) and (
        dataclasses.is_dataclass(tp)
        or is_typeddict(tp)
        or hasattr(tp, "__attrs_attrs__")
        or hasattr(tp, "model_json_schema")
        or hasattr(tp, "__struct_fields__")
    )


def _admits_none(tp: object) -> bool:
    if tp is Any or tp is object or tp is None or tp is _NONE_TYPE:
        return True
    origin = get_origin(tp)
    if origin is typing.Annotated:
        return _admits_none(get_args(tp)[0])
    return (origin is Union or origin is types.UnionType) and any(
        _admits_none(m) for m in get_args(tp)
    )


def type_name(tp: object) -> str:
    """A type as written in code, without module paths: `list[City]`, `int | None`."""
    if isinstance(tp, type) and get_origin(tp) is None:  # `list[int]` is a type on 3.10
        return tp.__name__
    return _QUALIFIED.sub(r"\1", repr(tp))


_QUALIFIED = re.compile(r"\b(?:\w+\.)+(\w+)")


def _unique(name: str, taken: Mapping[str, object]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}{number}", number + 1
    return candidate


def _json_type(value: object) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _enum(values: list[Any], description: str | None = None) -> Schema:
    kinds = list(dict.fromkeys(_json_type(value) for value in values))
    schema: Schema = {}
    if None not in kinds:  # every value is a JSON scalar
        schema["type"] = kinds[0] if len(kinds) == 1 else kinds
    schema["enum"] = values
    if description:
        schema["description"] = description
    return schema


def _union(members: list[Schema]) -> Schema:
    flat: list[Schema] = []
    for member in members:
        for part in member.get("anyOf", [member]) if set(member) == {"anyOf"} else [member]:
            if part not in flat:
                flat.append(part)
    if len(flat) == 1:
        return flat[0]
    if all(set(part) == {"type"} and isinstance(part["type"], str) for part in flat):
        return {"type": [part["type"] for part in flat]}
    return {"anyOf": flat}


def _describe(schema: Schema, description: str) -> Schema:
    return {**schema, "description": description}


_CONSTRAINTS = {
    "gt": "exclusiveMinimum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "le": "maximum",
    "multiple_of": "multipleOf",
    "pattern": "pattern",
    "min_length": "minLength",
    "max_length": "maxLength",
    "description": "description",
    "title": "title",
}


def _read_metadata(item: object, into: Schema) -> None:
    """Constraints and descriptions from one piece of `Annotated` metadata, by duck typing.

    Covers a plain string (a description), annotated_types' `Gt`/`Ge`/`Lt`/`Le`/`Interval`/
    `MultipleOf`/`MinLen`/`MaxLen`/`Len`, `msgspec.Meta`, and pydantic's `FieldInfo` (whose own
    `metadata` holds annotated_types objects).
    """
    if isinstance(item, str):
        into["description"] = item
        return
    for attribute, keyword in _CONSTRAINTS.items():
        value = getattr(item, attribute, None)
        if value is not None and not callable(value):
            if isinstance(value, re.Pattern):
                value = typing.cast("re.Pattern[str]", value).pattern
            into[keyword] = value
    for nested in getattr(item, "metadata", None) or ():
        _read_metadata(nested, into)


def _length_keywords(schema: Schema, constraints: Schema) -> Schema:
    """`min_length`/`max_length` count characters of a string but items of an array."""
    if schema.get("type") not in ("array", "object"):
        return constraints
    renamed = {"minLength": "minItems", "maxLength": "maxItems"}
    if schema.get("type") == "object":
        renamed = {"minLength": "minProperties", "maxLength": "maxProperties"}
    return {renamed.get(key, key): value for key, value in constraints.items()}


def _constrain_members(schema: Schema, constraints: Schema) -> Schema:
    described = {k: v for k, v in constraints.items() if k in ("description", "title")}
    narrowing = {k: v for k, v in constraints.items() if k not in described}
    members = [
        m if m.get("type") == "null" else {**m, **_length_keywords(m, narrowing)}
        for m in schema["anyOf"]
    ]
    return {**schema, "anyOf": members, **described}


def _own_doc(tp: type[Any]) -> str | None:
    """A class's own docstring, not an inherited or generated one, without its sections."""
    doc = tp.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return None
    if dataclasses.is_dataclass(tp) and doc.startswith(f"{tp.__name__}("):
        return None  # the signature dataclasses writes when there is no docstring
    if issubclass(tp, enum.Enum) and doc == "An enumeration.":
        return None  # what Python 3.10's Enum writes when there is no docstring
    text = inspect.cleandoc(doc)
    return _SECTION.split(text, maxsplit=1)[0].strip() or None


_SECTION = re.compile(r"^(?:Attributes|Args|Arguments|Fields|Parameters):\s*$", re.MULTILINE)
_ENTRY = re.compile(r"^(\*{0,2}\w+)\s*(?:\([^)]*\))?:\s*(.*)$")


def _attribute_docs(tp: type[Any]) -> dict[str, str]:
    """Per-field descriptions from a Google-style `Attributes:` section of the class docstring."""
    doc = tp.__dict__.get("__doc__")
    if not isinstance(doc, str):
        return {}
    docs: dict[str, str] = {}
    lines = inspect.cleandoc(doc).splitlines()
    current: str | None = None
    inside = False
    indent = 0
    for line in lines:
        if _SECTION.match(line):
            inside, current = True, None
            continue
        if not inside or not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if depth == 0:  # the section ended
            inside = False
            continue
        entry = _ENTRY.match(line.strip())
        if entry and (current is None or depth <= indent):
            name: str = entry.group(1)
            current, indent = name, depth
            docs[name] = entry.group(2).strip()
        elif current is not None:
            docs[current] = f"{docs[current]} {line.strip()}".strip()
    return docs


# ----------------------------------------------------------------------------- strict transform


class StrictTransform:
    """Brings a schema into the strict subset, or says which field cannot be expressed."""

    def __init__(self, root_name: str, root: Schema) -> None:
        self.root_name = root_name
        self.root = root
        self.defs: Schema = root.get("$defs", {})

    def fail(self, where: str, reason: str, hint: str) -> typing.NoReturn:
        raise SchemaGenerationError(
            target=self.root_name, field=where, reason=reason, hint=hint, strict=True
        )

    def apply(self) -> Schema:
        defs = {name: self.node(d, name) for name, d in self.defs.items()}
        root = self.node({k: v for k, v in self.root.items() if k != "$defs"}, self.root_name)
        # Definitions inlined under a sibling keyword may no longer be referred to at all.
        used = _refs_in(root, defs)
        if used:
            root["$defs"] = {name: defs[name] for name in defs if name in used}
        return root

    def node(self, schema: Schema, where: str) -> Schema:
        if "$ref" in schema and len(schema) > 1:
            schema = self.merge_ref(schema, where)
        if not schema:
            self.fail(
                where,
                "any JSON value is allowed here, which strict mode cannot express",
                "give the field a concrete type (a class, a union of types, or list[X])",
            )
        if "allOf" in schema:
            schema = self.merge_all_of(schema, where)
        out: Schema = {}
        notes: list[str] = []
        for key, value in schema.items():
            if key in _DROPPED:
                continue
            if key in ("anyOf", "oneOf"):
                out["anyOf"] = [self.node(member, where) for member in value]
            elif key == "properties":
                out["properties"] = {
                    name: self.node(sub, f"{where}.{name}") for name, sub in value.items()
                }
            elif key == "items":
                if value is False:  # no items at all (prefixItems, if any, fails above)
                    out["maxItems"] = 0
                else:
                    out["items"] = self.node(value, f"{where}[]")
            elif key == "additionalProperties":
                if value is not False:
                    self.fail(
                        where,
                        "an object with free-form keys (dict[str, V], a mapping, extra fields "
                        "allowed), which strict mode cannot express: additionalProperties "
                        "must be false",
                        "use a class with named fields, or a list of objects with a key "
                        "field and a value field, or strict=False",
                    )
            elif key == "format" and value not in STRICT_FORMATS:
                notes.append(f"format: {value}")
            elif key in _NOTED:
                notes.append(f"{key}: {_plain(value)}")
            elif key in STRICT_KEYWORDS:
                out[key] = value
            else:
                self.fail(where, _UNSUPPORTED.get(key, f"the keyword {key!r}"), _HINTS.get(key, ""))
        if "properties" in out or out.get("type") == "object":
            self.close_object(out, where)
        if out.get("type") == "array" and "items" not in out and out.get("maxItems") != 0:
            self.fail(
                where,
                "an array whose items may be anything, which strict mode cannot express",
                "name the item type, for example list[str]",
            )
        if notes:
            text = "; ".join(notes)
            out["description"] = (
                f"{out['description']} ({text})" if out.get("description") else text
            )
        return out

    def close_object(self, out: Schema, where: str) -> None:
        properties = out.get("properties")
        if not properties:
            self.fail(
                where,
                "an object without named properties (a bare dict or Mapping), which strict "
                "mode cannot express",
                "use a class with named fields, or strict=False",
            )
        out["required"] = list(properties)
        out["additionalProperties"] = False

    def merge_ref(self, schema: Schema, where: str) -> Schema:
        """Strict mode takes no keywords beside `$ref`: inline the definition under them."""
        ref = schema["$ref"]
        target = self.root if ref == "#" else self.defs.get(ref.removeprefix("#/$defs/"))
        if target is None:
            self.fail(where, f"the reference {ref} points nowhere", "")
        base = {k: v for k, v in target.items() if k != "$defs"}
        return {**base, **{k: v for k, v in schema.items() if k != "$ref"}}

    def merge_all_of(self, schema: Schema, where: str) -> Schema:
        parts = schema["allOf"]
        if len(parts) != 1:
            self.fail(
                where,
                "allOf (a type that must match several schemas at once) is not supported",
                "combine the fields into one class (inheritance works)",
            )
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        only = parts[0]
        if "$ref" in only:
            return self.merge_ref({**only, **rest}, where) if rest else only
        return {**only, **rest}


_UNSUPPORTED = {
    "prefixItems": "a fixed-length tuple, which strict mode cannot express",
    "not": "'not' is not supported",
    "if": "conditional schemas (if/then/else) are not supported",
    "then": "conditional schemas (if/then/else) are not supported",
    "else": "conditional schemas (if/then/else) are not supported",
    "patternProperties": "keys matched by pattern (patternProperties) are not supported",
    "propertyNames": "constrained keys (propertyNames) are not supported",
    "dependentRequired": "dependentRequired is not supported",
    "dependentSchemas": "dependentSchemas is not supported",
}
_HINTS = {
    "prefixItems": "use a class with one named field per position, or list[X]",
    "not": "describe what is allowed rather than what is not",
    "if": "use a union of classes (anyOf) instead",
    "then": "use a union of classes (anyOf) instead",
    "else": "use a union of classes (anyOf) instead",
    "patternProperties": "use a class with named fields",
    "propertyNames": "use a class with named fields",
}


def _refs_in(root: Schema, defs: Schema) -> set[str]:
    """The names of the definitions reachable from the root."""
    seen: set[str] = set()
    pending: list[Any] = [root]
    while pending:
        node = pending.pop()
        if _is_instance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref.removeprefix("#/$defs/")
                if name not in seen:
                    seen.add(name)
                    pending.append(defs[name])
            pending.extend(node.values())
        elif _is_instance(node, list):
            pending.extend(node)
    return seen


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_limits(root_name: str, schema: Schema) -> None:
    """OpenAI's documented size limits: properties, nesting, enum values, total name length."""
    counts = {"properties": 0, "enum": 0, "chars": 0, "depth": 0}

    def fail(reason: str) -> typing.NoReturn:
        raise SchemaGenerationError(
            target=root_name,
            field=root_name,
            reason=reason,
            hint="split the output into smaller parts, or shorten names and enumerations",
            strict=True,
        )

    def walk(node: Schema, depth: int) -> None:
        properties: Schema = node.get("properties", {})
        if properties:
            counts["depth"] = max(counts["depth"], depth + 1)
            counts["properties"] += len(properties)
            counts["chars"] += sum(len(name) for name in properties)
            for sub in properties.values():
                walk(sub, depth + 1)
        values: list[Any] = node.get("enum", [])
        strings = [v for v in values if isinstance(v, str)]
        counts["enum"] += len(values)
        counts["chars"] += sum(len(v) for v in strings)
        if len(strings) > LARGE_ENUM and sum(len(v) for v in strings) > LARGE_ENUM_CHARS:
            fail(
                f"an enumeration of {len(strings)} strings totals more than "
                f"{LARGE_ENUM_CHARS} characters"
            )
        const = node.get("const")
        if isinstance(const, str):
            counts["chars"] += len(const)
        if "items" in node:
            walk(node["items"], depth)
        for member in node.get("anyOf", ()):
            walk(member, depth)
        defs: Schema = node.get("$defs", {})
        counts["chars"] += sum(len(name) for name in defs)
        for sub in defs.values():
            walk(sub, 0)

    walk(schema, 0)
    if counts["properties"] > MAX_PROPERTIES:
        fail(f"{counts['properties']} properties in all, more than {MAX_PROPERTIES}")
    if counts["depth"] > MAX_NESTING:
        fail(f"objects nested {counts['depth']} deep, more than {MAX_NESTING}")
    if counts["enum"] > MAX_ENUM_VALUES:
        fail(f"{counts['enum']} enumeration values in all, more than {MAX_ENUM_VALUES}")
    if counts["chars"] > MAX_STRING_CHARS:
        fail(
            f"names and enumeration values total {counts['chars']} characters, more than "
            f"{MAX_STRING_CHARS}"
        )
