"""LiteAPI ``cancelPolicyInfos``: "the most recently passed" entry applies, as a `Policy`.

Source: LiteAPI's guide "Canceling a Booking" (https://docs.liteapi.travel/docs/canceling-a-booking):
"The amount listed for a cancelation policy is the amount the user will be charged if they
cancel after that policy date. Some bookings have multiple policies, in which case the policy
with the cancelTime most recently passed will be used." Entries are ``{"cancelTime":
"2024-11-11 08:00:00", "amount": 712.39, "currency": "USD", "type": "amount", "timezone":
"GMT"}``; ``refundableTag`` is ``RFN`` (refundable) or ``NRFN`` (non-refundable: "a cancelation
call will still terminate the booking, but it will not refund the purchase price").

The rules, as LiteAPI documents them and as we complete them:

- A step function: from ``cancelTime`` on, ``amount``, until the next later ``cancelTime``;
  the last entry lasts for ever. Before the first: free.
- Boundary (assumed): "after that policy date" is read as from the instant on
  (``Boundary.START_INCLUSIVE``): never quote "free" at the instant charging starts.
- ``cancelTime`` has no offset; it is read in the entry's ``timezone`` (an IANA name: LiteAPI
  sends ``GMT``), else in the ``zone`` argument, else in the booking's zone.
- ``refundableTag: "NRFN"``: the total at every instant, whatever the entries say.
- ``amount`` is a JSON number: parse the JSON with ``parse_float=Decimal`` (a float is refused).
  ``type`` must be ``amount`` (the only documented type).

Example:
    >>> from decimal import Decimal
    >>> from penalty import Booking
    >>> policy = policy_from_liteapi({"cancelPolicyInfos": [{"cancelTime": "2024-11-11 08:00:00",
    ...     "amount": Decimal("712.39"), "currency": "USD", "type": "amount",
    ...     "timezone": "GMT"}], "refundableTag": "RFN"})
    >>> booking = Booking(total="712.39", currency="USD")
    >>> [policy.quote(booking, at).fee for at in ("2024-11-11T07:59:59Z", "2024-11-11T08:00:00Z")]
    [Decimal('0.00'), Decimal('712.39')]
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from penalty.errors import InvalidPolicy
from penalty.formats._fields import (
    Raw,
    currency,
    entries,
    money,
    resolve_zone,
    step_ends,
    window,
    zoned_moment,
)
from penalty.instants import Fold
from penalty.policy import Policy, Window, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "LiteApiCancelPolicyInfo", "policy_from_liteapi"]

#: LiteAPI's rules: a step function, charged from ``cancelTime`` on, the last for ever.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.CARRY,
    basis=Basis.FEE,
)
_FIELDS = (("start", "cancelTime"), ("amount", "amount"), ("currency", "currency"))
_NAMES = dict(_FIELDS)


class LiteApiCancelPolicyInfo(Raw):
    """One ``cancelPolicyInfos`` entry, as LiteAPI sends it."""

    cancel_time: Any = Field(default=None, alias="cancelTime")
    amount: Any = None
    currency: Any = None
    type: Any = None
    timezone: Any = None


def _infos(payload: object) -> tuple[object, str, object]:
    """The entries, their path and the ``refundableTag`` beside them."""
    if isinstance(payload, list | tuple):
        return payload, "cancelPolicyInfos", None
    if isinstance(payload, dict):
        inner = payload.get("cancellationPolicies")
        if isinstance(inner, dict):
            items = inner.get("cancelPolicyInfos")
            tag = inner.get("refundableTag")
            return ([] if items is None else items), "cancellationPolicies.cancelPolicyInfos", tag
        if "cancelPolicyInfos" in payload:
            items = payload["cancelPolicyInfos"]
            return (
                ([] if items is None else items),
                "cancelPolicyInfos",
                payload.get("refundableTag"),
            )
    raise InvalidPolicy(
        "a LiteAPI policy is a cancelPolicyInfos list, a cancellationPolicies object or a rate",
        value=payload,
        code="not_a_policy",
    )


def policy_from_liteapi(
    payload: object, *, zone: str | None = None, fold: Fold = "raise"
) -> Policy:
    """A `Policy` from ``cancelPolicyInfos``, a ``cancellationPolicies`` object or a rate.

    ``zone`` reads a ``cancelTime`` whose entry names no ``timezone``.

    Raises:
        InvalidPolicy: naming the LiteAPI field (``cancelPolicyInfos[0].amount``).
    """
    items, prefix, tag = _infos(payload)
    source = WindowSource(prefix=prefix, fields=_FIELDS)
    tag_path = prefix.rsplit(".", 1)[0] + ".refundableTag" if "." in prefix else "refundableTag"
    if tag not in (None, "RFN", "NRFN"):
        raise InvalidPolicy(
            "refundableTag must be RFN or NRFN", path=tag_path, value=tag, code="unknown_tag"
        )
    raws = entries(LiteApiCancelPolicyInfo, items, prefix)
    default = None if zone is None else resolve_zone(zone, "zone")
    times = [
        zoned_moment(
            raw.cancel_time,
            raw.timezone,
            f"{prefix}[{i}]",
            "cancelTime",
            default=default,
            fold=fold,
        )
        for i, raw in enumerate(raws)
    ]
    ends = step_ends(times, lambda i: f"{prefix}[{i}].cancelTime")
    windows = [
        _window(raw, f"{prefix}[{i}]", start, end)
        for i, (raw, start, end) in enumerate(zip(raws, times, ends, strict=True))
    ]
    if tag == "NRFN":
        windows = [
            Window(start=None, end=None, percent=Decimal(100), kind="PERCENT", description="NRFN")
        ]
        source = WindowSource(prefix=tag_path, fields=())
    return Policy(windows=tuple(windows), rules=RULES, fold=fold, source=source)


def _window(raw: LiteApiCancelPolicyInfo, path: str, start: Any, end: Any) -> Window:
    if not isinstance(raw.type, str) or raw.type.casefold() != "amount":
        raise InvalidPolicy(
            "type must be amount (the only type LiteAPI documents)",
            path=f"{path}.type",
            value=raw.type,
            code="unknown_type",
        )
    if raw.amount is None:
        raise InvalidPolicy("amount is missing", path=f"{path}.amount", code="missing")
    values = {
        "start": start,
        "end": end,
        "amount": money(raw.amount, f"{path}.amount"),
        "currency": None if raw.currency is None else currency(raw.currency, f"{path}.currency"),
        "kind": "AMOUNT",
    }
    return window(values, lambda field: f"{path}.{_NAMES.get(field, field)}")
