"""`serve()` and `python -m byot.testing`: the spec mock over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import os
import runpy
import signal
import socket
import struct
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

import byot
from byot.testing import SpecMock, main, serve
from byot.testing._server import _is_loopback

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}


@pytest.fixture
def server() -> Iterator[tuple[str, SpecMock]]:
    mock = SpecMock(validate_requests=False)
    with serve(mock=mock) as url:
        yield url, mock


def test_serve_yields_a_loopback_v1_url(server: tuple[str, SpecMock]) -> None:
    url, _ = server
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/v1")
    assert int(url.split(":")[2].split("/")[0]) > 0


def test_byot_client_over_sockets(server: tuple[str, SpecMock]) -> None:
    url, mock = server
    with byot.Client(base_url=url, api_key="sk-test") as client:
        chat = client.chat.completions.create(CHAT)
        assert chat["choices"][0]["message"]["content"] == "Hello! How can I assist you today?"
        with client.chat.completions.create_stream(CHAT) as chunks:
            assert [c["choices"][0]["finish_reason"] for c in chunks] == [None, None, "stop"]
        with client.responses.create_stream({"model": "m", "input": "x"}) as events:
            assert [name for name, _ in events][-1] == "response.completed"
        upload = client.files.create({"file": ("data.jsonl", b"{}\n"), "purpose": "batch"})
        assert upload["object"] == "file"
        speech = client.audio.speech.create({"model": "tts-1", "input": "hi", "voice": "alloy"})
        assert speech == b"byot.testing: the bytes of createSpeech"
        assert client.files.retrieve("file/with space")["object"] == "file"
    assert [c.operation_id for c in mock.calls] == [
        "createChatCompletion",
        "createChatCompletion",
        "createResponse",
        "createFile",
        "createSpeech",
        "retrieveFile",
    ]
    assert mock.calls[-1].path_params == {"file_id": "file/with space"}
    assert mock.calls[3].request.headers["content-type"].startswith("multipart/form-data")


def test_async_client_over_sockets(server: tuple[str, SpecMock]) -> None:
    url, _ = server

    async def run() -> Any:
        async with byot.AsyncClient(base_url=url, api_key="sk-test") as client:
            chat = await client.chat.completions.create(CHAT)
            stream = await client.chat.completions.create_stream(CHAT)
            return chat, [chunk async for chunk in stream]

    chat, chunks = asyncio.run(run())
    assert chat["object"] == "chat.completion"
    assert len(chunks) == 3


def test_plain_httpx_gets_a_chunked_event_stream(server: tuple[str, SpecMock]) -> None:
    url, _ = server
    with httpx.Client(base_url=url) as client:
        with client.stream("POST", "/chat/completions", json={**CHAT, "stream": True}) as response:
            assert response.status_code == 200
            assert response.headers["transfer-encoding"] == "chunked"
            assert response.headers["content-type"] == "text/event-stream"
            assert "content-length" not in response.headers
            frames = list(response.iter_raw())
        body = b"".join(frames)
        assert body.endswith(b"data: [DONE]\n\n")
        data = [line[6:] for line in body.split(b"\n") if line.startswith(b"data: ")]
        assert [orjson.loads(d)["object"] for d in data[:-1]] == ["chat.completion.chunk"] * 3
        models = client.get("/models")
        assert models.headers["content-length"] == str(len(models.content))
        assert models.json()["object"] == "list"
        missing = client.get("/nowhere")
        assert missing.status_code == 404
        assert "no operation of the OpenAI spec" in missing.json()["error"]["message"]


def test_chunked_request_bodies_are_read(server: tuple[str, SpecMock]) -> None:
    url, mock = server

    def parts() -> Iterator[bytes]:
        yield b'{"model": "gpt-4o-mini", '
        yield b'"messages": [{"role": "user", "content": "Hello!"}]}'

    response = httpx.post(
        f"{url}/chat/completions", content=parts(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert mock.calls[-1].request.headers.get("transfer-encoding") is None
    assert mock.calls[-1].json() == CHAT


def test_a_new_mock_by_default_and_ipv6_loopback() -> None:
    with serve(host="::1") as url:
        assert url.startswith("http://[::1]:")
        assert httpx.get(f"{url}/models").json()["object"] == "list"


def test_non_loopback_hosts_are_refused() -> None:
    with (
        pytest.raises(ValueError, match=r"loopback addresses only.*allow_remote=True"),
        serve(host="0.0.0.0"),  # refused before binding
    ):
        pass
    assert _is_loopback("localhost")
    assert _is_loopback("127.0.0.2")
    assert _is_loopback("::1")
    assert not _is_loopback("10.0.0.1")
    assert not _is_loopback("example.com")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _interrupt_when_up(
    port: int, check: Callable[[str], None], failures: list[BaseException]
) -> None:
    """Wait for the server, run `check` on its URL, then Ctrl-C the main thread."""
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(500):
            with contextlib.suppress(httpx.ConnectError):
                httpx.get(f"{url}/models")
                break
            time.sleep(0.01)
        check(url)
    except BaseException as exc:  # reported by the test, in the main thread
        failures.append(exc)
    finally:
        os.kill(os.getpid(), signal.SIGINT)


def _run_interrupted(target: Callable[[], Any], port: int, check: Callable[[str], None]) -> Any:
    failures: list[BaseException] = []
    helper = threading.Thread(target=_interrupt_when_up, args=(port, check, failures))
    helper.start()
    try:
        return target()
    finally:
        helper.join()
        assert failures == []


def test_main_serves_until_ctrl_c(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()

    def check(url: str) -> None:
        bad = {"model": "m", "messages": [{"role": "usr", "content": "x"}]}
        response = httpx.post(f"{url}/chat/completions", json=bad)
        assert response.status_code == 200  # --no-validate

    status = _run_interrupted(lambda: main(["--port", str(port), "--no-validate"]), port, check)
    assert status == 0
    out, err = capsys.readouterr()
    url = f"http://127.0.0.1:{port}/v1"
    assert out == (
        f"byot.testing: serving the OpenAI spec mock at {url} (Ctrl-C to stop)\n"
        "GET /v1/models 200 (listModels)\n"  # _run_interrupted waiting for the server
        "POST /v1/chat/completions 200 (createChatCompletion)\n"
    )
    assert err == "byot.testing: stopped\n"


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    monkeypatch.setattr(sys, "argv", ["byot.testing", "--port", str(port)])
    monkeypatch.delitem(sys.modules, "byot.testing.__main__", raising=False)

    def check(url: str) -> None:
        assert httpx.get(f"{url}/models").status_code == 200

    with pytest.raises(SystemExit) as exited:
        _run_interrupted(lambda: runpy.run_module("byot.testing", run_name="__main__"), port, check)
    assert exited.value.code == 0
    assert f"127.0.0.1:{port}/v1" in capsys.readouterr().out


def test_main_refuses_a_remote_host(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--host", "192.0.2.1"])
    assert exited.value.code == 2
    assert "pass allow_remote=True" in capsys.readouterr().err


def test_a_failing_mock_answers_500() -> None:
    from byot.testing import Router

    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("handler bug")

    router = Router()
    router.get("/models", handler=broken)
    with serve(mock=SpecMock(routes=router)) as url:
        response = httpx.get(f"{url}/models")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "mock_error"
    assert "GET /v1/models: RuntimeError('handler bug')" in error["message"]


def _long_stream(request: httpx.Request) -> httpx.Response:
    """Far more event bytes than the sockets buffer, so the server is still writing at a close."""
    event = b'data: {"choices": [{"index": 0, "delta": {"content": "' + b"x" * 1000 + b'"}}]}\n\n'
    return httpx.Response(
        200, content=event * 20_000, headers={"content-type": "text/event-stream"}
    )


def _handlers_done() -> None:
    """Wait (bounded) for the server's connection threads, which report their errors on exit."""
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(10)


def test_a_client_closing_a_stream_early_prints_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from byot.testing import Router

    router = Router()
    router.post("/chat/completions", handler=_long_stream)
    with serve(mock=SpecMock(routes=router, validate_requests=False)) as url:
        port = int(url.split(":")[2].split("/")[0])
        with socket.create_connection(("127.0.0.1", port)) as raw:
            raw.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
            )
            assert raw.recv(65536).startswith(b"HTTP/1.1 200 ")
            # A reset, as a client killed mid-stream sends: the server's next write fails.
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        _handlers_done()
        with byot.Client(base_url=url, api_key="sk-test") as client:  # still serving
            assert client.models.list()["object"] == "list"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "Error" not in err


def test_a_failing_handler_still_prints_its_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    from byot.testing import Router

    router = Router()
    # A header value http.server cannot write (it encodes headers as Latin-1): a bug to report.
    snowman = "\u2603".encode()
    router.get("/models", handler=lambda request: httpx.Response(200, headers={b"x-odd": snowman}))
    with serve(mock=SpecMock(routes=router)) as url:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{url}/models")
        _handlers_done()
    assert "UnicodeEncodeError" in capsys.readouterr().err


@pytest.mark.parametrize("content_type", ["Text/Event-Stream; Charset=UTF-8", "TEXT/EVENT-STREAM"])
def test_an_event_stream_in_any_letter_case_is_sent_chunked(content_type: str) -> None:
    from byot.testing import Router

    router = Router()
    events = b'data: {"n": 1}\n\ndata: {"n": 2}\n\n'
    router.post(
        "/chat/completions",
        handler=lambda request: httpx.Response(
            200, content=events, headers={"content-type": content_type}
        ),
    )
    with (
        serve(mock=SpecMock(routes=router, validate_requests=False)) as url,
        httpx.stream("POST", f"{url}/chat/completions", json=CHAT) as response,
    ):
        assert response.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in response.headers
        assert b"".join(response.iter_raw()) == events
