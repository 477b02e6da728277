"""The fault server: the suite's real-socket test server, with the faults a network can make.

`FaultServer` is `tests.e2e.server.TestServer` (scripted per path, every request recorded)
plus what a fault suite needs to see and do: how many connections are open right now (to prove
a client gave every one back), and behaviours that write raw bytes: silence before the status
line, a bad `Content-Encoding`, a deflate body, a body of any size generated as it is written,
an event stream of any length, or any bytes followed by a FIN or a reset.
"""

from __future__ import annotations

import select
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tests.e2e.server import Behaviour, TestServer, _StopError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tests.e2e.server import _Handler

_DRAIN_TIMEOUT = 10.0  # how long the server's side may take to notice a client hung up
_POLL = 0.02


def idle(handler: _Handler, seconds: float) -> None:
    """Send nothing for `seconds`, but stop as soon as the client hangs up.

    Raises:
        OSError: The client closed the connection (the handler then drops it quietly).
    """
    deadline = time.monotonic() + seconds
    sock = handler.connection
    while time.monotonic() < deadline:
        if handler.server.stopping.wait(_POLL):
            raise _StopError
        readable, _, _ = select.select([sock], [], [], 0)
        if readable and not sock.recv(1, socket.MSG_PEEK):
            raise ConnectionAbortedError("the client hung up")


class FaultServer(TestServer):
    """A `TestServer` that reports its open connections."""

    __test__ = False

    def open_connections(self) -> int:
        """Connections accepted and not yet shut by the server's side."""
        with self._lock:
            return len(self._sockets)

    def wait_drained(self) -> int:
        """Wait until the clients' connections are gone; the count left (0 unless leaked).

        A handler notices a client's close only on its next read, so this polls; it never
        judges speed, only whether the count reaches 0 within a generous bound.
        """
        deadline = time.monotonic() + _DRAIN_TIMEOUT
        while self.open_connections() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.open_connections()

    def live_handlers(self) -> int:
        """Connection threads still running: each holds its socket's descriptor until it ends."""
        with self._lock:
            threads = list(self._handler_threads)
        return sum(thread.is_alive() for thread in threads)

    def settle(self, keep: int = 0) -> int:
        """Wait until at most `keep` connection threads run; the count left.

        The server shares the test's process, so its half of a connection the client already
        closed counts among the process's descriptors until its thread notices and ends; a
        test that counts descriptors settles the server first, keeping the connections the
        client still pools. Bounded like `wait_drained`; it never judges speed.
        """
        deadline = time.monotonic() + _DRAIN_TIMEOUT
        while self.live_handlers() > keep and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.live_handlers()


@dataclass(frozen=True)
class Raw(Behaviour):
    """Write `data` as it is (status line, headers and body by hand), then end as `end` says.

    `end` is "keep" (leave the connection open for the next request), "close" (a FIN),
    "reset" (an RST) or "hang" (send nothing more until the client hangs up, at most 10 s).
    """

    data: bytes
    end: str = "close"

    def respond(self, handler: _Handler) -> None:
        handler.send_bytes(self.data)
        if self.end == "hang":
            idle(handler, _DRAIN_TIMEOUT)
            handler.close_connection = True
        elif self.end == "reset":
            handler.reset()
        elif self.end == "close":
            handler.close_connection = True


@dataclass(frozen=True)
class Silence(Behaviour):
    """Say nothing for `seconds` (the status line is late), then answer as `then` does."""

    seconds: float
    then: Behaviour

    def respond(self, handler: _Handler) -> None:
        idle(handler, self.seconds)
        self.then.respond(handler)


@dataclass(frozen=True)
class Encoded(Behaviour):
    """A body sent with a `Content-Encoding` ("deflate", or anything with `raw` bytes)."""

    content: bytes
    encoding: str = "deflate"
    status: int = 200
    raw: bool = False
    headers: Mapping[str, str] = field(default_factory=dict[str, str])

    def respond(self, handler: _Handler) -> None:
        body = self.content if self.raw else zlib.compress(self.content)
        headers = {"Content-Type": "application/json", "Content-Encoding": self.encoding}
        handler.send_whole(self.status, {**headers, **self.headers}, body)


_BLOCK = 1 << 16


@dataclass(frozen=True)
class Big(Behaviour):
    """A body of `size` bytes with a Content-Length, generated block by block as it is sent."""

    size: int
    content_type: str = "application/octet-stream"

    def respond(self, handler: _Handler) -> None:
        handler.send_head(200, {"Content-Type": self.content_type}, self.size)
        block = b"\xab" * _BLOCK
        left = self.size
        while left:
            piece = block[: min(left, _BLOCK)]
            handler.send_bytes(piece)
            left -= len(piece)


@dataclass(frozen=True)
class Flood(Behaviour):
    """A chunked event stream of `count` copies of `event`, then `terminator`, in big writes."""

    event: bytes
    count: int
    terminator: bytes = b"data: [DONE]\n\n"

    def respond(self, handler: _Handler) -> None:
        headers = {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"}
        handler.send_head(200, headers)
        per_write = max(1, _BLOCK // len(self.event))
        left = self.count
        while left:
            n = min(left, per_write)
            part = self.event * n
            handler.send_bytes(b"%x\r\n%s\r\n" % (len(part), part))
            left -= n
        handler.send_bytes(b"%x\r\n%s\r\n0\r\n\r\n" % (len(self.terminator), self.terminator))


@dataclass(frozen=True, eq=False)
class Linger(Behaviour):
    """A whole JSON answer with `Connection: close`; the server closes only once `release`d.

    The server's half of the connection outlives the client's, as it does whenever a handler
    is slow to notice; `release()` lets it close (after 10 s it closes anyway).
    """

    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()

    def respond(self, handler: _Handler) -> None:
        headers = {"Content-Type": "application/json", "Connection": "close"}
        handler.send_whole(200, headers, b"{}")
        deadline = time.monotonic() + _DRAIN_TIMEOUT
        while not self.released.wait(_POLL) and time.monotonic() < deadline:
            if handler.server.stopping.is_set():
                raise _StopError
        handler.close_connection = True


@dataclass(frozen=True)
class Echo(Behaviour):
    """A JSON answer naming the request's path and query, so concurrent callers can check theirs."""

    def respond(self, handler: _Handler) -> None:
        body = b'{"path": "%s"}' % handler.path.encode()
        handler.send_whole(200, {"Content-Type": "application/json"}, body)


@dataclass(frozen=True)
class Trickle(Behaviour):
    """A status line and headers that never end: one byte every `gap` s, until the client leaves.

    Every read gets a byte long before any read timeout, so only a deadline on the whole wait
    for the headers ends it; after 10 s the server closes the connection.
    """

    gap: float

    def respond(self, handler: _Handler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "
        for index in range(int(_DRAIN_TIMEOUT / self.gap)):
            idle(handler, self.gap)
            handler.send_bytes(head[index : index + 1] or b"p")
        handler.close_connection = True


@dataclass(frozen=True)
class Drip(Behaviour):
    """An event stream that sends `first`, then `part` every `gap` s until the client leaves.

    A keep-alive comment (`part=b": ping\\n\\n"`) or slow events: the stream never ends, and
    never goes silent long enough for a read timeout.
    """

    part: bytes
    gap: float
    first: bytes = b""

    def respond(self, handler: _Handler) -> None:
        headers = {"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"}
        handler.send_head(200, headers)
        if self.first:
            handler.send_bytes(b"%x\r\n%s\r\n" % (len(self.first), self.first))
        for _ in range(int(_DRAIN_TIMEOUT / self.gap)):
            idle(handler, self.gap)
            handler.send_bytes(b"%x\r\n%s\r\n" % (len(self.part), self.part))
        handler.close_connection = True


@dataclass(frozen=True)
class Endless(Behaviour):
    """A chunked body that never ends: `head` once, then `block` again and again.

    It stops when the client hangs up (a write fails) or after `limit` bytes, a bound for a
    client that would read on forever.
    """

    block: bytes
    head: bytes = b""
    content_type: str = "application/json"
    limit: int = 8 << 30

    def respond(self, handler: _Handler) -> None:
        headers = {"Content-Type": self.content_type, "Transfer-Encoding": "chunked"}
        handler.send_head(200, headers)
        if self.head:
            handler.send_bytes(b"%x\r\n%s\r\n" % (len(self.head), self.head))
        chunk = b"%x\r\n%s\r\n" % (len(self.block), self.block)
        for _ in range(self.limit // len(self.block)):
            handler.send_bytes(chunk)
        handler.close_connection = True
