"""A small, real HTTP/1.1 server that end-to-end tests script one response at a time.

`TestServer` listens on 127.0.0.1 (a free port) in a background thread. A test queues canned
behaviours per path (`server.add("/v1/chat/completions", Json(200, {...}))`) and each request
to that path takes the next one; `server.always(path, behaviour)` answers every further request
the same way. Every request is recorded (method, path, headers, body, connection number) and
every accepted socket is counted, so tests can check retries and keep-alive.

The behaviours write the response bytes by hand where it matters: chunked transfer encoding,
a body trickled byte by byte, silence after the headers, or a TCP reset (SO_LINGER 0) before
the response, after the headers or in the middle of the body. `EventStream` writes a
server-sent-event stream part by part, as a model server does, and records what it sent and
whether the client went away; it can hold each part until the test lets it go, pause, then end
the body properly, cut it with a FIN before the chunked body's end, or drop it with a reset.

All waits inside handlers wait on the server's stop event, so `close()` interrupts them; it then
shuts every open connection down and joins every handler thread: no thread or socket outlives
the server.
"""

from __future__ import annotations

import collections
import contextlib
import gzip
import http.server
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from typing_extensions import Self

_JOIN_TIMEOUT = 5.0


class _StopError(Exception):
    """The server is shutting down: abandon the response."""


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    connection: int
    """The number of the connection it came on (1 for the first accepted socket)."""

    def json(self) -> Any:
        return orjson.loads(self.body)


class Behaviour:
    """How the server answers one request."""

    def respond(self, handler: _Handler) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Json(Behaviour):
    """A complete response with a JSON (or raw bytes) body and a Content-Length."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict[str, str])

    def respond(self, handler: _Handler) -> None:
        content = self.body if isinstance(self.body, bytes) else orjson.dumps(self.body)
        headers = {"Content-Type": "application/json", **self.headers}
        handler.send_whole(self.status, headers, content)


@dataclass(frozen=True)
class Html(Behaviour):
    """An HTML page, as a proxy or load balancer in front of an API sends on failure."""

    status: int
    text: str

    def respond(self, handler: _Handler) -> None:
        content = self.text.encode()
        handler.send_whole(self.status, {"Content-Type": "text/html"}, content)


@dataclass(frozen=True)
class Gzip(Behaviour):
    """A JSON body sent with `Content-Encoding: gzip`."""

    body: Any
    status: int = 200

    def respond(self, handler: _Handler) -> None:
        content = gzip.compress(orjson.dumps(self.body))
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        handler.send_whole(self.status, headers, content)


@dataclass(frozen=True)
class Chunked(Behaviour):
    """A body in `Transfer-Encoding: chunked`, one chunk per part, `delay` s apart."""

    parts: Sequence[bytes]
    status: int = 200
    delay: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict[str, str])

    def respond(self, handler: _Handler) -> None:
        headers = {"Content-Type": "application/json", **self.headers}
        handler.send_head(self.status, {**headers, "Transfer-Encoding": "chunked"})
        for index, part in enumerate(self.parts):
            if index and self.delay:
                handler.wait(self.delay)
            handler.send_bytes(b"%x\r\n%s\r\n" % (len(part), part))
        handler.send_bytes(b"0\r\n\r\n")


@dataclass(frozen=True)
class Slow(Behaviour):
    """Headers at once, then `silence` seconds of nothing, then the body `step` bytes at a time.

    `delay` is the pause between two pieces of the body.
    """

    body: bytes
    silence: float = 0.0
    step: int = 1
    delay: float = 0.0
    status: int = 200

    def respond(self, handler: _Handler) -> None:
        handler.send_head(self.status, {"Content-Type": "application/json"}, len(self.body))
        if self.silence:
            handler.wait(self.silence)
        for start in range(0, len(self.body), self.step):
            if start and self.delay:
                handler.wait(self.delay)
            handler.send_bytes(self.body[start : start + self.step])


@dataclass(frozen=True)
class Reset(Behaviour):
    """Close the connection with a TCP reset (SO_LINGER 0).

    `when` is "before" (nothing sent), "headers" (after the headers of a 200 with a body
    announced) or "body" (after half of the body).
    """

    when: str = "before"

    def respond(self, handler: _Handler) -> None:
        body = orjson.dumps({"id": "cut-off", "padding": "x" * 64})
        if self.when != "before":
            handler.send_head(200, {"Content-Type": "application/json"}, length=len(body))
        if self.when == "body":
            handler.send_bytes(body[: len(body) // 2])
        handler.reset()


_HOLD_TIMEOUT = 10.0  # how long a held part waits for the test before it is sent anyway


@dataclass(eq=False)
class EventStream(Behaviour):
    """A `text/event-stream` answer written part by part, `delay` s apart; for one request.

    Each of `parts` is one write (one chunk when `chunked`): a whole event, several, or a piece
    of one. Without `chunked` the body has no length and ends when the connection closes
    (`Connection: close`), as some servers and proxies send streams.

    Args:
        parts: The raw bytes to send, in writes.
        delay: The pause before every part but the first.
        hold: Indexes of parts sent only once the test calls `advance()` (each call lets one
            held part go; after `_HOLD_TIMEOUT` s it goes anyway, so a broken client fails
            its assertions instead of hanging).
        pause: `(index, seconds)`: silence before that part, on top of `delay`.
        end: After the last part, "finish" ends the body properly (the last chunk, or the
            close that delimits it), "close" closes the connection (a FIN) in the middle of the
            chunked body, "reset" drops it with a TCP reset.
        chunked: `Transfer-Encoding: chunked`, else a body delimited by closing the connection.
        headers: Extra response headers (an `x-request-id`, say).

    Attributes:
        sent: The `time.monotonic()` at which each part was written, taken just before the
            write (so a client that has a part's item always finds it counted).
        outcome: "finished" once the answer was written whole, "client gone" when a write failed
            because the client had closed the connection, None while it runs (or when the
            server stopped it).
        done: Set when the handler stops writing, whatever the outcome.
    """

    parts: Sequence[bytes]
    delay: float = 0.0
    hold: frozenset[int] = frozenset()
    pause: tuple[int, float] | None = None
    end: str = "finish"
    chunked: bool = True
    headers: Mapping[str, str] = field(default_factory=dict[str, str])
    sent: list[float] = field(default_factory=list[float], init=False)
    outcome: str | None = field(default=None, init=False)
    done: threading.Event = field(default_factory=threading.Event, init=False)
    _released: threading.Semaphore = field(
        default_factory=lambda: threading.Semaphore(0), init=False
    )

    def advance(self) -> None:
        """Let the next held part go."""
        self._released.release()

    def respond(self, handler: _Handler) -> None:
        headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        headers.update(self.headers)
        if self.chunked:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Connection"] = "close"
        if self.end not in ("finish", "close", "reset"):
            raise ValueError(f"unknown end {self.end!r}")
        try:
            handler.send_head(200, headers)
            for index, part in enumerate(self.parts):
                if index in self.hold:
                    handler.wait_for(self._released, _HOLD_TIMEOUT)
                if index and self.delay:
                    handler.wait(self.delay)
                if self.pause is not None and self.pause[0] == index:
                    handler.wait(self.pause[1])
                self.sent.append(time.monotonic())  # before the write: the client may be quicker
                handler.send_bytes(b"%x\r\n%s\r\n" % (len(part), part) if self.chunked else part)
            if self.end == "reset":
                handler.reset()
            elif self.end == "close" or not self.chunked:
                handler.close_connection = True  # the server then shuts the socket: a FIN
            else:
                handler.send_bytes(b"0\r\n\r\n")
            self.outcome = "finished"
        except OSError:  # the client closed the connection
            self.outcome = "client gone"
            handler.close_connection = True
        finally:
            self.done.set()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: TestServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # As real servers do: no Nagle delay between the head and the body written after it.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.number = self.server.accepted()

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (OSError, _StopError):
            self.close_connection = True

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        request = Request(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            connection=self.number,
        )
        behaviour = self.server.take(path, request)
        behaviour.respond(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server's names

    # -- helpers for the behaviours --

    def send_head(self, status: int, headers: Mapping[str, str], length: int | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {_reason(status)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        self.send_bytes(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send_whole(self, status: int, headers: Mapping[str, str], content: bytes) -> None:
        """Head and body in one write, as most servers send a small response."""
        lines = [f"HTTP/1.1 {status} {_reason(status)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(content)}")
        self.send_bytes(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + content)

    def send_bytes(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def wait(self, seconds: float) -> None:
        if self.server.stopping.wait(seconds):
            raise _StopError

    def wait_for(self, semaphore: threading.Semaphore, timeout: float) -> None:
        """Take `semaphore`, giving up after `timeout` s; the server's stop interrupts it."""
        deadline = time.monotonic() + timeout
        while not semaphore.acquire(timeout=0.05):
            if self.server.stopping.is_set():
                raise _StopError
            if time.monotonic() > deadline:
                return

    def reset(self) -> None:
        """Drop the connection with a RST: SO_LINGER on with a zero timeout, then close."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # its reference would keep the descriptor open past close()
        self.connection.close()
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `server.requests` instead."""


def _reason(status: int) -> str:
    return http.server.BaseHTTPRequestHandler.responses.get(status, ("Unknown",))[0]


class TestServer(http.server.ThreadingHTTPServer):
    """The scriptable server; use it as a context manager or call `start()` and `close()`."""

    __test__: ClassVar[bool] = False  # not a pytest test class
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default 5 drops SYNs when many clients connect at once

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stopping = threading.Event()
        self.requests: list[Request] = []
        self.connections = 0
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._queues: dict[str, collections.deque[Behaviour]] = {}
        self._always: dict[str, Behaviour] = {}
        self._sockets: set[socket.socket] = set()
        self._handler_threads: list[threading.Thread] = []
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- scripting --

    def add(self, path: str, *behaviours: Behaviour) -> Self:
        """Queue behaviours for the next requests to `path`, in order."""
        with self._lock:
            self._queues.setdefault(path, collections.deque()).extend(behaviours)
        return self

    def always(self, path: str, behaviour: Behaviour) -> Self:
        """Answer every request to `path` that finds its queue empty with `behaviour`."""
        with self._lock:
            self._always[path] = behaviour
        return self

    def take(self, path: str, request: Request) -> Behaviour:
        with self._lock:
            self.requests.append(request)
            queue = self._queues.get(path)
            if queue:
                return queue.popleft()
            fallback = self._always.get(path)
        if fallback is not None:
            return fallback
        return Json(404, {"error": {"message": f"no canned response for {path}"}})

    # -- connection bookkeeping --

    def accepted(self) -> int:
        with self._lock:
            self.connections += 1
            return self.connections

    def process_request(self, request: Any, client_address: Any) -> None:
        """One daemon thread per connection, remembered (with its socket) for `close()`."""
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._lock:
            self._sockets.add(request)
            self._handler_threads.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep a handler's unexpected exception for `close()` to raise (a bug in the server).

        A client that gives up mid-response (what several tests do on purpose) is no error:
        the handler drops that connection quietly, and socket errors are never kept.
        """
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            with self._lock:
                self.errors.append(error)

    # -- life cycle --

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting, cut every open connection, join every thread, close the socket."""
        self.stopping.set()
        if self._thread is not None:
            self.shutdown()
            self._thread.join(_JOIN_TIMEOUT)
        with self._lock:
            sockets, threads = list(self._sockets), list(self._handler_threads)
        for sock in sockets:
            # Wakes a handler waiting for the next request; the socket may be gone already.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(_JOIN_TIMEOUT)
        self.server_close()
        leftover = [thread for thread in threads if thread.is_alive()]
        if leftover or (self._thread is not None and self._thread.is_alive()):
            raise RuntimeError(f"test server threads did not stop: {leftover}")
        if self.errors:
            raise RuntimeError("a test server handler failed") from self.errors[0]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()
