"""Following one Realtime response through its `response.*` events to the finished whole.

`RealtimeResponse.add` takes server events (dicts) in the order they arrive and keeps what
`final()` keeps for HTTP streams: the text, the audio transcript, the audio bytes joined, each
function call with its arguments, the usage, and the `response.done` payload. The GA event
names and the beta ones (`response.text.delta`, `response.audio.delta`, ...) both count, since
many compatible servers still speak the beta dialect.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from byot._codec import json_object
from byot._override import override

if TYPE_CHECKING:
    from collections.abc import Mapping

_TEXT = frozenset({"response.output_text.delta", "response.text.delta"})
_TRANSCRIPT = frozenset(
    {"response.output_audio_transcript.delta", "response.audio_transcript.delta"}
)
_AUDIO = frozenset({"response.output_audio.delta", "response.audio.delta"})


class RealtimeResponse:
    """One response of a Realtime session, accumulated from its events.

    Example:
        ```python
        final = byot.realtime.RealtimeResponse()
        for event in connection:
            if final.add(event):
                break
        print(final.text, final.usage)
        ```

    Attributes:
        id: The response's id, once an event named it.
        text: The text output, joined from its deltas.
        transcript: The transcript of the audio output, joined from its deltas.
        audio: The audio output, base64-decoded and joined (raw PCM by default).
        function_calls: Each function call as `{"call_id", "name", "arguments"}` (arguments
            as the JSON text the model wrote), in the order they began.
        usage: The token usage from `response.done`, if the server reported it.
        response: The `response` object of `response.done`, once it arrived.
        events: How many events were added.
    """

    def __init__(self) -> None:
        self.id: str | None = None
        self.text = ""
        self.transcript = ""
        self._audio: list[bytes] = []
        self._calls: dict[str, dict[str, Any]] = {}
        self.usage: dict[str, Any] | None = None
        self.response: dict[str, Any] | None = None
        self.events = 0

    @property
    def done(self) -> bool:
        """Whether `response.done` has arrived."""
        return self.response is not None

    @property
    def status(self) -> str | None:
        """The final status (`completed`, `cancelled`, `failed`, `incomplete`), once done."""
        return None if self.response is None else self.response.get("status")

    @property
    def audio(self) -> bytes:
        """The audio output, base64-decoded and joined."""
        return b"".join(self._audio)

    @property
    def function_calls(self) -> list[dict[str, Any]]:
        """Each function call: `{"call_id", "name", "arguments"}`, in the order they began."""
        return [dict(call) for call in self._calls.values()]

    def add(self, event: Mapping[str, Any]) -> bool:
        """Take one server event; events of other kinds pass by. True once the response is done."""
        self.events += 1
        kind = event.get("type")
        if kind in _TEXT:
            self.text += event.get("delta", "")
        elif kind in _TRANSCRIPT:
            self.transcript += event.get("delta", "")
        elif kind in _AUDIO:
            self._audio.append(base64.b64decode(event.get("delta", "")))
        elif kind == "response.output_item.added":
            item = json_object(event.get("item")) or {}
            if item.get("type") == "function_call":
                self._call(item.get("id"), item)
        elif kind == "response.function_call_arguments.delta":
            call = self._call(event.get("item_id"), event)
            call["arguments"] += event.get("delta", "")
        elif kind == "response.function_call_arguments.done":
            self._call(event.get("item_id"), event)["arguments"] = event.get("arguments", "")
        elif kind in ("response.created", "response.done"):
            response = json_object(event.get("response")) or {}
            self.id = response.get("id", self.id)
            if kind == "response.done":
                self.usage = response.get("usage")
                self.response = dict(response)
        return self.done

    def _call(self, item_id: str | None, source: Mapping[str, Any]) -> dict[str, Any]:
        call = self._calls.setdefault(
            item_id or "", {"call_id": None, "name": None, "arguments": ""}
        )
        for field in ("call_id", "name"):
            if source.get(field):
                call[field] = source[field]
        return call

    @override
    def __repr__(self) -> str:
        state = self.status or "in progress"
        return (
            f"RealtimeResponse(id={self.id!r}, {state}, text={len(self.text)} chars, "
            f"audio={sum(map(len, self._audio))} bytes, calls={len(self._calls)})"
        )
