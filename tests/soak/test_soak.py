"""Soak: many requests and streams through one client, with flat memory and descriptors.

`pytest -m soak tests/soak` runs the full soak (10^5 requests and 10^3 streams per client
kind); the default run does a short version of the same loops (1,000 and 50), so the
measurement itself is always exercised. Both measure the process's resident set size and open
file descriptors after a warm-up and at the end, and print them (`-s` shows the figures).
"""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import byot
from tests.e2e.server import Json
from tests.faults.conftest import busy_connections, pooled_connections
from tests.faults.server import FaultServer, Flood, Linger

if TYPE_CHECKING:
    from collections.abc import Iterator

MB = 1024 * 1024
EVENT = b'data: {"id": "c", "choices": [{"index": 0, "text": "x"}]}\n\n'
PROMPT = {"model": "m", "prompt": "p"}
ANSWER = {"id": "x", "object": "thing", "data": [1, 2, 3]}


def rss() -> int:
    """The resident set size, in bytes (Linux; 0 where /proc is missing)."""
    statm = Path("/proc/self/statm")
    return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") if statm.exists() else 0


def fds() -> int:
    """Open file descriptors of this process (0 where /proc is missing)."""
    fd_dir = Path("/proc/self/fd")
    return len(list(fd_dir.iterdir())) if fd_dir.exists() else 0


class Meter:
    """RSS and descriptors after the warm-up, half-way and at the end."""

    def __init__(self) -> None:
        self.marks: list[tuple[int, int]] = []

    def mark(self) -> None:
        gc.collect()
        self.marks.append((rss(), fds()))

    def check(self, label: str) -> None:
        (rss0, fd0), (rss_half, fd_half), (rss1, fd1) = self.marks
        print(
            f"\nsoak {label}: RSS {rss0 / MB:.1f} -> {rss_half / MB:.1f} -> {rss1 / MB:.1f} MB, "
            f"fds {fd0} -> {fd_half} -> {fd1}"
        )
        # No socket or file left behind: never more descriptors than after the warm-up. Fewer is
        # no leak (the marks settle the server, but one the warm-up opened may close later: seen
        # on Python 3.13, async, 18 -> 17 -> 17), so this is not an equality.
        assert max(fd_half, fd1) <= fd0
        # Flat: the second half adds (next to) nothing, whatever the first half warmed up.
        assert rss1 - rss_half < 4 * MB
        assert rss1 - rss0 < 16 * MB


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        running.always("/v1/things", Json(200, ANSWER))
        yield running


def sizes(request: pytest.FixtureRequest) -> tuple[int, int]:
    """(requests, streams): the full soak under `-m soak`, else the short version."""
    if request.node.get_closest_marker("soak"):
        return 100_000, 1_000
    return 1_000, 50


def served(server: FaultServer, counter: list[int]) -> None:
    """Count the server's records and drop them: the server runs in this process, and its
    list of 10^5 requests would otherwise be the growth the soak measures."""
    counter[0] += len(server.requests)
    server.requests.clear()  # calls are sequential: no append can race this


def _sync_soak(
    server: FaultServer, requests: int, streams: int, meter: Meter, counter: list[int]
) -> None:
    with byot.Client(base_url=server.url + "/v1", api_key="k") as client:
        for phase in range(3):
            n_requests = 50 if phase == 0 else requests // 2
            n_streams = 5 if phase == 0 else streams // 2
            for n in range(n_requests):
                assert client.request("GET", "/things") == ANSWER
                if n % 1000 == 999:
                    served(server, counter)
            for _ in range(n_streams):
                server.add("/v1/completions", Flood(EVENT, 50))
                with client.completions.create_stream(PROMPT) as stream:
                    assert sum(1 for _ in stream) == 50
            assert busy_connections(client) == 0
            served(server, counter)
            server.settle(keep=pooled_connections(client))
            meter.mark()


async def _async_soak(
    server: FaultServer, requests: int, streams: int, meter: Meter, counter: list[int]
) -> None:
    async with byot.AsyncClient(base_url=server.url + "/v1", api_key="k") as client:
        for phase in range(3):
            n_requests = 50 if phase == 0 else requests // 2
            n_streams = 5 if phase == 0 else streams // 2
            for n in range(n_requests):
                assert await client.request("GET", "/things") == ANSWER
                if n % 1000 == 999:
                    served(server, counter)
            for _ in range(n_streams):
                server.add("/v1/completions", Flood(EVENT, 50))
                async with await client.completions.create_stream(PROMPT) as stream:
                    assert len([item async for item in stream]) == 50
            assert busy_connections(client) == 0
            served(server, counter)
            server.settle(keep=pooled_connections(client))
            meter.mark()


def _run(request: pytest.FixtureRequest, server: FaultServer, mode: str) -> None:
    requests, streams = sizes(request)
    meter = Meter()
    counter = [0]
    if mode == "sync":
        _sync_soak(server, requests, streams, meter, counter)
    else:
        asyncio.run(_async_soak(server, requests, streams, meter, counter))
    meter.check(f"{mode} {requests} requests + {streams} streams")
    assert counter[0] == 50 + 5 + requests + streams
    # Requests share one kept-alive connection; a stream's ends with it (byot stops reading at
    # the terminator, so the connection cannot go back to the pool and is closed instead).
    assert server.connections <= 1 + 5 + streams


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_short_soak(request: pytest.FixtureRequest, server: FaultServer, mode: str) -> None:
    _run(request, server, mode)


@pytest.mark.soak
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_soak(request: pytest.FixtureRequest, server: FaultServer, mode: str) -> None:
    _run(request, server, mode)


def test_fewer_descriptors_are_no_leak_but_more_are() -> None:
    # What made the short soak flaky: a server-side socket still closing at the warm-up mark.
    meter = Meter()
    meter.marks = [(MB, 20), (MB, 19), (MB, 19)]
    meter.check("fewer")
    meter.marks = [(MB, 20), (MB, 19), (MB, 20)]
    meter.check("fewer, then back")
    for marks in ([(MB, 20), (MB, 21), (MB, 20)], [(MB, 20), (MB, 20), (MB, 21)]):
        meter.marks = marks
        with pytest.raises(AssertionError):
            meter.check("more")


def test_settling_waits_for_the_servers_half_of_closed_connections(server: FaultServer) -> None:
    linger = Linger()
    server.add("/v1/linger", linger)
    before = fds()
    with byot.Client(base_url=server.url + "/v1", api_key="k") as client:
        assert client.request("GET", "/linger") == {}
        assert pooled_connections(client) == 0  # `Connection: close`: the client's side is shut
    # The server's side is still open: counted now, the process would seem to hold one more.
    assert (server.live_handlers(), fds()) == (1, before + 1)

    linger.release()
    assert server.settle(keep=0) == 0
    assert fds() == before
