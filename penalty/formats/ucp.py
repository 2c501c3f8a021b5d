"""The UCP lodging cancellation schedule (Universal Commerce Protocol, draft), as a `Policy`.

Sources: the draft "Cancellation Policy Extension" of the UCP lodging service
(https://ucp.dev/draft/specification/lodging/extensions/cancellation-policy/, in the
``Universal-Commerce-Protocol/ucp`` repository as
``docs/specification/lodging/extensions/cancellation-policy.md``), its JSON Schema
(``source/schemas/lodging/policy_cancellation.json``: ``cancellation_schedule``,
``cancellation_tier``, ``cancellation_outcome``; ``common/types/amount.json``, ``measure.json``,
``unit.json``), and its published selection vectors
(``scripts/fixtures/lodging_cancellation_schedule.json``, checked by
``scripts/test_cancellation_schedule.py``), every one of which is a test here
(``fixtures/formats/ucp/``).

A schedule is ``{"anchor", "tiers": [{"until", "outcome"}], "after_last_tier"}``. The draft's
rules, as read here:

- ``anchor`` is an instant with ``Z`` or a numeric offset ("normally the property's stated
  arrival or check-in cutoff"): the policy's own anchor (SEMANTICS rule 22), so the schedule
  needs no booking and is resolved when read. It is read by the one grammar of
  `penalty.instants`, to the nanosecond; it must carry seconds and an offset; a calendar-invalid
  date (February 30) or a leap second (``:60``) is refused. The draft's RFC 3339 also allows a
  lower-case ``t``/``z`` and more than nine fraction digits, which the one grammar refuses (no
  vector of the draft uses them; a finer fraction could not be kept exact anyway).
- Each ``until`` is an elapsed ISO 8601 duration before the anchor (days, hours, minutes,
  seconds; a day is exactly 24 hours, whatever DST does; months, years, weeks and fractions are
  refused). The cutoff ``anchor - until`` is exact (no rounding, however large the duration).
- Tiers go from the farthest cutoff to the nearest, with strictly decreasing durations (``P1D``
  and ``PT24H`` are the same cutoff: refused). A tier applies strictly before its cutoff, after
  the earlier tiers' cutoffs; **at** a cutoff the next tier applies (``Boundary.START_INCLUSIVE``,
  half-open ``[previous cutoff, cutoff)``); from the nearest cutoff on, ``after_last_tier``, for
  ever (at the anchor and after it too).
- Outcomes, by ``kind``:

  - ``percentage``: ``buyer_bps`` (an integer 0-10000) is the **refund** in basis points. The
    draft names no monetary basis; penalty's is the booking ``total``, an explicit input
    (SEMANTICS "Inputs"): the fee is ``total × (10000 - buyer_bps) / 10000``, exactly.
  - ``fixed_fee``: ``penalty.amount``, an integer in the minor units of the booking's currency
    (``7500`` is 75.00 USD): `Policy.minor_units`, scaled when compiled, so the schedule is read
    before the booking is known.
  - ``unit_deduction``: ``penalty.measure`` of ``unit: "night"``, a whole number of nights
    (``scale`` 0): the first N nights of the stay (SEMANTICS rule 6).
  - any other kind (``com.example.voucher``), or a unit other than ``night``: tolerated, never
    guessed. The window it makes is `UNSUPPORTED`: quoting an instant it decides raises
    ``unsupported_kind`` naming it; every other instant is quoted. Members a well-known kind
    does not define are ignored.

- The whole schedule is checked before anything is quoted: one malformed outcome, even one
  that no instant would select, refuses the schedule (the draft: "validate the entire
  schedule").
- A tier whose cutoff lies before 0001-01-02 (``PT9007199254740993S``) covers no instant penalty
  can quote: it is left out, and the next interval opens from minus infinity.

Accepted payloads: the schedule object, or an object holding it under ``schedule`` (a
``dev.ucp.lodging.policy.cancellation`` policy item). A policy item without a schedule is
refused (``schedule_absent``): the draft says structured evaluation is then unavailable, not
that the rate is non-refundable. ``refundability`` (a snapshot) and ``description`` are not read.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_ucp({"anchor": "2026-12-22T15:00:00-05:00",
    ...     "tiers": [{"until": "PT48H", "outcome": {"kind": "percentage", "buyer_bps": 10000}}],
    ...     "after_last_tier": {"kind": "fixed_fee", "penalty": {"amount": 7500}}})
    >>> booking = Booking(total="300.00", currency="USD")
    >>> [(str(s.end), str(s.fee)) for s in policy.schedule(booking)]
    [('2026-12-20 15:00:00-05:00', '0.00'), ('None', '75.00')]
"""

from __future__ import annotations

from datetime import tzinfo
from decimal import Decimal
from typing import Any

from penalty.compiler import FIRST_EDGE
from penalty.errors import InvalidPolicy
from penalty.formats._fields import count
from penalty.instants import Fold, parse_duration, parse_iso
from penalty.limits import MAX_WINDOWS, check_count
from penalty.policy import UNSUPPORTED, Policy, Windows, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["BASIS_POINTS", "RULES", "policy_from_ucp"]

#: The draft's rules: ``[previous cutoff, cutoff)``; after the nearest cutoff, for ever.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)
#: ``buyer_bps`` of a full refund.
BASIS_POINTS = 10_000
#: The largest integer the draft's JSON allows (``amount.json``, ``measure.json``).
_MAX_INTEGER = 9_007_199_254_740_991
_HUNDRED = Decimal(100)
#: ``YYYY-MM-DDTHH:MM:SS``: the draft's anchors always carry seconds.
_SECONDS_AT = 16
_FIELDS = (
    ("kind", "kind"),
    ("percent", "buyer_bps"),
    ("amount", "penalty.amount"),
    ("nights", "penalty.measure.value"),
)


def policy_from_ucp(payload: object, *, fold: Fold = "raise") -> Policy:
    """A `Policy` from a UCP ``cancellation_schedule``, or an object holding it under ``schedule``.

    ``fold`` is accepted for the registry's sake: a schedule's instants all carry offsets.

    Raises:
        InvalidPolicy: naming the schedule's field (``schedule.tiers[1].until``); a policy
            item without a schedule is ``schedule_absent``.
    """
    schedule, prefix = _schedule(payload)
    anchor_path = f"{prefix}anchor"
    anchor, tz = _anchor(schedule.get("anchor"), anchor_path)
    tiers = schedule.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        raise InvalidPolicy(
            "tiers must be a non-empty list of tiers",
            path=f"{prefix}tiers",
            value=tiers,
            code="missing" if tiers is None else "wrong_type",
        )
    check_count(  # every tier is a window: counted before any is read
        len(tiers),
        MAX_WINDOWS,
        what="tiers",
        path=f"{prefix}tiers",
        error=InvalidPolicy,
        code="too_many_windows",
    )
    if "after_last_tier" not in schedule:
        raise InvalidPolicy(
            "after_last_tier is required", path=f"{prefix}after_last_tier", code="missing"
        )
    cutoffs = _cutoffs(tiers, anchor, prefix)
    outcomes = [
        (_outcome(tier["outcome"], f"{prefix}tiers[{index}].outcome"), index)
        for index, tier in enumerate(tiers)
    ]
    last = _outcome(schedule["after_last_tier"], f"{prefix}after_last_tier")
    windows = Windows()
    paths: list[str] = []
    low: int | None = None
    for (outcome, index), cutoff in zip(outcomes, cutoffs, strict=True):
        if cutoff < FIRST_EDGE:  # before any instant penalty quotes: the tier covers none
            continue
        _add(windows, low, cutoff, tz, outcome)
        paths.append(f"{prefix}tiers[{index}].outcome")
        low = cutoff
    _add(windows, low, None, tz, last)
    paths.append(f"{prefix}after_last_tier")
    return Policy(
        windows=windows,
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=f"{prefix}tiers", fields=_FIELDS, paths=tuple(paths)),
        minor_units=True,
    )


#: A read outcome: (kind, percent, amount in minor units, nights, description).
_Outcome = tuple[str, Decimal | None, Decimal | None, Decimal | None, str]


def _add(
    windows: Windows, low: int | None, high: int | None, tz: tzinfo, outcome: _Outcome
) -> None:
    """One window ``[low, high)`` (``None``: open), its edges shown in the anchor's offset."""
    kind, percent, amount, nights, description = outcome
    start_zone = None if low is None else tz
    end_zone = None if high is None else tz
    windows.add(low, start_zone, high, end_zone, percent, amount, nights, None, kind, description)


def _schedule(payload: object) -> tuple[dict[str, Any], str]:
    """The schedule object and the path prefix its fields are named under."""
    if isinstance(payload, dict):
        if "schedule" in payload:
            inner = payload["schedule"]
            if inner is None:
                raise _absent(payload)
            if not isinstance(inner, dict):
                raise InvalidPolicy(
                    "schedule must be an object", path="schedule", value=inner, code="wrong_type"
                )
            return inner, "schedule."
        if {"anchor", "tiers", "after_last_tier"} & set(payload):
            return payload, ""
        if {"refundability", "type", "description"} & set(payload):
            raise _absent(payload)
    raise InvalidPolicy(
        "a UCP policy is a cancellation schedule (anchor, tiers, after_last_tier) or a "
        "cancellation policy item holding one under schedule",
        value=payload,
        code="not_a_policy",
    )


def _absent(payload: dict[str, Any]) -> InvalidPolicy:
    return InvalidPolicy(
        "the policy has no schedule: the draft makes timeline evaluation unavailable (it does "
        "not mean non-refundable); use its refundability and description",
        path="schedule",
        value=payload.get("refundability"),
        code="schedule_absent",
    )


def _anchor(raw: object, path: str) -> tuple[int, tzinfo]:
    """The anchor instant (nanoseconds) and its offset: both required, seconds too."""
    nanos, offset = parse_iso(raw, path=path, error=InvalidPolicy)
    text = str(raw)
    if offset is None or len(text) <= _SECONDS_AT or text[_SECONDS_AT] != ":":
        raise InvalidPolicy(
            "anchor must be an RFC 3339 instant with seconds and Z or a numeric offset",
            path=path,
            value=raw,
            code="invalid_datetime",
        )
    return nanos, offset


def _cutoffs(tiers: list[Any], anchor: int, prefix: str) -> list[int]:
    """Each tier's cutoff ``anchor - until``, checked strictly increasing (durations falling)."""
    cutoffs: list[int] = []
    for index, tier in enumerate(tiers):
        path = f"{prefix}tiers[{index}]"
        if not isinstance(tier, dict):
            raise InvalidPolicy(
                "a tier must be an object", path=path, value=tier, code="wrong_type"
            )
        for member in ("until", "outcome"):
            if member not in tier:
                raise InvalidPolicy(
                    f"{member} is required", path=f"{path}.{member}", code="missing"
                )
        before = parse_duration(tier["until"], path=f"{path}.until", error=InvalidPolicy)
        cutoff = anchor - before
        if cutoffs and cutoff <= cutoffs[-1]:
            raise InvalidPolicy(
                "tiers must go from the farthest cutoff to the nearest, each until strictly "
                "shorter than the one before (P1D and PT24H are the same cutoff)",
                path=f"{path}.until",
                value=tier["until"],
                code="tiers_out_of_order",
            )
        cutoffs.append(cutoff)
    return cutoffs


def _outcome(raw: object, path: str) -> _Outcome:
    """One outcome, checked whole: (kind, percent fee, amount, nights, description)."""
    if not isinstance(raw, dict):
        raise InvalidPolicy("an outcome must be an object", path=path, value=raw, code="wrong_type")
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        raise InvalidPolicy(
            "kind must be a non-empty string",
            path=f"{path}.kind",
            value=kind,
            code="missing" if kind is None else "wrong_type",
        )
    if kind == "percentage":
        bps = _integer(raw.get("buyer_bps"), f"{path}.buyer_bps", 0, BASIS_POINTS)
        return "PERCENT", Decimal(BASIS_POINTS - bps) / _HUNDRED, None, None, ""
    if kind not in {"fixed_fee", "unit_deduction"}:
        return UNSUPPORTED, None, None, None, f"an outcome of kind {kind!r}"
    penalty = raw.get("penalty")
    if not isinstance(penalty, dict):
        raise InvalidPolicy(
            f"a {kind} outcome needs a penalty object",
            path=f"{path}.penalty",
            value=penalty,
            code="missing" if penalty is None else "wrong_type",
        )
    if kind == "fixed_fee":
        amount = _integer(penalty.get("amount"), f"{path}.penalty.amount", 0, _MAX_INTEGER)
        return "AMOUNT", None, Decimal(amount), None, ""
    return _nights(penalty.get("measure"), f"{path}.penalty.measure")


def _nights(measure: object, path: str) -> _Outcome:
    """A ``unit_deduction``'s measure: whole nights, or an unsupported unit."""
    if not isinstance(measure, dict):
        raise InvalidPolicy(
            "a unit_deduction needs penalty.measure",
            path=path,
            value=measure,
            code="missing" if measure is None else "wrong_type",
        )
    for member in ("unit", "display_text"):
        if not isinstance(measure.get(member), str):
            raise InvalidPolicy(
                f"{member} must be a string",
                path=f"{path}.{member}",
                value=measure.get(member),
                code="missing" if member not in measure else "wrong_type",
            )
    if measure.get("scale", 0) != 0 or isinstance(measure.get("scale"), bool):
        raise InvalidPolicy(
            "a unit_deduction counts whole units: scale must be 0",
            path=f"{path}.scale",
            value=measure.get("scale"),
            code="invalid_scale",
        )
    value = _integer(measure.get("value"), f"{path}.value", 1, _MAX_INTEGER)
    unit = measure["unit"]
    if unit != "night":
        return UNSUPPORTED, None, None, None, f"a deduction of {value} {unit!r}"
    return "NIGHTS", None, None, count(value, f"{path}.value"), ""


def _integer(raw: object, path: str, low: int, high: int) -> int:
    """A JSON integer in ``[low, high]`` (``10000`` or ``10000.0``; never a float or a bool)."""
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value():
        value = int(raw)
    if value is None or not low <= value <= high:
        raise InvalidPolicy(
            f"must be an integer from {low} to {high}",
            path=path,
            value=raw,
            code="missing"
            if raw is None
            else "out_of_range"
            if value is not None
            else "wrong_type",
        )
    return value
