"""Response bodies into the caller's values: which decoder, and a clear error when it fails."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from byot import _codec
from byot.errors import DecodeError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from byot._endpoint import Endpoint


def decode_body(
    decode: Callable[[bytes], Any], content: bytes, target: object, headers: Mapping[str, str]
) -> Any:
    """Run a decoder; any failure becomes a `DecodeError` that keeps the raw bytes.

    Raises:
        DecodeError: The decoder failed.
    """
    try:
        return decode(content)
    except DecodeError as exc:
        raise exc.with_context(raw=content, request_id=headers.get("x-request-id")) from None
    except Exception as exc:
        raise _decode_error(exc, content, target, headers) from exc


def _decode_error(
    exc: Exception, content: bytes, target: object, headers: Mapping[str, str]
) -> DecodeError:
    name = getattr(target, "__qualname__", None) or repr(target)
    if not content.strip():
        problem = "the response body is empty"
    else:
        problem = f"{type(exc).__name__}: {exc}".replace("\n", " ")
        content_type = headers.get("content-type")
        if content_type and "json" not in content_type:
            problem += f" (content-type {content_type})"
    return DecodeError(
        f"cannot decode the response into {name}: {problem}",
        raw=content,
        target=target,
        path=_error_path(exc),
        request_id=headers.get("x-request-id"),
    )


_MSGSPEC_PATH = re.compile(r"at `(\$[^`]*)`")


def _error_path(exc: Exception) -> str:
    """The JSON path a pydantic or msgspec validation error points at, or `$`."""
    errors: Any = getattr(exc, "errors", None)
    if errors is not None:
        try:
            loc: list[Any] = list(errors()[0]["loc"])
        except (TypeError, LookupError, AttributeError):
            return "$"
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    match = _MSGSPEC_PATH.search(str(exc))
    return match.group(1) if match else "$"


def decoder_for(
    response_type: object, decoder: Callable[[bytes], Any] | None
) -> tuple[Callable[[bytes], Any], object]:
    """The decoder for a call and what to name in errors.

    Raises:
        TypeError: Both `response_type=` and `decoder=` were given.
    """
    if decoder is not None:
        if response_type is not None:
            raise TypeError("pass response_type= or decoder=, not both")
        return decoder, decoder
    if response_type is None:
        return _codec.decode_object, dict
    return _codec.decoder_for(response_type), response_type


def _as_bytes(content: bytes) -> bytes:
    return content


def _as_none(content: bytes) -> None:  # noqa: ARG001 - a decoder that ignores its body
    return None


def _as_text(content: bytes) -> str:
    return content.decode("utf-8", "replace")


def call_decoder(
    endpoint: Endpoint, response_type: object, decoder: Callable[[bytes], Any] | None
) -> tuple[Callable[[bytes], Any], object]:
    """The decoder for a generated method's call: the caller's for JSON, else bytes or text.

    Raises:
        TypeError: Both `response_type=` and `decoder=` were given.
    """
    if endpoint.result == "binary":
        return _as_bytes, bytes
    if endpoint.result == "text":
        return _as_text, str
    if endpoint.result == "empty":  # the spec promises no body; raw=True still shows one
        return _as_none, None
    return decoder_for(response_type, decoder)
