"""The sans-I/O core: paths, queries, headers, settings, prepared calls and their outcomes.

Nothing here sends a request: `Settings.prepare` and `Prepared.finish` are called directly with
the status, headers and bytes a response would have.
"""

from __future__ import annotations

import logging
import types
from typing import TYPE_CHECKING, Any, cast

import httpx
import msgspec
import pydantic
import pytest

from byot import _codec, errors
from byot._config import AzureConfig, OpenAIConfig
from byot._decode import decode_body, decoder_for
from byot._headers import check_headers
from byot._retry import RetryPolicy
from byot._settings import Settings, timeout_from_httpx
from byot._timeout import DEFAULT_TIMEOUT, NO_TIMEOUT, Deadline, Timeout
from byot._transport_errors import transport_error
from byot._url import encode_query, escape_segment, fill_path
from byot.errors import ConfigError

if TYPE_CHECKING:
    from byot._prepared import Prepared
    from byot._settings import ClientOptions
    from byot._signatures import RequestOptions

BASE = "http://h/v1"

# ----------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("file-abc123", "file-abc123"),
        ("a/b", "a%2Fb"),
        ("a?b=1", "a%3Fb%3D1"),
        ("a#frag", "a%23frag"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("café", "caf%C3%A9"),
        ("模型", "%E6%A8%A1%E5%9E%8B"),
        ("...", "..."),  # not a dot segment
        ("a.b", "a.b"),
        ("../x", "..%2Fx"),
        (42, "42"),
    ],
)
def test_escape_segment(value: object, segment: str) -> None:
    assert escape_segment("id", value) == segment
    assert fill_path("/files/{id}/content", {"id": value}) == f"/files/{segment}/content"


@pytest.mark.parametrize(
    "value", ["a/b", "../..", "/", "?#", "%2F", "a b/c", "x/../../admin", ".%2e%2e", 7]
)
def test_filled_path_keeps_its_segments(value: object) -> None:
    # Whatever the value, it stays one segment: the route cannot change.
    template = "/threads/{thread_id}/messages/{message_id}"
    path = fill_path(template, {"thread_id": value, "message_id": value})
    assert path.count("/") == template.count("/")
    assert "?" not in path
    assert "#" not in path
    assert all(seg not in {".", ".."} for seg in path.split("/"))


@pytest.mark.parametrize("value", [".", "..", "%2e", "%2E%2e", ".%2E", "%252e%252E", "%25252e"])
def test_a_dot_segment_path_parameter_is_refused(value: str) -> None:
    # A URL-normalising proxy would turn %2E%2E back into .. and climb a level (issue 15).
    with pytest.raises(ConfigError, match=r"path parameter 'file_id' is .*a dot segment"):
        fill_path("/files/{file_id}/content", {"file_id": value})


def test_fill_path_two_placeholders() -> None:
    path = fill_path("/threads/{thread_id}/runs/{run_id}", {"thread_id": "t 1", "run_id": "r/2"})
    assert path == "/threads/t%201/runs/r%2F2"


def test_fill_path_leaves_non_placeholders() -> None:
    assert fill_path("/a/{0}/{}", {}) == "/a/{0}/{}"


@pytest.mark.parametrize(
    ("params", "exc", "match"),
    [
        ({"id": ""}, ValueError, "path parameter 'id' is empty"),
        ({}, TypeError, r"missing path parameter 'id' for /files/\{id\}"),
        (
            {"id": "x", "extra": 1, "other": 2},
            TypeError,
            r"unknown path parameter\(s\) \['extra', 'other'\] for /files/\{id\}",
        ),
    ],
)
def test_fill_path_errors(params: dict[str, object], exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        fill_path("/files/{id}", params)


# ----------------------------------------------------------------------------- query


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ({}, ""),
        ({"stream": True, "store": False}, "stream=true&store=false"),
        ({"limit": 20, "temperature": 0.5}, "limit=20&temperature=0.5"),
        ({"after": None, "limit": 5}, "limit=5"),
        ({"include": ["a", "b"]}, "include%5B%5D=a&include%5B%5D=b"),  # include[]=a&include[]=b
        ({"include": ("a",)}, "include%5B%5D=a"),
        ({"include": []}, ""),
        ({"metadata": {"k": "v", "gone": None}}, "metadata%5Bk%5D=v"),  # metadata[k]=v
        ({"m": {"l": [1, True]}}, "m%5Bl%5D%5B%5D=1&m%5Bl%5D%5B%5D=true"),
        ({"q": "a b&c=d"}, "q=a+b%26c%3Dd"),
    ],
)
def test_encode_query(params: dict[str, Any], query: str) -> None:
    assert encode_query(params) == query


# ----------------------------------------------------------------------------- headers


@pytest.mark.parametrize("bad", ["a\rb", "a\nb", "a\x00b", "line\r\nX-Injected: 1"])
def test_check_headers_refuses_bad_values_without_echoing_them(bad: str) -> None:
    secret = f"sk-secret-{bad}"
    with pytest.raises(ValueError, match="invalid value for header 'X-Api-Key'") as caught:
        check_headers({"X-Api-Key": secret})
    assert "sk-secret" not in str(caught.value)


def test_check_headers_refuses_non_string_values() -> None:
    with pytest.raises(ValueError, match="invalid value for header 'X-Count'"):
        check_headers({"X-Count": 5})


@pytest.mark.parametrize("name", ["Bad Name", "X:Y", "", "X-Ü", "X\n"])
def test_check_headers_refuses_bad_names(name: str) -> None:
    with pytest.raises(ValueError, match="invalid header name"):
        check_headers({name: "v"})


def test_check_headers_accepts_tokens_and_none() -> None:
    check_headers({"X-Custom_1.~!#$%&'*+^`|": "any value: with; punctuation", "X-Gone": None})


# ----------------------------------------------------------------------------- Settings


def make_settings(**kwargs: Any) -> Settings:
    arguments: dict[str, Any] = {
        "config": None,
        "api_key": "sk-x",
        "base_url": BASE,
        "organization": None,
        "project": None,
        "default_headers": None,
        "default_query": None,
        "timeout": DEFAULT_TIMEOUT,
        "retry": None,
        "max_retries": None,
    }
    arguments.update(kwargs)
    return Settings.create(cast("ClientOptions", arguments))


def derive(settings: Settings, **kwargs: Any) -> Settings:
    arguments: dict[str, Any] = dict.fromkeys(
        [
            "config",
            "api_key",
            "base_url",
            "organization",
            "project",
            "default_headers",
            "default_query",
            "retry",
            "max_retries",
        ]
    )
    arguments["timeout"] = settings.timeout
    arguments.update(kwargs)
    return settings.derive(cast("ClientOptions", arguments))


def prepare(
    settings: Settings,
    method: str = "GET",
    route: str = "/models",
    body: object = None,
    encoder: Any = None,
    **options: Any,
) -> Prepared:
    # `route` is the call's path argument; `path=` stays free for the per-call option.
    request_options: RequestOptions = options  # type: ignore[assignment]
    return settings.prepare(method, route, body, encoder=encoder, options=request_options)


def test_base_headers() -> None:
    headers = make_settings().plain_headers
    assert headers["User-Agent"].startswith("byot/")
    assert headers["Accept"] == "application/json"
    assert headers["Accept-Encoding"] == "gzip, deflate"
    assert headers["Authorization"] == "Bearer sk-x"
    assert "Content-Type" not in headers
    assert make_settings().json_headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "default_headers",
    [
        {"User-Agent": "mine/1", "Authorization": "Token t", "X-A": "1"},
        # Header names ignore case: a lower-case name replaces byot's and the config's.
        {"user-agent": "mine/1", "authorization": "Token t", "x-a": "1"},
    ],
)
def test_default_headers_override_base_headers_and_config(default_headers: dict[str, str]) -> None:
    headers = make_settings(default_headers=default_headers).plain_headers
    assert headers.get_list("User-Agent") == ["mine/1"]
    assert headers.get_list("Authorization") == ["Token t"]
    assert headers.get_list("X-A") == ["1"]


def test_config_headers_override_base_headers() -> None:
    config = OpenAIConfig(base_url=BASE, headers={"accept": "text/plain"})
    headers = make_settings(config=config, api_key=None, base_url=None).plain_headers
    assert headers.get_list("Accept") == ["text/plain"]


def test_default_headers_are_checked() -> None:
    with pytest.raises(ValueError, match="invalid value for header 'X-A'"):
        make_settings(default_headers={"X-A": "1\r\n"})


def test_create_refuses_config_with_its_arguments() -> None:
    config = OpenAIConfig(api_key="k", base_url=BASE)
    with pytest.raises(TypeError, match="pass either config= or api_key="):
        make_settings(config=config, api_key="sk-x", base_url=None)
    with pytest.raises(TypeError, match="not both"):
        make_settings(config=config, api_key=None, base_url=None, project="p")


def test_create_with_config() -> None:
    config = AzureConfig("https://r.example", deployment="d", api_version="v1", api_key="k")
    settings = make_settings(config=config, api_key=None, base_url=None)
    assert settings.config is config
    assert settings.plain_headers["api-key"] == "k"
    assert "Authorization" not in settings.plain_headers
    assert str(prepare(settings, route="/chat/completions").url) == (
        "https://r.example/openai/deployments/d/chat/completions?api-version=v1"
    )


@pytest.mark.parametrize(
    ("retry", "max_retries", "expected"),
    [
        (None, None, RetryPolicy()),
        (None, 0, RetryPolicy(max_retries=0)),
        (RetryPolicy(max_retries=5, jitter=0), None, RetryPolicy(max_retries=5, jitter=0)),
        # max_retries replaces only the count of the given policy.
        (RetryPolicy(max_retries=5, jitter=0), 1, RetryPolicy(max_retries=1, jitter=0)),
    ],
)
def test_create_retry(
    retry: RetryPolicy | None, max_retries: int | None, expected: RetryPolicy
) -> None:
    assert make_settings(retry=retry, max_retries=max_retries).retry == expected


@pytest.mark.parametrize(
    ("timeout", "expected"),
    [(None, NO_TIMEOUT), (5, Timeout(5)), (Timeout(1, total=3), Timeout(1, total=3))],
)
def test_create_timeout(timeout: float | Timeout | None, expected: Timeout) -> None:
    assert make_settings(timeout=timeout).timeout == expected


def test_derive_merges_headers_and_query() -> None:
    settings = make_settings(default_headers={"X-A": "1", "X-B": "1"}, default_query={"a": 1})
    derived = derive(settings, default_headers={"x-b": "2"}, default_query={"b": 2})
    assert derived.plain_headers.get_list("X-A") == ["1"]
    assert derived.plain_headers.get_list("X-B") == ["2"]  # replaced, whatever the case
    assert derived.query == {"a": 1, "b": 2}
    assert derived.config is settings.config
    assert derived.retry == settings.retry
    assert derived.timeout == settings.timeout
    # The original is untouched.
    assert settings.plain_headers.get_list("X-B") == ["1"]
    assert settings.query == {"a": 1}


def test_derive_changes_key_and_base_url() -> None:
    settings = make_settings(organization="org")
    derived = derive(settings, api_key="sk-new", base_url="http://other/v2/")
    assert derived.plain_headers["Authorization"] == "Bearer sk-new"
    assert derived.plain_headers["OpenAI-Organization"] == "org"
    assert str(prepare(derived).url) == "http://other/v2/models"
    assert settings.plain_headers["Authorization"] == "Bearer sk-x"


def test_derive_with_config_replaces_it() -> None:
    config = OpenAIConfig(base_url="http://local/v1")
    derived = derive(make_settings(), config=config)
    assert derived.config is config
    assert "Authorization" not in derived.plain_headers


def test_derive_refuses_config_with_its_arguments() -> None:
    with pytest.raises(TypeError, match="not both"):
        derive(make_settings(), config=OpenAIConfig(base_url=BASE), api_key="k")


def test_derive_refuses_key_change_on_a_custom_config() -> None:
    config = AzureConfig("https://r.example", api_version="v", api_key="k")
    settings = make_settings(config=config, api_key=None, base_url=None)
    with pytest.raises(TypeError, match=r"cannot change api_key/.* of a AzureConfig: pass config="):
        derive(settings, api_key="k2")


def test_derive_retry_and_timeout() -> None:
    settings = make_settings(retry=RetryPolicy(max_retries=4, jitter=0))
    assert derive(settings, max_retries=0).retry == RetryPolicy(max_retries=0, jitter=0)
    assert derive(settings, retry=RetryPolicy(max_retries=1)).retry == RetryPolicy(max_retries=1)
    assert derive(settings, timeout=None).timeout == NO_TIMEOUT
    assert derive(settings, timeout=3).timeout == Timeout(3)


# ----------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("path", "options", "url"),
    [
        ("/models", {}, f"{BASE}/models"),
        ("models", {}, f"{BASE}/models"),
        ("/models", {"query": {"limit": 5, "order": None}}, f"{BASE}/models?limit=5"),
        ("/models?limit=5", {"query": {"after": "m"}}, f"{BASE}/models?limit=5&after=m"),
        ("/ignored", {"path": "/files"}, f"{BASE}/files"),
        ("/files/{file_id}", {"path_params": {"file_id": "a/b"}}, f"{BASE}/files/a%2Fb"),
        ("/files/{file_id}", {"path_params": {"file_id": "..."}}, f"{BASE}/files/..."),
        (
            "/ignored",
            {"path": "/threads/{thread_id}", "path_params": {"thread_id": "t 1"}},
            f"{BASE}/threads/t%201",
        ),
        ("https://elsewhere.example/x", {}, "https://elsewhere.example/x"),
    ],
)
def test_prepare_url(path: str, options: dict[str, Any], url: str) -> None:
    assert str(prepare(make_settings(), route=path, **options).url) == url


def test_query_merges_config_default_and_call() -> None:
    config = OpenAIConfig(base_url=BASE, query={"api-version": "1", "x": "config"})
    settings = make_settings(
        config=config, api_key=None, base_url=None, default_query={"x": "default", "d": True}
    )
    assert settings.query == {"api-version": "1", "x": "default", "d": True}
    prepared = prepare(settings, query={"x": "call", "flag": False})
    assert str(prepared.url) == f"{BASE}/models?api-version=1&x=call&d=true&flag=false"
    # Without a per-call query, the client's query is used as is.
    assert str(prepare(settings).url) == f"{BASE}/models?api-version=1&x=default&d=true"


def test_url_cache_returns_the_same_object() -> None:
    settings = make_settings()
    first = settings.url("/models", None)
    assert settings.url("/models", None) is first
    assert settings.url("/models", {"a": 1}) is settings.url("/models", {"a": 1})
    assert settings.url("/files", None) is not first


def test_url_cache_is_bounded() -> None:
    settings = make_settings()
    for n in range(512):
        settings.url(f"/files/{n}", None)
    assert len(settings._urls) == 512
    settings.url("/files/512", None)
    assert list(settings._urls) == [f"{BASE}/files/512"]


# ----------------------------------------------------------------------------- content and headers


def test_get_without_body() -> None:
    settings = make_settings()
    prepared = prepare(settings, method="get")
    assert prepared.method == "GET"
    assert prepared.content is None
    assert "Content-Type" not in prepared.headers
    assert prepared.headers["Authorization"] == "Bearer sk-x"


def test_json_body() -> None:
    prepared = prepare(make_settings(), "POST", "/chat/completions", {"model": "m", "n": None})
    assert prepared.content == b'{"model":"m","n":null}'
    assert prepared.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("body", [b"\x00raw", bytearray(b"\x00raw")])
def test_bytes_body_sent_as_is(body: bytes) -> None:
    prepared = prepare(make_settings(), "POST", "/files", body)
    assert prepared.content == b"\x00raw"
    assert type(prepared.content) is bytes
    assert prepared.headers["Content-Type"] == "application/octet-stream"


def test_bytes_body_refuses_extra_body() -> None:
    with pytest.raises(TypeError, match="extra_body cannot be merged into a bytes body"):
        prepare(make_settings(), "POST", "/files", b"raw", extra_body={"a": 1})


def test_bytes_body_with_encoder_goes_to_the_encoder() -> None:
    prepared = prepare(make_settings(), "POST", "/x", b"abc", encoder=lambda b: {"length": len(b)})
    assert prepared.content == b'{"length":3}'
    assert prepared.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("body", "content"),
    [
        ({"model": "m", "n": 1}, b'{"model":"m","n":2,"extra":true}'),
        (None, b'{"n":2,"extra":true}'),  # an empty body becomes the extra body
    ],
)
def test_extra_body_merged(body: object, content: bytes) -> None:
    prepared = prepare(make_settings(), "POST", "/x", body, extra_body={"n": 2, "extra": True})
    assert prepared.content == content
    assert prepared.headers["Content-Type"] == "application/json"


def test_encoder_without_body_gets_an_empty_object() -> None:
    seen: list[object] = []

    def encoder(body: object) -> dict[str, Any]:
        seen.append(body)
        return {"wrapped": True}

    prepared = prepare(make_settings(), "POST", "/x", None, encoder=encoder)
    assert seen == [{}]
    assert prepared.content == b'{"wrapped":true}'


def test_call_headers_override_and_remove() -> None:
    settings = make_settings(default_headers={"X-Team": "a"})
    prepared = prepare(
        settings,
        "POST",
        "/x",
        {"a": 1},
        headers={"Accept": "text/event-stream", "X-Team": None, "X-New": "1"},
        idempotency_key="key-1",
    )
    assert prepared.headers["Accept"] == "text/event-stream"
    assert "X-Team" not in prepared.headers
    assert prepared.headers["X-New"] == "1"
    assert prepared.headers["Idempotency-Key"] == "key-1"
    assert prepared.headers["Content-Type"] == "application/json"
    # The client's shared headers are copied, never changed by a call.
    assert settings.json_headers["Accept"] == "application/json"
    assert settings.json_headers["X-Team"] == "a"
    assert "Idempotency-Key" not in settings.json_headers


def test_idempotency_key_alone() -> None:
    settings = make_settings()
    prepared = prepare(settings, "POST", "/x", idempotency_key="k")
    assert prepared.headers["Idempotency-Key"] == "k"
    assert "Idempotency-Key" not in settings.plain_headers


def test_call_headers_are_checked() -> None:
    with pytest.raises(ValueError, match="invalid value for header 'X-A'") as caught:
        prepare(make_settings(), headers={"X-A": "sk-secret\n"})
    assert "sk-secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "timeout"),
    [
        ({}, DEFAULT_TIMEOUT),
        ({"timeout": None}, NO_TIMEOUT),
        ({"timeout": 3}, Timeout(3)),
        ({"timeout": Timeout(1, total=2)}, Timeout(1, total=2)),
    ],
)
def test_prepare_timeout(options: dict[str, Any], timeout: Timeout) -> None:
    prepared = prepare(make_settings(), **options)
    assert prepared.timeout == timeout
    assert prepared.httpx_timeout == timeout.as_httpx()


def test_prepare_max_retries() -> None:
    assert prepare(make_settings()).max_retries is None
    assert prepare(make_settings(), max_retries=0).max_retries == 0


def test_prepared_request_is_built_not_sent() -> None:
    prepared = prepare(make_settings(), "POST", "/x", {"a": 1})
    request = prepared.request({"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0})
    assert (request.method, str(request.url)) == ("POST", f"{BASE}/x")
    assert request.content == b'{"a":1}'
    assert request.headers["Content-Type"] == "application/json"
    assert request.extensions["timeout"] == {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}


# ----------------------------------------------------------------------------- deadlines


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr("byot._timeout.time", types.SimpleNamespace(monotonic=lambda: now[0]))
    return now


def test_timeout_for_without_deadline() -> None:
    prepared = prepare(make_settings(timeout=Timeout(10, connect=2)))
    assert prepared.deadline() is None
    assert prepared.timeout_for(None) == {"connect": 2.0, "read": 10.0, "write": 10.0, "pool": 10.0}


def test_timeout_for_clamps_to_the_deadline(clock: list[float]) -> None:
    prepared = prepare(make_settings(timeout=Timeout(10, connect=2, read=None, total=30)))
    deadline = prepared.deadline()
    assert deadline is not None
    assert deadline.remaining() == 30.0
    assert prepared.timeout_for(deadline) == {
        "connect": 2.0,
        "read": 30.0,
        "write": 10.0,
        "pool": 10.0,
    }
    clock[0] += 25
    assert prepared.timeout_for(deadline) == {
        "connect": 2.0,
        "read": 5.0,
        "write": 5.0,
        "pool": 5.0,
    }


def test_timeout_for_expired_deadline(clock: list[float]) -> None:
    prepared = prepare(make_settings(timeout=Timeout(10, total=2.5)), "POST", "/x")
    deadline = Deadline(2.5)
    clock[0] += 2.5
    with pytest.raises(errors.APITimeoutError) as caught:
        prepared.timeout_for(deadline)
    error = caught.value
    assert str(error) == "the call's total deadline of 2.5 s ran out"
    assert (error.method, error.url) == ("POST", f"{BASE}/x")


# ----------------------------------------------------------------------------- finish


def finish(status: int, content: bytes, headers: dict[str, str] | None = None, **kwargs: Any):
    prepared = prepare(make_settings(), "POST", "/chat/completions", {"a": 1})
    decode, target = decoder_for(kwargs.get("response_type"), kwargs.get("decoder"))
    return prepared.finish(status, httpx.Headers(headers or {}), content, decode, target)


@pytest.mark.parametrize("status", [200, 201, 204, 299])
def test_finish_decodes_2xx(status: int) -> None:
    assert finish(status, b'{"id": "x"}') == {"id": "x"}


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (404, errors.NotFoundError),
        (429, errors.RateLimitError),
        (500, errors.InternalServerError),
        (302, errors.APIStatusError),
        (199, errors.APIStatusError),
        (300, errors.APIStatusError),
    ],
)
def test_finish_raises_for_other_statuses(status: int, cls: type[errors.APIStatusError]) -> None:
    with pytest.raises(errors.APIStatusError) as caught:
        finish(status, b'{"error": {"message": "nope"}}', {"x-request-id": "req_1"})
    error = caught.value
    assert type(error) is cls
    assert error.status_code == status
    assert (error.method, error.url) == ("POST", f"{BASE}/chat/completions")
    assert error.error_message == "nope"
    assert error.request_id == "req_1"


def test_finish_logs_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="byot")
    finish(200, b'{"a": 1}', {"x-request-id": "req_1"})
    [record] = [r for r in caplog.records if r.name == "byot"]
    assert record.levelno == logging.DEBUG
    assert record.getMessage() == (
        f'POST {BASE}/chat/completions -> 200 (8 bytes, request_id=req_1): {{"a": 1}}'
    )


def test_finish_does_not_log_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="byot")
    finish(200, b"{}")
    assert [r for r in caplog.records if r.name == "byot"] == []


# ----------------------------------------------------------------------------- decoding errors


def test_decoder_for() -> None:
    def custom(raw: bytes) -> int:
        return len(raw)

    assert decoder_for(None, None) == (_codec.decode_object, dict)
    assert decoder_for(None, custom) == (custom, custom)
    assert decoder_for(list[int], None) == (_codec.decoder_for(list[int]), list[int])
    with pytest.raises(TypeError, match="pass response_type= or decoder=, not both"):
        decoder_for(dict, custom)


@pytest.mark.parametrize(
    ("content", "headers", "message"),
    [
        (b"", {}, "cannot decode the response into dict: the response body is empty"),
        (
            b"  \n",
            {"content-type": "text/html"},
            "cannot decode the response into dict: the response body is empty",
        ),
        (
            b"<html>oops</html>",
            {"content-type": "text/html; charset=utf-8"},
            "cannot decode the response into dict: JSONDecodeError: unexpected character, "
            "expected a JSON value: line 1 column 1 (char 0) (content-type text/html; "
            "charset=utf-8)",
        ),
        (
            b"<html>oops</html>",
            {"content-type": "application/json"},
            "cannot decode the response into dict: JSONDecodeError: unexpected character, "
            "expected a JSON value: line 1 column 1 (char 0)",
        ),
        (
            b"oops",
            {},
            "cannot decode the response into dict: JSONDecodeError: unexpected character, "
            "expected a JSON value: line 1 column 1 (char 0)",
        ),
    ],
)
def test_decode_error_messages(content: bytes, headers: dict[str, str], message: str) -> None:
    with pytest.raises(errors.DecodeError) as caught:
        finish(200, content, {"x-request-id": "req_7", **headers})
    error = caught.value
    assert str(error) == message
    assert (error.raw, error.target, error.path, error.request_id) == (content, dict, "$", "req_7")
    assert isinstance(error.__cause__, ValueError)  # the decoder's own error is kept


def test_decode_error_from_a_decoder_gets_context() -> None:
    # The default decoder raises DecodeError itself; the raw bytes and request id are added.
    with pytest.raises(errors.DecodeError) as caught:
        finish(200, b"[1, 2]", {"x-request-id": "req_8"})
    error = caught.value
    assert str(error) == (
        "expected a JSON object, got an array; pass decoder=orjson.loads to accept any JSON value"
    )
    assert (error.raw, error.request_id) == (b"[1, 2]", "req_8")
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_decode_error_names_a_custom_decoder() -> None:
    def parse_int(raw: bytes) -> int:
        return int(raw)

    with pytest.raises(errors.DecodeError) as caught:
        finish(200, b"x", decoder=parse_int)
    error = caught.value
    assert str(error).startswith(
        "cannot decode the response into test_decode_error_names_a_custom_decoder.<locals>."
        "parse_int: ValueError: invalid literal"
    )
    assert error.target is parse_int


def test_decode_error_names_a_target_without_qualname() -> None:
    target = object()
    with pytest.raises(
        errors.DecodeError, match=r"into <object object at 0x[0-9a-f]+>: RuntimeError: boom"
    ):
        decode_body(_raise(RuntimeError("boom")), b"x", target, httpx.Headers())


def _raise(exc: Exception) -> Any:
    def decode(raw: bytes) -> Any:
        raise exc

    return decode


class PydanticMessage(pydantic.BaseModel):
    content: str


class PydanticChoice(pydantic.BaseModel):
    message: PydanticMessage


class PydanticCompletion(pydantic.BaseModel):
    choices: list[PydanticChoice]


class StructMessage(msgspec.Struct):
    content: str


class StructChoice(msgspec.Struct):
    message: StructMessage


class StructCompletion(msgspec.Struct):
    choices: list[StructChoice]


@pytest.mark.parametrize(
    ("target", "content", "path"),
    [
        (PydanticCompletion, b'{"choices": [{"message": {}}]}', "$.choices[0].message.content"),
        (PydanticCompletion, b'{"choices": [{"message": 5}]}', "$.choices[0].message"),
        (PydanticCompletion, b'{"choices": 1}', "$.choices"),
        (
            StructCompletion,
            b'{"choices": [{"message": {"content": 1}}]}',
            "$.choices[0].message.content",
        ),
        (StructCompletion, b'{"choices": [{"message": 5}]}', "$.choices[0].message"),
        (StructCompletion, b"[]", "$"),
    ],
)
def test_validation_error_paths(target: type, content: bytes, path: str) -> None:
    with pytest.raises(errors.DecodeError) as caught:
        finish(200, content, response_type=target)
    error = caught.value
    assert error.path == path
    assert error.target is target
    assert str(error).startswith(f"cannot decode the response into {target.__qualname__}: ")
    assert "\n" not in str(error)  # pydantic's multi-line message is kept on one line


class UncallableErrorsError(Exception):
    errors = "not a method"


class EmptyErrorsError(Exception):
    def errors(self) -> list[Any]:
        return []


class NoLocError(Exception):
    def errors(self) -> list[Any]:
        return [{"msg": "bad"}]


class LocError(Exception):
    def errors(self) -> list[Any]:
        return [{"loc": ("data", 2, "a-b")}]


@pytest.mark.parametrize(
    ("exc", "path"),
    [
        (UncallableErrorsError(), "$"),
        (EmptyErrorsError(), "$"),
        (NoLocError(), "$"),
        (LocError(), "$.data[2].a-b"),
        (
            ValueError("Expected `int`, got `str` - at `$.usage.total_tokens`"),
            "$.usage.total_tokens",
        ),
        (ValueError("no path here"), "$"),
    ],
)
def test_decode_error_path_extraction(exc: Exception, path: str) -> None:
    with pytest.raises(errors.DecodeError) as caught:
        decode_body(_raise(exc), b"{}", dict, httpx.Headers())
    assert caught.value.path == path


# ----------------------------------------------------------------------------- transport errors


@pytest.mark.parametrize(
    ("exc", "cls", "message"),
    [
        (
            httpx.ConnectTimeout("timed out"),
            errors.APITimeoutError,
            f"connect timeout: POST {BASE}/x got no answer in time",
        ),
        (
            httpx.ReadTimeout("timed out"),
            errors.APITimeoutError,
            f"read timeout: POST {BASE}/x got no answer in time",
        ),
        (
            httpx.WriteTimeout("timed out"),
            errors.APITimeoutError,
            f"write timeout: POST {BASE}/x got no answer in time",
        ),
        (
            httpx.PoolTimeout("timed out"),
            errors.APITimeoutError,
            f"pool timeout: POST {BASE}/x got no answer in time",
        ),
        (
            httpx.TimeoutException("timed out"),
            errors.APITimeoutError,
            f"request timeout: POST {BASE}/x got no answer in time",
        ),
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            errors.APIConnectionError,
            f"connection error: POST {BASE}/x: ConnectError: [Errno 111] Connection refused",
        ),
        (
            httpx.RemoteProtocolError("peer closed connection"),
            errors.APIConnectionError,
            f"connection error: POST {BASE}/x: RemoteProtocolError: peer closed connection",
        ),
    ],
)
def test_transport_error(
    exc: httpx.RequestError, cls: type[errors.APIConnectionError], message: str
) -> None:
    prepared = prepare(make_settings(), "POST", "/x")
    error = transport_error(prepared, exc)
    assert type(error) is cls
    assert str(error) == message
    assert (error.method, error.url) == ("POST", f"{BASE}/x")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (httpx.Timeout(5, connect=1), Timeout(5, connect=1)),
        # httpx's own default (5 s for everything) would cut off completions: byot's is kept.
        (httpx.Timeout(5.0), DEFAULT_TIMEOUT),
        (httpx.Timeout(None), Timeout(None)),
        (httpx.Timeout(None, read=3), Timeout(None, read=3)),
    ],
)
def test_timeout_from_httpx(given: httpx.Timeout, expected: Timeout) -> None:
    result = timeout_from_httpx(given)
    assert result == expected
    assert result.total is None
