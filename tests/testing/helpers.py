"""Shared helpers: the lenient validator for the mock's answers, and valid request bodies."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from byot.resources._endpoints import ENDPOINTS
from byot.testing._synth import Synthesizer

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "byot" / "schemas" / "openai"
OPERATIONS: dict[str, Any] = orjson.loads((SCHEMAS / "operations.json").read_bytes())["operations"]
EXAMPLES: dict[str, Any] = orjson.loads((SCHEMAS / "examples.json").read_bytes())
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def bundle(name: str) -> Any:
    return orjson.loads((SCHEMAS / name).read_bytes())


@functools.cache
def validator(profile: str, ref: str) -> Draft202012Validator:
    """A plain python-jsonschema validator for one `$defs` pointer of a bundle."""
    schema = bundle(profile)
    registry: Registry[Any] = Registry().with_resource(
        schema["$id"], Resource.from_contents(schema, DRAFT202012)
    )
    return Draft202012Validator({"$ref": schema["$id"] + ref}, registry=registry)


def lenient_errors(instance: Any, ref: str) -> list[str]:
    check = validator("openai.lenient.schema.json", ref)
    return [f"{e.json_path}: {e.message}" for e in check.iter_errors(instance)]


def strict_errors(instance: Any, ref: str) -> list[str]:
    check = validator("openai.schema.json", ref)
    return [f"{e.json_path}: {e.message}" for e in check.iter_errors(instance)]


def valid_body(operation_id: str) -> Any:
    """A request body the operation's spec-faithful schema accepts (None: it takes none)."""
    op = OPERATIONS[operation_id]
    if op["request"] is None:
        return None
    body = Synthesizer(bundle("openai.schema.json")["$defs"]).instance(
        {"$ref": op["request"]["schema"]}
    )
    for name in op["binary_fields"]:
        if name in body:
            body[name] = ("upload.bin", b"file data", "application/octet-stream")
    return body


def call_args(operation_id: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Positional body (if any) and keywords (path values, required query) for `client.call`."""
    endpoint = ENDPOINTS[operation_id]
    keywords: dict[str, Any] = {name: f"{name}-1" for name in PLACEHOLDER.findall(endpoint.path)}
    wire_names = {wire: keyword for keyword, wire in endpoint.query_params.items()}
    for param in OPERATIONS[operation_id]["query_params"]:
        if param["required"]:
            keywords[wire_names[param["name"]]] = 1
    body = valid_body(operation_id)
    return (() if endpoint.body == "none" else (body,)), keywords
