"""`SpecMock` answers every operation of the spec, sync and async, as the spec documents."""

from __future__ import annotations

from typing import Any

import pytest

from byot.resources._endpoints import ENDPOINTS
from byot.testing import SpecMock
from byot.testing._echo import echo
from tests.testing.helpers import EXAMPLES, OPERATIONS, PLACEHOLDER, call_args, lenient_errors

OPERATION_IDS = sorted(OPERATIONS)
STREAMING = sorted(op for op, info in OPERATIONS.items() if info["stream"])


def test_every_operation_is_in_the_table() -> None:
    assert len(OPERATION_IDS) == 288
    assert set(OPERATION_IDS) == set(ENDPOINTS)


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_every_operation_gets_its_documented_answer(both: Any, operation_id: str) -> None:
    mock = SpecMock()
    client = both.client(transport=mock)
    body, keywords = call_args(operation_id)
    response = both.call(client.call, operation_id, *body, raw=True, **keywords)
    info = OPERATIONS[operation_id]
    success = min(code for code in info["responses"] if code.startswith("2"))
    assert response.status_code == int(success)
    (call,) = mock.calls
    assert call.operation_id == operation_id
    assert call.response.status_code == int(success)
    assert response.request_id == "req_byot_mock_1"
    example = EXAMPLES["operations"].get(operation_id, {})
    if info["result"] == "json":
        ref = info["responses"][success]["json"]
        assert lenient_errors(response.parsed, ref) == []
        documented = example.get("response")
        if documented is not None:  # adapted to the request as _echo says, tested in test_echo
            (request_body,) = body or (None,)
            path_values = {k: v for k, v in keywords.items() if isinstance(v, str)}
            adapted = echo(operation_id, info, path_values, {}, request_body, documented)
            assert response.parsed == adapted
            assert adapted.keys() >= documented.keys()
        else:
            assert isinstance(response.parsed, (dict, list))
    elif info["result"] == "binary":
        assert response.parsed == f"byot.testing: the bytes of {operation_id}".encode()
        assert (
            response.headers["content-type"]
            == (info["responses"][success].get("raw") or ["application/octet-stream"])[0]
        )
    elif info["result"] == "text":
        assert response.parsed == example["text"]
    else:
        assert response.parsed is None


def _drain(both: Any, stream: Any) -> list[Any]:
    if not both.is_async:
        return list(stream)

    async def collect() -> list[Any]:
        return [item async for item in stream]

    return both.run(collect())


@pytest.mark.parametrize("operation_id", STREAMING)
def test_every_stream_operation_streams_to_a_clean_end(both: Any, operation_id: str) -> None:
    mock = SpecMock()
    client = both.client(transport=mock)
    endpoint = ENDPOINTS[operation_id]
    body, keywords = call_args(operation_id)
    method = client
    for part in f"{endpoint.name}_stream".split("."):
        method = getattr(method, part)
    path_values = [keywords.pop(name) for name in PLACEHOLDER.findall(endpoint.path)]
    items = _drain(both, both.call(method, *path_values, *body, **keywords))
    stream = OPERATIONS[operation_id]["stream"]
    assert items, "no events"
    if stream["framing"] == "data":
        values = items
    else:
        assert all(isinstance(name, str) and name for name, _ in items)
        values = [value for _, value in items]
    for value in values:
        assert lenient_errors(value, stream["schema"]) == []
    if stream["terminal"]:
        last = items[-1]
        tag = last[0] if stream["framing"] != "data" else last["type"]
        assert tag in stream["terminal"]
    (call,) = mock.calls
    assert call.response.headers["content-type"] == "text/event-stream"
    wire = call.response.read()
    if stream["done"] == "[DONE]":
        ending = (
            b"event: done\ndata: [DONE]\n\n"
            if stream["framing"] == "event-envelope"
            else b"data: [DONE]\n\n"
        )
        assert wire.endswith(ending)
    documented = EXAMPLES["operations"].get(operation_id, {}).get("stream")
    if documented is not None:  # the request's model named where the example names one
        model = body[0].get("model")
        assert values == [_named(data, model) for _, data in documented]


def _named(event: dict[str, Any], model: str | None) -> dict[str, Any]:
    if model is None:
        return event
    named = {**event, "model": model} if "model" in event else event
    if "model" in event.get("response", {}):
        named["response"] = {**event["response"], "model": model}
    return named
