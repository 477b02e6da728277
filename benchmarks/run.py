#!/usr/bin/env python3
"""Run byot's benchmarks: one command from set-up to table.

    python3 benchmarks/run.py                 # set up, measure (5 reps), print and save the table
    python3 benchmarks/run.py --quick         # smaller N and 1 rep: a smoke run of a minute or two
    python3 benchmarks/run.py --soak full     # the soak at 10^5 requests and 10^3 streams
    python3 benchmarks/run.py --profile       # also profile byot's sync chat path (pyinstrument)

Set-up (every run, quick when nothing changed): nginx and wrk from apt when missing and this
runs as root; a venv in benchmarks/.work/venv with the pinned clients of requirements.txt and
byot installed from this checkout, not editable, byte-compiled so import times are those of a
normal install; the fixture bodies. The server runs on CPU 0 and each measurement in a fresh
process on CPU 1, so neither slows the other. Only standard-library code runs here; the
measurements run in the venv (cell.py).

Results go to benchmarks/results/<UTC stamp>/: raw.jsonl (every measurement), results.json
(medians and paired ratios) and table.md (printed at the end).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
VENV = WORK / "venv"
PY = VENV / "bin" / "python"
sys.path.insert(0, str(HERE))
import fixtures  # noqa: E402
from server import Server  # noqa: E402

REFERENCE, SDK = "httpx_orjson", "openai"
# The raw clients of the layers below byot (clients.LIMITS): the limit columns.
LIMITS = ["httpcore_orjson", "urllib3_orjson", "httpclient_orjson", "aiohttp_orjson"]
CLIENTS = ["byot", "openai", "httpx_orjson", "byot_aiohttp", *LIMITS]
# scenario -> N (full run); --quick divides by 5. Streams count streams, not events.
SCENARIOS = {
    "chat_sync": 2000,
    "chat_async": 2000,
    "chat_async_c32": 3000,
    "chat_async_c64": 3000,
    "embed_sync": 1000,
    "stream1k_sync": 20,
    "stream10k_sync": 3,
    "stream10k_async": 3,
}
# Clients with one API only: no process is started for the other mode's scenarios.
ONLY = {
    "byot_aiohttp": "async",
    "aiohttp_orjson": "async",
    "urllib3_orjson": "sync",
    "httpclient_orjson": "sync",
}
# --guard: scenario -> (client, its most CPU x ref, N). A quick run for CI that fails when a
# ratio of one run passes its limit by more than --margin; ratios only, never wall-clock.
# The limits hold byot where it is (regressions fail); the targets are in README.md.
GUARD = {
    "chat_sync": ("byot", 0.75, 400),
    "embed_sync": ("byot", 0.95, 200),
    "stream10k_sync": ("byot", 1.50, 2),
    "stream10k_async": ("byot", 1.50, 2),
    "chat_async_c64": ("byot_aiohttp", 0.15, 640),  # the direct path: 0.08 (0.12-0.14 before)
}
# What a feature costs: byot with it on, beside byot without it, in these scenarios of a full
# run (per request and per event). The options go to clients.byot, which builds the objects.
FEATURES = {
    "telemetry": '{"telemetry": "sdk"}',
    "limiter": '{"rate_limiter": {"rpm": 1e9, "tpm": 1e12}}',
    "validate": '{"validate": "raise"}',
}
FEATURE_SCENARIOS = ("chat_sync", "stream1k_sync")
SOAK = {"short": (10_000, 100), "full": (100_000, 1_000)}
IMPORTS = {
    "pass": "pass",
    "byot": "import byot",
    "openai": "import openai",
    "httpx_orjson": "import httpx, orjson",
}
# wrk routes for the ceiling: scenario -> (path, connections, events per stream)
CEILING = {
    "chat_sync": ("/v1/chat/completions", 1, 0),
    "chat_async_c64": ("/v1/chat/completions", 64, 0),
    "embed_sync": ("/v1/embeddings", 1, 0),
    "stream1k_sync": ("/sse/1000/v1/chat/completions", 1, 1000),
    "stream10k_sync": ("/sse/10000/v1/chat/completions", 1, 10000),
}


def mode_of(scenario: str) -> str:
    return "async" if "async" in scenario else "sync"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- set-up ------------------------------------------------------------------------------------


def setup(use_apt: bool) -> None:
    missing = [
        p for p, found in (("nginx", _has_nginx()), ("wrk", shutil.which("wrk"))) if not found
    ]
    if missing and use_apt and shutil.which("apt-get") and os.geteuid() == 0:
        log(f"installing {' '.join(missing)} with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, env=env)
    if not PY.exists():
        log(f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(PY), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "-r", str(HERE / "requirements.txt"), f"{ROOT}[aiohttp,fast,otel,structured]"],
        check=True,
    )
    # The same version number would make pip keep an old build: reinstall byot every run.
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(ROOT)], check=True)
    site = subprocess.run(
        [str(PY), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # PYTHONDONTWRITEBYTECODE may be set: without .pyc files every import would compile.
    subprocess.run([str(PY), "-m", "compileall", "-q", "-j0", site], check=False)


def _compile_byot() -> None:
    """Byte-compile the byot that `PY` imports (an editable checkout with `--python`).

    With PYTHONDONTWRITEBYTECODE set, a checkout nobody compiled is compiled again by every
    measurement: CPU and, above all, peak RSS (the compiler's memory) that no install pays.
    """
    where = subprocess.run(
        [str(PY), "-c", "import byot, os; print(os.path.dirname(byot.__file__))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if where:
        subprocess.run([str(PY), "-m", "compileall", "-q", "-j0", where], check=False)


def _has_nginx() -> bool:
    from server import nginx_path

    return nginx_path() is not None


# -- measuring -----------------------------------------------------------------------------------


def pinned(cmd: list[str]) -> list[str]:
    if (os.cpu_count() or 1) > 1 and shutil.which("taskset"):
        return ["taskset", "-c", "1", *cmd]
    return cmd


# byot+NAME -> its constructor options as JSON (--variant NAME=JSON).
VARIANTS: dict[str, str] = {}


def cell(args: list[str], base: str) -> dict | None:
    options = ["--options", VARIANTS[args[1]]] if args[1] in VARIANTS else []
    cmd = pinned([str(PY), str(HERE / "cell.py"), *args, "--base", base, *options])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        log(f"  FAILED: {' '.join(args)}\n{done.stderr[-1500:]}")
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return None if "skipped" in result else result


# Appended to each import statement: the child's own peak RSS (see cell.peak_rss_mb).
_PRINT_PEAK = (
    "\nfor line in open('/proc/self/status'):\n    line[:6] == 'VmHWM:' and print(line.split()[1])"
)


def import_rep(rep: int, runs: int) -> list[dict]:
    """Each import command `runs` times, interleaved: whole-process CPU time and peak RSS."""
    out = []
    for run in range(runs):
        for client, statement in IMPORTS.items():
            start = time.perf_counter()
            cmd = pinned([str(PY), "-c", statement + _PRINT_PEAK])
            # Not from the checkout's root, where `import byot` would find the sources (no
            # byte-compiled files there) before the installed, compiled package.
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=WORK)
            peak_kib = proc.stdout.read() if proc.stdout else b""
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode:
                sys.exit(f"`python -c '{statement}'` failed")
            out.append(
                {
                    "kind": "import",
                    "rep": rep,
                    "run": run,
                    "client": client,
                    "wall_s": wall,
                    "cpu_s": usage.ru_utime + usage.ru_stime,
                    "peak_rss_mb": int(peak_kib) / 1024,
                }
            )
    return out


def ceiling(base: str, seconds: int) -> dict:
    """What wrk (C) gets from the server on each route: the client must be far below."""
    if seconds <= 0:
        return {}
    if not shutil.which("wrk"):
        log("wrk is not installed: no ceiling (apt-get install wrk)")
        return {}
    body = {
        "chat": json.dumps(_body("chat")),
        "embed": json.dumps(_body("embed")),
        "stream": json.dumps(_body("stream")),
    }
    script = WORK / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Authorization"] = "Bearer sk-bench"\n'
        "function init(args)\n"
        f"  if string.find(wrk.path, 'embeddings') then wrk.body = [[{body['embed']}]]\n"
        f"  elseif string.find(wrk.path, '/sse/') then wrk.body = [[{body['stream']}]]\n"
        f"  else wrk.body = [[{body['chat']}]] end\n"
        "end\n"
    )
    out = {}
    for scenario, (path, connections, events) in CEILING.items():
        cmd = pinned(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), base + path]
        )
        text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", text)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
        if match is None or errors:
            log(f"wrk on {path} failed:\n{text}")
            continue
        rate = float(match.group(1))
        out[scenario] = {
            "connections": connections,
            "ops_per_s": rate,
            "events_per_s": rate * events if events else None,
        }
        log(f"  ceiling {scenario:16s} {rate:>10,.0f} req/s ({connections} conn)")
    return out


def _body(kind: str) -> dict:
    sys.path.insert(0, str(HERE))
    from cell import CHAT, EMBED, STREAM  # standard library only at import

    return {"chat": CHAT, "embed": EMBED, "stream": STREAM}[kind]


# -- summary ---------------------------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def summarise(records: list[dict], clients: list[str]) -> dict:
    cells: dict = {}
    by_key = {
        (r["scenario"], r["client"], r["rep"]): r for r in records if "scenario" in r and "rep" in r
    }
    for scenario in SCENARIOS:
        for client in clients:
            runs = [r for (s, c, _), r in by_key.items() if s == scenario and c == client]
            if not runs:
                continue
            per = "cpu_us_per_event" if "cpu_us_per_event" in runs[0] else "cpu_us_per_op"
            rate = "events_per_s" if per == "cpu_us_per_event" else "ops_per_s"
            entry = {
                "reps": len(runs),
                "ops_per_s": median([r["ops_per_s"] for r in runs]),
                "rate": median([r[rate] for r in runs]),
                "cpu_us": median([r[per] for r in runs]),
                "cpu_us_min": min(r[per] for r in runs),
                "cpu_us_max": max(r[per] for r in runs),
                "peak_rss_mb": median([r["peak_rss_mb"] for r in runs if "peak_rss_mb" in r]),
                "first_call_ms": median([r["first_call_ms"] for r in runs]),
                "setup_ms": median([r["setup_ms"] for r in runs]),
            }
            # The limit: the fastest raw client of the layers below, in the same rep.
            limits = [
                (r[per], min(found))
                for r in runs
                if (found := [o[per] for c in LIMITS if (o := by_key.get((scenario, c, r["rep"])))])
            ]
            if limits:
                entry["cpu_x_limit"] = median([mine / limit for mine, limit in limits])
            plain = (("byot", "byot"),) if client.startswith("byot+") else ()
            for other, name in ((REFERENCE, "ref"), (SDK, "sdk"), *plain):
                pairs = [(r, by_key.get((scenario, other, r["rep"]))) for r in runs]
                pairs = [(r, o) for r, o in pairs if o]
                measured = [(r, o) for r, o in pairs if "peak_rss_mb" in r and "peak_rss_mb" in o]
                if pairs:
                    entry[f"cpu_x_{name}"] = median([r[per] / o[per] for r, o in pairs])
                    entry[f"rate_x_{name}"] = median([r[rate] / o[rate] for r, o in pairs])
                    entry[f"rss_x_{name}"] = median(
                        [r["peak_rss_mb"] / o["peak_rss_mb"] for r, o in measured]
                    )
            cells.setdefault(scenario, {})[client] = entry
    return cells


def summarise_imports(records: list[dict]) -> dict:
    imports = [r for r in records if r.get("kind") == "import"]
    reps = sorted({r["rep"] for r in imports})
    per_rep: dict = {}
    for rep in reps:
        for client in IMPORTS:
            runs = [r for r in imports if r["rep"] == rep and r["client"] == client]
            per_rep[(rep, client)] = {
                "cpu_s": median([r["cpu_s"] for r in runs]),
                "wall_s": median([r["wall_s"] for r in runs]),
                "peak_rss_mb": median([r["peak_rss_mb"] for r in runs]),
            }
    out = {}
    for client in IMPORTS:
        mine = [per_rep[(rep, client)] for rep in reps]
        entry = {key: median([m[key] for m in mine]) for key in ("cpu_s", "wall_s", "peak_rss_mb")}
        for other, name in ((REFERENCE, "ref"), (SDK, "sdk")):
            entry[f"cpu_x_{name}"] = median(
                [per_rep[(rep, client)]["cpu_s"] / per_rep[(rep, other)]["cpu_s"] for rep in reps]
            )
            entry[f"rss_x_{name}"] = median(
                [
                    per_rep[(rep, client)]["peak_rss_mb"] / per_rep[(rep, other)]["peak_rss_mb"]
                    for rep in reps
                ]
            )
        out[client] = entry
    return out


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def distance(results: dict) -> list[str]:
    """One row per scenario: every client's CPU x ref, the limit columns last.

    For the scenarios with requests in flight, the requests/s x ref follows in brackets.
    """
    cells, labels = results["cells"], results["labels"]
    variants = [c for c in results["meta"]["clients"] if c.startswith("byot+")]
    order = ["byot", *variants, "byot_aiohttp", SDK, REFERENCE, *LIMITS]
    shown = [c for c in order if any(c in by_client for by_client in cells.values())]
    if REFERENCE not in shown:
        return []
    lines = [
        "",
        "Distance to the limit: CPU per request (per event for streams) × httpx+orjson, "
        "medians of per-rep ratios; with requests in flight, [requests/s × ref].",
        "",
        "| scenario | " + " | ".join(labels[c] for c in shown) + " |",
        "|---|" + "--:|" * len(shown),
    ]
    for scenario, by_client in cells.items():
        row = []
        for client in shown:
            e = by_client.get(client)
            text = _f(e.get("cpu_x_ref")) if e else "–"
            if e and "_c" in scenario:
                text += f" [{_f(e.get('rate_x_ref'), 1)}]"
            row.append(text)
        lines.append(f"| {scenario} | " + " | ".join(row) + " |")
    return lines


def features(results: dict) -> list[str]:
    """What each variant costs: its CPU over byot's without it, per rep, and parse's table."""
    rows = [
        f"| {scenario} | {results['labels'][client]} | {_f(e['cpu_us'])} | "
        f"{_f(e.get('cpu_x_byot'))} | {_f(e.get('cpu_x_ref'))} |"
        for scenario, by_client in results["cells"].items()
        for client, e in by_client.items()
        if "cpu_x_byot" in e
    ]
    lines = []
    if rows:
        lines += [
            "",
            "What a feature costs: byot with it on, against byot without it in the same rep "
            "(telemetry: the OpenTelemetry SDK recording spans and metrics, nothing exported; "
            'limiter: a RateLimiter that never waits; validate: `validate="raise"` with '
            "`[fast]`), medians of per-rep ratios, CPU per request (per event for streams):",
            "",
            "| scenario | client | CPU µs | CPU × byot | CPU × ref |",
            "|---|---|--:|--:|--:|",
            *rows,
        ]
    if results.get("structured"):
        lines += ["", "Structured outputs (structured.py, in this run):", "", results["structured"]]
    return lines


def table(results: dict) -> str:
    meta, cells = results["meta"], results["cells"]
    labels = results["labels"]
    lines = [
        f"Run {meta['stamp']}: {meta['reps']} reps interleaved, server {meta['server']}, "
        f"Python {meta['python']}, {meta['cpus']} CPUs{', QUICK' if meta['quick'] else ''}.",
        "",
        "CPU is the client process's CPU time per request (per event for streams). `× ref` and "
        "`× SDK` are medians of per-rep ratios to httpx+orjson and to the openai SDK (CPU: lower "
        "is better; rate: higher is better). Rate is requests/s (events/s for streams).",
        "",
        "| scenario | client | rate | CPU µs | [min–max] | CPU × ref | CPU × SDK | CPU × limit "
        "| rate × ref | peak RSS MB | RSS × ref |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for scenario, by_client in cells.items():
        for client, e in by_client.items():
            lines.append(
                f"| {scenario} | {labels[client]} | {_f(e['rate'], 0)} | {_f(e['cpu_us'])} | "
                f"[{_f(e['cpu_us_min'])}–{_f(e['cpu_us_max'])}] | {_f(e.get('cpu_x_ref'))} | "
                f"{_f(e.get('cpu_x_sdk'))} | {_f(e.get('cpu_x_limit'))} | "
                f"{_f(e.get('rate_x_ref'))} | "
                f"{_f(e['peak_rss_mb'], 1)} | {_f(e.get('rss_x_ref'))} |"
            )
        wrk = results["ceiling"].get(scenario)
        ref = by_client.get(REFERENCE)
        if wrk:
            rate = wrk["events_per_s"] or wrk["ops_per_s"]
            over = _f(rate / ref["rate"], 1) if ref else "–"
            lines.append(
                f"| {scenario} | wrk (C), {wrk['connections']} conn | {_f(rate, 0)} | – "
                f"| – | – | – | – | {over} | – | – |"
            )
    lines += distance(results)
    lines += features(results)
    if any(e["cpu_s"] is not None for e in results["imports"].values()):
        lines += [
            "",
            "Import, whole process (`python -c '...'`, CPU time, peak RSS):",
            "",
            "| import | CPU s | × ref | × SDK | peak RSS MB | RSS × ref |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for client, e in results["imports"].items():
            lines.append(
                f"| `{IMPORTS[client]}` | {_f(e['cpu_s'], 3)} | {_f(e['cpu_x_ref'])} | "
                f"{_f(e['cpu_x_sdk'])} | {_f(e['peak_rss_mb'], 1)} | "
                f"{_f(e['rss_x_ref'])} |"
            )
    if results["soak"]:
        soak = next(iter(results["soak"].values()))
        lines += [
            "",
            f"Soak: {soak['requests']:,} chat requests then {soak['streams']:,} streams "
            f"of 1,000 events, {soak['in_flight']} in flight (async API), one process per "
            "client; RSS after warm-up and at the end, sockets open at the start, at most "
            "and at the end (then after close):",
            "",
            "| client | RSS start MB | RSS end MB | growth MB | sockets start / max / end "
            "/ closed | fds start / end | wall s |",
            "|---|--:|--:|--:|--:|--:|--:|",
        ]
        for client, s in results["soak"].items():
            lines.append(
                f"| {labels[client]} | {_f(s['rss_start_mb'], 1)} | {_f(s['rss_end_mb'], 1)} | "
                f"{_f(s['rss_growth_mb'], 1)} | {s['sockets_start']} / {s['sockets_max']} / "
                f"{s['sockets_end']} / {s['sockets_after_close']} | {s['fds_start']} / "
                f"{s['fds_end']} | {_f(s['wall_s'], 0)} |"
            )
    return "\n".join(lines) + "\n"


# -- main ----------------------------------------------------------------------------------


def report(out_dir: Path) -> dict:
    """Summarise out_dir/raw.jsonl into results.json and table.md, and print the table."""
    from clients import LABELS  # standard library only at import

    meta = json.loads((out_dir / "meta.json").read_text())
    lines = (out_dir / "raw.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    clients = meta["clients"]
    meta["versions"] = {r["client"]: r["versions"] for r in records if "versions" in r}
    variants = [c for c in clients if c.startswith("byot+")]
    results = {
        "meta": meta,
        "labels": {**LABELS, **{c: c.replace("+", " + ", 1) for c in variants}},
        "ceiling": {r["scenario"]: r for r in records if r.get("kind") == "ceiling"},
        "cells": summarise(records, clients),
        "imports": summarise_imports(records),
        "soak": {r["client"]: r for r in records if r.get("scenario") == "soak"},
    }
    if (out_dir / "structured.md").exists():
        results["structured"] = (out_dir / "structured.md").read_text().strip()
    (out_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    text = table(results)
    (out_dir / "table.md").write_text(text)
    print(text)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="N / 5, 1 rep unless --reps")
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--soak", choices=["short", "full", "off"], default="short")
    parser.add_argument("--import-runs", type=int, default=5, help="runs per import per rep")
    parser.add_argument("--ceiling-seconds", type=int, default=3, help="0: no wrk ceiling")
    parser.add_argument("--profile", action="store_true", help="pyinstrument byot chat_sync")
    parser.add_argument("--port", type=int, default=18431)
    parser.add_argument("--fallback-server", action="store_true", help="never use nginx")
    parser.add_argument("--no-setup", action="store_true", help="reuse the venv as it is")
    parser.add_argument("--no-apt", action="store_true", help="install nothing with apt-get")
    parser.add_argument("--render", metavar="DIR", help="only re-summarise a results dir")
    parser.add_argument(
        "--guard",
        action="store_true",
        help="CI's quick ratio check (3 reps, this Python, no set-up); fails past a limit",
    )
    parser.add_argument("--margin", type=float, default=0.10, help="--guard: allowed excess")
    parser.add_argument(
        "--no-features",
        action="store_true",
        help="leave out what telemetry, the rate limiter, validation and parse cost",
    )
    parser.add_argument("--python", help="the interpreter that measures (default: the venv's)")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=JSON",
        help="also byot built with these options, as client byot+NAME (repeatable), e.g. "
        """'validate={"validate": true}'""",
    )
    args = parser.parse_args()
    if args.render:
        report(Path(args.render))
        return
    global PY  # one interpreter for every measurement of this run
    if args.guard:
        PY = Path(args.python or sys.executable)
        args.no_setup, args.soak, args.ceiling_seconds, args.import_runs = True, "off", 0, 0
        if "--reps" not in sys.argv:
            args.reps = 3
        args.clients = ",".join(sorted({c for c, _, _ in GUARD.values()} | {REFERENCE}))
        args.scenarios = ",".join(GUARD)
    elif args.python:
        PY = Path(args.python)
    reps = 1 if args.quick and "--reps" not in sys.argv else args.reps
    clients = args.clients.split(",")
    scenarios = args.scenarios.split(",")
    features = not (args.guard or args.no_features) and "byot" in clients
    for variant in args.variant + (
        [f"{name}={options}" for name, options in FEATURES.items()] if features else []
    ):
        name, _, options = variant.partition("=")
        json.loads(options)  # a mistake fails here, not in every cell
        VARIANTS[f"byot+{name}"] = options
        clients.insert(clients.index("byot") + 1 if "byot" in clients else 0, f"byot+{name}")
    for name in [*clients, *scenarios]:
        if name not in CLIENTS and name not in SCENARIOS and name not in VARIANTS:
            sys.exit(f"unknown client or scenario {name!r}")
    if not args.no_setup or not PY.exists():
        setup(not args.no_apt)
    else:
        _compile_byot()
    fixtures.write(WORK / "www")
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_dir = HERE / "results" / stamp
    out_dir.mkdir(parents=True)
    server = Server(WORK, WORK / "www", args.port, fallback=args.fallback_server)
    server.start()
    log(f"server: {server.kind} on {server.base}; results in {out_dir}")
    records: list[dict] = []
    raw = (out_dir / "raw.jsonl").open("w")

    def keep(record: dict) -> None:
        records.append(record)
        raw.write(json.dumps(record) + "\n")
        raw.flush()

    try:
        for scenario, record in ceiling(server.base, args.ceiling_seconds).items():
            keep({"kind": "ceiling", "scenario": scenario, **record})
        for rep in range(reps):
            for scenario in scenarios:
                n = GUARD[scenario][2] if args.guard else SCENARIOS[scenario]
                n = n // (5 if args.quick else 1) or 1
                # Rotate the order each rep, so no client always runs first or last.
                order = clients[rep % len(clients) :] + clients[: rep % len(clients)]
                for client in order:
                    if ONLY.get(client, mode_of(scenario)) != mode_of(scenario):
                        continue
                    if args.guard and client not in (GUARD[scenario][0], REFERENCE):
                        continue
                    if client[5:] in FEATURES and scenario not in FEATURE_SCENARIOS:
                        continue
                    result = cell([scenario, client, str(n)], server.base)
                    if result is None:
                        continue
                    result["rep"] = rep
                    keep(result)
                    per = result.get("cpu_us_per_event", result["cpu_us_per_op"])
                    log(
                        f"  rep {rep} {scenario:16s} {client:14s} cpu {per:>9,.2f} µs "
                        f"rate {result['ops_per_s']:>9,.0f}/s"
                    )
            for record in import_rep(rep, args.import_runs):
                keep(record)
        if args.soak != "off":
            requests, streams = SOAK[args.soak]
            for client in clients:
                result = cell(["soak", client, str(requests), str(streams)], server.base)
                if result:
                    keep(result)
                    log(
                        f"  soak {client:14s} RSS {result['rss_start_mb']:.1f} -> "
                        f"{result['rss_end_mb']:.1f} MB, sockets {result['sockets_start']} -> "
                        f"{result['sockets_end']}"
                    )
        if features:
            structured(out_dir)
        if args.profile:
            profile(server.base, out_dir)
    finally:
        raw.close()
        server.stop()

    meta = {
        "stamp": stamp,
        "reps": reps,
        "quick": args.quick,
        "guard": args.guard,
        "server": server.kind,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "clients": clients,
    }
    (out_dir / "meta.json").write_text(json.dumps(meta) + "\n")
    results = report(out_dir)
    log(f"written: {out_dir}")
    if args.guard and not guard(results["cells"], args.margin):
        sys.exit(1)


def guard(cells: dict, margin: float) -> bool:
    """Print each guarded ratio against its limit; whether all are within limit x (1 + margin)."""
    within = True
    for scenario, (client, limit, _) in GUARD.items():
        ratio = cells.get(scenario, {}).get(client, {}).get("cpu_x_ref")
        ok = ratio is not None and ratio <= limit * (1 + margin)
        within &= ok
        shown = "not measured" if ratio is None else f"{ratio:.2f}"
        print(
            f"{'ok  ' if ok else 'FAIL'} {scenario:16s} {client:13s} CPU x ref {shown} "
            f"(limit {limit:.2f}, +{margin:.0%})"
        )
    return within


def structured(out_dir: Path) -> None:
    """`parse` against `create` + decoding by hand (structured.py, its own server), into the run."""
    quick = ["--quick"] if "--quick" in sys.argv else []
    cmd = pinned([str(PY), str(HERE / "structured.py"), *quick])
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    (out_dir / "structured.md").write_text(done.stdout)
    log("structured outputs: parse against create + decoding by hand, measured")


def profile(base: str, out_dir: Path) -> None:
    """pyinstrument over byot's sync chat loop and its 64-in-flight loop on aiohttp."""
    for scenario, client, n in (
        ("chat_sync", "byot", 5000),
        ("chat_async_c64", "byot_aiohttp", 5000),
    ):
        target = out_dir / f"profile-{scenario}-{client}.txt"
        cmd = pinned(
            [str(PY), str(HERE / "profiling.py"), scenario, client, str(n), "--base", base]
        )
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        target.write_text(done.stdout)
        log(f"profile: {target}")


if __name__ == "__main__":
    main()
