"""byot: the bring-your-own-types client, through its generic request path (dicts out).

Streams and the generated `client.chat.completions...` surface land in later issues; until
then this adapter offers the chat and embeddings scenarios through `client.request`.
"""

from __future__ import annotations

from . import ClientUnavailable

try:
    import byot  # the installed library, not this module (absolute import)
except ImportError as exc:
    raise ClientUnavailable("byot is not installed in bench/.venv") from exc

from .httpx_orjson import _content

NAME = "byot"
PACKAGES = ["byot", "httpx", "httpcore", "h11", "orjson", "tenacity"]
DECODE_HOOKS = ["orjson:loads"]
BUILD_HOOKS: list[str] = []
SCENARIOS = {"chat", "embeddings"}


class Sync:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._c = byot.Client(base_url=base_url, api_key=api_key)

    def chat(self, body: dict) -> str:
        return _content(self._c.request("POST", "/chat/completions", body))

    def embeddings(self, body: dict) -> int:
        return len(self._c.request("POST", "/embeddings", body)["data"][0]["embedding"])

    def close(self) -> None:
        self._c.close()


class Async:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._c = byot.AsyncClient(base_url=base_url, api_key=api_key)

    async def chat(self, body: dict) -> str:
        return _content(await self._c.request("POST", "/chat/completions", body))

    async def embeddings(self, body: dict) -> int:
        return len((await self._c.request("POST", "/embeddings", body))["data"][0]["embedding"])

    async def aclose(self) -> None:
        await self._c.aclose()
