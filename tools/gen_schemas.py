"""Generate byot's bundled JSON Schemas from OpenAI's OpenAPI description.

Reads the pinned ``openapi.json`` (OpenAPI 3.1, MIT) and writes ``schemas/openai/``: the
spec-faithful bundle (requests), the lenient bundle (responses and stream events), the operation
index ``operations.json``, ``SOURCE.json`` (provenance, counts, overrides, what is unclassified)
and ``examples.json`` (each operation's documented answer, which ``byot.testing`` serves).
The rules are research/schemas.md's (sections 2, 6, 8); hand-kept corrections are in
``tools/schema_overrides.json``. ``--check`` fails when the committed files are stale.
"""

from __future__ import annotations

import argparse
import hashlib
import json  # noqa: TID251 -- a build tool: indent=1 output needs the stdlib encoder
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from collections.abc import Callable

Json = Any
Schema = dict[str, Any]
Tag = tuple["frozenset[str] | None", bool]  # (tag values, None if unconstrained; required)

ROOT = Path(__file__).resolve().parents[1]
# The pinned spec: $BYOT_SPEC, else ../shared next to the checkout (never committed here).
DEFAULT_SPEC = Path(
    os.environ.get("BYOT_SPEC") or ROOT.parent / "shared/spec/openai-openapi/openapi.json"
)
DEFAULT_OUT = ROOT / "schemas" / "openai"
OVERRIDES = Path(__file__).resolve().with_name("schema_overrides.json")
CONVERTER_VERSION = "1.0.0"
BUNDLE, LENIENT = "openai.schema.json", "openai.lenient.schema.json"
INDEX, SOURCE, EXAMPLES = "operations.json", "SOURCE.json", "examples.json"
BUNDLE_ID = "urn:byot:openai"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
DOC_BASE = "https://platform.openai.com/docs/api-reference/"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
INT64 = 2**63 - 1
NULL: Schema = {"type": "null"}
MULTIPART = "multipart/form-data"
NO_COMMIT = "no commit information next to the spec (only openapi.json and LICENSE): use sha256"
CURSOR = {"style": "cursor", "param": "after", "items": "data", "has_more": "has_more"}

# Keywords by what they hold. Anything else is dropped: documentation on purpose, and unknown
# words (the spec has typos such as ``min_items``) are counted in SOURCE.json, never silently.
SCHEMA_MAP = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs"})
SCHEMA_ONE = frozenset(
    {"items", "additionalProperties", "unevaluatedProperties", "propertyNames", "contains"}
    | {"not", "if", "then", "else", "contentSchema"}
)
SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
VALUE_KEYS = frozenset(
    {"type", "enum", "const", "required", "dependentRequired", "format", "pattern", "minLength"}
    | {"maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
    | {"minItems", "maxItems", "uniqueItems", "minContains", "maxContains", "minProperties"}
    | {"maxProperties", "default", "deprecated", "readOnly", "writeOnly", "contentMediaType"}
    | {"contentEncoding"}
)
IGNORED = frozenset({"description", "title", "example", "examples", "externalDocs", "$comment"})
HANDLED = frozenset({"nullable", "discriminator", "$recursiveAnchor"})
APPLICATORS = frozenset({"$ref", "allOf", "anyOf", "oneOf", "not", "if"})
ANNOTATIONS = ("default", "deprecated")
INFERRED_TAGS = ("type", "role", "event", "object")
# The lenient profile checks only the shape of the values present (schemas.md section 8.4).
LENIENT_DROP = frozenset({"required", "dependentRequired", "enum", "const", "not"})


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _types(schema: Schema) -> list[str]:
    kind = schema.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def _map_sub(key: str, value: Json, fn: Callable[[Json], Json]) -> Json:
    """Apply ``fn`` to the subschemas held by keyword ``key``; other values come back as is."""
    if key in SCHEMA_MAP:
        return {name: fn(sub) for name, sub in value.items()}
    if key in SCHEMA_LIST:
        return [fn(sub) for sub in value]
    return fn(value) if key in SCHEMA_ONE else value


def subschemas(schema: Json) -> list[Json]:
    """The direct subschemas of a converted schema (never enum, const or default data)."""
    found: list[Json] = []
    for key, value in schema.items() if isinstance(schema, dict) else ():
        _map_sub(key, value, found.append)
    return found


def _with_null_type(schema: Schema) -> Schema:
    """Widen a plain typed schema to accept null, its enum or const included."""
    out = {**schema, "type": list(dict.fromkeys([*_types(schema), "null"]))}
    if "const" in out:
        out["enum"] = [out.pop("const"), None]
    elif "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


def _make_nullable(schema: Schema) -> Schema:
    if "type" in schema and not APPLICATORS & schema.keys():
        return _with_null_type(schema)
    # A $ref or a union cannot take "null" in its type: wrap it, annotations kept outside.
    outer = {key: schema[key] for key in ANNOTATIONS if key in schema}
    rest = {key: value for key, value in schema.items() if key not in ANNOTATIONS}
    if "anyOf" in rest and rest.keys() <= {"anyOf", "x-discriminator"}:
        return {**outer, **rest, "anyOf": [*rest["anyOf"], NULL]}  # branch indexes stay valid
    return {**outer, "anyOf": [rest, NULL]}


def _simplify(schema: Schema) -> Schema:
    """Fold ``anyOf: [{type: T, ...}, {type: null}]`` into ``type: [T, null]`` (better errors)."""
    branches = schema.get("anyOf")
    if not branches or len(branches) != 2 or NULL not in branches:
        return schema
    other = branches[1 - branches.index(NULL)]
    outer = {key: value for key, value in schema.items() if key != "anyOf"}
    if (
        not isinstance(other, dict)
        or not isinstance(other.get("type"), str)
        or APPLICATORS & (other.keys() | outer.keys())
        or outer.keys() & (other.keys() | {"type", "x-discriminator"})
    ):
        return schema
    return _with_null_type({**outer, **other})


def _nullable_only(member: Json) -> bool:
    """The OpenAPI 3.0 idiom ``allOf: [{$ref: X}, {nullable: true}]``."""
    if not isinstance(member, dict) or member.get("nullable") is not True:
        return False
    return all(key in IGNORED or key.startswith("x-") for key in member.keys() - {"nullable"})


class Converter:
    """Turns OpenAPI 3.0/3.1 schema objects into Draft 2020-12, counting what it dropped."""

    def __init__(self) -> None:
        self.dropped: Counter[str] = Counter()
        self.owner = ""  # the def being converted: where ``$recursiveRef: '#'`` points

    def schema(self, node: Json) -> Json:
        """Convert one schema object and everything below it."""
        if not isinstance(node, dict):
            return node
        if "$recursiveRef" in node:  # 2019-09 keyword left in a 3.1 spec; '#' is the component
            return {"$ref": f"#/$defs/{self.owner}"}
        nullable = node.get("nullable") is True
        if any(_nullable_only(member) for member in node.get("allOf", [])):
            nullable = True
            node = {**node, "allOf": [m for m in node["allOf"] if not _nullable_only(m)]}
        out: Schema = {}
        for key, value in node.items():
            if key in SCHEMA_MAP or key in SCHEMA_ONE or key in SCHEMA_LIST:
                out[key] = _map_sub(key, value, self.schema)
            elif key == "$ref":
                out[key] = "#/$defs/" + _ref_name(value)
            elif key == "required":
                out[key] = list(dict.fromkeys(value))  # the spec repeats a name once
            elif key in VALUE_KEYS:
                big = isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64
                out[key] = float(value) if big else value
            elif key not in HANDLED and key not in IGNORED and not key.startswith("x-"):
                self.dropped[key] += 1
        for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            if isinstance(out.get(exclusive), bool) and out.pop(exclusive) and bound in out:
                out[exclusive] = out.pop(bound)  # 3.0 boolean style, still in the 3.1 spec
        if out.get("format") == "binary":
            # Any Python value (bytes, a file, a (name, fh, mime) tuple) is then a valid upload.
            del out["format"]
            out.pop("type", None)
            out["contentMediaType"] = "application/octet-stream"
        if "oneOf" in out:  # OpenAI's branches overlap, so oneOf would reject valid data
            if "anyOf" in out:
                out.setdefault("allOf", []).append({"anyOf": out.pop("anyOf")})
            out["anyOf"] = out.pop("oneOf")
        if "discriminator" in node and "anyOf" in out:  # a marker; Discriminators fills it in
            out["x-discriminator"] = {"propertyName": node["discriminator"]["propertyName"]}
        if out.keys() == {"allOf"} and len(out["allOf"]) == 1:
            out = out["allOf"][0]
        return _simplify(_make_nullable(out) if nullable else out)


class Discriminators:
    """Computes the ``x-discriminator`` hints: tag value -> indexes of ``anyOf`` branches.

    Declared unions get one, and so do unions whose object branches all require a distinct
    ``type``/``role``/``event``/``object`` constant. Branches that cannot be objects are left out
    (the hint only serves objects); ``missing`` lists the branches where the tag is optional,
    ``other`` those where it is not a fixed value.
    """

    def __init__(self, defs: dict[str, Json]) -> None:
        self.defs = defs
        self.declared = self.inferred = 0
        self.failed: set[str] = set()

    def annotate(self, node: Json, where: str) -> None:
        """Replace declared markers by full hints and add inferred ones, recursively."""
        if isinstance(node, dict) and "anyOf" in node:
            marker = node.pop("x-discriminator", None)
            for tag in [marker["propertyName"]] if marker else INFERRED_TAGS:
                hint = self._hint(node["anyOf"], tag, inferred=marker is None)
                if hint is not None:
                    node["x-discriminator"] = hint
                    self.declared += marker is not None
                    self.inferred += marker is None
                    break
            else:
                if marker:
                    self.failed.add(where)
        for sub in subschemas(node):
            self.annotate(sub, where)

    def _hint(self, branches: list[Json], prop: str, *, inferred: bool) -> Schema | None:
        mapping: dict[str, list[int]] = {}
        missing: list[int] = []
        other: list[int] = []
        objects = 0
        for index, branch in enumerate(branches):
            tag = self._tag(branch, prop, frozenset())
            if tag is None:
                continue
            objects += 1
            values, required = tag
            if values is None:
                other.append(index)
            elif inferred and not values:
                return None
            for value in values or ():
                mapping.setdefault(value, []).append(index)
            if not required:
                missing.append(index)
        shared = any(len(indexes) > 1 for indexes in mapping.values())
        if not mapping or (inferred and (objects < 2 or missing or other or shared)):
            return None
        sorted_map = {value: sorted(indexes) for value, indexes in mapping.items()}
        return {"propertyName": prop, "mapping": sorted_map, "missing": missing, "other": other}

    def _tag(self, schema: Json, prop: str, seen: frozenset[str]) -> Tag | None:
        """What ``schema`` says about the tag; None if it cannot be an object at all."""
        if not isinstance(schema, dict):
            return (None, False) if schema else None
        if "type" in schema and "object" not in _types(schema):
            return None
        properties = schema.get("properties", {})
        values = self._values(properties[prop], seen) if prop in properties else None
        required = prop in schema.get("required", ())
        conjuncts = list(schema.get("allOf", []))
        if "$ref" in schema:
            name = _ref_name(schema["$ref"])
            if name in seen:  # recursion: what is known so far
                return values, required
            conjuncts.append(self.defs[name])
            seen |= {name}
        for sub in conjuncts:
            tag = self._tag(sub, prop, seen)
            if tag is None:
                return None
            values, required = _meet(values, tag[0]), required or tag[1]
        if "anyOf" in schema:
            alternatives = [t for b in schema["anyOf"] if (t := self._tag(b, prop, seen))]
            if not alternatives:
                return None
            values = _meet(values, _join([t[0] for t in alternatives]))
            required = required or all(t[1] for t in alternatives)
        return values, required

    def _values(self, prop_schema: Json, seen: frozenset[str]) -> frozenset[str] | None:
        if not isinstance(prop_schema, dict):
            return None
        if "$ref" in prop_schema:
            name = _ref_name(prop_schema["$ref"])
            return None if name in seen else self._values(self.defs[name], seen | {name})
        if "anyOf" in prop_schema:
            subs = [self._values(b, seen) for b in prop_schema["anyOf"] if b != NULL]
            return _join(subs) if subs else None
        found = [prop_schema["const"]] if "const" in prop_schema else prop_schema.get("enum")
        found = [value for value in found or () if value is not None]
        return frozenset(found) if found and all(isinstance(v, str) for v in found) else None


def _meet(left: frozenset[str] | None, right: frozenset[str] | None) -> frozenset[str] | None:
    if left is None or right is None:
        return right if left is None else left
    return left & right


def _join(sets: list[frozenset[str] | None]) -> frozenset[str] | None:
    return frozenset().union(*sets) if None not in sets else None  # type: ignore[arg-type]


def lenient(schema: Json) -> Json:
    """Derive the response profile: no required/enum/const/not, null wherever a type is named.

    Closed objects are opened and tagged unions marked ``open`` (an unknown tag passes).
    """
    if not isinstance(schema, dict):
        return schema
    out: Schema = {}
    for key, value in schema.items():
        closing = key in ("additionalProperties", "unevaluatedProperties") and value is False
        if key not in LENIENT_DROP and not closing:
            out[key] = _map_sub(key, value, lenient)
    if "type" in out and "null" not in _types(out):
        out["type"] = [*_types(out), "null"]
    if "x-discriminator" in out:
        out["x-discriminator"] = {**out["x-discriminator"], "open": True}
    return out


def _plain(markdown: str) -> str:
    """First sentence of a markdown summary as plain text."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`]{1,3}([^*_`]+)[*_`]{1,3}", r"\1", text)
    return re.split(r"(?<=[.!?])\s", " ".join(text.split()), maxsplit=1)[0].rstrip(".")


def _result_kind(entry: Schema) -> str:
    """json, binary, text or empty, from one response's media types (SSE already removed)."""
    raw = entry.get("raw", [])
    if any(not (media.startswith("text/") or media == "application/sdp") for media in raw):
        return "binary"  # video/mp4, application/zip...: wins over a json "string" twin
    return "text" if raw else "json" if "json" in entry else "empty"


class Generator:
    """Builds the four generated files from a loaded spec and the overrides."""

    def __init__(self, spec: Json, spec_bytes: bytes, spec_dir: Path, overrides: Json) -> None:
        self.spec = spec
        self.overrides = overrides
        self.conv = Converter()
        self.defs: dict[str, Json] = {}
        self.applied: list[str] = []
        self.unclassified: dict[str, dict[str, Json]] = {}
        self.notes: dict[str, dict[str, Json]] = {}
        markers = [spec_dir / "COMMIT", spec_dir / "REVISION"]
        commit = next((m.read_text("utf-8").strip() for m in markers if m.is_file()), None)
        self.upstream = {
            "repo": "openai/openai-openapi",
            "commit": commit or None,
            "commit_note": None if commit else NO_COMMIT,
            "file": "openapi.json",
            "sha256": hashlib.sha256(spec_bytes).hexdigest(),
            "md5": hashlib.md5(spec_bytes).hexdigest(),  # what OpenAI's SDK stats record
            "info_version": spec["info"]["version"],
            "openapi": spec["openapi"],
        }

    def _flag(self, category: str, key: str, why: Json) -> None:
        self.unclassified.setdefault(category, {})[key] = why

    def _resolve(self, obj: Json) -> Json:
        """Follow a non-schema ``$ref`` (responses, parameters) inside the spec."""
        while isinstance(obj, dict) and "$ref" in obj:
            node = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                node = node[part]
            obj = node
        return obj

    def _resolved(self, schema: Json) -> Schema:
        """Follow ``$ref`` inside the converted defs."""
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs[_ref_name(schema["$ref"])]
        return schema if isinstance(schema, dict) else {}

    def _ref(self, schema: Json, name: str) -> str:
        """A ``$defs`` pointer for a path-level schema, lifting an inline one under ``name``."""
        self.conv.owner = name
        converted = self.conv.schema(schema)
        if isinstance(converted, dict) and converted.keys() == {"$ref"}:
            return str(converted["$ref"])
        self.defs[name] = converted
        return "#/$defs/" + name

    def _properties(self, schema: Json, seen: frozenset[str] = frozenset()) -> dict[str, Json]:
        """Top-level properties, following $ref, allOf and the branches of anyOf."""
        if not isinstance(schema, dict):
            return {}
        found = dict(schema.get("properties", {}))
        name = _ref_name(schema.get("$ref", ""))
        if name and name not in seen:
            found = {**self._properties(self.defs[name], seen | {name}), **found}
        for sub in (*schema.get("allOf", ()), *schema.get("anyOf", ())):
            found = {**self._properties(sub, seen), **found}
        return found

    def _is_binary(self, schema: Json) -> bool:
        schema = self._resolved(schema)
        if not schema:
            return False
        nested = [schema.get("items"), *schema.get("anyOf", ())]
        return "contentMediaType" in schema or any(self._is_binary(sub) for sub in nested)

    def build(self) -> dict[str, str]:
        """Return the generated files as ``{file name: text}``."""
        for name, raw in self.spec["components"]["schemas"].items():
            self.conv.owner = name
            self.defs[name] = self.conv.schema(raw)
        for name, fix in self.overrides["required"].items():
            if not name.startswith("$"):  # KeyError below: the spec dropped an overridden schema
                target = self.defs[name]
                target["required"] = [p for p in target["required"] if p not in fix["drop"]]
                self.applied.append(f"required:{name}:-{','.join(fix['drop'])}")
        operations = {
            op["operationId"]: self._operation(method, raw_path, item, op)
            for raw_path, item in self.spec["paths"].items()
            for method, op in item.items()
            if method in METHODS
        }
        webhooks = self._webhooks()
        hints = Discriminators(self.defs)
        for name, schema in self.defs.items():
            hints.annotate(schema, name)
        if hints.failed:
            self._flag("discriminators", "no tag values found", sorted(hints.failed))
        for op_id, stream in ((k, op["stream"]) for k, op in operations.items() if op["stream"]):
            hint = self._resolved({"$ref": stream["schema"]}).get("x-discriminator", {})
            if set(stream["terminal"]) - hint.get("mapping", {}).keys():  # catches spec churn
                raise SystemExit(f"{op_id}: terminal events {stream['terminal']} are not all tags")
        soft = {name: lenient(schema) for name, schema in self.defs.items()}
        index = {"source": self.upstream, "bundle": BUNDLE, "lenient": LENIENT}
        index |= {"operations": operations, "webhooks": webhooks}
        compact = {"separators": (",", ":")}
        return {
            BUNDLE: _dump({"$schema": DRAFT, "$id": BUNDLE_ID, "$defs": self.defs}, compact),
            LENIENT: _dump(
                {"$schema": DRAFT, "$id": f"{BUNDLE_ID}:lenient", "$defs": soft}, compact
            ),
            INDEX: _dump(index, {"indent": 1}),
            SOURCE: _dump(self._source(operations, hints), {"indent": 1}),
            EXAMPLES: _dump(Examples(self.spec, operations, soft).build(), compact),
        }

    def _operation(self, method: str, raw_path: str, item: Json, op: Json) -> Schema:
        op_id = op["operationId"]
        path, _, query = raw_path.partition("?")
        meta = op.get("x-oaiMeta") or {}
        params: dict[tuple[str, str], Json] = {}
        for param in map(self._resolve, [*item.get("parameters", []), *op.get("parameters", [])]):
            params[param["name"], param["in"]] = param  # an operation's own win over the path's
        names = re.findall(r"{([^}]+)}", path)
        declared = {name for name, place in params if place == "path"}
        if set(names) != declared:
            self._flag("path_params", op_id, {"template": names, "declared": sorted(declared)})
        path_params = [
            {"name": n, "schema": self.conv.schema(params[n, "path"]["schema"])}
            for n in names
            if n in declared
        ]
        query_params, elsewhere = [], []
        for (name, place), param in params.items():
            style = param.get("style", "form")
            if place == "query":
                query_params.append(
                    {"name": name, "required": bool(param.get("required")), "style": style}
                    | {"schema": self.conv.schema(param["schema"])}
                    | {"explode": param.get("explode", style == "form")}
                )
            elif place != "path":
                elsewhere.append(f"{place}: {name}")
        if elsewhere:  # the index has no slot for header or cookie parameters (all optional here)
            self._flag("header_params", op_id, elsewhere)
        request, request_params, binary_fields = self._request(op_id, op)
        responses, result, sse = self._responses(op_id, op)
        if op_id in self.overrides["results"]:
            result = self.overrides["results"][op_id]["result"]
            self.applied.append(f"results:{op_id}")
        query_names = {p["name"] for p in query_params}
        stream = self._stream(op_id, sse, request, query_names)
        if stream is None and "stream" in request_params:
            self._flag("stream", op_id, "request has `stream` but no event stream is known")
        doc = None
        if meta.get("group") and meta.get("path"):
            # Some x-oaiMeta paths carry a stray sentence: "list for the organization."
            clean = re.match(r"[\w/-]*", meta["path"]).group()  # type: ignore[union-attr]
            doc = f"{DOC_BASE}{meta['group']}/{clean}"
            if clean != meta["path"]:
                self.notes.setdefault("doc_path_repairs", {})[op_id] = meta["path"]
        tags = op.get("tags") or [None]
        group = meta.get("group") or (tags[0] or "").lower() or None
        if group is None:
            self._flag("group", op_id, "no x-oaiMeta.group and no tag")
        security = {name for requirement in op.get("security") or [] for name in requirement}
        return {
            "method": method.upper(),
            "path": path,
            "fixed_query": dict(parse_qsl(query)),
            "summary": meta.get("name") or _plain(op.get("summary", "")),
            "group": group,
            "doc": doc,
            "deprecated": bool(op.get("deprecated", False)),
            "security": "admin" if "AdminApiKeyAuth" in security else "bearer",
            "path_params": path_params,
            "query_params": query_params,
            "request": request,
            "request_params": request_params,
            "binary_fields": binary_fields,
            "responses": responses,
            "result": result,
            "stream": stream,
            "pagination": self._pagination(op_id, responses, result, query_names),
        }

    def _request(self, op_id: str, op: Json) -> tuple[Schema | None, list[str], list[str]]:
        body = self._resolve(op.get("requestBody"))
        if not body:
            return None, [], []
        content = body["content"]
        # multipart carries both files and plain fields: the primary form when offered.
        ctype = MULTIPART if MULTIPART in content else next(iter(content))
        refs = {
            media: self._ref(content[media]["schema"], f"op.{op_id}.request.{media.split('/')[1]}")
            for media in content
        }
        if len(content) > 1:
            alternatives = {media: ref for media, ref in refs.items() if media != ctype}
            self.notes.setdefault("request_alternatives", {})[op_id] = alternatives
        props = self._properties({"$ref": refs[ctype]})
        binary = [n for n, s in props.items() if self._is_binary(s)] if ctype == MULTIPART else []
        # Multipart fields the spec sends as typed parts (a JSON document, an SDP offer).
        encoding = content[ctype].get("encoding", {}) if ctype == MULTIPART else {}
        request = {
            "content_type": ctype,
            "schema": refs[ctype],
            "required": bool(body.get("required")),
            "part_types": {n: e["contentType"] for n, e in encoding.items() if "contentType" in e},
        }
        return request, sorted(props), sorted(binary)

    def _responses(self, op_id: str, op: Json) -> tuple[Schema, str, str | None]:
        responses: Schema = {}
        result, sse = "empty", None
        success = min((code for code in op["responses"] if code.startswith("2")), default=None)
        for code, raw in op["responses"].items():
            entry: Schema = {}
            for media, body in self._resolve(raw).get("content", {}).items():
                name = f"op.{op_id}.{code}.{media.split('/')[1]}"
                if media == "application/json":
                    entry["json"] = self._ref(body["schema"], name)
                elif media != "text/event-stream":
                    entry["raw"] = sorted([*entry.get("raw", []), media])
                elif code == success:  # streams are described by "stream", not listed here
                    sse = self._ref(body["schema"], name)
            responses[code] = entry
            result = _result_kind(entry) if code == success else result
        return responses, result, sse

    def _stream(
        self, op_id: str, sse: str | None, request: Schema | None, query_names: set[str]
    ) -> Schema | None:
        fix = self.overrides["streams"].get(op_id)
        if fix is not None:
            sse = "#/$defs/" + fix["schema"]
            self.defs[fix["schema"]]  # KeyError: the spec dropped that schema
            self.applied.append(f"streams:{op_id}")
        if sse is None:
            return None
        props = self._properties({"$ref": request["schema"]}) if request else {}
        if "stream" in props:
            flag, where = "stream", "body"
        elif "sse" in (self._resolved(props.get("stream_format")).get("enum") or ()):
            flag, where = "stream_format=sse", "body"
        elif "stream" in query_names:
            flag, where = "stream", "query"
        else:
            self._flag("stream", op_id, "event stream without a known switch")
            return None
        kind = self.overrides["stream_kinds"].get(_ref_name(sse))
        if kind is None:
            self._flag("stream", op_id, f"no framing known for {_ref_name(sse)}")
            return None
        return {"flag": flag, "schema": sse, "in": where, **kind}

    def _pagination(self, op_id: str, responses: Schema, result: str, query: set[str]) -> Json:
        ok = responses.get("200", {}).get("json")
        props = self._properties({"$ref": ok}) if ok and result == "json" else {}
        listing = "array" in _types(self._resolved(props.get("data"))) and "has_more" in props
        if listing and "after" in query:
            nxt = "last_id" if "last_id" in props else "next" if "next" in props else None
            return {**CURSOR, "next": nxt or "id-of-last-item"}
        if listing and "page" in query and "next_page" in props:
            # The usage and costs reports: an opaque page token, not an item id.
            return {**CURSOR, "param": "page", "next": "next_page"}
        if listing:
            self._flag("pagination", op_id, "data + has_more without a cursor parameter")
        elif "after" in query:
            self._flag("pagination", op_id, "`after` param without data + has_more")
        return None

    def _webhooks(self) -> dict[str, str]:
        found = {}
        for key, item in self.spec.get("webhooks", {}).items():
            for op in item.values():
                body = op["requestBody"]["content"]["application/json"]["schema"]
                ref = self._ref(body, f"webhook.{key}")
                tags = self._resolved(self._properties({"$ref": ref}).get("type")).get("enum")
                if tags and len(tags) == 1:
                    found[tags[0]] = ref
                else:
                    self._flag("webhooks", key, "payload has no single `type` value")
        return found

    def _source(self, operations: dict[str, Schema], hints: Discriminators) -> Schema:
        ops = list(operations.values())
        components = len(self.spec["components"]["schemas"])
        counts = {
            "paths": len(self.spec["paths"]),
            "operations": len(ops),
            "components": components,
            "defs": len(self.defs),
            "defs_synthesized": len(self.defs) - components,
            "webhooks": len(self.spec.get("webhooks", {})),
            "x_discriminator_declared": hints.declared,
            "x_discriminator_inferred": hints.inferred,
            "streams": sum(bool(op["stream"]) for op in ops),
            "multipart": sum((op["request"] or {}).get("content_type") == MULTIPART for op in ops),
            "binary_uploads": sum(bool(op["binary_fields"]) for op in ops),
            "binary_results": sum(op["result"] == "binary" for op in ops),
            "paginated": sum(bool(op["pagination"]) for op in ops),
            "admin": sum(op["security"] == "admin" for op in ops),
        }
        return {
            "upstream": self.upstream,
            "license": "MIT: generated from OpenAI's MIT-licensed openapi.json",
            "converter_version": CONVERTER_VERSION,
            "counts": counts,
            "overrides": sorted(self.applied),
            "dropped_keywords": dict(sorted(self.conv.dropped.items())),
            "notes": self.notes,
            "unclassified": self.unclassified,
        }


class Examples:
    """Each operation's documented answer, checked against the lenient bundle, for the mock.

    Per operationId: ``response`` (the first JSON response example that is a document, trailing
    commas forgiven, and passes the lenient profile), ``text`` (a text answer such as SDP) and
    ``stream`` (the events of the first streaming example, as ``[event name or null, data]``
    pairs, every one passing the lenient profile of the operation's event schema). Examples
    that fail are listed under ``rejected`` with the first error, so nothing is dropped silently.
    """

    def __init__(self, spec: Json, operations: dict[str, Schema], soft: dict[str, Json]) -> None:
        # Dev dependencies: only the build checks the examples.
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.spec, self.operations, self.base = spec, operations, f"{BUNDLE_ID}:lenient"
        bundle = Resource.from_contents({"$id": self.base, "$defs": soft}, DRAFT202012)
        registry: Registry[Json] = Registry().with_resource(self.base, bundle)
        self.validator = Draft202012Validator({}, registry=registry)
        self.rejected: dict[str, str] = {}

    def _error(self, instance: Json, ref: str) -> str | None:
        check = self.validator.evolve(schema={"$ref": self.base + ref})
        error = next(iter(check.iter_errors(instance)), None)
        if error is None:
            return None
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        return f"${where}: {error.message[:200]}"

    def build(self) -> Json:
        """``{"operations": {id: {...}}, "rejected": {"id#n": why}}``."""
        found: dict[str, Json] = {}
        for item in self.spec["paths"].values():
            for method, op in item.items():
                if method in METHODS:
                    entry = self._operation(op)
                    if entry:
                        found[op["operationId"]] = entry
        return {"operations": found, "rejected": self.rejected}

    def _operation(self, op: Json) -> Schema:
        op_id = op["operationId"]
        index = self.operations[op_id]
        examples = (op.get("x-oaiMeta") or {}).get("examples") or []
        examples = examples if isinstance(examples, list) else [examples]
        success = min(code for code in index["responses"] if code.startswith("2"))
        ref = index["responses"][success].get("json")
        entry: Schema = {}
        for number, example in enumerate(examples):
            text = example.get("response") or ""
            label = f"{op_id}#{number}"
            if index["stream"] and _is_stream_example(example):
                if "stream" not in entry:
                    events = self._events(text, index["stream"]["schema"], label)
                    if events:
                        entry["stream"] = events
            elif index["result"] == "text" and text and "text" not in entry:
                entry["text"] = text
            elif ref and index["result"] == "json" and "response" not in entry:
                document = _loads(text)
                if document is None:  # empty, or an elided sketch ("...") rather than a document
                    continue
                error = self._error(document, ref)
                if error:
                    self.rejected[label] = error
                else:
                    entry["response"] = document
        return entry

    def _events(self, text: str, ref: str, label: str) -> list[Json]:
        """The events of an SSE transcript (or of bare JSON chunks one per paragraph)."""
        events: list[Json] = []
        for block in re.split(r"\n\s*\n", text.strip()):
            fields: dict[str, list[str]] = {}
            for line in block.splitlines():
                name, colon, value = line.partition(":")
                if colon and name in ("event", "data"):
                    fields.setdefault(name, []).append(value.removeprefix(" "))
            data = "\n".join(fields["data"]) if "data" in fields else block
            if data.strip() == "[DONE]":
                continue  # the terminator is the mock's to write, from the operation's framing
            document = _loads(data)
            if document is None:  # "...." and other elisions between the documented chunks
                continue
            error = self._error(document, ref)
            if error:
                self.rejected[label] = f"event {len(events)}: {error}"
                return []
            events.append([(fields.get("event") or [None])[0], document])
        return events


def _loads(text: str) -> Json:
    """A JSON document, forgiving the trailing commas hand-written examples often have."""
    for attempt in (text, re.sub(r",(\s*[}\]])", r"\1", text)):
        try:
            return json.loads(attempt)
        except ValueError:
            continue
    return None


def _is_stream_example(example: Json) -> bool:
    text = (example.get("response") or "").lstrip()
    return "stream" in (example.get("title") or "").lower() or text.startswith(("event:", "data:"))


def _dump(obj: Json, layout: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, **layout) + "\n"


def generate(spec_path: Path) -> dict[str, str]:
    """Load the spec and the overrides and return the generated files by name."""
    spec_bytes = spec_path.read_bytes()
    overrides = json.loads(OVERRIDES.read_text(encoding="utf-8"))
    return Generator(json.loads(spec_bytes), spec_bytes, spec_path.parent, overrides).build()


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description="Generate schemas/openai/ from the OpenAPI spec.")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="OpenAPI openapi.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are stale")
    args = parser.parse_args(argv)
    spec_path, out = args.spec.resolve(), args.out
    if not spec_path.is_file():
        print(f"gen_schemas: spec not found at {spec_path} (pass --spec PATH or set BYOT_SPEC)")
        return 2
    files = generate(spec_path)
    if args.check:
        current = {n: (out / n).read_text("utf-8") if (out / n).is_file() else None for n in files}
        stale = sorted(name for name, text in files.items() if current[name] != text)
        if stale:
            print(f"gen_schemas: stale files in {out}: {', '.join(stale)}")
            print("regenerate them with: python tools/gen_schemas.py")
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
