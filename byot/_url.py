"""URLs as text: path templates filled safely, query strings as OpenAI encodes them, redaction.

Routes cannot be bent: a path parameter that is a dot segment (`.`, `..`, or a percent-encoded
form of one) is refused, since a URL-normalising proxy or server would resolve it away and
reach another route; so is a path given to `request()` with dot segments in it, which would
climb out of the base URL's path (httpx resolves `/v1/files/../../admin` to `/admin`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, unquote, urlencode, urlsplit

from byot.errors import ConfigError

if TYPE_CHECKING:
    import httpx

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_PARAM = re.compile(r"key|token|secret|signature|sig|password|auth", re.IGNORECASE)
_DOT_SEGMENTS = frozenset({".", ".."})


def redact_url(url: httpx.URL) -> str:
    """The URL as text, with its user and password and secret-looking query values hidden.

    Some providers take keys in the query (`?key=...`), and a URL may carry `user:pass@`;
    neither may reach a log line or an exception message.
    """
    if url.userinfo:
        url = url.copy_with(username="***", password=None)
    if not url.query:
        return str(url)
    params = [
        (name, "***" if _SECRET_PARAM.search(name) else value)
        for name, value in url.params.multi_items()
    ]
    return str(url.copy_with(query=urlencode(params, safe="*[]").encode()))


def check_no_userinfo(url: str, name: str) -> str:
    """`url` itself, unless it carries a user name or password (`https://user:pass@host`).

    byot sends credentials only as headers it controls, and a URL's are easily printed: such a
    URL is refused, its user and password left out of the message.

    Raises:
        ConfigError: The URL has a user name or password.
    """
    netloc = urlsplit(url).netloc
    if "@" not in netloc:
        return url
    host = netloc.rsplit("@", 1)[1]
    raise ConfigError(
        f"{name} has a user name or password in it (...://***@{host}): byot does not send "
        "them; pass the key as api_key=, or a header such as Authorization in default_headers="
    )


def fill_path(template: str, params: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders, each value escaped so that it stays one path segment.

    Raises:
        TypeError: A placeholder has no value, or a value has no placeholder.
        ConfigError: A value is empty or a dot segment (it would change the route).
    """
    used: set[str] = set()

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise TypeError(f"missing path parameter {name!r} for {template}")
        used.add(name)
        return escape_segment(name, params[name])

    path = PLACEHOLDER.sub(sub, template)
    unused = set(params) - used
    if unused:
        raise TypeError(f"unknown path parameter(s) {sorted(unused)} for {template}")
    return path


def escape_segment(name: str, value: object) -> str:
    """URL-escape one path segment; `/`, `?`, `#` and `%` cannot survive.

    Raises:
        ConfigError: The value is empty, or a dot segment once percent-decoded (any number of
            times): `.`, `..`, `%2e`, `%2E%2e`, `%252e`... (as the official SDKs refuse them).
    """
    text = str(value)
    if not text:
        raise ConfigError(f"path parameter {name!r} is empty; an empty id would change the route")
    if is_dot_segment(text):
        raise ConfigError(
            f"path parameter {name!r} is {text!r}, a dot segment: a server or proxy that "
            "normalises URLs would resolve it away and reach another route; pass a real id"
        )
    return quote(text, safe="")


def is_dot_segment(segment: str) -> bool:
    """Whether `segment` is `.` or `..` as it is or after percent-decoding (repeatedly)."""
    while True:
        if segment in _DOT_SEGMENTS:
            return True
        decoded = unquote(segment)
        if decoded == segment:
            return False
        segment = decoded


def check_route(path: str) -> None:
    """Refuse a path with a dot segment, which would climb out of (or within) the base URL.

    An absolute URL is the caller's own choice and is not checked; only its path before any
    query or fragment counts.

    Raises:
        ConfigError: A segment of the path is a dot segment (also percent-encoded).
    """
    if path.startswith(("http://", "https://")):
        return
    route = path.split("?", 1)[0].split("#", 1)[0]
    if any(is_dot_segment(segment) for segment in route.split("/")):
        raise ConfigError(
            f"the path {route!r} has a dot segment (. or ..): it would be resolved to another "
            "route, perhaps outside the base URL; name the route itself (an absolute URL if "
            "it really lives elsewhere)"
        )


def encode_query(params: Mapping[str, Any]) -> str:
    """Encode query parameters as the official SDK does.

    Booleans become `true`/`false`, None values are left out, lists repeat the key with
    brackets (`include[]=a&include[]=b`) and mappings nest (`metadata[key]=value`).
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(key, value, pairs)
    return urlencode(pairs)


def _flatten(key: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if value is True or value is False:
        out.append((key, "true" if value else "false"))
    elif isinstance(value, (list, tuple)):
        array = key if key.endswith("[]") else f"{key}[]"  # some spec names carry the []
        for item in cast("list[Any]", value):
            _flatten(array, item, out)
    elif isinstance(value, Mapping):
        for sub, item in cast("Mapping[str, Any]", value).items():
            _flatten(f"{key}[{sub}]", item, out)
    else:
        out.append((key, str(value)))
