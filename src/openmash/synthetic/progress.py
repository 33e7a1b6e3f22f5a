"""A `rich` progress bar for the generator's stages, shown by the management commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from .generator import ProgressFn


@contextmanager
def stage_progress(console: Console | None = None) -> Iterator[ProgressFn]:
    """Yield a callback (stage, done, total) that draws one bar per stage."""
    columns = (
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            task = tasks.get(stage)
            if task is None:
                task = tasks[stage] = progress.add_task(stage, total=total)
            progress.update(task, completed=done, total=total)

        yield report
