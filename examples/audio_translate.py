"""Translate speech in any language into English text.

    OPENAI_API_KEY=sk-... python examples/audio_translate.py german.mp3

The file field takes a path (streamed from disk, replayed whole if a retry sends it again).
"""

from __future__ import annotations

import sys
from pathlib import Path

import byot


def main() -> None:
    if len(sys.argv) > 1:
        audio: Path | bytes = Path(sys.argv[1])
    else:
        audio = b"RIFF$\x00\x00\x00WAVEfmt "  # a stand-in; pass a real recording
    with byot.Client() as client:
        translation = client.audio.translations.create({"model": "whisper-1", "file": audio})
    print(translation["text"])


if __name__ == "__main__":
    main()
