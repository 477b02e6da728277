"""Cursor pagination as data: where the items are and what the next cursor is."""

from __future__ import annotations

from typing import Any

import pytest

from byot import _pagination
from byot.resources._endpoints import ENDPOINTS

LAST_ID = {"param": "after", "items": "data", "has_more": "has_more", "next": "last_id"}
NEXT = {**LAST_ID, "next": "next"}
LAST_ITEM = {**LAST_ID, "next": "id-of-last-item"}


@pytest.mark.parametrize(
    ("page", "pagination", "cursor"),
    [
        ({"data": [{"id": "a"}], "has_more": True, "last_id": "a"}, LAST_ID, "a"),
        ({"data": [{"id": "a"}], "has_more": False, "last_id": "a"}, LAST_ID, None),
        ({"data": [{"id": "a"}], "last_id": "a"}, LAST_ID, None),
        # OpenAI itself sometimes leaves last_id out: the last item's id stands in.
        ({"data": [{"id": "a"}, {"id": "b"}], "has_more": True}, LAST_ID, "b"),
        ({"data": [{"id": "a"}], "has_more": True, "last_id": ""}, LAST_ID, "a"),
        ({"data": [], "has_more": True}, LAST_ID, None),
        ({"data": ["not-an-object"], "has_more": True}, LAST_ID, None),
        ({"data": [{"id": 7}], "has_more": True}, LAST_ID, None),
        ({"data": [{"id": "a"}], "has_more": True, "next": "cur-2"}, NEXT, "cur-2"),
        ({"data": [{"id": "a"}, {"id": "z"}], "has_more": True}, LAST_ITEM, "z"),
        ({"data": "oops", "has_more": True}, LAST_ITEM, None),
        (["not", "a", "page"], LAST_ID, None),
        (None, LAST_ID, None),
    ],
)
def test_next_cursor(page: Any, pagination: dict[str, str], cursor: str | None) -> None:
    assert _pagination.next_cursor(page, pagination) == cursor


def test_items() -> None:
    assert _pagination.items({"data": [1, 2]}, LAST_ID) == [1, 2]
    assert _pagination.items({"data": None}, LAST_ID) == []
    assert _pagination.items([1, 2], LAST_ID) == []


def test_next_query_moves_the_cursor_and_stops() -> None:
    endpoint = ENDPOINTS["listFiles"]
    page = {"data": [{"id": "f2"}], "has_more": True, "last_id": "f2"}
    assert _pagination.next_query(endpoint, page, {"limit": 2}) == {"limit": 2, "after": "f2"}
    last = {"data": [{"id": "f3"}], "has_more": False}
    assert _pagination.next_query(endpoint, last, {"after": "f2"}) is None
    # A cursor that does not move would fetch the same page for ever.
    assert _pagination.next_query(endpoint, page, {"after": "f2"}) is None


def test_every_paginated_endpoint_takes_its_cursor_as_a_query_parameter() -> None:
    paginated = [e for e in ENDPOINTS.values() if e.pagination]
    assert len(paginated) >= 50
    for endpoint in paginated:
        assert endpoint.pagination is not None
        assert endpoint.pagination["param"] in endpoint.query_params.values(), endpoint.name


def test_page_tokens_are_never_replaced_by_item_ids() -> None:
    paged = {**LAST_ID, "param": "page", "next": "next_page"}
    page = {"data": [{"id": "b1"}], "has_more": True, "next_page": "tok-2"}
    assert _pagination.next_cursor(page, paged) == "tok-2"
    assert _pagination.next_cursor({**page, "next_page": None}, paged) is None
