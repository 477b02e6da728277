"""A text conversation over the Realtime WebSocket: send a message, stream the answer.

`client.realtime.connect` opens `wss://.../realtime?model=...` with the client's key and
headers; events are plain dicts. `byot.realtime` builds the common client events, and
`connection.response()` reads until `response.done`, handing each event to `on_event` as it
arrives (here: printing the text deltas) and returning the finished response.

    pip install 'byot-client[realtime]'
    OPENAI_API_KEY=sk-... python examples/realtime_text.py
"""

from __future__ import annotations

import os
from typing import Any

import byot
from byot import realtime

MODEL = os.environ.get("OPENAI_REALTIME_MODEL", "gpt-realtime")


def show(event: dict[str, Any]) -> None:
    if event["type"] == "response.output_text.delta":
        print(event["delta"], end="", flush=True)


def main() -> None:
    client = byot.Client()
    with client.realtime.connect(model=MODEL) as connection:
        session = {"type": "realtime", "output_modalities": ["text"], "instructions": "Be brief."}
        connection.send(realtime.session_update(session))
        for question in ("What is the capital of France?", "And of Italy?"):
            print(f"> {question}")
            connection.send(realtime.conversation_item_create(realtime.user_text(question)))
            connection.send(realtime.response_create())
            final = connection.response(on_event=show)
            print(f"\n[{final.status}, {final.usage and final.usage['total_tokens']} tokens]")


if __name__ == "__main__":
    main()
