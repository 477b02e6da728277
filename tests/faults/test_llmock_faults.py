"""Faults injected by llmock, a third-party model server, and its verdict on how byot coped.

llmock queues behaviours per test (`POST /_llmock/scenario`): errors with `retry-after` and
`retry-after-ms`, 5xx, delays, and stream faults. Its verdict (`GET /_llmock/verdict`) then
judges the client's retries from the server's side, for example a retry sooner than
`Retry-After` asked. The retries here really sleep, so the verdict judges real waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import byot
from byot import errors
from tests.conformance.test_llmock import CHAT_BODY, TEXT, control, fault, reply, script, served

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.anyio


class Llmock:
    """Clients of one kind against llmock, awaitable either way."""

    def __init__(self, mode: str, url: str) -> None:
        self.is_async = mode == "async"
        self.url = url
        self.clients: list[Any] = []

    def client(self, **policy: Any) -> Any:
        self.retries: list[byot.RetryEvent] = []
        retry = byot.RetryPolicy(initial_delay=0.05, on_retry=self.retries.append, **policy)
        cls = byot.AsyncClient if self.is_async else byot.Client
        client = cls(base_url=self.url + "/v1", api_key="sk-test", timeout=10, retry=retry)
        self.clients.append(client)
        return client

    async def result(self, value: Any) -> Any:
        return await value if self.is_async else value

    async def chat(self, client: Any) -> Any:
        return await self.result(client.chat.completions.create(CHAT_BODY))

    async def stream_text(self, client: Any) -> str:
        stream = await self.result(client.chat.completions.create_stream(CHAT_BODY))
        final = await self.result(stream.final())
        return str(final["choices"][0]["message"]["content"])

    def verdict(self) -> dict[str, Any]:
        verdict: dict[str, Any] = control(self.url, "GET", "verdict")
        return verdict

    async def close(self) -> None:
        for client in self.clients:
            await self.result(client.aclose() if self.is_async else client.close())


@pytest.fixture(params=["sync", "async"])
async def mock(request: pytest.FixtureRequest, llmock: str) -> AsyncIterator[Llmock]:
    control(llmock, "POST", "reset")
    helper = Llmock(request.param, llmock)
    yield helper
    await helper.close()


def codes(verdict: dict[str, Any]) -> list[str]:
    return [finding["code"] for finding in verdict["findings"]]


async def test_queued_429s_are_retried_after_retry_after_ms(mock: Llmock) -> None:
    script(mock.url, {"type": "fail", "status": 429, "times": 2, "retry_after": 0.2}, reply())
    client = mock.client()

    chat = await mock.chat(client)

    assert chat["choices"][0]["message"]["content"] == TEXT
    # llmock sends retry-after: 1 (whole seconds) and retry-after-ms: 200; the finer one wins.
    assert [event.delay for event in mock.retries] == [0.2, 0.2]
    assert [r["status"] for r in served(mock.url)] == [429, 429, 200]
    verdict = mock.verdict()
    assert verdict["passed"], verdict
    assert (verdict["calls"], verdict["attempts"], codes(verdict)) == (1, 3, [])


async def test_the_verdict_catches_a_retry_sooner_than_asked(mock: Llmock) -> None:
    """The check is real: with waits off, byot retries at once and llmock says so."""
    script(mock.url, {"type": "fail", "status": 429, "retry_after": 0.5}, reply())
    client = mock.client(sleep=False)

    await mock.chat(client)

    verdict = mock.verdict()
    assert not verdict["passed"]
    assert codes(verdict) == ["retry_after_ignored"]


async def test_a_retry_after_beyond_the_cap_is_not_waited_for(mock: Llmock) -> None:
    script(mock.url, {"type": "fail", "status": 429, "retry_after": 30}, reply())
    client = mock.client(max_retry_after=5)

    error = await _fails(mock, errors.RateLimitError, mock.chat, client)

    assert error.headers["retry-after-ms"] == "30000"
    assert mock.retries == []
    assert [r["status"] for r in served(mock.url)] == [429]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_then_success(mock: Llmock, status: int) -> None:
    script(mock.url, {"type": "fail", "status": status, "times": 2, "retry_after": 0.05}, reply())
    client = mock.client()

    chat = await mock.chat(client)

    assert chat["choices"][0]["message"]["content"] == TEXT
    assert [r["status"] for r in served(mock.url)] == [status, status, 200]
    assert mock.verdict()["passed"]


async def test_a_5xx_outage_gives_up_after_the_retries(mock: Llmock) -> None:
    script(mock.url, {"type": "fail", "status": 503, "times": None, "retry_after": 0.05})
    client = mock.client(max_retries=2)

    error = await _fails(mock, errors.InternalServerError, mock.chat, client)

    assert error.status_code == 503
    assert len(served(mock.url)) == 3
    verdict = mock.verdict()
    assert "retry_storm" not in codes(verdict)


async def test_a_delay_longer_than_the_read_timeout_is_retried(mock: Llmock) -> None:
    script(mock.url, {"type": "delay", "seconds": 1.5})
    client = mock.client()
    client = client.with_options(timeout=byot.Timeout(10, read=0.3))

    chat = await mock.chat(client)

    assert chat["choices"][0]["message"]["content"]  # the second attempt, not delayed
    assert isinstance(mock.retries[0].error, errors.APITimeoutError)
    assert len(mock.retries) == 1


async def test_a_slow_first_token_within_the_timeout_is_fine(mock: Llmock) -> None:
    script(mock.url, {"type": "slow_first_token", "seconds": 0.3}, reply())
    client = mock.client()

    assert await mock.stream_text(client) == TEXT
    assert mock.retries == []


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("truncate", errors.StreamTruncatedError),
        ("disconnect", errors.APIConnectionError),
        ("malformed", errors.DecodeError),
    ],
)
async def test_a_stream_fault_is_typed_and_the_stream_never_re_sent(
    mock: Llmock, kind: str, error: type[Exception]
) -> None:
    script(mock.url, fault(kind, after_chunks=3))
    client = mock.client(max_retries=5)

    await _fails(mock, error, mock.stream_text, client)

    (record,) = served(mock.url)
    assert record["fault"] == f"stream:{kind}@3"


async def _fails(mock: Llmock, error: type[Exception], call: Any, *args: Any) -> Any:
    with pytest.raises(error) as info:
        await call(*args)
    return info.value
