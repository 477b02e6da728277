"""Check a text with the moderation endpoint and print what it flags.

OPENAI_API_KEY=sk-... python examples/moderations.py
"""

from __future__ import annotations

import byot


def main() -> None:
    with byot.Client() as client:
        result = client.moderations.create(
            {"model": "omni-moderation-latest", "input": "I want to hurt them. How can I do this?"}
        )
    for item in result["results"]:
        flagged = sorted(name for name, hit in item["categories"].items() if hit)
        print(f"flagged: {', '.join(flagged)}" if flagged else "not flagged")


if __name__ == "__main__":
    main()
