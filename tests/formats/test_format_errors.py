"""Malformed provider payloads: one `InvalidPolicy` naming the provider field, no pydantic error."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from penalty import Booking, InvalidPolicy
from penalty import formats as pf

ERRORS: list[tuple[str, str, Any, str, str]] = [
    # Each case: id, format, payload, path, code.
    (
        "rapid-percent",
        "expedia-rapid",
        {
            "cancel_penalties": [
                {
                    "start": "2024-06-01T18:00:00-04:00",
                    "end": "2024-06-02T18:00:00-04:00",
                    "percent": "130%",
                }
            ]
        },
        "cancel_penalties[0].percent",
        "percent_out_of_range",
    ),
    (
        "rapid-range",
        "expedia-rapid",
        {
            "cancel_penalties": [],
            "nonrefundable_date_ranges": [{"start": "2024-06-03", "end": "2024-06-02"}],
        },
        "nonrefundable_date_ranges[0].end",
        "end_before_start",
    ),
    (
        "rapid-start",
        "expedia-rapid",
        [{"start": "yesterday", "end": "2024-06-02T18:00:00-04:00", "amount": "10.00"}],
        "cancel_penalties[0].start",
        "invalid_datetime",
    ),
    (
        "xap-price",
        "expedia-xap",
        {
            "cancellationPenaltyRules": [
                {
                    "penaltyPrice": {"value": "ten"},
                    "penaltyStartDateTime": "2024-06-01T18:00:00-04:00",
                }
            ]
        },
        "CancellationPenaltyRules[0].PenaltyPrice.Value",
        "not_a_number",
    ),
    (
        "xap-nonrefundable-ranges",
        "expedia-xap",
        {
            "CancellationPolicy": {
                "NonRefundableDateRanges": [{"StartDate": "2024-06-04"}],
                "CancellationPenaltyRules": [],
            }
        },
        "CancellationPolicy.NonRefundableDateRanges",
        "unsupported",
    ),
    (
        "duffel-float",
        "duffel",
        [{"refund_amount": 799.0, "currency": "GBP", "before": "2023-05-23T13:00:00Z"}],
        "cancellation_timeline[0].refund_amount",
        "float_not_allowed",
    ),
    (
        "duffel-currency",
        "duffel",
        [{"refund_amount": "1", "currency": "gbp", "before": "2023-05-23T13:00:00Z"}],
        "cancellation_timeline[0].currency",
        "invalid_currency",
    ),
    (
        "hotelbeds-missing-from",
        "hotelbeds",
        [{"amount": "10.00"}],
        "cancellationPolicies[0].from",
        "missing",
    ),
    (
        "hotelbeds-mixed-offsets",
        "hotelbeds",
        [
            {"amount": "1", "from": "2024-12-20T23:59:00+01:00"},
            {"amount": "2", "from": "2024-12-21T23:59:00"},
            {"amount": "3", "from": "2024-12-22T23:59:00+01:00"},
        ],
        "cancellationPolicies[1].from",
        "mixed_offsets",
    ),
    (
        "ratehawk-zone-required",
        "ratehawk",
        {"policies": []},
        "zone",
        "zone_required",
    ),
    (
        "liteapi-type",
        "liteapi",
        [{"cancelTime": "2024-11-11 08:00:00", "amount": 1, "type": "percent", "timezone": "GMT"}],
        "cancelPolicyInfos[0].type",
        "unknown_type",
    ),
    (
        "liteapi-timezone",
        "liteapi",
        [
            {
                "cancelTime": "2024-11-11 08:00:00",
                "amount": 1,
                "type": "amount",
                "timezone": "Mars/Olympus",
            }
        ],
        "cancelPolicyInfos[0].timezone",
        "unknown_timezone",
    ),
    (
        "innstant-partial-without-cost",
        "innstant",
        {
            "cancellation": {
                "frames": [{"endTime": "2017-09-14 00:00:00", "timezone": "UTC", "type": "partial"}]
            }
        },
        "cancellation.frames[0].cost.amount",
        "missing",
    ),
    (
        "innstant-type",
        "innstant",
        [{"endTime": "2017-09-14 00:00:00", "timezone": "UTC", "type": "free"}],
        "frames[0].type",
        "unknown_type",
    ),
    (
        "innstant-cost-shape",
        "innstant",
        [{"endTime": "2017-09-14 00:00:00", "type": "partial", "cost": "1117"}],
        "frames[0].cost",
        "model_type",
    ),
    (
        "ucp-tiers-order",
        "ucp",
        {
            "anchor": "2026-12-22T15:00:00Z",
            "tiers": [
                {"until": "PT1H", "outcome": {"kind": "percentage", "buyer_bps": 10000}},
                {"until": "PT2H", "outcome": {"kind": "percentage", "buyer_bps": 0}},
            ],
            "after_last_tier": {"kind": "percentage", "buyer_bps": 0},
        },
        "tiers[1].until",
        "tiers_out_of_order",
    ),
    (
        "ucp-anchor-without-offset",
        "ucp",
        {
            "schedule": {
                "anchor": "2026-12-22T15:00:00",
                "tiers": [{"until": "PT1H", "outcome": {"kind": "percentage", "buyer_bps": 0}}],
                "after_last_tier": {"kind": "percentage", "buyer_bps": 0},
            }
        },
        "schedule.anchor",
        "invalid_datetime",
    ),
    (
        "ucp-fixed-fee-without-amount",
        "ucp",
        {
            "anchor": "2026-12-22T15:00:00Z",
            "tiers": [{"until": "PT1H", "outcome": {"kind": "fixed_fee", "penalty": {}}}],
            "after_last_tier": {"kind": "percentage", "buyer_bps": 0},
        },
        "tiers[0].outcome.penalty.amount",
        "missing",
    ),
    (
        "ucp-week-duration",
        "ucp",
        {
            "anchor": "2026-12-22T15:00:00Z",
            "tiers": [{"until": "P1W", "outcome": {"kind": "percentage", "buyer_bps": 0}}],
            "after_last_tier": {"kind": "percentage", "buyer_bps": 0},
        },
        "tiers[0].until",
        "invalid_duration",
    ),
    ("ucp-no-schedule", "ucp", {"refundability": "refundable"}, "schedule", "schedule_absent"),
    ("derbysoft-grammar", "derbysoft", "AD0_1X50P_100P", "code", "invalid_code"),
    ("derbysoft-two-cutoffs", "derbysoft", "6PM1D50P_4PM0D80P_100P", "code[1]", "two_cutoffs"),
    ("derbysoft-same-day", "derbysoft", {"code": "1D50P_1D80P_100P"}, "code[1]", "duplicate_day"),
    ("derbysoft-percent", "derbysoft", "1D150P_100P", "code[0]", "percent_out_of_range"),
    (
        "derbysoft-rate-currency",
        "derbysoft",
        {"currency": "usd", "cancelPolicy": {"code": "100P"}},
        "currency",
        "invalid_currency",
    ),
    (
        "travelgatex-hours",
        "travelgatex",
        [{"hoursBefore": -1, "penaltyType": "PERCENT", "currency": "EUR", "value": 100}],
        "cancelPenalties[0].hoursBefore",
        "invalid_hours",
    ),
    (
        "travelgatex-type",
        "travelgatex",
        {
            "cancelPolicy": {
                "cancelPenalties": [{"hoursBefore": 1, "penaltyType": "FEE", "value": 1}]
            }
        },
        "cancelPolicy.cancelPenalties[0].penaltyType",
        "unknown_type",
    ),
    (
        "travelgatex-import-currency",
        "travelgatex",
        [{"hoursBefore": 24, "penaltyType": "IMPORT", "value": 10}],
        "cancelPenalties[0].currency",
        "missing",
    ),
    (
        "travelgatex-float",
        "travelgatex",
        [{"hoursBefore": 24, "penaltyType": "PERCENT", "currency": "EUR", "value": 50.0}],
        "cancelPenalties[0].value",
        "float_not_allowed",
    ),
    (
        "travelgatex-refundable",
        "travelgatex",
        {"refundable": "yes", "cancelPenalties": []},
        "refundable",
        "wrong_type",
    ),
    ("unknown-format", "booking-com", [], "format", "unknown_format"),
    ("auto-empty-list", "auto", [], "format", "undetectable_format"),
    ("zone-not-used", "duffel", [], "zone", "zone_not_used"),
]


@pytest.mark.parametrize(
    ("format_name", "payload", "path", "code"),
    [row[1:] for row in ERRORS],
    ids=[row[0] for row in ERRORS],
)
def test_bad_field_is_named(format_name: str, payload: Any, path: str, code: str) -> None:
    """The error is an `InvalidPolicy` with the provider's path and a stable code."""
    zone = "UTC" if code == "zone_not_used" else None
    with pytest.raises(InvalidPolicy) as caught:
        pf.parse(payload, format=format_name, zone=zone)
    assert (caught.value.path, caught.value.code) == (path, code)


def test_float_error_says_how_to_read_json() -> None:
    """A JSON float is refused with the fix in the message: parse_float=Decimal."""
    with pytest.raises(InvalidPolicy, match="parse_float=Decimal"):
        pf.parse([{"from": "2024-12-20T23:59:00+01:00", "amount": 58.4}], format="hotelbeds")


def test_compile_time_errors_use_provider_names() -> None:
    """A currency mismatch found when compiling names the provider's field."""
    policy = pf.parse(
        [{"refund_amount": "1.00", "currency": "EUR", "before": "2023-05-23T13:00:00Z"}],
        format="duffel",
    )
    with pytest.raises(InvalidPolicy) as caught:
        policy.timeline(Booking(total=Decimal(10), currency="GBP"))
    assert caught.value.path == "cancellation_timeline[0].currency"


def test_naive_hotel_time_is_read_in_the_booking_zone() -> None:
    """A Hotelbeds `from` without an offset is destination time: the booking's zone, warned."""
    policy = pf.parse([{"amount": "1.00", "from": "2024-12-20T23:59:00"}], format="hotelbeds")
    booking = Booking.model_validate(
        {"total": "10.00", "currency": "EUR", "timezone": "Europe/Madrid"}
    )
    timeline = policy.timeline(booking)
    assert timeline.quote("2024-12-20T22:59:00Z").fee == Decimal("1.00")
    assert [w.code for w in timeline.warnings] == ["assumed_zone"]


def test_rapid_nonrefundable_nights_need_the_booking_dates() -> None:
    """Rapid's non-refundable stay dates against a booking without dates: named, not guessed."""
    policy = pf.parse(
        {
            "cancel_penalties": [],
            "nonrefundable_date_ranges": [{"start": "2022-02-02", "end": "2022-02-02"}],
        },
        format="expedia-rapid",
    )
    with pytest.raises(InvalidPolicy) as caught:
        policy.timeline(Booking(total=Decimal(530), currency="USD"))
    assert (caught.value.path, caught.value.code) == (
        "nonrefundable_date_ranges",
        "stay_dates_unknown",
    )


def test_ratehawk_show_amount_and_its_currency() -> None:
    """`amount="show"` reads `amount_show`, checked against `show_currency_code`."""
    from penalty.formats.ratehawk import policy_from_ratehawk

    payload = {
        "currency_code": "USD",
        "show_currency_code": "EUR",
        "cancellation_penalties": {
            "policies": [
                {"start_at": None, "end_at": None, "amount_charge": "10.00", "amount_show": "9.20"}
            ]
        },
    }
    show = policy_from_ratehawk(payload, zone="UTC", amount="show")
    assert show.quote(Booking(total=Decimal(20), currency="EUR"), "2025-01-01T00:00:00Z").fee == (
        Decimal("9.20")
    )
    charge = policy_from_ratehawk(payload, zone="UTC")
    with pytest.raises(InvalidPolicy) as caught:
        charge.timeline(Booking(total=Decimal(20), currency="EUR"))
    assert caught.value.code == "currency_mismatch"


def test_ucp_unknown_kind_is_unavailable_only_where_it_decides() -> None:
    """The UCP draft: an unknown outcome kind is tolerated; quoting where it applies raises
    ``unsupported_kind`` naming it, and so does asking for the whole schedule."""
    policy = pf.parse(
        {
            "anchor": "2026-12-22T15:00:00Z",
            "tiers": [{"until": "PT1H", "outcome": {"kind": "percentage", "buyer_bps": 10000}}],
            "after_last_tier": {
                "kind": "unit_deduction",
                "penalty": {"measure": {"value": 2, "unit": "room", "display_text": "room"}},
            },
        },
        format="ucp",
    )
    timeline = policy.timeline(Booking(total=Decimal(100), currency="USD"))
    assert timeline.fee("2026-12-22T13:00:00Z") == 0
    for call in (
        lambda: timeline.quote("2026-12-22T14:00:00Z"),
        lambda: timeline.fee("2026-12-22T14:00:00Z"),
        lambda: list(timeline.fees(["2026-12-22T14:00:00Z"])),
        lambda: timeline.segments,
        lambda: timeline.next_change("2026-12-22T13:00:00Z"),
    ):
        with pytest.raises(InvalidPolicy) as caught:
            call()
        assert (caught.value.path, caught.value.code) == (
            "after_last_tier.kind",
            "unsupported_kind",
        )
        assert "'room'" in caught.value.message


def test_free_until_is_known_when_the_unknown_comes_after_a_charge() -> None:
    """free_until needs only the stretch up to the first charge: an unknown outcome after it
    does not hide it; one before it does."""
    unknown = {"kind": "com.example.voucher"}
    free = {"kind": "percentage", "buyer_bps": 10000}
    charged = {"kind": "percentage", "buyer_bps": 0}
    booking = Booking(total=Decimal(100), currency="USD")

    def schedule(first: dict[str, Any], second: dict[str, Any], after: dict[str, Any]) -> Any:
        payload = {
            "anchor": "2026-12-22T15:00:00Z",
            "tiers": [{"until": "PT2H", "outcome": first}, {"until": "PT1H", "outcome": second}],
            "after_last_tier": after,
        }
        return pf.parse(payload, format="ucp").timeline(booking)

    known = schedule(free, charged, unknown)
    assert str(known.free_until) == "2026-12-22 13:00:00+00:00"
    hidden = schedule(free, unknown, charged)
    with pytest.raises(InvalidPolicy) as caught:
        _ = hidden.free_until
    assert caught.value.path == "tiers[1].outcome.kind"
