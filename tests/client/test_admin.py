"""Admin operations authenticate with the admin key when one is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

import byot

if TYPE_CHECKING:
    from tests.conftest import Both


def _recorder(seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"object": "list", "data": []})

    return httpx.MockTransport(handler)


def test_admin_calls_use_the_admin_key(both: Both, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin")
    seen: list[httpx.Request] = []
    client = both.client(transport=_recorder(seen), api_key="sk-user")
    both.call(client.admin.users.list, limit=1)
    both.call(client.models.list)
    assert seen[0].url.path == "/v1/organization/users"
    assert seen[0].headers["authorization"] == "Bearer sk-admin"
    assert seen[1].headers["authorization"] == "Bearer sk-user"


def test_admin_calls_fall_back_to_the_api_key(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(transport=_recorder(seen), api_key="sk-user")
    both.call(client.admin.users.list)
    assert seen[0].headers["authorization"] == "Bearer sk-user"


def test_admin_key_alone_serves_every_call(both: Both) -> None:
    seen: list[httpx.Request] = []
    config = byot.OpenAIConfig(base_url="http://test.local/v1", admin_api_key="sk-admin")
    client = both.client(transport=_recorder(seen), config=config, api_key=None, base_url=None)
    both.call(client.models.list)
    both.call(client.admin.projects.list)
    assert [r.headers["authorization"] for r in seen] == ["Bearer sk-admin"] * 2
    assert "sk-admin" not in repr(config)


def test_admin_key_given_to_the_client(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(transport=_recorder(seen), api_key="sk-user", admin_api_key="sk-adm")
    both.call(client.admin.invites.list)
    both.call(client.files.list)
    assert [r.headers["authorization"] for r in seen] == ["Bearer sk-adm", "Bearer sk-user"]
    assert "sk-adm" not in repr(client)


def test_admin_key_with_a_config_is_refused(both: Both) -> None:
    config = byot.OpenAIConfig(base_url="http://test.local/v1", api_key="sk-user")
    with pytest.raises(TypeError, match="admin_api_key="):
        both.client(config=config, api_key=None, base_url=None, admin_api_key="sk-adm")
