"""The API key never leaves the request: not in a repr, an error, a pickle, a warning or a log."""

import logging
import pickle
import traceback
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import byot
from byot.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BYOTError,
    ConfigError,
    DecodeError,
)

MARKER = "sk-SECRET-MARKER-123"
BASE = "http://test.local/v1"


def texts_of(value: object) -> list[str]:
    """Every way a value may end up in a log, a report or a queue."""
    out = [str(value), repr(value)]
    if isinstance(value, BaseException):
        out.append("".join(traceback.format_exception(value)))
        out.append(repr(vars(value)))
        out.append(pickle.dumps(value).decode("latin-1"))
        if isinstance(value, BYOTError):
            out.append(repr(vars(pickle.loads(pickle.dumps(value)))))  # noqa: S301
    return out


def assert_clean(texts: list[str]) -> None:
    leaks = [text for text in texts if MARKER in text]
    assert leaks == []
    # Neither a prefix nor the tail of the key is given away either.
    assert not [text for text in texts if "SECRET-MARKER" in text]


def test_reprs_of_clients_and_configs_hide_the_key(both: Any) -> None:
    configs: list[Any] = [
        byot.OpenAIConfig(api_key=MARKER, base_url=BASE),
        byot.AzureConfig("https://r.openai.azure.com", api_version="v", api_key=MARKER),
        byot.AzureConfig("https://r.openai.azure.com", api_version="v", ad_token=MARKER),
        byot.AzureV1Config("https://r.openai.azure.com", api_key=MARKER),
        byot.AzureV1Config("https://r.openai.azure.com", ad_token=MARKER),
    ]
    texts: list[str] = []
    for config in configs:
        client = both.client(lambda r: httpx.Response(200), config=config, api_key=None,
                             base_url=None)  # fmt: skip
        texts += texts_of(client) + texts_of(client.config) + texts_of(config)
        texts += texts_of(client.with_options(max_retries=1))
    keyed = both.client(lambda r: httpx.Response(200), api_key=MARKER)
    texts += texts_of(keyed) + texts_of(keyed.config)
    texts += texts_of(keyed.with_options(api_key=MARKER + "-2"))
    texts += texts_of(keyed.retry) + texts_of(keyed.timeout) + [keyed.base_url]

    assert_clean(texts)
    assert repr(keyed) == (
        f"{type(keyed).__name__}(config=OpenAIConfig(base_url='{BASE}', api_key=<set>, "
        "organization=None, project=None))"
    )
    assert keyed.config.has_api_key is True


@dataclass
class Typed:
    id: str
    count: int


def test_nothing_a_call_produces_holds_the_key(both: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen_keys: list[str | None] = []
    script: dict[str, list[Any]] = {
        "/ok": [httpx.Response(200, json={"id": "1", "count": 2}, headers={"x-request-id": "r"})],
        "/retry": [
            httpx.Response(500, json={"error": {"message": "boom"}}),
            httpx.Response(429, json={"error": {"message": "slow"}}, headers={"retry-after": "0"}),
            httpx.Response(200, json={}),
        ],
        "/401": [httpx.Response(401, json={"error": {"message": "Incorrect API key provided"}})],
        "/429": [httpx.Response(429, json={"error": {"type": "insufficient_quota"}})],
        "/500": [httpx.Response(500, content=b"<html><title>Oops</title></html>")],
        "/html": [httpx.Response(200, content=b"<p>", headers={"content-type": "text/html"})],
        "/empty": [httpx.Response(200, content=b"")],
        "/array": [httpx.Response(200, content=b"[]")],
        "/typed": [httpx.Response(200, json={"id": 5})],
        "/connect": [httpx.ConnectError("connection refused")],
        "/timeout": [httpx.ReadTimeout("timed out")],
    }  # fmt: skip
    counters: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen_keys.append(request.headers.get("Authorization"))
        path = request.url.path.removeprefix("/v1")
        index = counters[path] = counters.get(path, -1) + 1
        replies = script[path]
        reply = replies[min(index, len(replies) - 1)]
        if isinstance(reply, Exception):
            raise reply
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)

    errors: list[BaseException] = []
    results: list[Any] = []
    events: list[byot.RetryEvent] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        policy = byot.RetryPolicy(sleep=False, on_retry=events.append)
        client = both.client(handler, api_key=MARKER, retry=policy)
        results.append(both.call(client.request, "POST", "/ok", body={"q": 1}, raw=True))
        results.append(both.call(client.request, "GET", "/ok", response_type=Typed))
        results.append(both.call(client.request, "POST", "/retry", body={}, raw=True))
        for path in ("/401", "/429", "/500", "/html", "/empty", "/array", "/connect", "/timeout"):
            with pytest.raises(BYOTError) as info:
                both.call(client.request, "POST", path, body={"q": 1})
            errors.append(info.value)
        with pytest.raises(DecodeError) as decode_info:
            both.call(client.request, "GET", "/typed", response_type=Typed)
        errors.append(decode_info.value)
        for make in (
            lambda: byot.Client(),
            lambda: byot.AzureConfig(api_key=MARKER, api_version="v"),
            lambda: byot.AzureConfig("https://r.openai.azure.com", api_key=MARKER),
            lambda: byot.AzureV1Config(api_key=MARKER),
        ):
            with pytest.raises(ConfigError) as config_info:
                make()
            errors.append(config_info.value)
        with pytest.raises(ValueError, match="invalid value for header 'Authorization'") as bad:
            both.client(handler, api_key=MARKER + "\r\nX-Injected: 1")
        errors.append(bad.value)
        azure = both.client(
            handler,
            config=byot.AzureConfig("https://r.openai.azure.com", api_version="v", api_key="k"),
            api_key=None,
            base_url=None,
        )
        with pytest.raises(TypeError) as type_info:
            azure.with_options(api_key=MARKER)
        errors.append(type_info.value)

    # The key was sent, so the scan below is meaningful.
    assert set(seen_keys) == {f"Bearer {MARKER}"}
    assert [type(e).__name__ for e in errors] == [
        "AuthenticationError",
        "RateLimitError",
        "InternalServerError",
        "DecodeError",
        "DecodeError",
        "DecodeError",
        "APIConnectionError",
        "APITimeoutError",
        "DecodeError",
        "ConfigError",
        "ConfigError",
        "ConfigError",
        "ConfigError",
        "ConfigError",  # a ValueError: refused before anything is sent, the header named
        "TypeError",
    ]
    assert isinstance(errors[0], APIStatusError)
    assert isinstance(errors[6], APIConnectionError)
    assert isinstance(errors[7], APITimeoutError)
    byot_records = [r for r in caplog.records if r.name == "byot"]
    assert any(r.levelno == logging.DEBUG and "-> 200" in r.getMessage() for r in byot_records)
    assert any(r.levelno == logging.INFO and "retrying" in r.getMessage() for r in byot_records)

    texts: list[str] = [caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), repr(record.__dict__)]
    texts += [str(w.message) for w in caught]
    assert len(events) == 2 + 2 + 2 + 2  # /retry, /500, /connect and /timeout were retried
    for value in results + errors + events + [e.error for e in events]:
        texts += texts_of(value)
    assert_clean(texts)
    assert [str(w.message) for w in caught] == []


async def _drain(stream: Any) -> None:
    if hasattr(stream, "__aiter__"):
        async with stream:
            async for _ in stream:
                pass
    else:
        with stream:
            for _ in stream:
                pass


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_no_error_path_over_real_sockets_leaks_the_key(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger at DEBUG (byot's, httpx's, httpcore's), every error, every stream fault.

    The key travels in the Authorization header and, as some providers take it, in the query.
    """
    from tests.e2e.server import EventStream, Html, Json, Reset
    from tests.faults.server import FaultServer, Raw, Silence

    caplog.set_level(logging.DEBUG)  # the root logger: every library's records
    chat = "/v1/chat/completions"
    event = b'data: {"choices": []}\n\n'
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 90\r\n\r\n{"
    problems: list[BaseException] = []
    events: list[byot.RetryEvent] = []
    values: list[Any] = []
    with FaultServer() as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        server.add("/v1/ok", Json(200, {"id": "1"}, {"x-request-id": "r"}))
        server.add(
            "/v1/retry", Json(503, {}), Json(429, {}, {"retry-after-ms": "1"}), Json(200, {})
        )
        server.add("/v1/401", Json(401, {"error": {"message": "Incorrect API key provided"}}))
        server.add("/v1/302", Json(302, b"", {"location": "http://127.0.0.1:9/elsewhere"}))
        server.add("/v1/html", Html(500, "<html><title>Down</title></html>"))
        server.add("/v1/reset", Reset("headers"))
        server.add("/v1/cut", Raw(cut))
        server.add("/v1/slow", Silence(5, Json(200, {})))
        server.add("/v1/bad", Json(200, b"{nope"))
        server.add(chat, EventStream([event], end="finish"))  # no [DONE]: truncated
        server.add(chat, EventStream([event, b'data: {"error": {"message": "x"}}\n\n']))
        server.add(chat, EventStream([event], end="reset"))
        server.add(chat, EventStream([b"data: {not json\n\n"]))
        server.add(chat, Json(200, {"not": "a stream"}))
        kwargs: dict[str, Any] = {
            "api_key": MARKER,
            "base_url": server.url + "/v1",
            "default_query": {"api-key": MARKER},
            "timeout": byot.Timeout(5, read=0.2),
            "retry": byot.RetryPolicy(sleep=False, on_retry=events.append, max_retries=2),
        }
        client: Any = (byot.AsyncClient if mode == "async" else byot.Client)(**kwargs)

        async def result(value: Any) -> Any:
            return await value if mode == "async" else value

        values.append(await result(client.request("GET", "/ok", raw=True)))
        values.append(await result(client.request("POST", "/retry", body={}, raw=True)))
        for path in ("/401", "/302", "/html", "/reset", "/cut", "/slow", "/bad"):
            with pytest.raises(BYOTError) as info:
                await result(client.request("GET", path, max_retries=0))
            problems.append(info.value)

        async def open_and_drain() -> None:
            stream = await result(client.chat.completions.create_stream({"model": "m"}))
            values.append(stream)
            await _drain(stream)

        for _ in range(5):
            with pytest.raises(BYOTError) as stream_info:
                await open_and_drain()
            problems.append(stream_info.value)
        refused = (byot.AsyncClient if mode == "async" else byot.Client)(
            **{**kwargs, "base_url": "http://127.0.0.1:9/v1"}
        )
        with pytest.raises(APIConnectionError) as refused_info:
            await result(refused.request("GET", "/x"))
        problems.append(refused_info.value)
        await result(client.aclose() if mode == "async" else client.close())
        await result(refused.aclose() if mode == "async" else refused.close())

    # The key was sent both ways, so the scan below is meaningful.
    assert {r.headers["authorization"] for r in server.requests} == {f"Bearer {MARKER}"}
    assert all(f"api-key={MARKER}" in r.path for r in server.requests)
    assert [type(p).__name__ for p in problems] == [
        "AuthenticationError",
        "APIStatusError",
        "InternalServerError",
        "APIConnectionError",
        "APIConnectionError",
        "APITimeoutError",
        "DecodeError",
        "StreamTruncatedError",
        "StreamError",
        "APIConnectionError",
        "DecodeError",
        "StreamError",
        "APIConnectionError",
    ]
    assert "api-key=***" in problems[0].url  # the URL is shown, its secret hidden
    assert len(events) == 2 + 2
    assert any(r.name.startswith("httpcore") for r in caplog.records)  # really at DEBUG
    texts: list[str] = [caplog.text]
    for record in caplog.records:
        texts += [record.getMessage(), repr(record.args), repr(record.__dict__)]
    texts += [str(w.message) for w in caught]
    for value in values + problems + events + [e.error for e in events]:
        texts += texts_of(value)
    assert_clean(texts)
