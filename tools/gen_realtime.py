"""Extract the Realtime API's documented event examples from OpenAI's OpenAPI description.

Writes ``byot/testing/realtime_events.json``: for each client and server event of the Realtime
WebSocket (the ``RealtimeClientEvent*`` and ``RealtimeServerEvent*`` schemas), the example the
spec documents (one or more), keyed by the event's ``type``. The fake Realtime server of
``byot.testing`` builds its conversations from them, and the tests check each against the
bundled schemas.
``--check`` fails when the committed file is stale.
"""

from __future__ import annotations

import argparse
import json  # noqa: TID251 -- a build tool: indented, sorted output from the stdlib encoder
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT / ".." / "shared" / "spec" / "openai-openapi" / "openapi.json"
OUT = ROOT / "byot" / "testing" / "realtime_events.json"
PREFIXES = {"client": "RealtimeClientEvent", "server": "RealtimeServerEvent"}


def _documents(text: str) -> list[Any]:
    """The JSON documents of one example (some hold several).

    Forgives the `//` comments and trailing commas of hand-written examples.
    """
    text = re.sub(r"(^|\s)//[^\n]*", r"\1", text)
    text = re.sub(r",(\s*[}\]])", r"\1", text)
    decoder, documents, at = json.JSONDecoder(), [], 0
    while (at := _skip_space(text, at)) < len(text):
        document, at = decoder.raw_decode(text, at)
        documents.append(document)
    return documents


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def generate(spec: dict[str, Any]) -> str:
    """The file's text: `{"client": {type: [examples]}, "server": {type: [examples]}}`."""
    schemas = spec["components"]["schemas"]
    out: dict[str, dict[str, list[Any]]] = {"client": {}, "server": {}}
    for side, prefix in PREFIXES.items():
        for name, schema in sorted(schemas.items()):
            example = (schema.get("x-oaiMeta") or {}).get("example")
            if not name.startswith(prefix) or not example:
                continue
            for event in _documents(example):
                out[side].setdefault(event["type"], []).append(event)
    return json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the file, or with `--check` say whether the committed one is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = generate(json.loads(args.spec.read_bytes()))
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run tools/gen_realtime.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
