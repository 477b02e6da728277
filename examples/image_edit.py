"""Edit an image and make variations of it: multipart uploads from bytes held in memory.

Pass a square PNG, or let the example draw a plain white one:

    OPENAI_API_KEY=sk-... python examples/image_edit.py [photo.png]

File fields take bytes, a `pathlib.Path` (streamed from disk), a binary file object, or a
`(filename, content, content_type)` tuple, as here.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

import byot


def white_square(side: int = 256) -> bytes:
    """A white RGBA PNG, `side` pixels square."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    rows = (b"\x00" + b"\xff" * 4 * side) * side
    pixels = zlib.compress(rows)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def main() -> None:
    png = Path(sys.argv[1]).read_bytes() if len(sys.argv) > 1 else white_square()
    image = ("square.png", png, "image/png")
    with byot.Client() as client:
        edited = client.images.edit(
            {"model": "gpt-image-1", "image": image, "prompt": "Paint a red circle in the middle"}
        )
        print(f"edit: {len(edited.get('data', []))} image(s)")
        variations = client.images.create_variation(
            {"model": "dall-e-2", "image": image, "n": 2, "size": "256x256"}
        )
        for item in variations["data"]:
            print(f"variation: {item.get('url') or 'base64 data'}")


if __name__ == "__main__":
    main()
