"""Event hooks: checked when a client is built, called by the drivers around each attempt."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, cast

from byot._signatures import EventHooks

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


def check(hooks: EventHooks | None) -> EventHooks:
    """Hooks as given, checked: only `request` and `response`, each a sequence of callables.

    Raises:
        TypeError: An unknown kind of hook, or a hook that cannot be called.
    """
    if hooks is None:
        return EventHooks()
    for kind, callables in cast("Mapping[str, Any]", hooks).items():
        if kind not in ("request", "response"):
            raise TypeError(f"unknown event hook {kind!r}: use 'request' or 'response'")
        if not all(callable(hook) for hook in callables):
            raise TypeError(f"every {kind!r} event hook must be callable")
    return hooks


def run(hooks: Sequence[Callable[[Any], object]], value: object) -> None:
    """Call each hook of a sync client in turn; what it returns is ignored."""
    for hook in hooks:
        hook(value)


async def arun(hooks: Sequence[Callable[[Any], object]], value: object) -> None:
    """Call each hook of an async client in turn, awaiting an async hook before the next."""
    for hook in hooks:
        result = hook(value)
        if inspect.isawaitable(result):
            await result
