"""tools/gen_schemas.py: the conversion rules on small inputs, and the command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from tests.schemas import GENERATOR, SCHEMAS, generator, needs_spec

if TYPE_CHECKING:
    from pathlib import Path

NULL = {"type": "null"}


def convert(schema: Any, owner: str = "Owner") -> Any:
    converter = generator().Converter()
    converter.owner = owner
    return converter.schema(schema)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(GENERATOR), *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)  # noqa: S603


# --- conversion rules (research/schemas.md section 2) -------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"type": "integer", "nullable": True}, {"type": ["integer", "null"]}),
        (
            {"type": "string", "enum": ["a", "b"], "nullable": True},
            {"type": ["string", "null"], "enum": ["a", "b", None]},
        ),
        (
            {"type": "string", "const": "x", "nullable": True},
            {"type": ["string", "null"], "enum": ["x", None]},
        ),
        ({"type": "string", "nullable": False}, {"type": "string"}),
        (
            {"$ref": "#/components/schemas/X", "nullable": True, "default": None},
            {"anyOf": [{"$ref": "#/$defs/X"}, NULL], "default": None},
        ),
        (
            {"allOf": [{"$ref": "#/components/schemas/X"}, {"nullable": True, "description": "d"}]},
            {"anyOf": [{"$ref": "#/$defs/X"}, NULL]},
        ),
        (
            {"oneOf": [{"$ref": "#/components/schemas/A"}, {"type": "string"}], "nullable": True},
            {"anyOf": [{"$ref": "#/$defs/A"}, {"type": "string"}, NULL]},
        ),
    ],
)
def test_nullable(given: Any, expected: Any) -> None:
    assert convert(given) == expected


def test_any_of_with_null_is_folded_into_the_type() -> None:
    folded = convert(
        {"anyOf": [{"type": "string", "maxLength": 3, "enum": ["a"]}, NULL], "default": "a"}
    )
    assert folded == {
        "type": ["string", "null"],
        "maxLength": 3,
        "enum": ["a", None],
        "default": "a",
    }
    kept = {"anyOf": [{"$ref": "#/$defs/X"}, NULL]}  # a $ref cannot take "null" in a type
    assert convert({"anyOf": [{"$ref": "#/components/schemas/X"}, NULL]}) == kept


def test_one_of_becomes_any_of() -> None:
    assert convert({"oneOf": [{"type": "string"}, {"type": "integer"}]}) == {
        "anyOf": [{"type": "string"}, {"type": "integer"}]
    }
    both = convert({"oneOf": [{"type": "string"}], "anyOf": [{"minLength": 1}]})
    assert both == {"anyOf": [{"type": "string"}], "allOf": [{"anyOf": [{"minLength": 1}]}]}


def test_openapi_3_0_leftovers() -> None:
    assert convert({"type": "number", "minimum": 0, "exclusiveMinimum": True}) == {
        "type": "number",
        "exclusiveMinimum": 0,
    }
    assert convert({"type": "number", "maximum": 1, "exclusiveMaximum": False}) == {
        "type": "number",
        "maximum": 1,
    }
    assert convert({"$recursiveRef": "#"}, owner="CompoundFilter") == {
        "$ref": "#/$defs/CompoundFilter"
    }
    assert convert({"$recursiveAnchor": True, "type": "object"}) == {"type": "object"}
    assert convert({"required": ["a", "b", "a"]}) == {"required": ["a", "b"]}
    huge = convert({"type": "integer", "minimum": -9223372036854776000})
    assert isinstance(huge["minimum"], float)


def test_binary_becomes_content_media_type() -> None:
    upload = {"contentMediaType": "application/octet-stream"}
    assert convert({"type": "string", "format": "binary"}) == upload
    assert convert({"type": "array", "items": {"type": "string", "format": "binary"}}) == {
        "type": "array",
        "items": upload,
    }


def test_docs_and_extensions_are_dropped_and_unknown_keywords_counted() -> None:
    converter = generator().Converter()
    given = {
        "type": "object", "title": "T", "description": "d", "example": 1, "x-oaiMeta": {},
        "deprecated": True, "default": {}, "min_items": 2,
        "properties": {"description": {"type": "string", "description": "a field so named"}},
    }  # fmt: skip
    assert converter.schema(given) == {
        "type": "object", "deprecated": True, "default": {},
        "properties": {"description": {"type": "string"}},
    }  # fmt: skip
    assert converter.dropped == {"min_items": 1}


def test_declared_discriminator_hint() -> None:
    defs = {
        "A": {"type": "object", "properties": {"type": {"enum": ["a"]}}, "required": ["type"]},
        "B": {"type": "object", "properties": {"type": {"enum": ["b", "bb"]}}},  # tag optional
        "C": {"type": "object", "properties": {"type": {"type": "string"}}, "required": ["type"]},
        "U": convert(
            {
                "oneOf": [{"$ref": f"#/components/schemas/{n}"} for n in "ABC"]
                + [{"type": "string"}],
                "discriminator": {"propertyName": "type"},
            }
        ),
    }
    hints = generator().Discriminators(defs)
    hints.annotate(defs["U"], "U")
    assert defs["U"]["x-discriminator"] == {
        "propertyName": "type",
        "mapping": {"a": [0], "b": [1], "bb": [1]},
        "missing": [1],
        "other": [2],
    }
    assert (hints.declared, hints.inferred) == (1, 0)


def test_inferred_discriminator_hint_needs_required_distinct_tags() -> None:
    def message(role: str, *, required: bool = True) -> Any:
        schema = {"type": "object", "properties": {"role": {"type": "string", "enum": [role]}}}
        return schema | {"required": ["role"]} if required else schema

    generated = generator()
    union: dict[str, Any] = {"anyOf": [message("user"), message("system")]}
    generated.Discriminators({}).annotate(union, "U")
    assert union["x-discriminator"]["mapping"] == {"user": [0], "system": [1]}
    for branches in (
        [message("user"), message("user")],
        [message("user"), message("a", required=False)],
    ):
        ambiguous: dict[str, Any] = {"anyOf": branches}
        generated.Discriminators({}).annotate(ambiguous, "U")
        assert "x-discriminator" not in ambiguous


def test_lenient_profile() -> None:
    strict = {
        "type": "object", "required": ["kind"], "additionalProperties": False,
        "properties": {
            "kind": {"type": "string", "enum": ["a"]},
            "fixed": {"const": 1},
            "tags": {"type": "array", "items": {"type": ["string", "null"]}},
            "either": {"anyOf": [{"$ref": "#/$defs/A"}], "x-discriminator": {"propertyName": "t"}},
        },
    }  # fmt: skip
    assert generator().lenient(strict) == {
        "type": ["object", "null"],
        "properties": {
            "kind": {"type": ["string", "null"]},
            "fixed": {},
            "tags": {"type": ["array", "null"], "items": {"type": ["string", "null"]}},
            "either": {
                "anyOf": [{"$ref": "#/$defs/A"}],
                "x-discriminator": {"propertyName": "t", "open": True},
            },
        },
    }


def test_plain_summary_and_result_kind() -> None:
    generated = generator()
    assert (
        generated._plain("**Note:** see [docs](/x) for `more`. Second.")
        == "Note: see docs for more"
    )
    assert generated._result_kind({}) == "empty"
    assert generated._result_kind({"json": "#/$defs/X"}) == "json"
    assert generated._result_kind({"raw": ["application/sdp"]}) == "text"
    assert generated._result_kind({"json": "#/$defs/S", "raw": ["video/mp4"]}) == "binary"


# --- the command line ---------------------------------------------------------------------------


def test_missing_spec_exits_2_and_says_where_it_looked(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "openapi.json"
    result = run("--spec", str(missing), "--check")
    assert result.returncode == 2
    assert str(missing) in result.stdout


@needs_spec
def test_check_passes_on_the_committed_files() -> None:
    result = run("--check")
    assert (result.returncode, result.stdout) == (0, "")


@needs_spec
def test_check_fails_when_a_generated_file_differs(tmp_path: Path) -> None:
    out = tmp_path / "openai"
    shutil.copytree(SCHEMAS, out)
    assert run("--check", "--out", str(out)).returncode == 0
    index = out / "operations.json"
    index.write_text(
        index.read_text(encoding="utf-8").replace('"POST"', '"PUT"', 1), encoding="utf-8"
    )
    (out / "SOURCE.json").unlink()
    result = run("--check", "--out", str(out))
    assert result.returncode == 1
    assert "SOURCE.json, operations.json" in result.stdout
    assert "openai.schema.json" not in result.stdout


@needs_spec
def test_writes_the_committed_files(tmp_path: Path) -> None:
    out = tmp_path / "fresh"
    assert run("--out", str(out)).returncode == 0
    written = sorted(path.name for path in out.iterdir())
    assert written == [
        "SOURCE.json",
        "examples.json",
        "openai.lenient.schema.json",
        "openai.schema.json",
        "operations.json",
    ]
    for name in written:
        assert (out / name).read_bytes() == (SCHEMAS / name).read_bytes(), name
