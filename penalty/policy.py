"""Penalty windows and policies: the domain model the engine compiles.

A `Policy` is an ordered set of `Window` s plus the `Rules` that say what happens at a window's
edges, in gaps between windows and after the last one. Provider formats translate into these
types (`Policy.from_gotadi`); the engine itself never sees a provider string.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import field_validator, model_validator

from penalty._model import FrozenModel
from penalty.errors import InvalidPolicy
from penalty.instants import Fold, zone
from penalty.money import parse_decimal, validate_currency

if TYPE_CHECKING:
    from penalty.booking import Booking
    from penalty.timeline import Quote, Segment, Timeline

__all__ = [
    "AfterLast",
    "Basis",
    "Boundary",
    "Gaps",
    "Policy",
    "Rules",
    "Surcharge",
    "Window",
    "WindowKind",
    "WindowSource",
    "check_window",
]

WindowKind = Literal["NIGHTS", "AMOUNT", "PERCENT"]
_COMPONENT_OF_KIND: dict[str, str] = {"NIGHTS": "nights", "AMOUNT": "amount", "PERCENT": "percent"}
_HUNDRED = Decimal(100)


class Boundary(StrEnum):
    """Which edge of a window is inside it (SEMANTICS rule 2)."""

    #: ``[start, end)``: charged exactly at ``start``, not at ``end`` (Gotadi).
    START_INCLUSIVE = "start_inclusive"
    #: ``(start, end]``: a deadline instant is still the earlier price ("free until 18:00"
    #: includes 18:00:00.000000); charged from one microsecond after ``start``.
    END_INCLUSIVE = "end_inclusive"


class Gaps(StrEnum):
    """The fee between two windows that do not touch (SEMANTICS rule 8)."""

    #: The fee in force just before the gap continues: never under-quote (Gotadi).
    CARRY = "carry"
    #: Nothing is charged in a gap.
    FREE = "free"


class AfterLast(StrEnum):
    """The fee from the end of the last window on (SEMANTICS rule 9)."""

    #: The whole total: a no-show (Gotadi).
    NO_SHOW = "no_show"
    #: The last charge carries on forever.
    CARRY = "carry"
    #: Nothing: cancelling after the last window is free.
    FREE = "free"


class Basis(StrEnum):
    """What a window's components price."""

    #: The components are the fee (Gotadi, Expedia).
    FEE = "fee"
    #: The components are the refund; the fee is ``total - refund`` (Duffel).
    REFUND = "refund"


class Rules(FrozenModel):
    """The edge, gap and after-last rules of a policy; the defaults are Gotadi's."""

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    boundary: Boundary = Boundary.START_INCLUSIVE
    gaps: Gaps = Gaps.CARRY
    after_last: AfterLast = AfterLast.NO_SHOW
    basis: Basis = Basis.FEE


class WindowSource(FrozenModel):
    """How to name a window's fields in errors: the provider's own path and field names."""

    prefix: str = "windows"
    fields: tuple[tuple[str, str], ...] = ()
    #: The provider's name for the policy's `Surcharge` (``nonrefundable_date_ranges``).
    surcharge: str = "surcharge"

    def path(self, index: int, field: str | None = None) -> str:
        """``cancelPenalties[1].percent`` for ``(1, "percent")`` under Gotadi's names."""
        base = f"{self.prefix}[{index}]"
        if field is None:
            return base
        return f"{base}.{dict(self.fields).get(field, field)}"


def check_window(values: dict[str, Any], path: Callable[[str], str]) -> None:
    """The cross-field rules of a window: its kind's component is present, end ≥ start.

    Raises:
        InvalidPolicy: naming ``path(field)``.
    """
    components = ("percent", "amount", "nights")
    kind = values.get("kind")
    if kind is not None and values.get(_COMPONENT_OF_KIND[kind]) is None:
        component = _COMPONENT_OF_KIND[kind]
        raise InvalidPolicy(
            f"a {kind} window needs {component}",
            path=path(component),
            value="",
            code="missing_component",
        )
    if all(values.get(name) is None for name in components):
        raise InvalidPolicy(
            "a window needs percent, amount or nights",
            path=path("kind"),
            value=kind,
            code="no_component",
        )
    start, end = values.get("start"), values.get("end")
    if (
        isinstance(start, datetime)
        and isinstance(end, datetime)
        and (start.utcoffset() is None) == (end.utcoffset() is None)
        and end < start
    ):
        raise InvalidPolicy(
            "end is before start", path=path("end"), value=end.isoformat(), code="end_before_start"
        )


class Window(FrozenModel):
    """One penalty window: a period and what cancelling inside it costs.

    Components add (SEMANTICS rule 4): ``percent`` of the booking total, plus ``amount``, plus
    the first ``nights`` nights of the stay. A datetime without an offset is a wall-clock time
    in the booking's zone (or the policy's ``local_zone``), resolved when compiled.
    ``None`` for ``start``/``end`` means open: since forever / for ever.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> ict = timezone(timedelta(hours=7))
        >>> Window(start=datetime(2021, 5, 12, 18, tzinfo=ict),
        ...        end=datetime(2021, 5, 13, 18, tzinfo=ict), percent="70%").percent
        Decimal('70')
    """

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    start: datetime | None
    end: datetime | None
    percent: Decimal | None = None
    amount: Decimal | None = None
    nights: Decimal | None = None
    currency: str | None = None
    kind: WindowKind | None = None
    description: str = ""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _instant(cls, raw: object, info: Any) -> datetime | None:
        if raw is None or isinstance(raw, datetime):
            return raw
        if isinstance(raw, str) and "\x00" not in raw:  # fromisoformat stops reading at a NUL
            try:
                return datetime.fromisoformat(raw)
            except ValueError:
                pass
        raise InvalidPolicy(
            "must be a datetime or an ISO 8601 string",
            path=info.field_name,
            value=raw,
            code="invalid_datetime",
        )

    @field_validator("percent", "amount", "nights", mode="before")
    @classmethod
    def _number(cls, raw: object, info: Any) -> Decimal | None:
        if raw is None:
            return None
        name = info.field_name
        value = parse_decimal(
            raw, path=name, error=InvalidPolicy, percent=name == "percent", what=name
        )
        if name == "percent" and value > _HUNDRED:
            raise InvalidPolicy(
                "percent must be between 0 and 100",
                path=name,
                value=raw,
                code="percent_out_of_range",
            )
        return value

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, raw: object) -> str | None:
        return None if raw is None else validate_currency(raw, path="currency", error=InvalidPolicy)

    @model_validator(mode="after")
    def _consistent(self) -> Window:
        check_window(dict(self), lambda field: field)
        return self


class Surcharge(FrozenModel):
    """A charge added to the fee at every instant, the sum capped at the total.

    Before the first window, inside windows, in gaps and after the last window alike, the fee
    is ``min(window fee + surcharge, total)``: unlike overlapping windows (the highest wins),
    a surcharge always adds. Expedia Rapid's ``nonrefundable_date_ranges`` are one: "these
    nights will be charged in addition to any other cancellation penalty charges".

    Attributes:
        amount: a fixed amount, in the booking's currency.
        stay_dates: ranges of stay dates, both ends included; each night of the stay whose
            date (its check-in date) falls in a range is charged at its own rate, once. Nights
            outside the stay charge nothing. Needs the booking's dates (``check_in``, or dated
            ``nightly_rates``), or compiling is an error.
        description: free text.

    Example:
        >>> from datetime import date
        >>> Surcharge(stay_dates=((date(2021, 5, 14), date(2021, 5, 14)),)).stay_dates[0][1]
        datetime.date(2021, 5, 14)
    """

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    amount: Decimal | None = None
    stay_dates: tuple[tuple[date, date], ...] = ()
    description: str = ""

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, raw: object) -> Decimal | None:
        if raw is None:
            return None
        return parse_decimal(raw, path="amount", error=InvalidPolicy, what="amount")

    @model_validator(mode="after")
    def _ranges(self) -> Surcharge:
        for index, (first, last) in enumerate(self.stay_dates):
            if last < first:
                raise InvalidPolicy(
                    "a stay-date range ends before it starts",
                    path=f"stay_dates[{index}]",
                    value=f"{first}..{last}",
                    code="end_before_start",
                )
        return self


class Policy(FrozenModel):
    """Penalty windows plus the rules that complete them; compile against a booking to quote.

    Attributes:
        windows: in the provider's order (a quote's ``window`` indexes this tuple); the result
            never depends on the order (SEMANTICS rule 16).
        rules: boundary, gap, after-last and basis rules (Gotadi's by default).
        local_zone: the zone for window times written without an offset when the booking
            names none (Gotadi: ``Asia/Ho_Chi_Minh``); ``None`` makes such times an error.
        fold: how to read a local time in a DST gap or fold: ``"raise"`` (default),
            ``"earlier"`` or ``"later"``.
        source: the provider's field names, for errors raised while compiling.
        surcharge: a `Surcharge` added to the fee at every instant (capped at the total with
            it), or ``None``.

    Example:
        >>> from penalty import Booking
        >>> policy = Policy.from_gotadi([{"startDate": "2021-05-12T18:00:00.000+07:00",
        ...     "endDate": "2021-05-13T18:00:00.000+07:00", "type": "PERCENT",
        ...     "currency": "VND", "percent": "70%", "nights": "", "amount": "",
        ...     "description": ""}])
        >>> booking = Booking.model_validate({"total": "3000000", "currency": "VND"})
        >>> policy.quote(booking, "2021-05-13T09:00:00+07:00").fee
        Decimal('2100000')
    """

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    windows: tuple[Window, ...]
    rules: Rules = Rules()
    local_zone: str | None = None
    fold: Fold = "raise"
    source: WindowSource = WindowSource()
    surcharge: Surcharge | None = None

    @field_validator("local_zone", mode="before")
    @classmethod
    def _zone(cls, raw: object) -> str | None:
        if raw is None:
            return None
        zone(raw, path="local_zone", error=InvalidPolicy)
        return str(raw)

    @classmethod
    def from_gotadi(cls, payload: object, *, fold: Fold = "raise") -> Policy:
        """A policy from Gotadi's ``cancelPenalties`` list or a check-cancel-penalty response.

        Accepts the list itself, the ``result`` object, or the whole response
        ``{"result": {"status", "cancelPenalties", "cancelPenaltyTotal"}, ...}``; fields as
        Gotadi sends them (strings, ``""`` for absent), dates in ISO 8601 with an offset or
        ``dd/MM/yyyy HH:mm`` (read in the booking's zone, else ``Asia/Ho_Chi_Minh``).

        Raises:
            InvalidPolicy: naming the field (``cancelPenalties[1].percent``) and its value.
        """
        return _gotadi_reader()(payload, fold=fold)

    def timeline(self, booking: Booking) -> Timeline:
        """Compile against ``booking`` once; then quote any instant cheaply."""
        return _timeline_class()(self, booking)

    def quote(self, booking: Booking, at: datetime | str) -> Quote:
        """The fee of cancelling ``booking`` at ``at`` (compiles; reuse `timeline` to repeat)."""
        return self.timeline(booking).quote(at)

    def schedule(self, booking: Booking) -> tuple[Segment, ...]:
        """The fee schedule against ``booking`` (SEMANTICS rule 14)."""
        return self.timeline(booking).segments


# Imported on first use (the engine never imports a provider module up front, and the timeline
# imports this module), then remembered: an import statement in a hot method costs ~2 µs a call.
@cache
def _gotadi_reader() -> Callable[..., Policy]:
    from penalty.providers.gotadi.penalties import policy_from_gotadi

    return policy_from_gotadi


@cache
def _timeline_class() -> type[Timeline]:
    from penalty.timeline import Timeline

    return Timeline
