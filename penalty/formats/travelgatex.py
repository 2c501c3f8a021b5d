"""TravelgateX Hotel-X ``cancelPolicy.cancelPenalties`` (``hoursBefore``), as a `Policy`.

Sources: the Hotel-X GraphQL reference (``travelgateX/documentation-site``:
``content/hotelx/reference/objects/CancelPenalty.md``: ``hoursBefore: Int!`` "Cancellation
fees applicable X number of hours before the check-in date", ``penaltyType:
CancelPenaltyType!`` "Nights, Percent or Import", ``currency: Currency!``, ``value: Float!``;
``CancelPolicy.md``: ``refundable: Boolean!``, ``cancelPenalties``; ``enums/CancelPenaltyType.md``:
``NIGHTS``, ``PERCENT``, ``IMPORT``), the Hotel-X FAQ (percentages are "from 0 to 100", with
the published example ``{"hoursBefore": 48, "penaltyType": "PERCENT", "currency": "EUR",
"value": 100}``; "Per nights: the amount of nights to be penalized. Percentage: the
percentage of the total booking. Import: the amount to be paid"), the Quote guide ("If
[refundable] is marked as false, it means that the room has a 100% cancellation cost"), and
Travelgate's knowledge base "Cancel Policies and Deadlines: A Closer Look"
(https://docs.travelgate.com/kb/faqs/faqs-cancel-policies/cancel-policies-and-deadlines-closer-look):
for a check-in on 2022-08-25 at a seller working in UTC+5, ``HoursPriorCheckIn:48`` is the
deadline ``2022-08-22T19:00:00Z`` (a test, ``fixtures/formats/travelgatex/``).

The rules, as TravelgateX documents them and as we complete them:

- ``hoursBefore`` is **elapsed** time (SEMANTICS rule 22): ``48`` is 172,800 seconds before the
  start of the check-in date, 00:00 in the hotel's zone (the knowledge base's example counts
  from the check-in date's midnight in the seller's zone), whatever DST change lies between.
  The hotel's zone is the booking's ``timezone``, else ``zone=``; TravelgateX's own fallback
  when the zone is unknown (UTC, minus a 14-hour safety margin) is ``zone="Etc/GMT-14"``:
  midnight at UTC+14 is the earliest midnight on Earth.
- Each penalty applies from its deadline on ("cancellation fees applicable X hours before"),
  until a later deadline (a smaller ``hoursBefore``) takes over; the last one lasts for ever.
  Before the first deadline: free. Two penalties with the same ``hoursBefore``: the higher.
- Boundary (assumed): the deadline instant already pays the penalty
  (``Boundary.START_INCLUSIVE``).
- ``PERCENT``: ``value`` percent (0-100) of the booking ``total``; ``NIGHTS``: the first
  ``value`` nights (rule 6); ``IMPORT``: ``value`` in ``currency`` (checked against the
  booking's). ``value`` is a JSON number: read the JSON with ``parse_float=Decimal``.
- ``refundable: false``: non-refundable, the whole total at every instant, whatever penalties
  are listed (documented). No penalties at all (assumed): the engine's rule for a policy with
  no windows, the whole total, with a ``no_windows`` warning (never quote "free" when the
  supplier did not say so).

Accepted payloads: the ``cancelPenalties`` list, a ``cancelPolicy`` object (``refundable``,
``cancelPenalties``), or an option holding one as ``cancelPolicy``.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_travelgatex({"refundable": True, "cancelPenalties": [
    ...     {"hoursBefore": 48, "penaltyType": "PERCENT", "currency": "EUR", "value": 100}]})
    >>> booking = Booking.model_validate({"total": "200.00", "currency": "EUR",
    ...     "check_in": "2022-08-25", "check_out": "2022-08-26", "timezone": "Etc/GMT-5"})
    >>> [(str(s.start), str(s.fee)) for s in policy.schedule(booking)]
    [('None', '0.00'), ('2022-08-23 00:00:00+05:00', '200.00')]
"""

from __future__ import annotations

from datetime import time
from itertools import pairwise
from typing import Any

from pydantic import Field

from penalty.errors import InvalidPolicy
from penalty.formats._fields import Raw, count, currency, entries, money, percent, resolve_zone
from penalty.instants import Fold
from penalty.policy import Deadline, Policy, Windows, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "TravelgateXCancelPenalty", "policy_from_travelgatex"]

#: TravelgateX's rules (the boundary assumed): from each deadline on, until a later one.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)
_MIDNIGHT = time(0, 0)
#: ``hoursBefore`` is an Int: at most a century of hours is read.
_MAX_HOURS = 24 * 36_500
_FIELDS = (
    ("start", "hoursBefore"),
    ("end", "hoursBefore"),
    ("percent", "value"),
    ("amount", "value"),
    ("nights", "value"),
)
_KINDS = {"PERCENT": "PERCENT", "NIGHTS": "NIGHTS", "IMPORT": "AMOUNT"}


class TravelgateXCancelPenalty(Raw):
    """One ``cancelPenalties`` entry, as Hotel-X sends it."""

    hours_before: Any = Field(default=None, alias="hoursBefore")
    penalty_type: Any = Field(default=None, alias="penaltyType")
    currency: Any = None
    value: Any = None


def _policy(payload: object) -> tuple[object, str, object]:
    """The penalties, their path, and ``refundable`` (``None`` when not given)."""
    if isinstance(payload, list | tuple):
        return payload, "cancelPenalties", None
    if isinstance(payload, dict):
        if isinstance(payload.get("cancelPolicy"), dict):
            inner = payload["cancelPolicy"]
            items = inner.get("cancelPenalties")
            path = "cancelPolicy.cancelPenalties"
            return ([] if items is None else items), path, inner.get("refundable")
        if "cancelPenalties" in payload:
            items = payload["cancelPenalties"]
            return ([] if items is None else items), "cancelPenalties", payload.get("refundable")
    raise InvalidPolicy(
        "a TravelgateX policy is a cancelPenalties list, a cancelPolicy or an option holding one",
        value=payload,
        code="not_a_policy",
    )


def policy_from_travelgatex(
    payload: object, *, zone: str | None = None, fold: Fold = "raise"
) -> Policy:
    """A `Policy` from ``cancelPenalties``, a ``cancelPolicy`` or an option holding one.

    ``zone`` is the hotel's IANA zone, for bookings that name none.

    Raises:
        InvalidPolicy: naming the TravelgateX field (``cancelPenalties[0].hoursBefore``).
    """
    items, prefix, refundable = _policy(payload)
    refundable_path = prefix.replace("cancelPenalties", "refundable")
    if refundable is not None and not isinstance(refundable, bool):
        raise InvalidPolicy(
            "refundable must be true or false",
            path=refundable_path,
            value=refundable,
            code="wrong_type",
        )
    if zone is not None:
        resolve_zone(zone, "zone")
    source = WindowSource(prefix=prefix, fields=_FIELDS)
    windows = Windows()
    if refundable is False:
        windows.add(None, None, None, None, percent(100, refundable_path), None, None, None,
                    "PERCENT", "non-refundable")  # fmt: skip
        source = WindowSource(prefix=prefix, fields=_FIELDS, paths=(refundable_path,))
    else:
        raws = entries(TravelgateXCancelPenalty, items, prefix)
        hours = [
            _hours(raw.hours_before, f"{prefix}[{i}].hoursBefore") for i, raw in enumerate(raws)
        ]
        later = sorted(set(hours), reverse=True)
        following = dict(pairwise(later))
        for index, (raw, before) in enumerate(zip(raws, hours, strict=True)):
            pct, amount, nights, kind, code = _penalty(raw, f"{prefix}[{index}]")
            after = following.get(before)
            end = None if after is None else _deadline(after)
            windows.add(None, _deadline(before), None, end, pct, amount, nights, code, kind, "")
    return Policy(windows=windows, rules=RULES, local_zone=zone, fold=fold, source=source)


def _deadline(hours: int) -> Deadline:
    """``hours`` elapsed before 00:00 on the check-in date, in the hotel's zone."""
    return Deadline(kind="elapsed", before=f"PT{hours}H", at=_MIDNIGHT)  # type: ignore[arg-type]


def _hours(raw: object, path: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= _MAX_HOURS:
        raise InvalidPolicy(
            f"hoursBefore must be a whole number of hours from 0 to {_MAX_HOURS}",
            path=path,
            value=raw,
            code="missing" if raw is None else "invalid_hours",
        )
    return raw


def _penalty(raw: TravelgateXCancelPenalty, path: str) -> tuple[Any, Any, Any, str, str | None]:
    """(percent, amount, nights, kind, currency) of one penalty."""
    kind = _KINDS.get(raw.penalty_type) if isinstance(raw.penalty_type, str) else None
    if kind is None:
        raise InvalidPolicy(
            "penaltyType must be NIGHTS, PERCENT or IMPORT",
            path=f"{path}.penaltyType",
            value=raw.penalty_type,
            code="missing" if raw.penalty_type is None else "unknown_type",
        )
    value_path = f"{path}.value"
    if raw.value is None:
        raise InvalidPolicy("value is missing", path=value_path, code="missing")
    if kind == "PERCENT":
        return percent(raw.value, value_path), None, None, kind, None
    if kind == "NIGHTS":
        return None, None, count(raw.value, value_path), kind, None
    if raw.currency is None:
        raise InvalidPolicy(
            "an IMPORT penalty needs its currency", path=f"{path}.currency", code="missing"
        )
    code = currency(raw.currency, f"{path}.currency")
    return None, money(raw.value, value_path), None, kind, code
