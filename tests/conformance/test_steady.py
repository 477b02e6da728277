"""Every operation of the API, called through byot, is a request the spec accepts.

steady validates each request against the pinned OpenAPI spec (path, query string, headers, JSON
body, multipart form) and answers 400 with its diagnostics when one is wrong. Every generated
method is called once with a valid body (see bodies.py) and must get a 2xx with
`X-Steady-Request-Valid: true`. Then every optional query parameter and form field is sent
once, alone, with a value that shows its encoding: that is where byot's spellings of booleans,
arrays (`name[]=a&name[]=b`) and objects (`name[key]=v`) meet the server's expectations. A
sample of both goes through `AsyncClient` too.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot
from byot.errors import APIStatusError
from tests.conformance.bodies import Call, call_for, operations, optional_params

if TYPE_CHECKING:
    from collections.abc import Iterator

TIMEOUT = 10.0

# Calls that fail, each checked by hand, keyed by test id; the reason says whose fault it is.
# They are `xfail(strict=True)`: one that starts passing (a fixed steady, spec or byot) fails
# the run until its entry is removed.
#
# InputItem (the items of createConversationItems) is a oneOf with a `discriminator` on `type`
# and no mapping. By OpenAPI's implicit mapping its values would then be schema names, and
# steady rejects `"type": "message"` (E3011, "valid values: []") unless the item happens to
# match EasyInputMessage with string content; the spec's example sends content parts. The same
# items pass in createResponse's `input`, and the bytes are the spec's example as written.
_UNMAPPED_DISCRIMINATOR = "spec+steady: InputItem's discriminator has no mapping (E3011 on type)"
# A form field is text. steady converts `name[key]=1` to the integer, number or boolean the
# schema asks for when the object is a plain $ref (createFile+expires_after passes), but not when
# it is reached through anyOf/oneOf/allOf (E3008 "got string"). byot's spelling is the official
# SDK's.
_NESTED_FORM_SCALARS = "steady: no type conversion of name[key] form fields under a union"
KNOWN_FAILURES: dict[str, str] = {
    "createConversationItems": _UNMAPPED_DISCRIMINATOR,
    "createConversationItems+include": _UNMAPPED_DISCRIMINATOR,
    "createTranscription+chunking_strategy": _NESTED_FORM_SCALARS,
    # The spec's multipart `encoding` makes `session` one application/json part, which byot
    # sends (tests/client/test_uploads.py); steady ignores `encoding` and rejects the part as
    # "expected object, got string", so no spelling passes there.
    "create-realtime-call+session": "steady: ignores the multipart encoding (session is JSON)",
}

# A spread of what the async driver does: JSON bodies, forms with files, arrays and objects,
# query arrays and objects, a binary answer, an empty answer, path parameters.
ASYNC_SAMPLE = (
    "createChatCompletion",
    "createResponse",
    "createEmbedding",
    "createFile",
    "createTranscription",
    "createSpeech",
    "list-audit-logs",
    "listRunSteps",
    "deleteResponse",
    "getVectorStoreFile",
)


def _param(*values: str) -> Any:
    test_id = "+".join(values)  # "createFile", or "createFile+expires_after"
    reason = KNOWN_FAILURES.get(test_id)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(*values, id=test_id, marks=marks)


ALL = [_param(op) for op in sorted(operations())]
# One call per optional parameter, so that a rejection names the parameter.
OPTIONAL = [_param(op, extra) for op in sorted(operations()) for extra in optional_params(op)]


def _settings() -> dict[str, Any]:
    return {
        "api_key": "sk-test",
        "timeout": TIMEOUT,
        "max_retries": 0,
        "retry": byot.RetryPolicy(sleep=False),
    }


@pytest.fixture(scope="module")
def client(steady: str) -> Iterator[byot.Client]:
    with byot.Client(base_url=steady, **_settings()) as client:
        yield client


def _method(client: object, call: Call) -> Any:
    """The generated method, e.g. `client.chat.completions.create`."""
    return functools.reduce(getattr, call.method.split("."), client)


def describe(call: Call, status: int, headers: httpx.Headers, body: object) -> str:
    """What went wrong, with steady's diagnostics (code, path, message) when it sent any."""
    lines = [f"{call.operation_id} ({call.method}, {call.source}) -> {status}"]
    diagnostics = body.get("steady", {}).get("errors", []) if isinstance(body, dict) else []
    lines += [f"  {d.get('code')} {d.get('path')}: {d.get('message')}" for d in diagnostics]
    if not diagnostics:  # a 2xx marked invalid carries them in headers only
        count = int(headers.get("x-steady-error-count", "0"))
        lines += [
            "  {} {}: {}".format(
                *(headers.get(f"x-steady-error-{n}-{part}") for part in ("code", "path", "message"))
            )
            for n in range(1, count + 1)
        ]
    return "\n".join(lines)


def verdict(call: Call, response: byot.APIResponse[Any]) -> str | None:
    """None when steady took the request as valid, else what went wrong."""
    if response.headers.get("x-steady-request-valid") == "true":
        return None
    return describe(call, response.status_code, response.headers, None)


def send(client: byot.Client, call: Call) -> str | None:
    """Make the call: None when it passed, else what went wrong."""
    try:
        response = _method(client, call)(**call.kwargs, raw=True)
    except APIStatusError as error:  # byot raises for every status >= 400
        return describe(call, error.status_code, error.headers, error.body)
    return verdict(call, response)


@pytest.mark.parametrize("operation_id", ALL)
def test_operation(client: byot.Client, operation_id: str) -> None:
    failure = send(client, call_for(operation_id))
    if failure:
        pytest.fail(failure, pytrace=False)


@pytest.mark.parametrize(("operation_id", "extra"), OPTIONAL)
def test_optional_parameter(client: byot.Client, operation_id: str, extra: str) -> None:
    failure = send(client, call_for(operation_id, [extra]))
    if failure:
        pytest.fail(failure, pytrace=False)


def _passing_extras(operation_id: str) -> list[str]:
    return [
        extra
        for extra in optional_params(operation_id)
        if f"{operation_id}+{extra}" not in KNOWN_FAILURES
    ]


def test_async_client_sample(steady: str) -> None:
    async def send_async(client: byot.AsyncClient, call: Call) -> str | None:
        try:
            response = await _method(client, call)(**call.kwargs, raw=True)
        except APIStatusError as error:
            return describe(call, error.status_code, error.headers, error.body)
        return verdict(call, response)

    async def main() -> list[str]:
        async with byot.AsyncClient(base_url=steady, **_settings()) as client:
            # Each operation once as test_operation sends it, once with all its optional
            # parameters at the same time (those known to fail left out).
            calls = [call_for(operation_id) for operation_id in ASYNC_SAMPLE] + [
                call_for(operation_id, _passing_extras(operation_id))
                for operation_id in ASYNC_SAMPLE
                if optional_params(operation_id)
            ]
            results = [await send_async(client, call) for call in calls]
        return [failure for failure in results if failure is not None]

    failures = asyncio.run(main())
    assert not failures, "\n".join(failures)


# Spellings byot does not use, which steady must reject: proof that the format flags in
# conftest.py are in force, so that a change in byot's encoding would fail the tests above.
# steady is lenient about query arrays (it takes `a=1&a=2` and `a=1,2` as well as `a[]=1`), so
# the spelling of query arrays is checked only loosely; their items' values are checked.
_FILE = ("data.jsonl", b"{}\n", "application/jsonl")
WRONG_SPELLINGS = {
    "query object with dots": ("GET", "/organization/audit_logs?effective_at.gt=1", {}),
    "query boolean as Python writes it": ("GET", "/organization/audit_logs?tenant_only=True", {}),
    "form object with dots": (
        "POST",
        "/files",
        {
            "data": {"purpose": "batch", "expires_after.anchor": "created_at"},
            "files": {"file": _FILE},
        },
    ),
    "form array as one value": (
        "POST",
        "/audio/transcriptions",
        {"data": {"model": "m", "timestamp_granularities": "word"}, "files": {"file": _FILE}},
    ),
}


@pytest.mark.parametrize(
    ("method", "target", "kwargs"), WRONG_SPELLINGS.values(), ids=list(WRONG_SPELLINGS)
)
def test_steady_rejects_other_spellings(
    steady: str, method: str, target: str, kwargs: dict[str, Any]
) -> None:
    response = httpx.request(method, steady + target, timeout=TIMEOUT, **kwargs)
    assert response.status_code == 400, response.text
    assert response.headers["x-steady-request-valid"] == "false"
