"""Embeddings for a few sentences, and which two are closest.

OPENAI_API_KEY=sk-... python examples/embeddings.py
"""

from __future__ import annotations

import math
import os

import byot

MODEL = os.environ.get("OPENAI_EMBEDDING_MODEL", "text-embedding-3-small")
SENTENCES = ["The cat sat on the mat.", "A feline rested on a rug.", "Stocks fell sharply today."]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0


def main() -> None:
    with byot.Client() as client:
        result = client.embeddings.create({"model": MODEL, "input": SENTENCES})
    vectors: list[list[float]] = [item["embedding"] for item in result["data"]]
    print(f"{len(vectors)} embeddings of {len(vectors[0])} dimensions from {result['model']}")
    pairs = [(i, j) for i in range(len(vectors)) for j in range(i + 1, len(vectors))]
    if pairs:
        i, j = max(pairs, key=lambda pair: cosine(vectors[pair[0]], vectors[pair[1]]))
        print(f"closest: {SENTENCES[i]!r} and {SENTENCES[j]!r}")


if __name__ == "__main__":
    main()
