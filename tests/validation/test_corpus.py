"""OpenAI's own documented examples against byot's validation, both profiles, both backends.

The examples come from the pinned spec's `x-oaiMeta` (as in `tests/schemas/test_bundle.py`,
whose helpers this reuses; that module checks the bundles with a plain validator, this one
checks byot's validation: the discriminator-aware `anyOf` and the jsonschema-rs first pass).
The counts are asserted exactly, so a change to the bundles or the validator is noticed.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import importlib.util
import json  # noqa: TID251 -- parsing the spec's example strings, as the spec's authors wrote them
import re
from typing import Any, NamedTuple

import pytest

import byot
from byot import _validation
from tests.conftest import needs
from tests.schemas import load, needs_spec, spec
from tests.schemas.test_bundle import examples, spec_operations

pytestmark = needs_spec


class Example(NamedTuple):
    kind: str  # "request", "response", "event" or "object"
    where: tuple[str, int, int]  # operationId or component, example number, event number
    schema: str
    value: Any


def _events(text: str, framing: str) -> list[Any]:
    """The JSON events of an SSE transcript; None for an event whose data is not JSON."""
    found: list[Any] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        name, data = None, []
        for line in (line.strip() for line in block.splitlines()):
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").strip())
        if not data or data == ["[DONE]"]:
            continue
        try:
            value = json.loads("\n".join(data))
        except ValueError:
            found.append(None)
            continue
        found.append({"event": name, "data": value} if framing == "event-envelope" else value)
    return found


@functools.cache
def corpus() -> tuple[list[Example], int]:
    """Every documented request, response, stream event and object; and how many events
    could not be parsed."""
    index = load("operations.json")["operations"]
    found: list[Example] = []
    unparsed = 0
    for op in spec_operations():
        op_id = op["operationId"]
        entry = index[op_id]
        success = [code for code in entry["responses"] if code.startswith("2")]
        response = entry["responses"][min(success)].get("json") if success else None
        request = entry["request"]
        for number, example in enumerate(examples(op)):
            curl = (example.get("request") or {}).get("curl", "")
            body = re.search(r"-d '(.*)'", curl, re.DOTALL)
            if request and request["content_type"] == "application/json" and body:
                with contextlib.suppress(ValueError):
                    found.append(
                        Example(
                            "request", (op_id, number, 0), request["schema"], json.loads(body[1])
                        )
                    )
            text = example.get("response") or ""
            try:
                value = json.loads(text)
            except ValueError:
                if entry["stream"] and "data:" in text:
                    events = _events(text, entry["stream"]["framing"])
                    unparsed += events.count(None)
                    found += [
                        Example("event", (op_id, number, i), entry["stream"]["schema"], event)
                        for i, event in enumerate(events)
                        if event is not None
                    ]
                continue
            if response:
                found.append(Example("response", (op_id, number, 0), response, value))
    for name, schema in spec()["components"]["schemas"].items():
        example = (schema.get("x-oaiMeta") or {}).get("example")
        try:
            value = json.loads(example) if isinstance(example, str) else None
        except ValueError:
            continue
        if value is not None:
            found.append(Example("object", (name, 0, 0), f"#/$defs/{name}", value))
    return found, unparsed


# What OpenAI documents but its own schemas disagree with even under the lenient profile:
# each a genuine documentation (or spec) bug.
LENIENT_BUGS = {
    ("response", "runGrader"): "metadata.token_usage is a usage object; the spec says integer",
    ("response", "searchVectorStore"): "search_query is a string; the spec says a string array",
    ("object", "GraderMulti"): "graders is an array; the spec says one grader object",
    ("object", "RealtimeTranscriptionSessionCreateResponseGA"): (
        "audio.input.format is the string 'pcm16'; the spec says a format object"
    ),
    ("object", "ResponseQueuedEvent"): "response.created_at is an ISO date; the spec says unixtime",
    ("object", "BetaResponseQueuedEvent"): "the same ISO created_at as ResponseQueuedEvent",
}
# Examples, and how many of them pass the strict (spec-faithful) profile. Strict response
# validation fails on a third of OpenAI's own responses and half its stream events (fields
# in `required` that the examples leave out, nulls, newer enum values): why responses are
# checked lenient.
COUNTS = {
    "request": (122, 119),
    "response": (240, 159),
    "event": (105, 50),
    "object": (351, 293),
}
UNPARSED_EVENTS = 15  # the Assistants transcripts put an extra `}` on every run event


@pytest.fixture(params=["python", "fast"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setitem(__import__("sys").modules, "jsonschema_rs", None)
        monkeypatch.setattr(_validation, "_STATE", _validation._State())
    return str(request.param)


def test_the_corpus_is_what_it_was() -> None:
    examples, unparsed = corpus()
    sizes = collections.Counter(example.kind for example in examples)
    assert {kind: sizes[kind] for kind in COUNTS} == {kind: n for kind, (n, _) in COUNTS.items()}
    assert unparsed == UNPARSED_EVENTS


def test_lenient_profile_passes_all_but_the_named_documentation_bugs(backend: str) -> None:
    failures = {
        (example.kind, example.where[0])
        for example in corpus()[0]
        if example.kind != "request"
        and not byot.is_valid(example.value, example.schema, profile="lenient")
    }
    assert failures == LENIENT_BUGS.keys()


def test_strict_pass_counts(backend: str) -> None:
    passed = collections.Counter(
        example.kind
        for example in corpus()[0]
        if byot.is_valid(example.value, example.schema, profile="strict")
    )
    assert {kind: passed[kind] for kind in COUNTS} == {kind: ok for kind, (_, ok) in COUNTS.items()}


@needs(importlib.util.find_spec("jsonschema_rs") is not None, "jsonschema-rs is not installed")
@pytest.mark.parametrize("profile", ["strict", "lenient"])
def test_jsonschema_rs_and_python_agree_on_every_example(profile: str) -> None:
    disagree = []
    for example in corpus()[0]:
        checker = _validation._checker(example.schema, None, profile)  # type: ignore[arg-type]
        fast = checker.fast().is_valid(example.value)
        if fast != checker.python().is_valid(example.value):
            disagree.append((example.kind, example.where, fast))
    assert disagree == []


def test_every_documented_error_report_is_readable() -> None:
    # The failures' reports: a path and a message each, the best match first.
    for example in corpus()[0]:
        if example.kind == "request" or byot.is_valid(
            example.value, example.schema, profile="lenient"
        ):
            continue
        with pytest.raises(byot.errors.SchemaValidationError) as info:
            byot.validate(example.value, example.schema, profile="lenient")
        assert info.value.issues
        assert all(issue.path.startswith("$") for issue in info.value.issues)
