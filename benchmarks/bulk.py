"""`byot.bulk` at scale: 10^6 requests with RSS sampled, and the runner against a hand-written
asyncio + httpx fan-out at the same concurrency, as ratios within one run.

    .venv/bin/python benchmarks/bulk.py                    # 10^6 lines, then 3 x 10^5 compared
    .venv/bin/python benchmarks/bulk.py --lines 100000 --compare-lines 20000 --reps 1  # quick

It uses the project's own venv (byot from the checkout) and the benchmark server of `run.py`
(nginx when installed, else its asyncio fallback) answering every POST with the canned 1.3 KB
`chat.completion`. Each run is a fresh process on CPU 1 (the server has CPU 0) that reads the
input file and writes a results file, both on disk:

* `byot_async`: `byot.bulk.arun(byot.AsyncClient(), ...)` with its defaults (retries, dicts,
  the Batch API's output format, resumability);
* `byot_aiohttp`: the same on `byot.aiohttp.AiohttpTransport` (the `aiohttp` extra), which
  also carries the scale run;
* `byot_threads`: `byot.bulk.run(byot.Client(), ...)`, one thread per request in flight;
* `hand_async`: what a careful programmer writes by hand, an `asyncio.Semaphore` over
  `httpx.AsyncClient.post`, orjson both ways, the same output lines, and no retries.

The scale run samples the child's VmRSS twice a second. The comparison interleaves the three
clients rep by rep, takes each ratio within a rep and prints the median: wall time (throughput)
and CPU time per request (user + system of the child).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BODY = {
    "model": "gpt-4o-mini",
    "messages": [
        {"role": "system", "content": "You answer backend engineers in one short paragraph."},
        {"role": "user", "content": "Why does an HTTP client keep a connection pool?"},
    ],
    "temperature": 0.2,
    "max_tokens": 300,
}
KINDS = ["byot_async", "byot_aiohttp", "byot_threads", "hand_async"]


# -- the children -----------------------------------------------------------------------------


async def hand_async(source: str, output: str, base: str, concurrency: int) -> int:
    import httpx
    import orjson

    slots = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
    tokens = 0
    headers = {"authorization": "Bearer sk-bench", "content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=600) as client:
        with open(source, "rb") as lines, open(output, "wb") as out:  # noqa: ASYNC230

            async def one(line: dict) -> None:
                nonlocal tokens
                try:
                    path = line["url"].removeprefix("/v1")
                    response = await client.post(
                        path, content=orjson.dumps(line["body"]), headers=headers
                    )
                    body = orjson.loads(response.content)
                    tokens += body["usage"]["total_tokens"]
                    result = {
                        "custom_id": line["custom_id"],
                        "response": {
                            "status_code": response.status_code,
                            "request_id": response.headers.get("x-request-id"),
                            "body": body,
                        },
                        "error": None,
                    }
                    out.write(orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE))
                finally:
                    slots.release()

            tasks: set[asyncio.Task[None]] = set()
            for raw in lines:
                await slots.acquire()
                task = asyncio.create_task(one(orjson.loads(raw)))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            await asyncio.gather(*tasks)
    return tokens


def child(kind: str, source: str, output: str, base: str, concurrency: int) -> None:
    os.sched_setaffinity(0, {1 % os.cpu_count()})
    import byot
    from byot import bulk

    start = time.perf_counter()
    if kind == "hand_async":
        tokens = asyncio.run(hand_async(source, output, base + "/v1", concurrency))
    elif kind in ("byot_async", "byot_aiohttp"):
        from byot.aiohttp import AiohttpTransport

        async def main() -> int:
            transport = AiohttpTransport() if kind == "byot_aiohttp" else None
            options = {"base_url": base + "/v1", "api_key": "sk-bench", "transport": transport}
            async with byot.AsyncClient(**options) as client:
                summary = await bulk.arun(
                    client, source, output, concurrency=concurrency, progress=False
                )
            return summary.tokens

        tokens = asyncio.run(main())
    else:
        with byot.Client(base_url=base + "/v1", api_key="sk-bench") as client:
            tokens = bulk.run(
                client, source, output, concurrency=concurrency, progress=False
            ).tokens
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "tokens": tokens}))


# -- the parent -------------------------------------------------------------------------------


def rss_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def measure(kind: str, source: Path, work: Path, base: str, concurrency: int, sample: bool) -> dict:
    output = work / f"out-{kind}.jsonl"
    output.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--child",
            kind,
            str(source),
            str(output),
            base,
            str(concurrency),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    samples: list[tuple[float, int]] = []
    stop = threading.Event()

    def sampler() -> None:
        start = time.monotonic()
        while not stop.wait(0.5):
            kb = rss_kb(process.pid)
            if kb is not None:
                samples.append((time.monotonic() - start, kb))
                if len(samples) % 120 == 0:  # a line a minute, for a run watched as it goes
                    written = output.stat().st_size if output.exists() else 0
                    print(
                        f"  {kind}: {samples[-1][0]:.0f} s, RSS {kb / 1024:.1f} MB, "
                        f"{written / 1e6:.0f} MB written",
                        file=sys.stderr,
                        flush=True,
                    )

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    out, _ = process.communicate()
    stop.set()
    if process.returncode:
        sys.exit(f"{kind} failed with status {process.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    with output.open("rb") as written:
        result["lines_out"] = sum(1 for _ in written)
    result["samples"] = samples
    output.unlink()
    return result


def write_input(path: Path, lines: int) -> None:
    import orjson

    line = {"custom_id": "", "method": "POST", "url": "/v1/chat/completions", "body": BODY}
    with path.open("wb") as out:
        for n in range(lines):
            line["custom_id"] = f"r{n}"
            out.write(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))


def rss_summary(samples: list[tuple[float, int]]) -> str:
    kbs = [kb for _, kb in samples]
    if len(kbs) < 4:
        return f"{len(kbs)} samples"
    quarter = len(kbs) // 4
    return (
        f"{len(kbs)} samples: first quarter median "
        f"{statistics.median(kbs[:quarter]) / 1024:.1f} MB, "
        f"last quarter median {statistics.median(kbs[-quarter:]) / 1024:.1f} MB, "
        f"max {max(kbs) / 1024:.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="the scale run (0: none)")
    parser.add_argument("--compare-lines", type=int, default=100_000, help="0: no comparison")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--port", type=int, default=18457)
    parser.add_argument("--fallback-server", action="store_true")
    args = parser.parse_args()

    import fixtures
    from server import Server

    with tempfile.TemporaryDirectory(prefix="byot-bulk-bench-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's worker (nobody) reads the canned bodies from here
        fixtures.write(work / "www")
        server = Server(work, work / "www", args.port, fallback=args.fallback_server)
        server.start()
        # A `kill` (SIGTERM) stops the server too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
        try:
            print(
                f"server: {server.kind}; {args.concurrency} in flight; "
                f"python {sys.version.split()[0]}"
            )
            report: dict = {"server": server.kind, "concurrency": args.concurrency}
            if args.lines:
                source = work / "scale.jsonl"
                write_input(source, args.lines)
                size = source.stat().st_size / 1e6
                scale = measure(
                    "byot_aiohttp", source, work, server.base, args.concurrency, sample=True
                )
                assert scale["lines_out"] == args.lines, scale["lines_out"]
                print(
                    f"scale: {args.lines:,} lines ({size:.0f} MB in) through byot.bulk.arun "
                    "on aiohttp "
                    f"in {scale['wall']:.0f} s = {args.lines / scale['wall']:,.0f} requests/s, "
                    f"{scale['cpu'] / args.lines * 1e6:.0f} us CPU per request; RSS "
                    f"{rss_summary(scale['samples'])}"
                )
                report["scale"] = {**scale, "lines": args.lines}
            if args.compare_lines:
                source = work / "compare.jsonl"
                write_input(source, args.compare_lines)
                runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
                for rep in range(args.reps):
                    order = KINDS[rep % len(KINDS) :] + KINDS[: rep % len(KINDS)]
                    for kind in order:
                        result = measure(
                            kind, source, work, server.base, args.concurrency, sample=True
                        )
                        assert result["lines_out"] == args.compare_lines, (
                            kind,
                            result["lines_out"],
                        )
                        runs[kind].append(result)
                print(
                    f"compare: {args.compare_lines:,} lines x {args.reps} reps, "
                    "medians of paired ratios"
                )
                print(
                    "| client | requests/s | CPU us/request | peak RSS MB "
                    "| wall / hand | CPU / hand |"
                )
                print("|---|--:|--:|--:|--:|--:|")
                report["compare"] = {}
                for kind in KINDS:
                    walls = [run["wall"] for run in runs[kind]]
                    cpus = [run["cpu"] for run in runs[kind]]
                    wall_ratio = statistics.median(
                        mine["wall"] / hand["wall"]
                        for mine, hand in zip(runs[kind], runs["hand_async"], strict=True)
                    )
                    cpu_ratio = statistics.median(
                        mine["cpu"] / hand["cpu"]
                        for mine, hand in zip(runs[kind], runs["hand_async"], strict=True)
                    )
                    peak = max((kb for run in runs[kind] for _, kb in run["samples"]), default=0)
                    print(
                        f"| {kind} | {args.compare_lines / statistics.median(walls):,.0f} | "
                        f"{statistics.median(cpus) / args.compare_lines * 1e6:.0f} | "
                        f"{peak / 1024:.0f} | "
                        f"{wall_ratio:.2f} | {cpu_ratio:.2f} |"
                    )
                    report["compare"][kind] = {
                        "wall_ratio": wall_ratio,
                        "cpu_ratio": cpu_ratio,
                        "runs": runs[kind],
                    }
            results = HERE / "results"
            results.mkdir(exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            (results / f"bulk-{stamp}.json").write_text(json.dumps(report, indent=1))
        finally:
            server.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]))
    else:
        main()
