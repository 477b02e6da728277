"""`Prepared`: one call ready to send, and what its response turns into."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import httpx
import orjson

from byot import _status, _validation, errors
from byot._decode import decode_body
from byot._log import excerpt
from byot._override import override
from byot._size_limits import DEFAULT_LIMITS, SizeLimits
from byot._sse import is_event_stream
from byot._timeout import Deadline, Timeout
from byot._url import redact_url

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from byot._credentials import Credentials
    from byot._validation import Mode

logger = logging.getLogger("byot")


class Replayable(Protocol):
    """A body sent as a stream and replayed identically on a retry (a multipart upload).

    Each iteration, sync or async, is a fresh pass over the whole body.
    """

    def __iter__(self) -> Iterator[bytes]: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True, slots=True)
class Prepared:
    """A call ready to be sent: what every attempt of it shares.

    `content` is the body: bytes are replayed as they are on a retry; a `Replayable` is
    iterated afresh for each attempt, so a body too large to hold in memory (a multipart
    upload streamed from files) is sent again whole, never half-consumed.
    """

    method: str
    url: httpx.URL
    headers: httpx.Headers
    content: bytes | Replayable | None
    timeout: Timeout
    httpx_timeout: dict[str, float | None]
    max_retries: int | None
    operation: str | None = None  # the spec's operationId, when the call is one of its routes
    check_response: Mode = "off"  # the validation mode of the response (and stream events)
    limits: SizeLimits = DEFAULT_LIMITS  # how much of the response may be held in memory
    # Headers computed before each attempt (a key given as a function): `headers` lacks them.
    credentials: Credentials | None = None

    @override
    def __repr__(self) -> str:
        # Neither headers nor the raw URL: httpx hides `Authorization` in a repr but not
        # `api-key` and the like, and tracebacks with locals (Sentry, --showlocals) print this.
        return f"Prepared({self.method} {self.safe_url})"

    @property
    def safe_url(self) -> str:
        """The URL for messages and logs, with secret-looking query values hidden."""
        return redact_url(self.url)

    def deadline(self) -> Deadline | None:
        """A fresh deadline for the call's total time budget, when it has one."""
        total = self.timeout.total
        return None if total is None else Deadline(total)

    def timeout_for(self, deadline: Deadline | None) -> dict[str, float | None]:
        """The phase timeouts for one attempt, clamped to what is left of the deadline.

        Raises:
            APITimeoutError: The deadline has already passed.
        """
        if deadline is None:
            return self.httpx_timeout
        if deadline.expired():
            raise deadline.error(self.method, self.safe_url)
        return self.timeout.as_httpx(deadline.remaining())

    def body(
        self, *, asynchronous: bool = False
    ) -> bytes | Iterator[bytes] | AsyncIterator[bytes] | None:
        """The body for one attempt: a fresh pass over a streamed body."""
        content = self.content
        if content is None or isinstance(content, bytes):
            return content
        return aiter(content) if asynchronous else iter(content)

    def request(
        self,
        timeout: dict[str, float | None],
        headers: httpx.Headers | None = None,
        *,
        asynchronous: bool = False,
    ) -> httpx.Request:
        """The `httpx.Request` for one attempt, with the attempt's headers (default: `headers`)."""
        return httpx.Request(
            self.method,
            self.url,
            headers=self.headers if headers is None else headers,
            content=self.body(asynchronous=asynchronous),
            extensions={"timeout": timeout},
        )

    def finish(
        self,
        status: int,
        headers: httpx.Headers,
        content: bytes,
        decode: Callable[[bytes], Any],
        target: object,
    ) -> Any:
        """The caller's value for a response, or the exception it calls for.

        Raises:
            APIStatusError: The status is not 2xx (the matching subclass).
            DecodeError: The body does not decode into the requested type.
        """
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d (%d bytes, request_id=%s): %s",
                self.method,
                self.safe_url,
                status,
                len(content),
                headers.get("x-request-id"),
                excerpt(content),
            )
        if not 200 <= status < 300 or _only_an_error(content):
            raise self.status_error(status, headers, content)
        if self.check_response != "off" and self.operation is not None:
            # The JSON value is checked before it becomes the caller's type.
            _validation.check_response(self.operation, status, content, self.check_response)
        return decode_body(decode, content, target, headers)

    def opens(self, status: int, headers: httpx.Headers, *, events: bool) -> bool:
        """Whether a streamed response goes to the caller as it is, its body unread.

        It must be 2xx, and an event stream when the call asked for events; anything else is
        read whole and raised as `refusal` says.
        """
        if not 200 <= status < 300:
            return False
        return not events or is_event_stream(headers.get("content-type"))

    def refusal(self, status: int, headers: httpx.Headers, content: bytes) -> errors.APIError:
        """The error for a streamed response that `opens` turned down, with its body read."""
        if 200 <= status < 300:
            return self.not_an_event_stream(headers, content)
        return self.status_error(status, headers, content)

    def not_an_event_stream(self, headers: httpx.Headers, content: bytes) -> errors.StreamError:
        """The error for a 2xx answer to a stream request that is not an event stream."""
        kind = headers.get("content-type") or "no content type"
        excerpt = content[:200].decode("utf-8", "replace")
        return errors.StreamError(
            f"expected an event stream (text/event-stream), got {kind}: {excerpt!r}",
            method=self.method,
            url=self.safe_url,
            data=content,
            request_id=headers.get("x-request-id"),
        )

    def status_error(
        self, status: int, headers: httpx.Headers, content: bytes
    ) -> errors.APIStatusError:
        """The status error for a response that is not 2xx, with its body read."""
        return _status.make_status_error(
            method=self.method, url=self.safe_url, status=status, headers=headers, raw=content
        )


def _only_an_error(content: bytes) -> bool:
    """Whether a 2xx body is nothing but an error object, as gateways send when upstream fails.

    Only a body whose first bytes hold an `"error"` key is parsed to see (a result never
    starts that way), so every other answer costs a scan of 32 bytes.
    """
    if b'"error"' not in content[:32]:
        return False
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return False
    if type(body) is not dict:
        return False
    fields = cast("dict[str, object]", body)
    return fields.keys() == {"error"} and type(fields["error"]) is dict
