"""`byot.validate`, `byot.is_valid`, `byot.register_schema`: names, profiles, reports."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING, Any

import pytest

import byot
from byot import _validation
from byot.errors import SchemaIssue, SchemaValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
RESPONSE = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "m",
    "choices": [
        {"index": 0, "finish_reason": "eos", "message": {"role": "assistant", "content": "x"}}
    ],
    "x_groq": {"id": "extra field"},
}


@pytest.fixture(params=["python", "fast"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test once with python-jsonschema alone and once with jsonschema-rs first."""
    if request.param == "python":
        monkeypatch.setitem(__import__("sys").modules, "jsonschema_rs", None)
    monkeypatch.setattr(_validation, "_STATE", _validation._State())
    return request.param


def problems(instance: Any, schema: str, **kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(SchemaValidationError) as info:
        byot.validate(instance, schema, **kw)
    return [(issue.path, issue.message) for issue in info.value.issues]


def test_acceptance_unknown_role_names_the_path_and_the_valid_roles(backend: str) -> None:
    bad = {"model": "m", "messages": [{"role": "usr", "content": "x"}]}
    with pytest.raises(SchemaValidationError) as info:
        byot.validate(bad, "CreateChatCompletionRequest")
    error = info.value
    assert error.issues == (
        SchemaIssue(
            "$.messages[0].role",
            "'usr' is not a valid 'role'; expected one of "
            "['assistant', 'developer', 'function', 'system', 'tool', 'user']",
        ),
    )
    assert (error.schema, error.profile, error.direction, error.operation) == (
        "CreateChatCompletionRequest",
        "strict",
        None,
        None,
    )
    assert "$.messages[0].role: 'usr' is not a valid 'role'" in str(error)
    assert not byot.is_valid(bad, "CreateChatCompletionRequest")
    byot.validate(CHAT, "CreateChatCompletionRequest")
    assert byot.is_valid(CHAT, "#/$defs/CreateChatCompletionRequest")


def test_acceptance_extra_field_and_unknown_enum_pass_the_lenient_profile(backend: str) -> None:
    byot.validate(RESPONSE, "CreateChatCompletionResponse", direction="response")
    byot.validate(RESPONSE, "CreateChatCompletionResponse", profile="lenient")
    byot.validate(RESPONSE, "createChatCompletion", direction="response")
    # The strict profile knows finish_reason's values.
    issues = problems(
        RESPONSE, "CreateChatCompletionResponse", direction="response", profile="strict"
    )
    assert any(
        path == "$.choices[0].finish_reason" and "'eos' is not one of" in message
        for path, message in issues
    )
    # Lenient still checks the shapes of the values present.
    assert problems({"choices": "none"}, "createChatCompletion", direction="response") == [
        ("$.choices", "'none' is not of type 'array', 'null'")
    ]


def test_operations_by_id_and_direction(backend: str) -> None:
    byot.validate(CHAT, "createChatCompletion", direction="request")
    with pytest.raises(SchemaValidationError) as info:
        byot.validate({"model": "m"}, "createChatCompletion", direction="request")
    assert (info.value.operation, info.value.direction, info.value.schema) == (
        "createChatCompletion",
        "request",
        "CreateChatCompletionRequest",
    )
    assert info.value.issues == (SchemaIssue("$", "'messages' is a required property"),)
    assert str(info.value).startswith(
        "createChatCompletion request does not match CreateChatCompletionRequest "
        "(strict profile): 1 problem\n"
    )
    with pytest.raises(ValueError, match="is an operation: pass direction="):
        byot.validate(CHAT, "createChatCompletion")
    with pytest.raises(ValueError, match="deleteResponse has no JSON response body"):
        byot.validate({}, "deleteResponse", direction="response")
    with pytest.raises(ValueError, match="listModels has no JSON request body"):
        byot.validate({}, "listModels", direction="request")


def test_every_problem_is_listed_best_first(backend: str) -> None:
    bad = {
        "model": "m",
        "messages": [{"role": "user", "content": 3}],
        "temperature": "hot",
        "tools": [{"type": "function", "function": {"name": "f", "parameters": []}}],
    }
    issues = problems(bad, "CreateChatCompletionRequest")
    assert issues[0] == ("$.temperature", "'hot' is not of type 'number', 'null'")
    assert set(issues[1:]) == {
        ("$.messages[0].content", "3 is not valid under any of the given schemas"),
        ("$.tools[0].function.parameters", "[] is not of type 'object'"),
    }


TYPOS = {**CHAT, "max_token": 5, "temprature": 0.2, "top_k": 3}


def test_unknown_request_parameters_are_issues_with_a_suggestion(backend: str) -> None:
    expected = [
        (
            "$.max_token",
            "'max_token' is not a parameter of createChatCompletion; did you mean 'max_tokens'?",
        ),
        (
            "$.temprature",
            "'temprature' is not a parameter of createChatCompletion; did you mean 'temperature'?",
        ),
        ("$.top_k", "'top_k' is not a parameter of createChatCompletion; did you mean 'top_p'?"),
    ]
    assert problems(TYPOS, "createChatCompletion", direction="request") == expected
    # By component name or pointer too (no direction: a request schema is a request).
    by_name = problems(TYPOS, "CreateChatCompletionRequest")
    assert [path for path, _ in by_name] == ["$.max_token", "$.temprature", "$.top_k"]
    assert "not a parameter of CreateChatCompletionRequest" in by_name[0][1]
    assert not byot.is_valid(TYPOS, "#/$defs/CreateChatCompletionRequest")
    # Schema problems come first, unknown parameters after them.
    mixed = problems({"model": "m", "max_token": 1}, "CreateChatCompletionRequest")
    assert [path for path, _ in mixed] == ["$", "$.max_token"]
    # No close name: said plainly.
    assert problems({**CHAT, "acme": 1}, "CreateChatCompletionRequest") == [
        (
            "$.acme",
            "'acme' is not a parameter of CreateChatCompletionRequest "
            "(providers may add their own)",
        )
    ]


def test_allow_extra_accepts_provider_parameters(backend: str) -> None:
    byot.validate(TYPOS, "createChatCompletion", direction="request", allow_extra=True)
    assert byot.is_valid(TYPOS, "CreateChatCompletionRequest", allow_extra=True)
    only = problems(TYPOS, "CreateChatCompletionRequest", allow_extra={"top_k"})
    assert [path for path, _ in only] == ["$.max_token", "$.temprature"]
    assert not byot.is_valid(TYPOS, "CreateChatCompletionRequest", allow_extra=["top_k"])


def test_unknown_parameters_count_only_for_strict_requests(backend: str) -> None:
    byot.validate(TYPOS, "CreateChatCompletionRequest", profile="lenient")
    byot.validate(TYPOS, "CreateChatCompletionRequest", direction="response", profile="strict")
    # Only an operation's request body has parameters: other objects keep the spec's rule.
    byot.validate({"type": "auto", "extra": 1}, "#/$defs/RunObject/properties/truncation_strategy")
    assert not byot.is_valid("not an object", "CreateEmbeddingRequest")


def test_names_that_are_no_schema(backend: str) -> None:
    with pytest.raises(ValueError, match="did you mean 'CreateChatCompletionRequest'"):
        byot.validate({}, "CreateChatCompletionRequst")
    # A word left out still finds the name that holds the others, before mere look-alikes.
    with pytest.raises(ValueError, match="did you mean 'CreateChatCompletionRequest', "):
        byot.validate({}, "CreateChatRequest")
    with pytest.raises(ValueError, match="no schema or operation named 'zzz' in the OpenAI bundle"):
        byot.is_valid({}, "zzz")
    with pytest.raises(ValueError, match="no schema at 'urn:byot:openai#/\\$defs/Nope'"):
        byot.validate({}, "#/$defs/Nope")
    with pytest.raises(ValueError, match="no schema at 'urn:acme:unknown'"):
        byot.validate({}, "urn:acme:unknown")
    with pytest.raises(TypeError, match="schema must be a str"):
        byot.validate({}, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="direction is 'request' or 'response'"):
        byot.validate({}, "Item", direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="profile is 'strict' or 'lenient'"):
        byot.validate({}, "Item", profile="loose")  # type: ignore[arg-type]


def test_pointers_into_the_bundles(backend: str) -> None:
    nullable = "#/$defs/RunObject/properties/truncation_strategy"
    assert byot.is_valid(None, nullable)
    assert not byot.is_valid({"type": "bogus"}, nullable)
    assert byot.is_valid({"type": "bogus"}, nullable, profile="lenient")
    assert byot.is_valid({"type": "bogus"}, "urn:byot:openai:lenient" + nullable)
    assert not byot.is_valid({"type": "bogus"}, "urn:byot:openai" + nullable, profile="lenient")


# -- x-discriminator ------------------------------------------------------------------------------


def test_tagged_union_reports_the_named_branch_only(backend: str) -> None:
    bad = {"role": "tool", "content": "x"}  # a tool message needs tool_call_id
    assert problems(bad, "ChatCompletionRequestMessage") == [
        ("$", "'tool_call_id' is a required property")
    ]
    # Not an object: every branch is tried, as a plain anyOf.
    assert problems("text", "ChatCompletionRequestMessage") == [
        ("$", "'text' is not valid under any of the given schemas")
    ]


def test_tag_left_out_goes_to_the_branches_where_it_is_optional(backend: str) -> None:
    # InputItem: EasyInputMessage has an optional `type`, so a message may leave it out.
    assert byot.is_valid({"role": "user", "content": "hi"}, "InputItem")
    assert byot.is_valid({"type": "message", "role": "user", "content": "hi"}, "InputItem")
    assert not byot.is_valid({"role": 3, "content": "hi"}, "InputItem")
    # Where every branch needs the tag, leaving it out is the error.
    assert problems({"content": "x"}, "ChatCompletionRequestMessage") == [
        ("$", "'role' is a required property")
    ]
    assert byot.is_valid({"content": "x"}, "ChatCompletionRequestMessage", profile="lenient")
    assert not byot.is_valid({"content": 3}, "ChatCompletionRequestMessage", profile="lenient")


def test_open_unions_accept_unknown_tags_but_not_bad_shapes(backend: str) -> None:
    future = {"type": "response.from_the_future", "sequence_number": "anything"}
    assert byot.is_valid(future, "ResponseStreamEvent", direction="response")
    issues = problems(future, "ResponseStreamEvent")
    assert issues[0][0] == "$.type"
    assert "'response.from_the_future' is not a valid 'type'; expected one of [" in issues[0][1]
    # A known tag holds the value to its own branch, whose error is reported.
    delta = {"type": "response.output_text.delta", "delta": 3, "sequence_number": 1}
    assert problems(delta, "ResponseStreamEvent", direction="response") == [
        ("$.delta", "3 is not of type 'string', 'null'")
    ]


def test_the_hint_decides_where_a_plain_any_of_would_not(backend: str) -> None:
    # Without the hint, some lenient branch (with no `delta`) takes anything: the wrong shape
    # would pass. jsonschema-rs, which cannot read the hint, gets it spelled out instead.
    from jsonschema import Draft202012Validator

    delta = {"type": "response.output_text.delta", "delta": 3}
    plain = Draft202012Validator(
        {"$ref": "urn:byot:openai:lenient#/$defs/ResponseStreamEvent"},
        registry=_validation._STATE.registry(),
    )
    assert plain.is_valid(delta)
    assert not byot.is_valid(delta, "ResponseStreamEvent", direction="response")


def test_the_standard_spelling_of_an_open_hint() -> None:
    schema = {
        "anyOf": [{"type": "object"}, {"type": "integer"}],
        "x-discriminator": {"propertyName": "k", "mapping": {"a": [0]}, "open": True},
        "allOf": [{"type": ["object", "integer"]}],
    }
    spelled = _validation._standard(schema)
    assert "anyOf" not in spelled
    assert spelled["allOf"][0] == {"type": ["object", "integer"]}
    assert spelled["allOf"][1]["else"] == {"anyOf": schema["anyOf"]}
    untagged = spelled["allOf"][1]["then"]["allOf"][1]
    assert untagged == {"if": {"not": {"required": ["k"]}}, "then": {"anyOf": schema["anyOf"]}}
    closed = {**schema, "x-discriminator": {"propertyName": "k", "mapping": {"a": [0]}}}
    assert _validation._standard([closed]) == [closed]


SHARED_TAG = {
    "$id": "urn:test:shared",
    "$defs": {
        "A": {"type": "object", "properties": {"kind": {"const": "x"}, "a": {"type": "integer"}}},
        "B": {"type": "object", "properties": {"kind": {"const": "x"}, "b": {"type": "integer"}}},
        "C": {
            "type": "object",
            "properties": {"kind": {"type": "string"}, "c": {"type": "integer"}},
        },
    },
    "anyOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}, {"$ref": "#/$defs/C"}],
    "x-discriminator": {"propertyName": "kind", "mapping": {"x": [0, 1]}, "other": [2]},
}


def test_registered_schemas_use_the_same_machinery(backend: str) -> None:
    byot.register_schema(SHARED_TAG)
    assert byot.is_valid({"kind": "x", "a": 1}, "urn:test:shared")
    assert byot.is_valid({"kind": "y", "c": 1}, "urn:test:shared")  # the `other` branch
    with pytest.raises(SchemaValidationError) as info:
        byot.validate({"kind": "x", "a": "1", "b": "2", "c": "3"}, "urn:test:shared")
    assert (info.value.schema, info.value.profile) == ("urn:test:shared", None)
    assert info.value.issues[0].path in {"$.a", "$.b", "$.c"}
    with pytest.raises(SchemaValidationError) as unknown:
        byot.validate({"kind": "y", "c": "3"}, "urn:test:shared")
    assert unknown.value.issues[0] == SchemaIssue(
        "$.kind", "'y' is not a valid 'kind'; expected one of ['x']"
    )
    assert byot.is_valid(3, "urn:test:shared#/$defs/A/properties/a")


def test_register_schema_overlays_and_replaces(backend: str) -> None:
    overlay = {
        "$id": "urn:acme:api",
        "$defs": {
            "Chat": {
                "allOf": [{"$ref": "urn:byot:openai:lenient#/$defs/CreateChatCompletionResponse"}],
                "properties": {"acme_cost": {"type": "number"}},
            }
        },
    }
    byot.register_schema(overlay)
    assert byot.is_valid({**RESPONSE, "acme_cost": 0.1}, "urn:acme:api#/$defs/Chat")
    with pytest.raises(SchemaValidationError) as info:
        byot.validate({**RESPONSE, "acme_cost": "free"}, "urn:acme:api#/$defs/Chat")
    assert info.value.issues == (SchemaIssue("$.acme_cost", "'free' is not of type 'number'"),)
    byot.register_schema({"$id": "urn:acme:api", "$defs": {"Chat": {"type": "string"}}})
    assert byot.is_valid("now a string", "urn:acme:api#/$defs/Chat")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "object"}, "needs an absolute '\\$id'"),
        ({"$id": "relative"}, "needs an absolute '\\$id'"),
        ({"$id": "urn:x#frag"}, "needs an absolute '\\$id'"),
        ({"$id": "urn:byot:openai"}, "is byot's own bundle"),
        ({"$id": "urn:x:bad", "type": 3}, "urn:x:bad is not a valid Draft 2020-12 schema"),
    ],
)
def test_register_schema_refuses_what_cannot_work(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        byot.register_schema(document)


# -- the report ------------------------------------------------------------------------------------


def test_error_pickles_and_summarises_on_one_screen(backend: str) -> None:
    bad = {"model": "m", "messages": [{"role": "user", "content": i} for i in range(12)]}
    with pytest.raises(SchemaValidationError) as info:
        byot.validate(bad, "CreateChatCompletionRequest")
    error = info.value
    assert len(error.issues) == 12
    lines = str(error).splitlines()
    assert lines[0].endswith(": 12 problems")
    assert lines[-1] == "  ... and 4 more (see .issues)"
    assert len(lines) == 10
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (copy.issues, copy.schema, str(copy)) == (error.issues, error.schema, str(error))
    assert isinstance(error, ValueError)
    assert isinstance(error, byot.errors.BYOTError)


def test_long_messages_are_cut_in_the_summary_only() -> None:
    issue = SchemaIssue("$", "x" * 500)
    error = SchemaValidationError(schema="S", issues=[issue])
    assert str(error).splitlines()[1].endswith("...")
    assert len(str(error).splitlines()[1]) == 2 + 200
    assert error.issues[0].message == "x" * 500


def test_json_paths_quote_keys_that_are_not_names(backend: str) -> None:
    schema = {
        "$id": "urn:test:keys",
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "integer"}},
    }
    byot.register_schema(schema)
    assert problems({"odd key": [1, "2"]}, "urn:test:keys") == [
        ('$["odd key"][1]', "'2' is not of type 'integer'")
    ]


def test_values_that_are_not_json_are_judged_by_python(backend: str) -> None:
    # A file object in a form field: jsonschema-rs refuses it, python-jsonschema decides.
    form = {"file": object(), "model": "whisper-1"}
    byot.validate(form, "CreateTranscriptionRequest")
    assert byot.is_valid(form, "CreateTranscriptionRequest")
    assert not byot.is_valid({"file": object()}, "CreateTranscriptionRequest")
    assert not byot.is_valid({"file": object(), "model": object()}, "CreateTranscriptionRequest")
    assert problems({"file": object(), "model": object()}, "CreateTranscriptionRequest")


def test_validators_are_cached_per_schema_and_profile(backend: str) -> None:
    byot.validate(CHAT, "CreateChatCompletionRequest")
    byot.validate(CHAT, "CreateChatCompletionRequest")
    byot.validate(CHAT, "CreateChatCompletionRequest", profile="lenient")
    state = _validation._STATE
    keys = [key for key in state.checkers if key[0] == "CreateChatCompletionRequest"]
    assert keys == [
        ("CreateChatCompletionRequest", None, None, None),
        ("CreateChatCompletionRequest", None, "lenient", None),
    ]
    checker = state.checkers[keys[0]]
    assert (checker.fast() is False) == (backend == "python")
    assert checker.python() is checker.python()
