"""A Microsoft Entra ID token provider as the key: a fresh token before each attempt.

Entra tokens expire (after about an hour). byot takes a token *provider*, a function, as
`ad_token=` (or `api_key=`), and calls it before every attempt, retries included, so a
long-lived client never sends a stale token. With the Azure SDK the provider is one line:

    from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    provider = get_bearer_token_provider(DefaultAzureCredential(), SCOPE)
    client = byot.Client(config=byot.AzureV1Config(ad_token=provider))

(`azure.identity.aio` gives an async provider, for `byot.AsyncClient`.) This example builds
the same shape without the Azure SDK: `FakeCredential` stands in for the credential, and
`bearer_token_provider` caches its token until five minutes before it expires.

With `AZURE_OPENAI_ENDPOINT` set, it calls Azure OpenAI's v1 API; otherwise any
OpenAI-compatible server at `OPENAI_BASE_URL` (try `byot mock`).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING, NamedTuple

import byot

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from byot.protocols import Config

SCOPE = "https://cognitiveservices.azure.com/.default"
MARGIN = 300  # seconds: a token that expires sooner than this is fetched anew
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello."}]}


class AccessToken(NamedTuple):
    """What `azure.core.credentials.AccessToken` holds."""

    token: str
    expires_on: int  # Unix time


class FakeCredential:
    """Stands in for `DefaultAzureCredential`: each `get_token` issues a new token."""

    def __init__(self, lifetime: int) -> None:
        self.lifetime = lifetime
        self.issued = 0

    def get_token(self, *scopes: str) -> AccessToken:
        """A new token for `scopes`, valid for `lifetime` seconds."""
        del scopes  # a real credential asks for these; this one issues them all
        self.issued += 1
        return AccessToken(f"entra-token-{self.issued}", int(time.time()) + self.lifetime)


def bearer_token_provider(credential: FakeCredential, scope: str) -> Callable[[], str]:
    """The shape of `azure.identity.get_bearer_token_provider`: a function giving a token."""
    cached: AccessToken | None = None

    def provider() -> str:
        nonlocal cached
        if cached is None or cached.expires_on - time.time() < MARGIN:
            cached = credential.get_token(scope)
        return cached.token

    return provider


def async_bearer_token_provider(
    credential: FakeCredential, scope: str
) -> Callable[[], Awaitable[str]]:
    """The shape of `azure.identity.aio.get_bearer_token_provider`: an async function."""
    provider = bearer_token_provider(credential, scope)

    async def async_provider() -> str:
        return provider()  # a real async credential awaits its token service here

    return async_provider


def config(token: Callable[[], str] | Callable[[], Awaitable[str]]) -> Config:
    """Azure OpenAI's v1 API when an endpoint is set, else the server at OPENAI_BASE_URL."""
    if os.environ.get("AZURE_OPENAI_ENDPOINT"):
        return byot.AzureV1Config(ad_token=token)
    return byot.OpenAIConfig(api_key=token)


def main() -> None:
    for lifetime in (3600, 60):  # an hour-long token is reused; a nearly expired one is not
        credential = FakeCredential(lifetime)
        with byot.Client(config=config(bearer_token_provider(credential, SCOPE))) as client:
            for _ in range(3):
                client.chat.completions.create(CHAT)
        print(f"tokens lasting {lifetime} s: 3 calls, {credential.issued} token(s) fetched")

    async def run_async() -> str:
        credential = FakeCredential(3600)
        provider = async_bearer_token_provider(credential, SCOPE)
        async with byot.AsyncClient(config=config(provider)) as client:
            chat = await client.chat.completions.create(CHAT)
        return f"async: {chat['choices'][0]['message']['content']!r}, {credential.issued} token"

    print(asyncio.run(run_async()))


if __name__ == "__main__":
    main()
