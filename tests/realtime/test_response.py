"""`RealtimeResponse`: one response accumulated from its events, GA and beta names alike."""

from __future__ import annotations

import base64

from byot.realtime import RealtimeResponse
from byot.testing import realtime_examples

SERVER = realtime_examples()["server"]


def test_text_transcript_audio_calls_usage_and_done() -> None:
    final = RealtimeResponse()
    assert (
        repr(final)
        == "RealtimeResponse(id=None, in progress, text=0 chars, audio=0 bytes, calls=0)"
    )
    assert not final.add(SERVER["response.created"][0])
    assert final.id == "resp_C9G8p7IH2WxLbkgPNouYL"
    for kind, delta in (
        ("response.output_text.delta", "Hel"),
        ("response.text.delta", "lo"),
        ("response.output_audio_transcript.delta", "Hi "),
        ("response.audio_transcript.delta", "there"),
        ("response.output_audio.delta", base64.b64encode(b"\x01\x02").decode()),
        ("response.audio.delta", base64.b64encode(b"\x03").decode()),
    ):
        assert not final.add({"type": kind, "delta": delta})
    call_item = {"id": "fc_1", "type": "function_call", "name": "get_weather", "call_id": "call_1"}
    final.add({"type": "response.output_item.added", "item": call_item})
    final.add({"type": "response.output_item.added", "item": {"id": "msg_1", "type": "message"}})
    final.add(
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "delta": '{"a"'}
    )
    final.add(
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "delta": ": 1}"}
    )
    # A second call known only from its events, finished by `.done`.
    final.add(SERVER["response.function_call_arguments.delta"][0])
    final.add(SERVER["response.function_call_arguments.done"][0])
    final.add({"type": "session.updated"})  # other events pass by
    assert final.add(SERVER["response.done"][0])
    assert final.done
    assert final.status == "completed"
    assert (final.text, final.transcript, final.audio) == ("Hello", "Hi there", b"\x01\x02\x03")
    assert final.function_calls == [
        {"call_id": "call_1", "name": "get_weather", "arguments": '{"a": 1}'},
        {
            "call_id": "call_001",
            "name": "get_weather",
            "arguments": '{"location": "San Francisco"}',
        },
    ]
    assert final.usage == SERVER["response.done"][0]["response"]["usage"]
    assert final.response == SERVER["response.done"][0]["response"]
    assert final.id == "resp_CCXHw0UJld10EzIUXQCNh"
    assert final.events == 15
    assert repr(final) == (
        "RealtimeResponse(id='resp_CCXHw0UJld10EzIUXQCNh', completed, "
        "text=5 chars, audio=3 bytes, calls=2)"
    )


def test_events_without_their_fields_do_not_break_it() -> None:
    final = RealtimeResponse()
    for kind in (
        "response.output_text.delta",
        "response.output_audio.delta",
        "response.output_audio_transcript.delta",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.created",
    ):
        final.add({"type": kind})
    assert final.add({"type": "response.done"})
    assert (final.text, final.audio, final.usage, final.status) == ("", b"", None, None)
    assert final.function_calls == [{"call_id": None, "name": None, "arguments": ""}]
