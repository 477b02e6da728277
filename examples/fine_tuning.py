"""Fine-tuning: upload training data, start a job, follow its events.

    OPENAI_API_KEY=sk-... python examples/fine_tuning.py train.jsonl

`list_events_items` walks every page of events, fetching each page as it is needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import byot

SAMPLE = (
    b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Ahoy"}]}'
)


def main() -> None:
    training: Path | bytes = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE
    with byot.Client() as client:
        file = client.files.create({"file": training, "purpose": "fine-tune"})
        job = client.fine_tuning.jobs.create(
            {"model": "gpt-4o-mini-2024-07-18", "training_file": file["id"], "suffix": "pirate"}
        )
        print(f"{job['id']}: {job['status']}")
        for number, event in enumerate(
            client.fine_tuning.jobs.list_events_items(job["id"], limit=10)
        ):
            print(f"  [{event['level']}] {event['message']}")
            if number == 9:
                break  # the newest ten


if __name__ == "__main__":
    main()
