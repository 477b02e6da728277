"""The errors of schemas and structured outputs: hierarchy, messages, pickling."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from byot import errors

RESPONSE = {"id": "chatcmpl-1", "choices": [{"finish_reason": "length"}]}

EXAMPLES: list[errors.BYOTError] = [
    errors.SchemaGenerationError(target=dict, field="dict", reason="free-form keys", strict=True),
    errors.StructuredOutputError("no output", content=None, response=RESPONSE),
    errors.RefusalError("refused", refusal="I can't", content=None, response=RESPONSE),
    errors.LengthFinishReasonError("cut", content='{"a": ', response=RESPONSE),
    errors.ContentFilterFinishReasonError("filtered", content="", response=RESPONSE),
    errors.OutputNotJSONError("not JSON", content="Sure! {", response=RESPONSE),
    errors.MissingOutputError("no output", content=None, response=RESPONSE),
    errors.OutputTypeError("does not fit", path="$.a", content='{"a": 1}', response=RESPONSE),
]


def round_trip(error: errors.BYOTError) -> Any:
    return pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes


@pytest.mark.parametrize("error", EXAMPLES, ids=lambda e: type(e).__name__)
def test_pickle_round_trip(error: errors.BYOTError) -> None:
    restored = round_trip(error)
    assert type(restored) is type(error)
    assert str(restored) == str(error) == error.args[0]
    assert restored.__dict__ == error.__dict__


@pytest.mark.parametrize(
    "cls",
    [
        errors.RefusalError,
        errors.LengthFinishReasonError,
        errors.ContentFilterFinishReasonError,
        errors.OutputNotJSONError,
        errors.OutputTypeError,
        errors.MissingOutputError,
    ],
)
def test_one_base_for_every_structured_output_error(cls: type[Exception]) -> None:
    assert issubclass(cls, errors.StructuredOutputError)
    assert issubclass(cls, errors.BYOTError)
    assert not issubclass(cls, errors.APIError)


def test_schema_generation_error_message() -> None:
    error = errors.SchemaGenerationError(
        target=dict, field="Order.tags", reason="free-form keys", hint="use a class", strict=True
    )
    assert str(error) == (
        "cannot make a strict JSON schema for dict (at Order.tags): free-form keys; use a class"
    )
    assert isinstance(error, TypeError)
    bare = errors.SchemaGenerationError(target="Order", field="Order", reason="too big")
    assert str(bare) == "cannot make a JSON schema for Order: too big"
    assert not bare.strict
    assert bare.hint == ""
