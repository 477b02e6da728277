"""Provider presets: OpenAI (and anything OpenAI-compatible), Azure classic and Azure v1.

Each preset meets the `byot.protocols.Config` Protocol. Arguments not given fall back to the
environment variables the official SDK reads, so code and deployments port unchanged. A value
read from the environment has its surrounding whitespace stripped (a key pasted into a `.env`
file often ends in a space or newline); a value passed as an argument is taken as written, and
a key with whitespace or a control character in it is refused (`byot._headers.check_header`).
A base URL or endpoint with a user name or password in it (`https://user:pass@host`) is
refused: byot would not send them, and keeps them out of every message.
"""

from __future__ import annotations

import copy as copy_module
import os
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from byot._credentials import with_scheme
from byot._headers import check_header
from byot._override import override
from byot._url import check_no_userinfo
from byot.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typing_extensions import Self

    from byot._signatures import AsyncKeyTypes

OPENAI_BASE_URL = "https://api.openai.com/v1"

# Azure classic routes these under /openai/deployments/{deployment}; the rest (files,
# batches, fine-tuning, ...) live directly under /openai.
_AZURE_DEPLOYMENT_PATHS = frozenset(
    {
        "/completions",
        "/chat/completions",
        "/embeddings",
        "/audio/transcriptions",
        "/audio/translations",
        "/audio/speech",
        "/images/generations",
        "/images/edits",
    }
)


def _env(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def environment_headers() -> dict[str, str]:
    """The headers of `OPENAI_CUSTOM_HEADERS`: one `Name: value` a line, as the official SDK reads.

    Name and value are stripped of surrounding whitespace; blank lines are skipped.

    Raises:
        ConfigError: A line has no colon, or a header cannot be sent (the message gives the
            line's number and the header's name, never a value).
    """
    text = _env("OPENAI_CUSTOM_HEADERS")
    headers: dict[str, str] = {}
    for number, line in enumerate((text or "").split("\n"), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise ConfigError(
                f"OPENAI_CUSTOM_HEADERS line {number} has no colon: write one `Name: value` a line"
            )
        name, value = name.strip(), value.strip()
        try:
            check_header(name, value)
        except ConfigError as exc:
            raise ConfigError(f"OPENAI_CUSTOM_HEADERS line {number}: {exc}") from None
        headers[name] = value
    return headers


def join_url(base_url: str, path: str) -> str:
    """`base_url` + `path`, or `path` itself when it is already an absolute URL."""
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        path = "/" + path
    return base_url + path


class OpenAIConfig:
    """OpenAI, or any OpenAI-compatible provider reached by a base URL.

    Falls back to `OPENAI_API_KEY` (then `OPENAI_ADMIN_KEY`), `OPENAI_BASE_URL`,
    `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`. No key is needed for keyless servers (Ollama,
    vLLM, llama.cpp): with no key, no `Authorization` header is sent. Only the official
    endpoint, which always needs one, refuses to be configured without a key.

    Args:
        api_key: The API key, or a function (sync, or async for an `AsyncClient`) that gives
            it before each attempt, for a token that expires.
        base_url: The API's base URL, e.g. `http://localhost:11434/v1` for Ollama.
        organization: Sent as `OpenAI-Organization`.
        project: Sent as `OpenAI-Project`.
        auth_header: The header that carries the key (`api-key` for Azure).
        auth_scheme: The scheme before the key (`Bearer`), or None for the bare key.
        headers: More headers for every request.
        query: Query parameters for every request.
        admin_api_key: The key for the admin API (`client.admin...`), default
            `OPENAI_ADMIN_KEY`; without one, admin calls use `api_key`.

    Raises:
        ConfigError: No API key for the official OpenAI endpoint.
    """

    def __init__(
        self,
        *,
        api_key: AsyncKeyTypes | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        auth_header: str = "Authorization",
        auth_scheme: str | None = "Bearer",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        admin_api_key: str | None = None,
    ) -> None:
        self._admin_api_key = admin_api_key or _env("OPENAI_ADMIN_KEY")
        self._api_key = api_key or _env("OPENAI_API_KEY") or self._admin_api_key
        url = (base_url or _env("OPENAI_BASE_URL") or OPENAI_BASE_URL).rstrip("/")
        self._base_url = check_no_userinfo(url, "base_url")
        self.organization = organization or _env("OPENAI_ORG_ID")
        self.project = project or _env("OPENAI_PROJECT_ID")
        self._auth_header = auth_header
        self._auth_scheme = auth_scheme
        self._headers = dict(headers or {})
        self._query = dict(query or {})
        self._check_key()

    def _check_key(self) -> None:
        if self._api_key is None and urlsplit(self._base_url).hostname == "api.openai.com":
            raise ConfigError(
                "no API key for api.openai.com: pass api_key= or set OPENAI_API_KEY "
                "(a keyless local server such as Ollama or vLLM needs only base_url=)"
            )

    def replace(
        self,
        *,
        api_key: AsyncKeyTypes | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
    ) -> Self:
        """A copy with the given settings changed and every other one kept."""
        copy = copy_module.copy(self)
        if api_key is not None:
            copy._api_key = api_key
        if base_url is not None:
            copy._base_url = check_no_userinfo(base_url.rstrip("/"), "base_url")
        if organization is not None:
            copy.organization = organization
        if project is not None:
            copy.project = project
        copy._check_key()
        return copy

    @property
    def base_url(self) -> str:
        """The base URL, without a trailing slash."""
        return self._base_url

    @property
    def has_api_key(self) -> bool:
        """Whether a key is configured (the key itself is never exposed by byot)."""
        return self._api_key is not None

    def headers(self) -> dict[str, AsyncKeyTypes]:
        """Authentication, organization and project headers, then the extra headers.

        The authentication header's value is a function when the key is one.
        """
        out = self._auth(self._api_key)
        if self.organization:
            out["OpenAI-Organization"] = self.organization
        if self.project:
            out["OpenAI-Project"] = self.project
        out.update(self._headers)
        return out

    def admin_headers(self) -> dict[str, AsyncKeyTypes]:
        """The authentication header for admin operations, when an admin key is configured."""
        return self._auth(self._admin_api_key)

    def _auth(self, key: AsyncKeyTypes | None) -> dict[str, AsyncKeyTypes]:
        if key is None:
            return {}
        return {self._auth_header: with_scheme(self._auth_scheme, key)}

    def query(self) -> dict[str, str]:
        """The extra query parameters."""
        return dict(self._query)

    def url(self, path: str) -> str:
        """The base URL joined with an API path."""
        return join_url(self._base_url, path)

    @override
    def __repr__(self) -> str:
        key = "<set>" if self._api_key is not None else None
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, api_key={key}, "
            f"organization={self.organization!r}, project={self.project!r})"
        )


class AzureV1Config(OpenAIConfig):
    """Azure OpenAI's v1 API: `{endpoint}/openai/v1`, no deployment in the path, no api-version.

    The model field of the body names the deployment. Falls back to `AZURE_OPENAI_ENDPOINT`
    and `AZURE_OPENAI_API_KEY` (or `AZURE_OPENAI_AD_TOKEN` for a Microsoft Entra ID token).

    Args:
        endpoint: The resource endpoint, e.g. `https://my-resource.openai.azure.com`.
        api_key: The resource key, sent as `api-key`.
        ad_token: An Entra ID token, sent as `Authorization: Bearer`, instead of a key; or
            a token provider, a function (sync, or async for an `AsyncClient`) called before
            each attempt for a fresh token.
        headers: More headers for every request.
        query: Query parameters for every request.

    Raises:
        ConfigError: No endpoint, or neither a key nor a token.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        api_key: AsyncKeyTypes | None = None,
        ad_token: AsyncKeyTypes | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> None:
        endpoint, api_key, ad_token = _azure_credentials(endpoint, api_key, ad_token)
        super().__init__(
            api_key=api_key or ad_token,
            base_url=f"{endpoint}/openai/v1",
            auth_header="api-key" if api_key else "Authorization",
            auth_scheme=None if api_key else "Bearer",
            headers=headers,
            query=query,
        )


def _azure_credentials(
    endpoint: str | None, api_key: AsyncKeyTypes | None, ad_token: AsyncKeyTypes | None
) -> tuple[str, AsyncKeyTypes | None, AsyncKeyTypes | None]:
    endpoint = endpoint or _env("AZURE_OPENAI_ENDPOINT")
    if not endpoint:
        raise ConfigError("no Azure endpoint: pass endpoint= or set AZURE_OPENAI_ENDPOINT")
    api_key = api_key or (None if ad_token else _env("AZURE_OPENAI_API_KEY"))
    ad_token = ad_token or (None if api_key else _env("AZURE_OPENAI_AD_TOKEN"))
    if not api_key and not ad_token:
        raise ConfigError(
            "no Azure credentials: pass api_key= or ad_token=, or set AZURE_OPENAI_API_KEY"
        )
    return check_no_userinfo(endpoint.rstrip("/"), "endpoint"), api_key, ad_token


class AzureConfig:
    """Azure OpenAI's classic API: deployments in the path and an `api-version` query.

    Model calls (chat, completions, embeddings, audio, images) go to
    `{endpoint}/openai/deployments/{deployment}/...`; the others (files, batches,
    fine-tuning, ...) to `{endpoint}/openai/...`. Every request carries
    `?api-version=...`. Falls back to `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY`,
    `AZURE_OPENAI_AD_TOKEN` and `OPENAI_API_VERSION`.

    Args:
        endpoint: The resource endpoint, e.g. `https://my-resource.openai.azure.com`.
        deployment: The deployment that model calls go to.
        api_version: The API version, e.g. `2024-10-21`.
        api_key: The resource key, sent as `api-key`.
        ad_token: An Entra ID token, sent as `Authorization: Bearer`, instead of a key; or
            a token provider, a function (sync, or async for an `AsyncClient`) called before
            each attempt for a fresh token.
        headers: More headers for every request.

    Raises:
        ConfigError: No endpoint, no API version, or neither a key nor a token.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        deployment: str | None = None,
        api_version: str | None = None,
        api_key: AsyncKeyTypes | None = None,
        ad_token: AsyncKeyTypes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._endpoint, self._api_key, self._ad_token = _azure_credentials(
            endpoint, api_key, ad_token
        )
        self.deployment = deployment
        version = api_version or _env("OPENAI_API_VERSION")
        if not version:
            raise ConfigError("no Azure API version: pass api_version= or set OPENAI_API_VERSION")
        self.api_version = version
        self._headers = dict(headers or {})
        self._deployment_base = (
            f"{self._endpoint}/openai/deployments/{quote(deployment, safe='')}"
            if deployment
            else None
        )

    @property
    def base_url(self) -> str:
        """`{endpoint}/openai`."""
        return f"{self._endpoint}/openai"

    def headers(self) -> dict[str, AsyncKeyTypes]:
        """`api-key` (or a bearer token), then the extra headers.

        The value is a function when the key or token is one.
        """
        out: dict[str, AsyncKeyTypes]
        if self._api_key:
            out = {"api-key": self._api_key}
        else:
            assert self._ad_token is not None  # noqa: S101 - _azure_credentials saw to it
            out = {"Authorization": with_scheme("Bearer", self._ad_token)}
        out.update(self._headers)
        return out

    def query(self) -> dict[str, str]:
        """`{"api-version": ...}`."""
        return {"api-version": self.api_version}

    def url(self, path: str) -> str:
        """The deployment URL for model calls, the resource URL for everything else."""
        if not path.startswith(("/", "http://", "https://")):
            path = "/" + path
        if self._deployment_base is not None and path in _AZURE_DEPLOYMENT_PATHS:
            return self._deployment_base + path
        return join_url(self.base_url, path)

    @override
    def __repr__(self) -> str:
        return (
            f"AzureConfig(endpoint={self._endpoint!r}, deployment={self.deployment!r}, "
            f"api_version={self.api_version!r}, credentials=<set>)"
        )
