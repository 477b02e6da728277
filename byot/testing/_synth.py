"""A small instance of a JSON Schema: what the mock answers where the spec documents no example.

The instance is built from the spec-faithful bundle so it carries what a real answer must:
required properties, constant tags, enum members, lengths, sizes and bounds. Unions take their
first non-null branch, or the branch of a given tag value (via `x-discriminator`); recursion
stops at a null, which the lenient profile accepts anywhere.

The same builder answers a request's own schema (a structured output, a tool's parameters):
`Synthesizer.of(schema)` resolves its `$defs` and `#` references, fills strings with readable
text named after their property, honours `format` and `pattern` where it can, and takes a
union's null branch once deep inside a recursive type so that the instance stays valid.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final, cast

__all__ = ["Synthesizer"]

Schema = dict[str, Any]
_MAX_DEPTH: Final = 24
_DEEP: Final = 6  # past this depth a union prefers its null branch (ends recursive types)
_NULL: Final = {"type": "null"}
_FORMATS: Final = {
    "date-time": "2026-01-01T12:00:00Z",
    "date": "2026-01-01",
    "time": "12:00:00Z",
    "duration": "P1D",
    "email": "someone@example.com",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
# Tried in order against a `pattern` (the first that matches wins).
_PATTERN_CANDIDATES: Final = ("", "x", "a", "A", "0", "1", "abc", "ABC", "123", "a1", "A1", "a-b")


class Synthesizer:
    """Builds minimal instances of the `$defs` of one bundle.

    Args:
        defs: The bundle's `$defs`, by name.
        root: The schema a `#` reference means (a recursive type's own schema).
        named: Fill strings with text named after their property (`"sample city"`) instead
            of the shortest string allowed.
    """

    def __init__(self, defs: dict[str, Any], *, root: Any = None, named: bool = False) -> None:
        self.defs = defs
        self.root = root
        self.named = named

    @classmethod
    def of(cls, schema: dict[str, Any]) -> Synthesizer:
        """A synthesizer for one self-contained schema: its own `$defs`, `#` as itself."""
        return cls(schema.get("$defs", {}), root=schema, named=True)

    def flatten(self, schema: Any) -> Schema:
        """One schema object for `schema`: `$ref`s followed, `allOf` parts folded in.

        Properties are merged and every part's required names kept: a part may require a
        property that another part describes. A boolean schema gives `{}`.
        """
        while isinstance(schema, dict) and "$ref" in schema:
            ref = str(schema["$ref"])  # pyright: ignore[reportUnknownArgumentType]
            schema = self.root if ref == "#" else self.defs[ref.removeprefix("#/$defs/")]
        if not isinstance(schema, dict):
            return {}
        out = cast("Schema", schema)
        parts: list[Any] = out.get("allOf", [])
        if parts:
            out = {key: value for key, value in out.items() if key != "allOf"}
            for part in parts:
                out = _combine(out, self.flatten(part))
        return out

    def types(self, schema: Any, depth: int = 0) -> set[str]:
        """The JSON types a schema admits, its union's branches included."""
        schema = self.flatten(schema)
        found = set(_kinds(schema))
        branches: list[Any] = schema.get("anyOf", []) if depth < _MAX_DEPTH else []
        for branch in branches:
            found |= self.types(branch, depth + 1)
        return found

    def tags(self, schema: Any) -> list[str]:
        """The tag values of a tagged union (`x-discriminator`), in the bundle's order."""
        hint: Schema = self.flatten(schema).get("x-discriminator") or {}
        return list(hint.get("mapping", {}))

    def instance(
        self, schema: Any, *, tag: str | None = None, depth: int = 0, name: str = "value"
    ) -> Any:
        """A small value valid against `schema`; `tag` picks a tagged union's branch.

        `name` is the property the value is for: it only flavours named strings.
        """
        schema = self.flatten(schema)
        if depth > _MAX_DEPTH:
            return None
        if "const" in schema:
            return schema["const"]
        enum = [value for value in schema.get("enum", ()) if value is not None]
        if enum:
            return enum[0]
        if "anyOf" in schema or "oneOf" in schema:
            return self._union(schema, tag, depth, name)
        return self._typed(schema, depth, name)

    def _union(self, schema: Schema, tag: str | None, depth: int, name: str) -> Any:
        key = "anyOf" if "anyOf" in schema else "oneOf"
        branches: list[Any] = schema[key]
        hint: Schema = schema.get("x-discriminator") or {}
        mapping: dict[str, list[int]] = hint.get("mapping", {})
        if tag is not None and tag in mapping:
            branch = branches[mapping[tag][0]]
        elif self.named and depth > _DEEP and any(self.flatten(b) == _NULL for b in branches):
            branch, tag = _NULL, None
        else:
            branch, tag = next((b for b in branches if b != _NULL), _NULL), None
        base = {k: v for k, v in schema.items() if k not in (key, "x-discriminator")}
        if "type" in base or "properties" in base:  # the branches refine the object around them
            branch = _combine(base, self.flatten(branch))
        value = self.instance(branch, tag=tag, depth=depth + 1, name=name)  # nested unions too
        if tag is not None and isinstance(value, dict):  # the branch may allow several tag values
            return {**cast("Schema", value), hint["propertyName"]: tag}
        return value

    def _typed(self, schema: Schema, depth: int, name: str) -> Any:
        kind = next((k for k in _kinds(schema) if k != "null"), None)
        if kind == "object":
            properties: Schema = schema.get("properties", {})
            extra = schema.get("additionalProperties", {})
            required: list[str] = schema.get("required", [])
            return {
                key: self.instance(properties.get(key, extra), depth=depth + 1, name=key)
                for key in required
            }
        if kind == "array":
            prefix: list[Any] = schema.get("prefixItems", [])
            count = int(schema.get("minItems", 0))
            if self.named and depth < _DEEP:  # one item at least reads better, where allowed
                count = max(count, min(len(prefix) or 1, int(schema.get("maxItems", 1))))
            return [
                self.instance(
                    prefix[index] if index < len(prefix) else schema.get("items", {}),
                    depth=depth + 1,
                    name=name,
                )
                for index in range(count)
            ]
        if kind == "string":
            return self._string(schema, name)
        if kind in ("integer", "number"):
            return _number(schema, integer=kind == "integer")
        if kind == "boolean":
            return False
        return None

    def _string(self, schema: Schema, name: str) -> str:
        least = int(schema.get("minLength", 0))
        most = int(schema.get("maxLength", max(least, 64)))
        text = _FORMATS.get(str(schema.get("format")))
        if text is None:
            text = f"sample {name}".replace("_", " ") if self.named else ""
        pattern = schema.get("pattern")
        if pattern is not None and re.search(pattern, text) is None:
            text = next((c for c in _PATTERN_CANDIDATES if re.search(pattern, c)), text)
        return (text + "x" * least)[: max(least, min(most, len(text)))]


def _number(schema: Schema, *, integer: bool) -> int | float:
    """The value nearest 0 within the bounds, a multiple of `multipleOf` when given."""
    low: float = schema.get("minimum", -math.inf)
    high: float = schema.get("maximum", math.inf)
    step: float = schema.get("multipleOf", 1 if integer else 0)
    if "exclusiveMinimum" in schema:
        low = max(low, schema["exclusiveMinimum"] + (step or 1))
    if "exclusiveMaximum" in schema:
        high = min(high, schema["exclusiveMaximum"] - (step or 1))
    value: float = min(max(0, low), high)
    if step:
        value = math.ceil(value / step) * step
        if value > high:
            value -= step
    return int(value) if integer else value


def _kinds(schema: Schema) -> list[str]:
    kinds: str | list[str] | None = schema.get("type", "object" if "properties" in schema else None)
    if kinds is None:
        return []
    return kinds if isinstance(kinds, list) else [kinds]


def _combine(left: Schema, right: Schema) -> Schema:
    """Two schemas a value must meet at once, as one: properties merged, required unioned."""
    out = {**right, **left}
    out["properties"] = {**right.get("properties", {}), **left.get("properties", {})}
    out["required"] = list(dict.fromkeys([*left.get("required", ()), *right.get("required", ())]))
    return out
