"""The Batch API: upload requests as JSONL, start a batch, check on it, read its results.

A batch runs within 24 hours at half the price; results come back as a file.

    OPENAI_API_KEY=sk-... python examples/batches.py
"""

from __future__ import annotations

import orjson

import byot


def request(number: int, question: str) -> bytes:
    return orjson.dumps(
        {
            "custom_id": f"request-{number}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]},
        }
    )


def main() -> None:
    lines = [request(n, q) for n, q in enumerate(["Hello!", "What is 2 + 2?"], 1)]
    with byot.Client() as client:
        file = client.files.create(
            {"file": ("requests.jsonl", b"\n".join(lines), "application/jsonl"), "purpose": "batch"}
        )
        batch = client.batches.create(
            {
                "input_file_id": file["id"],
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
            }
        )
        print(f"{batch['id']}: {batch['status']}")

        batch = client.batches.retrieve(batch["id"])  # a real program polls until it is done
        counts = batch["request_counts"]
        print(f"{batch['status']}: {counts['completed']} of {counts['total']} done")
        if batch.get("output_file_id"):
            results = client.files.content(batch["output_file_id"])
            print(f"results: {len(results.splitlines())} line(s)")


if __name__ == "__main__":
    main()
