"""Text to speech: once as whole bytes, once streamed to a file as the audio arrives.

    OPENAI_API_KEY=sk-... python examples/audio_speech.py    # hello.mp3, story.mp3 in a temp folder

`create` returns `bytes`; `create_chunks` returns a stream that never holds the whole answer,
for long texts or for playing while the rest is still being generated.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import byot

if TYPE_CHECKING:
    from byot.types import CreateSpeechRequest


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="byot-speech-"))
    print(f"writing into {folder}")
    with byot.Client() as client:
        audio = client.audio.speech.create(
            {"model": "gpt-4o-mini-tts", "voice": "alloy", "input": "Hello! It is a fine day."}
        )
        (folder / "hello.mp3").write_bytes(audio)
        print(f"hello.mp3: {len(audio)} bytes")

        story = "Once upon a time, a small robot learned to sing. " * 5
        long_speech: CreateSpeechRequest = {
            "model": "gpt-4o-mini-tts",
            "voice": "alloy",
            "input": story,
        }
        with client.audio.speech.create_chunks(long_speech) as stream:
            written = stream.write_to(folder / "story.mp3")
        print(f"story.mp3: {written} bytes, streamed")


if __name__ == "__main__":
    main()
