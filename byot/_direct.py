"""The direct path: a transport that sends a buffered call and reads its answer in one step.

Through httpx's transport API every attempt builds an `httpx.Request` and an `httpx.Response`
and converts headers both ways: with 64 calls in flight on the aiohttp transport, httpx's code
alone took a fifth of the CPU (issue 20). A `DirectTransport` (`byot.aiohttp.AiohttpTransport`)
also takes a `Prepared` call as it is and hands back a `Reply`: the status, the headers as its
engine parsed them (any case-insensitive `Mapping[str, str]`) and the whole body, decoded and
held to `max_body_size`. Nothing above the transport changes: retries, deadlines, the rate
limiter, telemetry, validation and errors work on the reply as on a response.

The async driver takes the path only when nothing needs httpx's objects (`DirectPath.takes`):
no event hooks (they are handed the `httpx.Request` and `httpx.Response`) and a body held in
memory (a streamed multipart upload goes the httpx way). Streams always go the httpx way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

import httpx

from byot._transport_errors import transport_error

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from byot._limiter import Ticket
    from byot._prepared import Prepared
    from byot._signatures import EventHooks
    from byot._timeout import Deadline


class Answer(Protocol):
    """What a call's result keeps of its answer: an `httpx.Response` or a `Reply`."""

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        ...

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers, case-insensitive."""
        ...


class Reply(NamedTuple):
    """A whole answer from a `DirectTransport`.

    Attributes:
        status_code: The HTTP status.
        headers: The response headers as the transport parsed them: case-insensitive, every
            value of a repeated header kept, each value decoded from UTF-8 with undecodable
            bytes as surrogates (`byot._headers.as_httpx` turns them back into the bytes
            that came).
        content: The body, its `Content-Encoding` undone.
    """

    status_code: int
    headers: Mapping[str, str]
    content: bytes


@runtime_checkable
class DirectTransport(Protocol):
    """An httpx transport that can also take a buffered call whole (see the module docstring)."""

    async def exchange(
        self,
        prepared: Prepared,
        headers: httpx.Headers,
        timeout: Mapping[str, float | None],
        deadline: Deadline | None,
        settle: Callable[[int, Mapping[str, str]], None] | None,
    ) -> Reply:
        """Send one attempt of `prepared` with `headers` and read the whole answer.

        Args:
            prepared: The call: its method, URL, body (bytes or None) and size limits.
            headers: The attempt's headers, exactly as they go on the wire.
            timeout: The attempt's phase timeouts (httpx's `timeout` extension).
            deadline: The call's total deadline, checked between reads of the body.
            settle: Called with the status and headers once they arrive, before the body is
                read (the rate limiter takes in its headers there).

        Raises:
            httpx.TransportError: The connection failed or timed out (the matching subclass).
            httpx.DecodingError: The body does not decode as its `Content-Encoding` says.
            ResponseTooLargeError: The decoded body passed `max_body_size`.
            APITimeoutError: The deadline ran out between two reads.
        """
        ...


class DirectPath:
    """One attempt of a buffered call through a `DirectTransport`, for the async driver."""

    __slots__ = ("transport",)

    def __init__(self, transport: DirectTransport) -> None:
        self.transport = transport

    @staticmethod
    def takes(prepared: Prepared, hooks: EventHooks) -> bool:
        """Whether a call may go the direct way.

        It may when no event hook waits for httpx's objects and its body is in memory (a
        streamed upload is replayed through httpx).
        """
        content = prepared.content
        return (
            not hooks.get("request")
            and not hooks.get("response")
            and (content is None or type(content) is bytes)
        )

    async def __call__(
        self,
        prepared: Prepared,
        timeout: dict[str, float | None],
        deadline: Deadline | None,
        ticket: Ticket | None,
        decode: Callable[[bytes], Any],
        target: object,
    ) -> tuple[Any, Reply, bytes]:
        """One attempt: what the driver's `_attempt` does, without httpx's request and response.

        Raises:
            APIStatusError: The status is not 2xx (the matching subclass).
            APIConnectionError: The attempt could not connect or was cut off.
            APITimeoutError: The attempt timed out, or the total deadline ran out.
            DecodeError: The body does not decode into the requested type.
        """
        headers = prepared.headers
        if prepared.credentials is not None:  # a key given as a function: called every attempt
            headers = await prepared.credentials.aresolve(headers)
        settle = None if ticket is None else ticket.settle
        try:
            reply = await self.transport.exchange(prepared, headers, timeout, deadline, settle)
        except httpx.RequestError as exc:
            raise transport_error(prepared, exc, deadline) from exc
        content = reply.content
        if ticket is not None:
            ticket.used(content)
        value = prepared.finish(reply.status_code, reply.headers, content, decode, target)
        return value, reply, content


def direct_path(transport: object) -> DirectPath | None:
    """The direct path through `transport`, when it offers one."""
    return DirectPath(transport) if isinstance(transport, DirectTransport) else None
