"""What calls return besides a decoded value: `APIResponse` and the binary streams.

`APIResponse` is what `raw=True` gives; `BinaryStream` / `AsyncBinaryStream` are what the
`*_stream` methods of binary endpoints (audio, files, videos) give, never holding a whole body.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic

from typing_extensions import Self, override

from byot._types import R

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncIterator, Iterator

    import httpx


@dataclass(frozen=True)
class APIResponse(Generic[R]):
    """A decoded response with its status, headers and raw body.

    Example:
        ```python
        response = client.request("POST", "/chat/completions", body=body, raw=True)
        print(response.headers["x-ratelimit-remaining-requests"], response.request_id)
        chat = response.parsed
        ```

    Attributes:
        parsed: The body decoded as the call asked (a dict unless a type was named).
        status_code: The HTTP status.
        headers: The response headers (case-insensitive).
        content: The body exactly as received (after content decoding).
        method: The request's HTTP method.
        url: The request's URL.
        retries_taken: How many retries it took (0 when the first attempt succeeded).
    """

    parsed: R
    status_code: int
    headers: httpx.Headers
    content: bytes
    method: str
    url: str
    retries_taken: int

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` response header, to quote to the provider's support."""
        request_id: str | None = self.headers.get("x-request-id")
        return request_id

    @override
    def __repr__(self) -> str:
        return (
            f"APIResponse(status_code={self.status_code}, method={self.method!r}, "
            f"url={self.url!r}, request_id={self.request_id!r}, "
            f"retries_taken={self.retries_taken})"
        )


class _StreamBase:
    """What both binary streams share: the response's metadata, and closing it."""

    def __init__(self, response: httpx.Response, *, method: str, url: str) -> None:
        self._response = response
        self.method = method
        self.url = url

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self._response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers (case-insensitive)."""
        return self._response.headers

    @property
    def request_id(self) -> str | None:
        """The `x-request-id` response header."""
        request_id: str | None = self._response.headers.get("x-request-id")
        return request_id

    @property
    def is_closed(self) -> bool:
        """Whether the connection has been released."""
        return self._response.is_closed

    @override
    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, method={self.method!r}, "
            f"url={self.url!r}, request_id={self.request_id!r})"
        )


class BinaryStream(_StreamBase):
    """A binary answer (audio, a file, a video) read as it arrives, never whole in memory.

    Use it as a context manager so the connection is released even when reading stops early:

    ```python
    with client.files.content_stream("file-abc") as stream:
        stream.write_to("data.jsonl")
    ```
    """

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks, decompressed, as they arrive."""
        try:
            yield from self._response.iter_bytes(chunk_size)
        finally:
            self.close()

    def read(self) -> bytes:
        """The whole body (for small answers)."""
        return b"".join(self.iter_bytes())

    def write_to(self, path: str | os.PathLike[str]) -> int:
        """Write the body to a file chunk by chunk; returns the number of bytes written."""
        written = 0
        with Path(path).open("wb") as out:
            for chunk in self.iter_bytes():
                written += out.write(chunk)
        return written

    def close(self) -> None:
        """Release the connection (the rest of the body is not read)."""
        self._response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncBinaryStream(_StreamBase):
    """The async twin of `BinaryStream`.

    ```python
    async with await client.files.content_stream("file-abc") as stream:
        await stream.write_to("data.jsonl")
    ```
    """

    async def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in chunks, decompressed, as they arrive."""
        try:
            async for chunk in self._response.aiter_bytes(chunk_size):
                yield chunk
        finally:
            await self.aclose()

    async def read(self) -> bytes:
        """The whole body (for small answers)."""
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def write_to(self, path: str | os.PathLike[str]) -> int:
        """Write the body to a file chunk by chunk; returns the number of bytes written."""
        written = 0
        with Path(path).open("wb") as out:  # noqa: ASYNC230 - one local chunk at a time
            async for chunk in self.aiter_bytes():
                written += out.write(chunk)
        return written

    async def aclose(self) -> None:
        """Release the connection (the rest of the body is not read)."""
        await self._response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
