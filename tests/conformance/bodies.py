"""What the conformance suite sends: one `Call` per operation of the API.

A JSON body is the spec's own documented request (the `-d '...'` of an `x-oaiMeta` curl
example) when one parses and is valid, else the smallest instance of the request schema this
module can build: required properties only, the first branch of a union that works, the first
enum value. Multipart forms come from the same builder, with a small file for every binary
field. Every body is checked against the Draft 2020-12 bundle
(schemas/openai/openai.schema.json)
before it is used, so when steady rejects a request the body is known to be valid and the fault
lies in how byot encoded it, or in steady.

`call_for(operation_id, extras=[...])` also sends some optional query parameters or form fields,
with values that show their encoding: booleans, fractions, arrays of two items and objects with
every key. Those are where byot's `true`, `name[]=a` and `name[key]=v` spellings meet the
server's expectations.
"""

from __future__ import annotations

import functools
import json  # noqa: TID251 -- lenient parsing of the spec's examples; byot's codec is not the subject
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from jsonschema import Draft202012Validator

from byot.resources._endpoints import ENDPOINTS
from tests.schemas import SCHEMAS, SPEC

if TYPE_CHECKING:
    from collections.abc import Collection
    from pathlib import Path

# Strings that satisfy the formats the bundle uses (others are integer/number formats).
FORMATS = {
    "uri": "https://example.com/x",
    "date": "2025-01-01",
    "date-time": "2025-01-01T00:00:00Z",
    "email": "user@example.com",
}
# Patterns that "x" does not match, with a value that does.
PATTERNS = {"^tunnel_[a-z0-9]{32}$": "tunnel_" + "0" * 32}
# The file sent for a binary form field, by field name: something a real server would take.
FILES: dict[str, tuple[str, bytes, str]] = {
    "file": ("data.jsonl", b'{"x": 1}\n', "application/jsonl"),
    "files": ("SKILL.md", b"# skill\n", "text/markdown"),
    "data": ("part.bin", b"data", "application/octet-stream"),
    "image": ("image.png", b"\x89PNG\r\n\x1a\ndata", "image/png"),
    "mask": ("mask.png", b"\x89PNG\r\n\x1a\ndata", "image/png"),
    "video": ("video.mp4", b"data", "video/mp4"),
    "input_reference": ("reference.png", b"\x89PNG\r\n\x1a\ndata", "image/png"),
    "audio_sample": ("sample.wav", b"RIFFdata", "audio/wav"),
    "recording": ("consent.wav", b"RIFFdata", "audio/wav"),
}
DEFAULT_FILE = ("file.bin", b"data", "application/octet-stream")
# Body fields left out of documented examples: the suite calls the non-streaming method.
STREAM_FIELDS = ("stream", "stream_options")
MAX_DEPTH = 40


class NoInstanceError(Exception):
    """The builder found no valid instance of a schema."""


@functools.cache
def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def operations() -> dict[str, Any]:
    """`schemas/openai/operations.json`: every operation's parameters, body and result."""
    return cast("dict[str, Any]", _load(SCHEMAS / "operations.json")["operations"])


def bundle() -> dict[str, Any]:
    """The strict Draft 2020-12 bundle of every request schema."""
    return cast("dict[str, Any]", _load(SCHEMAS / "openai.schema.json"))


def is_valid(schema: dict[str, Any], instance: object) -> bool:
    """Whether an instance is valid against a schema of the bundle (its `#/$defs/` refs resolve).

    The bundle's refs are all `#/$defs/Name`, so lending the schema the bundle's `$defs` makes
    any of its subschemas a complete root schema.
    """
    root = {**schema, "$defs": bundle()["$defs"]}
    return bool(Draft202012Validator(root).is_valid(instance))


def errors(schema: dict[str, Any], instance: object) -> list[str]:
    root = {**schema, "$defs": bundle()["$defs"]}
    found = Draft202012Validator(root).iter_errors(instance)
    return [f"{error.json_path}: {error.message[:200]}" for error in found]


# --- the instance builder ----------------------------------------------------------------------


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` and `allOf` merged in, so its own keywords say what it needs."""
    defs = bundle()["$defs"]
    while "$ref" in schema:
        target = defs[schema["$ref"].removeprefix("#/$defs/")]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    if "allOf" in schema:
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        for part in map(resolve, schema["allOf"]):
            for key, value in part.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        schema = merged
    return schema


def _non_null_first(options: list[Any]) -> list[Any]:
    """Non-null choices first: a null proves nothing about how a value is encoded."""
    return sorted(options, key=lambda option: option is None or option == {"type": "null"})


def minimal(schema: dict[str, Any], depth: int = 0) -> Any:
    """The smallest instance of a schema: required properties, first workable choices.

    Raises:
        NoInstanceError: No branch of a union gives a valid instance, or the schema recurses
            through required properties without end.
    """
    if depth > MAX_DEPTH:
        raise NoInstanceError("the schema recurses through required properties")
    schema = resolve(schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return _non_null_first(schema["enum"])[0]
    for union in ("anyOf", "oneOf"):
        if union in schema:
            return _first_branch(schema, union, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = _non_null_first(cast("list[str]", kind))[0]
    if kind is None:  # no type: infer it, or any value will do (a binary part's placeholder)
        kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
    build = _BUILDERS[kind]
    return build(schema, depth)


def _first_branch(schema: dict[str, Any], union: str, depth: int) -> Any:
    # A branch is tried with the keywords around the union, and kept only if the whole schema
    # accepts it: a oneOf whose first branch also matches the second needs a later branch.
    around = {k: v for k, v in schema.items() if k != union}
    for branch in _non_null_first(schema[union]):
        try:
            candidate = minimal({**around, **resolve(branch)}, depth + 1)
        except NoInstanceError:
            continue
        if is_valid(schema, candidate):
            return candidate
    raise NoInstanceError(f"no branch of {union} gives a valid instance")


def _object(schema: dict[str, Any], depth: int) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    # A required name missing from `properties` (the spec has some) takes any value.
    extra = schema.get("additionalProperties")
    fallback = extra if isinstance(extra, dict) else {"type": "string"}
    names = list(schema.get("required", []))
    for name in properties:  # minProperties without required names: take the first ones
        if len(names) >= schema.get("minProperties", 0):
            break
        if name not in names:
            names.append(name)
    return {name: minimal(properties.get(name, fallback), depth + 1) for name in names}


def _array(schema: dict[str, Any], depth: int) -> list[Any]:
    count = schema.get("minItems", 0)
    return [minimal(schema.get("items", {}), depth + 1) for _ in range(count)]


def _string(schema: dict[str, Any], depth: int) -> str:
    text = FORMATS.get(schema.get("format", ""), "x")
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, text):
        text = PATTERNS[pattern]  # a KeyError here names the pattern to add
    return text.ljust(schema.get("minLength", 0), "x")


def _number(schema: dict[str, Any], depth: int) -> int:
    # The smallest allowed integer from 1 up: 0 and negatives are often meaningless.
    value = 1
    if "minimum" in schema:
        value = max(value, int(schema["minimum"]))
    if "exclusiveMinimum" in schema:
        value = max(value, int(schema["exclusiveMinimum"]) + 1)
    if "maximum" in schema:
        value = min(value, int(schema["maximum"]))
    return value


_BUILDERS: dict[str, Any] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "integer": _number,
    "number": _number,
    "boolean": lambda schema, depth: False,
    "null": lambda schema, depth: None,
}


def _branches(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The non-null alternatives a value of this schema can take (itself when not a union)."""
    for union in ("anyOf", "oneOf"):
        if union in schema:
            around = {k: v for k, v in schema.items() if k != union}
            return [
                found
                for branch in _non_null_first(schema[union])
                if branch != {"type": "null"}
                for found in _branches(resolve({**around, **resolve(branch)}))
            ]
    return [schema]


def _kind(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    return cast("str | None", kind)


def is_structured(schema: dict[str, Any]) -> bool:
    """Whether some value of this schema is an array or an object (non-trivial to encode)."""
    return any(_kind(branch) in {"array", "object"} for branch in _branches(resolve(schema)))


def is_binary(schema: dict[str, Any]) -> bool:
    """An upload: no type, only `contentMediaType` (how the bundle writes `format: binary`)."""
    return "contentMediaType" in schema and "type" not in schema


def rich(schema: dict[str, Any], depth: int = 0) -> Any:
    """A value that shows its encoding: two array items, every property of an object, true.

    Used for optional query parameters and form fields, where a one-item array or an object
    with only its required keys would hide a wrong spelling of `name[]` or `name[key]`. Arrays
    of objects are left minimal: neither a query string nor a form has a shared spelling for
    them (byot refuses them in forms).
    """
    options = _branches(resolve(schema))
    structured = [b for b in options if _kind(b) in {"array", "object"}]
    branch = (structured or options)[0]
    kind = _kind(branch)
    if kind == "array":
        items = resolve(branch.get("items", {}))
        if is_structured(items):
            return minimal(branch)
        enum = [v for v in items.get("enum", []) if v is not None]
        return enum[:2] if len(enum) >= 2 else [minimal(items)] * 2
    if kind == "object" and depth < 2:
        properties: dict[str, Any] = branch.get("properties", {})
        value = {name: rich(sub, depth + 1) for name, sub in properties.items()}
        extra = branch.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            value["key"] = minimal(extra)
        return value
    if kind == "boolean":
        return True  # the default is usually false: send the other spelling
    if kind == "number":  # a fraction, to show how floats are written
        value = minimal(branch) + 0.5
        return value if value <= branch.get("maximum", value) else minimal(branch)
    return minimal(branch)


# --- the spec's documented examples ------------------------------------------------------------

_CURL_DATA = re.compile(r"-d '(.*)'", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _parse_lenient(text: str) -> Any:
    """JSON as the docs write it: trailing commas forgiven; None when it still does not parse."""
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    return None


@functools.cache
def documented_bodies() -> dict[str, list[Any]]:
    """Every operation's documented JSON request bodies, in the spec's order."""
    found: dict[str, list[Any]] = {}
    if not SPEC.is_file():
        return found
    for item in _load(SPEC)["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            examples = (operation.get("x-oaiMeta") or {}).get("examples") or []
            for example in examples if isinstance(examples, list) else [examples]:
                request = example.get("request") if isinstance(example, dict) else None
                curl = request.get("curl", "") if isinstance(request, dict) else ""
                match = _CURL_DATA.search(curl)
                body = _parse_lenient(match.group(1)) if match else None
                if isinstance(body, dict):
                    found.setdefault(operation["operationId"], []).append(body)
    return found


# --- calls -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call of a generated method: its arguments, and where the body came from."""

    operation_id: str
    method: str  # the dotted name of the generated method, e.g. "chat.completions.create"
    kwargs: dict[str, Any] = field(default_factory=dict[str, Any])  # body, path and query
    source: str = "no body"


def _upload(name: str, schema: dict[str, Any], *, several: bool) -> object:
    """A binary field's value: one small file, or a list of them where the field takes one.

    `several` sends two files when the field also takes an array (`image[]` twice), else the
    first form the schema offers: a list of one for an array-first field such as `files`.
    """
    file = FILES.get(name, DEFAULT_FILE)
    options = _branches(resolve(schema))
    if several and _takes_files(schema):
        return [file, file]
    return [file] if _kind(options[0]) == "array" else file


def _takes_files(schema: dict[str, Any]) -> bool:
    """Whether a binary field also takes an array of files."""
    return any(
        _kind(b) == "array" and is_binary(resolve(b.get("items", {})))
        for b in _branches(resolve(schema))
    )


def _json_body(operation_id: str, ref: str) -> tuple[dict[str, Any], str]:
    schema = {"$ref": ref}
    for number, documented in enumerate(documented_bodies().get(operation_id, [])):
        body = {k: v for k, v in documented.items() if k not in STREAM_FIELDS}
        if is_valid(schema, body):
            return body, f"documented example {number}"
    body = minimal(schema)
    _check(schema, body, "body")
    return body, "generated body"


def _form_body(operation: dict[str, Any], extras: Collection[str]) -> dict[str, Any]:
    schema = {"$ref": operation["request"]["schema"]}
    properties: dict[str, Any] = resolve(schema).get("properties", {})
    binary_fields: list[str] = operation["binary_fields"]
    body = minimal(schema)
    for name in extras:
        if name in properties and name not in binary_fields:
            body[name] = rich(properties[name])
    # Validated with a placeholder for each file: the bundle puts no constraint on uploads.
    _check(schema, {**body, **dict.fromkeys(binary_fields, "x")}, "form")
    # Every file field is sent, optional or not: uploads are what multipart is for.
    for name in binary_fields:
        body[name] = _upload(name, properties[name], several=name in extras)
    return body


def _check(schema: dict[str, Any], instance: object, what: str) -> None:
    problems = errors(schema, instance)
    if problems:
        raise NoInstanceError(f"built an invalid {what} for {schema}: {problems}")


def _path_value(name: str) -> str:
    # A plausible id (`file_abc123`); steady only checks that it is a string.
    return f"{name.removesuffix('_id')}_abc123"


def _is_form(operation: dict[str, Any]) -> bool:
    request = operation["request"]
    return bool(request) and request["content_type"] == "multipart/form-data"


def optional_params(operation_id: str) -> list[str]:
    """What `call_for(extras=...)` can add: the optional query parameters and form fields.

    Named as on the wire, in the spec's order; `stream` is never among them (the suite calls
    the non-streaming methods), and a file field is among them when it takes several files.
    """
    operation = operations()[operation_id]
    names = [
        p["name"]
        for p in operation["query_params"]
        if not p.get("required") and p["name"] not in STREAM_FIELDS
    ]
    if _is_form(operation):
        schema = resolve({"$ref": operation["request"]["schema"]})
        required = set(schema.get("required", []))
        for name, sub in schema.get("properties", {}).items():
            if name in operation["binary_fields"]:
                if _takes_files(sub):
                    names.append(name)
            elif name not in required and name not in STREAM_FIELDS:
                names.append(name)
    return names


def call_for(operation_id: str, extras: Collection[str] = ()) -> Call:
    """The call the suite makes for one operation.

    Args:
        operation_id: The spec's operationId.
        extras: Optional parameters to send as well (names from `optional_params`), with
            values that show their encoding (see `rich`).

    Raises:
        NoInstanceError: No valid body could be built.
    """
    operation = operations()[operation_id]
    endpoint = ENDPOINTS[operation_id]
    kwargs: dict[str, Any] = {p["name"]: _path_value(p["name"]) for p in operation["path_params"]}
    keyword = {wire: python for python, wire in endpoint.query_params.items()}
    for param in operation["query_params"]:
        if param.get("required"):
            value = minimal(param["schema"])
        elif param["name"] in extras:
            value = rich(param["schema"])
        else:
            continue
        _check(param["schema"], value, f"query parameter {param['name']!r}")
        kwargs[keyword[param["name"]]] = value
    source = "no body"
    if _is_form(operation):
        kwargs["body"] = _form_body(operation, extras)
        source = "generated form"
    elif operation["request"]:
        kwargs["body"], source = _json_body(operation_id, operation["request"]["schema"])
    if extras:
        source += f", with {', '.join(extras)}"
    return Call(operation_id, endpoint.name, kwargs, source)
