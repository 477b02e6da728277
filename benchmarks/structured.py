"""Structured outputs: what `parse` costs next to `create` plus decoding the content by hand.

    python benchmarks/structured.py            # 5 rounds of 200 calls of each variant
    python benchmarks/structured.py --quick    # 3 rounds of 100

One run, one process for the client; the answers come from a small HTTP server in a child
process on 127.0.0.1 (its CPU is not counted), serving a `chat.completion` whose content fits
the type. For each kind of type two variants send the same request (the same
`response_format`, built once as a caller would) and read the same answer:

* `create + by hand`: `client.chat.completions.create(...)`, then the content decoded the way
  a careful caller would: pydantic's `model_validate_json`, msgspec's typed `decode`, a
  dataclass built from `orjson.loads`, a TypedDict as the bare `orjson.loads` (no check);
* `parse`: `client.chat.completions.parse(body, T)`: the request built from the type, the
  refusal and finish checks, the content decoded and checked.

The variants alternate call by call (which goes first alternating too), so a slow moment hits
both; the ratio is taken within each round and the median over rounds is printed. CPU is the
process's CPU time per call. Then it shows that the schema is generated once per type: the
first generation's time, and that the timed calls caused none (they take the cached schema).
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson
import pydantic
from typing_extensions import TypedDict

import byot
from byot import _json_schema


@dataclass
class CityDataclass:
    name: str
    country: str
    population: int
    area_km2: float
    capital: bool


class CityDict(TypedDict):
    name: str
    country: str
    population: int
    area_km2: float
    capital: bool


class Landmark(pydantic.BaseModel):
    name: str
    year: int | None


class CityModel(pydantic.BaseModel):
    name: str
    country: str
    population: int
    landmarks: list[Landmark]


class LandmarkStruct(msgspec.Struct):
    name: str
    year: int | None


class CityStruct(msgspec.Struct):
    name: str
    country: str
    population: int
    landmarks: list[LandmarkStruct]


CITY = {"name": "Lyon", "country": "FR", "population": 522000, "area_km2": 47.87, "capital": False}
LANDMARKS = [{"name": "Basilica of Fourvière", "year": 1896}, {"name": "Traboules", "year": None}]
NESTED = {"name": "Lyon", "country": "FR", "population": 522000, "landmarks": LANDMARKS}
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "A city in France"}]}


def by_hand_dataclass(content: str) -> Any:
    return CityDataclass(**orjson.loads(content))


def by_hand_typeddict(content: str) -> Any:
    value: CityDict = orjson.loads(content)
    return value


KINDS: dict[str, tuple[Any, dict[str, Any], Any]] = {
    "dataclass": (CityDataclass, CITY, by_hand_dataclass),
    "pydantic": (CityModel, NESTED, CityModel.model_validate_json),
    "msgspec": (CityStruct, NESTED, msgspec.json.Decoder(CityStruct).decode),
    "TypedDict": (CityDict, CITY, by_hand_typeddict),
}


def completion(document: dict[str, Any]) -> bytes:
    message = {"role": "assistant", "content": orjson.dumps(document).decode(), "refusal": None}
    return orjson.dumps(
        {
            "id": "chatcmpl-bench",
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 30, "total_tokens": 42},
        }
    )


def serve() -> None:
    """The child process: answer every POST with the completion its path names."""
    bodies = {f"/{kind}/v1/chat/completions": completion(kinds[1]) for kind, kinds in KINDS.items()}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = bodies[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def paired(calls: int, first: Any, second: Any) -> tuple[float, float]:
    """CPU seconds per call of each, the two called alternately (which goes first alternates)."""
    clock = time.process_time
    spent = [0.0, 0.0]
    for number in range(calls):
        order = ((0, first), (1, second)) if number % 2 == 0 else ((1, second), (0, first))
        for slot, one in order:
            start = clock()
            one()
            spent[slot] += clock() - start
    return spent[0] / calls, spent[1] / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    rounds, calls = (3, 50) if args.quick else (5, 200)
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        run(port, rounds, calls)
    finally:
        child.terminate()
        child.wait()


def run(port: int, rounds: int, calls: int) -> None:
    generations = 0
    generate = _json_schema._generate

    def counted(tp: object, *, strict: bool) -> Any:
        nonlocal generations
        generations += 1
        return generate(tp, strict=strict)

    _json_schema._generate = counted  # type: ignore[assignment]
    print(f"{rounds} rounds x {calls} calls per variant, CPU time per call (µs)\n")
    print("| type | create + by hand | parse | parse / (create + by hand) |")
    print("|---|--:|--:|--:|")
    firsts: list[str] = []
    for kind, (tp, _, by_hand) in KINDS.items():
        client = byot.Client(base_url=f"http://127.0.0.1:{port}/{kind}/v1", api_key="sk-bench")
        chat = client.chat.completions
        start = time.perf_counter()
        made_before = generations
        byot.json_schema(tp)  # the strict schema, made here for the first time
        firsts.append(
            f"{kind}: {1e6 * (time.perf_counter() - start):,.0f} µs for the first schema "
            f"({generations - made_before} generation)"
        )
        fmt = byot.response_format(tp)
        hand_body = {**BODY, "response_format": fmt}

        def hand(chat: Any = chat, hand_body: Any = hand_body, by_hand: Any = by_hand) -> Any:
            completion = chat.create(hand_body)
            return by_hand(completion["choices"][0]["message"]["content"])

        def parsed(chat: Any = chat, tp: Any = tp) -> Any:
            return chat.parse(BODY, tp).parsed

        assert hand() == parsed()
        for _ in range(calls // 4):  # warm up both
            hand()
            parsed()
        before = generations
        hands, parses, ratios = [], [], []
        for _ in range(rounds):
            by_hand_cpu, parse_cpu = paired(calls, hand, parsed)
            hands.append(by_hand_cpu)
            parses.append(parse_cpu)
            ratios.append(parse_cpu / by_hand_cpu)
        client.close()
        assert generations == before, "a timed call generated a schema again"
        print(
            f"| {kind} | {1e6 * statistics.median(hands):,.1f} | "
            f"{1e6 * statistics.median(parses):,.1f} | {statistics.median(ratios):.3f} |"
        )
    print(
        f"\nSchema generation, once per type ({generations} in all, none during the timed calls):"
    )
    for line in firsts:
        print(f"  {line}")


if __name__ == "__main__":
    main()
