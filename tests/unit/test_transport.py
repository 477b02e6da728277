"""The default pools: one shared SSL context, and the proxy the environment asks for."""

from __future__ import annotations

import httpx
import pytest

from byot import _transport
from byot._url import redact_url


def test_ssl_context_is_built_once() -> None:
    assert _transport.ssl_context() is _transport.ssl_context()


def test_no_proxy_by_default() -> None:
    assert _transport.env_proxy("https://api.openai.com/v1") is None


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({"HTTPS_PROXY": "http://proxy:3128"}, "https://api.openai.com/v1", "http://proxy:3128"),
        ({"HTTPS_PROXY": "http://proxy:3128"}, "http://localhost:11434/v1", None),
        ({"HTTP_PROXY": "http://proxy:3128"}, "http://models.internal/v1", "http://proxy:3128"),
        ({"ALL_PROXY": "http://all:1"}, "https://api.groq.com/openai/v1", "http://all:1"),
        (
            {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "api.openai.com"},
            "https://api.openai.com/v1",
            None,
        ),
        ({"HTTPS_PROXY": "http://proxy:3128"}, "https:///no-host", None),
    ],
)
def test_env_proxy(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str, expected: str | None
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _transport.env_proxy(url) == expected


def test_default_transports_use_the_shared_pool_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy:3128")
    sync = _transport.sync_transport("https://api.openai.com/v1")
    assert isinstance(sync, httpx.HTTPTransport)
    # The proxy is configured: httpcore's pool is an HTTPProxy rather than a ConnectionPool.
    assert type(sync._pool).__name__ == "HTTPProxy"
    sync.close()
    plain = _transport.async_transport("https://api.openai.com/v1")
    assert isinstance(plain, httpx.AsyncHTTPTransport)
    assert type(plain._pool).__name__ == "AsyncHTTPProxy"
    monkeypatch.delenv("HTTPS_PROXY")
    direct = _transport.sync_transport("https://api.openai.com/v1")
    assert type(direct._pool).__name__ == "ConnectionPool"
    assert direct._pool._max_connections == 1000
    direct.close()


def test_a_url_in_a_message_hides_its_user_and_password() -> None:
    url = httpx.URL("http://user:hunter2@h:8/v1/x?api_key=k&limit=2")
    assert redact_url(url) == "http://***@h:8/v1/x?api_key=***&limit=2"
