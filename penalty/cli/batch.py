"""``penalty batch`` and ``penalty exposure``: a file of open bookings, re-quoted or summed.

Both need the ``batch`` extra (``pip install 'penalty[batch]'``); without it they exit 2 with
one line saying so. Exit codes: 0 when at least one row was quoted (or the input holds no row);
1 when rows were read and none could be quoted; 2 when the input is unreadable, the output
unwritable, or an option is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import signal
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from penalty.errors import InvalidInput
from penalty.formats import FORMATS

if TYPE_CHECKING:
    from penalty.batch._exposure import Exposure
    from penalty.batch._run import Report

__all__ = ["register"]

_EXTRA = "the batch and exposure commands need the batch extra: pip install 'penalty[batch]'"


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "input",
        metavar="INPUT",
        help="open bookings: .jsonl, .csv or .parquet (a directory: partitioned Parquet); "
        "columns id, booking, policy, format, zone",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "auto"),
        default="auto",
        help="format of rows whose format cell is empty (default: auto, detected per row)",
    )
    parser.add_argument(
        "--input-kind",
        choices=("jsonl", "csv", "parquet"),
        help="the input's kind when its extension does not say",
    )
    parser.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="worker processes (default: every core this process may use)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=5000,
        metavar="ROWS",
        help="rows handed to a worker at a time (default: 5000); memory grows with it, "
        "not with the input",
    )
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local processes (default), or a Dask cluster (Parquet in, Parquet parts out)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the Dask scheduler (tcp://host:8786); without it --engine dask starts a local "
        "cluster of --workers processes",
    )
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="show the progress bar (default: when stderr is a terminal)",
    )
    shown.add_argument("--no-progress", dest="progress", action="store_false")


def register(subparsers: Any) -> None:
    """Add ``batch`` and ``exposure`` to the CLI."""
    batch = subparsers.add_parser(
        "batch",
        help="re-quote every open booking of a file (JSONL, CSV, Parquet) at one instant",
        description="Quote every row of INPUT at --at (or now) into --out: the same rows plus "
        "fee, fee_minor, currency, phase, free_until, next_change, next_fee, refundability, "
        "warnings, and error_code / error_path / error_message for a row that cannot be quoted.",
    )
    _common(batch)
    when = batch.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="ISO", help="quote at this instant (ISO 8601 with offset)")
    when.add_argument("--now", action="store_true", help="quote at the current time")
    batch.add_argument(
        "--out",
        required=True,
        metavar="OUTPUT",
        help="result file: .parquet, .csv or .jsonl (--engine dask: a directory of Parquet parts)",
    )
    batch.add_argument(
        "--output-kind",
        choices=("jsonl", "csv", "parquet"),
        help="the output's kind when its extension does not say",
    )
    batch.set_defaults(run=_run_batch)

    exposure = subparsers.add_parser(
        "exposure",
        help="per currency: the total fee if every booking were cancelled at each step",
        description="For each step from --from to --to: per currency, the total fee if every "
        "booking of INPUT were cancelled then, and how many bookings are still free.",
    )
    _common(exposure)
    start = exposure.add_mutually_exclusive_group(required=True)
    start.add_argument("--from", dest="first", metavar="ISO", help="first step (with offset)")
    start.add_argument("--now", action="store_true", help="start now (in UTC)")
    end = exposure.add_mutually_exclusive_group(required=True)
    end.add_argument("--to", dest="last", metavar="ISO", help="last step (with offset)")
    end.add_argument("--for", dest="span", metavar="DURATION", help="how long: 14d, 72h ...")
    exposure.add_argument(
        "--step",
        default="1h",
        metavar="DURATION",
        help="between steps: 30m, 1h, 6h, 1d (default: 1h)",
    )
    exposure.add_argument(
        "--out",
        metavar="FILE",
        help="write the steps as .csv (one row a step and currency) or .json",
    )
    exposure.add_argument("--chart", metavar="FILE.svg", help="write the exposure chart (SVG)")
    exposure.set_defaults(run=_run_exposure)


def _load() -> Any:
    try:
        run = importlib.import_module("penalty.batch._run")
    except ImportError:
        print(f"penalty: error: {_EXTRA}", file=sys.stderr)
        return None
    run.fix_mmap_threshold()  # this process is the job's: its memory stays flat (glibc)
    return run


#: The exit code of a job stopped by SIGTERM (128 + 15, as a shell reports it).
EXIT_TERMINATED = 143


@contextlib.contextmanager
def _terminable() -> Iterator[None]:
    """SIGTERM stops the job as Ctrl-C does: workers stopped, no partial output left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        raise SystemExit(EXIT_TERMINATED)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress(args: argparse.Namespace) -> bool:
    return sys.stderr.isatty() if args.progress is None else bool(args.progress)


def _end(report: Report) -> int:
    if report.rows and not report.quoted:
        print("penalty: no row could be quoted", file=sys.stderr)
        return 1
    return 0


def _run_batch(args: argparse.Namespace) -> int:
    run = _load()
    if run is None:
        return 2
    at = datetime.now(UTC) if args.now else args.at
    with _terminable():
        report: Report = run.run_batch(
            args.input,
            args.out,
            at,
            workers=args.workers,
            rows=args.batch_size,
            format=args.format,
            engine=args.engine,
            scheduler=args.scheduler,
            input_kind=args.input_kind,
            output_kind=args.output_kind,
            progress=_progress(args),
        )
    for line in report.lines():
        print(line)
    print(f"written to {args.out}")
    return _end(report)


def _run_exposure(args: argparse.Namespace) -> int:
    run = _load()
    if run is None:
        return 2
    from penalty.batch._exposure import moment, parse_duration

    if args.out and not args.out.lower().endswith((".csv", ".json")):
        raise InvalidInput(
            "the exposure is written as .csv or .json",
            path="out",
            value=args.out,
            code="unknown_kind",
        )
    if args.chart and not args.chart.lower().endswith(".svg"):
        raise InvalidInput(
            "the chart is written as .svg", path="chart", value=args.chart, code="unknown_kind"
        )
    first = datetime.now(UTC).isoformat() if args.now else args.first
    last = args.last
    if args.span is not None:
        from penalty.batch._quote import instant_micros

        start, zone = instant_micros(first, path="from")
        last = moment(start + parse_duration(args.span, path="for"), zone).isoformat()
    with _terminable():
        exposure, zone, report = run.run_exposure(
            args.input,
            first,
            last,
            args.step,
            workers=args.workers,
            rows=args.batch_size,
            format=args.format,
            engine=args.engine,
            scheduler=args.scheduler,
            input_kind=args.input_kind,
            progress=_progress(args),
        )
    _print_exposure(exposure, zone)
    if args.out:
        _write(args.out, exposure, zone)
    if args.chart:
        from penalty.batch._chart import render

        _save(args.chart, render(exposure, zone))
    for line in report.lines():
        print(line)
    for path in (args.out, args.chart):
        if path:
            print(f"written to {path}")
    return _end(report)


def _print_exposure(exposure: Exposure, zone: Any) -> None:
    """Per currency: the fee if every booking were cancelled at the start, end and peak."""
    from penalty.batch._exposure import moment

    steps = exposure.steps
    first, last = moment(steps[0], zone).isoformat(), moment(steps[-1], zone).isoformat()
    print(f"Exposure from {first} to {last} ({len(steps):,} steps):")
    head = (
        "currency",
        "bookings",
        "fee at start",
        "at end",
        "peak",
        "peak at",
        "free: start",
        "end",
    )
    table = [head]
    for code, sums in sorted(exposure.currencies.items()):
        peak = max(sums.totals)
        when = moment(steps[sums.totals.index(peak)], zone).isoformat(timespec="minutes")
        table.append(
            (
                code,
                f"{sums.bookings:,}",
                _money(sums.totals[0]),
                _money(sums.totals[-1]),
                _money(peak),
                when,
                f"{sums.free[0]:,}",
                f"{sums.free[-1]:,}",
            )
        )
    widths = [max(len(row[index]) for row in table) for index in range(len(head))]
    for row in table:
        cells = [
            cell.ljust(width) if index in {0, 5} else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())


def _money(amount: Decimal) -> str:
    return f"{amount:,}"


def _save(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(
            f"cannot write: {exc.strerror}", path="out", value=path, code="unwritable"
        ) from exc


def _write(path: str, exposure: Exposure, zone: Any) -> None:
    if path.lower().endswith(".json"):
        _save(path, exposure.dumps(zone))
        return
    records = exposure.records(zone)
    try:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(
                handle,
                fieldnames=["at", "currency", "bookings", "free", "fee_total", "fee_total_minor"],
            )
            writer.writeheader()
            writer.writerows(records)
    except OSError as exc:
        raise InvalidInput(
            f"cannot write: {exc.strerror}", path="out", value=path, code="unwritable"
        ) from exc
