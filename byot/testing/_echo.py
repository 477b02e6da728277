"""What the mock takes from the request, as a server would, before it answers.

A documented example is one fixed answer; a server answers the request it got. The mock
adapts the example to the request:

* the request's `model` replaces the example's;
* the ids in the path replace the example's: the `id` of the object asked for (a retrieve,
  a delete, an action such as `/cancel`) and keys named like a path parameter (`thread_id`);
* embeddings: one per input, of the `dimensions` asked for (1536 by default, 3072 for
  `text-embedding-3-large`), as floats or as `encoding_format: "base64"` (little-endian
  float32), the same text always getting the same vector;
* images: `n` of them, as a URL or as `b64_json` holding a valid 1x1 PNG;
* lists: the page the cursor and `limit` ask for, `has_more`, `first_id`, `last_id` and the
  next-page cursor saying whether more follow.

Everything here works on values: no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
import zlib
from typing import TYPE_CHECKING, Any, Final

from byot._codec import json_array, json_object

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["TINY_PNG", "echo", "embedding_vector"]

_DEFAULT_DIMENSIONS: Final = 1536
_DIMENSIONS: Final = {"text-embedding-3-large": 3072}
_IMAGE_OPERATIONS: Final = frozenset({"createImage", "createImageEdit", "createImageVariation"})
_ID_CURSORS: Final = frozenset({"last_id", "id-of-last-item"})


def _png() -> bytes:
    """A valid PNG of one white RGBA pixel."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_PNG: Final = _png()
"""The image the mock sends as `b64_json`: a 1x1 PNG."""


def echo(
    operation_id: str,
    info: Mapping[str, Any],
    path_values: Mapping[str, str],
    query: Mapping[str, str],
    body: Any,
    document: Any,
) -> Any:
    """The documented answer adapted to the request (a new value; `document` is not changed).

    Args:
        operation_id: The operation answered.
        info: Its record in the operation index (path, pagination).
        path_values: The path parameters of the request.
        query: The request's query parameters.
        body: The request body as data (a dict for JSON and forms).
        document: The documented (or synthesized) answer.
    """
    found = json_object(document)
    if found is None:
        return document
    out = dict(found)
    request = json_object(body) or {}
    model = request.get("model")
    if isinstance(model, str) and "model" in out:
        out["model"] = model
    _ids(out, str(info["path"]), path_values)
    if operation_id == "createEmbedding":
        _embeddings(out, request)
    elif operation_id in _IMAGE_OPERATIONS:
        _images(out, request)
    pagination: Mapping[str, str] | None = info["pagination"]
    if pagination is not None:
        _page(out, pagination, query)
    return out


def _ids(out: dict[str, Any], template: str, path_values: Mapping[str, str]) -> None:
    """The path's ids in the answer: keys named like a parameter, and the object's own `id`."""
    for name, value in path_values.items():
        if name in out:
            out[name] = value
    if not path_values or "id" not in out:
        return
    name, value = list(path_values.items())[-1]
    kind = str(out.get("object", "")).removesuffix(".deleted")
    own = {kind.replace(".", "_"), kind.rpartition(".")[2]}
    if template.endswith("}") or name.removesuffix("_id") in own:
        out["id"] = value


def embedding_vector(text: str, dimensions: int) -> list[float]:
    """A unit vector that depends only on `text`: equal texts are as close as can be."""
    raw = hashlib.shake_256(text.encode()).digest(2 * dimensions)
    values = [v / 32768 for v in struct.unpack(f"<{dimensions}h", raw)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def _inputs(given: Any) -> list[str]:
    """Each input of an embeddings request as text: strings, token arrays, arrays of them."""
    if isinstance(given, str):
        return [given]
    items = json_array(given) or [given]
    if all(isinstance(item, int) for item in items):
        return [str(items)]  # one input given as tokens
    return [item if isinstance(item, str) else str(item) for item in items]


def _embeddings(out: dict[str, Any], request: dict[str, Any]) -> None:
    texts = _inputs(request.get("input", ""))
    model = str(request.get("model", ""))
    dimensions = int(request.get("dimensions") or _DIMENSIONS.get(model, _DEFAULT_DIMENSIONS))
    as_base64 = request.get("encoding_format") == "base64"
    data: list[dict[str, Any]] = []
    for index, text in enumerate(texts):
        vector: Any = embedding_vector(text, dimensions)
        if as_base64:
            vector = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": vector})
    tokens = sum(max(1, len(text.split())) for text in texts)
    out.update(object="list", data=data, usage={"prompt_tokens": tokens, "total_tokens": tokens})


def _images(out: dict[str, Any], request: dict[str, Any]) -> None:
    count = request.get("n")
    count = count if isinstance(count, int) and count > 0 else 1
    kind = request.get("response_format")
    if kind is None:  # dall-e answers with URLs unless asked, gpt-image always in base64
        kind = "url" if str(request.get("model", "dall-e-2")).startswith("dall-e") else "b64_json"
    picture = base64.b64encode(TINY_PNG).decode()
    out["data"] = [
        {"url": f"https://images.example.com/byot-mock-{index}.png"}
        if kind == "url"
        else {"b64_json": picture}
        for index in range(count)
    ]


def _page(out: dict[str, Any], pagination: Mapping[str, str], query: Mapping[str, str]) -> None:
    """Cut the documented items to the page asked for, and say whether more follow."""
    items = json_array(out.get(pagination["items"]))
    if items is None:
        return
    ids = [(json_object(item) or {}).get("id") for item in items]
    by_id = pagination["next"] in _ID_CURSORS
    start = 0
    cursor = query.get(pagination["param"])
    if cursor is not None:
        if by_id:
            start = ids.index(cursor) + 1 if cursor in ids else len(items)
        else:  # the mock's own page tokens: the offset of the page
            start = int(cursor) if cursor.isdigit() else len(items)
    limit = query.get("limit", "")
    size = int(limit) if limit.isdigit() and int(limit) > 0 else len(items)
    end = min(start + size, len(items))
    more = end < len(items)
    out[pagination["items"]] = items[start:end]
    out[pagination["has_more"]] = more
    if by_id:
        for key, index in (("first_id", start), ("last_id", end - 1)):
            if key in out or pagination["next"] == key:
                out[key] = ids[index] if start < end else None
    else:
        out[pagination["next"]] = str(end) if more else None
