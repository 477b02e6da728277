"""The table test of `byot.json_schema` and `parse`'s decoding, over many types of every kind.

For each type: the strict schema parse sends passes the checker of OpenAI's documented rules
(openai_strict.py); hypothesis-generated instances, written as a model would write them (every
field present), validate against that schema and against the faithful one with jsonschema, and
decode back equal through the very path `parse` uses. Types strict mode cannot express raise
the documented `SchemaGenerationError` naming the field.
"""

from __future__ import annotations

import dataclasses
import datetime  # noqa: TC003 - get_type_hints resolves it at run time
import enum
import types
import typing
from typing import Annotated, Any, Literal

import annotated_types as at
import attrs
import msgspec
import orjson
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from typing_extensions import NotRequired, Required, TypedDict

import byot
from byot._codec import get_type_hints, is_typeddict
from byot._structured import _output
from byot.errors import SchemaGenerationError
from tests.structured.openai_strict import violations

# ----------------------------------------------------------------------------- the types


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclasses.dataclass
class Point:
    """A point.

    Attributes:
        x: Horizontal.
        y: Vertical.
    """

    x: float
    y: float


@dataclasses.dataclass
class Labelled:
    label: str
    note: str | None = None
    count: int = 0


@dataclasses.dataclass
class Line:
    start: Point
    end: Point


@dataclasses.dataclass
class Tree:
    value: int
    children: list[Tree]


@dataclasses.dataclass
class Task:
    title: str
    color: Color
    priority: Priority
    state: Literal["open", "done"]


@dataclasses.dataclass
class Polygon:
    corners: list[Point]
    name: str | None


@dataclasses.dataclass
class Circle:
    kind: Literal["circle"]
    radius: float


@dataclasses.dataclass
class Square:
    kind: Literal["square"]
    side: float


@dataclasses.dataclass
class Drawing:
    shapes: list[Circle | Square]


@dataclasses.dataclass
class Measured:
    percent: Annotated[int, at.Ge(0), at.Le(100), "A share"]
    code: Annotated[str, at.MaxLen(4)]
    weight: Annotated[float, at.Gt(0)]
    tags: Annotated[list[str], at.MaxLen(3)]


class Movie(TypedDict):
    title: str
    year: int


class Draft(TypedDict, total=False):
    title: Required[str]
    body: str


class Profile(TypedDict):
    name: str
    nickname: NotRequired[str]


@dataclasses.dataclass
class Account:
    owner: Profile
    movies: list[Movie]


class Comment(TypedDict):
    text: str
    replies: list[Comment]


@attrs.define
class Book:
    title: str
    pages: int


@attrs.define
class Shelf:
    books: list[Book]
    label: str | None = None
    position: Point | None = None


@attrs.frozen
class Version:
    major: int
    minor: int = 0
    tag: Literal["alpha", "beta"] | None = None


class User(pydantic.BaseModel):
    name: str
    age: int


class Limited(pydantic.BaseModel):
    """Something with limits."""

    age: int = pydantic.Field(ge=0, le=150, description="Years")
    nick: str = pydantic.Field(max_length=8)
    ratio: float = pydantic.Field(gt=0, lt=1)


class Team(pydantic.BaseModel):
    lead: User
    members: list[User]
    color: Color


class Folder(pydantic.BaseModel):
    name: str
    children: list[Folder]


class Settings(pydantic.BaseModel):
    theme: str | None = None
    size: int | None = None
    flags: set[str]
    mode: Literal["a", "b"] = "a"


class Cat(pydantic.BaseModel):
    kind: Literal["cat"]
    lives: int


class Dog(pydantic.BaseModel):
    kind: Literal["dog"]
    good: bool


class Owner(pydantic.BaseModel):
    pet: Cat | Dog = pydantic.Field(discriminator="kind")


class Item(msgspec.Struct):
    sku: str
    qty: int


class Bounded(msgspec.Struct):
    qty: Annotated[int, msgspec.Meta(ge=1, le=10)]
    code: Annotated[str, msgspec.Meta(pattern="^[A-Z]{2}$")]


class Node(msgspec.Struct):
    name: str
    next: Node | None = None


class Basket(msgspec.Struct):
    items: list[Item]
    coupon: str | None = None
    tags: frozenset[str] = frozenset()


@dataclasses.dataclass
class Mixed:
    user: User
    item: Item
    book: Book
    movie: Movie


ROWS: list[tuple[str, Any]] = [
    ("str", str),
    ("int", int),
    ("float", float),
    ("bool", bool),
    ("none", type(None)),
    ("literal-str", Literal["a", "b"]),
    ("literal-int", Literal[1, 2, 3]),
    ("enum", Color),
    ("int-enum", Priority),
    ("optional-int", int | None),
    ("int-or-str", int | str),
    ("list-int", list[int]),
    ("list-bounded", Annotated[list[str], at.MinLen(1), at.MaxLen(3)]),
    ("tuple-variadic", tuple[int, ...]),
    ("nested-lists", list[list[float]]),
    ("int-bounds", Annotated[int, at.Ge(0), at.Le(100)]),
    ("str-max-length", Annotated[str, at.MaxLen(5)]),
    ("float-positive", Annotated[float, at.Gt(0)]),
    ("dataclass", Point),
    ("dataclass-defaults", Labelled),
    ("dataclass-nested", Line),
    ("dataclass-recursive", Tree),
    ("dataclass-enums", Task),
    ("dataclass-list-of-nested", Polygon),
    ("dataclass-union", Drawing),
    ("dataclass-annotated", Measured),
    ("typeddict", Movie),
    ("typeddict-total-false", Draft),
    ("typeddict-not-required", Profile),
    ("typeddict-in-dataclass", Account),
    ("typeddict-recursive", Comment),
    ("attrs", Book),
    ("attrs-defaults-nested", Shelf),
    ("attrs-frozen", Version),
    ("pydantic", User),
    ("pydantic-constraints", Limited),
    ("pydantic-nested-enum", Team),
    ("pydantic-recursive", Folder),
    ("pydantic-optional-set", Settings),
    ("pydantic-discriminated", Owner),
    ("msgspec", Item),
    ("msgspec-meta", Bounded),
    ("msgspec-recursive", Node),
    ("msgspec-defaults-frozenset", Basket),
    ("list-of-dataclass", list[Point]),
    ("optional-dataclass", Point | None),
    ("mixed-kinds", Mixed),
]


# ----------------------------------------------------------------------------- strategies

_STRATEGIES: dict[Any, st.SearchStrategy[Any]] = {}


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Instances of a type, for the kinds in the table (recursion through `st.deferred`)."""
    try:
        return _STRATEGIES[tp]
    except KeyError:
        pass
    except TypeError:
        return _strategy(tp)
    _STRATEGIES[tp] = st.deferred(lambda: made)
    made = _strategy(tp)
    _STRATEGIES[tp] = made
    return made


_SCALARS: dict[Any, st.SearchStrategy[Any]] = {
    str: st.text(max_size=8),
    int: st.integers(-(10**9), 10**9),
    float: st.floats(allow_nan=False, allow_infinity=False),
    bool: st.booleans(),
    type(None): st.none(),
}


def _strategy(tp: Any) -> st.SearchStrategy[Any]:
    if isinstance(tp, type) and tp in _SCALARS:
        return _SCALARS[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        # Whatever the constraint library, the faithful schema says what is allowed.
        schema = byot.json_schema(tp, strict=False)
        valid = Draft202012Validator(schema).is_valid
        if args[0] is int:
            base: st.SearchStrategy[Any] = st.integers(schema.get("minimum"), schema.get("maximum"))
        elif "pattern" in schema:
            base = st.from_regex(schema["pattern"], fullmatch=True)
        else:
            base = strategy(args[0])
        return base.filter(lambda value: valid(to_json(value)))
    if origin in (Required, NotRequired):
        return strategy(args[0])
    if origin is Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([strategy(member) for member in args])
    if origin is list:
        return st.lists(strategy(args[0]), max_size=3)
    if origin is tuple:
        return st.lists(strategy(args[0]), max_size=3).map(tuple)
    if origin in (set, frozenset):
        return st.frozensets(strategy(args[0]), max_size=3).map(origin)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if is_typeddict(tp):  # every key present: strict mode has the model fill them all
        return st.fixed_dictionaries({k: strategy(v) for k, v in get_type_hints(tp).items()})
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        fields = {
            name: strategy(
                Annotated[(field.annotation, *field.metadata)]
                if field.metadata
                else field.annotation
            )
            for name, field in tp.model_fields.items()
        }
        return st.builds(tp, **fields)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        fields = {f.name: strategy(f.type) for f in msgspec.structs.fields(tp)}
        return st.builds(tp, **fields)
    hints = get_type_hints(tp)
    names = (
        [f.name for f in dataclasses.fields(tp)]
        if dataclasses.is_dataclass(tp)
        else [a.name for a in attrs.fields(tp)]
    )
    return st.builds(tp, **{name: strategy(hints[name]) for name in names})


def to_json(value: Any) -> Any:
    """A value as a model would write it under strict mode: every field present."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, msgspec.Struct):
        return to_json(msgspec.to_builtins(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if attrs.has(type(value)):
        return {a.name: to_json(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(to_json(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


# ----------------------------------------------------------------------------- the tests


def test_the_table_is_big_enough() -> None:
    assert len(ROWS) >= 40
    assert len({name for name, _ in ROWS}) == len(ROWS)


@pytest.mark.parametrize(("name", "tp"), ROWS, ids=[name for name, _ in ROWS])
def test_the_schema_sent_follows_openai_strict_rules(name: str, tp: Any) -> None:
    schema = _output(tp, strict=True).schema
    assert violations(schema) == []
    Draft202012Validator.check_schema(schema)
    Draft202012Validator.check_schema(byot.json_schema(tp, strict=False))


@pytest.mark.parametrize(("name", "tp"), ROWS, ids=[name for name, _ in ROWS])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_instances_round_trip(name: str, tp: Any, data: st.DataObject) -> None:
    value = data.draw(strategy(tp))
    output = _output(tp, strict=True)
    written = to_json(value)
    Draft202012Validator(byot.json_schema(tp, strict=False)).validate(written)
    payload = {"value": written} if output.wrapped else written
    Draft202012Validator(output.schema).validate(payload)
    decoded = output.decode(orjson.dumps(payload).decode(), response=None)
    assert decoded == value


class Counts(pydantic.BaseModel):
    counts: dict[str, int]


class Pair(msgspec.Struct):
    both: tuple[int, str]


@dataclasses.dataclass
class Anything:
    payload: Any


@dataclasses.dataclass
class WithMapping:
    scores: dict[str, float]


@dataclasses.dataclass
class WithTime:
    at: datetime.datetime


class NoKeys(TypedDict):
    inner: dict[str, str]


@pytest.mark.parametrize(
    ("tp", "field", "reason"),
    [
        (dict[str, int], "dict[str, int]", "free-form keys"),
        (WithMapping, "WithMapping.scores", "free-form keys"),
        (Counts, "Counts.counts", "free-form keys"),
        (NoKeys, "NoKeys.inner", "free-form keys"),
        (tuple[int, str], "tuple[int, str]", "fixed-length tuple"),
        (Pair, "Pair.both", "fixed-length tuple"),
        (Anything, "Anything.payload", "any JSON value"),
        (list[Any], "list[Any][]", "any JSON value"),
        (WithTime, "WithTime.at", "datetime has no JSON Schema"),
    ],
)
def test_what_strict_mode_cannot_express(tp: Any, field: str, reason: str) -> None:
    with pytest.raises(SchemaGenerationError, match=reason) as caught:
        byot.json_schema(tp)
    assert caught.value.field == field
    assert caught.value.hint


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "array", "items": {"type": "string"}}, "the root must be an object"),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "additionalProperties",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string"}},
                "additionalProperties": False,
            },
            "every property must be required",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "string", "minLength": 1}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "unsupported keyword 'minLength'",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"$ref": "#/$defs/A", "description": "d"}},
                "required": ["a"],
                "additionalProperties": False,
                "$defs": {"A": {"type": "string", "format": "uri"}},
            },
            "keywords beside $ref",
        ),
        (
            {
                "type": "object",
                "properties": {"a": {"type": "array"}},
                "required": ["a"],
                "additionalProperties": False,
            },
            "an array needs items",
        ),
    ],
)
def test_the_checker_finds_violations(schema: dict[str, Any], problem: str) -> None:
    assert any(problem in found for found in violations(schema)), violations(schema)
