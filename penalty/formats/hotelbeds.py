"""Hotelbeds APItude ``cancellationPolicies``: a step function of fees, translated into a `Policy`.

Source: Hotelbeds APItude Booking API (developer.hotelbeds.com, ``/hotel-api/1.0``:
availability, CheckRate and booking responses carry ``rooms[].rates[].cancellationPolicies[]``
with ``amount`` and ``from``), and its knowledge base: "The cancellationPolicies will determine
when the amount will be charged if [you] cancel the booking. [...] if you cancel after `from`
the amount will be charged. If canceled before [it], there will not be charges."

The rules, as Hotelbeds documents them and as we complete them:

- Each entry is a step: from ``from`` on, cancelling costs ``amount`` (a fixed amount in the
  rate's currency), until the next later ``from``; the last step lasts for ever.
- Before the first ``from``: free.
- Boundary (assumed): the instant ``from`` itself is charged (``Boundary.START_INCLUSIVE``):
  never quote "free" at the very instant the supplier starts charging.
- ``from`` carries an offset (``2020-07-29T23:59:00+02:00``); one without is the destination's
  local time (Hotelbeds: "always destination time zone"), read in the booking's zone.
- No entries at all (assumed): non-refundable, the total at every instant.
- Two entries with the same ``from``: the higher amount (the engine's overlap rule).

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_hotelbeds({"currency": "EUR", "cancellationPolicies": [
    ...     {"amount": "59.75", "from": "2024-12-26T23:59:00+01:00"}]})
    >>> booking = Booking(total="116.80", currency="EUR")
    >>> [str(s.fee) for s in policy.schedule(booking)]
    ['0.00', '59.75']
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from penalty.errors import InvalidPolicy
from penalty.formats._fields import (
    Raw,
    currency,
    entries,
    moment,
    money,
    namer,
    step_ends,
    window,
)
from penalty.instants import Fold
from penalty.policy import Policy, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "HotelbedsCancellationPolicy", "policy_from_hotelbeds"]

#: Hotelbeds' rules: charged from ``from`` on; each step until the next; the last for ever.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.CARRY,
    basis=Basis.FEE,
)
_FIELDS = (("start", "from"), ("amount", "amount"), ("currency", "currency"))


class HotelbedsCancellationPolicy(Raw):
    """One ``cancellationPolicies`` entry, as Hotelbeds sends it."""

    amount: Any = None
    from_: Any = Field(default=None, alias="from")


def _policies(payload: object) -> tuple[object, str, object]:
    """The list, its path, and the currency of the object holding it (if any)."""
    if isinstance(payload, list | tuple):
        return payload, "cancellationPolicies", None
    if isinstance(payload, dict) and "cancellationPolicies" in payload:
        items = payload["cancellationPolicies"]
        return ([] if items is None else items), "cancellationPolicies", payload.get("currency")
    raise InvalidPolicy(
        "a Hotelbeds policy is a cancellationPolicies list or a rate holding one",
        value=payload,
        code="not_a_policy",
    )


def policy_from_hotelbeds(payload: object, *, fold: Fold = "raise") -> Policy:
    """A `Policy` from a ``cancellationPolicies`` list or a rate (``currency`` is checked).

    Raises:
        InvalidPolicy: naming the Hotelbeds field (``cancellationPolicies[0].from``).
    """
    items, prefix, code = _policies(payload)
    rate_currency = None if code is None else currency(code, "currency")
    raws = entries(HotelbedsCancellationPolicy, items, prefix)
    froms = []
    for index, raw in enumerate(raws):
        if raw.from_ is None:
            raise InvalidPolicy("from is missing", path=f"{prefix}[{index}].from", code="missing")
        froms.append(moment(raw.from_, f"{prefix}[{index}].from"))
    ends = step_ends(froms, lambda i: f"{prefix}[{i}].from")
    windows = []
    for index, (raw, start, end) in enumerate(zip(raws, froms, ends, strict=True)):
        path = f"{prefix}[{index}]"
        if raw.amount is None:
            raise InvalidPolicy("amount is missing", path=f"{path}.amount", code="missing")
        values = {
            "start": start,
            "end": end,
            "amount": money(raw.amount, f"{path}.amount"),
            "currency": rate_currency,
            "kind": "AMOUNT",
        }
        windows.append(window(values, namer(path, _FIELDS)))
    return Policy(
        windows=tuple(windows),
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=prefix, fields=_FIELDS),
    )
