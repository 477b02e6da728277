"""`byot.types`: loaded lazily, free at run time, and in agreement with the spec's examples.

The static half (a typo'd or wrong-typed request is an error, the spec's request examples
type-check) is in tests/typing/typed_dicts.py and tests/typing/spec_examples.py, which mypy and
pyright check. Here: what happens at run time, and every documented response example checked
against the lenient schema and against its typed dict, which must agree.
"""

from __future__ import annotations

import functools
import importlib.util
import json  # noqa: TID251 -- parsing the spec's example strings, as the spec's authors wrote them
import subprocess
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any, Literal, Union

import httpx
import pytest
from typing_extensions import NotRequired, Required, is_typeddict

import byot
import byot.types
from byot import _codec
from tests.schemas import ROOT, load, needs_spec
from tests.schemas.test_bundle import LENIENT, examples, spec_operations, validator


def run(code: str) -> str:
    """Run `code` in a fresh interpreter (so nothing is imported yet) and return its output."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stderr == ""
    return result.stdout.strip()


# -- cheap -------------------------------------------------------------------------------------


def test_import_byot_and_calling_a_typed_method_never_import_byot_types() -> None:
    code = (
        "import sys, httpx, byot\n"
        "reply = lambda request: httpx.Response(200, json={'id': 'x'})\n"
        "client = byot.Client(api_key='k', transport=httpx.MockTransport(reply))\n"
        "client.chat.completions.create({'model': 'm', 'messages': []})\n"
        "print(sorted(m for m in sys.modules if m.startswith('byot.types')))\n"
    )
    assert run(code) == "[]"


def test_importing_one_name_loads_only_its_module() -> None:
    code = (
        "import sys\n"
        "from byot.types import CreateEmbeddingRequest\n"
        "print(sorted(m for m in sys.modules if m.startswith('byot.types')))\n"
        "print(CreateEmbeddingRequest.__module__, 'typing_extensions' in sys.modules)\n"
    )
    assert run(code).splitlines() == [
        "['byot.types', 'byot.types._embeddings']",
        "byot.types._embeddings False",
    ]


def test_every_name_resolves_and_is_kept_after_first_use() -> None:
    names = dir(byot.types)
    assert names == sorted(names)
    assert len(names) > 1500
    for name in names:
        value = getattr(byot.types, name)
        # A TypedDict class, or a type alias (a string: it exists for type checkers only).
        assert is_typeddict(value) or isinstance(value, str), name
        assert vars(byot.types)[name] is value
    assert byot.types.CreateChatCompletionRequest.__module__ == "byot.types._chat"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'CreateChatCompletionReqest'"):
        byot.types.CreateChatCompletionReqest  # noqa: B018


# -- free at run time --------------------------------------------------------------------------

COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}],
    "provider_extra": {"kept": True},  # a key the spec does not declare stays in the dict
}


def test_a_typed_dict_response_type_is_the_decoded_dict_itself() -> None:
    target = byot.types.CreateChatCompletionResponse
    assert _codec.decoder_for(target) is _codec.decode_object  # orjson.loads, nothing more
    seen: list[bytes] = []

    def reply(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, json=COMPLETION)

    with byot.Client(api_key="k", transport=httpx.MockTransport(reply)) as client:
        body: byot.types.CreateChatCompletionRequest = {
            "model": "m",
            "messages": [{"role": "user", "content": "hi"}],
        }
        result = client.chat.completions.create(body, response_type=target)
    assert type(result) is dict
    assert result == COMPLETION
    assert json.loads(seen[0]) == {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def test_a_typed_dict_event_type_yields_the_decoded_dicts() -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "choices": [{"delta": {"content": "h"}}]}
    transcript = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()

    def reply(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, content=transcript, headers=headers)

    with byot.Client(api_key="k", transport=httpx.MockTransport(reply)) as client:
        body: byot.types.CreateChatCompletionRequest = {"model": "m", "messages": []}
        event_type = byot.types.CreateChatCompletionStreamResponse
        with client.chat.completions.create_stream(body, event_type=event_type) as stream:
            events = list(stream)
    assert events == [chunk]
    assert type(events[0]) is dict


# -- the spec's response examples: the lenient schema and the typed dicts agree ---------------

Problems = list[str]


@functools.cache
def namespace() -> dict[str, Any]:
    """What the generated annotations name: every `byot.types` name, aliases evaluated."""
    names: dict[str, Any] = {name: getattr(byot.types, name) for name in dir(byot.types)}
    forms = {"Any": Any, "Literal": Literal, "Required": Required, "NotRequired": NotRequired}
    ns = {**names, **forms, "Mapping": Mapping, "Sequence": Sequence}
    pending = sorted(name for name, value in names.items() if isinstance(value, str))
    while pending:  # an alias may name another: evaluate until none is left a string
        left = []
        for name in pending:
            try:
                ns[name] = evaluate(ns[name], ns)
            except TypeError:  # `str | None` while a named alias is still a string
                left.append(name)
                continue
            if isinstance(ns[name], str):
                left.append(name)
        assert len(left) < len(pending), left
        pending = left
    return ns


def evaluate(text: str, ns: dict[str, Any]) -> Any:
    """An annotation written by tools/gen_types.py, as a typing object."""
    return eval(text, ns)  # noqa: S307 - the generator's own annotations, nothing else


def resolve(name: str) -> Any:
    """A `byot.types` name as a type: a TypedDict class, or its alias evaluated."""
    return namespace()[name]


@functools.cache
def fields(td: type) -> dict[str, tuple[Any, bool]]:
    """A typed dict's keys: (annotation, required), from its annotations.

    Evaluated here rather than by `get_type_hints`: the names they use are imported only for
    type checkers, so the defining module's globals do not have them.
    """
    out = {}
    for key, annotation in td.__annotations__.items():
        text = getattr(annotation, "__forward_arg__", annotation)
        hint = evaluate(text, namespace()) if isinstance(text, str) else text
        required = bool(getattr(td, "__total__", True))
        while typing.get_origin(hint) in (Required, NotRequired):
            required = typing.get_origin(hint) is Required
            hint = typing.get_args(hint)[0]
        out[key] = (hint, required)
    return out


def conforms(value: Any, hint: Any, path: str = "$") -> Problems:
    """Where a decoded JSON value disagrees with an annotation of the generated typed dicts.

    Keys a typed dict does not declare are allowed, as the lenient schema allows them (a
    static checker only objects to them in literals).
    """
    if hint is Any:
        return []
    if isinstance(hint, (str, typing.ForwardRef)):  # `list["Name"]` keeps its string
        return conforms(value, evaluate(getattr(hint, "__forward_arg__", hint), namespace()), path)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None:
            return [] if type(None) in args else [f"{path}: null where {hint} is expected"]
        found = [conforms(value, member, path) for member in args if member is not type(None)]
        return [] if any(not f for f in found) else min(found, key=len)  # the closest member
    if origin is Literal:
        return [] if value in args else [f"{path}: {value!r} is not one of {args}"]
    if origin in (list, Sequence):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [p for i, item in enumerate(value) for p in conforms(item, args[0], f"{path}[{i}]")]
    if origin in (dict, Mapping):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        return [p for k, v in value.items() for p in conforms(v, args[1], f"{path}.{k}")]
    if is_typeddict(hint):
        if not isinstance(value, dict):
            return [f"{path}: expected {hint.__name__}, got {type(value).__name__}"]
        problems = []
        for key, (annotation, required) in fields(hint).items():
            if key in value:
                problems += conforms(value[key], annotation, f"{path}.{key}")
            elif required:
                problems.append(f"{path}: {hint.__name__} requires {key!r}")
        return problems
    return [] if _scalar(value, hint) else [f"{path}: {value!r} is not {hint}"]


def _scalar(value: Any, hint: Any) -> bool:
    if hint is type(None) or hint is None:
        return value is None
    if hint is float:  # JSON has one number type; an int is a fine float
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def response_examples() -> list[tuple[str, str, Any]]:
    """(id, success schema, decoded example) for every JSON response example of the spec."""
    index = load("operations.json")["operations"]
    found = []
    for op in spec_operations():
        entry = index[op["operationId"]]
        success = min(code for code in entry["responses"] if code.startswith("2"))
        ref = entry["responses"][success].get("json")
        for number, example in enumerate(examples(op)):
            try:
                instance = json.loads(example.get("response") or "")
            except ValueError:  # SSE transcripts, elisions ("..."): not JSON documents
                continue
            if ref is not None:
                found.append((f"{op['operationId']}#{number}", ref, instance))
    return found


# The spec's documentation bugs (tests/schemas/test_bundle.py): both reject them.
BOTH_REJECT = {
    "runGrader#0": "metadata.token_usage is a usage object; the spec says integer",
    "searchVectorStore#0": "search_query is a string; the spec says an array of strings",
}
# Only the typed dicts reject these: a tag the spec does not list, where the typed dicts keep the
# union closed (so that checking the tag narrows it) and the lenient schema leaves it open.
CLOSED_TAGS = {"ListThreadItemsMethod#0": "'user_message' is not one of ('chatkit.user_message',)"}


@needs_spec
def test_every_response_example_agrees_with_the_lenient_schema_and_its_typed_dict() -> None:
    checked, verdicts = 0, {}
    for ident, ref, instance in response_examples():
        checked += 1
        schema_ok = validator(LENIENT, ref).is_valid(instance)
        problems = conforms(instance, resolve(_gen_types().python_name(ref.rsplit("/", 1)[-1])))
        if not schema_ok or problems:
            verdicts[ident] = (schema_ok, problems[:2])
    assert checked > 200
    assert verdicts.keys() == BOTH_REJECT.keys() | CLOSED_TAGS.keys(), verdicts
    for ident in BOTH_REJECT:
        assert verdicts[ident][0] is False
        assert verdicts[ident][1]
    for ident, tag in CLOSED_TAGS.items():
        assert verdicts[ident][0] is True
        assert tag in str(verdicts[ident][1])


@functools.cache
def _gen_types() -> Any:
    """tools/gen_types.py, for its naming of schemas."""
    module_spec = importlib.util.spec_from_file_location("gen_types", ROOT / "tools/gen_types.py")
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_the_checker_sees_what_the_typed_dicts_rule_out() -> None:
    response = resolve("CreateChatCompletionResponse")
    assert conforms(COMPLETION, response) == []
    assert conforms({"choices": [{"finish_reason": "a-new-reason"}]}, response) == []
    assert conforms({"choices": None, "usage": None}, response) == []  # lenient: null anywhere
    assert conforms({"choices": {"index": 0}}, response) == ["$.choices: expected a list, got dict"]
    assert conforms({"created": "yesterday"}, response) == [
        "$.created: 'yesterday' is not <class 'int'>"
    ]
    assert conforms({"created": True}, response) != []
    event = resolve("ResponseStreamEvent")
    assert conforms({"type": "response.output_text.delta", "delta": "h"}, event) == []
    assert conforms({"delta": "h"}, event) != []  # the tag of a union member is required
    assert conforms({"type": "response.refusal.delta", "delta": 3}, event) != []
    request = resolve("CreateChatCompletionRequest")
    assert conforms({"model": "m"}, request) == [
        "$: CreateChatCompletionRequest requires 'messages'"
    ]
    assert conforms({"model": "m", "messages": [], "service_tier": "turbo"}, request) != []
    assert conforms({"model": "m", "messages": [], "logit_bias": {"1": 2}}, request) == []
    assert conforms({"model": "m", "messages": [], "logit_bias": []}, request) != []
    assert conforms({"model": "m", "messages": [], "temperature": 1}, request) == []
    assert conforms({"model": "m", "messages": [], "temperature": None}, request) == []
    assert conforms({"model": None, "messages": []}, request) != []
