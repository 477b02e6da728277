"""Every operation of the generated surface, on both clients, reached both ways.

`byot/resources/_endpoints.py` (the table) and `schemas/openai/operations.json` (the spec
digest it was generated from) drive everything. For each operationId, `case_for` builds one
argument set: an awkward id for every path parameter, a value for every query parameter built
from its schema, and a body of the operation's kind. The operation is then called through its
generated method (`client.chat.completions.create`) and through
`client.call("createChatCompletion")`, on `byot.Client` and `byot.AsyncClient` (the `both`
fixture), and a MockTransport handler checks what went on the wire while the test checks what
came back. The methods generated next to an operation's own (`*_pages` and `*_items` for lists,
`*_chunks` for binary answers) are checked the same way; `*_stream` (event streams) by
tests/endpoints/test_streams.py.
"""

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from inspect import Parameter as Param
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
import pytest

import byot
from byot._endpoint import Endpoint
from byot._response import APIResponse
from byot.errors import ConfigError
from byot.resources import AsyncResources, Resources
from byot.resources._endpoints import ENDPOINTS

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = orjson.loads((ROOT / "schemas/openai/operations.json").read_bytes())["operations"]
DEFS = orjson.loads((ROOT / "schemas/openai/openai.schema.json").read_bytes())["$defs"]
OPERATION_IDS = sorted(ENDPOINTS)
BASE = "http://test.local/v1"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
OPTION_NAMES = (
    "timeout",
    "headers",
    "query",
    "extra_body",
    "max_retries",
    "idempotency_key",
    "path",
    "validate",
)
API_KEY, ADMIN_KEY = "sk-test", "sk-admin"

# ----------------------------------------------------------------------------- what is served


@dataclass
class Obj:
    """The caller's own type: one field served, one optional field served, one not served."""

    id: str
    label: str | None = None
    missing: int | None = None


@dataclass
class Page:
    """A page of a list, as the caller's own type."""

    data: list[Obj]
    has_more: bool


PAGES = [
    {
        "object": "list",
        "data": [{"id": "item-1"}, {"id": "item-2"}],
        "has_more": True,
        "first_id": "item-1",
        "last_id": "cursor-last_id",
        "next": "cursor-next",
        "next_page": "cursor-next_page",
    },
    {"object": "list", "data": [{"id": "item-3", "label": "last"}], "has_more": False},
]
# The cursor of the second page, by where the table says it comes from.
CURSORS = {
    "last_id": "cursor-last_id",
    "next": "cursor-next",
    "next_page": "cursor-next_page",
    "id-of-last-item": "item-2",
}
SERVED_JSON = {"id": "obj-1", "label": "served", "unknown": {"nested": [1, 2.5, None]}}
SERVED_BINARY = b"\x00\x01binary\xff\r\n"
SERVED_TEXT = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=caf\u00e9\r\n"


def respond(endpoint: Endpoint) -> httpx.Response:
    """The server's answer for an operation, by the kind of result the table promises."""
    if endpoint.result == "json":
        return httpx.Response(200, json=SERVED_JSON)
    if endpoint.result == "binary":
        return httpx.Response(
            200, content=SERVED_BINARY, headers={"Content-Type": "application/octet-stream"}
        )
    if endpoint.result == "text":
        return httpx.Response(200, content=SERVED_TEXT.encode(), headers={"Content-Type": "x/sdp"})
    assert endpoint.result == "empty"
    return httpx.Response(200)


def expected_value(endpoint: Endpoint, *, typed: bool) -> Any:
    """What the call returns for `respond(endpoint)`: typed with `response_type=Obj`."""
    if endpoint.result == "json":
        return Obj(id="obj-1", label="served") if typed else SERVED_JSON
    return {"binary": SERVED_BINARY, "text": SERVED_TEXT, "empty": None}[endpoint.result]


# ----------------------------------------------------------------------------- the arguments

JSON_BODY = {"model": "m", "input": ["caf\u00e9", 1, None], "nested": {"flag": True}}
TEXT_FIELD = ("note", "a text field")
FILE_DATA = b"filedata"


@dataclass(frozen=True)
class Case:
    """One operation's arguments, and the query the server must see for them."""

    endpoint: Endpoint
    path_values: dict[str, str]  # in the template's order
    query_values: dict[str, Any]  # Python keyword -> value, every query parameter
    query_pairs: list[tuple[str, str]]  # on the wire for `query_values`, fixed query included
    required_values: dict[str, Any] = field(default_factory=dict[str, Any])
    required_pairs: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])
    body: Any = None  # None for an operation without a body
    binary_fields: tuple[str, ...] = ()


def case_for(operation_id: str) -> Case:
    """The argument set of one operation, from the table and the spec digest."""
    endpoint = ENDPOINTS[operation_id]
    op = OPERATIONS[operation_id]
    bodies = {
        "json": JSON_BODY,
        "multipart": dict([TEXT_FIELD], **dict.fromkeys(op["binary_fields"], FILE_DATA)),
        "none": None,
    }
    fixed = list(endpoint.fixed_query.items())
    case = Case(
        endpoint,
        path_values={
            name: f"id/with ?#%..-{operation_id}-{name}"
            for name in PLACEHOLDER.findall(endpoint.path)
        },
        query_values={},
        query_pairs=list(fixed),
        required_pairs=list(fixed),
        body=bodies[endpoint.body],
        binary_fields=tuple(op["binary_fields"]),
    )
    params = {p["name"]: p for p in op["query_params"]}
    for keyword, wire in endpoint.query_params.items():
        value, pairs = sample(wire, params[wire].get("schema", {}))
        case.query_values[keyword] = value
        case.query_pairs.extend(pairs)
        if params[wire].get("required"):
            case.required_values[keyword] = value
            case.required_pairs.extend(pairs)
    return case


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return DEFS[ref.removeprefix("#/$defs/")] if ref else schema


def sample(name: str, schema: dict[str, Any]) -> tuple[Any, list[tuple[str, str]]]:
    """A value for a query parameter, and the pairs it must arrive as."""
    schema = resolve(schema)
    kind = schema.get("type")
    if isinstance(kind, list):
        (kind,) = (k for k in kind if k != "null")
    if "enum" in schema:
        return schema["enum"][0], [(name, schema["enum"][0])]
    if kind == "integer":
        return 3, [(name, "3")]
    if kind == "boolean":
        return True, [(name, "true")]
    if kind == "string":
        return "x", [(name, "x")]
    if kind == "array":
        items = resolve(schema["items"])
        assert items.get("type") == "string", f"{name}: no sample for items {items}"
        values = (items.get("enum", []) * 2)[:2] or ["a", "b"]
        array = name if name.endswith("[]") else f"{name}[]"
        return values, [(array, v) for v in values]
    if kind == "object":
        return {"k": "v"}, [(f"{name}[k]", "v")]
    raise AssertionError(f"{name}: no sample for {schema}")


CASES = {operation_id: case_for(operation_id) for operation_id in OPERATION_IDS}

# ----------------------------------------------------------------------------- reaching it


def generated(endpoint: Endpoint) -> dict[str, list[str]]:
    """An operation's generated methods: name suffix -> keywords after the query parameters."""
    methods = {
        "": [
            *(["response_type", "decoder"] if endpoint.result == "json" else []),
            *(["encoder"] if endpoint.body == "json" else []),
            "raw",
        ]
    }
    if endpoint.pagination and endpoint.result == "json":
        methods["_pages"] = ["response_type", "decoder"]
        methods["_items"] = ["item_type"]
    if endpoint.result == "binary":
        methods["_chunks"] = []
    if endpoint.stream:
        methods["_stream"] = [
            "event_type",
            "decoder",
            *(["encoder"] if endpoint.body == "json" else []),
        ]
    return methods


def method_of(client: Any, name: str) -> Callable[..., Any]:
    """A generated method, found by walking its dotted name from the client."""
    return functools.reduce(getattr, name.split("."), client)


def invoke(client: Any, case: Case, via: str, body: tuple[Any, ...], **kwargs: Any) -> Any:
    """Call the operation through its method (path values positional) or `client.call`."""
    if via == "method":
        method = method_of(client, case.endpoint.name)
        return method(*case.path_values.values(), *body, **kwargs)
    return client.call(case.endpoint.operation_id, *body, **case.path_values, **kwargs)


def sibling(client: Any, case: Case, suffix: str) -> Callable[..., Any]:
    """A method generated next to the operation's own, its path values and body given."""
    method = method_of(client, case.endpoint.name + suffix)
    return functools.partial(method, *case.path_values.values(), *body_args(case))


def body_args(case: Case) -> tuple[Any, ...]:
    return () if case.endpoint.body == "none" else (case.body,)


def drain(both: Any, iterator: Any) -> list[Any]:
    """Every value of a sync or an async iterator."""
    return both.run(_collect(iterator)) if both.is_async else list(iterator)


async def _collect(iterator: Any) -> list[Any]:
    return [value async for value in iterator]


# ----------------------------------------------------------------------------- the wire


def check_path(request: httpx.Request, case: Case) -> None:
    """The filled template, each path value escaped as exactly one segment."""
    template = "/v1" + case.endpoint.path
    assert request.url.path == template.format(**case.path_values)
    raw_path = request.url.raw_path.decode("ascii").partition("?")[0]
    segments, expected = raw_path.split("/"), template.split("/")
    assert len(segments) == len(expected), raw_path
    for segment, part in zip(segments, expected, strict=True):
        name = PLACEHOLDER.fullmatch(part)
        assert unquote(segment) == (case.path_values[name.group(1)] if name else part)


def parse_multipart(request: httpx.Request) -> dict[str, tuple[bytes, bytes]]:
    """The parts of a multipart/form-data body: name -> (part headers, payload)."""
    media, _, boundary = request.headers["Content-Type"].partition("; boundary=")
    assert media == "multipart/form-data"
    first, *parts, last = request.content.split(b"--" + boundary.encode())
    assert (first, last) == (b"", b"--\r\n")
    found = {}
    for part in parts:
        head, _, payload = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        name = re.search(rb'; name="([^"]*)"', head)
        assert name, head
        found[name.group(1).decode()] = (head, payload.removesuffix(b"\r\n"))
    return found


def check_body(request: httpx.Request, case: Case) -> None:
    kind = case.endpoint.body
    if kind == "none":
        assert request.content == b""
        assert "Content-Type" not in request.headers
    elif kind == "json":
        assert request.headers["Content-Type"] == "application/json"
        assert orjson.loads(request.content) == JSON_BODY
    else:
        assert kind == "multipart"
        assert request.headers["Content-Length"] == str(len(request.content))
        parts = parse_multipart(request)
        assert parts.keys() == {TEXT_FIELD[0], *case.binary_fields}
        head, payload = parts.pop(TEXT_FIELD[0])
        assert b"filename=" not in head
        assert payload == TEXT_FIELD[1].encode()
        for head, payload in parts.values():
            assert b'filename="upload"' in head
            assert b"Content-Type: application/octet-stream" in head
            assert payload == FILE_DATA


def check_request(request: httpx.Request, case: Case, query: list[tuple[str, str]]) -> None:
    endpoint = case.endpoint
    assert request.method == endpoint.method
    check_path(request, case)
    assert sorted(request.url.params.multi_items()) == sorted(query)
    check_body(request, case)
    accept = "application/json" if endpoint.result == "json" else "*/*"
    assert request.headers["Accept"] == accept
    key = ADMIN_KEY if endpoint.admin else API_KEY
    assert request.headers["Authorization"] == f"Bearer {key}"


# ----------------------------------------------------------------------------- the table


VIAS = pytest.mark.parametrize("via", ["method", "call"])


@pytest.fixture(autouse=True)
def admin_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A separate admin key, so the test can tell which key each operation sends."""
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN_KEY)


@VIAS
@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_operation(both: Any, operation_id: str, via: str) -> None:
    case = CASES[operation_id]
    endpoint = case.endpoint
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return respond(endpoint)

    client = both.client(handler)
    body = body_args(case)

    # Every query parameter set; the default decoding.
    value = both.run(invoke(client, case, via, body, **case.query_values))
    check_request(seen.pop(), case, case.query_pairs)
    assert value == expected_value(endpoint, typed=False)
    if endpoint.result == "json":
        assert type(value) is dict

    # The optional query parameters None (left out); the caller's type; the raw response.
    optional = dict.fromkeys(endpoint.query_params.keys() - case.required_values.keys())
    typed = {"response_type": Obj} if endpoint.result == "json" else {}
    response = both.run(
        invoke(client, case, via, body, raw=True, **typed, **optional, **case.required_values)
    )
    check_request(seen.pop(), case, case.required_pairs)
    assert isinstance(response, APIResponse)
    assert (response.status_code, response.method) == (200, endpoint.method)
    assert response.parsed == expected_value(endpoint, typed=True)
    assert type(response.parsed) is type(expected_value(endpoint, typed=True))

    # A body for an operation that takes none, or a keyword it does not know: refused.
    if endpoint.body == "none":
        with pytest.raises(TypeError):
            both.run(invoke(client, case, via, ({"unexpected": 1},)))
    if via == "call":
        with pytest.raises(TypeError, match="'nonsense'") as caught:
            both.run(invoke(client, case, via, body, nonsense=1))
        listed = str(caught.value).partition("; it takes ")[2].split(", ")
        assert listed == sorted({*case.path_values, *endpoint.query_params, *OPTION_NAMES})
        if case.path_values:
            *given, (missing, _) = case.path_values.items()
            with pytest.raises(TypeError, match=f"missing path parameter '{missing}'"):
                both.run(client.call(operation_id, *body, **dict(given)))
    assert seen == []

    # The admin API lives under client.admin, and only there.
    assert endpoint.name.startswith("admin.") == endpoint.admin


# ----------------------------------------------------------------------------- lists, streams

PAGINATED = [i for i in OPERATION_IDS if "_pages" in generated(ENDPOINTS[i])]
BINARY = [i for i in OPERATION_IDS if "_chunks" in generated(ENDPOINTS[i])]


@pytest.mark.parametrize("operation_id", PAGINATED)
def test_pages_and_items(both: Any, operation_id: str) -> None:
    case = CASES[operation_id]
    pagination = case.endpoint.pagination or {}
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=PAGES[(len(seen) - 1) % len(PAGES)])

    client = both.client(handler)
    cursor = (pagination["param"], CURSORS[pagination["next"]])

    def check_pages(query: list[tuple[str, str]]) -> None:
        first, second = seen
        seen.clear()
        check_request(first, case, query)
        check_request(second, case, [*(q for q in query if q[0] != cursor[0]), cursor])

    items = drain(both, sibling(client, case, "_items")(**case.query_values))
    assert items == [*PAGES[0]["data"], *PAGES[1]["data"]]
    check_pages(case.query_pairs)

    typed = drain(both, sibling(client, case, "_items")(item_type=Obj, **case.required_values))
    assert typed == [Obj("item-1"), Obj("item-2"), Obj("item-3", label="last")]
    check_pages(case.required_pairs)

    pages = drain(both, sibling(client, case, "_pages")(response_type=Page, **case.required_values))
    assert pages == [
        Page([Obj("item-1"), Obj("item-2")], True),
        Page([Obj("item-3", "last")], False),
    ]
    check_pages(case.required_pairs)


@pytest.mark.parametrize("operation_id", BINARY)
def test_stream(both: Any, operation_id: str) -> None:
    case = CASES[operation_id]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return respond(case.endpoint)

    client = both.client(handler)

    stream = both.run(sibling(client, case, "_chunks")(**case.query_values))

    check_request(seen.pop(), case, case.query_pairs)
    assert (stream.status_code, stream.method) == (200, case.endpoint.method)
    assert both.run(stream.read()) == SERVED_BINARY
    assert stream.is_closed


# ----------------------------------------------------------------------------- the surface

SYNC = byot.Client(base_url=BASE, api_key=API_KEY, transport=httpx.MockTransport(respond))
ASYNC = byot.AsyncClient(base_url=BASE, api_key=API_KEY, transport=httpx.MockTransport(respond))


def surface(client: Any, mixin: type) -> dict[str, Callable[..., Any]]:
    """Every generated method of a client by dotted name, found by walking its namespaces."""
    methods: dict[str, Callable[..., Any]] = {}

    def walk(obj: Any, prefix: str, members: dict[str, Any]) -> None:
        for name, member in members.items():
            if isinstance(member, cached_property):
                child = getattr(obj, name)
                walk(child, f"{prefix}{name}.", vars(type(child)))
            elif inspect.isfunction(member) and not name.startswith("_"):
                methods[prefix + name] = getattr(obj, name)

    walk(client, "", vars(mixin))
    return methods


SYNC_METHODS = surface(SYNC, Resources)
ASYNC_METHODS = surface(ASYNC, AsyncResources)


def test_sync_and_async_expose_the_same_methods() -> None:
    names = {
        endpoint.name + suffix for endpoint in ENDPOINTS.values() for suffix in generated(endpoint)
    }
    assert len(ENDPOINTS) == 288
    assert SYNC_METHODS.keys() == ASYNC_METHODS.keys() == names
    assert not any(inspect.iscoroutinefunction(m) for m in SYNC_METHODS.values())
    # The iterators are async iterators and the streams `AsyncOpening`s (awaited or entered
    # with `async with`), returned at once; the others are awaited.
    for name, method in ASYNC_METHODS.items():
        at_once = name.endswith(("_pages", "_items", "_stream", "_chunks"))
        assert inspect.iscoroutinefunction(method) is not at_once, name
        if name.endswith(("_stream", "_chunks")):
            assert method.__annotations__["return"].startswith("AsyncOpening["), name


@pytest.mark.parametrize("operation_id", OPERATION_IDS)
def test_signature_and_docstring(operation_id: str) -> None:
    endpoint = ENDPOINTS[operation_id]
    required = {p["name"] for p in OPERATIONS[operation_id]["query_params"] if p.get("required")}
    positional = [
        *PLACEHOLDER.findall(endpoint.path),
        *(["body"] if endpoint.body != "none" else []),
    ]
    fixed = "&".join(f"{k}={v}" for k, v in endpoint.fixed_query.items())
    route = f"{endpoint.path}?{fixed}" if fixed else endpoint.path

    for suffix, keywords in generated(endpoint).items():
        expected = [
            *((name, Param.POSITIONAL_OR_KEYWORD) for name in positional),
            *((name, Param.KEYWORD_ONLY) for name in [*endpoint.query_params, *keywords]),
            ("options", Param.VAR_KEYWORD),
        ]
        for methods in (SYNC_METHODS, ASYNC_METHODS):
            method = methods[endpoint.name + suffix]
            parameters = inspect.signature(method).parameters.values()
            assert [(p.name, p.kind) for p in parameters] == expected
            for p in parameters:
                if p.name in endpoint.query_params:
                    wire = endpoint.query_params[p.name]
                    assert (p.default is Param.empty) == (wire in required), p.name
            doc = inspect.getdoc(method)
            assert doc is not None
            assert doc.split("\n\n")[1] == f"`{endpoint.method} {route}`"


# ----------------------------------------------------------------------------- client.call


def recording_client(both: Any) -> tuple[Any, list[httpx.Request]]:
    """A client whose server records every request and answers `{}`."""
    seen: list[httpx.Request] = []
    client = both.client(lambda request: seen.append(request) or httpx.Response(200, json={}))
    return client, seen


def test_call_unknown_operation_is_a_key_error(both: Any) -> None:
    client = both.client(lambda request: pytest.fail("nothing is sent"))
    with pytest.raises(KeyError, match="'noSuchOperation'") as info:
        both.call(client.call, "noSuchOperation")
    assert isinstance(info.value, byot.errors.UnknownOperationError)
    assert str(info.value) == "no operation 'noSuchOperation'; `byot ops` lists them"
    # Suggestions come from both name styles, the likeliest first.
    with pytest.raises(byot.errors.UnknownOperationError) as info:
        both.call(client.call, "chat.completion.create")
    assert info.value.suggestions[0] == "chat.completions.create"
    assert str(info.value).startswith(
        "no operation 'chat.completion.create'; did you mean chat.completions.create, "
    )
    with pytest.raises(byot.errors.UnknownOperationError) as info:
        both.call(client.call, "createchatcompletion")
    assert info.value.suggestions[0] == "createChatCompletion"


def test_call_takes_the_method_name_too(both: Any) -> None:
    client, seen = recording_client(both)
    both.call(client.call, "chat.completions.create", {"model": "m", "messages": []})
    both.call(client.call, "files.retrieve", file_id="file-1")
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/v1/chat/completions"),
        ("GET", "/v1/files/file-1"),
    ]


@pytest.mark.parametrize(
    ("operation_id", "params", "path", "query"),
    [
        ("listFiles", {"limit": 2}, "/v1/files", [("limit", "2")]),
        (
            "listFilesInVectorStoreBatch",
            {"vector_store_id": "vs 1", "batch_id": "b/1", "limit": 2, "filter": "failed"},
            "/v1/vector_stores/vs%201/file_batches/b%2F1/files",
            [("limit", "2"), ("filter", "failed")],
        ),
    ],
)
def test_call_splits_path_query_and_options(
    both: Any, operation_id: str, params: dict[str, Any], path: str, query: list[Any]
) -> None:
    client, seen = recording_client(both)
    options = {
        "timeout": 5,
        "headers": {"X-Trace": "t-1"},
        "query": {"extra": "1"},
        "max_retries": 0,
        "idempotency_key": "key-1",
    }

    both.call(client.call, operation_id, **params, **options)

    (request,) = seen
    assert request.url.raw_path.decode().partition("?")[0] == path
    assert request.url.params.multi_items() == [*query, ("extra", "1")]
    assert request.extensions["timeout"] == dict.fromkeys(["connect", "read", "write", "pool"], 5)
    assert request.headers["X-Trace"] == "t-1"
    assert request.headers["Idempotency-Key"] == "key-1"


def test_call_path_option_replaces_the_template(both: Any) -> None:
    client, seen = recording_client(both)

    both.call(client.call, "retrieveFile", file_id="f/1", path="/gateway/files/{file_id}")

    assert seen[0].url.raw_path == b"/v1/gateway/files/f%2F1"


def test_call_extra_body_merges_into_json_and_multipart(both: Any) -> None:
    client, seen = recording_client(both)

    both.call(client.call, "createEmbedding", {"model": "m"}, extra_body={"x": 1})
    both.call(client.call, "createFile", {"purpose": "p"}, extra_body={"file": b"data"})

    assert orjson.loads(seen[0].content) == {"model": "m", "x": 1}
    assert parse_multipart(seen[1]).keys() == {"purpose", "file"}


# ----------------------------------------------------------------------------- edge cases


@VIAS
def test_dot_segment_ids_and_empty_ids_are_refused(both: Any, via: str) -> None:
    # Issue 15: a dot segment was sent as %2E%2E, which URL-normalising proxies turn back.
    client, seen = recording_client(both)
    case = CASES["retrieveFile"]

    for value in ("..", ".", "%2E%2E"):
        with pytest.raises(ConfigError, match=r"'file_id' is .*, a dot segment"):
            both.run(invoke(client, replace(case, path_values={"file_id": value}), via, ()))
    with pytest.raises(ConfigError, match="'file_id' is empty"):
        both.run(invoke(client, replace(case, path_values={"file_id": ""}), via, ()))
    both.run(invoke(client, replace(case, path_values={"file_id": "..."}), via, ()))

    (request,) = seen
    assert request.url.raw_path == b"/v1/files/..."


@VIAS
def test_encoder_and_decoder_are_the_callers(both: Any, via: str) -> None:
    client, seen = recording_client(both)
    case = CASES["createEmbedding"]

    value = both.run(
        invoke(
            client,
            case,
            via,
            ({"text": "hi"},),
            encoder=lambda body: {"encoded": body},
            decoder=lambda raw: ("decoded", raw),
        )
    )
    with pytest.raises(TypeError, match="response_type= or decoder="):
        both.run(invoke(client, case, via, ({},), response_type=Obj, decoder=bytes))

    assert value == ("decoded", b"{}")
    (request,) = seen
    assert orjson.loads(request.content) == {"encoded": {"text": "hi"}}


@VIAS
def test_multipart_fields_must_be_a_mapping(both: Any, via: str) -> None:
    client, seen = recording_client(both)
    with pytest.raises(TypeError, match="form fields as a mapping, not list"):
        both.run(invoke(client, CASES["createFile"], via, ([("file", b"x")],)))
    assert seen == []


# ----------------------------------------------------------------------------- known bugs


@pytest.mark.parametrize("keyword", ["limt", "path_params"])
def test_method_rejects_unknown_keyword(both: Any, keyword: str) -> None:
    """A misspelt query parameter must not be dropped in silence, as `client.call` ensures.

    `limt=` (for `limit=`) and `path_params=` (a `RequestOptions` key that generated methods
    ignore) go into `**options`, which `prepare_call` reads with `.get` and never checks.
    """
    client, seen = recording_client(both)
    with pytest.raises(TypeError, match=keyword):
        both.call(client.files.list, **{keyword: 2})
    assert seen == []
