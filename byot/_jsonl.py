"""The Batch API's JSONL files, read and written a line at a time (never a whole file in memory).

Input, one request per line: `{"custom_id", "method", "url", "body"}`, the body encoded as
request bodies are (`byot._codec`: dicts as written, typed objects field by field). Output, one
result per line, as the Batch API writes its output and error files:
`{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`, so one reader
serves the local runner and the Batch API alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, cast, overload

import orjson

from byot import _codec
from byot._signatures import R
from byot.errors import BulkInputError, LineProblem, SchemaValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from byot._endpoint import Endpoint

__all__ = [
    "Request",
    "Result",
    "check_requests",
    "read_requests",
    "read_results",
    "request_line",
    "result_line",
    "results_by_id",
    "write_requests",
]

_DEFAULT_URL = "/v1/chat/completions"


class Request(NamedTuple):
    """One request line of a batch input file.

    Attributes:
        custom_id: The caller's id for the request, unique in the file.
        method: The HTTP method (the Batch API takes `POST`).
        url: The route, as the Batch API spells it (`/v1/chat/completions`).
        body: The request body, decoded.
        line: Where it stands in the file, from 1.
    """

    custom_id: str
    method: str
    url: str
    body: Any
    line: int

    @property
    def path(self) -> str:
        """The route below a client's base URL: `url` without its `/v1` prefix."""
        return self.url[3:] if self.url.startswith("/v1/") else self.url


def request_line(
    custom_id: str,
    body: object,
    *,
    url: str = _DEFAULT_URL,
    method: str = "POST",
    encoder: Callable[[Any], bytes | Mapping[str, Any]] | None = None,
) -> bytes:
    """One line of a batch input file, newline included.

    Args:
        custom_id: The id the result will carry.
        body: The request body: a mapping, dataclass, TypedDict, attrs instance, pydantic
            model or msgspec Struct (fields that are None left out), as for a call.
        url: The route (`/v1/chat/completions`, `/v1/embeddings`, `/v1/responses`, ...).
        method: The HTTP method.
        encoder: Turn `body` into JSON bytes or a mapping with this function.

    Raises:
        TypeError: The body cannot be encoded, or `custom_id` is not a non-empty string.
    """
    if not isinstance(cast("object", custom_id), str) or not custom_id:
        raise TypeError(f"a custom_id is a non-empty string, not {custom_id!r}")
    encoded = orjson.Fragment(_codec.encode(body, encoder=encoder))
    line = {"custom_id": custom_id, "method": method, "url": url, "body": encoded}
    return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)


def write_requests(
    path: str | os.PathLike[str],
    requests: Iterable[tuple[str, object]],
    *,
    url: str = _DEFAULT_URL,
    method: str = "POST",
    encoder: Callable[[Any], bytes | Mapping[str, Any]] | None = None,
) -> int:
    """Write `(custom_id, body)` pairs as a batch input file, streaming; the lines written.

    Example:
        ```python
        questions = ["What is 2 + 2?", "Name a planet."]
        byot.bulk.write_requests(
            "requests.jsonl",
            (
                (f"q{n}", {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": q}]})
                for n, q in enumerate(questions)
            ),
        )
        ```

    Raises:
        TypeError: A body cannot be encoded (the file then holds the lines before it).
    """
    count = 0
    with Path(path).open("wb") as out:
        for custom_id, body in requests:
            out.write(request_line(custom_id, body, url=url, method=method, encoder=encoder))
            count += 1
    return count


def _lines(path: str | os.PathLike[str]) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a file with their numbers, read as a stream."""
    with Path(path).open("rb") as source:
        for number, line in enumerate(source, 1):
            if line.strip():
                yield number, line


def parse_request(number: int, raw: bytes) -> Request | str:
    """A request line, or what is wrong with it."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return f"not JSON ({exc})"
    if not isinstance(value, dict):
        return f"expected a JSON object, got {raw[:40]!r}"
    line = cast("dict[str, Any]", value)
    custom_id, method, url = line.get("custom_id"), line.get("method"), line.get("url")
    missing = [key for key in ("custom_id", "method", "url", "body") if key not in line]
    if missing:
        return f"missing {', '.join(missing)}"
    if not isinstance(custom_id, str) or not custom_id:
        return f"custom_id must be a non-empty string, not {custom_id!r}"
    if not isinstance(method, str) or not isinstance(url, str) or not url.startswith("/"):
        return f"method and url must be strings, url a path such as {_DEFAULT_URL!r}"
    return Request(custom_id, method.upper(), url, line["body"], number)


def read_requests(path: str | os.PathLike[str]) -> Iterator[Request]:
    """The requests of a batch input file, one at a time (blank lines skipped).

    Raises:
        BulkInputError: A line is not a request (not JSON, or a key missing); the lines
            before it have been yielded. `check_requests` lists every problem up front.
    """
    for number, raw in _lines(path):
        parsed = parse_request(number, raw)
        if isinstance(parsed, str):
            raise BulkInputError(path=os.fspath(path), problems=[LineProblem(number, parsed)])
        yield parsed


def check_requests(path: str | os.PathLike[str], *, schemas: bool = True) -> int:
    """Check every line of a batch input file before any work starts; the number of requests.

    Each line must be a request with a unique `custom_id`, a `url` that is an operation of the
    API, and (with `schemas=True`, which needs `jsonschema`) a body that its operation's
    request schema accepts. Memory grows only with the number of distinct `custom_id`s.

    Args:
        path: The JSONL file.
        schemas: Also validate each body against its operation's request schema.

    Raises:
        BulkInputError: Listing every problem with its line number.
    """
    problems: list[LineProblem] = []
    seen: dict[str, int] = {}
    count = 0
    for number, raw in _lines(path):
        count += 1
        parsed = parse_request(number, raw)
        if isinstance(parsed, str):
            problems.append(LineProblem(number, parsed))
            continue
        first = seen.setdefault(parsed.custom_id, number)
        if first != number:
            problems.append(
                LineProblem(number, f"custom_id {parsed.custom_id!r} repeats line {first}")
            )
        problems += [LineProblem(number, problem) for problem in _check_request(parsed, schemas)]
    if problems:
        raise BulkInputError(path=os.fspath(path), problems=problems)
    return count


def operation_of(request: Request) -> Endpoint | None:
    """The operation a request line names by its method and url, from the endpoint table."""
    from byot._validation import operation_for
    from byot.resources._endpoints import ENDPOINTS

    operation = operation_for(request.method, request.path)
    return None if operation is None else ENDPOINTS.get(operation)


def _check_request(request: Request, schemas: bool) -> list[str]:
    endpoint = operation_of(request)
    if endpoint is None:
        return [f"{request.method} {request.url} is not an operation of the API"]
    body = _codec.json_object(request.body)
    if body is None:
        return ["body must be a JSON object"]
    if not schemas:
        return []
    from byot._validation import validate

    try:
        validate(body, endpoint.operation_id, direction="request")
    except SchemaValidationError as error:
        return [
            f"{issue.path.replace('$', '$.body', 1)}: {issue.message}" for issue in error.issues
        ]
    return []


# -- results -------------------------------------------------------------------------------


def result_line(
    custom_id: str,
    *,
    number: int,
    status_code: int | None = None,
    body: bytes | None = None,
    request_id: str | None = None,
    error: Mapping[str, Any] | None = None,
) -> bytes:
    """One line of a results file, as the Batch API writes it, newline included.

    Args:
        custom_id: The request's id.
        number: The request's line number, which makes the line's own `id`.
        status_code: The answer's status, or None when no answer came.
        body: The answer's body as received (JSON; compacted when it spans lines), or None.
        request_id: The answer's `x-request-id`.
        error: `{"code", "message"}` when no answer came.
    """
    response = None
    if status_code is not None:
        if body and (b"\n" in body or b"\r" in body):  # pretty-printed: one line per result
            body = orjson.dumps(orjson.loads(body))
        content: Any = None if not body else orjson.Fragment(body)
        response = {"status_code": status_code, "request_id": request_id, "body": content}
    line = {"id": f"byot_req_{number}", "custom_id": custom_id, "response": response}
    line["error"] = None if error is None else dict(error)
    return orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE)


@dataclass(frozen=True)
class Result(Generic[R]):
    """One result of a batch: the answer to one request, or why there is none.

    Attributes:
        custom_id: The request's id.
        status_code: The answer's HTTP status, or None when no answer came.
        body: The answer decoded as asked (a dict unless a type was named) when the status is
            2xx, else None.
        error: The error: the answer's `error` object for a status >= 400, or the line's own
            `{"code", "message"}` when no answer came; None on success.
        request_id: The answer's `x-request-id`, if any.
    """

    custom_id: str
    status_code: int | None
    body: R | None
    error: dict[str, Any] | None
    request_id: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the request succeeded (a 2xx answer)."""
        return self.error is None and self.status_code is not None and self.status_code < 300


def parse_result(raw: bytes) -> tuple[str, bool, dict[str, Any]]:
    """The custom_id, success and decoded value of a results line.

    Raises:
        ValueError: The line is not a result (no JSON object with a string custom_id).
    """
    line = _codec.json_object(orjson.loads(raw)) or {}
    custom_id = line.get("custom_id")
    if not isinstance(custom_id, str):
        raise ValueError(f"not a batch result line: {raw[:60]!r}")
    status = (_codec.json_object(line.get("response")) or {}).get("status_code")
    ok = line.get("error") is None and isinstance(status, int) and 200 <= status < 300
    return custom_id, ok, line


@overload
def read_results(
    *sources: str | os.PathLike[str], response_type: None = None
) -> Iterator[Result[dict[str, Any]]]: ...
@overload
def read_results(
    *sources: str | os.PathLike[str], response_type: type[R]
) -> Iterator[Result[R]]: ...
def read_results(
    *sources: str | os.PathLike[str], response_type: type[Any] | None = None
) -> Iterator[Result[Any]]:
    """The results in output files (the runner's, or the Batch API's output and error files).

    Example:
        ```python
        for result in byot.bulk.read_results("results.jsonl", response_type=Chat):
            if result.ok:
                print(result.custom_id, result.body.choices[0].message.content)
        ```

    Args:
        *sources: Result files, read one line at a time in order.
        response_type: Decode each successful body into this type (a dataclass, TypedDict,
            pydantic model, msgspec Struct or attrs class) instead of a dict.

    Raises:
        BulkInputError: A line is not a result.
        DecodeError: A body does not fit `response_type`.
    """
    decode = None if response_type is None else _codec.decoder_for(response_type)
    for source in sources:
        for number, raw in _lines(source):
            try:
                custom_id, ok, line = parse_result(raw)
            except (ValueError, AttributeError) as exc:
                problem = LineProblem(number, str(exc))
                raise BulkInputError(path=os.fspath(source), problems=[problem]) from None
            yield _result(custom_id, ok, line, decode)


def _result(
    custom_id: str, ok: bool, line: dict[str, Any], decode: Callable[[bytes], Any] | None
) -> Result[Any]:
    response = _codec.json_object(line.get("response")) or {}
    body: Any = response.get("body")
    if ok:
        if decode is not None:
            body = decode(orjson.dumps(body))
        return Result(custom_id, response["status_code"], body, None, response.get("request_id"))
    error: Any = line.get("error")
    if error is None:  # an answer with an error status: its `error` object, or its whole body
        fields = _codec.json_object(body)
        error = {"message": body} if fields is None else fields.get("error", fields)
    return Result(custom_id, response.get("status_code"), None, error, response.get("request_id"))


@overload
def results_by_id(
    *sources: str | os.PathLike[str], response_type: None = None
) -> dict[str, Result[dict[str, Any]]]: ...
@overload
def results_by_id(
    *sources: str | os.PathLike[str], response_type: type[R]
) -> dict[str, Result[R]]: ...
def results_by_id(
    *sources: str | os.PathLike[str], response_type: type[Any] | None = None
) -> dict[str, Result[Any]]:
    """Every result in the files, by `custom_id` (a later line for the same id wins).

    Example:
        ```python
        results = byot.bulk.results_by_id("results.jsonl", response_type=Chat)
        print(results["q0"].body)
        ```

    Raises:
        BulkInputError: A line is not a result.
        DecodeError: A body does not fit `response_type`.
    """
    return {
        result.custom_id: result for result in read_results(*sources, response_type=response_type)
    }
