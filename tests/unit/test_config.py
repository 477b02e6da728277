"""Provider presets: URLs, auth headers, environment fallbacks and the errors they refuse with.

The autouse `clean_env` fixture (tests/conftest.py) removes every OPENAI_* and AZURE_OPENAI_*
variable first, so each test sets exactly the environment it names.
"""

from __future__ import annotations

from typing import Any

import pytest

import byot
from byot._config import OPENAI_BASE_URL, AzureConfig, AzureV1Config, OpenAIConfig, join_url
from byot.errors import ConfigError

ENDPOINT = "https://res.openai.azure.com"

# ----------------------------------------------------------------------------- OpenAIConfig


def test_openai_defaults() -> None:
    config = OpenAIConfig(api_key="sk-a")
    assert config.base_url == OPENAI_BASE_URL == "https://api.openai.com/v1"
    assert config.headers() == {"Authorization": "Bearer sk-a"}
    assert config.query() == {}
    assert config.has_api_key
    assert (config.organization, config.project) == (None, None)


@pytest.mark.parametrize(
    ("env", "kwargs", "auth"),
    [
        pytest.param({"OPENAI_API_KEY": "sk-env"}, {}, "Bearer sk-env", id="api-key"),
        pytest.param({"OPENAI_ADMIN_KEY": "sk-admin"}, {}, "Bearer sk-admin", id="admin-key"),
        pytest.param(
            {"OPENAI_API_KEY": "sk-env", "OPENAI_ADMIN_KEY": "sk-admin"},
            {},
            "Bearer sk-env",
            id="api-key-before-admin-key",
        ),
        pytest.param(
            {"OPENAI_API_KEY": "sk-env"}, {"api_key": "sk-arg"}, "Bearer sk-arg", id="argument-wins"
        ),
        pytest.param(
            {"OPENAI_API_KEY": "", "OPENAI_ADMIN_KEY": "sk-admin"},
            {},
            "Bearer sk-admin",
            id="empty-variable-is-unset",
        ),
    ],
)
def test_openai_key_from_env(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], kwargs: dict[str, Any], auth: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert OpenAIConfig(**kwargs).headers()["Authorization"] == auth


def test_openai_other_settings_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1/")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-1")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-1")
    config = OpenAIConfig()
    assert config.base_url == "http://localhost:8000/v1"
    assert config.headers() == {"OpenAI-Organization": "org-1", "OpenAI-Project": "proj-1"}


def test_openai_arguments_beat_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env/v1")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-env")
    config = OpenAIConfig(base_url="http://arg/v1", organization="org-arg", project="proj-arg")
    assert config.base_url == "http://arg/v1"
    assert config.headers() == {"OpenAI-Organization": "org-arg", "OpenAI-Project": "proj-arg"}


def test_keyless_local_server_sends_no_authorization() -> None:
    config = OpenAIConfig(base_url="http://localhost:11434/v1")
    assert config.headers() == {}
    assert not config.has_api_key


@pytest.mark.parametrize(
    "base_url",
    [None, "https://api.openai.com/v1", "https://API.OPENAI.COM/v1/", "https://api.openai.com"],
)
def test_official_endpoint_needs_a_key(base_url: str | None) -> None:
    with pytest.raises(ConfigError, match=r"no API key for api\.openai\.com"):
        OpenAIConfig(base_url=base_url)


def test_custom_auth_header_and_bare_key() -> None:
    config = OpenAIConfig(
        api_key="k", base_url="https://gw.example/v1", auth_header="x-api-key", auth_scheme=None
    )
    assert config.headers() == {"x-api-key": "k"}


def test_extra_headers_and_query() -> None:
    config = OpenAIConfig(
        api_key="k",
        base_url="https://gw.example/v1",
        organization="org",
        headers={"X-Trace": "1", "Authorization": "Custom token"},
        query={"tenant": "t1"},
    )
    # Extra headers come last and so win over the computed ones.
    assert config.headers() == {
        "Authorization": "Custom token",
        "OpenAI-Organization": "org",
        "X-Trace": "1",
    }
    query = config.query()
    assert query == {"tenant": "t1"}
    query["tenant"] = "changed"  # a copy: the caller cannot change the config through it
    assert config.query() == {"tenant": "t1"}


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/chat/completions", "http://h/v1/chat/completions"),
        ("models", "http://h/v1/models"),
        ("https://other.example/v2/x", "https://other.example/v2/x"),
        ("http://other.example/x", "http://other.example/x"),
    ],
)
def test_openai_url(path: str, url: str) -> None:
    assert OpenAIConfig(base_url="http://h/v1///").url(path) == url


def test_join_url() -> None:
    assert join_url("http://h/v1", "files") == "http://h/v1/files"
    assert join_url("http://h/v1", "/files") == "http://h/v1/files"


@pytest.mark.parametrize(
    ("config", "text"),
    [
        (
            OpenAIConfig(api_key="sk-secret-123"),
            "OpenAIConfig(base_url='https://api.openai.com/v1', api_key=<set>, "
            "organization=None, project=None)",
        ),
        (
            OpenAIConfig(base_url="http://h/v1", organization="o", project="p"),
            "OpenAIConfig(base_url='http://h/v1', api_key=None, organization='o', project='p')",
        ),
        (
            AzureV1Config(ENDPOINT, api_key="sk-secret-123"),
            f"AzureV1Config(base_url='{ENDPOINT}/openai/v1', api_key=<set>, "
            "organization=None, project=None)",
        ),
        (
            AzureConfig(ENDPOINT, deployment="d", api_version="v", api_key="sk-secret-123"),
            f"AzureConfig(endpoint='{ENDPOINT}', deployment='d', api_version='v', "
            "credentials=<set>)",
        ),
    ],
)
def test_repr_never_shows_the_key(config: object, text: str) -> None:
    assert repr(config) == text
    assert "secret" not in repr(config)


def test_replace() -> None:
    original = OpenAIConfig(
        api_key="old",
        base_url="http://h/v1",
        organization="o",
        project="p",
        auth_header="x-key",
        auth_scheme=None,
        headers={"X-A": "1"},
        query={"q": "1"},
    )
    changed = original.replace(api_key="new", base_url="http://other/v2/")
    assert type(changed) is OpenAIConfig
    assert changed.base_url == "http://other/v2"
    assert changed.headers() == {
        "x-key": "new",
        "OpenAI-Organization": "o",
        "OpenAI-Project": "p",
        "X-A": "1",
    }
    assert changed.query() == {"q": "1"}
    # The original is untouched.
    assert original.base_url == "http://h/v1"
    assert original.headers()["x-key"] == "old"

    renamed = original.replace(organization="o2", project="p2")
    assert (renamed.organization, renamed.project) == ("o2", "p2")
    assert renamed.headers()["x-key"] == "old"
    assert renamed.base_url == "http://h/v1"


def test_replace_keeps_the_official_endpoint_rule() -> None:
    # The constructor refuses a keyless config for api.openai.com; a copy must not sneak one in.
    keyless = OpenAIConfig(base_url="http://localhost:11434/v1")
    with pytest.raises(ConfigError, match=r"no API key for api\.openai\.com"):
        keyless.replace(base_url="https://api.openai.com/v1")


# ----------------------------------------------------------------------------- AzureConfig


def azure(**kwargs: Any) -> AzureConfig:
    kwargs.setdefault("deployment", "gpt-4o")
    kwargs.setdefault("api_version", "2024-10-21")
    kwargs.setdefault("api_key", "az-key")
    return AzureConfig(ENDPOINT + "/", **kwargs)


@pytest.mark.parametrize(
    ("path", "url"),
    [
        ("/chat/completions", f"{ENDPOINT}/openai/deployments/gpt-4o/chat/completions"),
        ("/completions", f"{ENDPOINT}/openai/deployments/gpt-4o/completions"),
        ("/embeddings", f"{ENDPOINT}/openai/deployments/gpt-4o/embeddings"),
        ("/audio/transcriptions", f"{ENDPOINT}/openai/deployments/gpt-4o/audio/transcriptions"),
        ("/audio/translations", f"{ENDPOINT}/openai/deployments/gpt-4o/audio/translations"),
        ("/audio/speech", f"{ENDPOINT}/openai/deployments/gpt-4o/audio/speech"),
        ("/images/generations", f"{ENDPOINT}/openai/deployments/gpt-4o/images/generations"),
        ("/images/edits", f"{ENDPOINT}/openai/deployments/gpt-4o/images/edits"),
        # Without the leading slash a model path is still a deployment path (as OpenAIConfig
        # accepts "models" for "/models").
        ("chat/completions", f"{ENDPOINT}/openai/deployments/gpt-4o/chat/completions"),
        ("/files", f"{ENDPOINT}/openai/files"),
        ("batches", f"{ENDPOINT}/openai/batches"),
        ("/fine_tuning/jobs", f"{ENDPOINT}/openai/fine_tuning/jobs"),
        ("https://elsewhere/x", "https://elsewhere/x"),
    ],
)
def test_azure_routes(path: str, url: str) -> None:
    assert azure().url(path) == url


def test_azure_without_deployment_routes_everything_under_openai() -> None:
    config = azure(deployment=None)
    assert config.url("/chat/completions") == f"{ENDPOINT}/openai/chat/completions"
    assert config.deployment is None


def test_azure_deployment_is_escaped() -> None:
    config = azure(deployment="my dep/1?x")
    assert config.url("/embeddings") == f"{ENDPOINT}/openai/deployments/my%20dep%2F1%3Fx/embeddings"


def test_azure_members() -> None:
    config = azure(headers={"X-Trace": "1"})
    assert config.base_url == f"{ENDPOINT}/openai"
    assert config.headers() == {"api-key": "az-key", "X-Trace": "1"}
    assert config.query() == {"api-version": "2024-10-21"}
    assert config.api_version == "2024-10-21"


@pytest.mark.parametrize(
    ("env", "kwargs", "headers"),
    [
        pytest.param({}, {"api_key": "k"}, {"api-key": "k"}, id="key"),
        pytest.param({}, {"api_key": None, "ad_token": "t"}, {"Authorization": "Bearer t"}),
        pytest.param({}, {"api_key": "k", "ad_token": "t"}, {"api-key": "k"}, id="key-wins"),
        pytest.param({"AZURE_OPENAI_API_KEY": "ek"}, {"api_key": None}, {"api-key": "ek"}),
        pytest.param(
            {"AZURE_OPENAI_AD_TOKEN": "et"}, {"api_key": None}, {"Authorization": "Bearer et"}
        ),
        pytest.param(
            {"AZURE_OPENAI_API_KEY": "ek", "AZURE_OPENAI_AD_TOKEN": "et"},
            {"api_key": None},
            {"api-key": "ek"},
            id="env-key-before-env-token",
        ),
        pytest.param(
            # An explicit token is not overridden by a key from the environment.
            {"AZURE_OPENAI_API_KEY": "ek"},
            {"api_key": None, "ad_token": "t"},
            {"Authorization": "Bearer t"},
            id="token-argument-beats-env-key",
        ),
        pytest.param(
            {"AZURE_OPENAI_AD_TOKEN": "et"},
            {"api_key": "k"},
            {"api-key": "k"},
            id="key-argument-beats-env-token",
        ),
    ],
)
def test_azure_credentials(
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    kwargs: dict[str, Any],
    headers: dict[str, str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert azure(**kwargs).headers() == headers
    assert AzureV1Config(ENDPOINT, **kwargs).headers() == headers


def test_azure_everything_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", ENDPOINT + "/")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "ek")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01")
    config = AzureConfig(deployment="d")
    assert config.url("/chat/completions") == f"{ENDPOINT}/openai/deployments/d/chat/completions"
    assert config.headers() == {"api-key": "ek"}
    assert config.query() == {"api-version": "2025-01-01"}
    v1 = AzureV1Config()
    assert v1.base_url == f"{ENDPOINT}/openai/v1"
    assert v1.headers() == {"api-key": "ek"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"endpoint": None}, "no Azure endpoint: pass endpoint= or set AZURE_OPENAI_ENDPOINT"),
        ({"endpoint": ""}, "no Azure endpoint"),
        ({"api_key": None}, "no Azure credentials: pass api_key= or ad_token="),
        (
            {"api_version": None},
            "no Azure API version: pass api_version= or set OPENAI_API_VERSION",
        ),
    ],
)
def test_azure_config_errors(kwargs: dict[str, Any], match: str) -> None:
    arguments: dict[str, Any] = {
        "endpoint": ENDPOINT,
        "deployment": "d",
        "api_version": "v",
        "api_key": "k",
        **kwargs,
    }
    with pytest.raises(ConfigError, match=match):
        AzureConfig(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"endpoint": None}, "no Azure endpoint"),
        ({"api_key": None}, "no Azure credentials"),
    ],
)
def test_azure_v1_config_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        AzureV1Config(**{"endpoint": ENDPOINT, "api_key": "k", **kwargs})


# ----------------------------------------------------------------------------- AzureV1Config


def test_azure_v1() -> None:
    config = AzureV1Config(ENDPOINT + "/", api_key="k", headers={"X-A": "1"}, query={"q": "1"})
    assert isinstance(config, OpenAIConfig)
    assert config.base_url == f"{ENDPOINT}/openai/v1"
    assert config.url("/chat/completions") == f"{ENDPOINT}/openai/v1/chat/completions"
    assert config.headers() == {"api-key": "k", "X-A": "1"}
    assert config.query() == {"q": "1"}  # no api-version on the v1 API


def test_azure_v1_with_token() -> None:
    config = AzureV1Config(ENDPOINT, ad_token="tok")
    assert config.headers() == {"Authorization": "Bearer tok"}


# ----------------------------------------------------------------------------- the Protocol


class DuckConfig:
    base_url = "https://gateway.example/v1"

    def headers(self) -> dict[str, str]:
        return {}

    def query(self) -> dict[str, str]:
        return {}

    def url(self, path: str) -> str:
        return self.base_url + path


class NoUrl:
    base_url = "x"

    def headers(self) -> dict[str, str]:
        return {}

    def query(self) -> dict[str, str]:
        return {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (OpenAIConfig(api_key="k"), True),
        (AzureConfig(ENDPOINT, api_version="v", api_key="k"), True),
        (AzureV1Config(ENDPOINT, api_key="k"), True),
        (DuckConfig(), True),
        (NoUrl(), False),
        ("https://api.openai.com/v1", False),
    ],
)
def test_config_protocol(value: object, expected: bool) -> None:
    assert isinstance(value, byot.Config) is expected
