"""Demo: the nightly job on a small file of open bookings, and the exposure chart."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import TextIO

from penalty.demos import fixtures_dir, run_cli

__all__ = ["run"]

#: The night the job runs: the morning of 11 May 2021 in Vietnam, as in the other sections.
NOW = "2021-05-11T09:00:00+07:00"
_SHOWN = ("id", "format", "fee", "currency", "phase", "free_until", "refundability", "error_code")


def _table(path: Path, out: TextIO, rows: int) -> None:
    """The first ``rows`` rows of a result CSV, a few columns, aligned."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = [record for _, record in zip(range(rows), csv.DictReader(handle), strict=False)]
    cells = [list(_SHOWN)] + [[record[name] or "·" for name in _SHOWN] for record in records]
    widths = [max(len(row[index]) for row in cells) for index in range(len(_SHOWN))]
    out.writelines(
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in cells
    )


def run(out: TextIO) -> None:
    """Re-quote every booking of ``fixtures/batch/open_bookings.jsonl``; then its exposure."""
    source = str(fixtures_dir() / "batch" / "open_bookings.jsonl")
    out.write("== Nightly batch: every open booking re-quoted, and the exposure (issue #16) ==\n")
    with tempfile.TemporaryDirectory(prefix="penalty-demo-") as temp:
        quoted = Path(temp) / "quoted.csv"
        run_cli(out, "batch", source, "--at", NOW, "--out", str(quoted), "--workers", "1")
        out.write(
            f"The first rows of {quoted.name} (its other columns: fee_minor, next_change, ...):\n"
        )
        _table(quoted, out, 8)
        chart = Path(temp) / "exposure.svg"
        run_cli(
            out,
            "exposure",
            source,
            "--from",
            NOW,
            "--for",
            "7d",
            "--step",
            "1h",
            "--chart",
            str(chart),
            "--workers",
            "1",
        )
    out.write(
        "Without --workers every core is used; --engine dask runs the same job on a Dask "
        "cluster.\nThe README (section 'Batch and exposure') shows this chart: "
        "docs/exposure.svg.\n"
    )
