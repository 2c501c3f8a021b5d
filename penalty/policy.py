"""Penalty windows and policies: the domain model the engine compiles.

A `Policy` is an ordered set of penalty windows plus the `Rules` that complete them. Its
``windows`` are `Windows`, a sequence stored in columns (each edge an integer nanosecond, each
component a `Decimal`): a provider format fills the columns directly, the compiler reads them
directly, and a `Window` model is built only when a caller asks for one (``policy.windows[0]``).
A policy of 100,000 windows keeps about 150 bytes a window.

A window's edge is an instant, a wall-clock time (read in the hotel's zone when compiled), open
(``None``), or a `Deadline`: a time relative to the arrival, elapsed (``PT48H`` before it) or
calendar-local (2 days before the check-in date at 18:00), which the compiler resolves against
the booking (SEMANTICS rule 22). The policy itself never needs the booking.

Compile a policy against a booking with `penalty.compile` (or ``policy.timeline(booking)``);
read a provider's payload into one with `penalty.formats.parse` (or ``Policy.from_gotadi``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, cast, overload

from pydantic import (
    BeforeValidator,
    PlainSerializer,
    PlainValidator,
    field_validator,
    model_validator,
)

from penalty._model import FrozenModel, construct
from penalty.errors import InvalidPolicy, PenaltyError
from penalty.instants import (
    NS_PER_SECOND,
    NS_PER_US,
    Fold,
    format_duration,
    from_nanos,
    parse_duration,
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
    "UNSUPPORTED",
    "Deadline",
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

WindowKind = Literal["NIGHTS", "AMOUNT", "PERCENT", "UNSUPPORTED"]
#: The component each kind of window needs (SEMANTICS rule 4).
COMPONENTS: dict[str, str] = {"NIGHTS": "nights", "AMOUNT": "amount", "PERCENT": "percent"}
#: The kind of a window whose charge is of a kind penalty cannot price (a UCP outcome of an
#: unknown ``kind``): it carries no component, and quoting an instant it decides is an error
#: (``unsupported_kind``), never a guessed fee; its ``description`` names what it was.
UNSUPPORTED = "UNSUPPORTED"
#: Deadlines reach at most this far from the arrival (a century of days), so that resolving
#: them never leaves the calendar.
_MAX_DAYS = 36_500
_NS_PER_DAY = 86_400 * NS_PER_SECOND


class PolicyWarning(FrozenModel):
    """Something a quote's reader should know (SEMANTICS rule 19).

    ``code`` is one of ``assumed_zone``, ``zero_length_window``, ``average_night``,
    ``no_windows``, ``rates_do_not_add_up``, ``assumed_check_in_time``.
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
    #: Each window's own path, when windows are not ``prefix[index]`` (a UCP schedule's
    #: ``schedule.tiers[0].outcome`` and ``schedule.after_last_tier``).
    paths: tuple[str, ...] = ()

    def path(self, index: int, field: str | None = None) -> str:
        """``cancelPenalties[1].percent`` for ``(1, "percent")`` under Gotadi's names."""
        paths = self.paths
        base = paths[index] if index < len(paths) else f"{self.prefix}[{index}]"
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
    if kind == UNSUPPORTED:
        return
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


def _duration(raw: object) -> int:
    """A `Deadline`'s ``before``: ISO 8601 text (``"PT48H"``) or a `timedelta`, in nanoseconds."""
    if isinstance(raw, timedelta):
        nanos = raw // timedelta(microseconds=1) * NS_PER_US
        if nanos < 0 or nanos % NS_PER_SECOND:
            raise InvalidPolicy(
                "before must be a whole, non-negative number of seconds",
                path="before",
                value=str(raw),
                code="invalid_duration",
            )
        return nanos
    return parse_duration(raw, path="before", error=InvalidPolicy)


def _shown_duration(nanos: int) -> str:
    return format_duration(nanos)


#: `Deadline.before`: exact nanoseconds, read from and written as an ISO 8601 duration.
Duration = Annotated[
    int,
    BeforeValidator(_duration),
    PlainSerializer(_shown_duration, return_type=str),
]


class Deadline(FrozenModel):
    """A window edge relative to the arrival, resolved when the policy is compiled (rule 22).

    The arrival is the booking's ``check_in`` date at its ``check_in_time`` (15:00 when it
    gives none, with a warning) in the hotel's zone (the booking's ``timezone``, else the
    policy's ``local_zone``). Two kinds, never mixed up:

    - ``elapsed``: ``before`` (an ISO 8601 duration, exact to the nanosecond) before the
      anchor, whatever DST change lies between: ``PT48H`` is 172,800 seconds, and across a
      DST change ``P1D`` is 24 hours, not one calendar day (TravelgateX ``hoursBefore``). The
      anchor is the check-in date at ``at`` when given (TravelgateX counts from 00:00), else
      the arrival.
    - ``calendar``: the wall-clock time ``at`` (else the arrival's clock time) on the date
      ``days`` before the check-in date (negative: after), in the hotel's zone, DST-aware:
      across a DST change it keeps its local hour (DerbySoft ``3D``, "2 days before arrival at
      18:00"). A local time in a DST gap or fold reads as the policy's ``fold`` says.

    Example:
        >>> Deadline(kind="elapsed", before="PT48H").model_dump()
        {'kind': 'elapsed', 'before': 'P2D', 'days': 0, 'at': None}
        >>> str(Deadline(kind="calendar", days=2, at="18:00"))
        '2 days before the check-in date at 18:00'
    """

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    kind: Literal["elapsed", "calendar"]
    before: Duration = 0
    days: int = 0
    at: time | None = None

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, raw: object) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool) or abs(raw) > _MAX_DAYS:
            raise InvalidPolicy(
                f"days must be a whole number of days, at most {_MAX_DAYS} either way",
                path="days",
                value=raw,
                code="invalid_days",
            )
        return raw

    @field_validator("at", mode="before")
    @classmethod
    def _clock(cls, raw: object) -> object:
        if isinstance(raw, time) and raw.tzinfo is not None:
            raise InvalidPolicy(
                "at is the hotel's local clock time: give it without a zone",
                path="at",
                value=str(raw),
                code="invalid_time",
            )
        return raw

    @model_validator(mode="after")
    def _one_kind(self) -> Deadline:
        if self.kind == "elapsed" and self.days:
            raise InvalidPolicy(
                "an elapsed deadline counts time before the anchor: it has no days "
                "(use before, e.g. P2D, or kind calendar)",
                path="days",
                value=self.days,
                code="mixed_deadline",
            )
        if self.kind == "calendar" and self.before:
            raise InvalidPolicy(
                "a calendar deadline is a local clock time on a date: it has no elapsed "
                "before (use days and at, or kind elapsed)",
                path="before",
                value=format_duration(self.before),
                code="mixed_deadline",
            )
        if self.before > _MAX_DAYS * _NS_PER_DAY:
            raise InvalidPolicy(
                f"before must be at most {_MAX_DAYS} days",
                path="before",
                value=self.before,
                code="out_of_range",
            )
        return self

    def __str__(self) -> str:
        clock = "" if self.at is None else f" at {self.at.isoformat(timespec='minutes')}"
        if self.kind == "elapsed":
            anchor = "the arrival" if self.at is None else "the check-in date"
            return f"{format_duration(self.before)} before {anchor}{clock}"
        count = abs(self.days)
        unit = "day" if count == 1 else "days"
        side = "before" if self.days >= 0 else "after"
        return f"{count} {unit} {side} the check-in date{clock or ' at the check-in time'}"


#: A window edge as stored: nanoseconds with a zone (absolute), without one (wall-clock), or
#: ``None`` with a `Deadline` in the zone column (resolved by the compiler).
EdgeZone = tzinfo | Deadline | None


def _edge(moment: datetime | Deadline | None) -> tuple[int | None, EdgeZone]:
    """A window edge as (nanoseconds, zone): absolute with a zone, wall-clock without one."""
    if moment is None:
        return None, None
    if isinstance(moment, Deadline):
        return None, moment
    if moment.utcoffset() is None:
        return wall_nanos(moment), None
    return to_nanos(moment), moment.tzinfo


def _moment(nanos: int | None, tz: EdgeZone) -> datetime | Deadline | None:
    if isinstance(tz, Deadline):
        return tz
    if nanos is None:
        return None
    return wall_time(nanos) if tz is None else from_nanos(nanos, tz)


class Window(FrozenModel):
    """One penalty window: a period and what cancelling inside it costs.

    Components add (SEMANTICS rule 4): ``percent`` of the booking total, plus ``amount``, plus
    the first ``nights`` nights of the stay. A datetime without an offset is a wall-clock time
    in the booking's zone (or the policy's ``local_zone``), resolved when compiled, and so is
    a `Deadline` (relative to the arrival). ``None`` for ``start``/``end`` means open: since
    forever / for ever.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> ict = timezone(timedelta(hours=7))
        >>> Window(start=datetime(2021, 5, 12, 18, tzinfo=ict),
        ...        end=datetime(2021, 5, 13, 18, tzinfo=ict), percent="70%").percent
        Decimal('70')
    """

    _error: ClassVar[type[InvalidPolicy]] = InvalidPolicy

    start: datetime | Deadline | None
    end: datetime | Deadline | None
    percent: Decimal | None = None
    amount: Decimal | None = None
    nights: Decimal | None = None
    currency: str | None = None
    kind: WindowKind | None = None
    description: str = ""

    @field_validator("start", "end", mode="before")
    @classmethod
    def _instant(cls, raw: object, info: Any) -> datetime | Deadline | None:
        if raw is None or isinstance(raw, Deadline):
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
        if isinstance(raw, dict):
            try:
                return Deadline.model_validate(raw)
            except PenaltyError as exc:
                raise exc.under(info.field_name) from exc.__cause__
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
        if isinstance(start_zone, Deadline) or isinstance(end_zone, Deadline):
            return self  # ordered when compiled, against the booking's arrival
        if (start_zone is None) == (end_zone is None):  # comparable: both absolute, or both wall
            check_order(start, end, path="end", value=lambda: _shown(self.end))
        return self


def _shown(edge: datetime | Deadline | None) -> str | None:
    """An edge as an error shows it."""
    if edge is None:
        return None
    return str(edge) if isinstance(edge, Deadline) else edge.isoformat()


_Columns = tuple[
    list[int | None],  # starts: nanoseconds (absolute with a zone, wall-clock without)
    list[EdgeZone],  # start zones (a `Deadline` for an edge relative to arrival)
    list[int | None],  # ends
    list[EdgeZone],  # end zones
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
    EdgeZone,
    int | None,
    EdgeZone,
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

    ``relative`` says that some edge is a `Deadline` and ``unsupported`` that some window is
    of the `UNSUPPORTED` kind: `add` and `append` keep them; columns given whole (`from_rows`,
    the constructor) hold neither unless told, which is how the compiler's common path stays
    free of any check for them.
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
        "relative",
        "start_zones",
        "starts",
        "unsupported",
    )

    starts: list[int | None]
    start_zones: list[EdgeZone]
    ends: list[int | None]
    end_zones: list[EdgeZone]
    percents: list[Decimal | None]
    amounts: list[Decimal | None]
    nights: list[Decimal | None]
    currencies: list[str | None]
    kinds: list[str | None]
    descriptions: list[str]
    relative: bool
    unsupported: bool

    def __init__(
        self,
        columns: _Columns | None = None,
        *,
        relative: bool = False,
        unsupported: bool = False,
    ) -> None:
        self.relative = relative
        self.unsupported = unsupported
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
        """Columns from already-validated rows, one per window, in column order.

        For windows with instants, wall-clock times or open edges, of the three priced kinds
        (a `Deadline` edge or an `UNSUPPORTED` window goes through `add`).
        """
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
        start_zone: EdgeZone,
        end: int | None,
        end_zone: EdgeZone,
        percent: Decimal | None,
        amount: Decimal | None,
        nights: Decimal | None,
        currency: str | None,
        kind: str | None,
        description: str,
    ) -> None:
        """Add one window from already-validated values (a format's parser calls this)."""
        if start_zone.__class__ is Deadline or end_zone.__class__ is Deadline:
            self.relative = True
        if kind == UNSUPPORTED:
            self.unsupported = True
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
        values: list[int | None], zones: list[EdgeZone]
    ) -> Iterator[tuple[int | None, bool | Deadline]]:
        return (
            (value, tz if isinstance(tz, Deadline) else tz is None)
            for value, tz in zip(values, zones, strict=True)
        )

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
        minor_units: the windows' and the surcharge's amounts are integers in the minor unit
            of the booking's currency (UCP's ``fixed_fee``: ``7500`` is 75.00 USD, 7,500 JPY),
            scaled when compiled, so that the policy is read before the booking is known.

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
    minor_units: bool = False

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
