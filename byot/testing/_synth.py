"""A small instance of a JSON Schema: what the mock answers where the spec documents no example.

The instance is built from the spec-faithful bundle so it carries what a real answer must:
required properties, constant tags, enum members, minimum lengths and sizes. Unions take their
first non-null branch, or the branch of a given tag value (via `x-discriminator`); recursion
stops at a null, which the lenient profile accepts anywhere.
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["Synthesizer"]

_MAX_DEPTH: Final = 24
_NULL: Final = {"type": "null"}


class Synthesizer:
    """Builds minimal instances of the `$defs` of one bundle.

    Args:
        defs: The bundle's `$defs`, by name.
    """

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def resolve(self, schema: Any) -> Any:
        """Follow `$ref`s to the schema they name."""
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs[str(schema["$ref"]).removeprefix("#/$defs/")]  # pyright: ignore[reportUnknownArgumentType]
        return schema  # pyright: ignore[reportUnknownVariableType]

    def tags(self, schema: Any) -> list[str]:
        """The tag values of a tagged union (`x-discriminator`), in the bundle's order."""
        hint = self.resolve(schema).get("x-discriminator") or {}
        return list(hint.get("mapping", {}))

    def instance(self, schema: Any, *, tag: str | None = None, depth: int = 0) -> Any:
        """A small value valid against `schema`; `tag` picks a tagged union's branch."""
        schema = self.resolve(schema)
        if depth > _MAX_DEPTH or not isinstance(schema, dict):
            return None
        if "const" in schema:
            return schema["const"]
        enum = [value for value in schema.get("enum", ()) if value is not None]
        if enum:
            return enum[0]
        if "anyOf" in schema:
            value = self._union(schema, tag, depth)
        else:
            value = self._typed(schema, depth)
        for part in schema.get("allOf", ()):
            value = _merge(value, self.instance(part, tag=tag, depth=depth + 1))
        return value

    def _union(self, schema: dict[str, Any], tag: str | None, depth: int) -> Any:
        branches: list[Any] = schema["anyOf"]
        hint = schema.get("x-discriminator") or {}
        if tag is not None and tag in hint.get("mapping", {}):
            value = self.instance(branches[hint["mapping"][tag][0]], depth=depth + 1)
            if isinstance(value, dict):
                value[hint["propertyName"]] = tag  # the branch may allow several tag values
            return value  # pyright: ignore[reportUnknownVariableType]
        branch = next((b for b in branches if b != _NULL), _NULL)
        return self.instance(branch, depth=depth + 1)

    def _typed(self, schema: dict[str, Any], depth: int) -> Any:
        kinds = schema.get("type", "object" if "properties" in schema else None)
        kinds = kinds if isinstance(kinds, list) else [kinds]
        kind = next((k for k in kinds if k != "null"), None)
        if kind == "object":
            properties = schema.get("properties", {})
            extra = schema.get("additionalProperties", {})
            return {
                name: self.instance(properties.get(name, extra), depth=depth + 1)
                for name in schema.get("required", ())
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


def _merge(left: Any, right: Any) -> Any:
    """Both parts of an `allOf`: objects merged, otherwise the one that is not None."""
    if isinstance(left, dict) and isinstance(right, dict):
        return {**left, **right}
    return right if left is None else left
