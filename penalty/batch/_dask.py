"""The Dask engine: the same per-batch function over the parts of a Parquet dataset.

The client plans the job from the dataset's metadata alone: each `Part` is a few row groups of
one file (or a slice of a row group bigger than a part), about ``part_rows`` rows. Each worker
reads its part straight from storage, quotes it batch by batch with `quote_batch`'s own code,
and writes ``part-NNNNN.parquet`` into the output directory; only counts travel back. Exposure
works the same way, each part sending back its sums.

Paths are local paths (the workers must see the same files: a shared file system) or URIs that
Arrow's file systems read (``s3://bucket/open-bookings/``).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.dataset as pa_ds
import pyarrow.fs as pa_fs
import pyarrow.parquet as pq

from penalty.batch._exposure import Exposure, exposure_batch
from penalty.batch._io import parquet_batches
from penalty.batch._table import assemble, output_schema, quote_rows
from penalty.errors import InvalidInput

__all__ = [
    "PART_ROWS",
    "Part",
    "client",
    "exposure_part",
    "plan",
    "prepare_output",
    "quote_part",
    "run_parts",
]

R = TypeVar("R")
#: The most rows a part holds.
PART_ROWS = 100_000
_PART_NAME = "part-{:05d}.parquet"


def resolve(path: str) -> tuple[pa_fs.FileSystem, str]:
    """The file system and the path in it: a URI, or a local path made absolute."""
    if "://" in path:
        filesystem, inner = pa_fs.FileSystem.from_uri(path)
        return filesystem, inner
    return pa_fs.LocalFileSystem(), str(Path(path).resolve())


@dataclass(frozen=True)
class Part:
    """Some rows of one Parquet file: whole row groups, or a run of batches of one of them."""

    path: str
    row_groups: tuple[int, ...]
    rows: int
    skip: int = 0
    take: int | None = None

    def batches(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        """The part's rows in batches of ``batch_rows``, read from storage."""
        filesystem, inner = resolve(self.path)
        with filesystem.open_input_file(inner) as handle:
            batches = parquet_batches(pq.ParquetFile(handle), batch_rows, self.row_groups)
            stop = None if self.take is None else self.skip + self.take
            yield from islice(batches, self.skip, stop)

    def schema(self) -> pa.Schema:
        """The file's Arrow schema."""
        filesystem, inner = resolve(self.path)
        with filesystem.open_input_file(inner) as handle:
            schema: pa.Schema = pq.ParquetFile(handle).schema_arrow
        return schema


def plan(path: str, *, workers: int, batch_rows: int) -> tuple[list[Part], int]:
    """The parts of dataset ``path`` (a file or a directory), and its number of rows.

    A part is about a quarter of a worker's share, between one batch and `PART_ROWS` rows:
    consecutive row groups of a file are put together up to that size, and a row group bigger
    than that is cut into runs of batches (its skipped batches are read and dropped, so row
    groups of at most `PART_ROWS` rows are the fastest input).
    """
    filesystem, inner = resolve(path)
    prefix = path.split("://", 1)[0] + "://" if "://" in path else ""
    try:
        dataset = pa_ds.dataset(inner, format="parquet", filesystem=filesystem)
        files = [
            (prefix + fragment.path, [(group.id, group.num_rows) for group in fragment.row_groups])
            for fragment in dataset.get_fragments()
        ]
    except (OSError, pa.ArrowException) as exc:
        raise InvalidInput(
            f"cannot read the Parquet input: {str(exc).splitlines()[0]}",
            path="input",
            value=path,
            code="unreadable",
        ) from exc
    total = sum(rows for _, groups in files for _, rows in groups)
    share = -(-total // (4 * max(1, workers)))
    per_part = max(1, min(-(-share // batch_rows), max(1, PART_ROWS // batch_rows)))
    part_rows = per_part * batch_rows
    parts: list[Part] = []
    for where, groups in files:
        run: list[int] = []
        rows = 0
        for group, count in groups:
            if run and rows + count > part_rows:
                parts.append(Part(where, tuple(run), rows))
                run, rows = [], 0
            if count > part_rows:
                batches = -(-count // batch_rows)
                for skip in range(0, batches, per_part):
                    size = min(count - skip * batch_rows, part_rows)
                    parts.append(Part(where, (group,), size, skip, per_part))
                continue
            run.append(group)
            rows += count
        if run:
            parts.append(Part(where, tuple(run), rows))
    return parts, total


def prepare_output(path: str) -> None:
    """Create the output directory, and remove the part files of an earlier run from it."""
    filesystem, inner = resolve(path)
    try:
        info = filesystem.get_file_info(inner)
        if info.type == pa_fs.FileType.File:
            raise InvalidInput(
                "the Dask engine writes a directory of Parquet parts; this is a file",
                path="out",
                value=path,
                code="not_a_directory",
            )
        filesystem.create_dir(inner, recursive=True)
        for entry in filesystem.get_file_info(pa_fs.FileSelector(inner)):
            name = entry.base_name
            if name.startswith("part-") and name.endswith((".parquet", ".parquet.partial")):
                filesystem.delete_file(entry.path)
    except (OSError, pa.ArrowException) as exc:
        raise InvalidInput(
            f"cannot write the output: {exc}", path="out", value=path, code="unwritable"
        ) from exc


def quote_part(
    part: Part,
    index: int,
    *,
    at: datetime | str,
    out: str,
    batch_rows: int,
    format: str,  # noqa: A002 - the column's name
) -> tuple[int, Counter[str]]:
    """Quote one part into ``out/part-<index>.parquet``: its rows and error codes."""
    filesystem, directory = resolve(out)
    target = f"{directory}/{_PART_NAME.format(index)}"
    errors: Counter[str] = Counter()
    rows = 0
    schema = output_schema(part.schema())
    with pq.ParquetWriter(f"{target}.partial", schema, filesystem=filesystem) as writer:
        for batch in part.batches(batch_rows):
            quoted = assemble(batch, quote_rows(batch, at, format=format))
            writer.write_batch(quoted)
            rows += quoted.num_rows
            errors.update(code for code in quoted.column("error_code").to_pylist() if code)
    filesystem.move(f"{target}.partial", target)
    return rows, errors


def exposure_part(
    part: Part,
    index: int,
    *,
    micros: list[int],
    batch_rows: int,
    format: str,  # noqa: A002 - the column's name
) -> Exposure:
    """The exposure of one part's rows."""
    del index
    result = Exposure(list(micros))
    for batch in part.batches(batch_rows):
        result.merge(exposure_batch(batch, micros, format=format))
    return result


@contextlib.contextmanager
def client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A `dask.distributed.Client` of the cluster at ``scheduler``, or of a local cluster.

    The local cluster has ``workers`` processes of one thread each, on 127.0.0.1, and is
    stopped when done.
    """
    distributed: Any = importlib.import_module("dask.distributed")
    if scheduler:
        try:
            connected = distributed.Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InvalidInput(
                f"cannot reach the Dask scheduler: {exc}",
                path="scheduler",
                value=scheduler,
                code="unreachable",
            ) from exc
        with connected:
            yield connected
        return
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # never :8787 (taken: a warning)
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as local,
    ):
        yield local


def run_parts(
    dask: Any, function: Callable[..., R], parts: list[Part], **options: Any
) -> Iterator[tuple[Part, R]]:
    """``function(part, index, **options)`` on the cluster for every part, as they finish."""
    distributed: Any = importlib.import_module("dask.distributed")
    futures = dask.map(function, parts, range(len(parts)), pure=False, **options)
    owner = dict(zip((future.key for future in futures), parts, strict=True))
    for future in distributed.as_completed(futures):
        yield owner[future.key], future.result()
        future.release()
