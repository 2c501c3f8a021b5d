"""Every format's published examples: the fee just before, at and just after each boundary."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from penalty import Booking
from penalty import formats as pf
from tests.helpers import FIXTURES

FORMATS = FIXTURES / "formats"


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def _scenarios() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for folder in sorted(p for p in FORMATS.iterdir() if p.is_dir()):
        found += [(folder.name, case) for case in _read(folder / "cases.json")]
    return found


SCENARIOS = _scenarios()
QUOTES = [(name, case, quote) for name, case in SCENARIOS for quote in case["quotes"]]


@pytest.mark.parametrize(
    ("name", "case", "quote"),
    QUOTES,
    ids=[f"{name}-{case['id']}-{quote['at']}" for name, case, quote in QUOTES],
)
def test_fee_around_every_boundary(name: str, case: dict[str, Any], quote: dict[str, str]) -> None:
    """The published payload quotes the expected fee and phase at each probe instant."""
    payload = _read(FORMATS / name / case["payload"])
    policy = pf.parse(payload, format=name, zone=case.get("zone"))
    got = policy.quote(Booking.model_validate(case["booking"]), quote["at"])
    assert (got.fee, got.phase) == (Decimal(quote["fee"]), quote["phase"])


@pytest.mark.parametrize(
    ("name", "case"), SCENARIOS, ids=[f"{name}-{case['id']}" for name, case in SCENARIOS]
)
def test_fixture_is_detected_and_schedule_agrees(name: str, case: dict[str, Any]) -> None:
    """`detect` names the fixture's format; the schedule holds each probe's fee; warnings."""
    payload = _read(FORMATS / name / case["payload"])
    assert pf.detect(payload) == name
    policy = pf.parse(payload, format="auto", zone=case.get("zone"))
    timeline = policy.timeline(Booking.model_validate(case["booking"]))
    for quote in case["quotes"]:
        at = datetime.fromisoformat(quote["at"])
        holder = next(s for s in timeline.segments if s.end is None or at < s.end)
        assert holder.fee == timeline.quote(at).fee == Decimal(quote["fee"])
    assert [w.code for w in timeline.warnings] == case.get("warnings", [])
