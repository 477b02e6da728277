"""The handshake's URL, headers and time limit, from each kind of client configuration."""

from __future__ import annotations

from typing import Any

import pytest

import byot
from byot import _realtime


def handshake(
    client: Any, model: str | None = "gpt-realtime", **kwargs: Any
) -> _realtime.Handshake:
    found, _events = _realtime.prepare(
        client._settings,
        model,
        event_type=None,
        decoder=None,
        encoder=None,
        validate=None,
        errors="raise",
        headers=kwargs.get("headers"),
        query=kwargs.get("query"),
        timeout=kwargs.get("timeout", "default"),
    )
    return found


def test_openai_bearer_model_and_wss() -> None:
    client = byot.Client(api_key="sk-live", organization="org_1", project="proj_1")
    found = handshake(client)
    assert found.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime"
    headers = dict(found.headers)
    assert headers["authorization"] == "Bearer sk-live"
    assert headers["openai-organization"] == "org_1"
    assert headers["openai-project"] == "proj_1"
    assert headers["user-agent"].startswith("byot/")
    # HTTP content negotiation is left out of a WebSocket upgrade.
    assert "accept" not in headers
    assert "accept-encoding" not in headers
    assert found.open_timeout == 5.0  # the client's connect timeout


def test_plain_http_base_url_becomes_ws_and_client_query_and_headers_carry_over() -> None:
    client = byot.Client(
        base_url="http://localhost:8000/v1",
        default_headers={"X-Team": "a", "Accept": "text/plain"},
        default_query={"tenant": "t1"},
        timeout=byot.Timeout(30, connect=2.5),
    )
    found = handshake(client, headers={"X-Trace": "1"}, query={"voice": "marin", "tenant": None})
    assert found.url == "ws://localhost:8000/v1/realtime?model=gpt-realtime&voice=marin"
    headers = dict(found.headers)
    assert headers["x-team"] == "a"
    assert headers["x-trace"] == "1"
    assert headers["accept"] == "text/plain"  # the caller's own stays
    assert "authorization" not in headers  # a keyless server: no key, no header
    assert found.open_timeout == 2.5


def test_timeout_given_or_none() -> None:
    client = byot.Client(api_key="sk")
    assert handshake(client, timeout=0.25).open_timeout == 0.25
    assert handshake(client, timeout=None).open_timeout is None


def test_azure_v1_with_key_and_with_entra_token() -> None:
    keyed = byot.Client(config=byot.AzureV1Config("https://res.openai.azure.com", api_key="k1"))
    found = handshake(keyed, "my-deployment")
    assert found.url == "wss://res.openai.azure.com/openai/v1/realtime?model=my-deployment"
    assert dict(found.headers)["api-key"] == "k1"
    entra = byot.Client(config=byot.AzureV1Config("https://res.openai.azure.com", ad_token="tok"))
    assert dict(handshake(entra).headers)["authorization"] == "Bearer tok"


def test_azure_classic_deployment_and_api_version() -> None:
    config = byot.AzureConfig(
        "https://res.openai.azure.com",
        deployment="rt-deploy",
        api_version="2025-04-01-preview",
        api_key="k2",
    )
    found = handshake(byot.Client(config=config), "ignored-model")
    assert found.url == (
        "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=rt-deploy"
    )
    assert dict(found.headers)["api-key"] == "k2"
    # Without a configured deployment the model names it, as the official SDK does.
    bare = byot.AzureConfig("https://res.openai.azure.com", api_version="v", ad_token="tok")
    found = handshake(byot.Client(config=bare), "gpt-rt")
    assert found.url.endswith("/openai/realtime?api-version=v&deployment=gpt-rt")
    assert dict(found.headers)["authorization"] == "Bearer tok"


class OwnConfig:
    """A Config of the caller's own, with a URL scheme that is already ws."""

    base_url = "wss://gateway.example/v1"

    def headers(self) -> dict[str, str]:
        return {"X-Gateway-Key": "g"}

    def query(self) -> dict[str, str]:
        return {"key": "secret-in-query"}

    def url(self, path: str) -> str:
        return self.base_url + path


def test_any_config_and_secrets_hidden_in_the_safe_url() -> None:
    found = handshake(byot.Client(config=OwnConfig()), None)
    assert found.url == "wss://gateway.example/v1/realtime?key=secret-in-query"
    assert "secret" not in found.safe_url
    assert dict(found.headers)["x-gateway-key"] == "g"


def test_a_header_that_would_corrupt_the_handshake_is_refused() -> None:
    with pytest.raises(ValueError, match="X-Bad"):
        handshake(byot.Client(api_key="sk"), headers={"X-Bad": "a\r\nb"})


def test_reconnect_delays_grow_and_stay_bounded() -> None:
    policy = _realtime.Reconnect(initial_delay=1.0, max_delay=3.0)
    assert policy.delay(1) == 0.0
    assert 0.75 <= policy.delay(2) <= 1.0
    assert 1.5 <= policy.delay(3) <= 2.0
    assert 2.25 <= policy.delay(10) <= 3.0
