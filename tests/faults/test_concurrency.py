"""One client shared by many threads or tasks; the event loop an AsyncClient belongs to.

Each caller asks for its own path and checks that the answer names it, so a response handed to
the wrong caller (a pool mix-up) would fail the test, not just a count.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
import pytest
import trio

import byot
from tests.faults.conftest import busy_connections, pooled_connections
from tests.faults.server import Echo

if TYPE_CHECKING:
    from tests.faults.server import FaultServer

pytestmark = pytest.mark.anyio

THREADS = 16
CALLS = 40


def test_one_client_shared_by_many_threads(server: FaultServer) -> None:
    server.always("/v1/echo", Echo())
    client = byot.Client(base_url=server.url + "/v1", api_key="k")

    def work(worker: int) -> list[str]:
        return [
            client.request("GET", "/echo", query={"w": worker, "n": n})["path"]
            for n in range(CALLS)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(work, range(THREADS)))

    for worker, paths in enumerate(results):
        assert paths == [f"/v1/echo?w={worker}&n={n}" for n in range(CALLS)]
    assert len(server.requests) == THREADS * CALLS
    assert server.connections <= THREADS  # connections are reused, not opened per call
    assert busy_connections(client) == 0
    client.close()
    assert server.wait_drained() == 0


async def test_one_async_client_shared_by_many_tasks(server: FaultServer) -> None:
    server.always("/v1/echo", Echo())
    tasks = THREADS * CALLS // 4
    async with byot.AsyncClient(base_url=server.url + "/v1", api_key="k") as client:
        answers = await asyncio.gather(
            *(client.request("GET", "/echo", query={"n": n}) for n in range(tasks))
        )
        assert [answer["path"] for answer in answers] == [f"/v1/echo?n={n}" for n in range(tasks)]
        assert busy_connections(client) == 0
    assert server.wait_drained() == 0


def test_an_async_client_refuses_a_second_event_loop(server: FaultServer) -> None:
    server.always("/v1/echo", Echo())
    client = byot.AsyncClient(base_url=server.url + "/v1", api_key="k")

    first = asyncio.new_event_loop()
    assert first.run_until_complete(client.request("GET", "/echo"))["path"] == "/v1/echo"
    with pytest.raises(RuntimeError, match="create one AsyncClient per event loop"):
        asyncio.run(client.request("GET", "/echo"))

    errors: list[BaseException] = []

    def in_a_thread() -> None:  # a loop running alongside the first one
        try:
            asyncio.run(client.request("GET", "/echo"))
        except RuntimeError as exc:
            errors.append(exc)

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert [str(e) for e in errors] == [
        "this AsyncClient was first used in another event loop, and its pooled connections "
        "belong to that loop: create one AsyncClient per event loop (for example inside the "
        "coroutine that asyncio.run() runs)"
    ]
    assert len(server.requests) == 1
    first.run_until_complete(client.aclose())
    first.close()
    assert server.wait_drained() == 0


def test_an_async_client_under_trio_refuses_a_second_trio_run(server: FaultServer) -> None:
    server.always("/v1/echo", Echo())
    client = byot.AsyncClient(base_url=server.url + "/v1", api_key="k")

    async def call() -> str:
        answer = await client.request("GET", "/echo")
        return str(answer["path"])

    assert trio.run(call) == "/v1/echo"
    with pytest.raises(RuntimeError, match="first used in another event loop"):
        trio.run(call)
    trio.run(client.aclose)


def test_an_injected_transport_is_not_bound_to_a_loop() -> None:
    """A transport the caller brings is the caller's to manage: byot does not bind it."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"n": 1}))
    client = byot.AsyncClient(base_url="http://test.local/v1", api_key="k", transport=transport)

    assert asyncio.run(client.request("GET", "/x")) == asyncio.run(client.request("GET", "/x"))


async def test_with_options_copies_share_one_pool(server: FaultServer) -> None:
    server.always("/v1/echo", Echo())
    client = byot.Client(base_url=server.url + "/v1", api_key="k")

    for n in range(100):
        copy = client.with_options(timeout=30, max_retries=n % 3, default_headers={"x-n": str(n)})
        assert copy.request("GET", "/echo", query={"n": n})["path"] == f"/v1/echo?n={n}"
        del copy

    assert server.connections == 1  # a hundred copies, one connection
    assert [r.headers["x-n"] for r in server.requests] == [str(n) for n in range(100)]
    assert pooled_connections(client) == 1
    copy = client.with_options(max_retries=0)
    copy.close()  # closing a copy closes the shared pool
    assert client.is_closed
    assert server.wait_drained() == 0


async def test_async_with_options_copies_share_one_pool_across_tasks(server: FaultServer) -> None:
    server.always("/v1/echo", Echo())
    client = byot.AsyncClient(base_url=server.url + "/v1", api_key="k")
    copies = [client.with_options(default_headers={"x-n": str(n)}) for n in range(50)]

    answers = await asyncio.gather(
        *(c.request("GET", "/echo", query={"n": n}) for n, c in enumerate(copies))
    )

    assert [a["path"] for a in answers] == [f"/v1/echo?n={n}" for n in range(50)]
    assert sorted(int(r.headers["x-n"]) for r in server.requests) == list(range(50))
    assert pooled_connections(client) == server.connections <= 50
    assert busy_connections(client) == 0
    await copies[-1].aclose()
    assert client.is_closed
    assert server.wait_drained() == 0
