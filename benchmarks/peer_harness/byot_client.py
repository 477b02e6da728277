"""byot: the bring-your-own-types client, through its generated surface (dicts out)."""

from __future__ import annotations

from . import ClientUnavailable

try:
    import byot  # the installed library, not this module (absolute import)
except ImportError as exc:
    raise ClientUnavailable("byot is not installed in bench/.venv") from exc

from .httpx_orjson import _content, _count

NAME = "byot"
PACKAGES = ["byot", "httpx", "httpcore", "h11", "orjson", "tenacity"]
DECODE_HOOKS = ["orjson:loads"]
BUILD_HOOKS: list[str] = []


class Sync:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._c = byot.Client(base_url=base_url, api_key=api_key)

    def chat(self, body: dict) -> str:
        return _content(self._c.chat.completions.create(body))

    def embeddings(self, body: dict) -> int:
        return len(self._c.embeddings.create(body)["data"][0]["embedding"])

    def stream_chat(self, body: dict) -> tuple[int, int]:
        events = chars = 0
        with self._c.chat.completions.create_stream(body) as stream:
            for chunk in stream:
                chars = _count(chunk, chars)
                events += 1
        return events, chars

    def close(self) -> None:
        self._c.close()


class Async:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._c = byot.AsyncClient(base_url=base_url, api_key=api_key)

    async def chat(self, body: dict) -> str:
        return _content(await self._c.chat.completions.create(body))

    async def embeddings(self, body: dict) -> int:
        return len((await self._c.embeddings.create(body))["data"][0]["embedding"])

    async def stream_chat(self, body: dict) -> tuple[int, int]:
        events = chars = 0
        async with await self._c.chat.completions.create_stream(body) as stream:
            async for chunk in stream:
                chars = _count(chunk, chars)
                events += 1
        return events, chars

    async def aclose(self) -> None:
        await self._c.aclose()
