"""python -m tests.independent_borough --seed N --children N --out DIR [--truth DIR] [--measure]

Writes DIR/feeds/<feed>.csv (import each with `openmash import FEED FILE --agency CODE`) and the
truth to DIR/truth (or --truth DIR). See README.md in this folder.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .agencies import AGENCIES
from .generate import DEFAULT_AS_OF, DEFAULT_CHILDREN, generate
from .measure import measure

STAGES = {"children": "Households and children", "records": "Agencies' records", "files": "Writing files"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.independent_borough", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--children", type=int, default=DEFAULT_CHILDREN)
    parser.add_argument(
        "--out", type=Path, required=True, help="Folder for feeds/ (and truth/ unless --truth)"
    )
    parser.add_argument("--truth", type=Path, help="Folder for the truth (default OUT/truth)")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=DEFAULT_AS_OF,
        help="Last day of the three years of data (default %(default)s; not after today)",
    )
    parser.add_argument("--measure", action="store_true", help="Measure the noise rates again from the files")
    parser.add_argument("--no-progress", action="store_true")
    options = parser.parse_args(argv)
    console = Console(highlight=False)
    if options.children < 1:
        console.print("[red]--children must be at least 1[/]")
        return 2
    if options.as_of > date.today():
        console.print(
            f"[red]--as-of {options.as_of} is after today: the hub refuses events in the future.[/]"
        )
        return 2
    started, cpu = time.monotonic(), time.process_time()
    with Progress(
        TextColumn("{task.description:<26}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=options.no_progress,
        transient=True,
    ) as progress:
        tasks: dict[str, int] = {}

        def tell(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(STAGES[stage], total=total)
            progress.update(tasks[stage], completed=done)

        result = generate(
            seed=options.seed,
            children=options.children,
            out=options.out,
            truth=options.truth,
            as_of=options.as_of,
            progress=tell,
        )
    table = Table(
        title=f"Independent borough: seed {options.seed}, {options.children:,} children, "
        f"data to {options.as_of}",
        title_justify="left",
    )
    for column in ("agency (code, kind)", "feed file", "rows", "person_ids"):
        table.add_column(column, justify="right" if column in ("rows", "person_ids") else "left")
    for agency in AGENCIES:
        table.add_row(
            f"{agency.code} ({agency.kind})",
            result.files[agency.code],
            f"{result.rows[agency.code]:,}",
            f"{result.identities[agency.code]:,}",
        )
    rows = sum(result.rows.values())
    table.add_row("all", "", f"{rows:,}", f"{sum(result.identities.values()):,}")
    console.print(table)
    console.print(
        f"Feeds in {result.feeds_dir}. {rows / options.children:.2f} rows a child; "
        f"{result.expected_errors:,} deliberately bad fields "
        f"(listed in {result.truth_dir}/expected_errors.csv). Truth in {result.truth_dir}. "
        f"{time.monotonic() - started:.1f} s ({time.process_time() - cpu:.1f} s of CPU)."
    )
    if options.measure:
        rates = measure(options.out, options.truth)
        for rate in rates:
            console.print(rate.line(), soft_wrap=True)
        if not all(rate.ok for rate in rates):
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
