"""Stream a chat completion token by token, then read the merged completion with `final()`.

`create_stream` sets `"stream": true` itself and yields each `chat.completion.chunk` as a dict.
`stream.final()` is the `chat.completion` the chunks add up to (content, tool calls, usage),
so nothing needs to be glued together by hand.

    OPENAI_API_KEY=sk-... python examples/chat_stream.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def main() -> None:
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Write a haiku about the sea."}],
        "stream_options": {"include_usage": True},  # a last chunk with the token counts
    }
    with byot.Client() as client, client.chat.completions.create_stream(body) as stream:
        for chunk in stream:
            for choice in chunk["choices"]:  # the usage chunk has no choices
                print(choice["delta"].get("content") or "", end="", flush=True)
        print()
        completion = stream.final()
    choice = completion["choices"][0]
    print(f"[{completion['id']}: {len(choice['message']['content'])} characters,", end=" ")
    print(f"finish_reason={choice['finish_reason']}]")


if __name__ == "__main__":
    main()
