"""Every selection vector the UCP lodging draft publishes, through ``penalty quote --format ucp``.

``fixtures/formats/ucp/selection_vectors.json`` is the draft's own file (see SOURCE.md). Each
vector names a schedule, an instant and the draft's expected result: the outcome selected (a
JSON Pointer into a policy holding the schedule), or why evaluation is unavailable. Here the
schedule is given to the CLI inside such a policy, quoted at the vector's instant against one
booking, and:

- a selected outcome is the window that decides the quote (its provider path is the pointer),
  and the fee is that outcome's money against the booking (refund basis points of the total, a
  fixed fee in minor units, or the first nights);
- ``invalid_schedule`` is an `InvalidPolicy` naming the schedule, ``invalid_instant`` an
  `InvalidInstant` naming ``at``, ``unsupported_kind`` and ``schedule_absent`` their codes: each
  exit 2 with one line on stderr, never a fee.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from penalty import Booking, InvalidInstant, InvalidPolicy
from penalty import formats as pf
from penalty.cli import main
from tests.helpers import FIXTURES

VECTORS = json.loads(
    (FIXTURES / "formats" / "ucp" / "selection_vectors.json").read_text(encoding="utf-8"),
    parse_float=Decimal,
)
#: The booking every vector is quoted against: two nights, 120.00 then 180.00 USD, no zone
#: (the draft infers none: an instant without an offset is refused).
BOOKING = {
    "total": "300.00",
    "currency": "USD",
    "check_in": "2026-12-22",
    "check_out": "2026-12-24",
    "nightly_rates": ["120.00", "180.00"],
}
NIGHTS = [Decimal("120.00"), Decimal("180.00")]
TOTAL = Decimal("300.00")


def _payload(case: dict[str, Any]) -> dict[str, Any]:
    """A cancellation policy item holding the vector's schedule (pointers are relative to it)."""
    item: dict[str, Any] = {
        "type": "dev.ucp.lodging.policy.cancellation",
        "description": {"plain": "Terms of the vector."},
        "refundability": "refundable",
    }
    if case["schedule"] is not None:
        item["schedule"] = VECTORS["schedules"][case["schedule"]]["value"]
    return item


def _money(outcome: dict[str, Any]) -> Decimal:
    """The fee an outcome stands for against `BOOKING` (the mapping the format documents)."""
    if outcome["kind"] == "percentage":
        return TOTAL * (10_000 - int(outcome["buyer_bps"])) / 10_000
    if outcome["kind"] == "fixed_fee":
        return Decimal(outcome["penalty"]["amount"]) / 100
    return sum(NIGHTS[: outcome["penalty"]["measure"]["value"]], Decimal(0))


def _pointed(case: dict[str, Any]) -> dict[str, Any]:
    """The outcome the vector's pointer selects."""
    node: Any = {"schedule": VECTORS["schedules"][case["schedule"]]["value"]}
    for part in case["expected"]["pointer"].split("/")[1:]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    return dict(node)


def _path(pointer: str) -> str:
    """``/schedule/tiers/0/outcome`` → ``schedule.tiers[0].outcome`` (penalty's paths)."""
    parts = pointer.split("/")[1:]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _run(tmp_path: Path, case: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> Any:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(_payload(case)), encoding="utf-8")
    booking = tmp_path / "booking.json"
    booking.write_text(json.dumps(BOOKING), encoding="utf-8")
    args = ["quote", str(policy), "--format", "ucp", "--booking", str(booking)]
    code = main([*args, "--at", case["at"], "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def _library(case: dict[str, Any]) -> Any:
    """The same quote through the library (where the error's path and code are read)."""
    policy = pf.parse(_payload(case), format="ucp")
    return policy, policy.timeline(Booking.model_validate(BOOKING)).quote(case["at"])


CASES = VECTORS["cases"]


def test_every_published_vector_is_here() -> None:
    """The draft's file as published: 23 schedules, 44 vectors, ids unique."""
    assert len(VECTORS["schedules"]) == 23
    assert len(CASES) == 44
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_vector_through_the_cli(
    tmp_path: Path, case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """``penalty quote --format ucp`` selects what the draft selects, or refuses as it says."""
    expected = case["expected"]
    code, out, err = _run(tmp_path, case, capsys)
    if expected["status"] == "selected":
        assert code == 0, err
        quote = json.loads(out)
        assert Decimal(quote["fee"]) == _money(_pointed(case))
        policy, _ = _library(case)
        assert policy.source.path(quote["window"]) == _path(expected["pointer"])
        return
    assert code == 2
    assert err.startswith("penalty: error: ")
    assert len(err.splitlines()) == 1
    reason = expected["reason"]
    with pytest.raises((InvalidPolicy, InvalidInstant)) as caught:
        _library(case)
    error = caught.value
    if reason == "invalid_instant":
        assert isinstance(error, InvalidInstant)
        assert error.path == "at"
    elif reason == "invalid_schedule":
        assert isinstance(error, InvalidPolicy)
        assert error.path is not None
        assert error.path.startswith("schedule.")
    elif reason == "unsupported_kind":
        assert error.code == "unsupported_kind"
        assert error.path == f"{_path(expected['pointer'])}.kind"
    else:
        assert error.code == reason == "schedule_absent"


def test_a_null_schedule_is_absent_too() -> None:
    """``"schedule": null`` reads as no schedule: unavailable, never non-refundable."""
    with pytest.raises(InvalidPolicy) as caught:
        pf.parse({"type": "dev.ucp.lodging.policy.cancellation", "schedule": None}, format="ucp")
    assert caught.value.code == "schedule_absent"


def test_sub_microsecond_cutoff_is_exact() -> None:
    """The fractional anchor's cutoff, 14:59:59.000000002Z, is kept to the nanosecond."""
    payload = {"schedule": VECTORS["schedules"]["fractional_anchor"]["value"]}
    timeline = pf.parse(payload, format="ucp").timeline(Booking.model_validate(BOOKING))
    fees = [timeline.fee(f"2026-12-22T14:59:59.00000000{digit}+00:00") for digit in range(1, 4)]
    assert fees == [Decimal("0.00"), TOTAL, TOTAL]


def test_schedule_is_the_schedule_object_itself_or_held() -> None:
    """A bare schedule and a policy item holding it read as the same windows."""
    schedule = VECTORS["schedules"]["three_intervals"]["value"]
    bare = pf.parse(schedule, format="auto")
    held = pf.parse({"schedule": schedule}, format="auto")
    assert bare.windows == held.windows
    assert bare.source.path(0) == "tiers[0].outcome"
    assert held.source.path(2) == "schedule.after_last_tier"


def test_facts_that_depend_on_an_unknown_kind_are_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before an unknown after-last outcome: the quote and its refundability, no free_until
    nor next_change (they would depend on it), and a warning saying so."""
    case = next(case for case in CASES if case["id"] == "unknown_after_unselected")
    code, out, err = _run(tmp_path, case, capsys)
    assert code == 0
    shown = json.loads(out)
    assert (shown["fee"], shown["refundability"]) == ("0.00", "full")
    assert "free_until" not in shown
    assert "next_change" not in shown
    assert err.startswith("warning: schedule.after_last_tier.kind: free until and the next")
