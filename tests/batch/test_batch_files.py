"""``penalty batch`` on generated files of every kind: each row is what the engine says of it."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from penalty.batch._io import open_source, parquet_batches
from penalty.batch._local import fix_mmap_threshold, ordered
from tests.batch.conftest import results, run
from tests.batch.rows import (
    AT,
    Row,
    check,
    with_jsonl_garbage,
    write_csv,
    write_jsonl,
    write_parquet,
)
from tests.helpers import penalty_cli

ISO = AT.isoformat()


def test_jsonl_to_parquet_on_two_workers(rows: list[Row], tmp_path: Path) -> None:
    """JSON Lines (garbage lines, blank lines) → Parquet through 2 worker processes."""
    lines = with_jsonl_garbage(rows)
    source, out = tmp_path / "open.jsonl", tmp_path / "quoted.parquet"
    write_jsonl(lines, source)
    ran = run("batch", str(source), "--at", ISO, "--out", str(out), "--workers", "2")
    assert ran.code == 0, ran.err
    found = results(out)
    check(lines, found)
    errors = Counter(row["error_code"] for row in found if row["error_code"])
    assert f"{len(lines):,} rows" in ran.out
    assert f"{sum(errors.values()):,} errors" in ran.out
    assert "2 workers, local" in ran.out
    assert not Path(f"{out}.partial").exists()


def test_parquet_to_csv_in_small_batches(rows: list[Row], tmp_path: Path) -> None:
    """Parquet → CSV, small batches: order kept across many chunks."""
    source, out = tmp_path / "open.parquet", tmp_path / "quoted.csv"
    write_parquet(rows, source)
    ran = run(
        "batch", str(source), "--at", ISO, "--out", str(out), "--workers", "1", "--batch-size", "97"
    )
    assert ran.code == 0, ran.err
    check(rows, results(out))


def test_csv_to_jsonl_in_process(rows: list[Row], tmp_path: Path) -> None:
    """CSV (a line of the wrong width among them) → JSON Lines, one worker: no row lost."""
    source, out = tmp_path / "open.csv", tmp_path / "quoted.jsonl"
    write_csv(rows, source)
    with source.open("a", encoding="utf-8") as handle:
        handle.write("lonely,cell\n")
    ran = run("batch", str(source), "--at", ISO, "--out", str(out), "--workers", "1")
    assert ran.code == 0, ran.err
    found = results(out)
    broken = [row for row in found if row["error_code"] == "invalid_csv_row"]
    assert len(broken) == 1
    assert "2 columns instead of 5" in broken[0]["error_message"]
    check(rows, [row for row in found if row["error_code"] != "invalid_csv_row"])
    good = next(row for row in found if row["error_code"] is None)
    assert isinstance(good["booking"], dict)  # JSON Lines hold objects, not JSON text


def test_jsonl_round_trip_keeps_exact_numbers(tmp_path: Path) -> None:
    """A booking's numbers written as JSON numbers stay exact, in and out."""
    booking = '{"total": 3000000.10, "currency": "USD"}'
    policy = (
        '[{"startDate": "2021-05-12T18:00:00+07:00", "endDate": "2021-05-13T18:00:00+07:00",'
        ' "type": "PERCENT", "percent": "33.33%", "currency": "USD", "nights": "",'
        ' "amount": "", "description": ""}]'
    )
    source, out = tmp_path / "one.jsonl", tmp_path / "one.out.jsonl"
    source.write_text(
        f'{{"id": 7, "booking": {booking}, "policy": {policy}, "format": "gotadi"}}\n',
        encoding="utf-8",
    )
    ran = run("batch", str(source), "--at", "2021-05-13T00:00:00+07:00", "--out", str(out))
    assert ran.code == 0, ran.err
    line = out.read_text(encoding="utf-8")
    assert '"total": 3000000.10' in line
    record = json.loads(line)
    assert record["id"] == "7"
    assert record["fee"] == "999900.03"
    assert record["fee_minor"] == 99990003


def test_every_row_bad_exits_1(tmp_path: Path) -> None:
    """Rows were read and none could be quoted: exit 1, the output still written."""
    source, out = tmp_path / "bad.jsonl", tmp_path / "bad.parquet"
    source.write_text(
        '{"id": "A", "booking": {"total": "x", "currency": "VND"}, "policy": []}\nnope\n',
        "utf-8",
    )
    ran = run("batch", str(source), "--at", ISO, "--out", str(out))
    assert ran.code == 1
    assert "no row could be quoted" in ran.err
    assert [row["error_code"] for row in results(out)] == ["not_a_number", "not_json"]


def test_empty_input_exits_0(tmp_path: Path) -> None:
    """No open booking is a normal night: exit 0, an empty result with every column."""
    source, out = tmp_path / "none.jsonl", tmp_path / "none.parquet"
    source.write_text("", "utf-8")
    ran = run("batch", str(source), "--at", ISO, "--out", str(out))
    assert ran.code == 0, ran.err
    table = pq.read_table(out)
    assert table.num_rows == 0
    assert {"fee", "fee_minor", "error_code"} <= set(table.column_names)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda _: None, "unreadable"),
        (lambda path: path.write_bytes(b"PAR1 not really"), "unreadable"),
        (
            lambda path: pq.write_table(pa.table({"id": ["1"], "policy": ["[]"]}), path),
            "missing_column",
        ),
        (
            lambda path: pq.write_table(pa.table({"booking": [1], "policy": ["[]"]}), path),
            "wrong_column_type",
        ),
    ],
    ids=["missing-file", "not-parquet", "no-booking-column", "booking-not-text"],
)
def test_unreadable_input_exits_2(tmp_path: Path, make: object, code: str) -> None:
    """An input that cannot be read at all: exit 2, one line naming it, no output left."""
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    make(source)  # type: ignore[operator]
    ran = run("batch", str(source), "--at", ISO, "--out", str(out))
    assert ran.code == 2
    assert ran.err.count("\n") == 1
    assert ran.err.startswith("penalty: error:")
    assert not out.exists()
    assert not Path(f"{out}.partial").exists()
    del code


@pytest.mark.parametrize(
    "argv",
    [
        ["--at", "2030-06-15T09:30"],  # no offset
        ["--at", "tomorrow"],
        ["--out", "/nonexistent-dir/out.parquet", "--at", ISO],
        ["--at", ISO, "--out", "out.xlsx"],
        ["--at", ISO, "--workers", "0"],
    ],
    ids=["naive-at", "not-an-instant", "unwritable", "unknown-kind", "no-workers"],
)
def test_bad_options_exit_2(tmp_path: Path, argv: list[str]) -> None:
    """Bad options: exit 2 with one line."""
    source = tmp_path / "in.jsonl"
    source.write_text("", "utf-8")
    if "--out" not in argv:
        argv = [*argv, "--out", str(tmp_path / "out.parquet")]
    ran = run("batch", str(source), *argv)
    assert ran.code == 2, ran
    assert ran.err.count("\n") == 1


def test_without_the_extra_one_line_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the batch extra: exit 2, one line with the pip command."""
    monkeypatch.setitem(sys.modules, "penalty.batch._run", None)
    ran = run("batch", "x.jsonl", "--now", "--out", str(tmp_path / "y.parquet"))
    assert ran.code == 2
    assert ran.err == (
        "penalty: error: the batch and exposure commands need the batch extra: "
        "pip install 'penalty[batch]'\n"
    )


def test_progress_bar_shows_rate_and_errors(rows: list[Row], tmp_path: Path) -> None:
    """--progress draws the bar on stderr: rows, rows/s, errors."""
    source, out = tmp_path / "some.jsonl", tmp_path / "some.csv"
    write_jsonl(rows[:200], source)
    ran = run("batch", str(source), "--now", "--out", str(out), "--progress", "--workers", "1")
    assert ran.code == 0
    assert "rows/s" in ran.err
    assert "errors" in ran.err


def test_the_pool_keeps_a_bounded_number_of_chunks_in_flight() -> None:
    """The reader never runs more than 2 × workers chunks ahead of the writer."""
    read, ahead = [0], [0]

    def chunks() -> Iterator[int]:
        for value in range(40):
            read[0] += 1
            yield -value

    for done, value in enumerate(ordered(abs, chunks(), 2)):
        ahead[0] = max(ahead[0], read[0] - done)
        assert value == done
    assert 1 <= ahead[0] <= 2 * 2 + 1


def test_parquet_batches_span_row_groups_as_iter_batches_does(tmp_path: Path) -> None:
    """Read a row group at a time, a Parquet file still comes in batches of ``rows`` rows."""
    path = tmp_path / "groups.parquet"
    table = pa.table({"n": list(range(1000)), "s": [str(n) for n in range(1000)]})
    pq.write_table(table, path, row_group_size=128)
    for rows in (1, 97, 128, 300, 1000, 5000):
        with pq.ParquetFile(path) as file:
            expected = list(file.iter_batches(batch_size=rows))
            got = list(parquet_batches(file, rows))
        assert [batch.num_rows for batch in got] == [batch.num_rows for batch in expected]
        assert all(a.equals(b) for a, b in zip(got, expected, strict=True))
        with pq.ParquetFile(path) as file:
            some = list(parquet_batches(file, rows, row_groups=[5, 2]))
        assert pa.Table.from_batches(some).equals(
            pa.concat_tables([table.slice(640, 128), table.slice(256, 128)])
        )


def test_reading_parquet_holds_no_more_arrow_memory_as_it_goes(tmp_path: Path) -> None:
    """The reader's Arrow memory stays that of a row group however many it has read.

    One `iter_batches` over a whole file kept what it read of every row group until the end
    (about 30 MB more every few row groups here): the main process of a batch job grew with
    the input.
    """
    path = tmp_path / "wide.parquet"
    groups, group_rows = 16, 4000
    cells = [secrets.token_hex(500) for _ in range(groups * group_rows)]
    table = pa.table({"booking": cells, "policy": cells})
    pq.write_table(table, path, row_group_size=group_rows, compression="none")
    del table, cells
    source = open_source(str(path), rows=1000)
    held: list[int] = []
    for batch in source.chunks():
        assert isinstance(batch, pa.RecordBatch)
        held.append(pa.total_allocated_bytes())
    per_group = 2 * group_rows * 1000
    first = max(held[: len(held) // groups])
    assert len(held) == groups * group_rows // 1000
    assert max(held) - first < 2 * per_group, [size // 1_000_000 for size in held]


def test_console_script(rows: list[Row], tmp_path: Path) -> None:
    """The installed ``penalty`` command, in a child process."""
    source, out = tmp_path / "few.jsonl", tmp_path / "few.parquet"
    write_jsonl(rows[:100], source)
    done = penalty_cli("batch", str(source), "--at", ISO, "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "100 rows in" in done.stdout
    check(rows[:100], results(out))


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text(encoding="utf-8")
        found |= {int(child) for child in text.split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_sigterm_stops_workers_and_leaves_no_output(rows: list[Row], tmp_path: Path) -> None:
    """A job stopped with SIGTERM: exit 143, its workers gone, no result and no partial.

    Without ``--workers`` the job uses every core: 2 worker processes here.
    """
    source, out = tmp_path / "many.jsonl", tmp_path / "many.parquet"
    write_jsonl(rows * 4, source)
    script = Path(sys.executable).with_name("penalty")
    job = subprocess.Popen(
        [str(script), "batch", str(source), "--now", "--out", str(out), "--batch-size", "100"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    partial = Path(f"{out}.partial")
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while time.monotonic() < deadline and job.poll() is None:
        workers = _children(job.pid)
        if len(workers) >= 2 and partial.exists():
            break
        time.sleep(0.1)
    assert job.poll() is None, "the job ended before it could be stopped"
    job.send_signal(signal.SIGTERM)
    _, err = job.communicate(timeout=60)
    assert job.returncode == 143, err
    assert not out.exists()
    assert not partial.exists()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def test_the_heap_threshold_is_fixed_on_glibc_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """On glibc the mmap threshold is fixed (the main process stays flat); elsewhere, nothing."""
    glibc = bool(_libc())
    assert fix_mmap_threshold() is glibc

    def no_such_name(name: str) -> str:
        raise ValueError(name)

    monkeypatch.setattr("os.confstr", no_such_name)
    assert fix_mmap_threshold() is False


def test_the_command_fixes_its_own_heap(
    rows: list[Row], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``penalty batch`` makes the setting for its process; `run_batch` alone leaves it."""
    calls: list[bool] = []
    monkeypatch.setattr("penalty.batch._run.fix_mmap_threshold", lambda: calls.append(True))
    source = tmp_path / "in.jsonl"
    write_jsonl(rows[:5], source)
    out = tmp_path / "out.jsonl"
    assert run("batch", str(source), "--at", ISO, "--out", str(out), "--workers", "1").code == 0
    assert calls == [True]


def _libc() -> str:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):
        return ""
