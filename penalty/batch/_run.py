"""Whole jobs: a file of bookings quoted (`run_batch`), or its exposure summed (`run_exposure`).

Either runs on local processes or on a Dask cluster, with a progress bar and a `Report` at
the end.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import partial
from typing import Literal

import pyarrow as pa

from penalty.batch._dask import client, exposure_part, plan, prepare_output, quote_part, run_parts
from penalty.batch._exposure import Exposure, exposure_chunk, steps
from penalty.batch._io import Packed, kind_of, open_sink, open_source, pack, quote_chunk, unpack
from penalty.batch._local import cores, fix_mmap_threshold, ordered, peak_rss
from penalty.batch._progress import Bar
from penalty.batch._quote import check_format, instant
from penalty.errors import InvalidInput

__all__ = ["Engine", "Report", "fix_mmap_threshold", "run_batch", "run_exposure"]

Engine = Literal["local", "dask"]


@dataclass
class Report:
    """What a job did: rows read, error codes counted, time, memory."""

    engine: str
    workers: int
    rows: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    #: Peak resident memory (bytes) of this process and of its largest worker process
    #: (local engine; ``None`` on Dask, whose workers are not this process's children).
    rss: int = 0
    worker_rss: int | None = None

    @property
    def quoted(self) -> int:
        """Rows quoted (every row not in error)."""
        return self.rows - sum(self.errors.values())

    @property
    def rate(self) -> float:
        """Rows a second, end to end."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def lines(self) -> list[str]:
        """The summary, a few lines of text."""
        where = f"{self.workers} worker{'s' if self.workers != 1 else ''}, {self.engine}"
        errors = sum(self.errors.values())
        head = (
            f"{self.rows:,} rows in {self.seconds:.1f} s ({self.rate:,.0f} rows/s, {where}): "
            f"{self.quoted:,} quoted, {errors:,} errors"
        )
        out = [head]
        if self.errors:
            codes = ", ".join(f"{code} {count:,}" for code, count in self.errors.most_common())
            out.append(f"errors by code: {codes}")
        memory = f"peak memory: {self.rss / 1e6:,.0f} MB in this process"
        if self.worker_rss:
            memory += f", {self.worker_rss / 1e6:,.0f} MB in the largest worker"
        out.append(memory)
        return out


def _workers(workers: int | None) -> int:
    count = cores() if workers is None else workers
    if count < 1:
        raise InvalidInput("--workers must be at least 1", path="workers", value=workers)
    return count


def _parquet(source_path: str, input_kind: str | None) -> None:
    if kind_of(source_path, input_kind) != "parquet":
        raise InvalidInput(
            "the Dask engine reads Parquet (a file or a directory of parts); convert the input "
            "first: penalty batch ... --out FILE.parquet, or pyarrow",
            path="input",
            value=source_path,
            code="not_parquet",
        )


def _errors(batch: pa.RecordBatch) -> Counter[str]:
    codes = batch.column("error_code")
    if codes.null_count == len(codes):
        return Counter()
    return Counter(code for code in codes.to_pylist() if code is not None)


def run_batch(
    source_path: str,
    out: str,
    at: datetime | str,
    *,
    workers: int | None = None,
    rows: int = 5000,
    format: str = "auto",  # noqa: A002 - the column's name
    engine: Engine = "local",
    scheduler: str | None = None,
    input_kind: str | None = None,
    output_kind: str | None = None,
    progress: bool = False,
) -> Report:
    """Quote every row of ``source_path`` at ``at`` into ``out``.

    The local engine reads JSON Lines, CSV or Parquet and writes one file of the kind ``out``
    names; the Dask engine reads Parquet (a file or a directory) and writes a directory of
    Parquet parts.

    Raises:
        InvalidInput: the input is unreadable, the output unwritable, a bad option.
        InvalidInstant: ``at`` is not an instant with an offset.
    """
    checked, name, count = instant(at), check_format(format), _workers(workers)
    if rows < 1:
        raise InvalidInput("the batch size must be at least 1", path="rows", value=rows)
    began = time.perf_counter()
    report = Report(engine, count)
    if engine == "dask":
        _parquet(source_path, input_kind)
        prepare_output(out)
        with client(scheduler, count) as dask:
            report.workers = len(dask.scheduler_info().get("workers", {})) or count
            parts, total = plan(source_path, workers=report.workers, batch_rows=rows)
            finished = run_parts(
                dask, quote_part, parts, at=checked, out=out, batch_rows=rows, format=name
            )
            with Bar("quoting", total, enabled=progress) as bar:
                for _, (done, errors) in finished:
                    report.rows += done
                    report.errors.update(errors)
                    bar.advance(done, sum(errors.values()))
    else:
        source = open_source(source_path, kind=input_kind, rows=rows)
        sink = open_sink(out, source.schema, kind=output_kind)
        work = partial(quote_chunk, at=checked, schema=source.schema, format=name, remote=count > 1)
        try:
            chunks = source.chunks() if count == 1 else map(pack, source.chunks())
            with Bar("quoting", source.total, enabled=progress) as bar:
                for result in ordered(work, chunks, count):
                    if isinstance(result, Packed):
                        report.worker_rss = max(report.worker_rss or 0, result.rss)
                    batch = unpack(result)
                    assert isinstance(batch, pa.RecordBatch)  # noqa: S101 - quote_chunk's result
                    sink.write(batch)
                    errors = _errors(batch)
                    report.rows += batch.num_rows
                    report.errors.update(errors)
                    bar.advance(batch.num_rows, sum(errors.values()))
        except BaseException:
            sink.close(keep=False)
            raise
        sink.close()
    report.seconds = time.perf_counter() - began
    report.rss = peak_rss()
    return report


def run_exposure(
    source_path: str,
    first: str,
    last: str,
    step: str,
    *,
    workers: int | None = None,
    rows: int = 5000,
    format: str = "auto",  # noqa: A002 - the column's name
    engine: Engine = "local",
    scheduler: str | None = None,
    input_kind: str | None = None,
    progress: bool = False,
) -> tuple[Exposure, tzinfo, Report]:
    """The exposure of every row of ``source_path`` from ``first`` to ``last`` every ``step``.

    Returns the sums, the zone to show the steps in (``first``'s offset) and the job's report.
    """
    micros, zone = steps(first, last, step)
    name, count = check_format(format), _workers(workers)
    began = time.perf_counter()
    report = Report(engine, count)
    total = Exposure(micros)
    if engine == "dask":
        _parquet(source_path, input_kind)
        with client(scheduler, count) as dask:
            report.workers = len(dask.scheduler_info().get("workers", {})) or count
            parts, rows_in = plan(source_path, workers=report.workers, batch_rows=rows)
            summed = run_parts(
                dask, exposure_part, parts, micros=micros, batch_rows=rows, format=name
            )
            with Bar("summing", rows_in, enabled=progress) as bar:
                for _, part in summed:
                    total.merge(part)
                    bar.advance(part.rows, sum(part.errors.values()))
    else:
        source = open_source(source_path, kind=input_kind, rows=rows)
        work = partial(exposure_chunk, micros=micros, format=name, remote=count > 1)
        chunks = source.chunks() if count == 1 else map(pack, source.chunks())
        with Bar("summing", source.total, enabled=progress) as bar:
            for part in ordered(work, chunks, count):
                total.merge(part)
                bar.advance(part.rows, sum(part.errors.values()))
    report.rows, report.errors = total.rows, Counter(total.errors)
    report.seconds = time.perf_counter() - began
    report.rss = peak_rss()
    report.worker_rss = total.rss or None
    return total, zone, report
