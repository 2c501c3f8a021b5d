"""Duffel Stays ``cancellation_timeline``: a refund timeline, translated into a `Policy`.

Source: Duffel's guide "Displaying the Cancellation Timeline"
(https://duffel.com/docs/guides/displaying-the-cancellation-timeline) and the Stays API
reference (``rate.cancellation_timeline[]``: ``refund_amount``, ``currency``, ``before``).

The rules, as Duffel documents them and as we complete them:

- Each item is a **refund**, available "up until the ``before`` date (after the previous
  ``before`` date, if any)": the fee is ``total - refund_amount`` (``Basis.REFUND``).
- The first item holds from the booking on: its window has no start.
- "If the last cancellation timeline's ``before`` date is before the check-in date, the time
  period after that is non-refundable": after the last ``before`` the fee is the total
  (``AfterLast.NO_SHOW``).
- An empty timeline: the rate is non-refundable (the total at every instant).
- Boundary (assumed): "until the before date" is read as strictly before ``before``, so the
  instant ``before`` itself already belongs to the next item (``Boundary.START_INCLUSIVE``).
- ``before`` carries an offset (``2023-05-23T13:00:00Z``); one without is read in the booking's
  zone. A refund larger than the total refunds the total.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_duffel({"total_amount": "799.00", "cancellation_timeline": [
    ...     {"refund_amount": "799.00", "currency": "GBP", "before": "2023-05-23T13:00:00Z"}]})
    >>> booking = Booking(total="799.00", currency="GBP")
    >>> [str(s.fee) for s in policy.schedule(booking)]
    ['0.00', '799.00']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field

from penalty.errors import InvalidPolicy
from penalty.formats._fields import (
    Raw,
    currency,
    entries,
    moment,
    money,
    step_starts,
    window,
)
from penalty.instants import Fold
from penalty.policy import Policy, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "DuffelTimelineItem", "policy_from_duffel"]

#: Duffel's rules: refunds, strictly before ``before``, non-refundable after the last item.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.REFUND,
)
_FIELDS = (("end", "before"), ("amount", "refund_amount"), ("currency", "currency"))


class DuffelTimelineItem(Raw):
    """One ``cancellation_timeline`` item, as Duffel sends it."""

    refund_amount: Any = Field(default=None)
    currency: Any = None
    before: Any = None


def _timeline(payload: object) -> tuple[object, str]:
    if isinstance(payload, list | tuple):
        return payload, "cancellation_timeline"
    if isinstance(payload, dict):
        for prefix, inner in (("data", payload.get("data")), ("", payload)):
            if isinstance(inner, dict) and "cancellation_timeline" in inner:
                path = f"{prefix}.cancellation_timeline" if prefix else "cancellation_timeline"
                items = inner["cancellation_timeline"]
                return ([] if items is None else items), path
    raise InvalidPolicy(
        "a Duffel policy is a cancellation_timeline list or a rate holding one",
        value=payload,
        code="not_a_policy",
    )


def policy_from_duffel(payload: object, *, fold: Fold = "raise") -> Policy:
    """A `Policy` from a ``cancellation_timeline`` list, or a rate (or ``{"data": rate}``).

    Raises:
        InvalidPolicy: naming the Duffel field (``cancellation_timeline[1].refund_amount``).
    """
    items, prefix = _timeline(payload)
    raws = entries(DuffelTimelineItem, items, prefix)
    befores = [moment(raw.before, f"{prefix}[{i}].before") for i, raw in enumerate(raws)]
    starts = step_starts(befores, lambda i: f"{prefix}[{i}].before")
    windows = []
    for index, (raw, before, start) in enumerate(zip(raws, befores, starts, strict=True)):
        path = f"{prefix}[{index}]"
        if raw.refund_amount is None:
            raise InvalidPolicy(
                "refund_amount is missing", path=f"{path}.refund_amount", code="missing"
            )
        code = None if raw.currency is None else currency(raw.currency, f"{path}.currency")
        values = {
            "start": start,
            "end": before,
            "amount": money(raw.refund_amount, f"{path}.refund_amount"),
            "currency": code,
            "kind": "AMOUNT",
            "description": "refund",
        }
        windows.append(window(values, _namer(path)))
    return Policy(
        windows=tuple(windows),
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=prefix, fields=_FIELDS),
    )


def _namer(path: str) -> Callable[[str], str]:
    names = dict(_FIELDS)
    return lambda field: f"{path}.{names.get(field, field)}"
