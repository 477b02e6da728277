"""Profile one scenario of one client with pyinstrument and print where the time goes.

    .work/venv/bin/python profiling.py chat_sync byot 5000 [--base URL] [--html FILE]

Prints the share of the loop's samples by library (the frame's own time, by the package its
file belongs to), the top functions by own time, and byot's functions by total time. The
sampling adds overhead of its own, so read the shares, not the absolute times.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cell import measure


def library(path: str) -> str:
    parts = Path(path).parts
    if "site-packages" in parts:
        rest = parts[parts.index("site-packages") + 1 :]
        return rest[0].removesuffix(".py") if rest else "?"
    if "python3" in "".join(parts) or path.startswith("<"):
        name = Path(path).stem
        return "asyncio" if "asyncio" in parts else f"stdlib/{name}" if name else path
    return Path(path).stem


def walk(frame: Any, into: dict[str, Any], stack: tuple[str, ...]) -> None:
    real = [c for c in frame.children if not c.identifier.startswith("[")]
    name = (
        f"{frame.function} ({library(frame.file_path or '')}:{Path(frame.file_path or '?').name})"
    )
    own = frame.time - sum(c.time for c in real)  # pyinstrument's "[self]" children included
    into["self"][name] += own
    into["lib"][library(frame.file_path or "")] += own
    if "byot" in Path(frame.file_path or "").parts and name not in stack:
        into["byot_total"][name] += frame.time
    for child in real:
        walk(child, into, (*stack, name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario")
    parser.add_argument("client")
    parser.add_argument("n", type=int)
    parser.add_argument("--base", default="http://127.0.0.1:18431")
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    args = parser.parse_args()
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    profiler.start()
    measure(args.scenario, args.client, args.n, args.base, {})
    profiler.stop()
    if args.html:
        Path(args.html).write_text(profiler.output_html())
    root = profiler.last_session.root_frame()
    found: dict[str, Any] = {k: collections.Counter() for k in ("self", "lib", "byot_total")}
    for child in root.children:  # the root is the profiler's own frame
        walk(child, found, ())
    total = root.time
    print(f"{args.client} {args.scenario}, {args.n} operations: {total:.2f} s sampled\n")
    print("By library (own time):")
    for name, t in found["lib"].most_common(12):
        print(f"  {t / total:6.1%}  {name}")
    print("\nTop functions (own time):")
    for name, t in found["self"].most_common(20):
        print(f"  {t / total:6.1%}  {name}")
    print("\nbyot functions (total time, including what they call):")
    for name, t in found["byot_total"].most_common(20):
        print(f"  {t / total:6.1%}  {name}")


if __name__ == "__main__":
    main()
