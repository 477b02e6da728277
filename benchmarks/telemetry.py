"""What OpenTelemetry telemetry costs per call: CPU with it on, as a ratio to off, in one run.

Run it from the repository root with the dev venv (it needs `opentelemetry-sdk`):

    .venv/bin/python benchmarks/telemetry.py            # 5 reps
    .venv/bin/python benchmarks/telemetry.py --quick    # N / 5, 3 reps: a smoke run

Each scenario sends the canned bodies of `fixtures.py` (the 1.3 KB chat completion, the 46 KB
embedding, a stream of 1,000 chunks) through `httpx.MockTransport`, so what is timed is the
client alone: no socket, no server, which makes the ratio an upper bound of what telemetry
adds to a real call. Three clients, measured in turn within each rep (the order rotating):

* `off`: no telemetry (the default);
* `api`: `telemetry=True` with no SDK configured, OpenTelemetry's no-op tracer and meter: the
  cost of byot's own work (reading the attributes from the JSON, the span calls);
* `sdk`: the SDK's `TracerProvider` (spans recorded, none exported) and `MeterProvider` with
  an in-memory reader: what an application with OpenTelemetry set up pays, minus export.

The CPU time (`time.process_time`) of N calls is divided by N; each ratio is taken within one
rep and the table shows medians over reps. `table()` returns the rows, so `run.py` can add
them to its own tables (`import telemetry; telemetry.table(reps=...)`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fixtures

CHAT = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You answer backend engineers in one short paragraph."},
        {"role": "user", "content": "Why does an HTTP client keep a connection pool?"},
    ],
    "temperature": 0.2,
    "max_tokens": 300,
}
EMBED = {
    "model": "text-embedding-3-small",
    "input": "a quick brown fox",
    "encoding_format": "float",
}
# scenario -> N per rep (full run)
SCENARIOS = {"chat_sync": 2000, "chat_async": 2000, "embed_sync": 500, "stream1k_sync": 20}
MODES = ("off", "api", "sdk")
HEADERS = {"x-request-id": "req_bench", "openai-processing-ms": "321"}


def _transport(bodies: dict[str, bytes], asynchronous: bool) -> Any:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/embeddings"):
            return httpx.Response(200, content=bodies["/v1/embeddings"], headers=HEADERS | _JSON)
        if b'"stream":true' in request.content:
            body = bodies["/sse/1000/v1/chat/completions"]
            return httpx.Response(200, content=body, headers=HEADERS | _SSE)
        return httpx.Response(200, content=bodies["/v1/chat/completions"], headers=HEADERS | _JSON)

    if asynchronous:

        async def answer_async(request: httpx.Request) -> httpx.Response:
            return answer(request)

        return httpx.MockTransport(answer_async)
    return httpx.MockTransport(answer)


_JSON = {"content-type": "application/json"}
_SSE = {"content-type": "text/event-stream"}


def _telemetry(mode: str) -> Any:
    import byot

    if mode == "off":
        return None
    if mode == "api":
        return True
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider

    return byot.Telemetry(
        tracer_provider=TracerProvider(),
        meter_provider=MeterProvider(metric_readers=[InMemoryMetricReader()]),
    )


def measure(scenario: str, mode: str, n: int, bodies: dict[str, bytes]) -> float:
    """CPU microseconds per call of one scenario with one telemetry mode."""
    import byot

    asynchronous = scenario.endswith("_async")
    options = {
        "api_key": "sk-bench",
        "base_url": "https://api.openai.com/v1",
        "transport": _transport(bodies, asynchronous),
        "telemetry": _telemetry(mode),
    }
    if asynchronous:
        return asyncio.run(_measure_async(byot.AsyncClient(**options), n))
    client = byot.Client(**options)
    if scenario == "chat_sync":
        call = lambda: client.chat.completions.create(CHAT)  # noqa: E731
    elif scenario == "embed_sync":
        call = lambda: client.embeddings.create(EMBED)  # noqa: E731
    else:

        def call() -> None:
            with client.chat.completions.create_stream(CHAT) as stream:
                for _ in stream:
                    pass

    for _ in range(max(n // 10, 3)):  # warm-up: imports, caches, the first span
        call()
    start = time.process_time()
    for _ in range(n):
        call()
    return (time.process_time() - start) / n * 1e6


async def _measure_async(client: Any, n: int) -> float:
    for _ in range(max(n // 10, 3)):
        await client.chat.completions.create(CHAT)
    start = time.process_time()
    for _ in range(n):
        await client.chat.completions.create(CHAT)
    return (time.process_time() - start) / n * 1e6


def table(reps: int = 5, scale: float = 1.0) -> list[dict[str, Any]]:
    """One row per scenario: median µs per call for each mode, and the median on/off ratios."""
    bodies = fixtures.bodies()
    runs: dict[tuple[str, str], list[float]] = {}
    for rep in range(reps):
        for scenario, n in SCENARIOS.items():
            order = MODES[rep % 3 :] + MODES[: rep % 3]  # rotate: no mode always goes first
            for mode in order:
                value = measure(scenario, mode, max(int(n * scale), 5), bodies)
                runs.setdefault((scenario, mode), []).append(value)
    rows = []
    for scenario in SCENARIOS:
        row: dict[str, Any] = {"scenario": scenario}
        for mode in MODES:
            row[mode] = statistics.median(runs[scenario, mode])
        for mode in ("api", "sdk"):
            pairs = zip(runs[scenario, mode], runs[scenario, "off"], strict=True)
            row[f"{mode}/off"] = statistics.median(on / off for on, off in pairs)
        rows.append(row)
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | off µs/call | api µs/call | sdk µs/call | api / off | sdk / off |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {r['scenario']} | {r['off']:.1f} | {r['api']:.1f} | {r['sdk']:.1f} "
        f"| {r['api/off']:.2f}× | {r['sdk/off']:.2f}× |"
        for r in rows
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="N / 5 and 3 reps")
    args = parser.parse_args()
    reps, scale = (3, 0.2) if args.quick else (args.reps, 1.0)
    print(render(table(reps=reps, scale=scale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
