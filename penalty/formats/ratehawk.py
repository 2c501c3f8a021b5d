"""RateHawk / Emerging Travel Group (ETG API v3) ``cancellation_penalties``, as a `Policy`.

Source: ETG API v3 documentation (https://docs.emergingtravel.com, search/hp "Hotelpage" and
prebook responses): each rate's ``payment_options.payment_types[]`` carries
``cancellation_penalties: {"policies": [{"start_at", "end_at", "amount_charge",
"amount_show"}], "free_cancellation_before"}``; ``null`` for ``start_at`` means "from the
booking on", ``null`` for ``end_at`` "until check-in and beyond"; times are written without an
offset (``2025-03-05T05:00:00``). ``amount_charge`` is in the payment type's ``currency_code``
(what ETG charges), ``amount_show`` in its ``show_currency_code``.

The rules, as ETG documents them and as we complete them:

- Each policy is a window ``[start_at, end_at)`` costing its amount; ``null`` ends are open.
- Times have no offset and ETG's documentation and responses do not carry the zone with them,
  so the zone is an explicit, required input (``zone="UTC"`` for ETG's UTC+0 convention).
- Boundary (assumed): ``[start_at, end_at)``, one policy ending where the next starts
  (``Boundary.START_INCLUSIVE``). Gaps (assumed) carry; after a closed last policy (assumed)
  the whole total (``AfterLast.NO_SHOW``); before a first policy with a ``start_at``: free.
- ``amount="charge"`` (default) reads ``amount_charge``; ``amount="show"`` reads ``amount_show``.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_ratehawk({"policies": [
    ...     {"start_at": None, "end_at": "2025-03-05T05:00:00", "amount_charge": "0.00",
    ...      "amount_show": "0.00"},
    ...     {"start_at": "2025-03-05T05:00:00", "end_at": None, "amount_charge": "177.00",
    ...      "amount_show": "177.00"}]}, zone="UTC")
    >>> [str(s.fee) for s in policy.schedule(Booking(total="177.00", currency="USD"))]
    ['0.00', '177.00']
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any, Literal

from penalty.errors import InvalidPolicy
from penalty.formats._fields import (
    Raw,
    currency,
    entries,
    moment,
    money,
    namer,
    resolve_zone,
    window,
)
from penalty.instants import Fold
from penalty.policy import Policy, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "RateHawkPolicy", "policy_from_ratehawk"]

#: ETG's rules (assumed where undocumented): windows [start_at, end_at), open ends.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)


class RateHawkPolicy(Raw):
    """One ``cancellation_penalties.policies`` entry, as ETG sends it."""

    start_at: Any = None
    end_at: Any = None
    amount_charge: Any = None
    amount_show: Any = None


def _policies(payload: object, amount: str) -> tuple[object, str, object]:
    """The policies, their path, and the currency of the amount read (if the payload says)."""
    if isinstance(payload, list | tuple):
        return payload, "policies", None
    if isinstance(payload, dict):
        code = payload.get("currency_code" if amount == "charge" else "show_currency_code")
        if isinstance(payload.get("cancellation_penalties"), dict):
            items = payload["cancellation_penalties"].get("policies")
            return ([] if items is None else items), "cancellation_penalties.policies", code
        if "policies" in payload:
            items = payload["policies"]
            return ([] if items is None else items), "policies", code
    raise InvalidPolicy(
        "a RateHawk policy is a policies list, a cancellation_penalties object or a payment type",
        value=payload,
        code="not_a_policy",
    )


def policy_from_ratehawk(
    payload: object,
    *,
    zone: str | None,
    amount: Literal["charge", "show"] = "charge",
    fold: Fold = "raise",
) -> Policy:
    """A `Policy` from ETG ``policies``, ``cancellation_penalties`` or a whole payment type.

    ``zone`` (required: ETG times carry no offset) is the IANA zone the times are written in.

    Raises:
        InvalidPolicy: naming the ETG field (``cancellation_penalties.policies[1].end_at``),
            or ``zone`` when it is missing.
    """
    if amount not in ("charge", "show"):
        raise InvalidPolicy(
            "amount must be charge or show", path="amount", value=amount, code="invalid_option"
        )
    field = f"amount_{amount}"
    fields = (("start", "start_at"), ("end", "end_at"), ("amount", field))
    items, prefix, code = _policies(payload, amount)
    if zone is None:
        raise InvalidPolicy(
            "RateHawk times have no offset: name the zone they are written in (e.g. UTC)",
            path="zone",
            code="zone_required",
        )
    tz = resolve_zone(zone, "zone")
    where = "currency_code" if amount == "charge" else "show_currency_code"
    rate_currency = None if code is None else currency(code, where)
    raws = entries(RateHawkPolicy, items, prefix)
    windows = []
    for index, raw in enumerate(raws):
        path = f"{prefix}[{index}]"
        value = getattr(raw, field)
        if value is None:
            raise InvalidPolicy(f"{field} is missing", path=f"{path}.{field}", code="missing")
        values = {
            "start": _edge(raw.start_at, f"{path}.start_at", tz, fold),
            "end": _edge(raw.end_at, f"{path}.end_at", tz, fold),
            "amount": money(value, f"{path}.{field}"),
            "currency": rate_currency,
            "kind": "AMOUNT",
        }
        windows.append(window(values, namer(path, fields)))
    return Policy(
        windows=tuple(windows),
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=prefix, fields=fields),
    )


def _edge(raw: object, path: str, tz: tzinfo, fold: Fold) -> Any:
    return None if raw is None else moment(raw, path, tz=tz, fold=fold)
