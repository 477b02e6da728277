"""Verify the webhooks OpenAI sends, then decode them into a dict or the caller's own type.

OpenAI signs webhooks with the [Standard Webhooks](https://www.standardwebhooks.com) scheme.
Every delivery carries three headers:

* `webhook-id`: the delivery's unique id (the same on every retry of one event);
* `webhook-timestamp`: when it was sent, in whole seconds since the Unix epoch;
* `webhook-signature`: one or more space-separated `v1,<signature>` entries (several while a
  secret is being rotated), each the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` keyed
  with the endpoint's secret.

`verify` checks them; `unwrap` checks them and decodes the body with the same machinery as
client responses: a `dict` by default, or the caller's dataclass, TypedDict, pydantic model,
msgspec Struct or attrs class with `response_type=`, or any function with `decoder=`. `sign`
makes the header value, for testing one's own handlers.

The secret is the `whsec_...` string shown when the webhook endpoint is created; by default it
is read from `OPENAI_WEBHOOK_SECRET`. Pass the body exactly as received: the signature covers
the raw bytes, so a body parsed and re-serialised no longer matches.

A handler, with no web framework in sight (Flask's `request.get_data()` and
`request.headers`, or FastAPI's `await request.body()` and `request.headers`, fit it):

```python
from collections.abc import Mapping

import byot


def handle(body: bytes, headers: Mapping[str, str]) -> int:
    try:
        event = byot.webhooks.unwrap(body, headers)  # OPENAI_WEBHOOK_SECRET is the secret
    except byot.errors.InvalidWebhookSignatureError:
        return 400  # not from OpenAI, altered, or replayed too late: ignore it
    if event["type"] == "response.completed":
        print("response done:", event["data"]["id"])
    return 200
```
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from typing import TYPE_CHECKING

from byot import _decode
from byot.errors import InvalidWebhookSignatureError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from byot._signatures import R

__all__ = ["sign", "unwrap", "verify"]

_SECRET_ENV = "OPENAI_WEBHOOK_SECRET"  # noqa: S105 - a variable name, not a secret
_PREFIX = "whsec_"
_ID = "webhook-id"
_TIMESTAMP = "webhook-timestamp"
_SIGNATURE = "webhook-signature"


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    *,
    secret: str | None = None,
    tolerance: float = 300,
    now: float | None = None,
) -> None:
    """Check that a webhook was signed with the secret, recently; raise if not.

    Args:
        payload: The request body exactly as received (a `str` is signed as its UTF-8 bytes).
        headers: The request headers; names are looked up case-insensitively.
        secret: The endpoint's secret, `whsec_` followed by base64; a secret without the prefix
            is base64-decoded too, as the Standard Webhooks spec says (the `openai` package
            instead keys with such a secret's UTF-8 bytes; OpenAI's own secrets always carry
            the prefix, so the two agree on them). Surrounding whitespace is ignored. Defaults
            to the `OPENAI_WEBHOOK_SECRET` environment variable.
        tolerance: How many seconds `webhook-timestamp` may be from `now`, either way;
            a timestamp exactly `tolerance` seconds off is accepted. Refusing old deliveries
            is what stops an attacker replaying a captured one.
        now: The current time in seconds since the epoch (default `time.time()`), for tests.

    Raises:
        InvalidWebhookSignatureError: No secret is configured or it is not base64, a header is
            missing or malformed, the timestamp is out of tolerance, or no `v1` signature
            matches. The message says which and never contains the secret.
        ValueError: `tolerance` is negative or NaN.

    Example:
        ```python
        byot.webhooks.verify(body, headers, secret="whsec_...")
        ```
    """
    if not tolerance >= 0:  # also refuses NaN, which would otherwise accept any timestamp
        raise ValueError(f"tolerance must be a number of seconds >= 0, not {tolerance!r}")
    key = _key(_secret(secret))
    webhook_id = _header(headers, _ID)
    timestamp = _header(headers, _TIMESTAMP)
    signatures = _header(headers, _SIGNATURE)
    _check_timestamp(timestamp, tolerance, time.time() if now is None else now)
    body = payload.encode() if isinstance(payload, str) else payload
    expected = _signature(key, webhook_id, timestamp, body).encode()
    offered = [
        sig for version, _, sig in (e.partition(",") for e in signatures.split()) if version == "v1"
    ]
    if not offered:
        raise InvalidWebhookSignatureError(
            f"the {_SIGNATURE} header holds no v1 signature (entries must look like v1,<base64>)"
        )
    # Compare against every entry (no early exit), so timing says nothing about which matched.
    matched = False
    for sig in offered:
        matched |= hmac.compare_digest(expected, sig.encode())
    if not matched:
        raise InvalidWebhookSignatureError(
            f"no signature in the {_SIGNATURE} header matches the payload "
            f"({len(offered)} v1 entr{'y' if len(offered) == 1 else 'ies'} checked): the secret "
            "is not this endpoint's, or the body or headers were changed after signing"
        )


def unwrap(
    payload: bytes | str,
    headers: Mapping[str, str],
    *,
    secret: str | None = None,
    tolerance: float = 300,
    now: float | None = None,
    response_type: type[R] | None = None,
    decoder: Callable[[bytes], R] | None = None,
) -> R:
    """Verify a webhook, then decode its body as a client decodes a response.

    Args:
        payload: The request body exactly as received (a `str` is signed as its UTF-8 bytes).
        headers: The request headers; names are looked up case-insensitively.
        secret: The endpoint's secret (see `verify`); defaults to `OPENAI_WEBHOOK_SECRET`.
        tolerance: How many seconds `webhook-timestamp` may be from `now`, either way.
        now: The current time in seconds since the epoch (default `time.time()`), for tests.
        response_type: Decode into this type instead of a dict: a dataclass, TypedDict,
            pydantic model, msgspec Struct or attrs class.
        decoder: Decode the body bytes with this function instead.

    Returns:
        The event: a `dict` by default, else what `response_type=` or `decoder=` name.

    Raises:
        TypeError: Both `response_type=` and `decoder=` were given.
        InvalidWebhookSignatureError: The webhook does not verify (see `verify`); nothing is
            decoded.
        DecodeError: The body verified but does not decode into the requested type.

    Example:
        ```python
        @dataclass
        class Event:
            id: str
            type: str
            data: dict[str, Any]


        event = byot.webhooks.unwrap(body, headers, response_type=Event)
        print(event.type)
        ```
    """
    decode, target = _decode.decoder_for(response_type, decoder)
    verify(payload, headers, secret=secret, tolerance=tolerance, now=now)
    body = payload.encode() if isinstance(payload, str) else payload
    content_type = _find(headers, "content-type")
    context = {"content-type": content_type} if content_type else {}
    value: R = _decode.decode_body(decode, body, target, context)
    return value


def sign(payload: bytes | str, *, secret: str, webhook_id: str, timestamp: int) -> str:
    """The `webhook-signature` header value for a payload: a helper for testing handlers.

    Sign a sample event with a test secret, then hand the handler under test the body and
    the three headers, as OpenAI would.

    Args:
        payload: The body to sign (a `str` is signed as its UTF-8 bytes).
        secret: The secret, `whsec_` followed by base64 (or base64 alone).
        webhook_id: The `webhook-id` header value.
        timestamp: The `webhook-timestamp` header value, in seconds since the epoch.

    Returns:
        `v1,` followed by the base64 signature.

    Raises:
        InvalidWebhookSignatureError: The secret is empty or not base64.

    Example:
        ```python
        body = b'{"type": "response.completed", "data": {"id": "resp_1"}}'
        headers = {"webhook-id": "wh_1", "webhook-timestamp": str(int(time.time()))}
        headers["webhook-signature"] = byot.webhooks.sign(
            body,
            secret=TEST_SECRET,
            webhook_id=headers["webhook-id"],
            timestamp=int(headers["webhook-timestamp"]),
        )
        assert handle(body, headers) == 200
        ```
    """
    body = payload.encode() if isinstance(payload, str) else payload
    return "v1," + _signature(_key(secret), webhook_id, str(timestamp), body)


def _secret(secret: str | None) -> str:
    if secret is None:
        secret = os.environ.get(_SECRET_ENV)
    if not secret:
        raise InvalidWebhookSignatureError(
            f"no webhook secret configured: pass secret= or set {_SECRET_ENV}"
        )
    return secret


def _key(secret: str) -> bytes:
    encoded = secret.strip().removeprefix(_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):  # ValueError: a character outside ASCII
        key = b""
    if not key:
        # Say what is wrong without echoing any of the secret, not even its length.
        raise InvalidWebhookSignatureError(
            f"the webhook secret is malformed: after the optional {_PREFIX} prefix it must be "
            "non-empty base64 (copy it again from the webhook endpoint's settings)"
        )
    return key


def _find(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)  # a case-insensitive mapping (httpx, Starlette, Werkzeug) hits here
    if value is None:
        for key, item in headers.items():
            if key.lower() == name:
                return item
    return value


def _header(headers: Mapping[str, str], name: str) -> str:
    value = _find(headers, name)
    if not value or not value.strip():
        raise InvalidWebhookSignatureError(f"the {name} header is missing or empty")
    return value


def _check_timestamp(timestamp: str, tolerance: float, now: float) -> None:
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise InvalidWebhookSignatureError(
            f"the {_TIMESTAMP} header is not a whole number of seconds since the epoch"
        )
    offset = now - int(timestamp)
    if offset > tolerance:
        raise InvalidWebhookSignatureError(
            f"the {_TIMESTAMP} is too old: {_seconds(offset)} s ago, "
            f"{_seconds(offset - tolerance)} s beyond the {_seconds(tolerance)} s tolerance"
        )
    if -offset > tolerance:
        raise InvalidWebhookSignatureError(
            f"the {_TIMESTAMP} is too new: {_seconds(-offset)} s ahead, "
            f"{_seconds(-offset - tolerance)} s beyond the {_seconds(tolerance)} s tolerance "
            "(is this machine's clock behind?)"
        )


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.3f}"


def _signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
