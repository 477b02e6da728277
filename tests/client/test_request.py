"""The request path of both clients: what goes on the wire and what comes back.

Every test runs once with `byot.Client` and once with `byot.AsyncClient` (the `both`
fixture); the handler behind `httpx.MockTransport` records the requests it sees.
"""

import asyncio
import gzip
import re
from dataclasses import dataclass, field
from typing import Any, TypedDict

import anyio
import attrs
import httpx
import msgspec
import orjson
import pydantic
import pytest

import byot
from byot.errors import DecodeError

BASE = "http://test.local/v1"
CHAT_URL = f"{BASE}/chat/completions"
USER_AGENT = re.compile(r"^byot/\d+\.\d+\.\d+\S* \(python \d+\.\d+\)$")

CHAT = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-mini",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello!", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    "system_fingerprint": "fp_1",
    "provider_extra": {"nested": [1, 2, 3]},
}
REQUEST_BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


@dataclass
class Reply:
    """One answer of the mock server, built afresh for every request."""

    status: int = 200
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class Server:
    """A MockTransport handler: answers with `replies` in turn (the last repeats).

    A reply is a `Reply`, or any other value, sent as a JSON body with status 200.
    """

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies) or [CHAT]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, Reply):
            return httpx.Response(reply.status, headers=reply.headers, content=reply.content)
        return httpx.Response(200, json=reply)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return orjson.loads(self.requests[index].content)


# ----------------------------------------------------------------------------- the wire


def test_post_sends_json_and_returns_a_dict(both: Any) -> None:
    server = Server()
    client = both.client(server)

    result = both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    assert type(result) is dict
    assert result == CHAT
    assert len(server.requests) == 1
    request = server.last
    assert request.method == "POST"
    assert str(request.url) == CHAT_URL
    assert request.content == orjson.dumps(REQUEST_BODY)
    assert orjson.loads(request.content) == REQUEST_BODY
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert USER_AGENT.match(request.headers["User-Agent"])
    assert (
        request.headers["User-Agent"]
        == f"byot/{byot.__version__} " + (request.headers["User-Agent"].split(" ", 1)[1])
    )
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Content-Length"] == str(len(orjson.dumps(REQUEST_BODY)))


def test_get_sends_no_body_and_no_content_type(both: Any) -> None:
    server = Server({"object": "list", "data": []})
    client = both.client(server)

    result = both.call(client.request, "GET", "/models")

    assert result == {"object": "list", "data": []}
    request = server.last
    assert request.method == "GET"
    assert str(request.url) == f"{BASE}/models"
    assert request.content == b""
    assert "Content-Type" not in request.headers
    assert "Content-Length" not in request.headers
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.headers["Accept"] == "application/json"


def test_post_without_a_body_sends_no_content_type(both: Any) -> None:
    server = Server({"id": "batch_1", "status": "cancelling"})
    client = both.client(server)

    both.call(client.request, "POST", "/batches/{id}/cancel", path_params={"id": "batch_1"})

    request = server.last
    assert request.method == "POST"
    assert request.content == b""
    assert "Content-Type" not in request.headers
    assert request.headers.get("Content-Length") in (None, "0")


def test_method_is_upper_cased(both: Any) -> None:
    server = Server({"deleted": True})
    client = both.client(server)

    both.call(client.request, "delete", "/files/file-1")

    assert server.last.method == "DELETE"
    assert str(server.last.url) == f"{BASE}/files/file-1"


def test_path_without_leading_slash_and_absolute_url(both: Any) -> None:
    server = Server({})
    client = both.client(server)

    both.call(client.request, "GET", "models")
    both.call(client.request, "GET", "https://other.example/v9/thing")

    assert str(server.requests[0].url) == f"{BASE}/models"
    assert str(server.requests[1].url) == "https://other.example/v9/thing"


def test_base_url_trailing_slash_is_dropped(both: Any) -> None:
    server = Server({})
    client = both.client(server, base_url="http://test.local/v1/")

    both.call(client.request, "GET", "/models")

    assert client.base_url == BASE
    assert str(server.last.url) == f"{BASE}/models"


# ----------------------------------------------------------------------------- response types


@dataclass
class Message:
    role: str
    content: str | None


@dataclass
class Choice:
    index: int
    message: Message
    finish_reason: str | None = None


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


@dataclass
class ChatDC:
    id: str
    choices: list[Choice]
    usage: Usage | None = None
    service_tier: str | None = None


class ChatTD(TypedDict):
    id: str
    choices: list[dict[str, Any]]


class MessageModel(pydantic.BaseModel):
    role: str
    content: str | None = None


class ChoiceModel(pydantic.BaseModel):
    index: int
    message: MessageModel


class ChatModel(pydantic.BaseModel):
    id: str
    choices: list[ChoiceModel]


class MessageStruct(msgspec.Struct):
    role: str
    content: str | None = None


class ChoiceStruct(msgspec.Struct):
    index: int
    message: MessageStruct


class ChatStruct(msgspec.Struct):
    id: str
    choices: list[ChoiceStruct]


@attrs.define
class MessageAttrs:
    role: str
    content: str | None = None


@attrs.define
class ChoiceAttrs:
    index: int
    message: MessageAttrs


@attrs.define
class ChatAttrs:
    id: str
    choices: list[ChoiceAttrs]


def test_response_type_nested_dataclass(both: Any) -> None:
    client = both.client(Server())

    chat = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, response_type=ChatDC
    )

    assert chat == ChatDC(
        id="chatcmpl-1",
        choices=[Choice(index=0, message=Message("assistant", "Hello!"), finish_reason="stop")],
        usage=Usage(prompt_tokens=3, completion_tokens=2, total_tokens=5),
        service_tier=None,
    )
    assert type(chat.choices[0].message) is Message
    # Extra fields of the response (object, created, provider_extra, ...) are ignored.
    assert not hasattr(chat, "provider_extra")


def test_response_type_typeddict_is_a_plain_dict(both: Any) -> None:
    client = both.client(Server())

    chat = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, response_type=ChatTD
    )

    assert type(chat) is dict
    assert chat == CHAT


def test_response_type_pydantic_model(both: Any) -> None:
    client = both.client(Server())

    chat = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, response_type=ChatModel
    )

    assert chat == ChatModel(
        id="chatcmpl-1",
        choices=[ChoiceModel(index=0, message=MessageModel(role="assistant", content="Hello!"))],
    )


def test_response_type_msgspec_struct(both: Any) -> None:
    client = both.client(Server())

    chat = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, response_type=ChatStruct
    )

    assert chat == ChatStruct(
        id="chatcmpl-1",
        choices=[ChoiceStruct(index=0, message=MessageStruct(role="assistant", content="Hello!"))],
    )


def test_response_type_attrs_class(both: Any) -> None:
    client = both.client(Server())

    chat = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, response_type=ChatAttrs
    )

    assert chat == ChatAttrs(
        id="chatcmpl-1",
        choices=[ChoiceAttrs(index=0, message=MessageAttrs(role="assistant", content="Hello!"))],
    )


def test_decoder_function(both: Any) -> None:
    client = both.client(Server())
    seen: list[bytes] = []

    def first_content(raw: bytes) -> str:
        seen.append(raw)
        return str(orjson.loads(raw)["choices"][0]["message"]["content"])

    result = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, decoder=first_content
    )

    assert result == "Hello!"
    assert seen == [orjson.dumps(CHAT)]


def test_decoder_orjson_loads_accepts_an_array(both: Any) -> None:
    server = Server(Reply(200, content=b"[1, 2, 3]"))
    client = both.client(server)

    assert both.call(client.request, "GET", "/list", decoder=orjson.loads) == [1, 2, 3]


def test_response_type_and_decoder_together_is_a_type_error(both: Any) -> None:
    server = Server()
    client = both.client(server)

    with pytest.raises(TypeError, match="response_type= or decoder="):
        both.call(client.request, "GET", "/x", response_type=ChatDC, decoder=orjson.loads)


def test_extra_fields_are_kept_in_dicts(both: Any) -> None:
    client = both.client(Server())

    chat = both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    assert chat["provider_extra"] == {"nested": [1, 2, 3]}
    assert chat["system_fingerprint"] == "fp_1"
    assert chat["choices"][0]["message"]["refusal"] is None


def test_response_type_mismatch_is_a_decode_error_with_a_path(both: Any) -> None:
    bad = {"id": "x", "choices": [{"index": 0, "message": {"role": 7, "content": None}}]}
    raw = orjson.dumps(bad)
    server = Server(Reply(200, content=raw, headers={"x-request-id": "req_9"}))
    client = both.client(server)

    with pytest.raises(DecodeError) as info:
        both.call(client.request, "GET", "/x", response_type=ChatDC)

    error = info.value
    assert error.path == "$.choices[0].message.role"
    assert error.raw == raw
    assert error.target is ChatDC
    assert error.request_id == "req_9"
    assert str(error) == (
        "cannot decode the response into ChatDC: $.choices[0].message.role: "
        "expected a string, got the number 7"
    )


def test_pydantic_validation_error_is_a_decode_error(both: Any) -> None:
    raw = b'{"id": "x", "choices": [{"index": "zero", "message": {"role": "a"}}]}'
    client = both.client(Server(Reply(200, content=raw)))

    with pytest.raises(DecodeError) as info:
        both.call(client.request, "GET", "/x", response_type=ChatModel)

    assert info.value.path == "$.choices[0].index"
    assert info.value.raw == raw
    assert info.value.target is ChatModel
    assert isinstance(info.value.__cause__, pydantic.ValidationError)
    assert str(info.value).startswith("cannot decode the response into ChatModel: ")


# ----------------------------------------------------------------------------- request bodies


@dataclass
class MessageIn:
    role: str
    content: str
    name: str | None = None


@dataclass
class ChatRequestDC:
    model: str
    messages: list[MessageIn]
    temperature: float | None = None
    tags: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)


class MessageInModel(pydantic.BaseModel):
    role: str
    content: str
    name: str | None = None


class ChatRequestModel(pydantic.BaseModel):
    model: str
    messages: list[MessageInModel]
    temperature: float | None = None
    max_tokens: int | None = pydantic.Field(default=None, alias="maxTokens")


class MessageInStruct(msgspec.Struct):
    role: str
    content: str
    name: str | None = None


class ChatRequestStruct(msgspec.Struct, rename="camel"):
    model: str
    messages: list[MessageInStruct]
    temperature: float | None = None
    max_tokens: int | None = None


@attrs.define
class MessageInAttrs:
    role: str
    content: str
    name: str | None = None


@attrs.define
class ChatRequestAttrs:
    model: str
    messages: list[MessageInAttrs]
    temperature: float | None = None


def test_body_dataclass_omits_none_fields(both: Any) -> None:
    server = Server()
    client = both.client(server)
    body = ChatRequestDC(
        model="m",
        messages=[MessageIn("user", "Hi"), MessageIn("user", "Yo", name="bob")],
        tags=("a", "b"),
    )

    both.call(client.request, "POST", "/chat/completions", body=body)

    assert server.body() == {
        "model": "m",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "user", "content": "Yo", "name": "bob"},
        ],
        "tags": ["a", "b"],
        "metadata": {},
    }
    assert server.last.headers["Content-Type"] == "application/json"


def test_body_pydantic_model_omits_none_and_uses_aliases(both: Any) -> None:
    server = Server()
    client = both.client(server)
    body = ChatRequestModel(
        model="m", messages=[MessageInModel(role="user", content="Hi")], maxTokens=5
    )

    both.call(client.request, "POST", "/chat/completions", body=body)

    assert server.body() == {
        "model": "m",
        "messages": [{"role": "user", "content": "Hi"}],
        "maxTokens": 5,
    }


def test_body_msgspec_struct_omits_none_and_renames(both: Any) -> None:
    server = Server()
    client = both.client(server)
    body = ChatRequestStruct(
        model="m", messages=[MessageInStruct(role="user", content="Hi")], max_tokens=9
    )

    both.call(client.request, "POST", "/chat/completions", body=body)

    assert server.body() == {
        "model": "m",
        "messages": [{"role": "user", "content": "Hi"}],
        "maxTokens": 9,
    }


def test_body_attrs_instance_omits_none(both: Any) -> None:
    server = Server()
    client = both.client(server)
    body = ChatRequestAttrs(model="m", messages=[MessageInAttrs(role="user", content="Hi")])

    both.call(client.request, "POST", "/chat/completions", body=body)

    assert server.body() == {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}


def test_body_mapping_is_sent_as_written_with_nulls(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(client.request, "POST", "/chat/completions", body={"model": "m", "user": None})

    assert server.last.content == b'{"model":"m","user":null}'


def test_bytes_body_is_sent_verbatim(both: Any) -> None:
    server = Server()
    client = both.client(server)
    payload = b"\x00\x01 not json \xff"

    both.call(client.request, "POST", "/uploads/u1/parts", body=payload)

    assert server.last.content == payload
    assert server.last.headers["Content-Type"] == "application/octet-stream"
    assert server.last.headers["Content-Length"] == str(len(payload))


def test_bytearray_body_is_sent_verbatim(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(client.request, "POST", "/raw", body=bytearray(b"abc"))

    assert server.last.content == b"abc"


def test_encoder_returning_bytes(both: Any) -> None:
    server = Server()
    client = both.client(server)
    seen: list[Any] = []

    def encode(body: Any) -> bytes:
        seen.append(body)
        return b'{"custom":true}'

    marker = object()
    both.call(client.request, "POST", "/chat/completions", body=marker, encoder=encode)

    assert seen == [marker]
    assert server.last.content == b'{"custom":true}'
    assert server.last.headers["Content-Type"] == "application/json"


def test_encoder_returning_a_mapping(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(
        client.request,
        "POST",
        "/chat/completions",
        body=("m", "Hi"),
        encoder=lambda pair: {"model": pair[0], "messages": [{"role": "user", "content": pair[1]}]},
    )

    assert server.body() == {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}


def test_unencodable_body_is_a_type_error_before_sending(both: Any) -> None:
    server = Server()
    client = both.client(server)

    with pytest.raises(TypeError, match="byot cannot encode object as JSON"):
        both.call(client.request, "POST", "/chat/completions", body=object())
    # Nested deep in a dict, the same explanation (not orjson's generic one).
    with pytest.raises(TypeError, match="byot cannot encode object as JSON"):
        both.call(client.request, "POST", "/chat/completions", body={"x": [{"y": object()}]})
    assert server.requests == []


# ----------------------------------------------------------------------------- raw=True


def test_raw_gives_an_api_response(both: Any) -> None:
    payload = orjson.dumps(CHAT)
    server = Server(
        Reply(
            200,
            content=payload,
            headers={
                "content-type": "application/json",
                "x-request-id": "req_123",
                "x-ratelimit-remaining-requests": "99",
            },
        )
    )
    client = both.client(server)

    response = both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY, raw=True)

    assert isinstance(response, byot.APIResponse)
    assert response.parsed == CHAT
    assert response.status_code == 200
    assert response.headers["x-ratelimit-remaining-requests"] == "99"
    assert response.headers["X-Request-Id"] == "req_123"
    assert response.request_id == "req_123"
    assert response.content == payload
    assert response.method == "POST"
    assert response.url == CHAT_URL
    assert response.retries_taken == 0
    assert repr(response) == (
        f"APIResponse(status_code=200, method='POST', url='{CHAT_URL}', "
        "request_id='req_123', retries_taken=0)"
    )


def test_raw_with_a_response_type(both: Any) -> None:
    client = both.client(Server())

    response = both.call(
        client.request, "POST", "/chat/completions", body=REQUEST_BODY, raw=True,
        response_type=ChatModel,
    )  # fmt: skip

    assert isinstance(response.parsed, ChatModel)
    assert response.parsed.id == "chatcmpl-1"
    assert response.request_id is None


def test_raw_counts_retries_taken(both: Any) -> None:
    server = Server(
        Reply(500, content=b""),
        Reply(503, content=b""),
        Reply(200, content=b'{"ok": true}', headers={"x-request-id": "req_3"}),
    )
    client = both.client(server, retry=byot.RetryPolicy(sleep=False))

    response = both.call(client.request, "POST", "/chat/completions", body={}, raw=True)

    assert len(server.requests) == 3
    assert response.retries_taken == 2
    assert response.parsed == {"ok": True}
    assert response.request_id == "req_3"
    # The count belongs to the call: the next call starts at 0 again.
    server.replies = [{"again": 1}]
    server.requests.clear()
    again = both.call(client.request, "GET", "/x", raw=True)
    assert again.retries_taken == 0


# ----------------------------------------------------------------------------- decoding


def test_gzip_response_is_decoded(both: Any) -> None:
    payload = orjson.dumps(CHAT)
    server = Server(
        Reply(
            200,
            content=gzip.compress(payload),
            headers={"content-encoding": "gzip", "content-type": "application/json"},
        )
    )
    client = both.client(server)

    response = both.call(client.request, "POST", "/chat/completions", body={}, raw=True)

    assert response.parsed == CHAT
    assert response.content == payload
    assert server.last.headers["Accept-Encoding"] == "gzip, deflate"


def test_html_on_200_is_a_decode_error(both: Any) -> None:
    html = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
    server = Server(
        Reply(
            200,
            content=html,
            headers={"content-type": "text/html; charset=utf-8", "x-request-id": "req_h"},
        )
    )
    client = both.client(server)

    with pytest.raises(DecodeError) as info:
        both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    error = info.value
    assert error.raw == html
    assert error.target is dict
    assert error.request_id == "req_h"
    assert error.path == "$"
    assert str(error).startswith("cannot decode the response into dict: JSONDecodeError: ")
    assert str(error).endswith("(content-type text/html; charset=utf-8)")
    assert "\n" not in str(error)
    assert isinstance(error.__cause__, orjson.JSONDecodeError)


def test_empty_200_body_is_a_decode_error(both: Any) -> None:
    server = Server(Reply(200, content=b"", headers={"content-type": "application/json"}))
    client = both.client(server)

    with pytest.raises(DecodeError) as info:
        both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    assert str(info.value) == "cannot decode the response into dict: the response body is empty"
    assert info.value.raw == b""
    assert info.value.target is dict


def test_json_array_with_the_default_type_is_a_decode_error(both: Any) -> None:
    server = Server(Reply(200, content=b'[{"a": 1}]', headers={"x-request-id": "req_arr"}))
    client = both.client(server)

    with pytest.raises(DecodeError) as info:
        both.call(client.request, "GET", "/models")

    error = info.value
    assert str(error) == (
        "expected a JSON object, got an array; pass decoder=orjson.loads to accept any JSON value"
    )
    assert error.raw == b'[{"a": 1}]'
    assert error.request_id == "req_arr"
    assert error.target is dict


def broken(raw: bytes) -> Any:
    raise KeyError("missing")


def test_decoder_raising_is_a_decode_error(both: Any) -> None:
    client = both.client(Server())

    with pytest.raises(DecodeError) as info:
        both.call(client.request, "GET", "/x", decoder=broken)

    assert info.value.target is broken
    assert str(info.value) == "cannot decode the response into broken: KeyError: 'missing'"
    assert isinstance(info.value.__cause__, KeyError)


# ----------------------------------------------------------------------------- URLs


def test_path_params_are_escaped_as_one_segment(both: Any) -> None:
    server = Server({"id": "x"})
    client = both.client(server)

    both.call(client.request, "GET", "/files/{file_id}", path_params={"file_id": "a/../b?c"})

    assert server.last.url.raw_path == b"/v1/files/a%2F..%2Fb%3Fc"
    assert server.last.url.path == "/v1/files/a/../b?c"
    assert server.last.url.query == b""


def test_path_params_dot_segments_and_several_values(both: Any) -> None:
    server = Server({})
    client = both.client(server)

    # A dot segment is refused (issue 15): once sent as %2E%2E, which proxies turn back to "..".
    with pytest.raises(byot.errors.ConfigError, match=r"'thread_id' is '\.\.', a dot segment"):
        both.call(
            client.request,
            "GET",
            "/threads/{thread_id}/messages/{message_id}",
            path_params={"thread_id": "..", "message_id": "m #1"},
        )
    assert server.requests == []
    both.call(
        client.request,
        "GET",
        "/threads/{thread_id}/messages/{message_id}",
        path_params={"thread_id": "...", "message_id": "m #1"},
    )

    assert server.last.url.raw_path == b"/v1/threads/.../messages/m%20%231"


def test_path_params_mismatch_is_a_type_error(both: Any) -> None:
    server = Server()
    client = both.client(server)

    with pytest.raises(TypeError, match="missing path parameter 'file_id'"):
        both.call(client.request, "GET", "/files/{file_id}", path_params={})
    with pytest.raises(TypeError, match=r"unknown path parameter\(s\) \['other'\]"):
        both.call(client.request, "GET", "/files", path_params={"other": "x"})
    with pytest.raises(ValueError, match="path parameter 'file_id' is empty"):
        both.call(client.request, "GET", "/files/{file_id}", path_params={"file_id": ""})
    assert server.requests == []


def test_query_encoding(both: Any) -> None:
    server = Server({})
    client = both.client(server)

    both.call(
        client.request,
        "GET",
        "/responses/r1/input_items",
        query={
            "stream": True,
            "verbose": False,
            "include": ["a.b", "c"],
            "limit": 10,
            "after": None,
            "metadata": {"k": "v w"},
        },
    )

    url = server.last.url
    assert url.query == (
        b"stream=true&verbose=false&include%5B%5D=a.b&include%5B%5D=c&limit=10&metadata%5Bk%5D=v+w"
    )
    assert url.params.get_list("include[]") == ["a.b", "c"]
    assert url.params["stream"] == "true"
    assert url.params["verbose"] == "false"
    assert url.params["metadata[k]"] == "v w"
    assert "after" not in url.params


def test_many_distinct_urls(both: Any) -> None:
    server = Server({})
    client = both.client(server)

    for i in range(520):
        both.call(client.request, "GET", "/files/{id}", path_params={"id": f"f{i}"})
    both.call(client.request, "GET", "/files/{id}", path_params={"id": "f3"})

    assert len(server.requests) == 521
    assert [r.url.path for r in server.requests[:520]] == [f"/v1/files/f{i}" for i in range(520)]
    assert str(server.last.url) == f"{BASE}/files/f3"


def test_organization_and_project_headers(both: Any) -> None:
    server = Server({})
    client = both.client(server, organization="org-1", project="proj-1")

    both.call(client.request, "GET", "/models")

    assert server.last.headers["OpenAI-Organization"] == "org-1"
    assert server.last.headers["OpenAI-Project"] == "proj-1"


def test_organization_and_project_from_the_environment(
    both: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    server = Server({})
    client = both.client(server)

    both.call(client.request, "GET", "/models")

    assert server.last.headers["OpenAI-Organization"] == "org-env"
    assert server.last.headers["OpenAI-Project"] == "proj-env"


def test_no_organization_or_project_headers_by_default(both: Any) -> None:
    server = Server({})
    client = both.client(server)

    both.call(client.request, "GET", "/models")

    assert "OpenAI-Organization" not in server.last.headers
    assert "OpenAI-Project" not in server.last.headers


def test_api_key_and_base_url_from_the_environment(
    both: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.local/v2/")
    server = Server({})
    client = both.client(server, api_key=None, base_url=None)

    both.call(client.request, "GET", "/models")

    assert str(server.last.url) == "http://env.local/v2/models"
    assert server.last.headers["Authorization"] == "Bearer sk-env"


def test_default_headers_and_default_query(both: Any) -> None:
    server = Server({})
    client = both.client(
        server,
        default_headers={"x-team": "blue", "Accept": "application/x-custom"},
        default_query={"api-version": "7", "flag": True},
    )

    both.call(client.request, "GET", "/models")
    both.call(client.request, "GET", "/models", query={"limit": 2, "flag": False})

    first, second = server.requests
    assert first.headers["x-team"] == "blue"
    assert first.headers["Accept"] == "application/x-custom"
    assert first.url.query == b"api-version=7&flag=true"
    assert second.url.query == b"api-version=7&flag=false&limit=2"


def test_default_headers_override_case_insensitively(both: Any) -> None:
    # HTTP header names are case-insensitive: a lower-case name must replace byot's own
    # header, not be sent as a second one next to it.
    server = Server({})
    client = both.client(
        server,
        default_headers={
            "user-agent": "my-app/1.0",
            "accept": "application/x-ndjson",
            "authorization": "Bearer sk-override",
            "x-team": "blue",
        },
    )

    both.call(client.request, "GET", "/models")

    headers = server.last.headers
    assert headers.get_list("User-Agent") == ["my-app/1.0"]
    assert headers.get_list("Accept") == ["application/x-ndjson"]
    assert headers.get_list("Authorization") == ["Bearer sk-override"]

    copy = client.with_options(default_headers={"X-Team": "red", "USER-AGENT": "copy/2"})
    both.call(copy.request, "GET", "/models")

    headers = server.last.headers
    assert headers.get_list("x-team") == ["red"]
    assert headers.get_list("User-Agent") == ["copy/2"]


def test_config_headers_override_byots_case_insensitively(both: Any) -> None:
    server = Server({})
    config = byot.OpenAIConfig(api_key="k", base_url=BASE, headers={"user-agent": "cfg/1"})
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "GET", "/models")

    assert server.last.headers.get_list("User-Agent") == ["cfg/1"]


def test_invalid_default_header_is_refused(both: Any) -> None:
    with pytest.raises(ValueError, match="invalid value for header 'x-bad'"):
        both.client(Server(), default_headers={"x-bad": "a\r\nInjected: 1"})
    with pytest.raises(ValueError, match="invalid header name 'bad name'"):
        both.client(Server(), default_headers={"bad name": "x"})


# ----------------------------------------------------------------------------- configs


class GatewayConfig:
    """A provider behind a gateway: a key header and a route in the query."""

    def __init__(self, key: str) -> None:
        self.key = key

    @property
    def base_url(self) -> str:
        return "https://gateway.example/v1"

    def headers(self) -> dict[str, str]:
        return {"x-gateway-key": self.key}

    def query(self) -> dict[str, str]:
        return {"route": "fast"}

    def url(self, path: str) -> str:
        return self.base_url + path


class PrefixConfig:
    """A provider that keeps the OpenAI routes under its own prefix."""

    base_url = "http://local.example:8080"

    def headers(self) -> dict[str, str]:
        return {"Authorization": "Token abc"}

    def query(self) -> dict[str, str]:
        return {}

    def url(self, path: str) -> str:
        return f"{self.base_url}/compat/openai{path}"


def ask(both: Any, client: Any, question: str) -> str:
    """One code path for every provider: the dispatch is in the client's config."""
    chat = both.call(
        client.request,
        "POST",
        "/chat/completions",
        body={"model": "m", "messages": [{"role": "user", "content": question}]},
    )
    return str(chat["choices"][0]["message"]["content"])


def test_custom_configs_drive_one_code_path(both: Any) -> None:
    server = Server()
    configs = [GatewayConfig("gw-key"), PrefixConfig()]
    assert all(isinstance(c, byot.Config) for c in configs)
    clients = [both.client(server, config=c, api_key=None, base_url=None) for c in configs]

    answers = [ask(both, client, f"q{i}") for i, client in enumerate(clients)]

    assert answers == ["Hello!", "Hello!"]
    gateway, prefix = server.requests
    assert str(gateway.url) == "https://gateway.example/v1/chat/completions?route=fast"
    assert gateway.headers["x-gateway-key"] == "gw-key"
    assert "Authorization" not in gateway.headers
    assert orjson.loads(gateway.content)["messages"][0]["content"] == "q0"
    assert str(prefix.url) == "http://local.example:8080/compat/openai/chat/completions"
    assert prefix.headers["Authorization"] == "Token abc"
    assert "x-gateway-key" not in prefix.headers
    assert orjson.loads(prefix.content)["messages"][0]["content"] == "q1"
    # Both still carry byot's own headers.
    for request in server.requests:
        assert USER_AGENT.match(request.headers["User-Agent"])
        assert request.headers["Content-Type"] == "application/json"
    assert clients[0].config is configs[0]
    assert clients[0].base_url == "https://gateway.example/v1"


def test_azure_config_routes_deployments(both: Any) -> None:
    server = Server()
    config = byot.AzureConfig(
        "https://res.openai.azure.com/",
        deployment="dep",
        api_version="2024-10-21",
        api_key="az-key",
    )
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)
    both.call(client.request, "GET", "/files")
    both.call(client.request, "POST", "/embeddings", body={"input": "x"}, query={"a": "b"})

    chat, files, embeddings = server.requests
    assert str(chat.url) == (
        "https://res.openai.azure.com/openai/deployments/dep/chat/completions"
        "?api-version=2024-10-21"
    )
    assert chat.headers["api-key"] == "az-key"
    assert "Authorization" not in chat.headers
    assert str(files.url) == "https://res.openai.azure.com/openai/files?api-version=2024-10-21"
    assert str(embeddings.url) == (
        "https://res.openai.azure.com/openai/deployments/dep/embeddings?api-version=2024-10-21&a=b"
    )
    assert client.base_url == "https://res.openai.azure.com/openai"


def test_azure_config_routes_paths_without_a_leading_slash(both: Any) -> None:
    # `OpenAIConfig` accepts "chat/completions" as "/chat/completions"; Azure must route it to
    # the deployment just the same, not to the resource root (which answers 404).
    server = Server()
    config = byot.AzureConfig(
        "https://res.openai.azure.com", deployment="dep", api_version="v", api_key="k"
    )
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "POST", "chat/completions", body=REQUEST_BODY)

    assert str(server.last.url) == (
        "https://res.openai.azure.com/openai/deployments/dep/chat/completions?api-version=v"
    )


def test_path_with_its_own_query(both: Any) -> None:
    server = Server({})
    client = both.client(server, default_query={"t": "1"})

    both.call(client.request, "GET", "/files?limit=2", query={"after": "f 1"})

    assert server.last.url.query == b"limit=2&t=1&after=f+1"


def test_azure_config_with_an_ad_token(both: Any) -> None:
    server = Server()
    config = byot.AzureConfig(
        "https://res.openai.azure.com", deployment="d", api_version="v1", ad_token="tok"
    )
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    assert server.last.headers["Authorization"] == "Bearer tok"
    assert "api-key" not in server.last.headers


def test_azure_config_from_the_environment(both: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://env.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "env-key")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01")
    server = Server()
    client = both.client(
        server, config=byot.AzureConfig(deployment="d"), api_key=None, base_url=None
    )

    both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    assert str(server.last.url) == (
        "https://env.openai.azure.com/openai/deployments/d/chat/completions?api-version=2025-01-01"
    )
    assert server.last.headers["api-key"] == "env-key"


def test_azure_v1_config(both: Any) -> None:
    server = Server()
    config = byot.AzureV1Config("https://res.openai.azure.com", api_key="az-key")
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "POST", "/chat/completions", body=REQUEST_BODY)

    assert str(server.last.url) == "https://res.openai.azure.com/openai/v1/chat/completions"
    assert server.last.headers["api-key"] == "az-key"
    assert "Authorization" not in server.last.headers
    assert client.base_url == "https://res.openai.azure.com/openai/v1"


def test_azure_v1_config_with_an_ad_token(both: Any) -> None:
    server = Server()
    config = byot.AzureV1Config("https://res.openai.azure.com", ad_token="tok")
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "GET", "/models")

    assert server.last.headers["Authorization"] == "Bearer tok"
    assert "api-key" not in server.last.headers


def test_openai_config_object_with_custom_auth(both: Any) -> None:
    server = Server()
    config = byot.OpenAIConfig(
        api_key="k1",
        base_url="http://test.local/api",
        auth_header="x-api-key",
        auth_scheme=None,
        headers={"x-extra": "1"},
        query={"tenant": "t"},
    )
    client = both.client(server, config=config, api_key=None, base_url=None)

    both.call(client.request, "GET", "/models")

    assert str(server.last.url) == "http://test.local/api/models?tenant=t"
    assert server.last.headers["x-api-key"] == "k1"
    assert server.last.headers["x-extra"] == "1"
    assert "Authorization" not in server.last.headers


# ----------------------------------------------------------------------------- async only


@pytest.mark.anyio
async def test_async_calls_run_concurrently() -> None:
    events: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        name = request.url.params["n"]
        events.append(f"start {name}")
        # Hold every answer until all five calls are in flight (or 0.5 s passed).
        for _ in range(500):
            if len(events) >= 5:
                break
            await anyio.sleep(0.001)
        events.append(f"end {name}")
        return httpx.Response(200, json={"n": name})

    async with byot.AsyncClient(
        base_url=BASE, api_key="sk-test", transport=httpx.MockTransport(handler)
    ) as client:
        results = await asyncio.gather(
            *(client.request("GET", "/echo", query={"n": str(i)}) for i in range(5))
        )

    assert results == [{"n": str(i)} for i in range(5)]
    # A client that serialised its calls would alternate start/end.
    assert sorted(events[:5]) == [f"start {i}" for i in range(5)]
