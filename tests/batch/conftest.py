"""Shared fixtures of the batch tests: generated files, the CLI in-process, result readers."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from penalty.cli import main
from tests.batch.rows import Row, generate


@dataclass
class Ran:
    """What an in-process CLI run returned and printed."""

    code: int
    out: str
    err: str


def run(*argv: str) -> Ran:
    """``penalty ARGV`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Ran(code, out.getvalue(), err.getvalue())


def results(path: Path) -> list[dict[str, Any]]:
    """The rows of a result file or directory (Parquet parts in order), as dicts."""
    if path.is_dir() or path.suffix == ".parquet":
        rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
        return rows
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [
                {key: value if value != "" else None for key, value in record.items()}
                for record in csv.DictReader(handle)
            ]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="session")
def rows() -> list[Row]:
    """2,000 generated rows (every format, about 250 bad)."""
    return generate(2000)
