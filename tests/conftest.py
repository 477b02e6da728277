"""Shared fixtures: a clean environment, one test body for both clients, missing prerequisites.

`both` runs a test once with `byot.Client` and once with `byot.AsyncClient`: the test calls
`both.client(...)` to build a client and `both.call(client.request, ...)` (or
`both.run(coro_or_value)`)
to get a plain result either way, so the same assertions cover both drivers.

A test that needs something outside the checkout (the pinned spec in ../shared, a third-party
test server) says so with `needs(ready, reason)` or calls `unavailable(reason)`: it skips on a
developer's machine, and fails under `CI=true`, where a green run must mean it ran.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from typing import TYPE_CHECKING, Any, NoReturn

import httpx
import pytest
from hypothesis import settings

import byot

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Fuzzing profiles (tests/fuzz): "ci", the default, runs 10,000 cases per target; "long"
# (`HYPOTHESIS_PROFILE=long`) 200,000 for a soak of the fuzzers; "dev" 500 for a quick look.
# No example database: runs stay independent, and nothing is written into the checkout.
settings.register_profile("ci", max_examples=10_000, deadline=None, database=None)
settings.register_profile("long", max_examples=200_000, deadline=None, database=None)
settings.register_profile("dev", max_examples=500, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def unavailable(reason: str) -> NoReturn:
    """Skip the running test for want of `reason`; fail it instead under `CI=true`."""
    if os.environ.get("CI", "").lower() in {"true", "1"}:
        pytest.fail(f"{reason} (CI=true: a missing prerequisite fails, never skips)", pytrace=False)
    pytest.skip(reason)


def needs(ready: bool, reason: str) -> pytest.MarkDecorator:
    """Mark a test that needs something outside the checkout: `unavailable(reason)` unless ready."""
    return pytest.mark.needs(reason, ready=ready)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(reason, ready): see tests.conftest.needs")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for mark in item.iter_markers("needs"):
        if not mark.kwargs["ready"]:
            unavailable(mark.args[0])


_ENV_PREFIXES = ("OPENAI_", "AZURE_OPENAI_", "BYOT_")
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's keys, base URLs or proxies."""
    for name in list(os.environ):
        upper = name.upper()
        if upper.startswith(_ENV_PREFIXES) or upper in _PROXY_VARS:
            monkeypatch.delenv(name)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Both:
    """Builds a sync or an async client and makes their calls look the same to a test."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.is_async = mode == "async"
        self._clients: list[Any] = []

    def client(
        self,
        handler: Callable[[httpx.Request], httpx.Response] | None = None,
        **kwargs: Any,
    ) -> Any:
        """A client of this mode; `handler` answers through `httpx.MockTransport`."""
        if handler is not None:
            kwargs.setdefault("transport", httpx.MockTransport(handler))
        kwargs.setdefault("base_url", "http://test.local/v1")
        kwargs.setdefault("api_key", "sk-test")
        cls = byot.AsyncClient if self.is_async else byot.Client
        client = cls(**kwargs)
        self._clients.append(client)
        return client

    def run(self, value: Any) -> Any:
        """The value itself, or the awaited result when the async client returned a coroutine."""
        if inspect.isawaitable(value):
            return asyncio.run(_await(value))
        return value

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a client method and return its result, awaiting it for the async client."""
        return self.run(method(*args, **kwargs))

    def close(self) -> None:
        for client in self._clients:
            self.run(client.aclose() if self.is_async else client.close())


async def _await(value: Any) -> Any:
    return await value


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest) -> Iterator[Both]:
    helper = Both(request.param)
    yield helper
    helper.close()
