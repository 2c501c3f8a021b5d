"""Expedia XAP Lodging ``CancellationPenaltyRules``, translated into a `Policy`.

Source: Expedia Group's XAP Lodging API reference, as published in its SDKs
(``ExpediaGroup/xap-java-sdk``, model ``CancellationPenaltyRule`` and ``CancellationPolicy``;
https://opensource.expediagroup.com/xap-java-sdk/): ``PenaltyNightCount`` "the per-stay
cancellation fee charged in terms of the cost of the number of nights listed, in addition to
any other penalties. The rate charged is based on the earliest night(s) of the stay";
``PenaltyPercentOfStay`` "as a percentage of the total rate, in addition to any other penalties
listed"; ``PenaltyPrice`` (``Value``, ``Currency``); ``PenaltyStartDateTime`` /
``PenaltyEndDateTime`` "the window of time when the CancellationPenaltyRule is in effect [...]
local to the hotel".

The rules, as Expedia documents them and as we complete them:

- Components add within a rule (nights + percent of the total + price), nights being the
  earliest nights of the stay: exactly the engine's window.
- Key casing varies in Expedia's own examples (``PenaltyNightCount``, ``penaltyNightCount``):
  every key is matched ignoring case.
- Boundary (assumed): ``[start, end)`` (``Boundary.START_INCLUSIVE``). Before the first rule:
  free. Gaps (assumed): carry. After the last rule (assumed): the whole total.
- Times with an offset are instants; without one, the hotel's local time (the booking's zone).
- ``NonRefundableDateRanges`` ("always charged whenever there is any cancellation penalty
  rule") is refused when not empty: charging those nights only inside rules is not modelled,
  and ignoring them would under-quote.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_expedia_xap({"cancellationPenaltyRules": [
    ...     {"penaltyNightCount": 1, "penaltyStartDateTime": "2024-06-01T18:00:00-04:00",
    ...      "penaltyEndDateTime": "2024-06-03T18:00:00-04:00"}]})
    >>> booking = Booking.model_validate({"total": "300.00", "currency": "USD",
    ...     "nightly_rates": ["120.00", "180.00"]})
    >>> policy.quote(booking, "2024-06-02T00:00:00-04:00").fee
    Decimal('120.00')
"""

from __future__ import annotations

from typing import Any

from penalty.errors import InvalidPolicy
from penalty.formats._fields import count, currency, find_key, moment, money, percent, window
from penalty.instants import Fold
from penalty.limits import MAX_WINDOWS, check_count
from penalty.policy import Policy, Window, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["FIELDS", "RULES", "policy_from_expedia_xap"]

#: XAP's rules (assumed where undocumented).
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)
#: The rule's fields in Expedia's casing (matched ignoring case).
FIELDS = (
    "PenaltyNightCount",
    "PenaltyPercentOfStay",
    "PenaltyPrice",
    "PenaltyStartDateTime",
    "PenaltyEndDateTime",
)
_SOURCE = (
    ("start", "PenaltyStartDateTime"),
    ("end", "PenaltyEndDateTime"),
    ("nights", "PenaltyNightCount"),
    ("percent", "PenaltyPercentOfStay"),
    ("amount", "PenaltyPrice.Value"),
    ("currency", "PenaltyPrice.Currency"),
)
_NAMES = dict(_SOURCE)


def _get(obj: dict[str, Any], name: str) -> Any:
    key = find_key(obj, name)
    return None if key is None else obj[key]


def _rules(payload: object) -> tuple[list[Any], str]:
    """The rules list and its path (in Expedia's casing), of at most `MAX_WINDOWS` rules."""
    items, path = _find_rules(payload)
    check_count(
        len(items),
        MAX_WINDOWS,
        what="rules (windows)",
        path=path,
        error=InvalidPolicy,
        code="too_many_windows",
    )
    return list(items), path


def _find_rules(payload: object) -> tuple[list[Any] | tuple[Any, ...], str]:
    if isinstance(payload, list | tuple):
        return payload, "CancellationPenaltyRules"
    if isinstance(payload, dict):
        policy_key = find_key(payload, "CancellationPolicy")
        holder, prefix = payload, ""
        if policy_key is not None and isinstance(payload[policy_key], dict):
            holder, prefix = payload[policy_key], "CancellationPolicy."
        ranges = _get(holder, "NonRefundableDateRanges")
        if ranges:
            raise InvalidPolicy(
                "NonRefundableDateRanges (nights charged whenever a rule applies) are not "
                "supported; refusing rather than under-quoting",
                path=f"{prefix}NonRefundableDateRanges",
                value=ranges,
                code="unsupported",
            )
        key = find_key(holder, "CancellationPenaltyRules")
        if key is not None:
            items = holder[key]
            path = f"{prefix}CancellationPenaltyRules"
            if items is None:
                return [], path
            if not isinstance(items, list | tuple):
                raise InvalidPolicy("must be a list", path=path, value=items, code="wrong_type")
            return items, path
    raise InvalidPolicy(
        "an Expedia XAP policy is a CancellationPenaltyRules list or a CancellationPolicy",
        value=payload,
        code="not_a_policy",
    )


def policy_from_expedia_xap(payload: object, *, fold: Fold = "raise") -> Policy:
    """A `Policy` from ``CancellationPenaltyRules``, a ``CancellationPolicy`` or its holder.

    Raises:
        InvalidPolicy: naming the XAP field (``CancellationPenaltyRules[0].PenaltyPercentOfStay``).
    """
    items, prefix = _rules(payload)
    windows = [_window(item, f"{prefix}[{i}]", fold) for i, item in enumerate(items)]
    return Policy(
        windows=tuple(windows),
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=prefix, fields=_SOURCE),
    )


def _window(item: object, path: str, fold: Fold) -> Window:
    if not isinstance(item, dict):
        raise InvalidPolicy("must be an object", path=path, value=item, code="wrong_type")
    values: dict[str, Any] = {}
    for field, name in (("start", "PenaltyStartDateTime"), ("end", "PenaltyEndDateTime")):
        raw = _get(item, name)
        values[field] = None if raw is None else moment(raw, f"{path}.{name}", fold=fold)
    nights = _get(item, "PenaltyNightCount")
    if nights is not None:
        values["nights"] = count(nights, f"{path}.PenaltyNightCount")
    share = _get(item, "PenaltyPercentOfStay")
    if share is not None and share != "":
        values["percent"] = percent(share, f"{path}.PenaltyPercentOfStay")
    price = _get(item, "PenaltyPrice")
    if price is not None:
        if not isinstance(price, dict):
            raise InvalidPolicy(
                "must be an object with Value and Currency",
                path=f"{path}.PenaltyPrice",
                value=price,
                code="wrong_type",
            )
        value = _get(price, "Value")
        if value is not None:
            values["amount"] = money(value, f"{path}.PenaltyPrice.Value")
        code = _get(price, "Currency")
        if code is not None:
            values["currency"] = currency(code, f"{path}.PenaltyPrice.Currency")
    return window(values, lambda field: f"{path}.{_NAMES.get(field, field)}")
