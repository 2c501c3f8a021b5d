"""DerbySoft cancel policy codes (``AD20_7D50_3D1N_1D50P_6PM0D80P_100P``), as a `Policy`.

Source: DerbySoft's distributor knowledge base, "取消政策" (Cancellation policy),
https://go-console-distributor.knowledgebase.derbysoftsec.com/zh-CN/support/solutions/articles/70000524157
(no English version of the page was reachable from here; its two worked examples are tests,
``fixtures/formats/derbysoft/``). A room rate carries the code as ``cancelPolicy.code`` (as in
DerbySoft's booking API rate objects, e.g. ``{"code": "1D1N_1N", ...}``).

The code, as DerbySoft documents it and as we complete it:

- Segments are separated by ``_``; **the last one is the no-show penalty** ("未入住的罚款规则").
- Every other segment is ``[cutoff](AD|nD)penalty``: from ``n`` days before the check-in date
  at the cutoff time ("1D means 24 hours before the cut-off time"), until the next segment
  with fewer days; ``AD`` ("any days in advance") from the booking on (an open start). The
  cutoff is ``[1-12]AM|PM`` (``6PM``, ``12AM``); DerbySoft writes it once, on the ``0D``
  segment, and its examples apply it to every ``nD`` (``7D50`` runs "from 2016-10-08 6 PM"):
  it is the code's one cutoff. Default ``12AM``, midnight at the start of the check-in date
  (documented). Two different cutoffs in one code are refused.
- Days are **calendar days** in the hotel's local zone (documented: "the time zone of the
  deadline or days in advance is the hotel's local zone"; the examples name local 6 PM on each
  date), so across a DST change a deadline keeps its local hour: each edge is a calendar
  `Deadline` (SEMANTICS rule 22), resolved against the booking's ``check_in`` in its
  ``timezone`` (else ``zone=``). The check-in time is not used.
- The last day segment runs until the no-show starts; the no-show penalty applies from
  midnight at the end of the check-in date on (documented by the second example: ``6PM0D50P``
  covers "6 PM to 11:59 PM" of the check-in date). A code without ``AD`` is free before its
  earliest deadline (assumed: nothing is charged before a listed deadline).
- Penalties: ``80P`` is 80% of the total room charge (the booking ``total``), ``1N`` the first
  night, ``2N`` the first two (at their own rates, rule 6), a plain number an amount in the
  rate's currency (``50`` is 50 USD for a USD rate; checked against the rate's ``currency``
  when the payload gives one).
- Boundary (assumed): a deadline instant already pays the later penalty
  (``Boundary.START_INCLUSIVE``, ``[deadline, next deadline)``).

Accepted payloads: the code itself (``"AD0_1D50P_100P"``), ``{"code": ...}`` (a cancel
policy), or a rate holding one as ``cancelPolicy`` (with ``currency``).

Example:
    >>> from penalty import Booking
    >>> policy = policy_from_derbysoft("AD0_1D50P_6PM0D80P_100P")
    >>> booking = Booking.model_validate({"total": "300.00", "currency": "USD",
    ...     "check_in": "2016-10-15", "check_out": "2016-10-17", "timezone": "Asia/Shanghai"})
    >>> for segment in policy.schedule(booking):
    ...     print(segment.start, segment.fee)
    None 0.00
    2016-10-14 18:00:00+08:00 150.00
    2016-10-15 18:00:00+08:00 240.00
    2016-10-16 00:00:00+08:00 300.00
"""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal
from typing import Any, Final

from penalty.errors import InvalidPolicy
from penalty.formats._fields import count, currency, money, percent, resolve_zone
from penalty.instants import Fold
from penalty.policy import Deadline, Policy, Windows, WindowSource
from penalty.rules import AfterLast, Basis, Boundary, Gaps, Rules

__all__ = ["CODE", "RULES", "policy_from_derbysoft"]

#: DerbySoft's rules (the boundary assumed): ``[deadline, next deadline)``, no gaps.
RULES = Rules(
    boundary=Boundary.START_INCLUSIVE,
    gaps=Gaps.CARRY,
    after_last=AfterLast.NO_SHOW,
    basis=Basis.FEE,
)
_PENALTY = r"[0-9]{1,12}(?:\.[0-9]{1,6})?[PN]?"
_DAY_SEGMENT = rf"(?:(?:1[0-2]|[1-9])(?:AM|PM))?(?:AD|[0-9]{{1,4}}D){_PENALTY}"
#: A whole code: day segments, then the no-show penalty, joined by underscores.
CODE: Final = re.compile(rf"(?:{_DAY_SEGMENT}_){{0,60}}{_PENALTY}")
_SEGMENT = re.compile(
    r"(?:(?P<hour>1[0-2]|[1-9])(?P<half>AM|PM))?(?P<days>AD|[0-9]{1,4}D)"
    r"(?P<value>[0-9]{1,12}(?:\.[0-9]{1,6})?)(?P<unit>[PN]?)"
)
_NO_SHOW = re.compile(r"(?P<value>[0-9]{1,12}(?:\.[0-9]{1,6})?)(?P<unit>[PN]?)")
_MIDNIGHT = time(0, 0)
_NOON = 12
#: The no-show starts at midnight at the end of the check-in date: one calendar day after.
_NO_SHOW_START = Deadline(kind="calendar", days=-1, at=_MIDNIGHT)
_FIELDS = (("percent", "penalty"), ("amount", "penalty"), ("nights", "penalty"))

#: A read penalty: (percent, amount, nights, kind).
_Penalty = tuple[Decimal | None, Decimal | None, Decimal | None, str]


def policy_from_derbysoft(
    payload: object, *, zone: str | None = None, fold: Fold = "raise"
) -> Policy:
    """A `Policy` from a DerbySoft cancel policy code, ``{"code": ...}`` or a rate.

    ``zone`` is the hotel's IANA zone, for bookings that name none (the days are local).

    Raises:
        InvalidPolicy: a malformed code, naming its segment (``code[2]``, counted from 0).
    """
    code, path, rate_currency = _code(payload)
    local_zone = None if zone is None else _zone(zone)
    if CODE.fullmatch(code) is None:
        raise InvalidPolicy(
            "not a DerbySoft cancel policy code like AD20_7D50_3D1N_1D50P_6PM0D80P_100P",
            path=path,
            value=code,
            code="invalid_code",
        )
    *parts, last = code.split("_")
    days: list[tuple[int | None, _Penalty, int]] = []
    cutoff: time | None = None
    for index, part in enumerate(parts):
        match = _SEGMENT.fullmatch(part)
        if match is None:  # pragma: no cover - the whole code matched the grammar
            raise InvalidPolicy("malformed segment", path=f"{path}[{index}]", value=part)
        cutoff = _cutoff(match, cutoff, f"{path}[{index}]")
        before = None if match["days"] == "AD" else int(match["days"][:-1])
        days.append((before, _penalty(match, f"{path}[{index}]"), index))
    _check_days(days, path)
    no_show = _NO_SHOW.fullmatch(last)
    if no_show is None:  # pragma: no cover - the whole code matched the grammar
        raise InvalidPolicy("malformed no-show penalty", path=f"{path}[{len(parts)}]", value=last)
    clock = _MIDNIGHT if cutoff is None else cutoff
    ordered = sorted(days, key=lambda day: (day[0] is not None, -(day[0] or 0)))  # AD first
    windows = Windows()
    paths: list[str] = []
    for place, (before, (pct, amount, nights, kind), index) in enumerate(ordered):
        start = None if before is None else Deadline(kind="calendar", days=before, at=clock)
        following = ordered[place + 1][0] if place + 1 < len(ordered) else None
        # Only AD (the earliest) has no days: every segment after the first has some.
        end = (
            _NO_SHOW_START
            if following is None
            else Deadline(kind="calendar", days=following, at=clock)
        )
        description = "any time before" if before is None else f"{before} days before"
        priced_in = rate_currency if amount is not None else None
        windows.add(None, start, None, end, pct, amount, nights, priced_in, kind, description)
        paths.append(f"{path}[{index}]")
    pct, amount, nights, kind = _penalty(no_show, f"{path}[{len(parts)}]")
    priced_in = rate_currency if amount is not None else None
    windows.add(None, _NO_SHOW_START, None, None, pct, amount, nights, priced_in, kind, "no-show")
    paths.append(f"{path}[{len(parts)}]")
    return Policy(
        windows=windows,
        rules=RULES,
        local_zone=local_zone,
        fold=fold,
        source=WindowSource(prefix=path, fields=_FIELDS, paths=tuple(paths)),
    )


def _zone(name: str) -> str:
    resolve_zone(name, "zone")
    return name


def _code(payload: object) -> tuple[str, str, str | None]:
    """The code, its path, and the rate's currency when the payload gives one."""
    if isinstance(payload, str):
        return payload, "code", None
    if isinstance(payload, dict):
        if isinstance(payload.get("cancelPolicy"), dict):
            inner: dict[str, Any] = payload["cancelPolicy"]
            code = inner.get("code")
            raw = payload.get("currency")
            rate = None if raw is None else currency(raw, "currency")
            if isinstance(code, str):
                return code, "cancelPolicy.code", rate
            raise InvalidPolicy(
                "cancelPolicy.code must be a DerbySoft code",
                path="cancelPolicy.code",
                value=code,
                code="missing" if code is None else "wrong_type",
            )
        if "code" in payload:
            if isinstance(payload["code"], str):
                return payload["code"], "code", None
            raise InvalidPolicy(
                "code must be a DerbySoft code",
                path="code",
                value=payload["code"],
                code="wrong_type",
            )
    raise InvalidPolicy(
        'a DerbySoft policy is a cancel policy code, {"code": ...}, or a rate holding one as '
        "cancelPolicy",
        value=payload,
        code="not_a_policy",
    )


def _cutoff(match: re.Match[str], known: time | None, path: str) -> time | None:
    """The code's one cutoff: ``6PM`` is 18:00, ``12AM`` midnight, ``12PM`` noon."""
    if match["hour"] is None:
        return known
    hour = int(match["hour"]) % _NOON + (_NOON if match["half"] == "PM" else 0)
    clock = time(hour, 0)
    if known is not None and known != clock:
        raise InvalidPolicy(
            "two different cutoff times in one code",
            path=path,
            value=f"{match['hour']}{match['half']}",
            code="two_cutoffs",
        )
    return clock


def _check_days(days: list[tuple[int | None, _Penalty, int]], path: str) -> None:
    seen: set[int | None] = set()
    for before, _, index in days:
        if before in seen:
            raise InvalidPolicy(
                "two segments for the same day",
                path=f"{path}[{index}]",
                value="AD" if before is None else f"{before}D",
                code="duplicate_day",
            )
        seen.add(before)


def _penalty(match: re.Match[str], path: str) -> _Penalty:
    """``80P`` (percent of the total), ``1N`` (nights) or ``50`` (an amount)."""
    value = match["value"]
    if match["unit"] == "P":
        return percent(value, path), None, None, "PERCENT"
    if match["unit"] == "N":
        return None, None, count(value, path), "NIGHTS"
    return None, money(value, path), None, "AMOUNT"
