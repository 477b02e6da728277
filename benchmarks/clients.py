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

import functools
from typing import Any

PACKAGES = {
    "byot": ["byot-client", "httpx", "httpcore", "h11", "orjson", "tenacity"],
    "byot_aiohttp": ["byot-client", "aiohttp", "httpx", "orjson", "tenacity"],
    "openai": ["openai", "httpx2", "httpcore2", "pydantic", "pydantic-core"],
    "httpx_orjson": ["httpx", "httpcore", "h11", "orjson"],
    "httpcore_orjson": ["httpcore", "h11", "orjson"],
    "urllib3_orjson": ["urllib3", "orjson"],
    "httpclient_orjson": ["orjson"],
    "aiohttp_orjson": ["aiohttp", "orjson"],
}
LABELS = {
    "byot": "byot",
    "byot_aiohttp": "byot + AiohttpTransport",
    "openai": "openai SDK",
    "httpx_orjson": "httpx+orjson",
    "httpcore_orjson": "httpcore+orjson (limit)",
    "urllib3_orjson": "urllib3+orjson (limit)",
    "httpclient_orjson": "http.client+orjson (limit)",
    "aiohttp_orjson": "aiohttp+orjson (limit)",
}
# The raw clients of the layers below: what Python can do with the same work, no library on top.
LIMITS = ["httpcore_orjson", "urllib3_orjson", "httpclient_orjson", "aiohttp_orjson"]
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


def byot(mode: str, base_url: str, api_key: str, **options: Any) -> Any:
    """byot's client; `options` are a variant's constructor arguments (`run.py --variant`)."""
    import byot as lib

    if options.get("telemetry") == "sdk":  # the SDK recording spans and metrics, no export
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider

        options["telemetry"] = lib.Telemetry(
            tracer_provider=TracerProvider(),
            meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]),
        )
    if isinstance(options.get("rate_limiter"), dict):
        options["rate_limiter"] = lib.RateLimiter(**options["rate_limiter"])
    if mode == "sync":
        return _ByotSync(lib.Client(base_url=base_url, api_key=api_key, **options))
    return _ByotAsync(lib.AsyncClient(base_url=base_url, api_key=api_key, **options))


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


# -- the limit: raw clients of the layers below, each doing the reference's work ------------------
#
# Each sends the reference's headers and bodies, checks the status, decodes with orjson and
# splits events with the reference's `EventSplitter`: the same work with less library above the
# socket. `_Raw` holds what they share; a subclass sends (`_post`) and reads a stream (`_chunks`).

_JSON = "application/json"


def _auth(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "Content-Type": _JSON}


def _ok(status: int, content: bytes) -> bytes:
    if status >= 400:
        raise RuntimeError(f"HTTP {status}: {content[:200]!r}")
    return content


def _events(chunks: Any) -> tuple[int, int]:
    import orjson

    events = chars = 0
    splitter = EventSplitter()
    for raw in chunks:
        for data in splitter.feed(raw):
            if data == b"[DONE]":
                return events, chars
            events += 1
            chars += _delta_chars(orjson.loads(data))
    return events, chars


async def _aevents(chunks: Any) -> tuple[int, int]:
    import orjson

    events = chars = 0
    splitter = EventSplitter()
    async for raw in chunks:
        for data in splitter.feed(raw):
            if data == b"[DONE]":
                return events, chars
            events += 1
            chars += _delta_chars(orjson.loads(data))
    return events, chars


class _Raw:
    def __init__(self, base_url: str, api_key: str) -> None:
        from urllib.parse import urlsplit

        import orjson

        self.dumps, self.loads = orjson.dumps, orjson.loads
        parts = urlsplit(base_url)
        self.base, self.host, self.port = base_url.rstrip("/"), parts.hostname, parts.port
        self.prefix = parts.path.rstrip("/")
        self.headers = _auth(api_key)
        self.events_headers = {**self.headers, "Accept": "text/event-stream"}


class _SyncRaw(_Raw):
    def chat(self, body: dict) -> str:
        return _content(self.loads(self._post("/chat/completions", body)))

    def embeddings(self, body: dict) -> int:
        return _vector_length(self.loads(self._post("/embeddings", body)))

    def _post(self, path: str, body: dict) -> bytes:
        raise NotImplementedError


class _AsyncRaw(_Raw):
    async def chat(self, body: dict) -> str:
        return _content(self.loads(await self._post("/chat/completions", body)))

    async def embeddings(self, body: dict) -> int:
        return _vector_length(self.loads(await self._post("/embeddings", body)))

    async def _post(self, path: str, body: dict) -> bytes:
        raise NotImplementedError


def httpcore_orjson(mode: str, base_url: str, api_key: str) -> Any:
    """httpx's transport layer alone: no httpx.Client, Request or Response objects."""
    import httpcore

    class Sync(_SyncRaw):
        def __init__(self) -> None:
            super().__init__(base_url, api_key)
            self.pool = httpcore.ConnectionPool(max_connections=1000, max_keepalive_connections=100)
            self.headers_list = list(self.headers.items())
            self.events_list = list(self.events_headers.items())

        def _post(self, path: str, body: dict) -> bytes:
            answer = self.pool.request(
                "POST", self.base + path, headers=self.headers_list, content=self.dumps(body)
            )
            return _ok(answer.status, answer.content)

        def stream(self, body: dict) -> tuple[int, int]:
            url, content = self.base + "/chat/completions", self.dumps(body)
            with self.pool.stream(
                "POST", url, headers=self.events_list, content=content
            ) as response:
                if response.status >= 400:
                    _ok(response.status, response.read())
                return _events(response.iter_stream())

        def close(self) -> None:
            self.pool.close()

    class Async(_AsyncRaw):
        def __init__(self) -> None:
            super().__init__(base_url, api_key)
            self.pool = httpcore.AsyncConnectionPool(
                max_connections=1000, max_keepalive_connections=100
            )
            self.headers_list = list(self.headers.items())
            self.events_list = list(self.events_headers.items())

        async def _post(self, path: str, body: dict) -> bytes:
            answer = await self.pool.request(
                "POST", self.base + path, headers=self.headers_list, content=self.dumps(body)
            )
            return _ok(answer.status, answer.content)

        async def stream(self, body: dict) -> tuple[int, int]:
            url, content = self.base + "/chat/completions", self.dumps(body)
            async with self.pool.stream(
                "POST", url, headers=self.events_list, content=content
            ) as response:
                if response.status >= 400:
                    _ok(response.status, await response.aread())
                return await _aevents(response.aiter_stream())

        async def aclose(self) -> None:
            await self.pool.aclose()

    return Sync() if mode == "sync" else Async()


def urllib3_orjson(mode: str, base_url: str, api_key: str) -> Any:
    """urllib3's connection pool (the one under requests), sync only."""
    if mode != "sync":
        return None
    import urllib3

    class Sync(_SyncRaw):
        def __init__(self) -> None:
            super().__init__(base_url, api_key)
            timeout = urllib3.Timeout(connect=5.0, read=600.0)
            self.pool = urllib3.HTTPConnectionPool(
                self.host, self.port, maxsize=10, retries=False, timeout=timeout
            )

        def _post(self, path: str, body: dict) -> bytes:
            answer = self.pool.urlopen(
                "POST", self.prefix + path, body=self.dumps(body), headers=self.headers
            )
            return _ok(answer.status, answer.data)

        def stream(self, body: dict) -> tuple[int, int]:
            response = self.pool.urlopen(
                "POST",
                self.prefix + "/chat/completions",
                body=self.dumps(body),
                headers=self.events_headers,
                preload_content=False,
            )
            if response.status >= 400:
                _ok(response.status, response.read())
            try:
                return _events(response.stream(65536))
            finally:
                response.drain_conn()
                response.release_conn()

        def close(self) -> None:
            self.pool.close()

    return Sync()


def httpclient_orjson(mode: str, base_url: str, api_key: str) -> Any:
    """The standard library's http.client: one kept-alive connection, sync only."""
    if mode != "sync":
        return None
    import http.client

    class Sync(_SyncRaw):
        def __init__(self) -> None:
            super().__init__(base_url, api_key)
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

        def _post(self, path: str, body: dict) -> bytes:
            self.conn.request("POST", self.prefix + path, self.dumps(body), self.headers)
            answer = self.conn.getresponse()
            return _ok(answer.status, answer.read())

        def stream(self, body: dict) -> tuple[int, int]:
            path = self.prefix + "/chat/completions"
            self.conn.request("POST", path, self.dumps(body), self.events_headers)
            response = self.conn.getresponse()
            if response.status >= 400:
                _ok(response.status, response.read())
            try:
                return _events(iter(lambda: response.read1(65536), b""))
            finally:
                response.read()  # the rest, so the connection is reused

        def close(self) -> None:
            self.conn.close()

    return Sync()


def aiohttp_orjson(mode: str, base_url: str, api_key: str) -> Any:
    """One aiohttp.ClientSession, async only."""
    if mode != "async":
        return None
    import aiohttp

    class Async(_AsyncRaw):
        @functools.cached_property
        def session(self) -> aiohttp.ClientSession:
            # Made on first use: aiohttp's connector needs the running event loop.
            return aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=1000),
                timeout=aiohttp.ClientTimeout(total=600, connect=5),
            )

        async def _post(self, path: str, body: dict) -> bytes:
            async with self.session.post(
                self.base + path, data=self.dumps(body), headers=self.headers
            ) as response:
                return _ok(response.status, await response.read())

        async def stream(self, body: dict) -> tuple[int, int]:
            async with self.session.post(
                self.base + "/chat/completions",
                data=self.dumps(body),
                headers=self.events_headers,
            ) as response:
                if response.status >= 400:
                    _ok(response.status, await response.read())
                return await _aevents(response.content.iter_any())

        async def aclose(self) -> None:
            await self.session.close()

    return Async(base_url, api_key)


CLIENTS = {
    "byot": byot,
    "byot_aiohttp": byot_aiohttp,
    "openai": openai,
    "httpx_orjson": httpx_orjson,
    "httpcore_orjson": httpcore_orjson,
    "urllib3_orjson": urllib3_orjson,
    "httpclient_orjson": httpclient_orjson,
    "aiohttp_orjson": aiohttp_orjson,
}
