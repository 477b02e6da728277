"""What the rate limiter and `rate_limits` cost per call, as ratios within one run.

Run it from the repository root: `python benchmarks/ratelimit.py` (`--calls`, `--repeat` for
steadier medians). A sync `byot.Client` sends chat completions to `httpx.MockTransport` (no
socket, so byot's own work is all there is to measure), answered with the headers
api.openai.com sends, in interleaved rounds:

* `off`: no limiter (the default);
* `on`: a `RateLimiter(rpm=..., tpm=...)` whose budget is never the bottleneck, so what is
  measured is the booking, the header check and the usage correction of every call;
* `raw`: `raw=True`, the `APIResponse` without reading its limits;
* `rate_limits`: `raw=True` and reading `response.rate_limits` (the header parse), to hold
  against `raw`.

It prints microseconds per call (median of the rounds) and each against `off` and `raw`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

import byot

BODY = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Say hello in five words."}],
    "max_tokens": 50,
}
ANSWER = orjson.dumps(
    {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello there!"}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
    }
)
HEADERS = {
    "content-type": "application/json",
    "x-request-id": "req_1",
    "openai-processing-ms": "312",
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-limit-tokens": "2000000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-remaining-tokens": "1999983",
    "x-ratelimit-reset-requests": "6ms",
    "x-ratelimit-reset-tokens": "0s",
}


def _client(limiter: byot.RateLimiter | None) -> byot.Client:
    return byot.Client(
        api_key="sk-bench",
        base_url="http://bench.local/v1",
        transport=httpx.MockTransport(
            lambda _: httpx.Response(200, content=ANSWER, headers=HEADERS)
        ),
        rate_limiter=limiter,
    )


def _round(client: byot.Client, calls: int, mode: str) -> float:
    create = client.chat.completions.create
    began = time.perf_counter()
    if mode == "rate_limits":
        for _ in range(calls):
            create(BODY, raw=True).rate_limits  # noqa: B018 - the read is what is measured
    elif mode == "raw":
        for _ in range(calls):
            create(BODY, raw=True)
    else:
        for _ in range(calls):
            create(BODY)
    return (time.perf_counter() - began) / calls * 1e6


def main() -> int:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per round (2000)")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved rounds (7)")
    args = parser.parse_args()
    # Budgets far above the rate reached here: every call books, none waits.
    limiter = byot.RateLimiter(rpm=1e9, tpm=1e12)
    plain = _client(None)
    cases = {"off": plain, "on": _client(limiter), "raw": plain, "rate_limits": plain}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for name, client in cases.items():
        _round(client, args.calls // 10, name)  # warm up
    for _ in range(args.repeat):
        for name, client in cases.items():
            times[name].append(_round(client, args.calls, name))
    median: dict[str, Any] = {name: statistics.median(values) for name, values in times.items()}
    print(f"{'case':<12} {'us/call':>8} {'vs off':>7} {'vs raw':>7}")
    for name, value in median.items():
        print(f"{name:<12} {value:8.1f} {value / median['off']:7.3f} {value / median['raw']:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
