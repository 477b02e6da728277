"""The common Realtime client events, as plain dicts: thin builders that spell the fields.

Each returns exactly the event the Realtime API documents, leaving out what was not given, so
`connection.send(...)` and `byot.validate(..., "RealtimeClientEvent")` take it as it is.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping


def _event(kind: str, event_id: str | None, **fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind}
    if event_id is not None:
        event["event_id"] = event_id
    event.update((name, value) for name, value in fields.items() if value is not None)
    return event


def session_update(session: Mapping[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """`session.update`: change the session's instructions, tools, voice, audio formats...

    Example:
        ```python
        event = byot.realtime.session_update({"type": "realtime", "instructions": "Be brief."})
        ```
    """
    return _event("session.update", event_id, session=dict(session))


def conversation_item_create(
    item: Mapping[str, Any], *, previous_item_id: str | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """`conversation.item.create`: add a message, function call or function call output."""
    return _event(
        "conversation.item.create", event_id, previous_item_id=previous_item_id, item=dict(item)
    )


def conversation_item_delete(item_id: str, *, event_id: str | None = None) -> dict[str, Any]:
    """`conversation.item.delete`: remove an item from the conversation."""
    return _event("conversation.item.delete", event_id, item_id=item_id)


def conversation_item_retrieve(item_id: str, *, event_id: str | None = None) -> dict[str, Any]:
    """`conversation.item.retrieve`: ask for the server's copy of an item."""
    return _event("conversation.item.retrieve", event_id, item_id=item_id)


def conversation_item_truncate(
    item_id: str, *, content_index: int, audio_end_ms: int, event_id: str | None = None
) -> dict[str, Any]:
    """`conversation.item.truncate`: cut an assistant's audio where playback stopped."""
    return _event(
        "conversation.item.truncate",
        event_id,
        item_id=item_id,
        content_index=content_index,
        audio_end_ms=audio_end_ms,
    )


def response_create(
    response: Mapping[str, Any] | None = None, *, event_id: str | None = None
) -> dict[str, Any]:
    """`response.create`: ask for a response, with per-response settings if given."""
    return _event(
        "response.create", event_id, response=None if response is None else dict(response)
    )


def response_cancel(
    response_id: str | None = None, *, event_id: str | None = None
) -> dict[str, Any]:
    """`response.cancel`: stop the response in progress (or the one named)."""
    return _event("response.cancel", event_id, response_id=response_id)


def input_audio_buffer_append(audio: bytes | str, *, event_id: str | None = None) -> dict[str, Any]:
    """`input_audio_buffer.append`: audio bytes, base64-encoded here (a str is sent as is)."""
    encoded = base64.b64encode(audio).decode("ascii") if isinstance(audio, bytes) else audio
    return _event("input_audio_buffer.append", event_id, audio=encoded)


def input_audio_buffer_commit(*, event_id: str | None = None) -> dict[str, Any]:
    """`input_audio_buffer.commit`: make the appended audio a user message."""
    return _event("input_audio_buffer.commit", event_id)


def input_audio_buffer_clear(*, event_id: str | None = None) -> dict[str, Any]:
    """`input_audio_buffer.clear`: drop the audio appended so far."""
    return _event("input_audio_buffer.clear", event_id)


def output_audio_buffer_clear(*, event_id: str | None = None) -> dict[str, Any]:
    """`output_audio_buffer.clear`: stop the audio being played out (WebRTC and SIP)."""
    return _event("output_audio_buffer.clear", event_id)


def transcription_session_update(
    session: Mapping[str, Any], *, event_id: str | None = None
) -> dict[str, Any]:
    """`transcription_session.update`: configure a transcription-only session (beta)."""
    return _event("transcription_session.update", event_id, session=dict(session))


def user_text(text: str) -> dict[str, Any]:
    """A user message item holding one text part, for `conversation_item_create`."""
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def function_call_output(call_id: str, output: str) -> dict[str, Any]:
    """A function call's result as an item, for `conversation_item_create`."""
    return {"type": "function_call_output", "call_id": call_id, "output": output}
