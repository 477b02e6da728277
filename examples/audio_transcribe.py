"""Speech to text: a transcription, whole and as a stream of text deltas, and a translation.

    OPENAI_API_KEY=sk-... python examples/audio_transcribe.py speech.mp3

Without a file it sends half a second of silence (a WAV built in memory), which is enough to
see the calls work. A path is streamed from disk, and replayed whole if a retry sends it again.
"""

from __future__ import annotations

import io
import sys
import wave
from pathlib import Path

import byot


def silence(seconds: float = 0.5, rate: int = 16_000) -> bytes:
    """A mono 16-bit WAV of silence."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


def main() -> None:
    audio: Path | tuple[str, bytes, str] = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else ("silence.wav", silence(), "audio/wav")
    )
    with byot.Client() as client:
        text = client.audio.transcriptions.create({"model": "whisper-1", "file": audio})
        print(f"whole: {text['text']}")

        print("streamed: ", end="")
        streamed = client.audio.transcriptions.create_stream(
            {"model": "gpt-4o-mini-transcribe", "file": audio}
        )
        with streamed as stream:
            for event in stream:
                if event["type"] == "transcript.text.delta":
                    print(event["delta"], end="", flush=True)
        print()

        # Speech in any language, as English text.
        english = client.audio.translations.create({"model": "whisper-1", "file": audio})
        print(f"in English: {english['text']}")


if __name__ == "__main__":
    main()
