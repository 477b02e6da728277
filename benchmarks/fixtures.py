"""The canned response bodies the local server returns (deterministic, standard library only).

Each body sits at the file path that equals its URL path, under the output directory, so a
static file server needs a single root:

    /v1/chat/completions              a chat.completion, ~1.4 KB, indented as the real API sends it
    /v1/embeddings                    one 1536-float embedding, ~46 KB
    /sse/1000/v1/chat/completions     1,000 chat.completion.chunk events, then `data: [DONE]`
    /sse/10000/v1/chat/completions    the same with 10,000 events
    /healthz                          `ok`

A stream is picked by base URL (`.../sse/10000/v1`): the client posts to `/chat/completions`
with `"stream": true`, as it would against the real API.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

STREAM_EVENTS = (1_000, 10_000)
DIMENSIONS = 1536
_MODEL = "gpt-4o-mini-2024-07-18"
_ID = "chatcmpl-bench0000000000000000000000"
_CREATED = 1_764_000_000
_TEXT = (
    "A connection pool keeps a few TCP connections to each host open after a response and "
    "hands them to later requests, which then skip the TCP handshake and, over HTTPS, the TLS "
    "handshake as well. Against a remote API those round trips usually cost more than the JSON "
    "work on either side. Make one client per process, share it between threads or tasks, close "
    "it at shutdown, and size the pool for the peak number of requests in flight: past that, "
    "requests queue for a free connection or open short-lived ones."
)
_USAGE_DETAILS = {
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}


def chat_completion() -> dict:
    return {
        "id": _ID,
        "object": "chat.completion",
        "created": _CREATED,
        "model": _MODEL,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": _TEXT,
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 31, "completion_tokens": 109, "total_tokens": 140}
        | _USAGE_DETAILS,
        "service_tier": "default",
        "system_fingerprint": "fp_bench0001",
    }


def embeddings(rng: random.Random) -> dict:
    return {
        "object": "list",
        "data": [
            {
                "object": "embedding",
                "index": 0,
                "embedding": [rng.gauss(0.0, 0.025) for _ in range(DIMENSIONS)],
            }
        ],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 9, "total_tokens": 9},
    }


def event_stream(events: int, rng: random.Random) -> bytes:
    """`events` chunks (role, content deltas, finish reason, usage), then the terminator."""
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    words = _TEXT.split(" ")

    def event(choices: list, usage: dict | None = None) -> bytes:
        chunk = {
            "id": _ID,
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": _MODEL,
            "service_tier": "default",
            "system_fingerprint": "fp_bench0001",
            "choices": choices,
            "usage": usage,
            # The real API pads chunks with a random string of varying length.
            "obfuscation": "".join(rng.choices(letters, k=rng.randint(2, 12))),
        }
        return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"

    def choice(delta: dict, finish: str | None = None) -> list:
        return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]

    content = events - 3
    parts = [event(choice({"role": "assistant", "content": "", "refusal": None}))]
    parts += [
        event(choice({"content": (" " if i else "") + words[i % len(words)]}))
        for i in range(content)
    ]
    parts.append(event(choice({}, "stop")))
    usage = {"prompt_tokens": 31, "completion_tokens": content, "total_tokens": 31 + content}
    parts.append(event([], usage | _USAGE_DETAILS))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


def bodies() -> dict[str, bytes]:
    """URL path -> response body."""
    rng = random.Random(7)
    out = {
        "/v1/chat/completions": json.dumps(chat_completion(), indent=2).encode() + b"\n",
        "/v1/embeddings": json.dumps(embeddings(rng), indent=2).encode() + b"\n",
        "/healthz": b"ok\n",
    }
    for n in STREAM_EVENTS:
        out[f"/sse/{n}/v1/chat/completions"] = event_stream(n, rng)
    return out


def write(root: Path) -> None:
    for path, body in bodies().items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
