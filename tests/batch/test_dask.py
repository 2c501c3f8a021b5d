"""The Dask engine on a real `LocalCluster` of 2 worker processes, started and stopped here."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from penalty.batch._dask import plan
from tests.batch.conftest import results, run
from tests.batch.rows import AT, Row, check, write_parquet

ISO = AT.isoformat()


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A local cluster: 2 worker processes of 1 thread, on 127.0.0.1 (HTTP on a free port)."""
    distributed: Any = importlib.import_module("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # never :8787 (taken: a warning)
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_quotes_every_row_like_the_engine(
    scheduler: str, rows: list[Row], tmp_path: Path
) -> None:
    """Parquet → partitioned Parquet on the cluster: every row, in order, as the engine says."""
    source, out = tmp_path / "open.parquet", tmp_path / "quoted"
    write_parquet(rows, source, row_group=128)
    (out).mkdir()
    (out / "part-00999.parquet").write_text("left by an earlier run", encoding="utf-8")
    (out / "keep.txt").write_text("not ours", encoding="utf-8")
    ran = run(
        "batch",
        str(source),
        "--at",
        ISO,
        "--out",
        str(out),
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
        "--batch-size",
        "100",
    )
    assert ran.code == 0, ran.err
    assert "2 workers, dask" in ran.out
    parts = sorted(path.name for path in out.glob("part-*.parquet"))
    assert len(parts) > 2
    assert "part-00999.parquet" not in parts
    assert (out / "keep.txt").exists()
    check(rows, [row for part in parts for row in results(out / part)])


def test_dask_exposure_equals_the_local_one(rows: list[Row], tmp_path: Path) -> None:
    """The same exposure from Dask (a local cluster of 2 processes that the command starts
    and stops itself: no ``--scheduler``) and from local processes."""
    source = tmp_path / "open.parquet"
    write_parquet(rows[:600], source, row_group=100)
    options = ["--from", "2030-06-12T00:00:00+07:00", "--for", "6d", "--step", "12h"]
    on_dask, local = tmp_path / "dask.json", tmp_path / "local.json"
    ran = run(
        "exposure", str(source), *options, "--out", str(on_dask), "--engine", "dask",
        "--workers", "2",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "2 workers, dask" in ran.out
    assert run("exposure", str(source), *options, "--out", str(local), "--workers", "1").code == 0
    assert json.loads(on_dask.read_text("utf-8")) == json.loads(local.read_text("utf-8"))


def test_a_big_row_group_is_cut_into_parts(rows: list[Row], tmp_path: Path) -> None:
    """One row group of 2,000 rows still spreads over the workers, without overlap or gap."""
    source = tmp_path / "one-group.parquet"
    write_parquet(rows, source, row_group=len(rows))
    assert pq.ParquetFile(source).num_row_groups == 1
    parts, total = plan(str(source), workers=2, batch_rows=100)
    assert total == len(rows)
    assert len(parts) >= 4
    assert sum(part.rows for part in parts) == len(rows)
    read = [batch for part in parts for batch in part.batches(100)]
    assert sum(batch.num_rows for batch in read) == len(rows)
    assert [row for batch in read for row in batch.column("id").to_pylist()] == [
        row.id for row in rows
    ]


def test_dask_needs_parquet(tmp_path: Path) -> None:
    """The Dask engine reads Parquet: another input is refused before anything starts."""
    source = tmp_path / "open.jsonl"
    source.write_text("", encoding="utf-8")
    ran = run("batch", str(source), "--now", "--out", str(tmp_path / "o"), "--engine", "dask")
    assert ran.code == 2
    assert ran.err.count("\n") == 1
