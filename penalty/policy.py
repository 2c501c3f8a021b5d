"""Penalty windows and policies: the domain model the engine compiles.

A `Policy` is an ordered set of penalty windows plus the `Rules` that complete them. Its
``windows`` are `Windows`, a sequence stored in columns (each edge an integer nanosecond, each
component a `Decimal`): a provider format fills the columns directly, the compiler reads them
directly, and a `Window` model is built only when a caller asks for one (``policy.windows[0]``).
A policy of 100,000 windows keeps about 150 bytes a window.

Compile a policy against a booking with `penalty.compile` (or ``policy.timeline(booking)``);
read a provider's payload into one with `penalty.formats.parse` (or ``Policy.from_gotadi``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, cast, overload

from pydantic import PlainSerializer, PlainValidator, field_validator, model_validator

from penalty._model import FrozenModel, construct
from penalty.errors import InvalidPolicy, PenaltyError
from penalty.instants import (
    Fold,
    from_nanos,
    parse_iso,
    to_nanos,
    wall_nanos,
    wall_time,
    zone,
)
from penalty.limits import MAX_DATE_RANGES, MAX_WINDOWS, check_count
from penalty.money import parse_decimal, validate_currency
from penalty.rules import Rules, check_order, check_percent

if TYPE_CHECKING:  # types only: the layers above install these methods (see `Policy`)
    from penalty.booking import Booking
    from penalty.timeline import Quote, Segment, Timeline

__all__ = [
    "COMPONENTS",
    "Policy",
    "PolicyWarning",
    "Row",
    "Surcharge",
    "Window",
    "WindowKind",
    "WindowSource",
    "Windows",
    "check_components",
    "read_component",
]

WindowKind = Literal["NIGHTS", "AMOUNT", "PERCENT"]
#: The component each kind of window needs (SEMANTICS rule 4).
COMPONENTS: dict[str, str] = {"NIGHTS": "nights", "AMOUNT": "amount", "PERCENT": "percent"}


class PolicyWarning(FrozenModel):
    """Something a quote's reader should know (SEMANTICS rule 19).

    ``code`` is one of ``assumed_zone``, ``zero_length_window``, ``average_night``,
    ``no_windows``, ``rates_do_not_add_up``.
    """

    code: str
    path: str | None
    message: str


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
        for name, provider in self.fields:
            if name == field:
                return f"{base}.{provider}"
        return f"{base}.{field}"


def read_component(raw: object, field: str, path: str | None) -> Decimal | None:
    """A window's ``percent``, ``amount`` or ``nights`` (``None`` when absent).

    Rule 5's range for a percent is checked here, for every format.
    """
    if raw is None:
        return None
    percent = field == "percent"
    value = parse_decimal(raw, path=path, error=InvalidPolicy, percent=percent, what=field)
    return check_percent(value, path=path, raw=raw) if percent else value


def check_components(
    kind: str | None,
    percent: Decimal | None,
    amount: Decimal | None,
    nights: Decimal | None,
    path: Callable[[str], str | None],
) -> None:
    """Rule 4: a window's kind names a component it carries, and it carries one at least.

    ``path(field)`` names a field in an error (called only to refuse).
    """
    if kind is None:
        if percent is None and amount is None and nights is None:
            raise InvalidPolicy(
                "a window needs percent, amount or nights",
                path=path("kind"),
                value=kind,
                code="no_component",
            )
        return
    component = COMPONENTS[kind]
    present = percent if component == "percent" else amount if component == "amount" else nights
    if present is None:
        raise InvalidPolicy(
            f"a {kind} window needs {component}",
            path=path(component),
            value="",
            code="missing_component",
        )


def _edge(moment: datetime | None) -> tuple[int | None, tzinfo | None]:
    """A window edge as (nanoseconds, zone): absolute with a zone, wall-clock without one."""
    if moment is None:
        return None, None
    if moment.utcoffset() is None:
        return wall_nanos(moment), None
    return to_nanos(moment), moment.tzinfo


def _moment(nanos: int | None, tz: tzinfo | None) -> datetime | None:
    if nanos is None:
        return None
    return wall_time(nanos) if tz is None else from_nanos(nanos, tz)


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
        if raw is None:
            return raw
        if isinstance(raw, datetime):
            try:  # the caller's tzinfo runs here: whatever it raises is an error of the input
                raw.utcoffset()
            except Exception as exc:
                raise InvalidPolicy(
                    f"the datetime's tzinfo failed ({type(exc).__name__})",
                    path=info.field_name,
                    value=raw,
                    code="invalid_tzinfo",
                ) from exc
            return raw
        nanos, tz = parse_iso(raw, path=info.field_name, error=InvalidPolicy)
        return _moment(nanos, tz)

    @field_validator("percent", "amount", "nights", mode="before")
    @classmethod
    def _number(cls, raw: object, info: Any) -> Decimal | None:
        return read_component(raw, info.field_name, info.field_name)

    @field_validator("currency", mode="before")
    @classmethod
    def _currency(cls, raw: object) -> str | None:
        return None if raw is None else validate_currency(raw, path="currency", error=InvalidPolicy)

    @model_validator(mode="after")
    def _consistent(self) -> Window:
        check_components(self.kind, self.percent, self.amount, self.nights, lambda f: f)
        start, start_zone = _edge(self.start)
        end, end_zone = _edge(self.end)
        if (start_zone is None) == (end_zone is None):  # comparable: both absolute, or both wall
            check_order(start, end, path="end", value=lambda: self.end and self.end.isoformat())
        return self


_Columns = tuple[
    list[int | None],  # starts: nanoseconds (absolute with a zone, wall-clock without)
    list[tzinfo | None],  # start zones
    list[int | None],  # ends
    list[tzinfo | None],  # end zones
    list[Decimal | None],  # percents
    list[Decimal | None],  # amounts
    list[Decimal | None],  # nights
    list[str | None],  # currencies
    list[str | None],  # kinds
    list[str],  # descriptions
]


#: One window's values in column order (what `Windows.from_rows` takes): start, its zone, end,
#: its zone, percent, amount, nights, currency, kind, description.
Row = tuple[
    int | None,
    tzinfo | None,
    int | None,
    tzinfo | None,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    str | None,
    str | None,
    str,
]


class Windows(Sequence[Window]):
    """A policy's windows, stored in columns; ``windows[i]`` builds the `Window` model.

    Build one from `Window` models (``Windows.of(...)``), from columns (a format's parser), or
    let `Policy` validate a list of windows or dicts. Equal columns are equal windows.
    """

    __slots__ = (
        "amounts",
        "currencies",
        "descriptions",
        "end_zones",
        "ends",
        "kinds",
        "nights",
        "percents",
        "start_zones",
        "starts",
    )

    starts: list[int | None]
    start_zones: list[tzinfo | None]
    ends: list[int | None]
    end_zones: list[tzinfo | None]
    percents: list[Decimal | None]
    amounts: list[Decimal | None]
    nights: list[Decimal | None]
    currencies: list[str | None]
    kinds: list[str | None]
    descriptions: list[str]

    def __init__(self, columns: _Columns | None = None) -> None:
        if columns is None:
            columns = ([], [], [], [], [], [], [], [], [], [])
        (
            self.starts,
            self.start_zones,
            self.ends,
            self.end_zones,
            self.percents,
            self.amounts,
            self.nights,
            self.currencies,
            self.kinds,
            self.descriptions,
        ) = columns

    @classmethod
    def from_rows(cls, rows: Sequence[Row]) -> Windows:
        """Columns from already-validated rows, one per window, in column order."""
        if not rows:
            return cls()
        return cls(tuple(map(list, zip(*rows, strict=True))))  # type: ignore[arg-type]

    @classmethod
    def of(cls, windows: Iterable[Window]) -> Windows:
        """Columns from validated `Window` models."""
        built = cls()
        for window in windows:
            built.append(window)
        return built

    def append(self, window: Window) -> None:
        """Add one validated `Window` (while building; a policy's windows never change)."""
        start, start_zone = _edge(window.start)
        end, end_zone = _edge(window.end)
        self.add(
            start,
            start_zone,
            end,
            end_zone,
            window.percent,
            window.amount,
            window.nights,
            window.currency,
            window.kind,
            window.description,
        )

    def add(
        self,
        start: int | None,
        start_zone: tzinfo | None,
        end: int | None,
        end_zone: tzinfo | None,
        percent: Decimal | None,
        amount: Decimal | None,
        nights: Decimal | None,
        currency: str | None,
        kind: str | None,
        description: str,
    ) -> None:
        """Add one window from already-validated values (a format's parser calls this)."""
        self.starts.append(start)
        self.start_zones.append(start_zone)
        self.ends.append(end)
        self.end_zones.append(end_zone)
        self.percents.append(percent)
        self.amounts.append(amount)
        self.nights.append(nights)
        self.currencies.append(currency)
        self.kinds.append(kind)
        self.descriptions.append(description)

    def _columns(self) -> _Columns:
        return (
            self.starts,
            self.start_zones,
            self.ends,
            self.end_zones,
            self.percents,
            self.amounts,
            self.nights,
            self.currencies,
            self.kinds,
            self.descriptions,
        )

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Window: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Window, ...]: ...
    def __getitem__(self, index: int | slice) -> Window | tuple[Window, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        i = range(len(self))[index]  # IndexError as a tuple would raise it
        return construct(
            Window,
            {
                "start": _moment(self.starts[i], self.start_zones[i]),
                "end": _moment(self.ends[i], self.end_zones[i]),
                "percent": self.percents[i],
                "amount": self.amounts[i],
                "nights": self.nights[i],
                "currency": self.currencies[i],
                "kind": self.kinds[i],
                "description": self.descriptions[i],
            },
        )

    def __iter__(self) -> Iterator[Window]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Windows):
            return self._key() == other._key()
        if isinstance(other, tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        # Zones compare by the offset they give (a window written +07:00 twice is one window).
        starts = tuple(self._instants(self.starts, self.start_zones))
        ends = tuple(self._instants(self.ends, self.end_zones))
        rest = self._columns()[4:]
        return (starts, ends, *(tuple(column) for column in rest))

    @staticmethod
    def _instants(
        values: list[int | None], zones: list[tzinfo | None]
    ) -> Iterator[tuple[int | None, bool]]:
        return ((value, tz is None) for value, tz in zip(values, zones, strict=True))

    def __repr__(self) -> str:
        return f"Windows({list(self)!r})"


def _validate_windows(value: object) -> Windows:
    if isinstance(value, Windows):
        return value
    if not isinstance(value, list | tuple):
        raise InvalidPolicy(
            "windows must be a list of windows", path="windows", value=value, code="wrong_type"
        )
    check_count(
        len(value),
        MAX_WINDOWS,
        what="windows",
        path="windows",
        error=InvalidPolicy,
        code="too_many_windows",
    )
    built = Windows()
    for index, item in enumerate(value):
        try:
            window = item if isinstance(item, Window) else Window.model_validate(item)
        except PenaltyError as exc:
            raise exc.under(f"windows[{index}]") from exc.__cause__
        built.append(window)
    return built


#: `Policy.windows`: a sequence of `Window` s to whoever reads it, stored as `Windows`; validated
#: from `Window` s or dicts, dumped as a list of windows.
WindowsField = Annotated[
    Sequence[Window],
    PlainValidator(_validate_windows, json_schema_input_type=list[Window]),
    PlainSerializer(list, return_type=list[Window]),
]


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
        return read_component(raw, "amount", "amount")

    @field_validator("stay_dates", mode="before")
    @classmethod
    def _count(cls, raw: object) -> object:
        if isinstance(raw, list | tuple):  # counted before a single range is read
            check_count(
                len(raw),
                MAX_DATE_RANGES,
                what="stay-date ranges",
                path="stay_dates",
                error=InvalidPolicy,
                code="too_many_ranges",
            )
        return raw

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
        windows: in the provider's order (a quote's ``window`` indexes it); the result never
            depends on the order (SEMANTICS rule 16). Give `Window` s or dicts of their fields.
        rules: boundary, gap, after-last and basis rules (Gotadi's by default).
        local_zone: the zone for window times written without an offset when the booking
            names none (Gotadi: ``Asia/Ho_Chi_Minh``); ``None`` makes such times an error.
        fold: how to read a local time in a DST gap or fold: ``"raise"`` (default),
            ``"earlier"`` or ``"later"``.
        source: the provider's field names, for errors raised while compiling.
        surcharge: a `Surcharge` added to the fee at every instant (capped at the total with
            it), or ``None``.

    Example:
        >>> import penalty
        >>> policy = penalty.from_gotadi([{"startDate": "2021-05-12T18:00:00.000+07:00",
        ...     "endDate": "2021-05-13T18:00:00.000+07:00", "type": "PERCENT",
        ...     "currency": "VND", "percent": "70%", "nights": "", "amount": "",
        ...     "description": ""}])
        >>> booking = penalty.Booking.model_validate({"total": "3000000", "currency": "VND"})
        >>> penalty.compile(policy, booking).quote("2021-05-13T09:00:00+07:00").fee
        Decimal('2100000')
        >>> Policy.model_validate(policy.model_dump()) == policy
        True
    """

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    windows: WindowsField
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

    @property
    def columns(self) -> Windows:
        """The windows as stored, in columns (what the compiler reads)."""
        return cast("Windows", self.windows)

    if TYPE_CHECKING:
        # Shortcuts that compile or parse belong to the layers that do it: `penalty.timeline`
        # installs the first three, `penalty.formats` the last; importing `penalty` loads both.
        def timeline(self, booking: Booking) -> Timeline:
            """Compile against ``booking`` once (`penalty.compile`)."""

        def quote(self, booking: Booking, at: datetime | str) -> Quote:
            """The fee of cancelling ``booking`` at ``at``."""

        def schedule(self, booking: Booking) -> tuple[Segment, ...]:
            """The fee schedule against ``booking``."""

        @classmethod
        def from_gotadi(cls, payload: object, *, fold: Fold = "raise") -> Policy:
            """`penalty.from_gotadi`."""
