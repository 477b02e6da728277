"""The committed bundles and index: valid, consistent, and right about OpenAI's own examples."""

from __future__ import annotations

import json  # noqa: TID251 -- parsing the spec's example strings, as the spec's authors wrote them
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.schemas import generator, load, needs_spec, spec

STRICT, LENIENT = "openai.schema.json", "openai.lenient.schema.json"
CONTRACT_KEYS = {
    "method", "path", "fixed_query", "summary", "group", "doc", "deprecated", "security",
    "path_params", "query_params", "request", "request_params", "binary_fields", "responses",
    "result", "stream", "pagination",
}  # fmt: skip

# OpenAI's JSON response examples that disagree with the spec even under the lenient profile:
# genuine documentation bugs (research/schemas.md section 4), keyed by (operationId, example #).
LENIENT_EXAMPLE_BUGS = {
    ("runGrader", 0): "metadata.token_usage is a usage object; the spec says integer",
    ("searchVectorStore", 0): "search_query is a string; the spec says an array of strings",
}
# Documented JSON requests the spec-faithful profile rejects for a genuine reason.
REQUEST_EXAMPLE_BUGS = {
    ("create-realtime-session", 0): "request schema requires client_secret, a response field",
    ("CreateChatSessionMethod", 0): "spec requires `user`; the example omits it",
    ("createVectorStoreFileBatch", 0): "example flattens chunking_strategy.static's fields",
}


def validator(profile: str, ref: str) -> Draft202012Validator:
    bundle = load(profile)
    registry: Registry[Any] = Registry().with_resource(
        bundle["$id"], Resource.from_contents(bundle, DRAFT202012)
    )
    return Draft202012Validator({"$ref": bundle["$id"] + ref}, registry=registry)


def nodes(schema: Any) -> Any:
    """Every schema object below and including ``schema`` (not enum or default data)."""
    if isinstance(schema, dict):
        yield schema
    for sub in generator().subschemas(schema):
        yield from nodes(sub)


def all_nodes(profile: str) -> Any:
    for schema in load(profile)["$defs"].values():
        yield from nodes(schema)


def strings(node: Any) -> Any:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def examples(op: dict[str, Any]) -> list[dict[str, Any]]:
    found = (op.get("x-oaiMeta") or {}).get("examples") or []
    return found if isinstance(found, list) else [found]


def spec_operations() -> Any:
    for item in spec()["paths"].values():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield op


# --- the bundles -----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [STRICT, LENIENT])
def test_bundle_and_every_def_are_valid_draft_2020_12_schemas(profile: str) -> None:
    # What Draft202012Validator.check_schema does, once for the whole bundle (its $defs are
    # checked against the metaschema too), collecting every error rather than the first.
    meta = Draft202012Validator(
        Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    errors = {
        "/".join(map(str, e.absolute_path)): e.message for e in meta.iter_errors(load(profile))
    }
    assert errors == {}


def test_bundle_headers() -> None:
    strict, lenient = load(STRICT), load(LENIENT)
    assert strict["$schema"] == lenient["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert (strict["$id"], lenient["$id"]) == ("urn:byot:openai", "urn:byot:openai:lenient")
    assert strict["$defs"].keys() == lenient["$defs"].keys()
    assert "op.createTranscription.200.json" in strict["$defs"]


def test_every_ref_resolves() -> None:
    defs = load(STRICT)["$defs"]
    refs = {n["$ref"] for profile in (STRICT, LENIENT) for n in all_nodes(profile) if "$ref" in n}
    refs |= {s for s in strings(load("operations.json")) if s.startswith("#/")}
    assert refs
    assert all(ref.startswith("#/$defs/") for ref in refs)
    assert sorted(r for r in refs if r.removeprefix("#/$defs/") not in defs) == []


def test_openapi_leftovers_are_gone() -> None:
    leftovers = {"oneOf", "nullable", "discriminator", "$recursiveRef", "$recursiveAnchor"}
    leftovers |= {"description", "title", "example", "x-oaiMeta", "x-stainless-const"}
    for profile in (STRICT, LENIENT):
        for node in all_nodes(profile):
            assert not leftovers & node.keys(), node
            assert node.get("format") != "binary", node
            assert not isinstance(node.get("exclusiveMinimum"), bool), node


def test_nullable_fields_accept_null_in_the_strict_bundle() -> None:
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    check = validator(STRICT, "#/$defs/CreateChatCompletionRequest")
    assert check.is_valid({**request, "frequency_penalty": None})  # type + nullable
    assert check.is_valid({**request, "prediction": None})  # nullable oneOf of one $ref
    assert not check.is_valid({**request, "frequency_penalty": "hot"})
    allof_idiom = validator(STRICT, "#/$defs/RunObject/properties/truncation_strategy")
    assert allof_idiom.is_valid(None)
    assert allof_idiom.is_valid({"type": "auto"})
    assert not allof_idiom.is_valid({"type": "bogus"})
    nullable_enum = validator(STRICT, "#/$defs/CreateImageEditRequest/properties/background")
    assert nullable_enum.is_valid(None)
    assert nullable_enum.is_valid("opaque")
    assert not nullable_enum.is_valid("bogus")


def test_closed_and_open_tagged_unions() -> None:
    strict = load(STRICT)["$defs"]["ChatCompletionRequestMessage"]
    hint = strict["x-discriminator"]
    assert hint["propertyName"] == "role"
    assert hint["mapping"]["user"] == [2]
    assert (hint["missing"], hint["other"], "open" in hint) == ([], [], False)
    assert load(LENIENT)["$defs"]["ChatCompletionRequestMessage"]["x-discriminator"]["open"] is True
    events = load(STRICT)["$defs"]["ResponseStreamEvent"]["x-discriminator"]
    assert {"response.completed", "response.output_text.delta", "error"} <= events["mapping"].keys()
    unknown = {"type": "response.from_the_future", "sequence_number": 1}
    assert not validator(STRICT, "#/$defs/ResponseStreamEvent").is_valid(unknown)
    assert validator(LENIENT, "#/$defs/ResponseStreamEvent").is_valid(unknown)


def test_lenient_profile_accepts_null_and_missing_fields_everywhere() -> None:
    lenient = load(LENIENT)
    for node in all_nodes(LENIENT):
        assert not {"required", "enum", "const"} & node.keys(), node
        assert node.get("additionalProperties") is not False
    check = validator(LENIENT, "#/$defs/CreateChatCompletionResponse")
    assert check.is_valid({"choices": [{"message": {"role": "user", "tool_calls": None}}]})
    assert not check.is_valid({"choices": "not a list"})
    rejects_null = [
        name
        for name in lenient["$defs"]
        if not validator(LENIENT, f"#/$defs/{name}").is_valid(None)
    ]
    assert rejects_null == []


# --- operations.json ------------------------------------------------------------------------


def test_index_header_and_source() -> None:
    index, source = load("operations.json"), load("SOURCE.json")
    assert (index["bundle"], index["lenient"]) == (STRICT, LENIENT)
    assert index["source"] == source["upstream"]
    assert source["upstream"]["repo"] == "openai/openai-openapi"
    ops = index["operations"].values()
    counts = source["counts"]
    assert counts["operations"] == len(index["operations"])
    assert counts["defs"] == len(load(STRICT)["$defs"])
    assert counts["streams"] == sum(1 for op in ops if op["stream"])
    assert counts["paginated"] == sum(1 for op in ops if op["pagination"])
    assert index["webhooks"]["batch.completed"] == "#/$defs/WebhookBatchCompleted"


def test_every_operation_has_the_contract_shape() -> None:
    operations = load("operations.json")["operations"]
    assert len(operations) == 288
    keys = [
        (op["method"], op["path"], tuple(sorted(op["fixed_query"].items())))
        for op in operations.values()
    ]
    assert len(set(keys)) == len(keys)
    for op_id, op in operations.items():
        assert op.keys() == CONTRACT_KEYS, op_id
        assert op["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert "?" not in op["path"]
        assert re.findall(r"{(\w+)}", op["path"]) == [p["name"] for p in op["path_params"]]
        assert op["security"] in {"bearer", "admin"}
        assert op["result"] in {"json", "binary", "text", "empty"}
        assert op["request_params"] == sorted(op["request_params"])
        assert op["summary"]
        assert "*" not in op["summary"]
        assert "](" not in op["summary"]
        assert all("text/event-stream" not in r.get("raw", []) for r in op["responses"].values())
        if op["request"]:
            assert op["request"].keys() == {"content_type", "schema", "required", "part_types"}
        if op["stream"]:
            assert op["stream"]["framing"] in {"data", "event", "event-envelope"}
            assert op["stream"]["in"] in {"body", "query"}
        if op["pagination"]:
            assert op["pagination"]["next"] in {"last_id", "next", "next_page", "id-of-last-item"}
        for param in op["query_params"]:
            assert param.keys() == {"name", "required", "schema", "style", "explode"}


def test_spot_checks() -> None:
    ops = load("operations.json")["operations"]
    chat = ops["createChatCompletion"]
    assert (chat["method"], chat["path"], chat["group"]) == ("POST", "/chat/completions", "chat")
    assert chat["summary"] == "Create chat completion"
    assert chat["doc"] == "https://platform.openai.com/docs/api-reference/chat/create"
    assert chat["request"]["schema"] == "#/$defs/CreateChatCompletionRequest"
    assert chat["responses"]["429"] == {"json": "#/$defs/ErrorResponse"}
    assert {"messages", "model", "stream", "temperature"} <= set(chat["request_params"])
    assert chat["stream"] == {
        "flag": "stream", "schema": "#/$defs/CreateChatCompletionStreamResponse",
        "framing": "data", "done": "[DONE]", "terminal": [], "in": "body",
    }  # fmt: skip
    terminals = ["response.completed", "response.failed", "response.incomplete"]
    stream = ops["createResponse"]["stream"]
    assert (stream["framing"], stream["done"], stream["terminal"]) == ("event", None, terminals)
    assert ops["getResponse"]["stream"]["in"] == "query"
    speech = ops["createSpeech"]
    assert (speech["stream"]["flag"], speech["result"]) == ("stream_format=sse", "binary")
    assert speech["responses"]["200"] == {"raw": ["application/octet-stream"]}
    assert ops["createRun"]["stream"]["framing"] == "event-envelope"
    assert ops["createCompletion"]["stream"]["done"] == "[DONE]"
    upload = ops["createFile"]
    assert upload["request"]["content_type"] == "multipart/form-data"
    assert upload["binary_fields"] == ["file"]
    assert ops["listFiles"]["pagination"] == {
        "style": "cursor", "param": "after", "items": "data", "has_more": "has_more",
        "next": "last_id",
    }  # fmt: skip
    assert ops["list-groups"]["pagination"]["next"] == "next"
    assert ops["usage-completions"]["pagination"]["param"] == "page"
    assert ops["usage-completions"]["pagination"]["next"] == "next_page"
    beta = ops["beta_createResponse"]
    assert (beta["path"], beta["fixed_query"]) == ("/responses", {"beta": "true"})
    assert ops["retrieveBatch"]["path_params"][0]["name"] == "batch_id"
    assert ops["deleteResponse"]["result"] == "empty"
    assert ops["create-realtime-call"]["result"] == "text"
    admin = [op for op in ops.values() if op["path"].startswith("/organization/")]
    assert admin
    assert all(op["security"] == "admin" for op in admin)
    assert ops["createChatCompletion"]["security"] == "bearer"


# --- OpenAI's documented examples -------------------------------------------------------------


@needs_spec
def test_documented_json_responses_pass_the_lenient_profile() -> None:
    index = load("operations.json")["operations"]
    checked, failures = 0, {}
    for op in spec_operations():
        entry = index[op["operationId"]]
        success = min(code for code in entry["responses"] if code.startswith("2"))
        ref = entry["responses"][success].get("json")
        for number, example in enumerate(examples(op)):
            try:
                instance = json.loads(example.get("response") or "")
            except ValueError:  # SSE transcripts, elisions ("..."): not JSON documents
                continue
            if ref is None:
                continue
            checked += 1
            errors = [e.message for e in validator(LENIENT, ref).iter_errors(instance)]
            if errors:
                failures[op["operationId"], number] = errors[:3]
    assert checked > 200
    assert failures.keys() == LENIENT_EXAMPLE_BUGS.keys(), failures


@needs_spec
def test_documented_json_requests_pass_the_strict_profile() -> None:
    index = load("operations.json")["operations"]
    checked, failures = 0, {}
    for op in spec_operations():
        request = index[op["operationId"]]["request"]
        if not request or request["content_type"] != "application/json":
            continue
        for number, example in enumerate(examples(op)):
            body = re.search(
                r"-d '(.*)'", (example.get("request") or {}).get("curl", ""), re.DOTALL
            )
            try:
                instance = json.loads(body.group(1)) if body else None
            except ValueError:
                continue
            if instance is None:
                continue
            checked += 1
            if not validator(STRICT, request["schema"]).is_valid(instance):
                failures[op["operationId"], number] = request["schema"]
    assert checked > 100
    assert failures.keys() == REQUEST_EXAMPLE_BUGS.keys(), failures
