"""Cursor pagination as data, sans-I/O: where a page's items are and what the next cursor is.

The endpoint table records, per list operation, the query parameter that takes the cursor
(`after`), the key of the items (`data`), the flag that says more follow (`has_more`) and where
the next cursor comes from: `last_id`, `next`, or the id of the page's last item. Providers
that leave out `last_id` (async-openai #496 reports OpenAI itself doing so) still paginate:
the last item's id stands in.

A cursor that does not move ends the list; one that comes round again after others
(A -> B -> A, a server bug) would fetch the same pages for ever, and raises
`byot.errors.PaginationCycleError` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from byot._codec import json_array, json_object
from byot.errors import PaginationCycleError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from byot._endpoint import Endpoint
    from byot._prepared import Prepared


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
    cursor = next_cursor(page, endpoint.pagination or {})
    keyword = _cursor_keyword(endpoint)
    if cursor is None or cursor == query_values.get(keyword):
        return None
    return {**query_values, keyword: cursor}


def _cursor_keyword(endpoint: Endpoint) -> str:
    """The method's keyword for the query parameter that takes the cursor."""
    param = (endpoint.pagination or {})["param"]
    return next(k for k, wire in endpoint.query_params.items() if wire == param)


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


class Cursors:
    """The cursors one auto-pagination has followed, to stop at one that comes round again."""

    __slots__ = ("keyword", "seen")

    def __init__(self, endpoint: Endpoint, query: Mapping[str, object]) -> None:
        self.keyword = _cursor_keyword(endpoint)
        start = query.get(self.keyword)
        self.seen: set[object] = set() if start is None else {start}

    def follow(self, query: Mapping[str, object] | None, fetched: Prepared) -> None:
        """Note the cursor of the next page's `query` (None: the list ended).

        Raises:
            PaginationCycleError: The cursor was followed before.
        """
        if query is None:
            return
        cursor = query[self.keyword]
        if cursor in self.seen:
            raise PaginationCycleError(
                f"the server named the cursor {cursor!r} a second time after "
                f"{fetched.method} {fetched.safe_url}: the list cycles, so auto-pagination "
                "stops here (the items before stand); page by hand with the cursor parameter "
                "to go on",
                method=fetched.method,
                url=fetched.safe_url,
                cursor=str(cursor),
            )
        self.seen.add(cursor)
