"""A large file in parts with the Uploads API: create, add each part, complete.

Each part is a multipart request of up to 64 MB; the parts can be sent in any order (or in
parallel) and are put together in the order `complete` lists them. Files up to 8 GB.

    OPENAI_API_KEY=sk-... python examples/uploads.py
"""

from __future__ import annotations

import byot

PART_SIZE = 16 * 1024  # parts may be up to 64 MB; small here to show several


def main() -> None:
    data = b'{"prompt": "hello", "completion": "world"}\n' * 1000  # stands in for a big file
    parts = [data[start : start + PART_SIZE] for start in range(0, len(data), PART_SIZE)]
    with byot.Client() as client:
        upload = client.uploads.create(
            {
                "filename": "training_examples.jsonl",
                "purpose": "fine-tune",
                "bytes": len(data),
                "mime_type": "text/jsonl",
            }
        )
        part_ids: list[str] = []
        for chunk in parts:
            part = client.uploads.parts.create(upload["id"], {"data": chunk})
            part_ids.append(part["id"])
        print(f"{upload['id']}: sent {len(part_ids)} parts")
        done = client.uploads.complete(upload["id"], {"part_ids": part_ids})
    print(f"{done['status']}: file {done['file']['id']}")


if __name__ == "__main__":
    main()
