"""One measurement in a fresh process: prints one JSON line. `run.py` starts these.

    python cell.py SCENARIO CLIENT N [--base URL]
    python cell.py soak CLIENT REQUESTS STREAMS [--base URL]

A measurement builds the client, times its first (cold) call, warms up, then times N
operations: wall time, and the process's CPU time (user + system), which another process on
the machine does not inflate the way it inflates wall time. The soak sends REQUESTS chat
calls and then reads STREAMS streams of 1,000 events, 8 at a time, and samples RSS, open file
descriptors and open sockets before, along the way and after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clients import CLIENTS, PACKAGES

API_KEY = "sk-bench-000000000000000000000000000000000000"
CHAT = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You answer backend engineers in one short paragraph."},
        {"role": "user", "content": "Why does an HTTP client keep a connection pool?"},
    ],
    "temperature": 0.2,
    "max_tokens": 300,
}
STREAM = {**CHAT, "stream": True, "stream_options": {"include_usage": True}}
# "float": without it the SDK asks for base64, which canned bodies cannot honour.
EMBED = {
    "model": "text-embedding-3-small",
    "input": "a quick brown fox",
    "encoding_format": "float",
}

# scenario -> (operation, mode, in flight, body, path prefix, events per stream)
SCENARIOS: dict[str, tuple[str, str, int, dict, str, int]] = {
    "chat_sync": ("chat", "sync", 1, CHAT, "", 0),
    "chat_async": ("chat", "async", 1, CHAT, "", 0),
    "chat_async_c32": ("chat", "async", 32, CHAT, "", 0),
    "chat_async_c64": ("chat", "async", 64, CHAT, "", 0),
    "embed_sync": ("embeddings", "sync", 1, EMBED, "", 0),
    "stream1k_sync": ("stream", "sync", 1, STREAM, "/sse/1000", 1000),
    "stream10k_sync": ("stream", "sync", 1, STREAM, "/sse/10000", 10000),
    "stream10k_async": ("stream", "async", 1, STREAM, "/sse/10000", 10000),
}
_PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE_MB


def peak_rss_mb() -> float:
    """The process's peak RSS since exec (VmHWM).

    Not getrusage's ru_maxrss: that keeps the high-water mark of the forked parent from before
    exec, so a small child would report the RSS of the runner that started it.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> tuple[int, int]:
    """(open file descriptors, of which sockets)."""
    fds = sockets = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the descriptor listdir itself used, closed by now
            continue
        fds += 1
        sockets += target.startswith("socket:")
    return fds, sockets


def check(operation: str, result: Any, events: int) -> None:
    good = {
        "chat": lambda r: isinstance(r, str) and len(r) > 100,
        "embeddings": lambda r: r == 1536,
        "stream": lambda r: r[0] == events and r[1] > 0,
    }[operation](result)
    if not good:
        sys.exit(f"{operation}: unexpected answer {result!r:.200}")


def make(client_name: str, mode: str, base_url: str, options: dict[str, Any]) -> Any:
    """The adapter; `byot+NAME` is byot built with a variant's options (`run.py --variant`)."""
    factory = CLIENTS["byot" if client_name.startswith("byot+") else client_name]
    return factory(mode, base_url, API_KEY, **options)


def measure(
    scenario: str, client_name: str, n: int, base: str, options: dict[str, Any]
) -> dict[str, Any]:
    operation, mode, in_flight, body, prefix, events = SCENARIOS[scenario]
    timer, clock = time.perf_counter, time.process_time
    start = timer()
    adapter = make(client_name, mode, f"{base}{prefix}/v1", options)
    setup_ms = (timer() - start) * 1e3
    if adapter is None:
        return {"skipped": f"{client_name} has no {mode} API"}
    op = getattr(adapter, operation)
    out: dict[str, Any] = {"setup_ms": round(setup_ms, 2)}
    warmup = 3 if operation == "stream" else max(20, min(200, n // 10))

    def finish(wall: float, cpu: float) -> None:
        out.update(wall_s=wall, cpu_s=cpu, ops_per_s=n / wall, cpu_us_per_op=cpu / n * 1e6)
        if events:
            total = events * n
            out.update(events_per_s=total / wall, cpu_us_per_event=cpu / total * 1e6)
        out.update(peak_rss_mb=peak_rss_mb())

    if mode == "sync":
        start = timer()
        check(operation, op(body), events)
        out["first_call_ms"] = (timer() - start) * 1e3
        for _ in range(warmup):
            op(body)
        gc.collect()
        out["rss_start_mb"] = rss_mb()
        w0, c0 = timer(), clock()
        for _ in range(n):
            op(body)
        finish(timer() - w0, clock() - c0)
        adapter.close()
        return out

    async def drive(count: int) -> None:
        left = count

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await op(body)

        await asyncio.gather(*(worker() for _ in range(min(in_flight, count))))

    async def main() -> None:
        start = timer()
        check(operation, await op(body), events)
        out["first_call_ms"] = (timer() - start) * 1e3
        await drive(max(warmup, in_flight))  # the pool holds its connections before timing
        gc.collect()
        out["rss_start_mb"] = rss_mb()
        w0, c0 = timer(), clock()
        await drive(n)
        finish(timer() - w0, clock() - c0)
        await adapter.aclose()

    asyncio.run(main())
    return out


def soak(
    client_name: str, requests: int, streams: int, base: str, options: dict[str, Any]
) -> dict[str, Any]:
    """REQUESTS chat calls, then STREAMS streams of 1,000 events, 8 in flight, sampled."""
    in_flight = 8
    samples: list[dict[str, Any]] = []

    def sample(phase: str, done: int) -> None:
        gc.collect()
        fds, sockets = open_fds()
        samples.append(
            {
                "phase": phase,
                "done": done,
                "rss_mb": round(rss_mb(), 2),
                "fds": fds,
                "sockets": sockets,
            }
        )

    async def run(op: Any, body: dict, count: int, phase: str) -> None:
        left, done = count, 0
        every = max(1, count // 10)

        async def worker() -> None:
            nonlocal left, done
            while left > 0:
                left -= 1
                await op(body)
                done += 1
                if done % every == 0:
                    sample(phase, done)

        await asyncio.gather(*(worker() for _ in range(in_flight)))

    async def main() -> None:
        chat = make(client_name, "async", f"{base}/v1", options)
        streamer = make(client_name, "async", f"{base}/sse/1000/v1", options)
        for _ in range(50):  # warm: lazy imports, caches and the pool are in place
            await chat.chat(CHAT)
        for _ in range(3):
            await streamer.stream(STREAM)
        sample("start", 0)
        start = time.perf_counter()
        await run(chat.chat, CHAT, requests, "requests")
        await run(streamer.stream, STREAM, streams, "streams")
        wall = time.perf_counter() - start
        sample("end", requests + streams)
        await chat.aclose()
        await streamer.aclose()
        sample("closed", requests + streams)
        out.update(wall_s=wall)

    out: dict[str, Any] = {"requests": requests, "streams": streams, "in_flight": in_flight}
    asyncio.run(main())
    first, last = samples[0], samples[-2]
    out.update(
        samples=samples,
        rss_start_mb=first["rss_mb"],
        rss_end_mb=last["rss_mb"],
        rss_growth_mb=round(last["rss_mb"] - first["rss_mb"], 2),
        sockets_start=first["sockets"],
        sockets_max=max(s["sockets"] for s in samples),
        sockets_end=last["sockets"],
        sockets_after_close=samples[-1]["sockets"],
        fds_start=first["fds"],
        fds_end=last["fds"],
        peak_rss_mb=peak_rss_mb(),
    )
    return out


def versions(client_name: str) -> dict[str, str]:
    found = {}
    for name in PACKAGES[client_name]:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=[*SCENARIOS, "soak"])
    parser.add_argument("client", help=f"one of {', '.join(CLIENTS)}, or byot+NAME")
    parser.add_argument("n", type=int)
    parser.add_argument("streams", type=int, nargs="?", default=0)
    parser.add_argument("--base", default="http://127.0.0.1:18431")
    parser.add_argument("--options", default="{}", help="byot+NAME: its options, as JSON")
    args = parser.parse_args()
    if args.client not in CLIENTS and not args.client.startswith("byot+"):
        parser.error(f"unknown client {args.client!r}")
    options = json.loads(args.options)
    if args.scenario == "soak":
        result = soak(args.client, args.n, args.streams, args.base, options)
    else:
        result = measure(args.scenario, args.client, args.n, args.base, options)
        result["n"] = args.n
    packages = "byot" if args.client.startswith("byot+") else args.client
    result.update(scenario=args.scenario, client=args.client, versions=versions(packages))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
