"""Audio in and out over the Realtime WebSocket, through WAV files.

The example writes `question.wav` itself (one second of a 440 Hz tone, 24 kHz 16-bit mono
PCM, the Realtime API's default format), streams its samples with `input_audio_buffer.append`
(byot base64-encodes the bytes), commits them, and asks for a spoken answer. The answer's
audio deltas are joined by `connection.response()` and saved as `answer.wav`, next to the
transcript; both files go into a new temporary folder.

    pip install 'byot-client[realtime]'
    OPENAI_API_KEY=sk-... python examples/realtime_audio.py
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
import wave
from pathlib import Path

import byot
from byot import realtime

MODEL = os.environ.get("OPENAI_REALTIME_MODEL", "gpt-realtime")
RATE = 24_000  # samples per second of audio/pcm
CHUNK = RATE // 10 * 2  # 100 ms of 16-bit samples per append


def write_tone(path: Path, seconds: float = 1.0, hertz: float = 440.0) -> None:
    samples = (
        int(8000 * math.sin(2 * math.pi * hertz * n / RATE)) for n in range(int(RATE * seconds))
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(b"".join(struct.pack("<h", s) for s in samples))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="byot-realtime-"))
    question, answer = folder / "question.wav", folder / "answer.wav"
    write_tone(question)
    with wave.open(str(question), "rb") as wav:
        pcm = wav.readframes(wav.getnframes())
    client = byot.Client()
    with client.realtime.connect(model=MODEL) as connection:
        # Turn detection off: the example decides when the user's turn ends (commit).
        session = {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
        connection.send(realtime.session_update(session))
        for start in range(0, len(pcm), CHUNK):
            connection.send(realtime.input_audio_buffer_append(pcm[start : start + CHUNK]))
        connection.send(realtime.input_audio_buffer_commit())
        connection.send(realtime.response_create())
        final = connection.response()
    with wave.open(str(answer), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(final.audio)
    print(f"sent {len(pcm)} bytes from {question.name}")
    print(f"saved {answer}: {len(final.audio)} bytes, {len(final.audio) / 2 / RATE:.2f} s")
    print(f"transcript: {final.transcript}")


if __name__ == "__main__":
    main()
