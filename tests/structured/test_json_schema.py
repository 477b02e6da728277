"""`byot.json_schema`: each kind of type, the strict transform, and its errors.

The table test (`test_table.py`) checks many types against OpenAI's rules and round-trips
instances; this file pins the exact schemas and every error path.
"""

from __future__ import annotations

import dataclasses
import datetime  # noqa: TC003 - get_type_hints resolves it at run time
import enum
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, NewType, Optional

import annotated_types as at
import attrs
import msgspec
import pydantic
import pytest
from typing_extensions import NotRequired, ReadOnly, Required, TypedDict

import byot
from byot import _json_schema
from byot.errors import SchemaGenerationError


@dataclasses.dataclass
class Point:
    """A point in the plane.

    Attributes:
        x: The horizontal coordinate,
            which may wrap onto a second line.
        y (float): The vertical one.
    """

    x: float
    y: float
    label: str | None = None


@dataclasses.dataclass
class Tree:
    value: int
    children: list[Tree] | None = None


@dataclasses.dataclass
class Forest:
    trees: list[Tree]
    biggest: Tree | None


class Movie(TypedDict, total=False):
    """A film."""

    title: Required[str]
    year: int
    tags: ReadOnly[list[str]]


class Strict(TypedDict):
    name: str
    nick: NotRequired[str]


@attrs.define
class Person:
    name: str = attrs.field(metadata={"description": "Full name"})
    age: int | None = None


class Color(enum.Enum):
    """A primary colour."""

    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Shape(pydantic.BaseModel):
    """A shape."""

    kind: Literal["circle", "square"]
    size: float = pydantic.Field(gt=0, description="Side or radius")
    color: Color = Color.RED
    note: str | None = None


class Part(msgspec.Struct):
    sku: Annotated[str, msgspec.Meta(pattern="^[A-Z]+$", description="Stock code")]
    count: Annotated[int, msgspec.Meta(ge=1)] = 1
    sub: Part | None = None


OtherPart = pydantic.create_model("Part", name=(str, ...))
Holder = pydantic.create_model("Holder", part=(OtherPart, ...))


@dataclasses.dataclass
class Both:
    mine: Part
    theirs: Holder  # type: ignore[valid-type]


@dataclasses.dataclass
class Route:
    start: Annotated[Point, "Where it begins"]
    end: Point


@dataclasses.dataclass
class Loop:
    again: Annotated[Loop | None, "Another round"]


@dataclasses.dataclass
class Item:
    """An item.

    Args:
        A line that names nothing.
        name: Ignored when metadata names it.
    Attributes:
        qty: How many.

    Notes after the section are not attribute docs.
    """

    name: str = dataclasses.field(metadata={"description": "What it is"})
    qty: int = 0
    price: Annotated[float, "Unit price"] = 0.0


@dataclasses.dataclass
class Bare:
    x: int


class Blank(TypedDict):
    """ """

    x: int


class Cat(pydantic.BaseModel):
    kind: Literal["cat"]


class Dog(pydantic.BaseModel):
    kind: Literal["dog"]


class Event(pydantic.BaseModel):
    at: str = pydantic.Field(json_schema_extra={"format": "date-time"})
    link: str = pydantic.Field(json_schema_extra={"format": "uri", "examples": ["https://x"]})
    pet: Cat | Dog = pydantic.Field(discriminator="kind")


@dataclasses.dataclass
class Meeting:
    when: datetime.datetime


def test_exported() -> None:
    assert byot.json_schema is _json_schema.json_schema


def test_dataclass_strict() -> None:
    assert byot.json_schema(Point) == {
        "type": "object",
        "title": "Point",
        "description": "A point in the plane.",
        "properties": {
            "x": {
                "type": "number",
                "description": "The horizontal coordinate, which may wrap onto a second line.",
            },
            "y": {"type": "number", "description": "The vertical one."},
            "label": {"type": ["string", "null"]},
        },
        "required": ["x", "y", "label"],
        "additionalProperties": False,
    }


def test_dataclass_faithful() -> None:
    schema = byot.json_schema(Point, strict=False)
    assert schema["required"] == ["x", "y"]
    assert "additionalProperties" not in schema


def test_recursion_refers_to_the_root_and_to_definitions() -> None:
    assert byot.json_schema(Tree)["properties"]["children"] == {
        "anyOf": [{"type": "array", "items": {"$ref": "#"}}, {"type": "null"}]
    }
    forest = byot.json_schema(Forest)
    assert forest["properties"]["trees"] == {"type": "array", "items": {"$ref": "#/$defs/Tree"}}
    assert forest["properties"]["biggest"] == {
        "anyOf": [{"$ref": "#/$defs/Tree"}, {"type": "null"}]
    }
    assert forest["$defs"]["Tree"]["properties"]["children"] == {
        "anyOf": [{"type": "array", "items": {"$ref": "#/$defs/Tree"}}, {"type": "null"}]
    }
    assert forest["$defs"]["Tree"]["required"] == ["value", "children"]


def test_typeddict_required_keys() -> None:
    faithful = byot.json_schema(Movie, strict=False)
    assert faithful["required"] == ["title"]
    assert faithful["additionalProperties"] is False
    assert faithful["description"] == "A film."
    assert faithful["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert byot.json_schema(Movie)["required"] == ["title", "year", "tags"]
    assert byot.json_schema(Strict, strict=False)["required"] == ["name"]
    # A key the model may leave out keeps its type: it must be filled in under strict mode.
    assert byot.json_schema(Strict)["properties"]["nick"] == {"type": "string"}


def test_attrs_class() -> None:
    assert byot.json_schema(Person) == {
        "type": "object",
        "title": "Person",
        "properties": {
            "name": {"type": "string", "description": "Full name"},
            "age": {"type": ["integer", "null"]},
        },
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    assert byot.json_schema(Person, strict=False)["required"] == ["name"]


def test_pydantic_model() -> None:
    schema = byot.json_schema(Shape)
    assert schema["required"] == ["kind", "size", "color", "note"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["size"] == {
        "description": "Side or radius",
        "exclusiveMinimum": 0.0,
        "title": "Size",
        "type": "number",
    }
    # The enum's $ref had a default beside it: inlined, and the definition no longer needed.
    assert schema["properties"]["color"]["enum"] == ["red", "green"]
    assert "$defs" not in schema
    assert "default" not in str(schema)


def test_msgspec_struct() -> None:
    assert byot.json_schema(Part) == {
        "title": "Part",
        "type": "object",
        "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]+$", "description": "Stock code"},
            "count": {"type": "integer", "minimum": 1},
            "sub": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
        },
        "required": ["sku", "count", "sub"],
        "additionalProperties": False,
    }


def test_foreign_definitions_are_renamed_when_names_clash() -> None:
    schema = byot.json_schema(Both)
    assert set(schema["$defs"]) == {"Part", "Holder", "Part2"}
    assert schema["$defs"]["Holder"]["properties"]["part"] == {"$ref": "#/$defs/Part2"}
    assert schema["$defs"]["Part2"]["properties"] == {"name": {"title": "Name", "type": "string"}}


def test_plain_types() -> None:
    assert byot.json_schema(str) == {"type": "string"}
    assert byot.json_schema(None) == {"type": "null"}
    assert byot.json_schema(type(None)) == {"type": "null"}
    assert byot.json_schema(bool) == {"type": "boolean"}
    assert byot.json_schema(Optional[int]) == {"type": ["integer", "null"]}  # noqa: UP045
    assert byot.json_schema(int | str | None) == {"type": ["integer", "string", "null"]}
    assert byot.json_schema(Literal["a", "b"]) == {"type": "string", "enum": ["a", "b"]}
    assert byot.json_schema(Literal[1, "a"]) == {"type": ["integer", "string"], "enum": [1, "a"]}
    assert byot.json_schema(Literal["a", None]) == {  # noqa: PYI061 - the spelling under test
        "type": ["string", "null"],
        "enum": ["a", None],
    }
    assert byot.json_schema(Literal[b"raw"], strict=False) == {"enum": [b"raw"]}
    assert byot.json_schema(Color) == {
        "type": "string",
        "enum": ["red", "green"],
        "description": "A primary colour.",
    }
    assert byot.json_schema(Level) == {"type": "integer", "enum": [1, 2]}
    assert byot.json_schema(Sequence[str]) == {"type": "array", "items": {"type": "string"}}
    assert byot.json_schema(tuple[int, ...]) == {"type": "array", "items": {"type": "integer"}}
    assert byot.json_schema(tuple[()]) == {"type": "array", "maxItems": 0}
    assert byot.json_schema(frozenset[str]) == {
        "type": "array",
        "items": {"type": "string"},
        "description": "uniqueItems: true",
    }
    assert byot.json_schema(NewType("UserId", int)) == {"type": "integer"}
    assert byot.json_schema(Required[int]) == {"type": "integer"}
    union = byot.json_schema(Point | Tree | None)
    assert union["anyOf"] == [
        {"$ref": "#/$defs/Point"},
        {"$ref": "#/$defs/Tree"},
        {"type": "null"},
    ]
    assert byot.json_schema(int | (str | int)) == {"type": ["integer", "string"]}
    assert byot.json_schema(list[int] | Sequence[int]) == {
        "type": "array",
        "items": {"type": "integer"},
    }
    assert byot.json_schema(Literal[True, 1.5]) == {
        "type": ["boolean", "number"],
        "enum": [True, 1.5],
    }


def test_faithful_containers() -> None:
    assert byot.json_schema(dict[str, int], strict=False) == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
    }
    assert byot.json_schema(Mapping, strict=False) == {"type": "object"}
    assert byot.json_schema(dict[Literal["a"], int], strict=False)["type"] == "object"
    assert byot.json_schema(tuple[int, str], strict=False) == {
        "type": "array",
        "prefixItems": [{"type": "integer"}, {"type": "string"}],
        "items": False,
        "minItems": 2,
        "maxItems": 2,
    }
    assert byot.json_schema(tuple, strict=False) == {"type": "array"}
    assert byot.json_schema(set, strict=False) == {
        "type": "array",
        "items": {},
        "uniqueItems": True,
    }
    assert byot.json_schema(list, strict=False) == {"type": "array"}
    assert byot.json_schema(Any, strict=False) == {}


def test_annotated_constraints_and_descriptions() -> None:
    assert byot.json_schema(Annotated[int, at.Ge(0), at.Lt(10), "A digit"]) == {
        "type": "integer",
        "minimum": 0,
        "exclusiveMaximum": 10,
        "description": "A digit",
    }
    assert byot.json_schema(Annotated[float, at.Interval(gt=0, le=1), at.MultipleOf(0.5)]) == {
        "type": "number",
        "exclusiveMinimum": 0,
        "maximum": 1,
        "multipleOf": 0.5,
    }
    assert byot.json_schema(Annotated[str, at.Len(1, 5)], strict=False) == {
        "type": "string",
        "minLength": 1,
        "maxLength": 5,
    }
    # Strict mode has no minLength/maxLength: the model is told in the description instead.
    assert byot.json_schema(Annotated[str, at.MaxLen(5), "Short"]) == {
        "type": "string",
        "description": "Short (maxLength: 5)",
    }
    assert byot.json_schema(Annotated[list[int], at.MinLen(1), at.MaxLen(3)]) == {
        "type": "array",
        "items": {"type": "integer"},
        "minItems": 1,
        "maxItems": 3,
    }
    assert byot.json_schema(Annotated[dict[str, int], at.MinLen(1)], strict=False) == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "minProperties": 1,
    }
    assert byot.json_schema(Annotated[str, pydantic.Field(description="Kind", min_length=2)]) == {
        "type": "string",
        "description": "Kind (minLength: 2)",
    }
    assert byot.json_schema(Annotated[str, Compiled(re.compile("^a"))]) == {
        "type": "string",
        "pattern": "^a",
    }
    assert byot.json_schema(Annotated[int, object()]) == {"type": "integer"}
    assert byot.json_schema(Annotated[Point, at.Ge(0)], strict=False) == {
        "$ref": "#/$defs/Point",
        "minimum": 0,
        "$defs": {"Point": byot.json_schema(Point, strict=False)},
    }
    # A numeric bound beside a type list applies to its numbers only (null passes).
    assert byot.json_schema(Annotated[int | None, at.Ge(1), "n"]) == {
        "type": ["integer", "null"],
        "minimum": 1,
        "description": "n",
    }
    assert byot.json_schema(Annotated[list[int] | None, at.MaxLen(2)]) == {
        "anyOf": [{"type": "array", "items": {"type": "integer"}, "maxItems": 2}, {"type": "null"}]
    }


def test_a_described_reference_is_inlined() -> None:
    schema = byot.json_schema(Route)
    assert schema["properties"]["start"]["description"] == "Where it begins"
    assert schema["properties"]["start"]["properties"]["x"]["type"] == "number"
    assert schema["properties"]["end"] == {"$ref": "#/$defs/Point"}
    faithful = byot.json_schema(Route, strict=False)
    assert faithful["properties"]["start"] == {
        "$ref": "#/$defs/Point",
        "description": "Where it begins",
    }


def test_a_described_root_reference_is_inlined() -> None:
    schema = byot.json_schema(Loop)
    assert schema["properties"]["again"]["anyOf"] == [{"$ref": "#"}, {"type": "null"}]
    assert schema["properties"]["again"]["description"] == "Another round"


def test_field_descriptions_from_metadata_and_docs() -> None:
    schema = byot.json_schema(Item)
    assert schema["description"] == "An item."
    assert schema["properties"]["name"]["description"] == "What it is"
    assert schema["properties"]["qty"]["description"] == "How many."
    assert schema["properties"]["price"]["description"] == "Unit price"


def test_generated_and_inherited_docstrings_are_not_descriptions() -> None:
    assert "description" not in byot.json_schema(Bare)
    assert "description" not in byot.json_schema(Blank)
    assert "description" not in byot.json_schema(Level)

    class Plain(enum.Enum):
        """An enumeration."""  # what Python 3.10 writes for an Enum without a docstring

        ONE = 1

    assert "description" not in byot.json_schema(Plain)


def test_foreign_keywords_in_strict_mode() -> None:
    schema = byot.json_schema(Event)
    assert schema["properties"]["at"] == {"format": "date-time", "title": "At", "type": "string"}
    assert schema["properties"]["link"] == {
        "title": "Link",
        "type": "string",
        "description": "examples: ['https://x']; format: uri",
    }
    assert schema["properties"]["pet"]["anyOf"] == [
        {"$ref": "#/$defs/Cat"},
        {"$ref": "#/$defs/Dog"},
    ]


def test_single_all_of_is_flattened() -> None:
    generator = _json_schema.StrictTransform(
        "T",
        {
            "type": "object",
            "properties": {
                "a": {"allOf": [{"$ref": "#/$defs/A"}], "description": "An A"},
                "b": {"allOf": [{"$ref": "#/$defs/A"}]},
                "c": {"allOf": [{"type": "integer"}], "description": "C"},
            },
            "$defs": {"A": {"type": "string"}},
        },
    )
    schema = generator.apply()
    assert schema["properties"] == {
        "a": {"type": "string", "description": "An A"},
        "b": {"$ref": "#/$defs/A"},
        "c": {"type": "integer", "description": "C"},
    }
    assert schema["$defs"] == {"A": {"type": "string"}}


def test_an_array_of_no_items() -> None:
    schema = {"type": "object", "properties": {"none": {"type": "array", "items": False}}}
    assert _json_schema.StrictTransform("T", schema).apply()["properties"]["none"] == {
        "type": "array",
        "maxItems": 0,
    }


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"allOf": [{"type": "string"}, {"type": "string"}]}, "allOf"),
        ({"not": {"type": "string"}}, "'not' is not supported"),
        ({"type": "string", "if": {}, "then": {}}, "conditional schemas"),
        ({"type": "object", "patternProperties": {}}, "patternProperties"),
        ({"type": "string", "x-custom": 1}, "the keyword 'x-custom'"),
        ({"$ref": "#/$defs/Nowhere", "description": "d"}, "points nowhere"),
        ({"type": "object"}, "without named properties"),
    ],
)
def test_strict_mode_rejects_what_it_cannot_express(schema: dict[str, Any], reason: str) -> None:
    with pytest.raises(SchemaGenerationError, match=re.escape(reason)):
        _json_schema.StrictTransform("T", {"type": "object", "properties": {"f": schema}}).apply()


class Compiled:
    """A marker holding a compiled pattern, as some constraint libraries do."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern


class Inventory(pydantic.BaseModel):
    counts: dict[str, int]


@pytest.mark.parametrize(
    ("tp", "field", "reason"),
    [
        (dict[str, int], "dict[str, int]", "free-form keys"),
        (Inventory, "Inventory.counts", "free-form keys"),
        (tuple[int, str], "tuple[int, str]", "fixed-length tuple"),
        (Any, "Any", "any JSON value"),
        (list, "list", "items may be anything"),
        (list[Any], "list[Any][]", "any JSON value"),
    ],
)
def test_strict_errors_name_the_field(tp: object, field: str, reason: str) -> None:
    with pytest.raises(SchemaGenerationError, match=re.escape(reason)) as caught:
        byot.json_schema(tp)
    error = caught.value
    assert error.field == field
    assert error.strict
    assert error.hint
    assert isinstance(error, TypeError)
    assert "strict JSON schema" in str(error)


def test_unsupported_types_name_the_field() -> None:
    with pytest.raises(SchemaGenerationError) as caught:
        byot.json_schema(Meeting, strict=False)
    assert caught.value.field == "Meeting.when"
    assert str(caught.value) == (
        "cannot make a JSON schema for Meeting (at Meeting.when): datetime has no JSON Schema; "
        "use str, int, float, bool, None, Literal, an Enum, list, dict[str, V] or a dataclass, "
        "TypedDict, attrs class, pydantic model or msgspec Struct"
    )
    with pytest.raises(SchemaGenerationError, match="keys are strings, not int"):
        byot.json_schema(dict[int, str], strict=False)


def test_unresolvable_annotations_are_reported() -> None:
    class Local(msgspec.Struct):
        x: int

    @dataclasses.dataclass
    class Uses:
        local: Local

    with pytest.raises(SchemaGenerationError, match=r"Uses: an annotation cannot be resolved"):
        byot.json_schema(Uses)


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        (
            {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(5000)}},
            "5001 properties in all",
        ),
        ({"type": "string", "enum": [str(i) for i in range(1001)]}, "1001 enumeration values"),
        ({"type": "string", "enum": ["x" * 60 for _ in range(251)]}, "251 strings totals more"),
        (
            {"type": "object", "properties": {"a" * 120_000: {"type": "string"}}},
            "total 120001 characters",
        ),
        ({"const": "c" * 120_000}, "total 120001 characters"),
    ],
)
def test_size_limits(schema: dict[str, Any], reason: str) -> None:
    with pytest.raises(SchemaGenerationError, match=reason):
        _json_schema.check_limits("T", {"type": "object", "properties": {"f": schema}})


def test_nesting_limit_counts_objects_not_definitions() -> None:
    def nest(depth: int) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string"}
        for _ in range(depth):
            schema = {"type": "object", "properties": {"n": schema}}
        return schema

    _json_schema.check_limits("T", {**nest(10), "$defs": {"D": nest(10)}})
    with pytest.raises(SchemaGenerationError, match="nested 11 deep, more than 10"):
        _json_schema.check_limits("T", nest(11))
    with pytest.raises(SchemaGenerationError, match="nested 11 deep"):
        _json_schema.check_limits("T", {"anyOf": [nest(11)]})


def test_cached_per_type_and_copied_out() -> None:
    first = byot.json_schema(Point)
    first["properties"].clear()
    assert byot.json_schema(Point)["properties"]
    assert _json_schema.cached_schema(Point, strict=True) is _json_schema.cached_schema(
        Point, strict=True
    )


def test_unhashable_annotated_metadata_is_not_cached() -> None:
    class Unhashable:
        __hash__ = None  # type: ignore[assignment]
        description = "From an unhashable marker"

    tp = Annotated[int, Unhashable()]
    with pytest.raises(TypeError):
        hash(tp)
    assert byot.json_schema(tp) == {"type": "integer", "description": "From an unhashable marker"}


def test_no_optional_library_is_imported_for_plain_types() -> None:
    script = (
        "import dataclasses, sys\n"
        "import byot\n"
        "@dataclasses.dataclass\n"
        "class Point:\n"
        "    x: float\n"
        "byot.json_schema(Point)\n"
        "byot.response_format(Point)\n"
        "heavy = ('pydantic', 'msgspec', 'attr', 'attrs', 'jsonschema', 'jiter')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout == "[]\n"
