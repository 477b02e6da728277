"""Cursor pagination as data, sans-I/O: where a page's items are and what the next cursor is.

The endpoint table records, per list operation, the query parameter that takes the cursor
(`after`), the key of the items (`data`), the flag that says more follow (`has_more`) and where
the next cursor comes from: `last_id`, `next`, or the id of the page's last item. Providers
that leave out `last_id` (async-openai #496 reports OpenAI itself doing so) still paginate:
the last item's id stands in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from byot._codec import json_array, json_object

if TYPE_CHECKING:
    from collections.abc import Mapping

    from byot._endpoint import Endpoint


def items(page: Any, pagination: Mapping[str, str]) -> list[Any]:
    """The items of a decoded page (an empty list when it has none)."""
    fields = json_object(page)
    found = json_array(fields.get(pagination["items"])) if fields is not None else None
    return found or []


def next_cursor(page: Any, pagination: Mapping[str, str]) -> str | None:
    """The cursor of the page after `page`, or None when it is the last."""
    fields = json_object(page)
    if fields is None or not fields.get(pagination["has_more"]):
        return None
    source = pagination["next"]
    cursor = None if source == "id-of-last-item" else fields.get(source)
    # An item id stands in for a missing `after` cursor only: page tokens are opaque.
    if (not isinstance(cursor, str) or not cursor) and pagination["param"] == "after":
        listed = items(page, pagination)
        last = json_object(listed[-1]) if listed else None
        cursor = last.get("id") if last is not None else None
    return cursor if isinstance(cursor, str) and cursor else None


def next_query(
    endpoint: Endpoint, page: Any, query_values: Mapping[str, object]
) -> dict[str, object] | None:
    """The query values of the page after `page`, or None when `page` is the last.

    A cursor that does not move would fetch the same page forever; it ends the list too.
    """
    pagination = endpoint.pagination or {}
    cursor = next_cursor(page, pagination)
    keyword = next(k for k, wire in endpoint.query_params.items() if wire == pagination["param"])
    if cursor is None or cursor == query_values.get(keyword):
        return None
    return {**query_values, keyword: cursor}


def query_after(
    endpoint: Endpoint,
    parsed: object,
    content: bytes,
    target: object,
    query_values: Mapping[str, object],
) -> dict[str, object] | None:
    """The query values of the next page after a fetched one, or None when it was the last.

    The cursor is read from the page as JSON: the decoded value when the call asked for dicts,
    else the raw body (a caller's type need not keep `has_more` or `last_id`).
    """
    page = parsed if target is dict else orjson.loads(content)
    return next_query(endpoint, page, query_values)
