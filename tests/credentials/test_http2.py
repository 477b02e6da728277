"""`http2=True` against a real HTTP/2 server: hypercorn over TLS, with a throwaway CA.

trustme makes a CA and a certificate for 127.0.0.1; the client trusts the CA as a user with a
private CA does, through `SSL_CERT_FILE`. HTTP/2 is negotiated by ALPN, so the server, which
also speaks HTTP/1.1, answers in the version the client asked for, and says which.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

import orjson
import pytest
import trustme
from hypercorn.asyncio import serve
from hypercorn.config import Config

import byot
from byot import _transport, errors

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.conftest import Both


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app that answers every request with its HTTP version and authorization."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    headers = dict(scope["headers"])
    body = orjson.dumps(
        {
            "http_version": scope["http_version"],
            "authorization": headers.get(b"authorization", b"").decode(),
        }
    )
    start = {"type": "http.response.start", "status": 200}
    await send({**start, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


class Http2Server:
    """hypercorn serving `app` over TLS on 127.0.0.1, in a thread with its own event loop."""

    def __init__(self, directory: Path) -> None:
        ca = trustme.CA()
        certificate = ca.issue_cert("127.0.0.1")
        self.ca_file = directory / "ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert_file, key_file = directory / "cert.pem", directory / "key.pem"
        certificate.cert_chain_pems[0].write_to_path(str(cert_file))
        certificate.private_key_pem.write_to_path(str(key_file))
        listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{listener.getsockname()[1]}"
        self.config = Config()
        self.config.bind = [f"fd://{listener.detach()}"]  # hypercorn owns and closes it
        self.config.certfile, self.config.keyfile = str(cert_file), str(key_file)
        self.config.alpn_protocols = ["h2", "http/1.1"]
        self.config.accesslog = self.config.errorlog = None
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(
            serve(app, self.config, shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]
        )
        self._loop.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


@pytest.fixture(scope="module")
def h2_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Http2Server]:
    server = Http2Server(tmp_path_factory.mktemp("tls"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def trusted(h2_server: Http2Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Http2Server]:
    """The server's CA trusted through SSL_CERT_FILE (byot's SSL context is built afresh)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(h2_server.ca_file))
    _transport.ssl_context.cache_clear()
    yield h2_server
    _transport.ssl_context.cache_clear()


@pytest.mark.parametrize(("http2", "version"), [(True, "2"), (False, "1.1")])
def test_http2_is_spoken_when_asked_for(
    both: Both, trusted: Http2Server, http2: bool, version: str
) -> None:
    client = both.client(base_url=trusted.url + "/v1", http2=http2, api_key=lambda: "sk-fresh")

    answers = both.run(_twice(client))

    assert answers == [{"http_version": version, "authorization": "Bearer sk-fresh"}] * 2


async def _twice(client: Any) -> list[Any]:
    """Two calls on one connection, in one event loop, then the client closed."""
    answers = []
    for _ in range(2):
        answer = client.request("GET", "/models")
        answers.append(await answer if inspect.isawaitable(answer) else answer)
    await _close(client)
    return answers


async def _close(client: Any) -> None:
    closed = client.close() if isinstance(client, byot.Client) else client.aclose()
    if inspect.isawaitable(closed):
        await closed


def test_http2_needs_the_h2_package(both: Both, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h2", None)  # as if it were not installed

    with pytest.raises(errors.ConfigError) as info:
        both.client(base_url="https://h.example/v1", http2=True)

    assert "pip install 'byot-client[http2]'" in str(info.value)


def test_http2_is_for_byot_s_own_pool(both: Both) -> None:
    import httpx

    with pytest.raises(TypeError, match="http2=True configures byot's own connection pool"):
        both.client(lambda request: httpx.Response(200), http2=True)


def test_import_byot_does_not_load_h2() -> None:
    import subprocess

    code = "import sys, byot; print('h2' in sys.modules)"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_a_client_without_http2_makes_a_plain_pool() -> None:
    client = byot.Client(base_url="https://h.example/v1")
    assert client._connection.transport is not None
    client.close()
