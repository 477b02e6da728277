"""The `server` fixture: the suite's real-socket server (tests/e2e/server.py) on 127.0.0.1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.server import TestServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as running:
        yield running
