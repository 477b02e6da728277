"""`byot._deadline_io`: every socket operation of byot's own pools ends at the call's deadline."""

from __future__ import annotations

import socket
import ssl
from typing import TYPE_CHECKING

import anyio
import httpcore
import httpx
import pytest

from byot import _deadline_io
from byot._timeout import DEADLINE, Deadline

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.anyio


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def test_without_a_deadline_operations_pass_as_they_are() -> None:
    stream = _deadline_io._Stream(httpcore.MockStream([b"hello"]))
    assert stream.read(10, timeout=None) == b"hello"
    stream.write(b"x", timeout=None)
    assert stream.get_extra_info("socket") is None
    assert isinstance(stream.start_tls(ssl.create_default_context()), _deadline_io._Stream)
    stream.close()


def test_a_passed_deadline_fails_each_operation_as_its_own_timeout() -> None:
    stream = _deadline_io._Stream(httpcore.MockStream([b"hello"]))
    scope = DEADLINE.set(Deadline(0))
    try:
        with pytest.raises(httpcore.ReadTimeout, match="total deadline ran out"):
            stream.read(10, timeout=5)
        with pytest.raises(httpcore.WriteTimeout):
            stream.write(b"x", timeout=5)
        with pytest.raises(httpcore.ConnectTimeout):
            stream.start_tls(ssl.create_default_context(), timeout=5)
        with pytest.raises(httpcore.ConnectTimeout):
            _deadline_io.DeadlineBackend().connect_tcp("127.0.0.1", 9, timeout=5)
    finally:
        DEADLINE.reset(scope)


class _Recorder(httpcore.MockStream):
    """Records the timeout each read is given."""

    def __init__(self) -> None:
        super().__init__([b"a", b"b"])
        self.timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.timeouts.append(timeout)
        return super().read(max_bytes, timeout)


def test_a_read_waits_at_most_what_is_left() -> None:
    inner = _Recorder()
    stream = _deadline_io._Stream(inner)
    scope = DEADLINE.set(Deadline(100))
    try:
        stream.read(10, timeout=5)  # the phase limit is shorter: kept
        stream.read(10, timeout=None)  # no phase limit: what is left of the deadline
    finally:
        DEADLINE.reset(scope)
    assert inner.timeouts[0] == 5
    assert inner.timeouts[1] is not None
    assert 99 < inner.timeouts[1] <= 100


def test_the_sync_backend_connects_within_the_deadline(listener: int) -> None:
    scope = DEADLINE.set(Deadline(30))
    try:
        stream = _deadline_io.DeadlineBackend().connect_tcp("127.0.0.1", listener, timeout=5)
    finally:
        DEADLINE.reset(scope)
    assert isinstance(stream, _deadline_io._Stream)
    stream.close()


async def test_the_async_backend_and_stream(listener: int) -> None:
    backend = _deadline_io.AsyncDeadlineBackend()
    stream = await backend.connect_tcp("127.0.0.1", listener, timeout=5)
    assert isinstance(stream, _deadline_io._AsyncStream)
    assert stream.get_extra_info("socket") is not None
    await stream.aclose()
    mock = _deadline_io._AsyncStream(httpcore.AsyncMockStream([b"hello"]))
    assert await mock.read(10) == b"hello"
    await mock.write(b"x")
    assert isinstance(await mock.start_tls(ssl.create_default_context()), _deadline_io._AsyncStream)
    scope = DEADLINE.set(Deadline(0))
    try:
        with pytest.raises(httpcore.ReadTimeout):
            await mock.read(10, timeout=1)
        with pytest.raises(httpcore.ConnectTimeout):
            await backend.connect_tcp("127.0.0.1", listener, timeout=5)
    finally:
        DEADLINE.reset(scope)


def test_install_sets_the_backend_of_httpx_pools_only() -> None:
    sync = httpx.HTTPTransport()
    asynchronous = httpx.AsyncHTTPTransport()
    _deadline_io.install(sync)
    _deadline_io.install(asynchronous)
    _deadline_io.install(httpx.MockTransport(lambda request: httpx.Response(200)))
    assert isinstance(sync._pool._network_backend, _deadline_io.DeadlineBackend)
    assert isinstance(asynchronous._pool._network_backend, _deadline_io.AsyncDeadlineBackend)


async def test_the_async_stream_polls_its_socket_for_readability() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        backend = _deadline_io.AsyncDeadlineBackend()
        stream = await backend.connect_tcp("127.0.0.1", server.getsockname()[1], timeout=5)
        peer, _ = server.accept()
        with peer:
            assert stream.get_extra_info("is_readable") is False  # idle, nothing sent
            peer.close()  # the server drops a kept-alive connection: EOF to read
            for _ in range(100):
                if stream.get_extra_info("is_readable"):
                    break
                await anyio.sleep(0.01)
            assert stream.get_extra_info("is_readable") is True
        await stream.aclose()
