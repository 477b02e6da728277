"""byot's pytest plugin: fixtures bound to the spec mock, and tracebacks that stay readable.

pytest loads it by itself wherever byot is installed (the `pytest11` entry point); nothing to
configure. `pytest -p no:byot` turns it off.

Fixtures (each new per test):

* `byot_router`: a `byot.testing.Router` for the test's own routes. It starts empty, so every
  request gets the spec's answer; add routes in the test, or override the fixture in a
  `conftest.py` to share them.
* `byot_mock`: a `byot.testing.SpecMock` asking `byot_router` first. Its `calls` record every
  request.
* `byot_client`: a `byot.Client` bound to `byot_mock` (`base_url="http://byot-mock/v1"`, a
  test key, retries decided as usual but without sleeping), closed after the test.
* `byot_async_client`: the same as a `byot.AsyncClient`.

Tracebacks: when a test fails, the frames of tenacity and `concurrent.futures` (through which a
retried call re-raises its last error) are left out of the report, its chained exceptions'
included, so the traceback goes from the test's line to byot's. `pytest --full-trace` shows
every frame.

The module imports nothing of byot until a fixture is used: a test run that uses none pays
nothing for the plugin.
"""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    import byot
    from byot.testing import Router, SpecMock

__all__ = [
    "BASE_URL",
    "byot_async_client",
    "byot_client",
    "byot_mock",
    "byot_router",
    "pytest_runtest_makereport",
]

BASE_URL = "http://byot-mock/v1"
"""The base URL of the fixtures' clients (never dialled: the mock is their transport)."""

_HIDDEN = (f"{os.sep}tenacity{os.sep}", f"{os.sep}concurrent{os.sep}futures{os.sep}")


@pytest.fixture
def byot_router() -> Router:
    """The test's own routes, asked before the spec (empty to begin with)."""
    from byot.testing import Router

    return Router()


@pytest.fixture
def byot_mock(byot_router: Router) -> SpecMock:
    """The spec mock, asking the test's routes first."""
    from byot.testing import SpecMock

    return SpecMock(routes=byot_router)


@pytest.fixture
def byot_client(byot_mock: SpecMock) -> Iterator[byot.Client]:
    """A sync client bound to `byot_mock`, closed after the test."""
    import byot
    from byot.testing import NO_WAIT

    with byot.Client(
        base_url=BASE_URL, api_key="sk-test", transport=byot_mock, retry=NO_WAIT
    ) as client:
        yield client


@pytest.fixture
def byot_async_client(byot_mock: SpecMock) -> byot.AsyncClient:
    """An async client bound to `byot_mock` (it holds no connection: nothing to close)."""
    import byot
    from byot.testing import NO_WAIT

    return byot.AsyncClient(
        base_url=BASE_URL, api_key="sk-test", transport=byot_mock, retry=NO_WAIT
    )


def _shown(filename: str) -> bool:
    return not any(part in filename for part in _HIDDEN)


def _pruned(tb: TracebackType | None) -> TracebackType | None:
    """The traceback without hidden frames (relinked in place); as it was if all are hidden."""
    kept: list[TracebackType] = []
    while tb is not None:
        if _shown(tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    for earlier, later in itertools.pairwise(kept):
        earlier.tb_next = later
    if not kept:
        return None
    kept[-1].tb_next = None
    return kept[0]


def _prune_chain(error: BaseException) -> None:
    """Prune the tracebacks of an exception and of those it was raised from or during."""
    todo: list[BaseException | None] = [error]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        pruned = _pruned(current.__traceback__)
        if pruned is not None:
            current.__traceback__ = pruned
        todo += [current.__cause__, current.__context__]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Leave tenacity's and `concurrent.futures`' frames out of a failing test's report."""
    excinfo = call.excinfo
    if excinfo is not None and not item.config.getoption("fulltrace", False):
        _prune_chain(excinfo.value)
        excinfo.traceback = excinfo.traceback.filter(lambda entry: _shown(str(entry.path)))
    yield
