"""Expedia Rapid ``cancel_penalties`` and ``nonrefundable_date_ranges``, as a `Policy`.

Sources: the Rapid v3 OpenAPI specification (``ExpediaGroup/rapid-java-sdk``,
``code/transformedSpecs.yaml``, ``CancelPenalty``: ``currency``, ``start``/``end`` "in extended
ISO 8601 format, with ±hh:mm timezone offset", ``amount``, ``nights``, ``percent`` "Percentage
of total booking charged for as penalty. A thirty percent penalty would be returned as 30%";
``nonrefundable_date_ranges``: "stay date ranges [...] that are not refundable. Stay dates
within these ranges provide no refund on cancellation, regardless of cancel penalty windows.
The stay dates are determined by the would be check-in of that night") and Expedia's guide
"Constructing cancellation policies"
(https://developers.expediagroup.com/docs/rapid/resources/reference/constructing-cancellation-policies):
"the nonrefundable_date_range is inclusive, i.e. the nightly rate plus any taxes and fees for
the 'end' date will also be charged", "these nights will be charged in addition to any other
cancellation penalty charges set out in the cancel_penalties object", "The timezone of the
cancel_penalties start and end window is the local property time."

The rules, as Expedia documents them and as we complete them:

- Each penalty is a window ``[start, end)`` (boundary assumed: ``Boundary.START_INCLUSIVE``).
  A window whose ``end`` equals its ``start`` occurs in Expedia's own spec example; it covers
  no instant and is reported as a ``zero_length_window`` warning.
- Components add (assumed, as Gotadi and XAP): ``percent`` of the booking total + ``amount`` +
  ``nights`` (the first N nights of the stay, assumed; the spec does not say which nights).
- Before the first window: free. Gaps (assumed): carry. After the last window (assumed): the
  whole total.
- ``nonrefundable_date_ranges`` become the policy's `Surcharge`: those stay nights (both ends
  included) are charged at every instant, on top of the window fee, capped at the total.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_expedia_rapid({"cancel_penalties": [
    ...     {"currency": "USD", "start": "2024-06-01T18:00:00.000-04:00",
    ...      "end": "2024-06-03T18:00:00.000-04:00", "percent": "30%"}],
    ...     "nonrefundable_date_ranges": [{"start": "2024-06-04", "end": "2024-06-04"}]})
    >>> booking = Booking.model_validate({"total": "300.00", "currency": "USD",
    ...     "nightly_rates": ["120.00", "180.00"], "check_in": "2024-06-03",
    ...     "check_out": "2024-06-05"})
    >>> [str(s.fee) for s in policy.schedule(booking)]
    ['180.00', '270.00', '300.00']
"""

from __future__ import annotations

from datetime import date
from typing import Any

from penalty._model import construct
from penalty.errors import InvalidPolicy
from penalty.formats._fields import (
    Raw,
    count,
    currency,
    entries,
    moment,
    money,
    namer,
    percent,
    window,
)
from penalty.instants import Fold, parse_date
from penalty.limits import MAX_DATE_RANGES, check_count
from penalty.policy import Policy, Surcharge, Window, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "RapidCancelPenalty", "RapidDateRange", "policy_from_expedia_rapid"]

#: Rapid's rules (assumed where undocumented).
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)
_RANGES = "nonrefundable_date_ranges"
_FIELDS = (
    ("start", "start"),
    ("end", "end"),
    ("percent", "percent"),
    ("amount", "amount"),
    ("nights", "nights"),
    ("currency", "currency"),
)


class RapidCancelPenalty(Raw):
    """One ``cancel_penalties`` entry, as Rapid sends it (strings)."""

    currency: Any = None
    start: Any = None
    end: Any = None
    amount: Any = None
    nights: Any = None
    percent: Any = None


class RapidDateRange(Raw):
    """One ``nonrefundable_date_ranges`` entry: stay dates, both ends included."""

    start: Any = None
    end: Any = None


def _rate(payload: object) -> tuple[object, object, str]:
    """The penalties, the date ranges, and the penalties' path."""
    if isinstance(payload, list | tuple):
        return payload, None, "cancel_penalties"
    if isinstance(payload, dict) and (
        "cancel_penalties" in payload or "nonrefundable_date_ranges" in payload
    ):
        penalties = payload.get("cancel_penalties")
        return (
            [] if penalties is None else penalties,
            payload.get("nonrefundable_date_ranges"),
            "cancel_penalties",
        )
    raise InvalidPolicy(
        "an Expedia Rapid policy is a cancel_penalties list or a rate holding one",
        value=payload,
        code="not_a_policy",
    )


def policy_from_expedia_rapid(payload: object, *, fold: Fold = "raise") -> Policy:
    """A `Policy` from a ``cancel_penalties`` list or a rate (with its date ranges).

    Raises:
        InvalidPolicy: naming the Rapid field (``cancel_penalties[2].percent``).
    """
    penalties, ranges, prefix = _rate(payload)
    raws = entries(RapidCancelPenalty, penalties, prefix)
    windows = [_window(raw, f"{prefix}[{i}]", fold) for i, raw in enumerate(raws)]
    surcharge = None
    if ranges:
        surcharge = construct(  # each range checked by `_spans`, as Surcharge would
            Surcharge,
            {"amount": None, "stay_dates": _spans(ranges), "description": _RANGES},
        )
    return Policy(
        windows=tuple(windows),
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=prefix, fields=_FIELDS, surcharge="nonrefundable_date_ranges"),
        surcharge=surcharge,
    )


def _window(raw: RapidCancelPenalty, path: str, fold: Fold) -> Window:
    values: dict[str, Any] = {
        "start": None if raw.start is None else moment(raw.start, f"{path}.start", fold=fold),
        "end": None if raw.end is None else moment(raw.end, f"{path}.end", fold=fold),
    }
    if raw.percent not in (None, ""):
        values["percent"] = percent(raw.percent, f"{path}.percent")
    if raw.amount not in (None, ""):
        values["amount"] = money(raw.amount, f"{path}.amount")
    if raw.nights not in (None, ""):
        values["nights"] = count(raw.nights, f"{path}.nights")
    if raw.currency is not None:
        values["currency"] = currency(raw.currency, f"{path}.currency")
    return window(values, namer(path, _FIELDS))


def _spans(ranges: object) -> tuple[tuple[date, date], ...]:
    """``nonrefundable_date_ranges``: at most `MAX_DATE_RANGES`, each read once, in order.

    Read straight from the objects (a range is two dates): 100,000 of them in well under a
    second, where a model per range would take several.
    """
    if not isinstance(ranges, list | tuple):
        raise InvalidPolicy("must be a list", path=_RANGES, value=ranges, code="wrong_type")
    check_count(
        len(ranges),
        MAX_DATE_RANGES,
        what="date ranges",
        path=_RANGES,
        error=InvalidPolicy,
        code="too_many_ranges",
    )
    spans = []
    for index, span in enumerate(ranges):
        if not isinstance(span, dict):
            raise InvalidPolicy(
                "must be an object", path=f"{_RANGES}[{index}]", value=span, code="wrong_type"
            )
        spans.append(_span(span.get("start"), span.get("end"), f"{_RANGES}[{index}]"))
    return tuple(spans)


def _span(start: object, end: object, path: str) -> tuple[date, date]:
    first = parse_date(start, path=f"{path}.start", error=InvalidPolicy)
    last = parse_date(end, path=f"{path}.end", error=InvalidPolicy)
    if last < first:
        raise InvalidPolicy(
            "end is before start",
            path=f"{path}.end",
            value=end,
            code="end_before_start",
        )
    return first, last
