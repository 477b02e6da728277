"""URLs as text: path templates filled safely, query strings as OpenAI encodes them, redaction."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    import httpx

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SECRET_PARAM = re.compile(r"key|token|secret|signature|sig|password|auth", re.IGNORECASE)


def redact_url(url: httpx.URL) -> str:
    """The URL as text, with the values of query parameters that look like secrets hidden.

    Some providers take keys in the query (`?key=...`); they must not reach a log line or an
    exception message.
    """
    if not url.query:
        return str(url)
    params = [
        (name, "***" if _SECRET_PARAM.search(name) else value)
        for name, value in url.params.multi_items()
    ]
    return str(url.copy_with(query=urlencode(params, safe="*[]").encode()))


def fill_path(template: str, params: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders, each value escaped so that it stays one path segment.

    Raises:
        TypeError: A placeholder has no value, or a value has no placeholder.
        ValueError: A value is empty (it would change the route).
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
    """URL-escape one path segment; `/`, `?`, `#`, `%` and dot segments cannot survive."""
    text = str(value)
    if not text:
        raise ValueError(f"path parameter {name!r} is empty; an empty id would change the route")
    escaped = quote(text, safe="")
    if escaped in {".", ".."}:  # dot segments would be resolved away by URL normalisation
        escaped = escaped.replace(".", "%2E")
    return escaped


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
