"""The multipart/form-data encoder: parts, naming, escaping, streaming and replay.

Bodies are parsed back with a small strict parser (and once with the stdlib email parser and
once against httpx's own encoder), so every part's headers and payload are checked exactly.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import enum
import gzip
import hashlib
import io
import mimetypes
import os
import re
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from typing_extensions import override

from byot._multipart import MultipartBody, encode_multipart

if TYPE_CHECKING:
    from pathlib import Path

B = "test-boundary"


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    payload: bytes


def parse(data: bytes, boundary: str = B) -> list[Part]:
    """Split a body into parts, asserting the framing is exactly what RFC 7578 asks for."""
    delimiter = f"--{boundary}".encode()
    assert data.endswith(delimiter + b"--\r\n")
    chunks = data.split(delimiter)
    assert chunks[0] == b""
    assert chunks[-1] == b"--\r\n"
    parts: list[Part] = []
    for chunk in chunks[1:-1]:
        assert chunk.startswith(b"\r\n")
        assert chunk.endswith(b"\r\n")
        head, sep, payload = chunk[2:-2].partition(b"\r\n\r\n")
        assert sep
        headers = dict(line.decode().split(": ", 1) for line in head.split(b"\r\n"))
        assert set(headers) <= {"Content-Disposition", "Content-Type"}
        disposition = headers["Content-Disposition"]
        match = re.fullmatch(r'form-data; name="([^"]*)"(?:; filename="([^"]*)")?', disposition)
        assert match, disposition
        parts.append(Part(match[1], match[2], headers.get("Content-Type"), payload))
    return parts


def replay(body: MultipartBody) -> bytes:
    """Two passes give identical bytes, and `content_length()` is their length."""
    first = body.to_bytes()
    assert body.to_bytes() == first
    assert body.content_length() == len(first)
    return first


def parts_of(fields: dict[str, Any]) -> list[Part]:
    return parse(replay(MultipartBody(fields, boundary=B)))


def text(name: str, value: str) -> Part:
    return Part(name, None, None, value.encode())


def file(name: str, payload: bytes, filename: str = "upload", ctype: str | None = None) -> Part:
    return Part(name, filename, ctype or "application/octet-stream", payload)


class Pipe(io.RawIOBase):
    """A stream that cannot seek, like a pipe or a socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    @override
    def readable(self) -> bool:
        return True

    @override
    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


class Reader:
    """A bare duck-typed file: `read` and nothing else."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)


# ----------------------------------------------------------------------------- text fields


class Color(str, enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def test_scalars_bools_enums_and_none() -> None:
    fields = {
        "model": "whisper-1",
        "n": 2,
        "temperature": 0.5,
        "stream": True,
        "echo": False,
        "skipped": None,
        "color": Color.RED,
        "level": Level.HIGH,
        "prompt": "héllo\r\nworld",
    }
    assert parts_of(fields) == [
        text("model", "whisper-1"),
        text("n", "2"),
        text("temperature", "0.5"),
        text("stream", "true"),
        text("echo", "false"),
        text("color", "red"),
        text("level", "3"),
        text("prompt", "héllo\r\nworld"),
    ]


def test_lists_repeat_the_field_with_brackets() -> None:
    fields = {"timestamp_granularities": ["word", "segment"], "include": ("logprobs",), "e": []}
    assert parts_of(fields) == [
        text("timestamp_granularities[]", "word"),
        text("timestamp_granularities[]", "segment"),
        text("include[]", "logprobs"),
    ]


def test_mappings_nest_recursively() -> None:
    fields = {
        "expires_after": {"anchor": "created_at", "seconds": 3600},
        "meta": {"a": {"b": [1, None, True]}, "gone": None},
    }
    assert parts_of(fields) == [
        text("expires_after[anchor]", "created_at"),
        text("expires_after[seconds]", "3600"),
        text("meta[a][b][]", "1"),
        text("meta[a][b][]", "true"),
    ]


def test_lists_of_files() -> None:
    fields = {"image": [b"one", ("b.png", b"two"), ("c.bin", b"3", "image/webp")]}
    assert parts_of(fields) == [
        file("image[]", b"one"),
        file("image[]", b"two", "b.png", "image/png"),
        file("image[]", b"3", "c.bin", "image/webp"),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"x": [[1]]}, "x[]"),
        ({"x": [{"a": 1}]}, "x[]"),
        ({"x": {"y": [("a", "b")]}}, "x[y][]"),
        ({"x": object()}, "x"),
        ({"x": {1, 2}}, "x"),
        ({"x": memoryview(b"a")}, "x"),
    ],
)
def test_values_that_cannot_be_form_encoded(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(TypeError, match=re.escape(f"field {field!r}: cannot form-encode")):
        MultipartBody(fields)


@pytest.mark.parametrize("fields", [{1: "a"}, {"m": {("k",): "v"}}])
def test_field_names_must_be_str(fields: Any) -> None:
    with pytest.raises(TypeError, match="field names must be str"):
        MultipartBody(fields)


def test_a_tuple_is_a_file_only_when_shaped_like_one() -> None:
    # str content is not file content, so this is a list of two values, not a file.
    assert parts_of({"t": ("a.txt", "hello")}) == [text("t[]", "a.txt"), text("t[]", "hello")]


# ----------------------------------------------------------------------------- files


def test_bytes_are_an_unnamed_octet_stream_and_bytearray_is_copied() -> None:
    data = bytearray(b"\x00\xff\r\n--test-boundary\r\n")  # binary, even a fake delimiter line
    body = MultipartBody({"a": b"raw", "b": data}, boundary="other")
    data[:] = b"changed"
    assert parse(replay(body), "other") == [
        file("a", b"raw"),
        file("b", b"\x00\xff\r\n--test-boundary\r\n"),
    ]


def test_paths_stream_from_disk_under_their_name(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"hello")
    (tmp_path / "blob.zzunknown").write_bytes(b"")

    class Custom:  # any os.PathLike, not only pathlib
        def __fspath__(self) -> str:
            return str(tmp_path / "notes.txt")

    fields = {"f": tmp_path / "notes.txt", "g": tmp_path / "blob.zzunknown", "h": Custom()}
    assert parts_of(fields) == [
        file("f", b"hello", "notes.txt", "text/plain"),
        file("g", b"", "blob.zzunknown"),
        file("h", b"hello", "notes.txt", "text/plain"),
    ]


def test_a_missing_path_fails_at_construction_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.wav"
    with pytest.raises(FileNotFoundError, match=r"nope\.wav"):
        encode_multipart({"file": missing})
    with pytest.raises(ValueError, match="is not a regular file"):
        encode_multipart({"file": tmp_path})


def test_file_objects_keep_their_start_position(tmp_path: Path) -> None:
    path = tmp_path / "speech.mp3"
    path.write_bytes(b"ID3-audio")
    buffer = io.BytesIO(b"skip:payload")
    buffer.seek(5)
    with path.open("rb") as opened, open(os.open(path, os.O_RDONLY), "rb") as by_fd:  # noqa: PTH123
        body = MultipartBody({"a": buffer, "b": opened, "c": by_fd}, boundary=B)
        assert parse(replay(body)) == [
            file("a", b"payload"),
            file("b", b"ID3-audio", "speech.mp3", "audio/mpeg"),
            file("c", b"ID3-audio"),  # its name is an int: unnamed
        ]


def test_tuple_forms(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"disk")
    fields = {
        "a": ("a.json", b"{}"),
        "b": ("b.dat", b"1", "text/csv"),
        "c": ("c.mp4", path),
        "d": ("d", io.BytesIO(b"obj"), None),
        "e": ('é "q".wav', bytearray(b"2")),
    }
    assert parts_of(fields) == [
        file("a", b"{}", "a.json", "application/json"),
        file("b", b"1", "b.dat", "text/csv"),
        file("c", b"disk", "c.mp4", "video/mp4"),
        file("d", b"obj", "d"),
        file("e", b"2", "é %22q%22.wav", mimetypes.guess_type("x.wav")[0]),
    ]


def test_bad_content_types() -> None:
    with pytest.raises(TypeError, match="'f': the content type must be a str"):
        MultipartBody({"f": ("a", b"", 3)})
    with pytest.raises(ValueError, match="must not hold CR, LF or NUL"):
        MultipartBody({"f": ("a", b"", "text/plain\r\nX-Evil: 1")})


def test_text_mode_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    with path.open() as text_file, pytest.raises(TypeError, match="text mode; open it with 'rb'"):
        MultipartBody({"f": text_file})
    with pytest.raises(TypeError, match="text mode"):
        MultipartBody({"f": io.StringIO("x")})
    # Not an io.TextIOBase, but its mode says text.
    with tempfile.TemporaryFile("w+") as wrapped, pytest.raises(TypeError, match="text mode"):
        MultipartBody({"f": wrapped})
    with path.open("ab") as write_only, pytest.raises(TypeError, match="not readable"):
        MultipartBody({"f": write_only})


def test_a_gzip_file_is_binary() -> None:
    # Its `mode` is an int before Python 3.12 and "rb" since: a binary file either way.
    with gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(b"unzipped"))) as gz:
        assert parts_of({"f": gz}) == [file("f", b"unzipped")]


@pytest.mark.parametrize("mode", [1, "rb", "r+b"])
def test_a_mode_that_is_not_a_text_mode_string_is_binary(mode: object) -> None:
    buffer = io.BytesIO(b"data")
    buffer.mode = mode  # type: ignore[attr-defined]
    assert parts_of({"f": buffer}) == [file("f", b"data")]


# ----------------------------------------------------------------------------- replay


@pytest.mark.parametrize("stream", [Pipe(b"once"), Reader(b"once")], ids=["pipe", "duck"])
def test_a_stream_that_cannot_seek_is_sent_once(stream: Any) -> None:
    body = MultipartBody({"f": stream, "after": "x"}, boundary=B)
    assert body.content_length() is None
    assert parse(body.to_bytes()) == [file("f", b"once"), text("after", "x")]
    with pytest.raises(RuntimeError, match="can be sent only once; pass bytes or a path"):
        next(iter(body))  # before yielding a single byte


def test_a_file_that_changed_size_fails_the_pass(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"1234")
    body = MultipartBody({"f": path})
    body.to_bytes()
    path.write_bytes(b"12345")
    with pytest.raises(RuntimeError, match=r"a\.bin changed size .*\(it had 4 bytes\)"):
        body.to_bytes()
    buffer = io.BytesIO(b"1234")
    body = MultipartBody({"f": buffer})
    buffer.truncate(2)
    with pytest.raises(RuntimeError, match="upload changed size"):
        body.to_bytes()


# ----------------------------------------------------------------------------- streaming


def test_a_large_file_is_read_in_chunks(tmp_path: Path) -> None:
    data = os.urandom(5 * 1024 * 1024 + 7)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    body = MultipartBody({"model": "m", "file": path, "big": data}, chunk_size=64 * 1024)
    for _ in range(2):
        sizes = [len(chunk) for chunk in body]
        assert max(sizes) <= 64 * 1024
        assert len(sizes) > 2 * len(data) // (64 * 1024)
        assert sum(sizes) == body.content_length()
    parts = parse(body.to_bytes(), body.content_type.split("boundary=")[1])
    assert [hashlib.sha256(p.payload).digest() for p in parts[1:]] == [
        hashlib.sha256(data).digest()
    ] * 2


def test_small_parts_are_joined_into_few_chunks() -> None:
    body = MultipartBody({f"f{i}": i for i in range(100)}, boundary=B)
    assert len(list(body)) == 1
    body = MultipartBody({"a": "1", "b": "2"}, boundary=B, chunk_size=10)
    assert max(len(chunk) for chunk in body) <= 10
    assert parse(body.to_bytes()) == [text("a", "1"), text("b", "2")]


def test_async_iteration_gives_the_same_bytes(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 100_000)
    body = MultipartBody({"file": path, "n": 1})

    async def collect() -> bytes:
        return b"".join([chunk async for chunk in body])

    assert asyncio.run(collect()) == asyncio.run(collect()) == body.to_bytes()


# ----------------------------------------------------------------------------- escaping


def test_names_and_filenames_cannot_inject_headers() -> None:
    evil = 'a"b\\c\r\nX-Injected: 1\x00\x1b\x7fé'
    body = MultipartBody({evil: (evil, b"p"), "n": {evil: "v"}}, boundary=B)
    data = body.to_bytes()
    quoted = "a%22b\\\\c%0D%0AX-Injected: 1%00%1B%7Fé"
    assert b"\r\nX-Injected" not in data
    assert data.count(b"\r\n") == 5 + 4 + 1  # framing only: file part, text part, closing line
    assert parse(data) == [
        file(quoted, b"p", quoted),
        text(f"n[{quoted}]", "v"),
    ]


# ----------------------------------------------------------------------------- the body


def test_boundary_and_chunk_size() -> None:
    first, second = MultipartBody({}), MultipartBody({})
    boundary = first.content_type.removeprefix("multipart/form-data; boundary=")
    assert re.fullmatch("[0-9a-f]{32}", boundary)
    assert first.content_type != second.content_type
    assert first.to_bytes() == f"--{boundary}--\r\n".encode()
    assert MultipartBody({}, boundary="a'b+c_d.e-f").content_length() == len("--a'b+c_d.e-f--\r\n")
    for bad in ["", "has space", "x" * 71, "semi;colon", 'q"uote']:
        with pytest.raises(ValueError, match="invalid multipart boundary"):
            MultipartBody({}, boundary=bad)
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        MultipartBody({}, chunk_size=0)


def test_encode_multipart_builds_the_same_body() -> None:
    fields = {"purpose": "assistants", "file": ("a.jsonl", b"{}\n")}
    assert encode_multipart(fields, boundary=B).to_bytes() == (
        MultipartBody(fields, boundary=B).to_bytes()
    )


def test_the_stdlib_email_parser_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "clip.wav"
    path.write_bytes(b"RIFF....WAVE")
    body = MultipartBody({"model": "whisper-1", "file": path})
    head = f"Content-Type: {body.content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body.to_bytes())
    model, audio = message.iter_parts()
    assert model.get_param("name", header="content-disposition") == "model"
    assert model.get_payload(decode=True) == b"whisper-1"
    assert audio.get_filename() == "clip.wav"
    assert audio.get_content_type() == mimetypes.guess_type("clip.wav")[0]
    assert audio.get_payload(decode=True) == b"RIFF....WAVE"


def test_matches_httpx_own_encoder() -> None:
    boundary = "fixed"
    ours = MultipartBody(
        {"model": "m", "n": 3, "file": ("a.txt", b"hi", "text/plain")}, boundary=boundary
    )
    theirs = httpx.Request(
        "POST",
        "http://x",
        data={"model": "m", "n": "3"},
        files={"file": ("a.txt", b"hi", "text/plain")},
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert ours.to_bytes() == theirs.read()


def test_httpx_sends_it_with_a_content_length(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG" * 1000)
    body = MultipartBody({"prompt": "cat", "image": path}, chunk_size=1000)
    headers = {"Content-Type": body.content_type, "Content-Length": str(body.content_length())}
    request = httpx.Request("POST", "http://x", content=body, headers=headers)
    assert "Transfer-Encoding" not in request.headers
    assert request.read() == body.to_bytes()
    async_request = httpx.Request("POST", "http://x", content=body.__aiter__(), headers=headers)
    assert asyncio.run(async_request.aread()) == body.to_bytes()


def test_httpx_clients_send_it_again_on_a_retry(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"data" * 50_000)
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return httpx.Response(200)

    body = MultipartBody({"file": path, "stream": Pipe(b"once")})
    headers = {"Content-Type": body.content_type}
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.post("http://x", content=body, headers=headers)
        with pytest.raises(RuntimeError, match="can be sent only once"):
            client.post("http://x", content=body, headers=headers)
    body = MultipartBody({"file": path})
    headers = {"Content-Type": body.content_type}

    async def send_twice() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            for _ in range(2):
                await client.post("http://x", content=body.__aiter__(), headers=headers)

    asyncio.run(send_twice())
    assert seen[1] == seen[2] == body.to_bytes()
    assert seen[0].startswith(b"--")


def test_a_part_without_filename() -> None:
    body = MultipartBody({"doc": (None, b'{"a":1}', "application/json")}, boundary="b")
    assert body.to_bytes() == (
        b'--b\r\nContent-Disposition: form-data; name="doc"\r\n'
        b'Content-Type: application/json\r\n\r\n{"a":1}\r\n--b--\r\n'
    )
    unnamed = MultipartBody({"raw": (None, b"x")}, boundary="b")
    assert b"Content-Type: application/octet-stream" in unnamed.to_bytes()
