"""An async stream on its way: entered with `async with` directly, or awaited first.

`await client.chat.completions.create_stream(body)` opens the stream (the request is sent, and
retried, until the answer's headers arrive) and gives the `AsyncStream`;
`async with client.chat.completions.create_stream(body) as stream:` does the same and closes it
on the way out, as httpx's `client.stream(...)` reads. Nothing is sent before either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Protocol

if TYPE_CHECKING:
    from collections.abc import Coroutine, Generator

    from typing_extensions import Self, TypeVar
else:
    # Only type checkers need typing_extensions here (see byot._signatures).
    from typing import TypeVar  # noqa: TID251


class _AsyncResource(Protocol):
    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...


S = TypeVar("S", bound=_AsyncResource)


class AsyncOpening(Generic[S]):
    """What an async `*_stream` or `*_chunks` method returns: await it, or enter it.

    Args:
        opening: The client's coroutine that opens the stream; it runs on first use.
    """

    __slots__ = ("_opening", "_stream")
    _stream: S  # set by __aenter__; `async with` calls __aexit__ only once that succeeded

    def __init__(self, opening: Coroutine[Any, Any, S]) -> None:
        self._opening = opening

    def __await__(self) -> Generator[Any, Any, S]:
        """Open the stream and give it; the caller closes it (or enters it with `async with`)."""
        return self._opening.__await__()

    async def __aenter__(self) -> S:
        """Open the stream and enter it."""
        self._stream = await self._opening
        return await self._stream.__aenter__()

    async def __aexit__(self, *exc_info: object) -> None:
        """Close the stream that `__aenter__` opened."""
        await self._stream.__aexit__(*exc_info)
