"""Google Gemini through its OpenAI-compatible endpoint.

    GEMINI_API_KEY=... python examples/gemini.py

Gemini's differences are handled by byot: its error bodies (a JSON array) are read like
OpenAI's, and streamed tool calls without an `index` are merged by `stream.final()`.
"""

from __future__ import annotations

import os
import sys

import byot

GEMINI = "https://generativelanguage.googleapis.com/v1beta/openai"


def main() -> None:
    key = os.environ.get("GEMINI_API_KEY")
    if not key:
        sys.exit("gemini.py: set GEMINI_API_KEY (from Google AI Studio) to run it")
    # GEMINI_BASE_URL lets a proxy (or a test server) stand in for Google's endpoint.
    base_url = os.environ.get("GEMINI_BASE_URL", GEMINI)
    with byot.Client(base_url=base_url, api_key=key) as client:
        chat = client.chat.completions.create(
            {
                "model": os.environ.get("GEMINI_MODEL", "gemini-2.5-flash"),
                "messages": [{"role": "user", "content": "Explain how AI works in one sentence."}],
            }
        )
    print(chat["choices"][0]["message"]["content"])


if __name__ == "__main__":
    main()
