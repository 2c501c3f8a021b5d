"""`make bench`, batch part: a file of open bookings re-quoted end to end (issue 16).

Generates a Parquet file of open bookings (Gotadi policies of 1 to 4 windows in four currencies
and hotel zones, every row's policy different: the worst case for the parser's cache; one row
in 200 bad) in a temporary directory, checks a sample of the quoted rows against the engine,
then times ``penalty batch FILE.parquet --out OUT.parquet`` as a user runs it, each run in a
fresh process:

- the whole file on the local engine with 2 workers: bookings/s end to end (read, quote,
  write), and the peak RSS of the main process and of the largest worker;
- the same file on the Dask engine (a local cluster of 2 worker processes, started and stopped
  by the run, counted in its time);
- scaling: the first ``--scale-rows`` rows with 1 worker and with 2 workers.

The machine is shared: the load average before and after each run is printed beside it, and
the figures are what they are. Writes ``bench/batch_results.json``.

Run: ``make bench`` (``.venv/bin/python -m bench.batch [--rows N] [--quick] [--json PATH]``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

import penalty

ROOT = Path(__file__).resolve().parent.parent
AT = "2031-03-01T12:00:00Z"
#: (currency, hotel zone, offset written in Gotadi dates, a night's price range).
MARKETS = (
    ("VND", "Asia/Ho_Chi_Minh", "+07:00", (600_000, 4_000_000)),
    ("THB", "Asia/Bangkok", "+07:00", (900, 9_000)),
    ("USD", "America/New_York", "-05:00", (80, 600)),
    ("JPY", "Asia/Tokyo", "+09:00", (8_000, 60_000)),
)
SHAPES = (
    ('"type": "PERCENT", "percent": "10%", "nights": "", "amount": ""', 168),
    ('"type": "PERCENT", "percent": "50%", "nights": "", "amount": "{fixed}"', 72),
    ('"type": "NIGHTS", "percent": "", "nights": "1.5", "amount": ""', 24),
    ('"type": "AMOUNT", "percent": "", "nights": "", "amount": "{total}"', 24),
)
GROUP = 100_000
TARGET_RATE = 40_000
TARGET_SCALING = 1.6
TARGET_DASK = 1.5


def _row(index: int, rng: random.Random) -> tuple[str, str, str, str]:
    currency, zone, offset, (low, high) = MARKETS[index % len(MARKETS)]
    nights = 1 + rng.randrange(5)
    rates = [rng.randrange(low, high) for _ in range(nights)]
    total = sum(rates)
    check_in = date(2031, 3, 2) + timedelta(days=rng.randrange(90))
    listed = ", ".join(f'"{rate}"' for rate in rates)
    booking = (
        f'{{"total": "{total}", "currency": "{currency}", "nightly_rates": [{listed}], '
        f'"check_in": "{check_in}", "check_out": "{check_in + timedelta(days=nights)}", '
        f'"timezone": "{zone}"}}'
    )
    if index % 200 == 199:
        booking = booking.replace(f'"total": "{total}"', '"total": "12,5"')
    count = 1 + rng.randrange(len(SHAPES))
    shapes = SHAPES[len(SHAPES) - count :]
    start = datetime.combine(check_in, datetime.min.time()) - timedelta(
        hours=sum(hours for _, hours in shapes) - 14, minutes=index % 997
    )
    windows = []
    for shape, hours in shapes:
        end = start + timedelta(hours=hours)
        kind = shape.format(fixed=total // 100, total=total)
        windows.append(
            f'{{"startDate": "{start:%Y-%m-%dT%H:%M}:00.000{offset}", '
            f'"endDate": "{end:%Y-%m-%dT%H:%M}:00.000{offset}", "currency": "{currency}", '
            f'{kind}, "description": ""}}'
        )
        start = end
    return f"B{index:08d}", booking, "[" + ", ".join(windows) + "]", "gotadi"


def generate(path: Path, rows: int, seed: int = 16) -> None:
    """``rows`` open bookings into ``path`` (row groups of 100,000)."""
    rng = random.Random(seed)  # noqa: S311 - made-up bookings
    schema = pa.schema([(name, pa.string()) for name in ("id", "booking", "policy", "format")])
    with pq.ParquetWriter(path, schema) as writer:
        for first in range(0, rows, GROUP):
            columns = list(
                zip(*(_row(i, rng) for i in range(first, min(rows, first + GROUP))), strict=True)
            )
            writer.write_table(
                pa.table(dict(zip(schema.names, columns, strict=True)), schema=schema)
            )


def verify(source: Path, out: Path, sample: int = 997) -> int:
    """Every ``sample``-th row of ``out`` is what the engine says of the input row."""
    given = pq.read_table(source, columns=["id", "booking", "policy"]).to_pylist()[::sample]
    quoted = pq.read_table(out, columns=["id", "fee", "fee_minor", "phase", "error_code"])
    got = quoted.to_pylist()[::sample]
    for row, result in zip(given, got, strict=True):
        assert row["id"] == result["id"]
        code: str | None
        try:
            booking = penalty.Booking.model_validate_json(row["booking"])
            quote = penalty.parse(row["policy"], format="gotadi").timeline(booking).quote(AT)
        except penalty.PenaltyError as exc:
            code = exc.code
        else:
            code = None
            assert result["fee"] == str(quote.fee), (row, result)
            assert result["phase"] == quote.phase
        assert result["error_code"] == code, (row, result)
    return len(given)


@dataclass
class Run:
    """One timed run of ``penalty batch``."""

    name: str
    engine: str
    workers: int
    rows: int
    seconds: float
    rate: float
    rss_mb: float
    worker_rss_mb: float | None
    errors: int
    #: CPU seconds of every process of the run (user + system), start-up included.
    cpu: float
    #: CPU seconds of the main process alone (reading, writing, handing out chunks).
    cpu_main: float
    load_before: float
    load_after: float


def child(args: list[str]) -> None:
    """In a fresh process: one `run_batch`, its report as JSON on stdout."""
    from penalty.batch._run import run_batch

    engine, workers, source, out = args
    report = run_batch(source, out, AT, workers=int(workers), engine=engine)  # type: ignore[arg-type]
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    print(
        json.dumps(
            {
                "rows": report.rows,
                "seconds": report.seconds,
                "rss": report.rss,
                "worker_rss": report.worker_rss,
                "errors": sum(report.errors.values()),
                "cpu": cpu,
                "cpu_main": own.ru_utime + own.ru_stime,
            }
        )
    )


def timed(name: str, engine: str, workers: int, source: Path, out: Path) -> Run:
    """``penalty batch`` in a fresh process, timed from outside too."""
    load = os.getloadavg()[0]
    began = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.batch",
            "--child",
            engine,
            str(workers),
            str(source),
            str(out),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - began
    report = json.loads(done.stdout.strip().splitlines()[-1])
    worker = report["worker_rss"]
    result = Run(
        name,
        engine,
        workers,
        report["rows"],
        wall,
        report["rows"] / wall,
        report["rss"] / 1e6,
        None if worker is None else worker / 1e6,
        report["errors"],
        report["cpu"],
        report["cpu_main"],
        load,
        os.getloadavg()[0],
    )
    print(
        f"  {name}: {result.rows:,} rows in {wall:.1f} s = {result.rate:,.0f} bookings/s "
        f"({result.rows / result.cpu:,.0f} per CPU-second; "
        f"load {load:.1f} → {result.load_after:.1f})",
        file=sys.stderr,
        flush=True,
    )
    return result


def _slice(source: Path, rows: int, target: Path) -> None:
    with pq.ParquetWriter(target, pq.ParquetFile(source).schema_arrow) as writer:
        left = rows
        for batch in pq.ParquetFile(source).iter_batches(batch_size=GROUP):
            if left <= 0:
                break
            part = batch.slice(0, left)
            writer.write_table(pa.Table.from_batches([part]))
            left -= part.num_rows


def main(argv: list[str] | None = None) -> None:
    """Generate, verify, time; print the table; write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scale-rows", type=int, default=200_000)
    parser.add_argument("--quick", action="store_true", help="100,000 rows, 50,000 to scale")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "batch_results.json")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child)
        return
    rows, scale = (100_000, 50_000) if args.quick else (args.rows, min(args.scale_rows, args.rows))
    print(
        f"penalty batch benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="penalty-bench-") as temp:
        folder = Path(temp)
        source, small = folder / "open.parquet", folder / "scale.parquet"
        began = time.perf_counter()
        generate(source, rows)
        _slice(source, scale, small)
        size = source.stat().st_size / 1e6
        print(
            f"  generated {rows:,} rows ({size:,.0f} MB) in {time.perf_counter() - began:.0f} s",
            file=sys.stderr,
        )
        runs = [
            timed("scaling, 1 worker", "local", 1, small, folder / "s1.parquet"),
            timed("scaling, 2 workers", "local", 2, small, folder / "s2.parquet"),
            timed("whole file, 2 workers", "local", 2, source, folder / "local.parquet"),
            timed("whole file, Dask local cluster", "dask", 2, source, folder / "dask"),
        ]
        checked = verify(source, folder / "local.parquet")
        verify(source, folder / "dask")
    one, two, whole, dask = runs
    scaling = two.rate / one.rate
    rows_out = [
        (
            "bookings/s end to end, 2 workers, Parquet → Parquet",
            f"{whole.rate:,.0f}",
            f"≥ {TARGET_RATE:,}",
            whole.rate >= TARGET_RATE,
        ),
        (
            f"2 workers ÷ 1 worker ({scale:,} rows)",
            f"{scaling:.2f}×",
            f"≥ {TARGET_SCALING}×",
            scaling >= TARGET_SCALING,
        ),
        (
            "Dask local cluster ÷ local processes (time)",
            f"{dask.seconds / whole.seconds:.2f}×",
            f"≤ {TARGET_DASK}×",
            dask.seconds <= TARGET_DASK * whole.seconds,
        ),
        ("per-core rate (1 worker)", f"{one.rate:,.0f} bookings/s", "—", None),
        (
            "bookings per CPU-second: 1 worker / 2 workers / Dask",
            f"{one.rows / one.cpu:,.0f} / {two.rows / two.cpu:,.0f} / {dask.rows / dask.cpu:,.0f}",
            "—",
            None,
        ),
        ("peak RSS, main process (whole file)", f"{whole.rss_mb:,.0f} MB", "bounded", None),
        (
            "peak RSS, largest worker (whole file)",
            f"{whole.worker_rss_mb or 0:,.0f} MB",
            "bounded",
            None,
        ),
        (
            f"peak RSS, main / worker ({scale:,} rows)",
            f"{two.rss_mb:,.0f} / {two.worker_rss_mb or 0:,.0f} MB",
            "—",
            None,
        ),
    ]
    print("| figure | measured | target | met |\n|---|---:|---|:-:|")
    for figure, value, target, met in rows_out:
        print(
            f"| {figure} | {value} | {target} | {'—' if met is None else 'yes' if met else 'NO'} |"
        )
    print(
        f"- {rows:,} rows, 1 in 200 bad, every policy different, quoted at {AT}; "
        f"{checked:,} sampled rows checked against the engine"
    )
    for run in runs:
        print(
            f"- {run.name}: {run.rows:,} rows in {run.seconds:.1f} s ({run.rate:,.0f}/s), "
            f"{run.cpu:.1f} CPU-seconds ({run.cpu_main:.1f} in the main process), "
            f"load average {run.load_before:.1f} → {run.load_after:.1f}"
        )
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": rows,
        "runs": [asdict(run) for run in runs],
        "scaling": scaling,
        "dask_over_local": dask.seconds / whole.seconds,
    }
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
