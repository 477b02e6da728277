"""The local server that answers every benchmark request with a canned body.

nginx when it is installed: one worker, pinned to CPU 0, serving the fixture files. Its
static handler refuses POST with 405, so `error_page 405 =200 $uri` turns each POST into an
internal GET of the same file (nginx reads and drops the request body first, so keep-alive
holds). Streams go out chunked, as the real API sends them: the SSI filter drops the
Content-Length and passes the bytes through. Every answer carries the headers api.openai.com
sends (`x-request-id`, `openai-*`, `x-ratelimit-*`, ...) since parsing them is part of what a
client pays per request.

Without nginx, `python server.py PORT ROOT` runs the fallback: an asyncio server with every
response pre-built as bytes, pinned to CPU 0. It is slower than nginx but still several
times faster than the fastest client measured; the wrk ceiling in each run's table shows
which server ran and how much headroom it left.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HEADERS = {
    "x-request-id": "req_0b5e2a1c7d9f4e3a8b6c5d4e3f2a1b0c",
    "openai-organization": "org-bench",
    "openai-processing-ms": "385",
    "openai-project": "proj_bench",
    "openai-version": "2020-10-01",
    "x-ratelimit-limit-requests": "30000",
    "x-ratelimit-limit-tokens": "150000000",
    "x-ratelimit-remaining-requests": "29999",
    "x-ratelimit-remaining-tokens": "149999971",
    "x-ratelimit-reset-requests": "2ms",
    "x-ratelimit-reset-tokens": "0s",
    "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
    "x-content-type-options": "nosniff",
}
_STREAM_CHUNK = 32 * 1024  # nginx's output buffer size: the fallback writes chunks as large

_NGINX_CONF = """\
worker_processes 1;
worker_cpu_affinity 01;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 4096; multi_accept on; }}
http {{
    access_log off;
    server_tokens off;
    types {{ }}
    default_type application/json;
    sendfile on;
    tcp_nodelay on;
    etag off;
    open_file_cache max=64 inactive=600s;
    keepalive_timeout 75s;
    keepalive_requests 100000000;
    client_body_buffer_size 64k;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {www};
{headers}
        location = /healthz {{ default_type text/plain; }}
        location /v1/ {{ error_page 405 =200 $uri; }}
        location /sse/ {{
            default_type text/event-stream;
{headers}
            add_header cache-control "no-cache";
            ssi on;
            ssi_types text/event-stream;
            error_page 405 =200 $uri;
        }}
        location / {{ return 404; }}
    }}
}}
"""


def nginx_path() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Server:
    """Starts nginx (or the fallback) on 127.0.0.1:`port`; `stop()` ends exactly that process."""

    def __init__(self, work: Path, www: Path, port: int, *, fallback: bool = False) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self._work, self._www, self._port = work.resolve(), www.resolve(), port
        self._nginx = None if fallback else nginx_path()
        self.kind = "nginx" if self._nginx else "python fallback"
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    def start(self) -> None:
        if healthy(self.base):
            sys.exit(f"something already answers on {self.base}: stop it or pass --port")
        if self._nginx:
            self._start_nginx(self._nginx)
        else:
            self._proc = subprocess.Popen(
                [sys.executable, __file__, str(self._port), str(self._www)]
            )
            self._pid = self._proc.pid
        for _ in range(100):
            if healthy(self.base):
                return
            time.sleep(0.05)
        self.stop()
        sys.exit(f"the {self.kind} server did not come up on {self.base}")

    def _start_nginx(self, nginx: str) -> None:
        run = self._work / f"nginx-{self._port}"  # one directory per server: pid files apart
        run.mkdir(parents=True, exist_ok=True)
        pid_file = run / "nginx.pid"
        pid_file.unlink(missing_ok=True)  # a stale one would name another process
        headers = "\n".join(f'        add_header {k} "{v}";' for k, v in HEADERS.items())
        conf = run / "nginx.conf"
        conf.write_text(
            _NGINX_CONF.format(run=run, port=self._port, www=self._www, headers=headers)
        )
        subprocess.run([nginx, "-q", "-p", str(run), "-c", str(conf)], check=True)
        for _ in range(100):
            if pid_file.exists() and pid_file.read_text().strip():
                self._pid = int(pid_file.read_text())
                return
            time.sleep(0.05)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)
        elif self._pid is not None:
            os.kill(self._pid, signal.SIGQUIT)  # nginx's graceful stop of master and worker
        self._pid = self._proc = None


# -- the fallback server ------------------------------------------------------------------


def _responses(www: Path) -> dict[bytes, bytes]:
    """Request path -> the whole response, head and body, built once."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items())
    out: dict[bytes, bytes] = {}
    for file in sorted(p for p in www.rglob("*") if p.is_file()):
        path = "/" + file.relative_to(www).as_posix()
        body = file.read_bytes()
        if path.startswith("/sse/"):
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                f"Transfer-Encoding: chunked\r\ncache-control: no-cache\r\n{extra}\r\n"
            )
            pieces = [body[i : i + _STREAM_CHUNK] for i in range(0, len(body), _STREAM_CHUNK)]
            payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        else:
            kind = "text/plain" if path == "/healthz" else "application/json"
            head = (
                f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {len(body)}\r\n{extra}\r\n"
            )
            payload = body
        out[path.encode()] = head.encode() + payload
    return out


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


class _Canned(asyncio.Protocol):
    """HTTP/1.1 keep-alive with pipelining: answers each request from the table."""

    def __init__(self, table: dict[bytes, bytes]) -> None:
        self._table = table
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                stop = lower.find(b"\r\n", at + 2)
                length = int(lower[at + 17 : stop if stop >= 0 else None])
            if len(buffer) < end + 4 + length:
                break  # the body has not all arrived
            path = head[head.find(b" ") + 1 : head.find(b" HTTP/")].split(b"?", 1)[0]
            self._transport.write(self._table.get(path, _NOT_FOUND))  # type: ignore[union-attr]
            buffer = buffer[end + 4 + length :]
        self._buffer = buffer


async def _serve(port: int, www: Path) -> None:
    table = _responses(www)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _Canned(table), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {0})
    asyncio.run(_serve(int(sys.argv[1]), Path(sys.argv[2])))
