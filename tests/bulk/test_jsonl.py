"""The batch JSONL format: request lines in, result lines out, read back by custom_id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import pydantic
import pytest

from byot import bulk
from byot._jsonl import parse_result, result_line
from byot.errors import BulkInputError, DecodeError, LineProblem

if TYPE_CHECKING:
    from pathlib import Path


@dataclass
class Ask:
    model: str
    messages: list[dict[str, str]]
    temperature: float | None = None


class Embed(pydantic.BaseModel):
    model: str
    input: str
    dimensions: int | None = None


@dataclass
class Answer:
    id: str
    model: str


def chat(text: str) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_request_lines_encode_bodies_as_calls_do(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    count = bulk.write_requests(path, [("a", Ask("m", [{"role": "user", "content": "hi"}]))])
    with path.open("ab") as out:
        out.write(bulk.request_line("b", Embed(model="e", input="x"), url="/v1/embeddings"))

    assert count == 1
    assert lines(path) == [
        {
            "custom_id": "a",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        },
        {
            "custom_id": "b",
            "method": "POST",
            "url": "/v1/embeddings",
            "body": {"model": "e", "input": "x"},
        },
    ]
    assert bulk.request_line("c", {"x": 1}, encoder=lambda body: {"wrapped": body}).endswith(
        b'"body":{"wrapped":{"x":1}}}\n'
    )


@pytest.mark.parametrize("custom_id", ["", None, 7])
def test_a_custom_id_is_a_non_empty_string(custom_id: Any) -> None:
    with pytest.raises(TypeError, match="custom_id is a non-empty string"):
        bulk.request_line(custom_id, {})


def test_read_requests_streams_lines_with_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(
        bulk.request_line("a", chat("1"))
        + b"\n   \n"
        + bulk.request_line("b", chat("2"), url="/chat/completions", method="post")
    )

    first, second = bulk.read_requests(path)

    assert (first.custom_id, first.line, first.path) == ("a", 1, "/chat/completions")
    assert first.body == chat("1")
    assert (second.custom_id, second.method, second.line, second.path) == (
        "b",
        "POST",
        4,
        "/chat/completions",
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{nope", "not JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"custom_id": "a", "url": "/v1/x"}', "missing method, body"),
        (b'{"custom_id": "", "method": "POST", "url": "/x", "body": {}}', "custom_id must be"),
        (b'{"custom_id": "a", "method": 1, "url": "/x", "body": {}}', "method and url must"),
        (b'{"custom_id": "a", "method": "POST", "url": "x", "body": {}}', "method and url must"),
    ],
)
def test_a_line_that_is_no_request_stops_the_reader(
    tmp_path: Path, raw: bytes, problem: str
) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(bulk.request_line("ok", chat("fine")) + raw + b"\n")

    reader = bulk.read_requests(path)
    assert next(reader).custom_id == "ok"
    with pytest.raises(BulkInputError) as info:
        next(reader)

    assert info.value.path == str(path)
    ((line, message),) = info.value.problems
    assert line == 2
    assert problem in message


def test_check_requests_lists_every_problem_and_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(
        bulk.request_line("a", {"model": "m", "messages": [{"role": "usr", "content": "x"}]})
        + b"not json\n"
        + bulk.request_line("a", chat("again"))
        + bulk.request_line("c", chat("x"), url="/v1/nowhere")
        + bulk.request_line("d", {"model": "m"}, url="/v1/embeddings")
        + b'{"custom_id": "e", "method": "POST", "url": "/v1/embeddings", "body": [1]}\n'
    )

    with pytest.raises(BulkInputError) as info:
        bulk.check_requests(path)

    assert [problem.line for problem in info.value.problems] == [1, 2, 3, 4, 5, 6]
    messages = [problem.message for problem in info.value.problems]
    assert messages[0].startswith("$.body.messages[0].role: 'usr' is not a valid 'role'")
    assert messages[1].startswith("not JSON")
    assert messages[2] == "custom_id 'a' repeats line 1"
    assert messages[3] == "POST /v1/nowhere is not an operation of the API"
    assert messages[4] == "$.body: 'input' is a required property"
    assert messages[5] == "body must be a JSON object"
    assert str(info.value).startswith(f"{path}: 6 problems; fix them and run again\n  line 1:")


def test_check_requests_without_schemas_checks_the_lines_only(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    bulk.write_requests(path, [("a", {"model": "m"}), ("b", chat("fine"))])

    assert bulk.check_requests(path, schemas=False) == 2
    with pytest.raises(BulkInputError, match="1 problem;"):
        bulk.check_requests(path)


def test_a_long_report_shows_the_first_problems(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    path.write_bytes(b"x\n" * 12)

    with pytest.raises(BulkInputError) as info:
        bulk.check_requests(path)

    assert len(info.value.problems) == 12
    assert str(info.value).endswith("... and 4 more (see .problems)")
    assert str(LineProblem(3, "bad")) == "line 3: bad"


def test_result_lines_are_the_batch_apis_output_format() -> None:
    ok = result_line("a", number=3, status_code=200, body=b'{"id": "x"}', request_id="req_1")
    failed = result_line("b", number=4, error={"code": "timeout", "message": "slow"})
    empty = result_line("c", number=5, status_code=204, body=b"")

    assert orjson.loads(ok) == {
        "id": "byot_req_3",
        "custom_id": "a",
        "response": {"status_code": 200, "request_id": "req_1", "body": {"id": "x"}},
        "error": None,
    }
    assert orjson.loads(failed)["response"] is None
    assert orjson.loads(failed)["error"] == {"code": "timeout", "message": "slow"}
    assert orjson.loads(empty)["response"]["body"] is None
    assert ok.endswith(b"\n")
    pretty = result_line("d", number=6, status_code=200, body=b'{\n  "id": "x",\r\n  "n": [1]\n}\n')
    assert pretty.count(b"\n") == 1
    assert orjson.loads(pretty)["response"]["body"] == {"id": "x", "n": [1]}


def write_results(path: Path) -> None:
    answer = b'{"id": "chatcmpl-1", "model": "gpt", "extra": true}'
    path.write_bytes(
        result_line("a", number=1, status_code=200, body=answer, request_id="req_a")
        + result_line("b", number=2, status_code=429, body=b'{"error": {"message": "slow"}}')
        + result_line("c", number=3, status_code=500, body=b'"Internal"')
        + result_line("d", number=4, status_code=400, body=b'{"detail": "no"}')
        + result_line("e", number=5, error={"code": "connection_error", "message": "reset"})
        + b"\n"
    )


def test_results_decode_into_the_callers_type_by_custom_id(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    write_results(path)

    results = bulk.results_by_id(path, response_type=Answer)

    assert list(results) == ["a", "b", "c", "d", "e"]
    assert results["a"] == bulk.Result("a", 200, Answer("chatcmpl-1", "gpt"), None, "req_a")
    assert results["a"].ok
    assert [results[k].ok for k in "bcde"] == [False] * 4
    assert results["b"].error == {"message": "slow"}
    assert results["b"].status_code == 429
    assert results["c"].error == {"message": "Internal"}
    assert results["d"].error == {"detail": "no"}
    assert results["e"] == bulk.Result(
        "e", None, None, {"code": "connection_error", "message": "reset"}, None
    )


def test_results_are_dicts_by_default_and_later_files_win(tmp_path: Path) -> None:
    first, second = tmp_path / "output.jsonl", tmp_path / "errors.jsonl"
    write_results(first)
    second.write_bytes(result_line("b", number=2, status_code=200, body=b'{"id": "again"}'))

    results = bulk.results_by_id(first, second)

    assert results["a"].body == {"id": "chatcmpl-1", "model": "gpt", "extra": True}
    assert results["b"].body == {"id": "again"}
    assert len(list(bulk.read_results(first, second))) == 6


def test_a_body_that_does_not_fit_the_type_says_where(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(result_line("a", number=1, status_code=200, body=b'{"id": 1}'))

    with pytest.raises(DecodeError, match=r"\$.id"):
        bulk.results_by_id(path, response_type=Answer)


@pytest.mark.parametrize("raw", [b"[]", b'{"custom_id": 3}', b"{torn"])
def test_a_line_that_is_no_result_is_named(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "results.jsonl"
    path.write_bytes(result_line("a", number=1, status_code=200, body=b"{}") + raw)

    with pytest.raises(BulkInputError) as info:
        list(bulk.read_results(path))

    assert info.value.problems[0].line == 2


def test_parse_result_tells_done_from_failed() -> None:
    assert parse_result(result_line("a", number=1, status_code=201, body=b"{}"))[:2] == ("a", True)
    assert parse_result(result_line("a", number=1, status_code=302, body=b"{}"))[1] is False
    assert parse_result(result_line("a", number=1, error={"code": "x"}))[1] is False
    with pytest.raises(ValueError, match="not a batch result line"):
        parse_result(b'{"id": 1}')
