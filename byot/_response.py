"""What `raw=True` returns: the decoded value together with the response around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic

from typing_extensions import override

from byot._types import R

if TYPE_CHECKING:
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
