"""Event hooks observe every attempt; logs and errors never show secrets from the URL."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx
import pytest

import byot

if TYPE_CHECKING:
    from tests.conftest import Both


def _flaky(request: httpx.Request) -> httpx.Response:
    if request.headers.get("x-attempt") == "1":
        return httpx.Response(200, json={"ok": True}, headers={"x-request-id": "req_2"})
    return httpx.Response(503, json={"error": {"message": "busy"}})


def test_hooks_see_every_attempt(both: Both) -> None:
    requests: list[str] = []
    statuses: list[int] = []
    attempts = iter(range(10))

    def on_request(request: httpx.Request) -> None:
        request.headers["x-attempt"] = str(next(attempts))  # e.g. a trace header
        requests.append(request.url.path)

    def on_response(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    client = both.client(
        _flaky,
        retry=byot.RetryPolicy(sleep=False),
        event_hooks={"request": [on_request], "response": [on_response]},
    )
    assert both.call(client.models.list) == {"ok": True}
    assert requests == ["/v1/models", "/v1/models"]
    assert statuses == [503, 200]


def test_async_client_awaits_async_hooks() -> None:
    import asyncio

    seen: list[int] = []

    async def on_response(response: httpx.Response) -> None:
        seen.append(response.status_code)

    async def main() -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json={}))
        async with byot.AsyncClient(
            base_url="http://t/v1", transport=transport, event_hooks={"response": [on_response]}
        ) as client:
            await client.models.list()

    asyncio.run(main())
    assert seen == [200]


def test_a_failing_response_hook_releases_the_response(both: Both) -> None:
    responses: list[httpx.Response] = []

    def broken(response: httpx.Response) -> None:
        responses.append(response)
        raise RuntimeError("metrics backend down")

    client = both.client(lambda r: httpx.Response(200, json={}), event_hooks={"response": [broken]})
    with pytest.raises(RuntimeError, match="metrics backend down"):
        both.call(client.models.list)
    assert responses[0].is_closed


def test_with_options_keeps_or_replaces_hooks(both: Both) -> None:
    seen: list[str] = []
    client = both.client(
        lambda r: httpx.Response(200, json={}),
        event_hooks={"request": [lambda r: seen.append("first")]},
    )
    both.call(client.with_options(timeout=5).models.list)
    replaced = client.with_options(event_hooks={"request": [lambda r: seen.append("second")]})
    both.call(replaced.models.list)
    assert seen == ["first", "second"]


@pytest.mark.parametrize(
    ("hooks", "message"),
    [
        ({"requests": []}, "unknown event hook 'requests'"),
        ({"response": ["not callable"]}, "must be callable"),
    ],
)
def test_bad_hooks_are_refused(both: Both, hooks: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        both.client(lambda r: httpx.Response(200), event_hooks=hooks)


def test_secret_query_values_are_redacted_in_logs_and_errors(
    both: Both, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="byot")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json={"error": {"message": "nope"}})
        return httpx.Response(200, json={})

    client = both.client(handler, default_query={"key": "AIza-SECRET", "alt": "json"})
    both.call(client.request, "GET", "/models")
    with pytest.raises(byot.errors.NotFoundError) as info:
        both.call(client.request, "GET", "/missing", max_retries=0)
    assert "AIza-SECRET" not in str(info.value)
    assert "key=***" in info.value.url
    assert "alt=json" in info.value.url
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "key=***" in logged
    assert "AIza-SECRET" not in logged
