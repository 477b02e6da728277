"""Generate an image, save it from base64, and ask for a URL instead.

gpt-image-1 always answers with base64 (`b64_json`); dall-e models can answer with a URL.

    OPENAI_API_KEY=sk-... python examples/images.py    # writes otter.png in a new temporary folder
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import byot


def main() -> None:
    with byot.Client() as client:
        image = client.images.generate(
            {"model": "gpt-image-1", "prompt": "A cute baby sea otter", "size": "1024x1024"}
        )
        data = base64.b64decode(image["data"][0]["b64_json"])
        saved = Path(tempfile.mkdtemp(prefix="byot-images-")) / "otter.png"
        saved.write_bytes(data)
        print(f"saved {saved} ({len(data)} bytes)")

        linked = client.images.generate(
            {"model": "dall-e-3", "prompt": "A lighthouse at dawn", "response_format": "url"}
        )
        for item in linked["data"]:
            print(f"url: {item.get('url')}")


if __name__ == "__main__":
    main()
