"""The progress bar of bulk work: done of total, rate, ETA, tokens used and failures.

Drawn by `rich` (the `bulk` extra) on standard error, and only when that is a terminal: in a
pipe, a log or CI nothing is drawn. Without `rich` it is silent too.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import TYPE_CHECKING, Any

from byot._override import override

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import Console
    from typing_extensions import Self

__all__ = ["Progress", "wanted"]


def wanted(show: bool | None) -> bool:
    """Whether to draw: as asked, else when stderr is a terminal and `rich` is installed."""
    if show is not None:
        return show
    return sys.stderr.isatty() and importlib.util.find_spec("rich") is not None


class Progress:
    """Counts of finished work, drawn as a live bar when `show` (see `wanted`).

    Args:
        description: What is being done, shown left of the bar.
        total: How many requests there are, when known.
        show: Draw the bar (None: on a terminal only).
        console: Where to draw (tests); standard error by default.
    """

    def __init__(
        self,
        description: str,
        total: int | None,
        *,
        show: bool | None = None,
        console: Console | None = None,
    ) -> None:
        self.done = self.failed = self.tokens = 0
        self._bar: Any = None
        if wanted(show):
            self._bar = _rich_bar(console)
            self._task = self._bar.add_task(description, total=total, tokens=0, failed=0)

    def advance(self, *, ok: bool, tokens: int = 0) -> None:
        """One more request finished."""
        self.done += 1
        self.failed += not ok
        self.tokens += tokens
        if self._bar is not None:
            self._bar.update(self._task, advance=1, tokens=self.tokens, failed=self.failed)

    def set(self, *, done: int, failed: int, total: int | None) -> None:
        """The counts as a Batch API job reports them (`request_counts`)."""
        self.done, self.failed = done, failed
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total or None, failed=failed)

    def __enter__(self) -> Self:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()


def _rich_bar(console: Console | None) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class Rate(ProgressColumn):
        """Requests per second, over rich's recent window."""

        @override
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("-/s" if speed is None else f"{speed:,.1f}/s", style="progress.data.speed")

    return RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TextColumn("{task.fields[tokens]:,} tokens"),
        TextColumn("[red]{task.fields[failed]:,} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        redirect_stdout=False,
        redirect_stderr=False,
    )
