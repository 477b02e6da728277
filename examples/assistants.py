"""Assistants (beta): an assistant, a thread with a message, and a run streamed as it works.

Run events are `(event name, data)` pairs: `thread.run.created`, `thread.message.delta`, ...

    OPENAI_API_KEY=sk-... python examples/assistants.py
"""

from __future__ import annotations

import byot


def main() -> None:
    with byot.Client() as client:
        assistant = client.beta.assistants.create(
            {
                "model": "gpt-4o-mini",
                "name": "Math Tutor",
                "instructions": "You are a personal math tutor. Answer in one sentence.",
            }
        )
        thread = client.beta.threads.create({})
        client.beta.threads.messages.create(
            thread["id"], {"role": "user", "content": "What is 3x + 11 = 14 solved for x?"}
        )
        print(f"{assistant['name']} ({assistant['id']}) on {thread['id']}")

        run = {"assistant_id": assistant["id"]}
        with client.beta.threads.runs.create_stream(thread["id"], run) as stream:
            for event, data in stream:
                if event == "thread.message.delta":
                    for part in data["delta"].get("content", []):
                        print(part.get("text", {}).get("value", ""), end="", flush=True)
                elif event.startswith("thread.run.") and not event.startswith("thread.run.step"):
                    print(f"\n[{event}]")  # created, queued, in_progress, completed, ...
        for message in client.beta.threads.messages.list_items(thread["id"], order="asc"):
            text = " ".join(c["text"]["value"] for c in message["content"] if c["type"] == "text")
            print(f"{message['role']}: {text}")


if __name__ == "__main__":
    main()
