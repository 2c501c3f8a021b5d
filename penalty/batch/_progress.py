"""The progress bar of a batch job (rich, on stderr): rows done, rows/s, errors so far."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

__all__ = ["Bar"]


class _Rate(ProgressColumn):
    """Rows a second since the start (steadier than rich's sampled speed)."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:,.0f} rows/s", style="progress.data.speed")


class _Errors(ProgressColumn):
    def render(self, task: Task) -> Text:
        errors = int(task.fields.get("errors", 0))
        return Text(f"{errors:,} errors", style="red" if errors else "dim")


class Bar:
    """A progress bar, or nothing when ``enabled`` is false (stderr not a terminal)."""

    def __init__(self, label: str, total: int | None, *, enabled: bool) -> None:
        self.started = time.perf_counter()
        self._errors = 0
        self._progress: Progress | None = None
        if enabled:
            columns: list[ProgressColumn] = [SpinnerColumn(), TextColumn("{task.description}")]
            if total is not None:
                columns.append(BarColumn())
            columns += [
                TextColumn("{task.completed:,}" + ("" if total is None else f"/{total:,}")),
                TextColumn("rows"),
                _Rate(),
                _Errors(),
                TimeElapsedColumn(),
            ]
            if total is not None:
                columns.append(TimeRemainingColumn())
            self._progress = Progress(
                *columns, console=Console(file=sys.stderr), transient=False, refresh_per_second=4
            )
            self._task = self._progress.add_task(label, total=total, errors=0)

    def __enter__(self) -> Self:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, rows: int, errors: int) -> None:
        """``rows`` more rows done, ``errors`` of them in error."""
        self._errors += errors
        if self._progress is not None:
            self._progress.update(self._task, advance=rows, errors=self._errors)
