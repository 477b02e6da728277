"""The same JSONL file on the Batch API: submit, wait, fetch, read back by custom_id.

    OPENAI_API_KEY=sk-... python examples/bulk_batch.py

The provider runs the batch within 24 hours at half the price. The batch ids are all it takes
to pick the job up again from another process (`byot bulk status|fetch BATCH_ID`). The files
go into a new temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import byot
from byot import bulk

TEXTS = ["The cat sat on the mat.", "A feline rested on a rug.", "Stocks fell sharply."]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="byot-bulk-batch-"))
    requests, results = folder / "embeddings.jsonl", folder / "embedded.jsonl"
    bulk.write_requests(
        requests,
        (
            (f"t{n}", {"model": "text-embedding-3-small", "input": text})
            for n, text in enumerate(TEXTS)
        ),
        url="/v1/embeddings",
    )
    with byot.Client() as client:
        batches = bulk.submit(client, requests)
        print("submitted:", ", ".join(batch["id"] for batch in batches))
        finished = bulk.wait(client, [batch["id"] for batch in batches])
        for batch in finished:
            counts = batch["request_counts"]
            print(f"{batch['id']}: {batch['status']}, {counts['completed']} of {counts['total']}")
        bulk.fetch(client, finished, results)

    for custom_id, result in sorted(bulk.results_by_id(results).items()):
        if result.body is not None:
            print(f"{custom_id}: {len(result.body['data'][0]['embedding'])} dimensions")
        else:
            print(f"{custom_id}: failed, {result.error}")


if __name__ == "__main__":
    main()
