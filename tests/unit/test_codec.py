"""JSON both ways: request bodies of every kind out, the caller's own types in.

The response types are declared at module level under `from __future__ import annotations`, so
every annotation is a string the decoder must resolve (forward references included).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import re
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NewType, Optional, Union

import attrs
import msgspec
import orjson
import pydantic
import pytest
from typing_extensions import LiteralString, TypedDict

from byot import _codec
from byot._codec import decode_object, decoder_for, encode
from byot.errors import DecodeError

# ----------------------------------------------------------------------------- encoding types


@dataclasses.dataclass
class Message:
    role: str
    content: str | None = None
    name: str | None = None


@attrs.define
class Tool:
    name: str
    description: str | None = None


class PydanticRequest(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(populate_by_name=True)

    max_tokens: int | None = pydantic.Field(default=None, alias="maxTokens")
    temperature: float = 1.0
    stop: str | None = None


class StructRequest(msgspec.Struct, rename="camel"):
    max_tokens: int
    user_id: str | msgspec.UnsetType = msgspec.UNSET
    stop: str | None = None


class Color(enum.Enum):
    RED = "red"


# ----------------------------------------------------------------------------- encoding


@pytest.mark.parametrize(
    ("body", "json"),
    [
        pytest.param(
            {"model": "m", "stop": None}, {"model": "m", "stop": None}, id="dict-as-written"
        ),
        pytest.param(Message("user", "hi"), {"role": "user", "content": "hi"}, id="dataclass"),
        pytest.param(
            {"messages": [Message("system"), Message("user", "hi", name="ann")]},
            {"messages": [{"role": "system"}, {"role": "user", "content": "hi", "name": "ann"}]},
            id="dataclass-nested",
        ),
        pytest.param(Tool("search"), {"name": "search"}, id="attrs"),
        pytest.param(
            {"tools": [Tool("a", "b")]},
            {"tools": [{"name": "a", "description": "b"}]},
            id="attrs-nested",
        ),
        pytest.param(
            # exclude_none and by_alias; a non-None default is still sent.
            PydanticRequest(maxTokens=5),
            {"maxTokens": 5, "temperature": 1.0},
            id="pydantic",
        ),
        pytest.param(
            {"req": PydanticRequest(stop="x")},
            {"req": {"temperature": 1.0, "stop": "x"}},
            id="pydantic-nested",
        ),
        pytest.param(StructRequest(max_tokens=5), {"maxTokens": 5}, id="msgspec-unset-and-none"),
        pytest.param(
            StructRequest(max_tokens=5, user_id="u", stop="s"),
            {"maxTokens": 5, "userId": "u", "stop": "s"},
            id="msgspec-renamed",
        ),
        pytest.param({"stop": ("a", "b")}, {"stop": ["a", "b"]}, id="tuple"),
        pytest.param({"stop": {"a"}, "ids": frozenset({1})}, {"stop": ["a"], "ids": [1]}, id="set"),
        pytest.param(
            {"meta": types.MappingProxyType({"k": Message("user")})},
            {"meta": {"k": {"role": "user"}}},
            id="other-mapping",
        ),
        pytest.param(types.MappingProxyType({"a": 1}), {"a": 1}, id="top-level-mapping"),
        pytest.param(
            {"at": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)},
            {"at": "2024-01-02T03:04:05+00:00"},
            id="datetime",
        ),
        pytest.param({"color": Color.RED}, {"color": "red"}, id="enum"),
    ],
)
def test_encode(body: object, json: dict[str, Any]) -> None:
    assert orjson.loads(encode(body)) == json


def test_encode_keeps_key_order_and_compact_form() -> None:
    assert encode({"b": 1, "a": None}) == b'{"b":1,"a":null}'


@pytest.mark.parametrize(
    ("body", "extra", "json"),
    [
        ({"a": 1, "b": 2}, {"b": 3, "c": 4}, {"a": 1, "b": 3, "c": 4}),  # extra_body wins
        (
            Message("user", "hi"),
            {"content": "yo", "x": True},
            {"role": "user", "content": "yo", "x": True},
        ),
        ({}, {"a": Message("user")}, {"a": {"role": "user"}}),
    ],
)
def test_encode_extra_body(body: object, extra: dict[str, Any], json: dict[str, Any]) -> None:
    assert orjson.loads(encode(body, extra_body=extra)) == json


@pytest.mark.parametrize("body", [[1, 2], ("a",), "text", 5], ids=["list", "tuple", "str", "int"])
def test_encode_refuses_a_non_object_body(body: object) -> None:
    with pytest.raises(TypeError, match="a request body must be a JSON object, not "):
        encode(body)


def test_encode_refuses_a_non_object_body_with_extra_body() -> None:
    with pytest.raises(TypeError, match="must be a JSON object, not list"):
        encode([1], extra_body={"a": 1})


class Opaque:
    pass


@pytest.mark.parametrize(
    "body", [Opaque(), {"x": Opaque()}, {"xs": [Opaque()]}], ids=["top-level", "nested", "in-list"]
)
def test_encode_unencodable(body: object) -> None:
    # Wherever the object sits, the error says what byot accepts and points to encoder=.
    with pytest.raises(TypeError, match=r"byot cannot encode Opaque as JSON: .* give encoder="):
        encode(body)


@pytest.mark.parametrize(
    ("body", "match"),
    [({"n": 2**70}, "Integer exceeds 64-bit range"), ({1: "a"}, "Dict key must be str")],
)
def test_encode_keeps_orjson_errors(body: object, match: str) -> None:
    # What orjson itself refuses still surfaces as a TypeError with orjson's own reason.
    with pytest.raises(TypeError, match=match):
        encode(body)


@pytest.mark.parametrize("returned", [b'{"raw":1}', bytearray(b'{"raw":1}')])
def test_encoder_returning_bytes(returned: bytes) -> None:
    seen: list[object] = []

    def encoder(body: object) -> bytes:
        seen.append(body)
        return returned

    result = encode(Opaque, encoder=encoder)
    assert result == b'{"raw":1}'
    assert type(result) is bytes
    assert seen == [Opaque]


def test_encoder_bytes_refuses_extra_body() -> None:
    with pytest.raises(
        TypeError, match="extra_body cannot be merged into bytes returned by encoder="
    ):
        encode({}, encoder=lambda _: b"{}", extra_body={"a": 1})


def test_encoder_returning_a_mapping() -> None:
    def encoder(body: Opaque) -> dict[str, Any]:
        return {"kind": type(body).__name__, "msg": Message("user")}

    assert orjson.loads(encode(Opaque(), encoder=encoder)) == {
        "kind": "Opaque",
        "msg": {"role": "user"},
    }
    assert orjson.loads(encode(Opaque(), encoder=encoder, extra_body={"kind": "x"})) == {
        "kind": "x",
        "msg": {"role": "user"},
    }


# ----------------------------------------------------------------------------- decoding types


class Role(enum.Enum):
    USER = "user"
    ASSISTANT = "assistant"


@dataclasses.dataclass
class ChatMessage:
    role: Role
    content: str | None


@dataclasses.dataclass
class Choice:
    index: int
    message: ChatMessage
    finish_reason: Literal["stop", "length"] | None = None


@dataclasses.dataclass
class Usage:
    total_tokens: int


@dataclasses.dataclass
class Completion:
    id: str
    choices: list[Choice]
    usage: Optional[Usage] = None  # noqa: UP045 - Optional is decoded as well as X | None
    scores: dict[str, float] = dataclasses.field(default_factory=dict)
    tags: tuple[str, ...] = ()


@dataclasses.dataclass
class Node:
    name: str
    children: list[Node] = dataclasses.field(default_factory=list)
    parent: Node | None = None


class CompletionDict(TypedDict):
    id: str


@dataclasses.dataclass
class TextPart:
    type: Literal["text"]
    text: str


@dataclasses.dataclass
class ImagePart:
    type: Literal["image"]
    url: str


UserId = NewType("UserId", str)


@dataclasses.dataclass
class Everything:
    part: Union[TextPart, ImagePart]  # noqa: UP007 - both spellings of a union are decoded
    parts: list[TextPart | ImagePart]
    pair: tuple[int, str]
    bare_tuple: tuple
    ints: typing.Sequence[int]
    mapping: typing.Mapping[str, int]
    bare_list: list
    bare_dict: dict
    annotated: Annotated[int, "meta"]
    user: UserId
    anything: Any
    obj: object
    nothing: None
    flag: bool
    ratio: float
    code: Literal[1, "one"]
    text: LiteralString  # a special form byot has no check for: taken as it is
    typed_dict: CompletionDict  # a TypedDict inside a record: an object, not checked further


EVERYTHING = {
    "part": {"type": "image", "url": "u"},
    "parts": [{"type": "text", "text": "t"}, {"type": "image", "url": "v"}],
    "pair": [1, "a"],
    "bare_tuple": [1, "x"],
    "ints": [1, 2],
    "mapping": {"a": 1},
    "bare_list": [1, "x"],
    "bare_dict": {"k": [1]},
    "annotated": 3,
    "user": "u1",
    "anything": {"any": ["thing"]},
    "obj": [None],
    "nothing": None,
    "flag": False,
    "ratio": 1,
    "code": "one",
    "text": 5,
    "typed_dict": {"id": 1},
}


@dataclasses.dataclass
class Stamped:
    stamp: datetime.date  # a class JSON cannot produce: always a mismatch


@attrs.define
class AttrsUsage:
    _total: int
    prompt: int = 0
    names: list[str] = attrs.Factory(list)
    skipped: int = attrs.field(default=7, init=False)


@attrs.define
class Untyped:
    value = attrs.field()
    count = attrs.field(type=int)


class PydanticMessage(pydantic.BaseModel):
    content: str


class StructMessage(msgspec.Struct):
    content: str


@dataclasses.dataclass
class Mixed:
    pyd: PydanticMessage
    struct: StructMessage | None = None


# ----------------------------------------------------------------------------- decoding


def decode(target: object, raw: bytes | str) -> Any:
    return decoder_for(target)(raw.encode() if isinstance(raw, str) else raw)


def test_default_decoder_returns_the_object() -> None:
    assert decode_object(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    assert decoder_for(None) is decode_object


@pytest.mark.parametrize(
    ("raw", "kind"),
    [(b"[1]", "an array"), (b'"x"', "a string"), (b"1.5", "the number 1.5"), (b"null", "null")],
)
def test_default_decoder_requires_an_object(raw: bytes, kind: str) -> None:
    with pytest.raises(DecodeError) as caught:
        decode_object(raw)
    error = caught.value
    assert str(error) == (
        f"expected a JSON object, got {kind}; pass decoder=orjson.loads to accept any JSON value"
    )
    assert (error.raw, error.target, error.path) == (raw, dict, "$")


@pytest.mark.parametrize("target", [None, dict, Any, CompletionDict])
def test_untyped_targets_use_the_default_decoder(target: object) -> None:
    assert decoder_for(target) is decode_object
    result = decode(target, '{"id": 1, "extra": true}')  # a TypedDict is not checked
    assert result == {"id": 1, "extra": True}
    assert type(result) is dict


def test_object_target_accepts_any_json() -> None:
    assert decoder_for(object) is _codec.loads  # JSON as it is, with exact integers
    assert decode(object, "[1, null]") == [1, None]


def test_nested_dataclasses() -> None:
    raw = """{
        "id": "c1", "unknown": {"ignored": true},
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi", "x": 1},
                     "finish_reason": "stop"}],
        "usage": {"total_tokens": 7},
        "scores": {"a": 1, "b": 0.5},
        "tags": ["x", "y"]
    }"""
    assert decode(Completion, raw) == Completion(
        id="c1",
        choices=[Choice(0, ChatMessage(Role.ASSISTANT, "hi"), "stop")],
        usage=Usage(7),
        scores={"a": 1.0, "b": 0.5},
        tags=("x", "y"),
    )


def test_missing_fields() -> None:
    # No default and optional -> None; a default is kept; a default_factory is called.
    result = decode(
        Completion, '{"id": "c", "choices": [{"index": 1, "message": {"role": "user"}}]}'
    )
    assert result == Completion(id="c", choices=[Choice(1, ChatMessage(Role.USER, None), None)])
    assert result.scores == {}
    assert result.tags == ()


@dataclasses.dataclass
class Note:
    text: str | None
    count: int = 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('{"text": "x"}', Note("x", 0)),  # the optional field is present, the default one is not
        ('{"count": 2}', Note(None, 2)),
        ("{}", Note(None, 0)),
    ],
)
def test_optional_and_default_fields(raw: str, expected: Note) -> None:
    assert decode(Note, raw) == expected


def test_list_of_dataclasses_as_target() -> None:
    assert decode(list[Usage], '[{"total_tokens": 1}, {"total_tokens": 2}]') == [Usage(1), Usage(2)]


def test_recursive_dataclass() -> None:
    tree = decode(Node, '{"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}')
    assert tree == Node("a", [Node("b", [Node("c")])])


def test_many_shapes() -> None:
    result = decode(Everything, orjson.dumps(EVERYTHING))
    assert result == Everything(
        part=ImagePart("image", "u"),
        parts=[TextPart("text", "t"), ImagePart("image", "v")],
        pair=(1, "a"),
        bare_tuple=(1, "x"),
        ints=[1, 2],
        mapping={"a": 1},
        bare_list=[1, "x"],
        bare_dict={"k": [1]},
        annotated=3,
        user=UserId("u1"),
        anything={"any": ["thing"]},
        obj=[None],
        nothing=None,
        flag=False,
        ratio=1.0,
        code="one",
        text=5,  # type: ignore[arg-type]
        typed_dict={"id": 1},  # type: ignore[typeddict-item]
    )
    assert type(result.ratio) is float  # an integer is accepted for float and converted


@pytest.mark.parametrize(
    ("target", "raw", "expected"),
    [
        (int, "3", 3),
        (float, "3", 3.0),
        (float, "2.5", 2.5),
        (str, '"s"', "s"),
        (bool, "true", True),
        (type(None), "null", None),
        (int | None, "null", None),
        (TextPart | ImagePart | None, "null", None),
        (tuple[int, ...], "[1, 2, 3]", (1, 2, 3)),
        (tuple[int, str], '[1, "a"]', (1, "a")),
        (Literal["a", "b"], '"b"', "b"),
        (Role, '"user"', Role.USER),
        (Annotated[int, {}], "5", 5),  # unhashable metadata: resolved without the cache
        (list[Annotated[int, {}]], "[5]", [5]),
        (dict[str, list[int]], '{"a": [1]}', {"a": [1]}),
    ],
)
def test_decode_values(target: object, raw: str, expected: object) -> None:
    assert decode(target, raw) == expected


def test_unhashable_annotation_is_really_unhashable() -> None:
    # Guards the two cases above: they must keep exercising the uncached path.
    with pytest.raises(TypeError, match="unhashable"):
        hash(Annotated[int, {}])


@pytest.mark.parametrize(
    ("target", "raw", "path", "problem"),
    [
        (int, "1.5", "$", "expected an integer, got the number 1.5"),
        (int, "true", "$", "expected an integer, got a boolean"),
        (float, "true", "$", "expected a number, got a boolean"),
        (float, '"1"', "$", "expected a number, got a string"),
        (str, "1", "$", "expected a string, got the number 1"),
        (bool, "1", "$", "expected a boolean, got the number 1"),
        (bool, '"true"', "$", "expected a boolean, got a string"),
        (type(None), "0", "$", "expected null, got the number 0"),
        (int | None, '"x"', "$", "expected an integer, got a string"),
        (list[int], "{}", "$", "expected an array, got an object"),
        pytest.param(list, "{}", "$", "expected an array, got an object", id="bare-list"),
        (list[int], "[1, null]", "$[1]", "expected an integer, got null"),
        (tuple[int, str], "[1]", "$", "expected an array of 2, got an array"),
        (tuple[int, str], '{"a": 1}', "$", "expected an array of 2, got an object"),
        (tuple[int, str], "[1, 2]", "$[1]", "expected a string, got the number 2"),
        (dict[str, int], "[]", "$", "expected an object, got an array"),
        pytest.param(Mapping, "[]", "$", "expected an object, got an array", id="bare-mapping"),
        (dict[str, int], '{"ok": 1, "a-b": "x"}', '$["a-b"]', "expected an integer, got a string"),
        (dict[str, int], '{"0": "x"}', '$["0"]', "expected an integer, got a string"),
        (Literal["a", "b"], '"c"', "$", "expected one of 'a', 'b', got 'c'"),
        (Literal[1], "true", "$", "expected one of 1, got True"),  # True == 1, but not for JSON
        (Literal["a"], "[1]", "$", "expected one of 'a', got [1]"),
        (Role, '"bot"', "$", "expected one of 'user', 'assistant', got 'bot'"),
        (Role, "[1]", "$", "expected one of 'user', 'assistant', got [1]"),
        (
            TextPart | ImagePart,
            '{"type": "video"}',
            "$",
            "no member of the union fits (expected one of 'text', got 'video'; "
            "expected one of 'image', got 'video')",
        ),
        (
            int | str,
            "null",
            "$",
            "no member of the union fits (expected an integer, got null; "
            "expected a string, got null)",
        ),
        (Usage, "[]", "$", "expected an object for Usage, got an array"),
        (
            Everything,
            orjson.dumps({**EVERYTHING, "typed_dict": []}),
            "$.typed_dict",
            "expected an object, got an array",
        ),
        (Usage, "{}", "$", "missing required field 'total_tokens' of Usage"),
        (
            Completion,
            '{"id": "c", "choices": [{"index": 0, "message": {"role": "user", "content": 5}}]}',
            "$.choices[0].message.content",
            "expected a string, got the number 5",
        ),
        (
            Completion,
            '{"id": "c", "choices": [{"index": 0, "message": {"content": "x"}}]}',
            "$.choices[0].message",
            "missing required field 'role' of ChatMessage",
        ),
        (
            Completion,
            '{"id": "c", "choices": [], "scores": {"a b": "x"}}',
            '$.scores["a b"]',
            "expected a number, got a string",
        ),
        (
            Node,
            '{"name": "a", "children": [{"name": 1}]}',
            "$.children[0].name",
            "expected a string, got the number 1",
        ),
        (Stamped, '{"stamp": "2024-01-01"}', "$.stamp", "expected date, got a string"),
        (
            Everything,
            orjson.dumps({**EVERYTHING, "parts": [{"type": "text", "text": "t"}, {"type": "x"}]}),
            "$.parts[1]",
            "no member of the union fits",
        ),
    ],
)
def test_decode_errors(target: object, raw: str | bytes, path: str, problem: str) -> None:
    raw_bytes = raw.encode() if isinstance(raw, str) else raw
    with pytest.raises(DecodeError) as caught:
        decoder_for(target)(raw_bytes)
    error = caught.value
    assert error.path == path
    assert f"{path}: {problem}" in str(error)
    assert str(error).startswith("cannot decode the response into ")
    assert (error.raw, error.target) == (raw_bytes, target)


@pytest.mark.parametrize(
    ("target", "name"),
    [
        (Completion, "Completion"),
        (list[int], "list[int]"),
        # Only this module decodes Optional[Stamped]: the cached decoder names this spelling.
        (typing.Optional[Stamped], f"Optional[{__name__}.Stamped]"),  # noqa: UP045
    ],
)
def test_decode_error_names_the_target(target: object, name: str) -> None:
    with pytest.raises(DecodeError, match=rf"^cannot decode the response into {re.escape(name)}: "):
        decoder_for(target)(b'"x"')


def test_attrs_class() -> None:
    # The JSON key is the attribute name (as cattrs does); its __init__ alias drops the "_".
    usage = decode(AttrsUsage, '{"_total": 5, "names": ["a"], "skipped": 1}')
    assert usage == AttrsUsage(total=5, names=["a"])
    assert (usage._total, usage.prompt, usage.skipped) == (5, 0, 7)
    with pytest.raises(DecodeError, match="missing required field '_total' of AttrsUsage"):
        decode(AttrsUsage, '{"total": 5}')
    # Encoding uses the same key, so a value round-trips.
    assert decode(AttrsUsage, encode(usage)) == usage


def test_attrs_class_without_annotations() -> None:
    # An attribute without a type accepts anything; `type=` on the field is honoured.
    assert decode(Untyped, '{"value": [1], "count": 2}') == Untyped(value=[1], count=2)
    with pytest.raises(DecodeError, match=r"\$\.count: expected an integer, got a string"):
        decode(Untyped, '{"value": 1, "count": "2"}')


def test_pydantic_and_msgspec_targets_use_their_own_validators() -> None:
    # pydantic's own validator, behind byot's check for what only pydantic reads (NaN, ...).
    raw = b'{"content": "x"}'
    assert decoder_for(PydanticMessage)(raw) == PydanticMessage.model_validate_json(raw)
    assert decode(PydanticMessage, '{"content": "x"}') == PydanticMessage(content="x")
    with pytest.raises(pydantic.ValidationError):
        decode(PydanticMessage, '{"content": 1}')
    assert decode(StructMessage, '{"content": "x"}') == StructMessage(content="x")
    with pytest.raises(msgspec.ValidationError, match=r"at `\$.content`"):
        decode(StructMessage, '{"content": 1}')


def test_pydantic_and_msgspec_inside_a_dataclass() -> None:
    assert decode(Mixed, '{"pyd": {"content": "a"}, "struct": {"content": "b"}}') == Mixed(
        PydanticMessage(content="a"), StructMessage(content="b")
    )
    with pytest.raises(DecodeError) as caught:
        decode(Mixed, '{"pyd": {"content": 1}}')
    assert caught.value.path == "$.pyd"
    assert "Input should be a valid string" in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(DecodeError) as caught:
        decode(Mixed, '{"pyd": {"content": "a"}, "struct": {"content": 1}}')
    assert caught.value.path == "$.struct"
    assert "Expected `str`, got `int` - at `$.content`" in str(caught.value)


def test_decoder_cache() -> None:
    assert decoder_for(Completion) is decoder_for(Completion)
    assert decoder_for(list[Usage]) is decoder_for(list[Usage])


def test_invalid_json_is_left_to_the_caller() -> None:
    # The raw orjson error reaches the core, which wraps it with the content type.
    with pytest.raises(orjson.JSONDecodeError):
        decode(Usage, b"{")


@dataclasses.dataclass
class Broken:
    value: Undefined  # type: ignore[name-defined]  # noqa: F821 - never resolvable


def test_unresolvable_annotation_does_not_poison_the_cache() -> None:
    # The first failure must not leave a half-built decoder behind for the next call.
    for _ in range(2):
        with pytest.raises(NameError, match="Undefined"):
            decoder_for(Broken)


def test_builder_for_is_exposed_for_nested_types() -> None:
    build = _codec.builder_for(list[Usage])
    assert build([{"total_tokens": 1}]) == [Usage(1)]


# ----------------------------------------------------------------------------- json_text


def test_json_text_writes_what_orjson_cannot() -> None:
    assert _codec.json_text({"a": [1, "é"]}) == '{"a":[1,"é"]}'
    deep: typing.Any = "x"
    for _ in range(300):  # past orjson's 254 levels for writing, within the stdlib's reach
        deep = [deep]
    assert _codec.json_text(deep) == "[" * 300 + '"x"' + "]" * 300
    assert _codec.json_text({"n": 2**70}) == '{"n":1180591620717411303424}'


def test_json_text_describes_what_nothing_can_write() -> None:
    deep: typing.Any = "x"
    for _ in range(5_000):
        deep = {"a": deep}
    assert _codec.json_text(deep) == "(an object nested too deeply or too large to show)"
    huge = int("9" * 4_000) ** 2  # more digits than Python converts to text
    assert _codec.json_text([huge]) == "(an array nested too deeply or too large to show)"


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"18446744073709551615", 2**64 - 1),  # the largest orjson reads exactly
        (b"18446744073709551616", 2**64),
        (b"[-9223372036854775809]", [-(2**63) - 1]),
        (b'{"a": 1%s}' % (b"0" * 400), {"a": 10**400}),  # orjson refuses it: past a double
        (b'{"s": "12345678901234567890", "f": 0.12345678901234567890}', None),  # a second read
    ],
)
def test_loads_reads_integers_exactly(raw: bytes, expected: Any) -> None:
    value = _codec.loads(raw)
    assert value == (orjson.loads(raw) if expected is None else expected)
    if isinstance(expected, int):
        assert type(value) is int


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[NaN]", "unexpected character"),  # orjson's own refusal
        (b"[1" + b"0" * 30 + b", NaN]", "NaN is not a JSON number"),
        (b"[1" + b"0" * 30 + b", -Infinity]", "-Infinity is not a JSON number"),
        (b"[1" + b"0" * 30 + b", 1e400]", "the number 1e400 is beyond a double's range"),
        # The standard library's own words for a trailing comma differ between versions.
        (b"[1" + b"0" * 30 + b", ]", ": line 1 column "),
        (b"[" + b"9" * 5000 + b"]", "Exceeds the limit (4300"),  # "(4300 digits)" since 3.11
        (b'["\xff", 1' + b"0" * 30 + b"]", "can't decode byte 0xff"),
    ],
)
def test_loads_refuses_what_is_not_json(raw: bytes, message: str) -> None:
    with pytest.raises(orjson.JSONDecodeError, match=re.escape(message)):
        _codec.loads(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": 1.5, "b": "the 2024 plan", "c": 1e5}', False),
        (b'{"a": NaN}', True),
        (b'{"a": "Infinity"}', True),  # in a string: only a strict read more
        (b'{"a": 1e400}', True),
        (b'{"a": 1E+308}', True),
        (b'{"a": 1e-400}', False),  # underflows to 0.0 everywhere
        (b'{"a": 12345678901234567890}', True),
        (b"12345678901234567890", True),
    ],
)
def test_what_only_a_lenient_parser_reads(raw: bytes, expected: bool) -> None:
    assert _codec.may_not_be_strict(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"n": 12345678901234567890}', True),
        (b'{"n":[1,-12345678901234567890]}', True),
        (b"12345678901234567890", True),
        (b'{"s": "call 12345678901234567890"}', True),  # in a string: only an exact read more
        (b'{"n": 1234567890123456789.5}', True),
        # Digits after a letter, `_` or `.` start no number: ids and fractions read fast.
        (b'{"id": "chatcmpl-bench0000000000000000000000"}', False),
        (b'{"id": "fp_12345678901234567890"}', False),
        (b'{"f": 0.12345678901234567890}', False),
        (b'{"n": 123456789012345678}', False),  # 18 digits: within 64 bits
    ],
)
def test_which_texts_may_hold_wide_integers(raw: bytes, expected: bool) -> None:
    assert _codec.may_hold_wide_integers(raw) is expected
