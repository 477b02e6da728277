"""One adapter per client, all doing what a caller must do with the answer.

Each client builds a `Sync` and/or `Async` adapter from `(base_url, api_key)`; the base URL
ends in `/v1`. Every adapter method decodes the body and reads the field a caller wants:

    chat(body) -> str                    the message content
    embeddings(body) -> int              the vector's length
    stream(body) -> (events, chars)      every chunk read to `[DONE]`: chunks seen and the
                                         characters of `delta.content` they carried
    close() / async aclose()

The adapters use each library's defaults apart from the base URL and key. The reference,
`httpx+orjson`, is what a careful programmer writes by hand: one shared `httpx.Client`, orjson
both ways, and server-sent events split from the raw bytes.
"""

from __future__ import annotations

from typing import Any

PACKAGES = {
    "byot": ["byot-client", "httpx", "httpcore", "h11", "orjson", "tenacity"],
    "byot_aiohttp": ["byot-client", "aiohttp", "httpx", "orjson", "tenacity"],
    "openai": ["openai", "httpx2", "httpcore2", "pydantic", "pydantic-core"],
    "httpx_orjson": ["httpx", "httpcore", "h11", "orjson"],
}
LABELS = {
    "byot": "byot",
    "byot_aiohttp": "byot + AiohttpTransport",
    "openai": "openai SDK",
    "httpx_orjson": "httpx+orjson",
}
# What `import` the import-time scenario times for each client.
IMPORTS = {
    "byot": "import byot",
    "openai": "import openai",
    "httpx_orjson": "import httpx, orjson",
}


def _content(answer: Any) -> str:
    return answer["choices"][0]["message"]["content"]


def _vector_length(answer: Any) -> int:
    return len(answer["data"][0]["embedding"])


def _delta_chars(chunk: Any) -> int:
    choices = chunk["choices"]
    if choices:
        text = choices[0]["delta"].get("content")
        if text:
            return len(text)
    return 0


# -- byot ----------------------------------------------------------------------------------


def byot(mode: str, base_url: str, api_key: str) -> Any:
    import byot as lib

    if mode == "sync":
        return _ByotSync(lib.Client(base_url=base_url, api_key=api_key))
    return _ByotAsync(lib.AsyncClient(base_url=base_url, api_key=api_key))


def byot_aiohttp(mode: str, base_url: str, api_key: str) -> Any:
    if mode == "sync":
        return None
    import byot as lib
    from byot.aiohttp import AiohttpTransport

    client = lib.AsyncClient(base_url=base_url, api_key=api_key, transport=AiohttpTransport())
    return _ByotAsync(client)


class _ByotSync:
    def __init__(self, client: Any) -> None:
        self._client = client

    def chat(self, body: dict) -> str:
        return _content(self._client.chat.completions.create(body))

    def embeddings(self, body: dict) -> int:
        return _vector_length(self._client.embeddings.create(body))

    def stream(self, body: dict) -> tuple[int, int]:
        events = chars = 0
        with self._client.chat.completions.create_stream(body) as chunks:
            for chunk in chunks:
                events += 1
                chars += _delta_chars(chunk)
        return events, chars

    def close(self) -> None:
        self._client.close()


class _ByotAsync:
    def __init__(self, client: Any) -> None:
        self._client = client

    async def chat(self, body: dict) -> str:
        return _content(await self._client.chat.completions.create(body))

    async def embeddings(self, body: dict) -> int:
        return _vector_length(await self._client.embeddings.create(body))

    async def stream(self, body: dict) -> tuple[int, int]:
        events = chars = 0
        async with await self._client.chat.completions.create_stream(body) as chunks:
            async for chunk in chunks:
                events += 1
                chars += _delta_chars(chunk)
        return events, chars

    async def aclose(self) -> None:
        await self._client.aclose()


# -- the official SDK ------------------------------------------------------------------------


def openai(mode: str, base_url: str, api_key: str) -> Any:
    import openai as lib

    if mode == "sync":
        return _SdkSync(lib.OpenAI(base_url=base_url, api_key=api_key))
    return _SdkAsync(lib.AsyncOpenAI(base_url=base_url, api_key=api_key))


def _sdk_delta_chars(chunk: Any) -> int:
    if chunk.choices:
        text = chunk.choices[0].delta.content
        if text:
            return len(text)
    return 0


class _SdkSync:
    def __init__(self, client: Any) -> None:
        self._client = client

    def chat(self, body: dict) -> str:
        return self._client.chat.completions.create(**body).choices[0].message.content

    def embeddings(self, body: dict) -> int:
        return len(self._client.embeddings.create(**body).data[0].embedding)

    def stream(self, body: dict) -> tuple[int, int]:
        events = chars = 0
        with self._client.chat.completions.create(**body) as chunks:
            for chunk in chunks:
                events += 1
                chars += _sdk_delta_chars(chunk)
        return events, chars

    def close(self) -> None:
        self._client.close()


class _SdkAsync:
    def __init__(self, client: Any) -> None:
        self._client = client

    async def chat(self, body: dict) -> str:
        return (await self._client.chat.completions.create(**body)).choices[0].message.content

    async def embeddings(self, body: dict) -> int:
        return len((await self._client.embeddings.create(**body)).data[0].embedding)

    async def stream(self, body: dict) -> tuple[int, int]:
        events = chars = 0
        async with await self._client.chat.completions.create(**body) as chunks:
            async for chunk in chunks:
                events += 1
                chars += _sdk_delta_chars(chunk)
        return events, chars

    async def aclose(self) -> None:
        await self._client.close()


# -- the hand-written reference ----------------------------------------------------------------


class EventSplitter:
    """Splits a server-sent-event byte stream into each event's `data` (bytes, for orjson).

    Handles LF and CRLF, multi-line data (joined with LF) and ignores every other field and
    comments: all that OpenAI-compatible servers send.
    """

    def __init__(self) -> None:
        self._rest = b""
        self._lines: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        lines = (self._rest + chunk).split(b"\n")
        self._rest = lines.pop()
        done: list[bytes] = []
        pending = self._lines
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if pending:
                    done.append(b"\n".join(pending))
                    pending.clear()
            elif line.startswith(b"data:"):
                pending.append(line[6:] if line[5:6] == b" " else line[5:])
        return done


def httpx_orjson(mode: str, base_url: str, api_key: str) -> Any:
    import httpx
    import orjson

    options: dict[str, Any] = {
        "base_url": base_url,
        "headers": {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
        # The SDK's pool and timeouts, so 64 in flight never wait for a connection.
        "limits": httpx.Limits(max_connections=1000, max_keepalive_connections=100),
        "timeout": httpx.Timeout(600.0, connect=5.0),
    }
    events_header = {"Accept": "text/event-stream"}

    def answer(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            raise RuntimeError(f"HTTP {response.status_code}: {response.content[:200]!r}")
        return orjson.loads(response.content)

    class Sync:
        def __init__(self) -> None:
            self._client = httpx.Client(**options)

        def chat(self, body: dict) -> str:
            return _content(
                answer(self._client.post("/chat/completions", content=orjson.dumps(body)))
            )

        def embeddings(self, body: dict) -> int:
            response = self._client.post("/embeddings", content=orjson.dumps(body))
            return _vector_length(answer(response))

        def stream(self, body: dict) -> tuple[int, int]:
            events = chars = 0
            splitter = EventSplitter()
            request = self._client.stream(
                "POST", "/chat/completions", content=orjson.dumps(body), headers=events_header
            )
            with request as response:
                if response.status_code >= 400:
                    response.read()
                    answer(response)
                for raw in response.iter_raw():
                    for data in splitter.feed(raw):
                        if data == b"[DONE]":
                            return events, chars
                        events += 1
                        chars += _delta_chars(orjson.loads(data))
            return events, chars

        def close(self) -> None:
            self._client.close()

    class Async:
        def __init__(self) -> None:
            self._client = httpx.AsyncClient(**options)

        async def chat(self, body: dict) -> str:
            response = await self._client.post("/chat/completions", content=orjson.dumps(body))
            return _content(answer(response))

        async def embeddings(self, body: dict) -> int:
            response = await self._client.post("/embeddings", content=orjson.dumps(body))
            return _vector_length(answer(response))

        async def stream(self, body: dict) -> tuple[int, int]:
            events = chars = 0
            splitter = EventSplitter()
            request = self._client.stream(
                "POST", "/chat/completions", content=orjson.dumps(body), headers=events_header
            )
            async with request as response:
                if response.status_code >= 400:
                    await response.aread()
                    answer(response)
                async for raw in response.aiter_raw():
                    for data in splitter.feed(raw):
                        if data == b"[DONE]":
                            return events, chars
                        events += 1
                        chars += _delta_chars(orjson.loads(data))
            return events, chars

        async def aclose(self) -> None:
            await self._client.aclose()

    return Sync() if mode == "sync" else Async()


CLIENTS = {
    "byot": byot,
    "byot_aiohttp": byot_aiohttp,
    "openai": openai,
    "httpx_orjson": httpx_orjson,
}
