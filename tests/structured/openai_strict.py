"""A checker of OpenAI's strict-mode schema rules, written from its documentation.

Source: OpenAI's "Structured Outputs" guide, section "Supported schemas" (the rules that apply
with `strict: true`), restated here independently of byot's own transform so the table test
checks byot against the documentation rather than against itself:

* supported types: string, number, boolean, integer, object, array, enum, anyOf (and null in
  a union); the root must be an object and must not be `anyOf`;
* every object sets `additionalProperties: false` and lists all its properties in `required`
  (an optional field is a union with null);
* supported keywords beyond the structural ones: strings `pattern` and `format` (date-time,
  time, date, duration, email, hostname, ipv4, ipv6, uuid); numbers `multipleOf`, `maximum`,
  `exclusiveMaximum`, `minimum`, `exclusiveMinimum`; arrays `minItems`, `maxItems`; plus
  `description`, `title`, `enum`, `const`; definitions under `$defs` referred to by `$ref`
  (recursion included, `#` for the root);
* not supported: `allOf`, `not`, `if`/`then`/`else`, `dependentRequired`, `dependentSchemas`,
  `patternProperties`, `propertyNames`, `unevaluatedProperties`, `unevaluatedItems`,
  `contains`, `uniqueItems`, `minLength`/`maxLength`, `minProperties`/`maxProperties`,
  `prefixItems`, and anything else not listed above;
* limits: at most 5000 object properties in all, 10 levels of object nesting, 1000 enum
  values, 120,000 characters of property names, definition names, enum and const values, and
  15,000 characters for the values of one string enum with more than 250 of them.
"""

from __future__ import annotations

from typing import Any

TYPES = {"string", "number", "boolean", "integer", "object", "array", "null"}
FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "items", "anyOf", "enum", "const",
    "$ref", "$defs", "description", "title", "pattern", "format", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "minItems", "maxItems",
}  # fmt: skip


def violations(schema: dict[str, Any]) -> list[str]:
    """Every way `schema` breaks the documented strict-mode rules; empty when it follows them."""
    found: list[str] = []
    if schema.get("type") != "object" or "anyOf" in schema:
        found.append("$: the root must be an object, not anyOf")
    defs = schema.get("$defs", {})
    totals = {"properties": 0, "enum": 0, "chars": sum(len(name) for name in defs)}
    depth = [0]

    def visit(node: Any, where: str, level: int, root: bool = False) -> None:
        if not isinstance(node, dict):
            found.append(f"{where}: a schema must be an object, got {node!r}")
            return
        found.extend(f"{where}: unsupported keyword {key!r}" for key in node if key not in KEYWORDS)
        if "$defs" in node and not root:
            found.append(f"{where}: $defs only at the root")
        if "$ref" in node:
            ref = node["$ref"]
            if len(node) > 1:
                found.append(f"{where}: keywords beside $ref")
            if ref != "#" and not (ref.startswith("#/$defs/") and ref[8:] in defs):
                found.append(f"{where}: $ref {ref!r} points nowhere")
            return
        kinds = node.get("type")
        listed = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        found.extend(f"{where}: unsupported type {kind!r}" for kind in listed if kind not in TYPES)
        if "format" in node and node["format"] not in FORMATS:
            found.append(f"{where}: unsupported format {node['format']!r}")
        if (
            "type" not in node
            and "anyOf" not in node
            and "enum" not in node
            and "const" not in node
        ):
            found.append(f"{where}: no type")
        if "object" in listed or "properties" in node:
            properties = node.get("properties")
            if not isinstance(properties, dict) or not properties:
                found.append(f"{where}: an object needs its properties")
                properties = {}
            if node.get("additionalProperties") is not False:
                found.append(f"{where}: additionalProperties must be false")
            if sorted(node.get("required", [])) != sorted(properties):
                found.append(f"{where}: every property must be required")
            totals["properties"] += len(properties)
            totals["chars"] += sum(len(name) for name in properties)
            depth[0] = max(depth[0], level + 1)
            for name, sub in properties.items():
                visit(sub, f"{where}.{name}", level + 1)
        if "array" in listed and "items" not in node:
            found.append(f"{where}: an array needs items")
        if "items" in node:
            visit(node["items"], f"{where}[]", level)
        for index, member in enumerate(node.get("anyOf", [])):
            visit(member, f"{where}.anyOf[{index}]", level)
        values = node.get("enum", [])
        strings = [value for value in values if isinstance(value, str)]
        totals["enum"] += len(values)
        totals["chars"] += sum(map(len, strings))
        if len(strings) > 250 and sum(map(len, strings)) > 15_000:
            found.append(f"{where}: a large string enum over 15,000 characters")
        if isinstance(node.get("const"), str):
            totals["chars"] += len(node["const"])

    visit(schema, "$", 0, root=True)
    for name, definition in defs.items():
        visit(definition, f"$defs.{name}", 0)
    if totals["properties"] > 5000:
        found.append(f"$: {totals['properties']} properties, more than 5000")
    if depth[0] > 10:
        found.append(f"$: nested {depth[0]} levels, more than 10")
    if totals["enum"] > 1000:
        found.append(f"$: {totals['enum']} enum values, more than 1000")
    if totals["chars"] > 120_000:
        found.append(f"$: {totals['chars']} characters of names and values, more than 120,000")
    return found
