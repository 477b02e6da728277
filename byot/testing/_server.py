"""`serve()` and `python -m byot.testing`: the spec mock over real sockets, for any HTTP client.

A stdlib `ThreadingHTTPServer` in a background thread turns each request into an
`httpx.Request`, lets the mock answer it, and writes the answer back: JSON and bytes with a
`Content-Length`, event streams with chunked transfer encoding, one chunk per event, as model
servers send them. It listens on 127.0.0.1 unless told otherwise: the mock has no
authentication, so it refuses other interfaces unless `allow_remote=True`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import ipaddress
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO, cast

import httpx

from byot._override import override
from byot._sse import is_event_stream
from byot.testing._mock import SpecMock
from byot.testing._routes import error_response

if TYPE_CHECKING:
    from collections.abc import Generator

__all__ = ["main", "serve"]

_LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection: every request on it answered by the server's mock."""

    protocol_version = "HTTP/1.1"  # keep-alive, and chunked event streams

    @override
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and examples read their own output, not an access log."""

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            body = bytearray()
            while size := int(self.rfile.readline().split(b";")[0], 16):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()  # the blank line after the last chunk: clients send no trailers
            return bytes(body)
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _answer(self) -> None:
        request = httpx.Request(
            self.command,
            f"http://{self.headers.get('host') or 'localhost'}{self.path}",
            headers=[(k, v) for k, v in self.headers.items() if k.lower() != "transfer-encoding"],
            content=self._body(),
        )
        server = cast("_Server", self.server)
        operation = None
        try:
            call = server.mock.handle(request)
            response, operation = call.response, call.operation_id
            body = response.read()
        except Exception as exc:  # noqa: BLE001 - reported to the client, which is waiting
            message = f"byot.testing: the mock failed on {self.command} {self.path}: {exc!r}"
            response = error_response(500, message, code="mock_error")
            body = response.read()
        if server.log is not None:  # written before the answer: a client that has it sees it
            named = f" ({operation})" if operation else ""
            server.log.write(f"{self.command} {self.path} {response.status_code}{named}\n")
            server.log.flush()
        self.send_response(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        if is_event_stream(response.headers.get("content-type")):
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for event in body.split(b"\n\n"):
                if event:
                    frame = event + b"\n\n"
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815 - the base's names


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    mock: SpecMock
    log: TextIO | None = None

    @override
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a failing handler, but not a client that hung up (no traceback for that).

        Clients close streams early all the time (a `break`, a `close()`, Ctrl-C): the write
        that meets the closed socket raises `BrokenPipeError` or `ConnectionResetError`.
        """
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


@contextlib.contextmanager
def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    mock: SpecMock | None = None,
    allow_remote: bool = False,
    log: TextIO | None = None,
) -> Generator[str, None, None]:
    """Serve a `SpecMock` over HTTP in a background thread while the block runs.

    Example:
        ```python
        import byot
        from byot.testing import serve

        with serve() as base_url:  # e.g. http://127.0.0.1:54321/v1
            client = byot.Client(base_url=base_url, api_key="sk-test")
            print(client.models.list()["data"][0]["id"])
        ```

    Args:
        host: The interface to listen on.
        port: The port; 0 picks a free one.
        mock: The mock to serve (its `calls` record every request); a new `SpecMock()` if None.
        allow_remote: Listen on a host that is not a loopback address. The mock has no
            authentication: only for networks you trust.
        log: Where to write one line per request answered (method, path, status and
            operation), written before the answer is sent; None for no log.

    Yields:
        The base URL to give a client, `http://HOST:PORT/v1`.

    Raises:
        ValueError: `host` is not a loopback address and `allow_remote` is False.
    """
    if not allow_remote and not _is_loopback(host):
        raise ValueError(
            f"byot.testing.serve listens on loopback addresses only, got host={host!r}; "
            "pass allow_remote=True to serve other interfaces"
        )
    server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
    server.mock = mock if mock is not None else SpecMock()
    server.log = log
    thread = threading.Thread(target=server.serve_forever, name="byot.testing.serve", daemon=True)
    thread.start()
    try:
        shown = f"[{host}]" if ":" in host else host
        yield f"http://{shown}:{server.server_port}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> int:
    """`python -m byot.testing`: serve the spec mock until interrupted (Ctrl-C).

    Each request answered is logged on standard output: method, path, status and operation.

    Args:
        argv: The command line arguments (default `sys.argv[1:]`).

    Returns:
        The exit status: 0 after Ctrl-C, 2 for bad arguments.
    """
    parser = argparse.ArgumentParser(
        prog="python -m byot.testing",
        description="Serve a mock of the OpenAI API that answers every operation of the spec "
        "with its documented example.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port, 0 for any (default 8000)")
    parser.add_argument(
        "--no-validate", action="store_true", help="answer invalid requests too (no 400s)"
    )
    parser.add_argument(
        "--allow-remote", action="store_true", help="listen on a non-loopback interface"
    )
    args = parser.parse_args(argv)
    mock = SpecMock(validate_requests=not args.no_validate)
    try:
        with serve(
            host=args.host,
            port=args.port,
            mock=mock,
            allow_remote=args.allow_remote,
            log=sys.stdout,
        ) as url:
            sys.stdout.write(
                f"byot.testing: serving the OpenAI spec mock at {url} (Ctrl-C to stop)\n"
            )
            sys.stdout.flush()
            threading.Event().wait()
    except ValueError as exc:
        parser.error(str(exc))
    except KeyboardInterrupt:
        sys.stderr.write("byot.testing: stopped\n")
    return 0
