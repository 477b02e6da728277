"""Issue 15 items 3, 5, 6 against real sockets, sync and async: no secret leaks, routes that
cannot be bent, and the network's edges (proxy per URL, clear-text keys, idempotency, cursor
cycles). Each test failed on main at 23c3054 (see the branch's report).
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import byot
from byot import errors
from tests.e2e.server import Json, Reset
from tests.faults.server import FaultServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.faults.conftest import Faults

pytestmark = pytest.mark.anyio

SECRET = "sk-very-secret-0123456789"
OK = {"id": "thing-1"}


@pytest.fixture
def other() -> Iterator[FaultServer]:
    """A second server: another origin, or a proxy."""
    with FaultServer() as running:
        yield running


async def items(faults: Faults, iterator: Any) -> list[Any]:
    if faults.is_async:
        return [item async for item in iterator]
    return list(iterator)


# -- item 3: no secret in any error or log ---------------------------------------------------


@pytest.mark.parametrize("pasted", [f"{SECRET}\n", f"{SECRET} ", f"\t{SECRET}\r\n"])
async def test_a_key_from_the_environment_is_stripped(
    faults: Faults, server: FaultServer, monkeypatch: pytest.MonkeyPatch, pasted: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", pasted)
    server.add("/v1/things", Json(200, OK))
    client = faults.client(api_key=None)

    assert await faults.request(client, "GET", "/things") == OK
    assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


async def test_a_header_the_http_layer_refuses_is_a_local_error_never_retried(
    faults: Faults, server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    def taint(request: httpx.Request) -> None:  # a hook that adds a key pasted with a newline
        request.headers["api-key"] = f"{SECRET}\n"

    async def ataint(request: httpx.Request) -> None:
        taint(request)

    hooks = byot.EventHooks(request=[ataint if faults.is_async else taint])
    events: list[byot.RetryEvent] = []
    client = faults.client(
        event_hooks=hooks, retry=byot.RetryPolicy(sleep=False, on_retry=events.append)
    )

    with caplog.at_level(logging.DEBUG, logger="byot"):
        error = await faults.fails(errors.ConfigError, faults.request, client, "GET", "/things")

    assert "not sent" in str(error)
    assert SECRET not in str(error)
    assert SECRET not in caplog.text
    assert events == []  # a local error is never retried
    assert server.requests == []


async def test_an_unsupported_scheme_is_a_local_error_never_retried(faults: Faults) -> None:
    events: list[byot.RetryEvent] = []
    retry = byot.RetryPolicy(sleep=False, on_retry=events.append)
    client = faults.client(base_url="ftp://127.0.0.1:9/v1", retry=retry)

    error = await faults.fails(errors.ConfigError, faults.request, client, "GET", "/models")

    assert "http:// and https:// URLs only" in str(error)
    assert events == []


def test_a_prepared_call_shows_no_secret() -> None:
    client = byot.Client(config=byot.AzureV1Config("https://r.example", api_key=SECRET))
    prepared = client._settings.prepare(
        "GET", "/models", None, encoder=None, options={"query": {"key": "q-secret"}}
    )

    assert repr(prepared) == "Prepared(GET https://r.example/openai/v1/models?key=***)"
    client.close()


@pytest.mark.parametrize("userinfo", ["user:hunter2@", "hunter2@", ":hunter2@"])
async def test_a_base_url_with_a_password_is_refused_without_showing_it(
    faults: Faults, server: FaultServer, userinfo: str
) -> None:
    url = server.url.replace("http://", f"http://{userinfo}") + "/v1"

    error = await faults.fails(errors.ConfigError, faults.client, base_url=url)

    assert "hunter2" not in str(error)
    assert "user name or password" in str(error)
    assert server.requests == []


async def test_an_absolute_url_with_a_password_is_refused_without_showing_it(
    faults: Faults, server: FaultServer
) -> None:
    client = faults.client()
    url = server.url.replace("http://", "http://user:hunter2@") + "/v1/things"

    error = await faults.fails(errors.ConfigError, faults.request, client, "GET", url)

    assert "hunter2" not in str(error)
    assert "hunter2" not in repr(client)
    assert server.requests == []


# -- item 5: routes cannot be bent ------------------------------------------------------------


@pytest.mark.parametrize("file_id", [".", "..", "%2E%2E", "%2e", ".%2E"])
async def test_a_dot_segment_path_parameter_is_refused_before_sending(
    faults: Faults, server: FaultServer, file_id: str
) -> None:
    client = faults.client()

    error = await faults.fails(errors.ConfigError, client.files.retrieve, file_id)

    assert "dot segment" in str(error)
    assert server.requests == []


@pytest.mark.parametrize(
    "path", ["/files/../../admin", "/files/%2e%2e/%2E%2E/admin", "/./files", "../admin?x=1"]
)
async def test_a_request_path_cannot_climb_out_of_the_base_url(
    faults: Faults, server: FaultServer, path: str
) -> None:
    server.always("/admin", Json(200, {"admin": True}))
    client = faults.client()

    error = await faults.fails(errors.ConfigError, faults.request, client, "GET", path)

    assert "dot segment" in str(error)
    assert server.requests == []


async def test_an_http_client_that_follows_redirects_is_refused(faults: Faults) -> None:
    kind = httpx.AsyncClient if faults.is_async else httpx.Client
    http_client = kind(follow_redirects=True)

    error = await faults.fails(errors.ConfigError, faults.client, http_client=http_client)

    assert "follow_redirects" in str(error)
    await faults.result(http_client.aclose() if faults.is_async else http_client.close())


async def test_a_redirect_never_carries_the_key_to_another_origin(
    faults: Faults, server: FaultServer, other: FaultServer
) -> None:
    # The caller switched redirects on after handing the client over: still not followed.
    elsewhere = other.url + "/collect"
    server.always("/openai/v1/things", Json(307, {}, headers={"Location": elsewhere}))
    other.always("/collect", Json(200, OK))
    kind = httpx.AsyncClient if faults.is_async else httpx.Client
    http_client = kind()
    azure = byot.AzureV1Config(server.url, api_key=SECRET)  # the key goes as `api-key`
    kind_of_client = byot.AsyncClient if faults.is_async else byot.Client
    client = kind_of_client(
        http_client=http_client, config=azure, retry=byot.RetryPolicy(sleep=False)
    )
    http_client.follow_redirects = True

    error = await faults.fails(errors.APIStatusError, faults.request, client, "GET", "/things")

    assert error.status_code == 307
    assert other.requests == []
    await faults.result(client.aclose() if faults.is_async else client.close())


# -- item 6: network edges --------------------------------------------------------------------


async def test_the_proxy_is_chosen_per_request_url(
    faults: Faults, server: FaultServer, other: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The base URL (by name) goes through the proxy; an absolute URL to a NO_PROXY host does not.
    proxy = other
    port = server.url.rsplit(":", 1)[1]
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    proxy.always(f"http://localhost:{port}/v1/things", Json(200, {"via": "proxy"}))
    server.always("/v1/direct", Json(200, {"via": "direct"}))
    client = faults.client(base_url=f"http://localhost:{port}/v1")

    assert await faults.request(client, "GET", "/things") == {"via": "proxy"}
    assert await faults.request(client, "GET", f"{server.url}/v1/direct") == {"via": "direct"}
    assert await faults.request(client, "GET", f"{server.url}/v1/direct") == {"via": "direct"}
    assert [r.path for r in proxy.requests] == [f"http://localhost:{port}/v1/things"]
    assert [r.path for r in server.requests] == ["/v1/direct"] * 2


async def test_a_key_in_clear_text_to_another_host_is_warned_once(
    faults: Faults, other: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real socket to a host that is not loopback, by way of a proxy at 127.0.0.1.
    monkeypatch.setenv("HTTP_PROXY", other.url)
    other.always("http://api.example.test/v1/things", Json(200, OK))
    client = faults.client(base_url="http://api.example.test/v1", api_key=SECRET)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await faults.request(client, "GET", "/things")
        await faults.request(client, "GET", "/things")

    assert [type(w.message) for w in caught] == [errors.ClearTextKeyWarning]
    assert "api.example.test" in str(caught[0].message)
    assert SECRET not in str(caught[0].message)
    keyless = faults.client(base_url="http://api.example.test/v1", api_key=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await faults.request(keyless, "GET", "/things")  # no key, nothing to warn about
    assert len(other.requests) == 3


async def test_a_post_cut_after_its_2xx_is_resent_with_the_same_idempotency_key(
    faults: Faults, server: FaultServer
) -> None:
    server.add("/v1/things", Reset("body"), Json(200, OK))
    client = faults.client()

    assert await faults.request(client, "POST", "/things", body={"a": 1}) == OK

    keys = [request.headers.get("idempotency-key") for request in server.requests]
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert keys[0] is not None
    assert keys[0].startswith("byot-retry-")


async def test_the_callers_idempotency_key_wins_and_a_get_has_none(
    faults: Faults, server: FaultServer
) -> None:
    server.always("/v1/things", Json(200, OK))
    server.add("/v1/things", Reset("body"))
    client = faults.client()

    await faults.request(client, "POST", "/things", body={}, idempotency_key="mine-1")
    await faults.request(client, "POST", "/things", body={}, headers={"Idempotency-Key": "mine-2"})
    await faults.request(client, "GET", "/things")
    await faults.request(client, "DELETE", "/things")
    await faults.request(client, "DELETE", "/things")

    keyed = faults.client(default_headers={"Idempotency-Key": "mine-3"})
    await faults.request(keyed, "POST", "/things", body={})

    keys = [request.headers.get("idempotency-key") for request in server.requests]
    assert keys[:4] == ["mine-1", "mine-1", "mine-2", None]
    assert keys[4] != keys[5]  # a fresh key per call, not per client
    assert all(key.startswith("byot-retry-") for key in keys[4:6])
    assert keys[6] == "mine-3"


async def test_a_cursor_that_comes_round_again_stops_pagination(
    faults: Faults, server: FaultServer
) -> None:
    def page(item: str) -> Json:
        return Json(200, {"data": [{"id": item}], "has_more": True, "last_id": item})

    server.add("/v1/files", page("A"), page("B"), page("A"))
    client = faults.client()

    seen: list[Any] = []

    async def read() -> None:
        iterator = client.files.list_items()
        if faults.is_async:
            async for item in iterator:
                seen.append(item["id"])  # noqa: PERF401 - keeps the items before the error
        else:
            seen.extend(item["id"] for item in iterator)

    with pytest.raises(errors.PaginationCycleError) as info:
        await read()

    assert seen == ["A", "B", "A"]
    assert info.value.cursor == "A"
    assert "cycles" in str(info.value)
    assert [r.path for r in server.requests] == [
        "/v1/files",
        "/v1/files?after=A",
        "/v1/files?after=B",
    ]


async def test_a_cycle_back_to_the_starting_cursor_is_caught(
    faults: Faults, server: FaultServer
) -> None:
    def page(item: str) -> Json:
        return Json(200, {"data": [{"id": item}], "has_more": True, "last_id": item})

    server.add("/v1/files", page("B"), page("A"))
    client = faults.client()

    with pytest.raises(errors.PaginationCycleError) as info:
        await items(faults, client.files.list_pages(after="A"))

    assert info.value.cursor == "A"
