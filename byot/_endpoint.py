"""`Endpoint`, the record of one API operation that the generated table holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping


class Endpoint(NamedTuple):
    """One operation of the API, as the generated table (`byot/resources/_endpoints.py`) records it.

    A NamedTuple rather than a dataclass: as immutable, and a tenth of the cost to define at
    import time.
    """

    operation_id: str
    name: str  # the method's dotted name, e.g. "chat.completions.create"
    method: str
    path: str  # a template with {name} placeholders
    fixed_query: Mapping[str, str]  # query pairs that are part of the route (`?beta=true`)
    query_params: Mapping[str, str]  # Python keyword -> name on the wire
    body: str  # "json", "multipart" or "none"
    result: str  # "json", "binary", "text" or "empty"
    part_types: Mapping[str, str] | None = None  # multipart fields sent as typed parts
    admin: bool = False  # authenticated with the admin key
    stream: Mapping[str, Any] | None = None  # flag, framing and terminator when it streams
    pagination: Mapping[str, Any] | None = None  # how the next page's cursor is found
