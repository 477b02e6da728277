"""Keys and tokens given as functions, and headers from `OPENAI_CUSTOM_HEADERS` (sans-I/O).

The requests go to `httpx.MockTransport`; `test_refresh.py` sends them to a real server.
"""

from __future__ import annotations

import gc
import itertools
import warnings
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot
from byot import errors
from byot._credentials import Credentials

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Both

OK = httpx.Response(200, json={"ok": True})


class Recorder:
    """A MockTransport handler that keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return OK

    def sent(self, header: str = "authorization") -> list[str | None]:
        return [request.headers.get(header) for request in self.requests]


def counter(prefix: str = "token") -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"{prefix}-{next(numbers)}"


async def async_token() -> str:
    return "async-token"


class AsyncProvider:
    """A token provider object whose `__call__` is async, as Azure's SDK shapes them."""

    async def __call__(self) -> str:
        return "object-token"


def test_each_call_asks_the_function_again(both: Both) -> None:
    recorder = Recorder()
    client = both.client(recorder, api_key=counter())

    for _ in range(3):
        both.call(client.request, "GET", "/models")

    assert recorder.sent() == ["Bearer token-1", "Bearer token-2", "Bearer token-3"]


def test_a_fixed_key_carries_no_credentials(both: Both) -> None:
    """A str key is merged into the headers once: no work is left for each attempt."""
    client = both.client(Recorder(), api_key="sk-fixed")
    assert client._settings.credentials is None
    assert client._settings.plain_headers["authorization"] == "Bearer sk-fixed"
    assert client._settings.prepare("GET", "/x", None, encoder=None, options={}).credentials is None


@pytest.mark.parametrize("provider", [async_token, AsyncProvider()], ids=["def", "object"])
def test_an_async_client_awaits_an_async_function(provider: Callable[[], Any]) -> None:
    recorder = Recorder()
    both = _async_both()
    client = both.client(recorder, api_key=provider)

    both.call(client.request, "GET", "/models")

    assert recorder.sent()[0] in {"Bearer async-token", "Bearer object-token"}
    both.close()


@pytest.mark.parametrize("provider", [async_token, AsyncProvider()], ids=["def", "object"])
@pytest.mark.parametrize(
    "build",
    [
        lambda key: byot.Client(api_key=key, base_url="http://h/v1"),
        lambda key: byot.Client(
            config=byot.AzureConfig("https://r", api_version="v", ad_token=key)
        ),
        lambda key: byot.Client(config=byot.AzureV1Config("https://r", ad_token=key)),
        lambda key: byot.Client(base_url="http://h/v1").with_options(api_key=key),
    ],
    ids=["api_key", "azure", "azure-v1", "with_options"],
)
def test_a_sync_client_refuses_an_async_function_when_built(
    provider: Callable[[], Any], build: Callable[[Any], object]
) -> None:
    with pytest.raises(errors.ConfigError) as info:
        build(provider)
    assert "async function" in str(info.value)
    assert "byot.AsyncClient" in str(info.value)


def test_a_sync_function_that_returns_an_awaitable_is_refused_per_attempt() -> None:
    recorder = Recorder()
    client = byot.Client(api_key=lambda: async_token(), transport=httpx.MockTransport(recorder))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the coroutine is closed, never left unawaited
        with pytest.raises(errors.ConfigError, match="async function"):
            client.request("GET", "/models")
        gc.collect()
    assert recorder.requests == []


class Awaitable:
    """An awaitable that is no coroutine (as a Future or a Task is not)."""

    def __await__(self) -> Any:
        return async_token().__await__()


def test_a_sync_client_refuses_any_awaitable() -> None:
    client = byot.Client(api_key=Awaitable, transport=httpx.MockTransport(Recorder()))
    with pytest.raises(errors.ConfigError, match="async function"):
        client.request("GET", "/models")


def test_a_configuration_s_key_function_gives_the_whole_value() -> None:
    """Called outside byot, the function in `headers()` gives what the header will hold."""
    sync = byot.OpenAIConfig(api_key=lambda: "sk-1", base_url="http://h/v1").headers()
    azure = byot.AzureV1Config("https://r.example", ad_token=async_token).headers()

    assert callable(sync["Authorization"])
    assert sync["Authorization"]() == "Bearer sk-1"
    assert _async_both().run(azure["Authorization"]()) == "Bearer async-token"


def test_an_async_client_awaits_what_a_sync_function_returns() -> None:
    recorder = Recorder()
    both = _async_both()
    client = both.client(recorder, api_key=lambda: async_token())
    both.call(client.request, "GET", "/models")
    assert recorder.sent() == ["Bearer async-token"]
    both.close()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sk-secret\n", "control character"),
        (" sk-secret", "whitespace"),
        ("sk-sécret", "ASCII"),
        (None, "must be a str"),
    ],
)
def test_a_bad_value_is_refused_without_showing_it(both: Both, value: Any, problem: str) -> None:
    recorder = Recorder()
    client = both.client(recorder, api_key=lambda: value)

    error = both.run(both_fails(client))

    assert problem in str(error)
    assert "'Authorization'" in str(error)
    assert "secret" not in str(error)
    assert "sécret" not in str(error)
    assert recorder.requests == []


async def both_fails(client: Any) -> errors.ConfigError:
    try:
        result = client.request("GET", "/models")
        if not isinstance(result, dict):
            await result
    except errors.ConfigError as exc:
        return exc
    raise AssertionError("no ConfigError")


def test_a_failing_provider_raises_its_own_error_and_sends_nothing(both: Both) -> None:
    class TokenServiceDownError(Exception):
        pass

    def provider() -> str:
        raise TokenServiceDownError

    recorder = Recorder()
    client = both.client(recorder, api_key=provider)
    with pytest.raises(TokenServiceDownError):
        both.call(client.request, "GET", "/models")
    assert recorder.requests == []


def test_the_key_itself_is_never_shown(both: Both) -> None:
    client = both.client(Recorder(), api_key=lambda: "sk-secret")
    assert "sk-secret" not in repr(client)
    assert "sk-secret" not in repr(client.config)
    assert "api_key=<set>" in repr(client.config)


def test_headers_the_call_sets_or_removes_win_over_the_function(both: Both) -> None:
    recorder = Recorder()
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        return "from-provider"

    client = both.client(recorder, api_key=provider)
    both.call(client.request, "GET", "/a", headers={"authorization": "Bearer per-call"})
    both.call(client.request, "GET", "/a", headers={"Authorization": None})
    both.call(client.request, "GET", "/a", headers={"X-Other": "1"})

    assert recorder.sent() == ["Bearer per-call", None, "Bearer from-provider"]
    assert len(calls) == 1


def test_default_headers_win_over_the_function(both: Both) -> None:
    recorder = Recorder()
    client = both.client(
        recorder, api_key=counter(), default_headers={"Authorization": "Bearer fixed"}
    )
    both.call(client.request, "GET", "/a")
    assert recorder.sent() == ["Bearer fixed"]
    assert client._settings.credentials is None


def test_admin_calls_use_the_admin_key_and_others_the_function(both: Both) -> None:
    recorder = Recorder()
    client = both.client(recorder, api_key=counter(), admin_api_key="sk-admin")

    both.call(client.admin.users.list)
    both.call(client.models.list)

    assert recorder.sent() == ["Bearer sk-admin", "Bearer token-1"]


def test_a_copy_keeps_the_function_or_takes_a_new_one(both: Both) -> None:
    recorder = Recorder()
    client = both.client(recorder, api_key=counter("a"))
    both.call(client.with_options(timeout=5).request, "GET", "/m")
    both.call(client.with_options(api_key=counter("b")).request, "GET", "/m")
    both.call(client.with_options(api_key="sk-fixed").request, "GET", "/m")
    assert recorder.sent() == ["Bearer a-1", "Bearer b-1", "Bearer sk-fixed"]


def test_azure_keys_and_tokens_as_functions(both: Both) -> None:
    recorder = Recorder()
    classic = byot.AzureConfig("https://r.example", api_version="v", api_key=counter("key"))
    token = byot.AzureConfig("https://r.example", api_version="v", ad_token=counter("ad"))
    v1 = byot.AzureV1Config("https://r.example", api_key=counter("v1"))
    for config in (classic, token, v1):
        client = both.client(recorder, config=config, base_url=None, api_key=None)
        both.call(client.request, "GET", "/models")

    assert recorder.sent("api-key") == ["key-1", None, "v1-1"]
    assert recorder.sent() == [None, "Bearer ad-1", None]


def test_a_function_header_needs_a_valid_name(both: Both) -> None:
    class Odd:
        base_url = "http://h/v1"

        def headers(self) -> dict[str, Callable[[], str]]:
            return {"bad name": lambda: "x"}

        def query(self) -> dict[str, str]:
            return {}

        def url(self, path: str) -> str:
            return self.base_url + path

    with pytest.raises(errors.ConfigError, match="invalid header name 'bad name'"):
        both.client(Recorder(), config=Odd(), base_url=None, api_key=None)


def test_credentials_less_what_other_layers_set() -> None:
    def one() -> str:
        return "1"

    def two() -> str:
        return "2"

    credentials = Credentials((("Authorization", one), ("X-Key", two)))
    assert credentials.without([]) is credentials
    assert credentials.without(["x-key"]) == Credentials((("Authorization", one),))
    assert credentials.without(["AUTHORIZATION", "x-KEY"]) is None


# OPENAI_CUSTOM_HEADERS, as the official SDK reads it: one `Name: value` a line.


def test_custom_headers_from_the_environment(both: Both, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "OPENAI_CUSTOM_HEADERS", "X-Team: search\r\n\n  X-Trace :  on: yes  \nX-Override: env\n"
    )
    recorder = Recorder()
    client = both.client(recorder, default_headers={"X-Override": "code"})

    both.call(client.request, "GET", "/m")
    both.call(client.with_options(default_headers={"X-Team": "ads"}).request, "GET", "/m")

    assert recorder.sent("x-team") == ["search", "ads"]
    assert recorder.sent("x-trace") == ["on: yes"] * 2
    assert recorder.sent("x-override") == ["code"] * 2


def test_custom_headers_replace_the_key_header(both: Both, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in the official SDK, they sit over the configuration's headers, the key's included."""
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", "Authorization: Bearer from-env")
    recorder = Recorder()
    client = both.client(recorder, api_key=counter())
    both.call(client.request, "GET", "/m")
    assert recorder.sent() == ["Bearer from-env"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("X-Good: 1\nno colon here", "OPENAI_CUSTOM_HEADERS line 2 has no colon"),
        ("X-Key: sk-s\x01cret", "OPENAI_CUSTOM_HEADERS line 1: invalid value for header 'X-Key'"),
        ("Bad Name: 1", "OPENAI_CUSTOM_HEADERS line 1: invalid header name 'Bad Name'"),
    ],
)
def test_a_bad_custom_header_line_is_refused(
    monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    monkeypatch.setenv("OPENAI_CUSTOM_HEADERS", text)
    with pytest.raises(errors.ConfigError) as info:
        byot.Client(base_url="http://h/v1")
    assert str(info.value).startswith(message)
    assert "sk-s" not in str(info.value)
    assert "no colon here" not in str(info.value)


def _async_both() -> Both:
    from tests.conftest import Both

    return Both("async")
