"""What opt-in validation costs per payload, with python-jsonschema alone and with `[fast]`.

Run it from the repository root (`python benchmarks/validation.py`, `--repeat 15` for steadier
medians). For each payload it reports the first call (loading the bundles, building the
registry, compiling the schema) and the median of warm calls, in microseconds, as
`byot.validate` runs them: the backend's yes/no check, and python-jsonschema's report only for
a bad value. The payloads are the ones research/schemas.md measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from typing import Any

FUNCTION = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
            "required": ["city"],
        },
    },
}
CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}
PAYLOADS: dict[str, tuple[str, Any]] = {
    "chat request": (
        "CreateChatCompletionRequest",
        {
            "model": "gpt-4o-mini",
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": None, "tool_calls": [CALL]},
            ],
            "tools": [FUNCTION, {**FUNCTION, "function": {**FUNCTION["function"], "name": "x"}}],
            "temperature": 0.2,
            "max_completion_tokens": 200,
        },
    ),
    "chat response": (
        "CreateChatCompletionResponse",
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1730000000,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "refusal": None,
                        "tool_calls": [CALL],
                    },
                }
            ],
            "usage": {
                "prompt_tokens": 50,
                "completion_tokens": 10,
                "total_tokens": 60,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            },
            "system_fingerprint": "fp_1",
        },
    ),
    "chat chunk": (
        "CreateChatCompletionStreamResponse",
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1730000000,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}],
        },
    ),
    "Responses event": (
        "ResponseStreamEvent",
        {
            "type": "response.output_text.delta",
            "item_id": "msg_1",
            "output_index": 0,
            "content_index": 0,
            "delta": "Hel",
            "logprobs": [],
            "sequence_number": 4,
        },
    ),
}


def measure(fast: bool, repeat: int, number: int) -> dict[str, tuple[float, float, float]]:
    """For each payload: first call, warm median (strict requests, lenient responses) in us."""
    if not fast:
        sys.modules["jsonschema_rs"] = None  # type: ignore[assignment]
    import byot
    from byot import _validation

    _validation._STATE = _validation._State()
    results = {}
    for label, (schema, payload) in PAYLOADS.items():
        direction = "request" if label == "chat request" else "response"
        start = time.perf_counter()
        byot.validate(payload, schema, direction=direction)
        first = (time.perf_counter() - start) * 1e6
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            for _ in range(number):
                byot.validate(payload, schema, direction=direction)
            runs.append((time.perf_counter() - start) / number * 1e6)
        results[label] = (first, statistics.median(runs), min(runs))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    parser.add_argument("--backend", choices=["python", "fast"], help="one backend only")
    args = parser.parse_args()
    if args.backend is None:  # each backend in its own process: fresh imports, no sharing
        import subprocess

        for backend in ("python", "fast"):
            subprocess.run(  # the child prints its own errors
                [sys.executable, __file__, "--backend", backend,
                 "--repeat", str(args.repeat), "--number", str(args.number)],
                check=False,
            )  # fmt: skip
        return
    fast = args.backend == "fast"
    if fast:
        try:
            import jsonschema_rs  # noqa: F401
        except ImportError:
            print("[fast]: jsonschema-rs is not installed (pip install 'byot-client[fast]')")
            return
    results = measure(fast, args.repeat, args.number)
    print(f"\n{'[fast] (jsonschema-rs first)' if fast else 'python-jsonschema'}")
    print(f"{'payload':<16} {'first call':>12} {'warm median':>12} {'warm min':>10}")
    for label, (first, median, best) in results.items():
        print(f"{label:<16} {first:>10.0f}us {median:>10.1f}us {best:>8.1f}us")


if __name__ == "__main__":
    main()
