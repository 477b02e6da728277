"""The logging switch: `BYOT_LOG=debug` (or `OPENAI_LOG=debug`) logs every request and response.

With the switch on, a client logs each attempt to the `byot` logger through two event hooks
(the request's last, the response's first, so what is logged is what went over the wire):
`info` gives one line per request and per response; `debug` adds the headers, secrets
hidden, and the request body (the response body follows in the line `Prepared.finish`
logs). When the `byot` logger has no handler yet, one writing to stderr is added, so the
switch works without any logging setup. Without the switch nothing is added: a client pays
nothing for logging it does not do.
"""

from __future__ import annotations

import logging
import os
import re
from typing import TYPE_CHECKING

import httpx

from byot._url import redact_url
from byot.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from byot._signatures import EventHooks

logger = logging.getLogger("byot")

ENVIRONMENT = ("BYOT_LOG", "OPENAI_LOG")  # byot's own first; the official SDK's name works too
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
# Header names whose values are credentials (Authorization, api-key, x-goog-api-key, cookies).
_SECRET = re.compile(r"auth|key|token|secret|cookie|signature|password|session", re.IGNORECASE)
REDACTED = "<redacted>"
EXCERPT = 2000  # characters of a body a debug line shows


def level(environ: Mapping[str, str] | None = None) -> int | None:
    """The level the environment asks for, or None when the switch is off.

    Raises:
        ConfigError: The variable holds something other than `debug` or `info`.
    """
    environ = os.environ if environ is None else environ
    for name in ENVIRONMENT:
        value = environ.get(name, "").strip()
        if value:
            found = _LEVELS.get(value.lower())
            if found is None:
                raise ConfigError(f"{name}={value!r} is no log level: use debug or info")
            return found
    return None


def hooks(given: EventHooks, environ: Mapping[str, str] | None = None) -> EventHooks:
    """A client's event hooks, with the logging hooks added when the switch is on.

    Adding them again (a `with_options` copy) changes nothing.
    """
    wanted = level(environ)
    if wanted is None or log_request in given.get("request", ()):
        return given
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(wanted)
    return {
        **given,
        "request": [*given.get("request", ()), log_request],
        "response": [log_response, *given.get("response", ())],
    }


def safe_headers(headers: httpx.Headers) -> dict[str, str]:
    """Headers for a log line: the values of credential headers replaced by `<redacted>`."""
    return {name: REDACTED if _SECRET.search(name) else value for name, value in headers.items()}


def _url(url: httpx.URL) -> str:
    # A password in the URL (`https://user:pass@host`) is a credential too.
    return redact_url(url.copy_with(username=None, password=None) if url.userinfo else url)


def excerpt(content: bytes) -> str:
    """The start of a body as text, for a debug line."""
    text = content[:EXCERPT].decode("utf-8", "replace")
    more = len(content) - EXCERPT
    return f"{text}... ({more} more bytes)" if more > 0 else text


def log_request(request: httpx.Request) -> None:
    """Log one attempt's request: method and URL; at debug its headers and body too."""
    if logger.isEnabledFor(logging.DEBUG):
        try:
            body = excerpt(request.content)
        except httpx.RequestNotRead:  # a streamed upload (multipart from files)
            body = "(streamed)"
        logger.debug(
            "request: %s %s headers=%s body=%s",
            request.method,
            _url(request.url),
            safe_headers(request.headers),
            body,
        )
    else:
        logger.info("request: %s %s", request.method, _url(request.url))


def log_response(response: httpx.Response) -> None:
    """Log one attempt's response as its headers arrive; at debug with the headers.

    A transport's response does not know its request, so the line names the status and the
    request id; the request's own line comes just before it.
    """
    request_id = response.headers.get("x-request-id")
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "response: %d (request_id=%s) headers=%s",
            response.status_code,
            request_id,
            safe_headers(response.headers),
        )
    else:
        logger.info("response: %d (request_id=%s)", response.status_code, request_id)
