"""Innstant (Mishor) cancellation frames, translated into a `Policy`.

Source: Mishor 4 documentation, "Cancellation Policies"
(http://resources.innstant.com/mishor-4-documentation/6-lookups/cancellation-policies):
"The cancellation policy is built using Frames. [...] The first frame begins on the booking
date, and ends on the date specified in the endTime parameter. The next frame begins on the
previous frame's endTime, and so on. The type parameter possible values are:
fully-refundable, partial, non-refundable or according-to-terms." Its example: a frame ending
``2017-09-14 00:00:00`` UTC means free "until 23:59:59 UTC, September 13th", charged "from
00:00:00 UTC, September 14th". "Note that cancellation is not permitted after the check-in
date." Mishor documents frames in XML (``<frame endTime timezone type><cost amount
currency/></frame>``); in JSON each attribute is a key: ``{"endTime", "timezone", "type",
"cost": {"amount", "currency"}}``, inside ``{"cancellation": {"frames": [...]}}``.

The rules, as Innstant documents them and as we complete them:

- Frame ends are exclusive: a frame covers ``[previous endTime, endTime)``, the first one from
  the booking on (``Boundary.START_INCLUSIVE``, documented by the example).
- ``fully-refundable`` costs nothing, ``partial`` costs ``cost.amount``, ``non-refundable`` the
  whole total; ``according-to-terms`` (unparseable terms) is read as non-refundable (Mishor
  allows it: "you can choose either to treat it as non-refundable").
- After the last frame: the whole total (cancelling is not permitted; ``AfterLast.NO_SHOW``).
- ``endTime`` is read in the frame's ``timezone`` (``UTC``), else in the ``zone`` argument, else
  in the booking's zone.

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_innstant({"cancellation": {"frames": [
    ...     {"endTime": "2017-09-14 00:00:00", "timezone": "UTC", "type": "fully-refundable"},
    ...     {"endTime": "2017-09-18 00:00:00", "timezone": "UTC", "type": "partial",
    ...      "cost": {"amount": "1117", "currency": "USD"}}]}})
    >>> booking = Booking(total="2234.00", currency="USD")
    >>> [str(s.fee) for s in policy.schedule(booking)]
    ['0.00', '1117.00', '2234.00']
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from penalty.errors import InvalidPolicy
from penalty.formats._fields import (
    Raw,
    currency,
    entries,
    money,
    resolve_zone,
    step_starts,
    window,
    zoned_moment,
)
from penalty.instants import Fold
from penalty.policy import Policy, Window, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["RULES", "InnstantCost", "InnstantFrame", "policy_from_innstant"]

#: Innstant's rules: exclusive frame ends, no cancelling after the last frame.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)
TYPES = ("fully-refundable", "partial", "non-refundable", "according-to-terms")
_FIELDS = (
    ("end", "endTime"),
    ("amount", "cost.amount"),
    ("currency", "cost.currency"),
    ("kind", "type"),
)
_NAMES = dict(_FIELDS)


class InnstantCost(Raw):
    """A frame's ``cost``."""

    amount: Any = None
    currency: Any = None


class InnstantFrame(Raw):
    """One cancellation ``frame``, as Innstant sends it."""

    end_time: Any = Field(default=None, alias="endTime")
    timezone: Any = None
    type: Any = None
    cost: InnstantCost | None = None
    remarks: Any = None


def _frames(payload: object) -> tuple[object, str]:
    if isinstance(payload, list | tuple):
        return payload, "frames"
    if isinstance(payload, dict):
        inner = payload.get("cancellation")
        if isinstance(inner, dict) and "frames" in inner:
            items = inner["frames"]
            return ([] if items is None else items), "cancellation.frames"
        if "frames" in payload:
            items = payload["frames"]
            return ([] if items is None else items), "frames"
    raise InvalidPolicy(
        "an Innstant policy is a frames list or a cancellation object holding one",
        value=payload,
        code="not_a_policy",
    )


def policy_from_innstant(
    payload: object, *, zone: str | None = None, fold: Fold = "raise"
) -> Policy:
    """A `Policy` from Innstant ``frames`` or ``{"cancellation": {"frames": [...]}}``.

    ``zone`` reads an ``endTime`` whose frame names no ``timezone``.

    Raises:
        InvalidPolicy: naming the Innstant field (``cancellation.frames[1].cost.amount``).
    """
    items, prefix = _frames(payload)
    raws = entries(InnstantFrame, items, prefix)
    default = None if zone is None else resolve_zone(zone, "zone")
    ends = [
        zoned_moment(
            raw.end_time, raw.timezone, f"{prefix}[{i}]", "endTime", default=default, fold=fold
        )
        for i, raw in enumerate(raws)
    ]
    starts = step_starts(ends, lambda i: f"{prefix}[{i}].endTime")
    windows = [
        _window(raw, f"{prefix}[{i}]", start, end)
        for i, (raw, start, end) in enumerate(zip(raws, starts, ends, strict=True))
    ]
    return Policy(
        windows=tuple(windows),
        rules=RULES,
        fold=fold,
        source=WindowSource(prefix=prefix, fields=_FIELDS),
    )


def _window(raw: InnstantFrame, path: str, start: Any, end: Any) -> Window:
    kind = raw.type
    if kind not in TYPES:
        raise InvalidPolicy(
            "type must be fully-refundable, partial, non-refundable or according-to-terms",
            path=f"{path}.type",
            value=kind,
            code="unknown_type",
        )
    values: dict[str, Any] = {"start": start, "end": end, "description": kind}
    if kind == "fully-refundable":
        values.update(amount=0, kind="AMOUNT")
    elif kind == "partial":
        if raw.cost is None or raw.cost.amount is None:
            raise InvalidPolicy(
                "a partial frame needs cost.amount", path=f"{path}.cost.amount", code="missing"
            )
        values.update(amount=money(raw.cost.amount, f"{path}.cost.amount"), kind="AMOUNT")
        if raw.cost.currency is not None:
            values["currency"] = currency(raw.cost.currency, f"{path}.cost.currency")
    else:  # non-refundable, according-to-terms: the whole total
        values.update(percent=100, kind="PERCENT")
    return window(values, lambda field: f"{path}.{_NAMES.get(field, field)}")
