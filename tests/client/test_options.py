"""Per-call options, `with_options`, the connection's life cycle and client construction."""

import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest

import byot
from byot.errors import ConfigError, InternalServerError

BASE = "http://test.local/v1"
NO_SLEEP = byot.RetryPolicy(sleep=False)


@dataclass
class Reply:
    status: int = 200
    content: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)


class Server:
    """A MockTransport handler: answers with `replies` in turn (the last repeats)."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies) or [Reply()]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return httpx.Response(reply.status, headers=reply.headers, content=reply.content)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    @property
    def timeout(self) -> dict[str, float | None]:
        value: dict[str, float | None] = self.last.extensions["timeout"]
        return value


def close(both: Any, client: Any) -> None:
    both.run(client.aclose() if both.is_async else client.close())


# ----------------------------------------------------------------------------- timeouts


def test_client_default_timeout(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(client.request, "GET", "/models")

    assert server.timeout == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}
    assert client.timeout == byot.Timeout(600, connect=5)
    assert client.timeout.total is None


def test_client_timeout_number_and_object(both: Any) -> None:
    server = Server()
    seconds = both.client(server, timeout=12)
    phases = both.client(server, timeout=byot.Timeout(30, connect=2, pool=None))

    both.call(seconds.request, "GET", "/models")
    assert server.timeout == {"connect": 12.0, "read": 12.0, "write": 12.0, "pool": 12.0}
    both.call(phases.request, "GET", "/models")
    assert server.timeout == {"connect": 2.0, "read": 30.0, "write": 30.0, "pool": None}


def test_client_timeout_none_disables_every_phase(both: Any) -> None:
    server = Server()
    client = both.client(server, timeout=None)

    both.call(client.request, "GET", "/models")

    assert server.timeout == {"connect": None, "read": None, "write": None, "pool": None}


def test_per_call_timeout_reaches_the_transport(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(client.request, "GET", "/models", timeout=3)
    assert server.timeout == {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}

    both.call(client.request, "GET", "/models", timeout=byot.Timeout(9, read=1.5))
    assert server.timeout == {"connect": 9.0, "read": 1.5, "write": 9.0, "pool": 9.0}

    both.call(client.request, "GET", "/models", timeout=None)
    assert server.timeout == {"connect": None, "read": None, "write": None, "pool": None}

    # The client's own timeout is untouched by a per-call one.
    both.call(client.request, "GET", "/models")
    assert server.timeout == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def test_total_deadline_clamps_the_phase_timeouts(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(client.request, "GET", "/models", timeout=byot.Timeout(600, connect=2, total=10))

    timeout = server.timeout
    assert timeout["connect"] == 2.0  # shorter than what is left: kept
    for phase in ("read", "write", "pool"):
        value = timeout[phase]
        assert value is not None
        assert 9.0 < value <= 10.0, (phase, value)


def test_total_deadline_bounds_unlimited_phases(both: Any) -> None:
    server = Server()
    client = both.client(server, timeout=byot.Timeout(None, total=4))

    both.call(client.request, "GET", "/models")

    for phase, value in server.timeout.items():
        assert value is not None, phase
        assert 3.0 < value <= 4.0, (phase, value)


def test_invalid_timeouts_are_refused(both: Any) -> None:
    with pytest.raises(ValueError, match="timeout read must be >= 0 seconds"):
        byot.Timeout(5, read=-1)
    with pytest.raises(TypeError, match="timeout connect must be a number of seconds or None"):
        byot.Timeout(5, connect="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout connect must be a number"):
        both.client(Server(), timeout=True)


# ----------------------------------------------------------------------------- per-call options


def test_per_call_headers_override_and_none_removes(both: Any) -> None:
    server = Server()
    client = both.client(server, default_headers={"x-team": "blue"})

    both.call(
        client.request,
        "POST",
        "/chat/completions",
        body={"a": 1},
        headers={"Accept": "text/event-stream", "x-team": "red", "x-trace": "t1"},
    )
    request = server.last
    assert request.headers["Accept"] == "text/event-stream"
    assert request.headers["x-team"] == "red"
    assert request.headers["x-trace"] == "t1"
    assert request.headers["Content-Type"] == "application/json"

    both.call(client.request, "GET", "/models", headers={"User-Agent": None, "Authorization": None})
    request = server.last
    assert "User-Agent" not in request.headers
    assert "Authorization" not in request.headers
    assert request.headers["x-team"] == "blue"

    # The next call has the client's headers back.
    both.call(client.request, "GET", "/models")
    assert server.last.headers["Authorization"] == "Bearer sk-test"
    assert server.last.headers["User-Agent"].startswith("byot/")
    assert "x-trace" not in server.last.headers


def test_per_call_header_injection_is_refused(both: Any) -> None:
    server = Server()
    client = both.client(server)

    with pytest.raises(ValueError, match="invalid value for header 'x-a'"):
        both.call(client.request, "GET", "/models", headers={"x-a": "1\r\nx-b: 2"})
    with pytest.raises(ValueError, match="invalid header name 'x a'"):
        both.call(client.request, "GET", "/models", headers={"x a": "1"})
    assert server.requests == []


def test_per_call_query(both: Any) -> None:
    server = Server()
    client = both.client(server, default_query={"tenant": "t1", "limit": 5})

    both.call(client.request, "GET", "/files", query={"limit": 20, "purpose": "batch"})
    assert server.last.url.query == b"tenant=t1&limit=20&purpose=batch"

    both.call(client.request, "GET", "/files")
    assert server.last.url.query == b"tenant=t1&limit=5"


def test_extra_body_is_merged_last(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(
        client.request,
        "POST",
        "/chat/completions",
        body={"model": "m", "temperature": 1},
        extra_body={"temperature": 0, "top_k": 5, "nested": {"x": [1]}},
    )

    assert orjson.loads(server.last.content) == {
        "model": "m",
        "temperature": 0,
        "top_k": 5,
        "nested": {"x": [1]},
    }


def test_extra_body_without_a_body_sends_json(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(client.request, "POST", "/thing", extra_body={"x": 1})

    assert server.last.content == b'{"x":1}'
    assert server.last.headers["Content-Type"] == "application/json"


def test_extra_body_with_a_bytes_body_is_a_type_error(both: Any) -> None:
    server = Server()
    client = both.client(server)

    with pytest.raises(TypeError, match="extra_body cannot be merged into a bytes body"):
        both.call(client.request, "POST", "/thing", body=b"raw", extra_body={"x": 1})
    assert server.requests == []


def test_per_call_max_retries(both: Any) -> None:
    server = Server(Reply(500))
    client = both.client(server, retry=NO_SLEEP)

    with pytest.raises(InternalServerError):
        both.call(client.request, "GET", "/models", max_retries=0)
    assert len(server.requests) == 1

    server.requests.clear()
    with pytest.raises(InternalServerError):
        both.call(client.request, "GET", "/models", max_retries=4)
    assert len(server.requests) == 5

    server.requests.clear()
    with pytest.raises(InternalServerError):
        both.call(client.request, "GET", "/models")
    assert len(server.requests) == 3


def test_idempotency_key_is_the_same_on_every_attempt(both: Any) -> None:
    server = Server(Reply(503), Reply(502), Reply(200))
    client = both.client(server, retry=NO_SLEEP)

    both.call(
        client.request, "POST", "/batches", body={"input_file_id": "f"}, idempotency_key="key-1"
    )

    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["key-1"] * 3


def test_an_automatic_idempotency_key_unless_asked(both: Any) -> None:
    # Issue 15 item 6: a retried POST must be recognisable as a repeat, so every call that is
    # not GET, HEAD or OPTIONS carries a fresh key of its own (once this test said "none").
    server = Server()
    client = both.client(server)

    both.call(client.request, "POST", "/batches", body={})
    first = server.last.headers["Idempotency-Key"]
    both.call(client.request, "POST", "/batches", body={})
    both.call(client.request, "GET", "/batches")

    assert re.fullmatch(r"byot-retry-[0-9a-f]{32}", first)
    assert server.requests[1].headers["Idempotency-Key"] != first
    assert "Idempotency-Key" not in server.last.headers


def test_path_option_replaces_the_path(both: Any) -> None:
    server = Server()
    client = both.client(server)

    both.call(
        client.request,
        "POST",
        "/chat/completions",
        body={"model": "m"},
        path="/providers/{name}/chat",
        path_params={"name": "a b"},
    )

    assert server.last.url.raw_path == b"/v1/providers/a%20b/chat"
    assert server.last.method == "POST"


# ----------------------------------------------------------------------------- with_options


def test_with_options_shares_the_connection_and_merges_settings(both: Any) -> None:
    server = Server(Reply(500))
    client = both.client(
        server, default_headers={"x-a": "1"}, default_query={"q": "1"}, retry=NO_SLEEP
    )

    copy = client.with_options(
        timeout=7, max_retries=0, default_headers={"x-b": "2"}, default_query={"r": "2"}
    )

    assert type(copy) is type(client)
    assert copy._connection is client._connection
    assert copy.timeout == byot.Timeout(7)
    assert copy.retry.max_retries == 0
    assert copy.retry.sleep is False  # the rest of the policy is kept
    assert client.retry.max_retries == 2
    assert client.timeout == byot.Timeout(600, connect=5)

    with pytest.raises(InternalServerError):
        both.call(copy.request, "GET", "/models")
    assert len(server.requests) == 1
    request = server.last
    assert request.headers["x-a"] == "1"
    assert request.headers["x-b"] == "2"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.url.query == b"q=1&r=2"
    assert request.extensions["timeout"] == {
        "connect": 7.0,
        "read": 7.0,
        "write": 7.0,
        "pool": 7.0,
    }

    server.requests.clear()
    with pytest.raises(InternalServerError):
        both.call(client.request, "GET", "/models")
    assert len(server.requests) == 3
    assert "x-b" not in server.last.headers
    assert server.last.url.query == b"q=1"
    assert server.last.extensions["timeout"]["read"] == 600.0


def test_with_options_keeps_the_timeout_unless_given(both: Any) -> None:
    server = Server()
    client = both.client(server, timeout=byot.Timeout(20, connect=1))

    kept = client.with_options(max_retries=1)
    cleared = client.with_options(timeout=None)

    assert kept.timeout == byot.Timeout(20, connect=1)
    assert cleared.timeout == byot.Timeout(None)
    both.call(cleared.request, "GET", "/models")
    assert server.timeout == {"connect": None, "read": None, "write": None, "pool": None}


def test_with_options_retry_policy(both: Any) -> None:
    events: list[int] = []
    server = Server(Reply(500))
    client = both.client(server, retry=NO_SLEEP)

    copy = client.with_options(
        retry=byot.RetryPolicy(max_retries=1, sleep=False, on_retry=lambda e: events.append(1))
    )

    with pytest.raises(InternalServerError):
        both.call(copy.request, "GET", "/models")
    assert len(server.requests) == 2
    assert events == [1]


def test_with_options_api_key_changes_authorization(both: Any) -> None:
    server = Server()
    client = both.client(server, organization="org-1")

    copy = client.with_options(api_key="sk-other")
    both.call(copy.request, "GET", "/models")
    assert server.last.headers["Authorization"] == "Bearer sk-other"
    assert server.last.headers["OpenAI-Organization"] == "org-1"  # the rest is kept

    both.call(client.request, "GET", "/models")
    assert server.last.headers["Authorization"] == "Bearer sk-test"
    assert copy._connection is client._connection


def test_with_options_base_url_organization_and_project(both: Any) -> None:
    server = Server()
    client = both.client(server)

    copy = client.with_options(
        base_url="http://other.local/v2/", organization="org-2", project="proj-2"
    )
    both.call(copy.request, "GET", "/models")

    assert copy.base_url == "http://other.local/v2"
    assert client.base_url == BASE
    assert str(server.last.url) == "http://other.local/v2/models"
    assert server.last.headers["OpenAI-Organization"] == "org-2"
    assert server.last.headers["OpenAI-Project"] == "proj-2"
    assert server.last.headers["Authorization"] == "Bearer sk-test"


def test_with_options_on_an_azure_client(both: Any) -> None:
    server = Server()
    config = byot.AzureConfig(
        "https://res.openai.azure.com", deployment="d", api_version="v", api_key="k"
    )
    client = both.client(server, config=config, api_key=None, base_url=None)

    with pytest.raises(TypeError, match="cannot change api_key/base_url/organization/project"):
        client.with_options(api_key="other")
    with pytest.raises(TypeError, match="of a AzureConfig: pass config= instead"):
        client.with_options(base_url="https://x")

    other = byot.AzureConfig(
        "https://other.openai.azure.com", deployment="e", api_version="v", api_key="k2"
    )
    copy = client.with_options(config=other)
    both.call(copy.request, "POST", "/chat/completions", body={})
    assert str(server.last.url) == (
        "https://other.openai.azure.com/openai/deployments/e/chat/completions?api-version=v"
    )
    assert server.last.headers["api-key"] == "k2"
    assert copy.config is other


def test_with_options_config_and_api_key_is_a_type_error(both: Any) -> None:
    client = both.client(Server())

    with pytest.raises(TypeError, match="pass either config= or api_key="):
        client.with_options(config=byot.OpenAIConfig(api_key="a"), api_key="b")


# ----------------------------------------------------------------------------- life cycle


class RecordingTransport(httpx.MockTransport):
    """A mock transport that counts how often it is closed."""

    def __init__(self, handler: Any) -> None:
        super().__init__(handler)
        self.closes = 0

    def close(self) -> None:
        self.closes += 1

    async def aclose(self) -> None:
        self.closes += 1


def test_closing_the_client_closes_the_transport(both: Any) -> None:
    transport = RecordingTransport(Server())
    client = both.client(transport=transport)
    copy = client.with_options(max_retries=0)
    both.call(client.request, "GET", "/models")

    assert client.is_closed is False
    close(both, client)

    assert transport.closes == 1
    assert client.is_closed is True
    assert copy.is_closed is True  # the pool is shared


def test_sync_context_manager_closes() -> None:
    server = Server()
    transport = RecordingTransport(server)

    with byot.Client(base_url=BASE, api_key="sk-test", transport=transport) as client:
        assert isinstance(client, byot.Client)
        assert client.request("GET", "/models") == {}
        assert client.is_closed is False

    assert client.is_closed is True
    assert transport.closes == 1
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_async_context_manager_closes() -> None:
    server = Server()
    transport = RecordingTransport(server)

    async with byot.AsyncClient(base_url=BASE, api_key="sk-test", transport=transport) as client:
        assert isinstance(client, byot.AsyncClient)
        assert await client.request("GET", "/models") == {}
        assert client.is_closed is False

    assert client.is_closed is True
    assert transport.closes == 1
    assert len(server.requests) == 1


def test_context_manager_closes_on_error() -> None:
    transport = RecordingTransport(Server())

    with (
        pytest.raises(RuntimeError, match="boom"),
        byot.Client(base_url=BASE, api_key="sk-test", transport=transport),
    ):
        raise RuntimeError("boom")

    assert transport.closes == 1


# ----------------------------------------------------------------------------- http_client=


def http_client(both: Any, server: Server, **kwargs: Any) -> Any:
    cls = httpx.AsyncClient if both.is_async else httpx.Client
    return cls(transport=httpx.MockTransport(server), **kwargs)


def test_http_client_headers_and_ours_are_sent(both: Any) -> None:
    server = Server()
    injected = http_client(both, server, headers={"x-user": "1"})
    client = both.client(http_client=injected, organization="org-1")

    both.call(client.request, "POST", "/chat/completions", body={"m": 1}, query={"a": "b"})

    request = server.last
    assert str(request.url) == f"{BASE}/chat/completions?a=b"
    assert request.headers["x-user"] == "1"
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.headers["OpenAI-Organization"] == "org-1"
    assert request.headers["User-Agent"].startswith("byot/")
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Content-Type"] == "application/json"
    assert request.content == b'{"m":1}'


def test_http_client_timeout_is_adopted(both: Any) -> None:
    server = Server()
    injected = http_client(both, server, timeout=httpx.Timeout(7, connect=3))
    client = both.client(http_client=injected)

    both.call(client.request, "GET", "/models")

    assert client.timeout == byot.Timeout(7, connect=3)
    assert server.timeout == {"connect": 3.0, "read": 7.0, "write": 7.0, "pool": 7.0}


def test_http_client_default_timeout_keeps_byots_default(both: Any) -> None:
    # httpx's own default (5 s for every phase) is not a choice the caller made: a 5 s read
    # timeout would cut off most completions, so byot's default (600 s) applies, as in the SDK.
    server = Server()
    injected = http_client(both, server)
    client = both.client(http_client=injected)

    both.call(client.request, "GET", "/models")

    assert client.timeout == byot.Timeout(600, connect=5)
    assert server.timeout == {"connect": 5.0, "read": 600.0, "write": 600.0, "pool": 600.0}


def test_explicit_timeout_wins_over_the_http_clients(both: Any) -> None:
    server = Server()
    injected = http_client(both, server, timeout=httpx.Timeout(7))
    client = both.client(http_client=injected, timeout=byot.Timeout(40, connect=4))

    both.call(client.request, "GET", "/models", max_retries=0)
    assert server.timeout == {"connect": 4.0, "read": 40.0, "write": 40.0, "pool": 40.0}

    both.call(client.request, "GET", "/models", timeout=2)
    assert server.timeout == {"connect": 2.0, "read": 2.0, "write": 2.0, "pool": 2.0}


def test_http_client_is_closed_with_the_client(both: Any) -> None:
    injected = http_client(both, Server())
    client = both.client(http_client=injected)

    close(both, client)

    assert injected.is_closed is True
    assert client.is_closed is True


def test_http_client_retries(both: Any) -> None:
    server = Server(Reply(503), Reply(200, b'{"ok":1}'))
    client = both.client(http_client=http_client(both, server), retry=NO_SLEEP)

    assert both.call(client.request, "GET", "/models") == {"ok": 1}
    assert len(server.requests) == 2


def test_transport_and_http_client_together_is_a_type_error(both: Any) -> None:
    server = Server()
    injected = http_client(both, server)

    with pytest.raises(TypeError, match="pass transport= or http_client=, not both"):
        both.client(server, http_client=injected)
    both.run(injected.aclose() if both.is_async else injected.close())


# ----------------------------------------------------------------------------- construction


def test_config_with_api_key_is_a_type_error(both: Any) -> None:
    config = byot.OpenAIConfig(api_key="a", base_url=BASE)

    with pytest.raises(TypeError, match="pass either config= or api_key="):
        both.client(Server(), config=config, base_url=None)
    with pytest.raises(TypeError, match="pass either config= or api_key="):
        both.client(Server(), config=config, api_key=None, base_url=None, organization="o")


def test_no_key_for_openai_is_a_config_error(both: Any) -> None:
    cls = byot.AsyncClient if both.is_async else byot.Client

    with pytest.raises(ConfigError, match=r"no API key for api\.openai\.com"):
        cls()
    with pytest.raises(ConfigError, match=r"no API key for api\.openai\.com"):
        cls(base_url="https://api.openai.com/v1/")
    assert issubclass(ConfigError, ValueError)


def test_openai_default_base_url(both: Any) -> None:
    server = Server()
    client = both.client(server, base_url=None)

    both.call(client.request, "GET", "/models")

    assert client.base_url == "https://api.openai.com/v1"
    assert str(server.last.url) == "https://api.openai.com/v1/models"


def test_keyless_local_client_sends_no_authorization(both: Any) -> None:
    server = Server()
    client = both.client(server, api_key=None, base_url="http://localhost:11434/v1")

    both.call(client.request, "POST", "/chat/completions", body={"model": "llama3"})

    assert str(server.last.url) == "http://localhost:11434/v1/chat/completions"
    assert "Authorization" not in server.last.headers
    assert server.last.headers["User-Agent"].startswith("byot/")
    assert client.config.has_api_key is False


def test_client_properties(both: Any) -> None:
    policy = byot.RetryPolicy(max_retries=5, sleep=False)
    client = both.client(Server(), retry=policy)

    assert isinstance(client.config, byot.OpenAIConfig)
    assert isinstance(client.config, byot.Config)
    assert client.base_url == BASE
    assert client.retry == policy
    assert client.is_closed is False
    assert both.client(Server(), retry=policy, max_retries=1).retry.max_retries == 1
    assert both.client(Server(), max_retries=0).retry == byot.RetryPolicy(max_retries=0)


def test_invalid_max_retries_is_refused(both: Any) -> None:
    with pytest.raises(ValueError, match="max_retries must be >= 0, got -1"):
        both.client(Server(), max_retries=-1)
    with pytest.raises(TypeError, match="max_retries must be an int >= 0, got True"):
        both.client(Server(), max_retries=True)


def test_invalid_retry_policies_are_refused() -> None:
    with pytest.raises(ValueError, match="initial_delay must be a number of seconds >= 0"):
        byot.RetryPolicy(initial_delay=-1)
    with pytest.raises(ValueError, match="max_retry_after must be a number of seconds >= 0"):
        byot.RetryPolicy(max_retry_after=float("nan"))
    with pytest.raises(ValueError, match="jitter must be between 0 and 1, got 2"):
        byot.RetryPolicy(jitter=2)
    with pytest.raises(TypeError, match=r"max_retries must be an int >= 0, got 1\.5"):
        byot.RetryPolicy(max_retries=1.5)  # type: ignore[arg-type]


def test_azure_configs_need_an_endpoint_and_credentials() -> None:
    with pytest.raises(ConfigError, match="no Azure endpoint"):
        byot.AzureConfig(api_key="k", api_version="v")
    with pytest.raises(ConfigError, match="no Azure credentials"):
        byot.AzureConfig("https://r.openai.azure.com", api_version="v")
    with pytest.raises(ConfigError, match="no Azure API version"):
        byot.AzureConfig("https://r.openai.azure.com", api_key="k")
    with pytest.raises(ConfigError, match="no Azure credentials"):
        byot.AzureV1Config("https://r.openai.azure.com")


# ----------------------------------------------------------------------------- default pool


def test_default_transport_is_an_httpx_pool(both: Any) -> None:
    client = both.client(base_url="https://api.example.com/v1")
    transport = client._connection.transport

    expected = httpx.AsyncHTTPTransport if both.is_async else httpx.HTTPTransport
    assert type(transport) is expected
    assert client._connection.http_client is None
    assert type(transport._pool).__name__ == (
        "AsyncConnectionPool" if both.is_async else "ConnectionPool"
    )
    close(both, client)
    assert client.is_closed is True


def test_default_transport_uses_the_environments_proxy(
    both: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.local:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    proxied = both.client(base_url="https://api.example.com/v1")
    bypassed = both.client(base_url="https://internal.example/v1")
    plain = both.client(base_url="http://plain.example/v1")

    prefix = "Async" if both.is_async else ""
    assert type(proxied._connection.transport._pool).__name__ == f"{prefix}HTTPProxy"
    assert type(bypassed._connection.transport._pool).__name__ == f"{prefix}ConnectionPool"
    assert type(plain._connection.transport._pool).__name__ == f"{prefix}ConnectionPool"
