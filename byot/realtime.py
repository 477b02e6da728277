"""The Realtime API over WebSocket: `client.realtime.connect(...)` and what goes with it.

Events are plain dicts by default, or the caller's own types; the helpers here build the
common client events as dicts, and `RealtimeResponse` accumulates one response. Connecting
needs the `[realtime]` extra (`pip install 'byot-client[realtime]'`, which brings
`websockets`); importing this module does not.

Example:
    ```python
    from byot import realtime

    with client.realtime.connect(model="gpt-realtime") as connection:
        connection.send(realtime.conversation_item_create(realtime.user_text("Hello")))
        connection.send(realtime.response_create())
        print(connection.response().text)
    ```
"""

from byot._realtime import RETRYABLE_CLOSE_CODES, Reconnect
from byot._realtime_connection import AsyncRealtimeConnection, RealtimeConnection
from byot._realtime_events import (
    conversation_item_create,
    conversation_item_delete,
    conversation_item_retrieve,
    conversation_item_truncate,
    function_call_output,
    input_audio_buffer_append,
    input_audio_buffer_clear,
    input_audio_buffer_commit,
    output_audio_buffer_clear,
    response_cancel,
    response_create,
    session_update,
    transcription_session_update,
    user_text,
)
from byot._realtime_response import RealtimeResponse
from byot.errors import RealtimeClosedError, RealtimeError

__all__ = [
    "RETRYABLE_CLOSE_CODES",
    "AsyncRealtimeConnection",
    "RealtimeClosedError",
    "RealtimeConnection",
    "RealtimeError",
    "RealtimeResponse",
    "Reconnect",
    "conversation_item_create",
    "conversation_item_delete",
    "conversation_item_retrieve",
    "conversation_item_truncate",
    "function_call_output",
    "input_audio_buffer_append",
    "input_audio_buffer_clear",
    "input_audio_buffer_commit",
    "output_audio_buffer_clear",
    "response_cancel",
    "response_create",
    "session_update",
    "transcription_session_update",
    "user_text",
]
