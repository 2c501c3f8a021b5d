"""Exposure: per currency and step, the sum of every row's own fee; and its chart."""

from __future__ import annotations

import csv
import itertools
import json
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import penalty
from penalty import strategies as ps
from penalty.batch._chart import compact, render
from penalty.batch._exposure import Exposure, exposure_batch, moment, steps
from tests.batch.conftest import run
from tests.batch.rows import AT, Row, write_jsonl, write_parquet
from tests.batch.test_quote_batch import _batch, table_rows

START = AT - timedelta(days=3)
SVG = "{http://www.w3.org/2000/svg}"


def by_hand(
    rows: list[Row], micros: list[int]
) -> tuple[dict[str, list[Decimal]], dict[str, list[int]], Counter[str]]:
    """Per currency: the sum of each row's fee at each step, and the rows with fee 0; errors."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(micros))
    free: dict[str, list[int]] = defaultdict(lambda: [0] * len(micros))
    errors: Counter[str] = Counter()
    for row in rows:
        try:
            policy = penalty.parse(row.policy or "", format=row.format or "auto", zone=row.zone)
            timeline = policy.timeline(penalty.Booking.model_validate_json(row.booking or ""))
        except penalty.PenaltyError as exc:
            errors[exc.code] += 1
            continue
        for index, step in enumerate(micros):
            at = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=step)
            fee = timeline.quote(at).fee
            totals[timeline.currency][index] += fee
            free[timeline.currency][index] += fee == 0
    return dict(totals), dict(free), errors


@settings(max_examples=20)
@given(
    st.lists(table_rows(), min_size=1, max_size=8),
    ps.instants(),
    st.integers(1, 9),
    st.sampled_from(("30m", "6h", "1d")),
    st.integers(0, 8),
)
def test_exposure_is_the_sum_of_the_rows_fees(
    rows: list[Row], first: datetime, count: int, step: str, cut: int
) -> None:
    """At every step, per currency: total = Σ fees, free = #(fee = 0); any split sums alike."""
    last = first + {
        "30m": timedelta(minutes=30),
        "6h": timedelta(hours=6),
        "1d": timedelta(days=1),
    }[step] * (count - 1)
    micros, _ = steps(first.isoformat(), last.isoformat(), step)
    assert len(micros) == count
    whole = exposure_batch(_batch(rows), micros)
    totals, free, errors = by_hand(rows, micros)
    assert {code: sums.totals for code, sums in whole.currencies.items()} == totals
    assert {code: sums.free for code, sums in whole.currencies.items()} == free
    assert sum(whole.errors.values()) == sum(errors.values())
    assert whole.rows == len(rows)
    parts = Exposure(micros).merge(exposure_batch(_batch(rows[:cut]), micros))
    parts.merge(exposure_batch(_batch(rows[cut:]), micros))
    assert parts.to_json(UTC) == whole.to_json(UTC)


def test_cli_writes_csv_json_and_a_chart(rows: list[Row], tmp_path: Path) -> None:
    """`penalty exposure`: the CSV, the JSON and the SVG agree with the rows' own fees."""
    rows = rows[:400]
    source = tmp_path / "open.jsonl"
    write_jsonl(rows, source)
    first = START.astimezone(penalty.instants.offset_zone(7 * 3600)).isoformat()
    args = ["exposure", str(source), "--from", first, "--for", "6d", "--step", "1d"]
    table, document, chart = tmp_path / "x.csv", tmp_path / "x.json", tmp_path / "x.svg"
    ran = run(*args, "--out", str(table), "--chart", str(chart), "--workers", "2")
    assert ran.code == 0, ran.err
    assert run(*args, "--out", str(document), "--workers", "1").code == 0
    micros, zone = steps(first, (START + timedelta(days=6)).isoformat(), "1d")
    totals, free, _ = by_hand(rows, micros)
    data = json.loads(document.read_text(encoding="utf-8"))
    assert data["steps"] == [moment(step, zone).isoformat() for step in micros]
    assert data["steps"][0] == first
    assert {
        code: [Decimal(t) for t in sums["fee_total"]] for code, sums in data["currencies"].items()
    } == totals
    assert {code: sums["free"] for code, sums in data["currencies"].items()} == free
    with table.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == len(micros) * len(totals)
    for record in records:
        index = data["steps"].index(record["at"])
        assert Decimal(record["fee_total"]) == totals[record["currency"]][index]
        assert int(record["free"]) == free[record["currency"]][index]
    svg = ET.parse(chart).getroot()
    panels = svg.findall(f"{SVG}g[@class='currency']")
    assert [panel.get("data-currency") for panel in panels] == sorted(totals)
    for panel in panels:
        code = panel.get("data-currency") or ""
        assert panel.get("data-fee-total") == " ".join(data["currencies"][code]["fee_total"])
    assert "peak" in ran.out
    assert f"written to {chart}" in ran.out


def _labels(svg: ET.Element) -> list[tuple[float, float, str]]:
    return [
        (float(text.get("x", 0)), float(text.get("y", 0)), text.text or "")
        for text in svg.iter(f"{SVG}text")
    ]


@pytest.mark.parametrize("span", [timedelta(hours=5), timedelta(days=2), timedelta(days=40)])
def test_chart_labels_do_not_overlap(span: timedelta) -> None:
    """Whatever the range, the time labels of a panel keep their distance."""
    first = datetime(2030, 6, 1, tzinfo=UTC)
    step = "1h" if span < timedelta(days=3) else "1d"
    micros, zone = steps(first.isoformat(), (first + span).isoformat(), step)
    exposure = exposure_batch(
        _batch([Row("a", '{"total": "1234567", "currency": "VND"}', "[]", "gotadi", None)]),
        micros,
    )
    svg = ET.fromstring(render(exposure, zone))
    by_row: dict[float, list[tuple[float, str]]] = defaultdict(list)
    for x, y, text in _labels(svg):
        by_row[y].append((x, text))
    for labels in by_row.values():
        labels.sort()
        for (x0, a), (x1, b) in itertools.pairwise(labels):
            assert x1 - x0 >= 0.31 * 13 * (len(a) + len(b)), (a, b)


def test_chart_of_nothing_says_so() -> None:
    """No currency at all (every row bad): the chart says so instead of drawing empty axes."""
    micros, zone = steps("2030-06-01T00:00:00Z", "2030-06-02T00:00:00Z", "1h")
    svg = render(Exposure(micros), zone)
    assert "No booking could be quoted." in svg


def test_compact_amounts() -> None:
    """Axis labels: three significant digits at most, exact below a thousand."""
    assert [compact(Decimal(v)) for v in ("0", "980", "1250", "2928236057", "12.5")] == [
        "0",
        "980",
        "1.25K",
        "2.93B",
        "12.5",
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["--from", "2030-06-01T00:00:00Z", "--to", "2030-05-01T00:00:00Z"],
        ["--from", "2030-06-01T00:00:00", "--to", "2030-06-02T00:00:00Z"],
        ["--from", "2030-06-01T00:00:00Z", "--for", "400d", "--step", "1m"],
        ["--from", "2030-06-01T00:00:00Z", "--for", "1d", "--step", "an hour"],
        ["--now", "--for", "1d", "--out", "exposure.xlsx"],
    ],
    ids=["backwards", "naive", "too-many-steps", "bad-step", "bad-out"],
)
def test_bad_exposure_options_exit_2(tmp_path: Path, argv: list[str]) -> None:
    """Bad ranges and steps: exit 2 with one line."""
    source = tmp_path / "in.parquet"
    write_parquet([], source)
    ran = run("exposure", str(source), *argv)
    assert ran.code == 2, ran
    assert ran.err.count("\n") == 1


def test_exposure_of_parquet_without_rows(tmp_path: Path) -> None:
    """An empty file: exit 0, every step present with no currency."""
    source = tmp_path / "in.parquet"
    write_parquet([], source)
    ran = run("exposure", str(source), "--now", "--for", "2h", "--out", str(tmp_path / "e.json"))
    assert ran.code == 0, ran.err
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert len(data["steps"]) == 3
    assert data["currencies"] == {}
