"""A small instance of a JSON Schema: what the mock answers where the spec documents no example.

The instance is built from the spec-faithful bundle so it carries what a real answer must:
required properties, constant tags, enum members, minimum lengths and sizes. Unions take their
first non-null branch, or the branch of a given tag value (via `x-discriminator`); recursion
stops at a null, which the lenient profile accepts anywhere.
"""

from __future__ import annotations

from typing import Any, Final, cast

__all__ = ["Synthesizer"]

Schema = dict[str, Any]
_MAX_DEPTH: Final = 24
_NULL: Final = {"type": "null"}


class Synthesizer:
    """Builds minimal instances of the `$defs` of one bundle.

    Args:
        defs: The bundle's `$defs`, by name.
    """

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def flatten(self, schema: Any) -> Schema:
        """One schema object for `schema`: `$ref`s followed, `allOf` parts folded in.

        Properties are merged and every part's required names kept: a part may require a
        property that another part describes. A boolean schema gives `{}`.
        """
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs[str(schema["$ref"]).removeprefix("#/$defs/")]  # pyright: ignore[reportUnknownArgumentType]
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

    def instance(self, schema: Any, *, tag: str | None = None, depth: int = 0) -> Any:
        """A small value valid against `schema`; `tag` picks a tagged union's branch."""
        schema = self.flatten(schema)
        if depth > _MAX_DEPTH:
            return None
        if "const" in schema:
            return schema["const"]
        enum = [value for value in schema.get("enum", ()) if value is not None]
        if enum:
            return enum[0]
        if "anyOf" in schema:
            return self._union(schema, tag, depth)
        return self._typed(schema, depth)

    def _union(self, schema: Schema, tag: str | None, depth: int) -> Any:
        branches: list[Any] = schema["anyOf"]
        hint: Schema = schema.get("x-discriminator") or {}
        mapping: dict[str, list[int]] = hint.get("mapping", {})
        if tag is not None and tag in mapping:
            branch = branches[mapping[tag][0]]
        else:
            branch, tag = next((b for b in branches if b != _NULL), _NULL), None
        base = {k: v for k, v in schema.items() if k not in ("anyOf", "x-discriminator")}
        if "type" in base or "properties" in base:  # the branches refine the object around them
            branch = _combine(base, self.flatten(branch))
        value = self.instance(branch, tag=tag, depth=depth + 1)  # a nested union picks it too
        if tag is not None and isinstance(value, dict):  # the branch may allow several tag values
            return {**cast("Schema", value), hint["propertyName"]: tag}
        return value

    def _typed(self, schema: Schema, depth: int) -> Any:
        kind = next((k for k in _kinds(schema) if k != "null"), None)
        if kind == "object":
            properties: Schema = schema.get("properties", {})
            extra = schema.get("additionalProperties", {})
            required: list[str] = schema.get("required", [])
            return {
                name: self.instance(properties.get(name, extra), depth=depth + 1)
                for name in required
            }
        if kind == "array":
            count = int(schema.get("minItems", 0))
            return [self.instance(schema.get("items", {}), depth=depth + 1) for _ in range(count)]
        if kind == "string":
            return "x" * int(schema.get("minLength", 0))
        if kind in ("integer", "number"):
            value = schema.get("minimum", 0)
            if "exclusiveMinimum" in schema:
                value = schema["exclusiveMinimum"] + 1
            return int(value) if kind == "integer" else value
        if kind == "boolean":
            return False
        return None


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
