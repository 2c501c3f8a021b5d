"""Every worked example of SEMANTICS.md, through the Python API and through `penalty quote`."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from penalty import Booking, Policy
from tests.helpers import GOTADI, gotadi_window, load, penalty_cli

TABLE = load(GOTADI / "semantics_examples.json")
BOOKING = load(GOTADI / TABLE["booking"])
ROWS = TABLE["rows"]
IDS = [f"{row['policy'].removesuffix('.json')}@{row['at']}" for row in ROWS]

WINDOW = ("2021-05-12T18:00:00.000+07:00", "2021-05-13T18:00:00.000+07:00")
INSIDE = "2021-05-12T20:00:00+07:00"
NO_RATES = {
    "total": "3000000",
    "currency": "VND",
    "check_in": "2021-05-13",
    "check_out": "2021-05-16",
    "timezone": "Asia/Ho_Chi_Minh",
}
# "More, against the same booking" (SEMANTICS.md, after the table).
MORE = [
    pytest.param(
        gotadi_window(*WINDOW, "NIGHTS", nights="1.5"),
        BOOKING,
        "1600000",
        "1600000.00",
        id="nights-1.5-is-night-1-plus-half-night-2",
    ),
    pytest.param(
        gotadi_window(*WINDOW, "NIGHTS", nights="5"),
        BOOKING,
        "3000000",
        "3000000.00",
        id="nights-beyond-the-stay-charge-the-stay",
    ),
    pytest.param(
        gotadi_window(*WINDOW, "NIGHTS", nights="1"),
        NO_RATES,
        "1000000",
        "1000000.00",
        id="nights-without-rates-are-total-over-nights",
    ),
    pytest.param(
        gotadi_window(*WINDOW, "PERCENT", percent="70%"),
        {"total": "1234567", "currency": "VND"},
        "864197",
        "864197.00",
        id="percent-rounds-half-up-to-vnd",
    ),
    pytest.param(
        gotadi_window(*WINDOW, "PERCENT", percent="33.333%", currency="USD"),
        {"total": "100.00", "currency": "USD"},
        "33.33",
        "33.33",
        id="percent-rounds-to-usd-cents",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_seed_example_through_the_api(row: dict[str, str]) -> None:
    """SEMANTICS worked-example table: fee, Gotadi amount and phase via `Policy.quote`."""
    policy = Policy.from_gotadi(load(GOTADI / row["policy"]))
    quote = policy.quote(Booking.model_validate(BOOKING), row["at"])
    assert quote.fee == Decimal(row["fee"])
    assert str(quote.fee) == row["fee"]
    assert quote.gotadi_amount == row["gotadi_amount"]
    assert quote.phase == row["phase"]
    assert quote.currency == "VND"


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_seed_example_through_the_cli(row: dict[str, str]) -> None:
    """SEMANTICS worked-example table via `penalty quote --json` (the console script)."""
    result = penalty_cli(
        "quote",
        str(GOTADI / row["policy"]),
        "--booking",
        str(GOTADI / TABLE["booking"]),
        "--at",
        row["at"],
        "--json",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["fee"] == row["fee"]
    assert out["gotadi_amount"] == row["gotadi_amount"]
    assert out["currency"] == "VND"
    assert out["phase"] == row["phase"]
    assert out["warnings"] == []


@pytest.mark.parametrize(("window", "booking", "fee", "wire"), MORE)
def test_more_examples_through_the_api(
    window: dict[str, str], booking: dict[str, str], fee: str, wire: str
) -> None:
    """SEMANTICS 'More' examples: fractional and excess nights, default nights, rounding."""
    quote = Policy.from_gotadi([window]).quote(Booking.model_validate(booking), INSIDE)
    assert str(quote.fee) == fee
    assert quote.gotadi_amount == wire


@pytest.mark.parametrize(("window", "booking", "fee", "wire"), MORE)
def test_more_examples_through_the_cli(
    window: dict[str, str], booking: dict[str, str], fee: str, wire: str, tmp_path: object
) -> None:
    """SEMANTICS 'More' examples via `penalty quote --json`, policy on standard input."""
    booking_file = tmp_path / "booking.json"  # type: ignore[operator]
    booking_file.write_text(json.dumps(booking))
    result = penalty_cli(
        "quote",
        "-",
        "--booking",
        str(booking_file),
        "--at",
        INSIDE,
        "--json",
        stdin=json.dumps([window]),
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["fee"], out["gotadi_amount"]) == (fee, wire)


def test_live_api_example_reads_local_dates_in_the_booking_zone() -> None:
    """PROTOCOLS A.5 response (dd/MM/yyyy dates): read in the booking's zone, with a warning."""
    policy = Policy.from_gotadi(load(GOTADI / "live_response.json"))
    booking = Booking.model_validate(load(GOTADI / "booking_live.json"))
    before = policy.quote(booking, "2021-08-26T10:59:59+07:00")
    inside = policy.quote(booking, "2021-08-26T04:00:00Z")
    after = policy.quote(booking, "2021-08-27T11:00:00+07:00")
    assert (before.fee, inside.fee, after.fee) == (Decimal(0), Decimal(1100000), Decimal(2400000))
    assert [w.code for w in inside.warnings] == ["assumed_zone"]
    assert "Asia/Ho_Chi_Minh" in inside.warnings[0].message
    assert inside.warnings[0].path == "result.cancelPenalties[0].startDate"


def test_live_api_example_without_booking_zone_assumes_gotadi_zone() -> None:
    """SEMANTICS 'Dates without an offset': no booking zone means Asia/Ho_Chi_Minh, said so."""
    policy = Policy.from_gotadi(load(GOTADI / "live_response.json"))
    booking = Booking.model_validate(
        {"total": "2000000", "currency": "VND", "check_in": "2021-08-26", "check_out": "2021-08-28"}
    )
    quote = policy.quote(booking, "2021-08-26T04:00:00Z")
    assert quote.fee == 1000000
    assert "policy's default" in quote.warnings[0].message
