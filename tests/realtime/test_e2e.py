"""The Realtime WebSocket end to end, against `byot.testing.RealtimeServer` on real sockets.

Every test runs with both clients (the `live` fixture), which also checks that no connection
and no thread is left behind.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import anyio
import pytest

import byot
import byot.testing
from byot import realtime

if TYPE_CHECKING:
    from tests.realtime.conftest import Live

pytestmark = pytest.mark.anyio


@dataclasses.dataclass
class Event:
    type: str
    event_id: str


async def test_text_turn_with_session_update(live: Live) -> None:
    server = live.server(api_key="sk-test")
    connection = live.connect(
        server, extra_headers={"X-Trace": "t1"}, extra_query={"voice": "marin"}
    )
    assert "not open" in repr(connection)
    await live.call(connection.open())
    await live.call(connection.open())  # opening twice does nothing
    assert "open" in repr(connection)
    first = await live.call(connection.recv())
    assert first["type"] == "session.created"
    assert connection.last_type == "session.created"
    await live.call(
        connection.send(realtime.session_update({"type": "realtime", "instructions": "Be brief."}))
    )
    updated = await live.call(connection.recv())
    assert updated["session"]["instructions"] == "Be brief."
    await live.call(connection.send(realtime.conversation_item_create(realtime.user_text("Hi"))))
    await live.call(connection.send(realtime.response_create()))
    seen: list[dict[str, Any]] = []
    final = await live.call(connection.response(on_event=seen.append))
    assert final.text == "Sure, I can help with that."
    assert final.status == "completed"
    assert final.usage["total_tokens"] == 253
    deltas = "".join(e["delta"] for e in seen if e["type"] == "response.output_text.delta")
    assert deltas == final.text
    assert [e["type"] for e in seen[:2]] == ["conversation.item.added", "conversation.item.done"]
    assert connection.last_type == "response.done"
    await live.call(connection.close())
    await live.call(connection.close())  # closing twice is fine
    assert (connection.close_code, connection.close_reason) == (1000, "")
    assert "closed" in repr(connection)
    shake = server.handshakes[0]
    assert shake.path == "/v1/realtime"
    assert shake.query == {"model": "gpt-realtime", "voice": "marin"}
    assert shake.headers["authorization"] == "Bearer sk-test"
    assert shake.headers["x-trace"] == "t1"
    assert shake.headers["user-agent"].startswith("byot/")
    assert [e["type"] for e in server.received] == [
        "session.update",
        "conversation.item.create",
        "response.create",
    ]


async def test_context_manager_closes_even_on_error(live: Live) -> None:
    server = live.server()
    connection = live.connect(server)

    async def fail_inside() -> None:
        if live.is_async:
            async with connection:
                raise KeyError("boom")
        else:
            with connection:
                raise KeyError("boom")

    with pytest.raises(KeyError):
        await fail_inside()
    assert connection.close_code == 1000


async def test_events_into_the_callers_type(live: Live) -> None:
    server = live.server(turns=["text"])
    connection = live.connect(server, event_type=Event)
    await live.call(connection.open())
    created = await live.call(connection.recv())
    assert isinstance(created, Event)
    assert created.type == "session.created"
    await live.call(connection.send(realtime.response_create()))
    seen: list[Event] = []
    final = await live.call(connection.response(on_event=seen.append))
    assert final.text == "Sure, I can help with that."
    assert all(isinstance(e, Event) for e in seen)
    assert seen[-1].type == "response.done"
    await live.call(connection.close())


async def test_audio_turn_plays_back_the_committed_audio(live: Live) -> None:
    server = live.server(turns=["audio"])
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.recv())
    sent = bytes(range(256)) * 40  # more than one delta's worth
    await live.call(connection.send(realtime.input_audio_buffer_append(sent[:5000])))
    await live.call(connection.send(realtime.input_audio_buffer_append(sent[5000:])))
    await live.call(connection.send(realtime.input_audio_buffer_commit()))
    assert (await live.call(connection.recv()))["type"] == "input_audio_buffer.committed"
    await live.call(connection.send(realtime.response_create()))
    final = await live.call(connection.response())
    assert final.audio == sent
    assert final.transcript == "Sure, I can help with that."
    await live.call(connection.send(realtime.input_audio_buffer_append(b"\x00\x01")))
    await live.call(connection.send(realtime.input_audio_buffer_clear()))
    assert (await live.call(connection.recv()))["type"] == "input_audio_buffer.cleared"
    await live.call(connection.close())


async def test_function_call_round_trip(live: Live) -> None:
    server = live.server(turns=["function_call", "text"], text="It is 20 C in San Francisco.")
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create()))
    first = await live.call(connection.response())
    [call] = first.function_calls
    assert call["name"] == "get_weather"
    assert call["arguments"] == '{"location": "San Francisco"}'
    output = realtime.function_call_output(call["call_id"], '{"celsius": 20}')
    await live.call(connection.send(realtime.conversation_item_create(output)))
    await live.call(connection.send(realtime.response_create()))
    second = await live.call(connection.response())
    assert second.text == "It is 20 C in San Francisco."
    assert server.received[1]["item"]["call_id"] == call["call_id"]
    await live.call(connection.close())


async def test_error_event_raised_then_the_session_goes_on(live: Live) -> None:
    server = live.server(turns=["error", "text"])
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create(event_id="evt_client_1")))
    error = await live.fails(byot.errors.RealtimeError, connection.response)
    assert (error.code, error.event_id) == ("response_failed", "evt_client_1")
    await live.call(connection.send(realtime.response_create()))
    assert (await live.call(connection.response())).text
    await live.call(connection.close())


async def test_error_event_delivered_and_server_checks_client_events(live: Live) -> None:
    server = live.server()
    connection = live.connect(server, errors="deliver", validate="off")
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send({"type": "response.craete", "event_id": "evt_9"}))
    error = await live.call(connection.recv())
    assert error["type"] == "error"
    assert error["error"]["code"] == "invalid_event"
    assert error["error"]["event_id"] == "evt_9"
    await live.call(connection.close())


async def test_client_event_validation_raises_before_sending(live: Live) -> None:
    server = live.server()
    connection = live.connect(server)
    await live.call(connection.open())
    with pytest.raises(byot.errors.SchemaValidationError, match=r"response\.craete"):
        await live.call(connection.send({"type": "response.craete"}))
    await live.call(connection.close())
    assert server.received == []


@pytest.mark.parametrize(("close_code", "expected"), [(1011, 1011), (None, 1006)])
async def test_server_closing_mid_response_is_a_typed_error(
    live: Live, close_code: int | None, expected: int
) -> None:
    server = live.server(turns=["close_mid_response"], close_code=close_code)
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create()))
    error = await live.fails(byot.errors.RealtimeClosedError, connection.response)
    assert error.close_code == expected
    assert isinstance(error, byot.errors.APIConnectionError)
    if close_code is not None:
        assert error.reason == "the test server closed mid-response"
        assert connection.close_code == 1011
        assert connection.close_reason == "the test server closed mid-response"
    # Without reconnect, sending on the closed connection fails the same way.
    error = await live.fails(
        byot.errors.RealtimeClosedError, connection.send, realtime.response_create()
    )
    assert "before a send" in str(error)
    await live.call(connection.close())


async def test_iteration_ends_at_a_normal_close(live: Live) -> None:
    server = live.server(turns=["close_mid_response"], close_code=1000)
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.send(realtime.response_create()))
    events = await live.drain(connection)
    assert [e["type"] for e in events] == [
        "session.created",
        "response.created",
        "response.output_item.added",
    ]
    await live.call(connection.close())


async def test_iteration_raises_on_an_abnormal_close(live: Live) -> None:
    server = live.server(turns=["close_mid_response"])
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.send(realtime.response_create()))
    error = await live.fails(byot.errors.RealtimeClosedError, live.drain, connection)
    assert error.close_code == 1011
    await live.call(connection.close())


async def test_a_frame_that_is_not_json(live: Live) -> None:
    server = live.server(turns=["not_json"])
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create()))
    assert (await live.call(connection.recv()))["type"] == "response.created"
    error = await live.fails(byot.errors.DecodeError, connection.recv)
    assert error.raw == b"this frame is not JSON"
    assert (await live.call(connection.response())).text  # the session goes on
    await live.call(connection.close())


async def test_slow_handshake_against_the_timeout(live: Live) -> None:
    server = live.server(handshake_delay=1.0)
    connection = live.client(server, timeout=byot.Timeout(30, connect=0.2)).realtime.connect(
        model="m"
    )
    error = await live.fails(byot.errors.APITimeoutError, connection.open)
    assert "did not finish in time" in str(error)
    patient = live.connect(server, timeout=10)
    await live.call(patient.open())
    await live.call(patient.close())


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        (
            {"api_key": "sk-test", "key": "sk-wrong"},
            byot.errors.AuthenticationError,
            "Incorrect API key",
        ),
        ({"refuse": 403}, byot.errors.PermissionDeniedError, "refused by the test server"),
        ({"refuse": 429}, byot.errors.RateLimitError, "refused by the test server"),
        (
            {"path": "/v2/realtime", "base": "/v1"},
            byot.errors.NotFoundError,
            "no route /v1/realtime",
        ),
        ({"model": None}, byot.errors.BadRequestError, "missing model"),
    ],
)
async def test_refused_handshakes_are_status_errors(
    live: Live, settings: dict[str, Any], error: type[byot.errors.APIStatusError], message: str
) -> None:
    options = {k: settings[k] for k in ("api_key", "refuse", "path") if k in settings}
    server = live.server(**options)
    base_url = server.base_url
    if "base" in settings:
        base_url = base_url.rsplit("/", 1)[0] + settings["base"]
    client = live.client(server, base_url=base_url, api_key=settings.get("key", "sk-test"))
    connection = client.realtime.connect(model=settings.get("model", "gpt-realtime"))
    refused = await live.fails(error, connection.open)
    assert message in str(refused)
    assert refused.url.startswith("ws://127.0.0.1")
    assert refused.error_message is not None


async def test_unreachable_server_is_a_connection_error(live: Live) -> None:
    server = live.server()
    base_url = server.base_url
    server.stop()
    connection = live.client(server, base_url=base_url).realtime.connect(model="m")
    error = await live.fails(byot.errors.APIConnectionError, connection.open)
    assert type(error) is byot.errors.APIConnectionError


async def test_not_open_is_a_clear_error(live: Live) -> None:
    server = live.server()
    connection = live.connect(server)
    with pytest.raises(RuntimeError, match="not open"):
        await live.call(connection.recv())
    assert connection.close_code is None
    assert connection.close_reason is None
    await live.call(connection.close())  # closing what never opened is fine


async def test_reconnect_resends_the_session_and_the_held_events(live: Live) -> None:
    server = live.server(turns=["close_mid_response", "text"])
    policy = realtime.Reconnect(initial_delay=0, max_queue=1)
    connection = live.connect(server, reconnect=policy)
    await live.call(connection.open())
    await live.call(connection.recv())
    session = realtime.session_update({"type": "realtime", "instructions": "Again."})
    await live.call(connection.send(session))
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create()))
    assert (await live.call(connection.recv()))["type"] == "response.created"
    assert (await live.call(connection.recv()))["type"] == "response.output_item.added"
    deadline = time.monotonic() + 5
    while connection.close_code is None and time.monotonic() < deadline:  # noqa: ASYNC110
        await anyio.sleep(0.01)  # until the client's side has seen the close frame
    held = realtime.conversation_item_create(realtime.user_text("while down"))
    await live.call(connection.send(held))  # held for the reconnect
    full = await live.fails(byot.errors.RealtimeClosedError, connection.send, held)
    assert "queue" in str(full)
    assert full.close_code == 1011
    # The next receive reopens, resends the session and the held event.
    kinds = [(await live.call(connection.recv()))["type"]]
    while kinds[-1] != "conversation.item.done":
        kinds.append((await live.call(connection.recv()))["type"])
    assert kinds == [
        "session.created",
        "session.updated",
        "conversation.item.added",
        "conversation.item.done",
    ]
    assert connection.reconnects == 1
    assert server.connections == 2
    await live.call(connection.close())
    second = server.received[2:]
    assert [e["type"] for e in second] == ["session.update", "conversation.item.create"]
    assert second[0]["session"] == {"type": "realtime", "instructions": "Again."}


async def test_reconnect_gives_up_and_a_lost_response_is_an_error(live: Live) -> None:
    server = live.server(turns=["close_mid_response", "text"])
    connection = live.connect(server, reconnect=realtime.Reconnect(initial_delay=0))
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create()))
    lost = await live.fails(byot.errors.RealtimeClosedError, connection.response)
    assert "the response is lost" in str(lost)
    assert connection.reconnects == 1
    await live.call(connection.send(realtime.response_create()))
    assert (await live.call(connection.response())).text
    await live.call(connection.close())


async def test_reconnect_stops_after_its_attempts(live: Live) -> None:
    server = live.server(turns=["close_mid_response"])
    connection = live.connect(server, reconnect=realtime.Reconnect(max_attempts=2, initial_delay=0))
    await live.call(connection.open())
    await live.call(connection.recv())
    await live.call(connection.send(realtime.response_create()))
    server.refuse = 503  # every later handshake is refused
    error = await live.fails(byot.errors.InternalServerError, connection.response)
    assert error.status_code == 503
    assert len(server.handshakes) == 3  # the first, then two attempts
    await live.call(connection.close())


def test_server_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="turns are some of"):
        byot.testing.RealtimeServer(turns=["song"])  # type: ignore[list-item]
    with pytest.raises(RuntimeError, match="not running"):
        _ = byot.testing.RealtimeServer().base_url


def test_the_server_thread_ends_with_the_server() -> None:
    with byot.testing.RealtimeServer() as server:
        names = [t.name for t in threading.enumerate()]
        assert "byot-realtime-server" in names
        assert server.base_url.startswith("http://127.0.0.1:")
    assert "byot-realtime-server" not in [t.name for t in threading.enumerate()]


async def test_server_answers_frames_that_are_no_json_object_and_a_cancel(live: Live) -> None:
    server = live.server()
    connection = live.connect(server, encoder=str.encode, validate="off")
    await live.call(connection.open())
    await live.call(connection.recv())
    for frame in ("not json", "[1, 2]"):
        await live.call(connection.send(frame))
        error = await live.fails(byot.errors.RealtimeError, connection.recv)
        assert error.code == "invalid_json"
    await live.call(connection.close())
    plain = live.connect(server)
    await live.call(plain.open())
    await live.call(plain.recv())
    await live.call(plain.send(realtime.conversation_item_delete("item_1")))  # no answer
    await live.call(plain.send(realtime.response_cancel()))
    final = await live.call(plain.response())
    assert final.status == "cancelled"
    assert final.usage is None
    await live.call(plain.close())
    assert [e["type"] for e in server.received] == ["conversation.item.delete", "response.cancel"]


async def test_a_proxy_from_the_environment_is_used(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A loopback listener stands in for the proxy: it records the CONNECT and refuses it.
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []

    def refuse() -> None:
        peer, _ = listener.accept()
        with peer:
            seen.append(peer.recv(4096))
            peer.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")

    thread = threading.Thread(target=refuse)
    thread.start()
    port = listener.getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    client = (byot.AsyncClient if live.is_async else byot.Client)(
        base_url="https://realtime.example/v1", api_key="sk-test"
    )
    connection = client.realtime.connect(model="gpt-realtime")
    try:
        error = await live.fails(byot.errors.APIConnectionError, connection.open)
    finally:
        thread.join()
        listener.close()
    assert seen[0].startswith(b"CONNECT realtime.example:443 HTTP/1.1\r\n")
    assert "Proxy" in str(error)


async def test_closing_while_the_server_streams(live: Live) -> None:
    # 1250 deltas: the client's close arrives while the server is still sending them.
    server = live.server(text="word " * 2000)
    connection = live.connect(server)
    await live.call(connection.open())
    await live.call(connection.send(realtime.response_create()))
    assert (await live.call(connection.recv()))["type"] == "session.created"
    assert (await live.call(connection.recv()))["type"] == "response.created"
    await live.call(connection.close())
    assert connection.close_code == 1000
    assert server.wait_closed() == 0
