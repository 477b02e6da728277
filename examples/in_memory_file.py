"""Upload a file built in memory: no temporary file on disk.

Training data, a batch's requests or a document can be made by the program and sent as
bytes, as a `(filename, bytes, content type)` tuple, or as any binary file object.

    OPENAI_API_KEY=sk-... python examples/in_memory_file.py
"""

from __future__ import annotations

import io

import orjson

import byot

EXAMPLES = [
    ("What is the capital of France?", "Paris."),
    ("What is the capital of Japan?", "Tokyo."),
]


def main() -> None:
    lines = (
        orjson.dumps(
            {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}]}
        )
        for q, a in EXAMPLES
    )
    data = b"\n".join(lines) + b"\n"
    with byot.Client() as client:
        named = client.files.create(
            {"file": ("capitals.jsonl", data, "application/jsonl"), "purpose": "fine-tune"}
        )
        print(f"from bytes: {named['id']} ({named['filename']}, {named['bytes']} bytes)")
        from_object = client.files.create({"file": io.BytesIO(data), "purpose": "fine-tune"})
        print(f"from a file object: {from_object['id']}")


if __name__ == "__main__":
    main()
