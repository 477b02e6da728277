"""Conversations: a server-side conversation that Responses calls read from and add to.

OPENAI_API_KEY=sk-... python examples/conversations.py
"""

from __future__ import annotations

import byot


def main() -> None:
    with byot.Client() as client:
        conversation = client.conversations.create(
            {
                "metadata": {"topic": "demo"},
                "items": [{"type": "message", "role": "user", "content": "Hello!"}],
            }
        )
        print(f"{conversation['id']} about {conversation['metadata'].get('topic')}")
        client.conversations.items.create(
            conversation["id"],
            {"items": [{"type": "message", "role": "user", "content": "How are you?"}]},
        )
        client.responses.create(
            {"model": "gpt-4o-mini", "conversation": conversation["id"], "input": "Answer both."}
        )
        for item in client.conversations.items.list_items(conversation["id"], order="asc"):
            text = " ".join(part.get("text", "") for part in item.get("content", []))
            print(f"{item.get('role', item['type'])}: {text}")


if __name__ == "__main__":
    main()
