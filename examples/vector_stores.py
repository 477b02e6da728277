"""File search: put a document into a vector store, search it, and let a model use it.

OPENAI_API_KEY=sk-... python examples/vector_stores.py
"""

from __future__ import annotations

import byot

HANDBOOK = b"""Employees get 30 days of paid leave a year.
Remote work is allowed on Mondays and Fridays.
"""


def main() -> None:
    with byot.Client() as client:
        file = client.files.create(
            {"file": ("handbook.txt", HANDBOOK, "text/plain"), "purpose": "assistants"}
        )
        store = client.vector_stores.create({"name": "Handbook", "file_ids": [file["id"]]})
        print(f"{store['id']}: {store['file_counts']['completed']} file(s) ready")

        hits = client.vector_stores.search(store["id"], {"query": "How many days of leave?"})
        for hit in hits["data"]:
            print(f"hit {hit['filename']} (score {hit['score']:.2f})")

        response = client.responses.create(
            {
                "model": "gpt-4o-mini",
                "input": "How many days of leave do I get?",
                "tools": [{"type": "file_search", "vector_store_ids": [store["id"]]}],
            }
        )
    for item in response["output"]:
        if item["type"] == "message":
            print("".join(part.get("text", "") for part in item["content"]))


if __name__ == "__main__":
    main()
