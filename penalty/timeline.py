"""A policy compiled against a booking: quote any instant by bisection.

`compile` (or `Timeline` ``(policy, booking)``) runs `penalty.compiler.compile_policy` once and
keeps what it returns: sorted integer-nanosecond boundaries and each elementary interval's fee.
Quoting is then one conversion to nanoseconds, one bisection and a list lookup; `Timeline.fee`
answers without building a `Quote`, and the `Quote` of an interval is built the first time that
interval is quoted, and kept. `Timeline.segments` is the schedule: the same intervals with equal
neighbouring fees merged (SEMANTICS rule 14), so a schedule can never disagree with a quote.

What a booking page shows is derived from the same intervals: `Timeline.free_until`,
`Timeline.refundability`, `Timeline.next_change`, and all of them at once, `Timeline.summary`
(none of them needs the merged schedule).

A policy with an `UNSUPPORTED` window (an outcome of a kind penalty cannot price) compiles, but
an instant that window decides has no known fee: quoting it, or asking for the whole schedule,
raises `InvalidPolicy` (``unsupported_kind``) naming the provider's field, never a guess.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from functools import partial
from itertools import chain, islice, repeat
from operator import floordiv, mul
from typing import TYPE_CHECKING, Any, Literal

from penalty._model import FrozenModel, construct
from penalty.compiler import compile_policy
from penalty.errors import InvalidInstant, InvalidPolicy
from penalty.instants import EPOCH, NS_PER_US, from_nanos, parse_instant, zone
from penalty.money import gotadi_amount
from penalty.policy import Policy, PolicyWarning
from penalty.rules import Boundary, Phase

if TYPE_CHECKING:
    from penalty.booking import Booking

__all__ = [
    "ALWAYS_FREE",
    "AlwaysFree",
    "Quote",
    "Refundability",
    "Segment",
    "Summary",
    "Timeline",
    "compile",
    "free_until_json",
    "free_until_of",
    "refundability_of",
]

Refundability = Literal["full", "partial", "none"]

_datetime_sub = datetime.__sub__
_ONE_US = timedelta(microseconds=1)
#: `Timeline.fees` reads its input this many instants at a time: memory stays flat.
_CHUNK = 4096
_INTS = {int}


class AlwaysFree(Enum):
    """The type of `ALWAYS_FREE`."""

    ALWAYS_FREE = "always_free"

    def __repr__(self) -> str:
        return "ALWAYS_FREE"


#: `Timeline.free_until` of a timeline under which no instant is ever charged (SEMANTICS rule
#: 20): distinct from ``None`` (no instant is free), never a made-up far-future date.
ALWAYS_FREE = AlwaysFree.ALWAYS_FREE


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class Quote(FrozenModel):
    """What cancelling at an instant costs.

    Attributes:
        fee: rounded once to the currency's minor unit.
        currency: the booking's currency.
        gotadi_amount: the fee in Gotadi's two-decimal wire format (``"2100000.00"``).
        phase: ``"free"`` before the first window, ``"window"`` inside one, ``"gap"`` between
            windows, ``"no_show"`` from the end of the last window on.
        window: the index (in the policy's order) of the window that sets the fee, if any.
        since, until: the stretch of time over which this exact quote holds (``None``: open).
        warnings: what the engine assumed (SEMANTICS rule 19), the timeline's and the
            instant's own (a cancel time without an offset).
    """

    fee: Decimal
    currency: str
    gotadi_amount: str
    phase: Phase
    window: int | None
    since: datetime | None
    until: datetime | None
    warnings: tuple[PolicyWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape: amounts as strings, instants as ISO 8601."""
        return {
            "fee": str(self.fee),
            "currency": self.currency,
            "gotadi_amount": self.gotadi_amount,
            "phase": self.phase,
            "window": self.window,
            "since": _iso(self.since),
            "until": _iso(self.until),
            "warnings": [warning.model_dump() for warning in self.warnings],
        }


class Segment(FrozenModel):
    """A maximal stretch ``[start, end)`` of constant fee (``None``: open-ended)."""

    start: datetime | None
    end: datetime | None
    fee: Decimal
    gotadi_amount: str
    phases: tuple[Phase, ...]
    windows: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """``{"start": ISO | null, "end": ISO | null, "fee": "0", ...}``."""
        return {
            "start": _iso(self.start),
            "end": _iso(self.end),
            "fee": str(self.fee),
            "gotadi_amount": self.gotadi_amount,
            "phases": list(self.phases),
            "windows": list(self.windows),
        }


class Summary(FrozenModel):
    """What a booking page shows about cancelling at one instant (`Timeline.summary`).

    Attributes:
        quote: the quote at the instant.
        free_until: `Timeline.free_until`.
        refundability: ``full``, ``partial`` or ``none`` at the instant.
        next_change: the quote from the next change of fee on, or ``None``.
    """

    model_config = FrozenModel.model_config | {"arbitrary_types_allowed": True}

    quote: Quote
    free_until: datetime | AlwaysFree | None
    refundability: Refundability
    next_change: Quote | None

    def to_json(self) -> dict[str, Any]:
        """``quote``'s JSON with ``free_until``, ``refundability`` and ``next_change`` beside it.

        ``free_until`` is ISO 8601, ``null`` (never free) or ``"always"`` (never charged).
        """
        return {
            **self.quote.to_json(),
            "free_until": free_until_json(self.free_until),
            "refundability": self.refundability,
            "next_change": None
            if self.next_change is None
            else {
                "at": _iso(self.next_change.since),
                "fee": str(self.next_change.fee),
                "gotadi_amount": self.next_change.gotadi_amount,
                "phase": self.next_change.phase,
            },
        }


def free_until_json(value: datetime | AlwaysFree | None) -> str | None:
    """`Timeline.free_until` in JSON: ISO 8601, ``None`` (never free) or ``"always"``."""
    if value is ALWAYS_FREE:
        return "always"
    return None if value is None or isinstance(value, AlwaysFree) else value.isoformat()


def free_until_of(
    fees: Iterable[Decimal], start: Callable[[int], datetime | None]
) -> datetime | AlwaysFree | None:
    """SEMANTICS rule 20: the start of the first charged stretch of a schedule.

    ``fees`` are the fees of consecutive stretches from minus infinity (segments, or a
    timeline's intervals), and ``start(i)`` is when stretch ``i`` begins (``i`` ≥ 1). ``None``
    when the first stretch is charged, `ALWAYS_FREE` when none is.
    """
    for position, fee in enumerate(fees):
        if fee > 0:
            return start(position) if position else None
    return ALWAYS_FREE


def refundability_of(fee: Decimal, total: Decimal) -> Refundability:
    """SEMANTICS rule 20: ``full`` at a fee of 0, ``none`` at the whole total, else ``partial``."""
    if fee == 0:
        return "full"
    return "none" if fee >= total else "partial"


class _Unavailable(list[Decimal]):
    """A timeline's fees where some intervals have no known fee: reading one raises.

    Used only by timelines with `UNSUPPORTED` windows; every other timeline keeps a plain
    list, so `Timeline.fee` and `Timeline.fees` pay nothing for this.
    """

    __slots__ = ("timeline",)

    def __init__(self, fees: list[Decimal], timeline: Timeline) -> None:
        super().__init__(fees)
        self.timeline = timeline

    def __getitem__(self, position: Any) -> Any:
        if position in self.timeline._unavailable:  # noqa: SLF001 - its own timeline
            self.timeline._refuse(position)  # noqa: SLF001
        return super().__getitem__(position)


class Timeline:
    """A policy compiled against a booking. Build with `compile` (or ``policy.timeline``).

    Example:
        >>> import penalty
        >>> policy = penalty.from_gotadi([{"startDate": "2021-05-10T18:00:00+07:00",
        ...     "endDate": "2021-05-12T18:00:00+07:00", "type": "PERCENT", "percent": "50%",
        ...     "amount": "25000", "currency": "VND", "nights": "", "description": ""}])
        >>> timeline = penalty.compile(policy, penalty.Booking(total="3000000", currency="VND"))
        >>> [str(segment.fee) for segment in timeline.segments]
        ['0', '1525000', '3000000']
        >>> timeline.quote("2021-05-11T00:00:00+07:00").gotadi_amount
        '1525000.00'
        >>> timeline.free_until.isoformat(), timeline.refundability("2021-05-11T00:00:00Z")
        ('2021-05-10T18:00:00+07:00', 'partial')
    """

    __slots__ = (
        "_bounds",
        "_deciders",
        "_fees",
        "_phases",
        "_quotes",
        "_segments",
        "_unavailable",
        "booking",
        "currency",
        "digits",
        "policy",
        "warnings",
        "zone",
    )

    _bounds: list[int]
    _fees: list[Decimal]
    _phases: list[Phase]
    _deciders: list[int | None]
    _quotes: list[Quote | None]
    _segments: tuple[Segment, ...] | None
    _unavailable: frozenset[int]
    booking: Booking
    policy: Policy
    currency: str
    digits: int
    zone: tzinfo
    warnings: tuple[PolicyWarning, ...]

    def __init__(self, policy: Policy, booking: Booking) -> None:
        compiled = compile_policy(policy, booking)
        self.policy = policy
        self.booking = booking
        self.currency = booking.currency
        self.digits = compiled.digits
        self.zone = compiled.zone
        self.warnings = compiled.warnings
        self._bounds = compiled.bounds
        self._fees = compiled.fees
        self._phases = compiled.phases
        self._deciders = compiled.deciders
        self._quotes = [None] * len(compiled.fees)
        self._segments = None
        self._unavailable = compiled.unavailable
        if compiled.unavailable:
            self._fees = _Unavailable(compiled.fees, self)

    def __repr__(self) -> str:
        return f"<Timeline {self.currency} {len(self._bounds) + 1} intervals>"

    # -- quoting -------------------------------------------------------------------------------

    def _read(self, at: object, *, warn: bool) -> tuple[int, bool]:
        """An instant that is not an aware `datetime`: text (the one grammar), or an error.

        Returns its nanoseconds and whether it was read in the booking's zone (text without
        an offset), which only a call with room for a warning accepts.
        """
        hotel = self.booking.timezone
        tz = None if hotel is None else zone(hotel, path="timezone", error=InvalidInstant)
        nanos, assumed = parse_instant(
            at, tz=tz, fold=self.policy.fold, path="at", error=InvalidInstant
        )
        if assumed and not warn:
            raise InvalidInstant(
                "time has no offset; fee() and fees() return a bare fee with no room for "
                "the warning this needs: add an offset, or use quote()",
                path="at",
                value=at,
                code="naive_datetime",
            )
        return nanos, assumed

    def _position(self, at: datetime | str, *, warn: bool) -> tuple[int, bool]:
        """The interval of instant ``at``, and whether it was read in an assumed zone."""
        try:
            nanos, assumed = _datetime_sub(at, EPOCH) // _ONE_US * NS_PER_US, False  # type: ignore[type-var]
        except Exception:  # noqa: BLE001 - text, naive, not an instant, a tzinfo that raises
            nanos, assumed = self._read(at, warn=warn)
        return bisect_right(self._bounds, nanos), assumed

    def quote(self, at: datetime | str) -> Quote:
        """The quote at instant ``at``: an aware datetime or an ISO 8601 string.

        Text without an offset is read in the booking's timezone (and the quote warns that it
        was); without a booking timezone it is an error, and so is a naive `datetime`.

        Raises:
            InvalidInstant: ``at`` is malformed, naive, or in a DST gap.
        """
        try:  # an aware datetime, the common case: nanoseconds, a bisection, a kept quote
            nanos = _datetime_sub(at, EPOCH) // _ONE_US * NS_PER_US  # type: ignore[type-var]
        except Exception:  # noqa: BLE001 - `_read` refuses it with InvalidInstant (see `_position`)
            nanos, assumed = self._read(at, warn=True)
            position = bisect_right(self._bounds, nanos)
            quote = self._quotes[position] or self._quote_at(position)
            return self._assumed(quote) if assumed else quote
        position = bisect_right(self._bounds, nanos)
        return self._quotes[position] or self._quote_at(position)

    def instant(self, at: datetime | str) -> int:
        """``at`` as nanoseconds since the Unix epoch, read as `quote` reads it.

        Raises:
            InvalidInstant: ``at`` is malformed, naive, or in a DST gap.
        """
        try:
            return _datetime_sub(at, EPOCH) // _ONE_US * NS_PER_US  # type: ignore[type-var]
        except TypeError:
            return self._read(at, warn=True)[0]

    def quote_nanos(self, nanos: int) -> Quote:
        """The quote at the instant ``nanos`` nanoseconds after the Unix epoch: exact, no parsing.

        Example:
            >>> import penalty
            >>> timeline = penalty.compile(penalty.from_gotadi([]),
            ...                            penalty.Booking(total="10", currency="USD"))
            >>> timeline.quote_nanos(1_620_817_200_000_000_001).fee
            Decimal('10.00')
        """
        position = bisect_right(self._bounds, nanos)
        return self._quotes[position] or self._quote_at(position)

    def table(self) -> tuple[list[int], list[Decimal], list[Phase]]:
        """The compiled intervals: sorted boundaries (nanoseconds), each interval's fee, phase.

        Interval ``i`` is ``[bounds[i - 1], bounds[i])``, open at both ends of the list. The
        lists are the timeline's own: read them, never change them (`penalty.rooms` merges
        timelines from them).

        Raises:
            InvalidPolicy: ``unsupported_kind`` when some interval's fee is not known.
        """
        if self._unavailable:
            self._refuse(min(self._unavailable))
        return self._bounds, self._fees, self._phases

    def _assumed(self, quote: Quote) -> Quote:
        """``quote`` with a warning that its cancel time was read in the booking's zone."""
        note = construct(
            PolicyWarning,
            {
                "code": "assumed_zone",
                "path": "at",
                "message": f"cancel time has no offset; read in {self.booking.timezone} "
                "(the booking's timezone)",
            },
        )
        return construct(Quote, {**quote.__dict__, "warnings": (*quote.warnings, note)})

    def fee(self, at: datetime | str) -> Decimal:
        """Just the fee at ``at``, without building a `Quote`.

        Refuses text without an offset: a bare `Decimal` has no room for the warning it needs.
        """
        try:
            nanos = _datetime_sub(at, EPOCH) // _ONE_US * NS_PER_US  # type: ignore[type-var]
        except Exception:  # noqa: BLE001 - `_read` refuses it with InvalidInstant (see `_position`)
            nanos = self._read(at, warn=False)[0]
        return self._fees[bisect_right(self._bounds, nanos)]

    def fees(self, instants: Iterable[datetime | str]) -> Iterator[Decimal]:
        """The fee at each of ``instants``, lazily, in order; memory stays flat.

        Reads ``instants`` ahead in chunks of 4096; a chunk of aware datetimes is quoted by a
        pipeline of C functions, anything else one `fee` at a time. An invalid instant raises
        when its turn comes, after the fees before it.

        Example:
            >>> import penalty
            >>> timeline = penalty.compile(penalty.from_gotadi([]),
            ...                            penalty.Booking(total="10", currency="USD"))
            >>> list(timeline.fees(["2021-05-12T18:00:00Z"]))
            [Decimal('10.00')]
        """
        return chain.from_iterable(self._fee_chunks(instants))

    def fees_at_micros(self, micros: Iterable[int]) -> Iterator[Decimal]:
        """The fee at each instant given as integer microseconds since the Unix epoch.

        The fastest way through many instants: no parsing at all. Read 4,096 at a time, each
        chunk checked to hold only `int` s in one pass: anything else (a `bool`, a `float`,
        ``nan``, text) raises `InvalidInstant` naming its position, after the fees before it.

        Example:
            >>> import penalty
            >>> timeline = penalty.compile(penalty.from_gotadi([]),
            ...                            penalty.Booking(total="10", currency="USD"))
            >>> list(timeline.fees_at_micros([1_620_817_200_000_000]))
            [Decimal('10.00')]
            >>> list(timeline.fees_at_micros([1.5]))
            Traceback (most recent call last):
            ...
            penalty.errors.InvalidInstant: micros[0]: must be an int ... (got 1.5)
        """
        return chain.from_iterable(self._micros_chunks(micros))

    def _micros_chunks(self, micros: Iterable[int]) -> Iterator[Iterator[Decimal]]:
        fee_of = self._fees.__getitem__
        locate = partial(bisect_right, self._bounds)
        scale = partial(mul, NS_PER_US)
        iterator = iter(micros)
        offset = 0
        while chunk := list(islice(iterator, _CHUNK)):
            if set(map(type, chunk)) != _INTS:  # checked before multiplying: "ab" * 1000 is text
                bad = next(i for i, key in enumerate(chunk) if type(key) is not int)
                yield map(fee_of, map(locate, map(scale, chunk[:bad])))
                raise InvalidInstant(
                    "must be an int of microseconds since the Unix epoch, not "
                    f"{type(chunk[bad]).__name__}",
                    path=f"micros[{offset + bad}]",
                    value=chunk[bad],
                    code="wrong_type",
                )
            yield map(fee_of, map(locate, map(scale, chunk)))
            offset += len(chunk)

    def _fee_chunks(self, instants: Iterable[datetime | str]) -> Iterator[Iterator[Decimal]]:
        fee_of = self._fees.__getitem__
        locate = partial(bisect_right, self._bounds)
        iterator = iter(instants)
        while chunk := list(islice(iterator, _CHUNK)):
            try:
                deltas = map(_datetime_sub, chunk, repeat(EPOCH))  # type: ignore[arg-type]
                micros = list(map(floordiv, deltas, repeat(_ONE_US)))
            except Exception:  # noqa: BLE001 - text, naive, a failing tzinfo: one at a time
                yield map(self.fee, chunk)
            else:
                yield map(fee_of, map(locate, map(partial(mul, NS_PER_US), micros)))

    def _refuse(self, position: int) -> None:
        """Raise for an interval decided by an `UNSUPPORTED` window: its fee is not known."""
        window = self._deciders[position]
        index = 0 if window is None else window
        what = self.policy.columns.descriptions[index] or "an unknown kind"
        raise InvalidPolicy(
            f"the charge that applies here is {what}, which penalty cannot price: "
            "use the provider's own description of the terms",
            path=self.policy.source.path(index, "kind"),
            value=what,
            code="unsupported_kind",
        )

    def _quote_at(self, position: int) -> Quote:
        if position in self._unavailable:  # never kept: each quote of it raises
            self._refuse(position)
        bounds, tz, fee = self._bounds, self.zone, self._fees[position]
        quote = construct(
            Quote,
            {
                "fee": fee,
                "currency": self.currency,
                "gotadi_amount": gotadi_amount(fee),
                "phase": self._phases[position],
                "window": self._deciders[position],
                "since": from_nanos(bounds[position - 1], tz) if position else None,
                "until": from_nanos(bounds[position], tz) if position < len(bounds) else None,
                "warnings": self.warnings,
            },
        )
        self._quotes[position] = quote
        return quote

    # -- the schedule --------------------------------------------------------------------------

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The schedule: maximal stretches of constant fee, from minus to plus infinity.

        Raises:
            InvalidPolicy: ``unsupported_kind`` when some stretch's fee is not known.
        """
        if self._segments is None:
            if self._unavailable:
                self._refuse(min(self._unavailable))
            self._segments = self._merge()
        return self._segments

    @property
    def boundaries(self) -> tuple[datetime, ...]:
        """Every instant at which the quote may change, in the timeline's zone."""
        return tuple(from_nanos(key, self.zone) for key in self._bounds)

    def _merge(self) -> tuple[Segment, ...]:
        """Neighbouring intervals with equal fees, merged (SEMANTICS rule 14)."""
        tz = self.zone
        moments: list[datetime | None] = [None, *(from_nanos(b, tz) for b in self._bounds), None]
        merged: list[tuple[datetime | None, Decimal, list[Phase], list[int]]] = []
        seen: set[int] = set()  # the deciders of the segment being merged (O(1) each, not O(n))
        for position, (fee, phase, window) in enumerate(
            zip(list.__iter__(self._fees), self._phases, self._deciders, strict=True)
        ):
            if merged and merged[-1][1] == fee:
                phases, windows = merged[-1][2], merged[-1][3]
                if phases[-1] != phase:
                    phases.append(phase)
                if window is not None and window not in seen:
                    seen.add(window)
                    windows.append(window)
            else:
                seen = set() if window is None else {window}
                merged.append((moments[position], fee, [phase], [] if window is None else [window]))
        ends = [start for start, *_ in merged[1:]] + [None]
        return tuple(
            construct(
                Segment,
                {
                    "start": start,
                    "end": end,
                    "fee": fee,
                    "gotadi_amount": gotadi_amount(fee),
                    "phases": tuple(phases),
                    "windows": tuple(windows),
                },
            )
            for (start, fee, phases, windows), end in zip(merged, ends, strict=True)
        )

    # -- what a booking page shows (SEMANTICS rule 20) -----------------------------------------

    @property
    def free_until(self) -> datetime | AlwaysFree | None:
        """The first instant at which cancelling costs more than 0; every earlier one is free.

        ``None`` when no instant is free; `ALWAYS_FREE` when no instant is ever charged. Under
        ``Boundary.END_INCLUSIVE`` the deadline itself is still free, so ``free_until`` is one
        nanosecond after it (shown to the microsecond); under the default ``[start, end)`` it
        is the window's start, exclusive: cancel strictly before it.

        Raises:
            InvalidPolicy: ``unsupported_kind`` when a fee penalty cannot price comes before
                the first charged instant (whether that stretch is free is not known).
        """
        fees = self._fees  # read by position: an interval whose fee is not known raises
        return free_until_of(map(fees.__getitem__, range(len(fees))), self._start)

    def _start(self, position: int) -> datetime:
        """When interval ``position`` (≥ 1) begins, in the timeline's zone."""
        return from_nanos(self._bounds[position - 1], self.zone)

    def refundability(self, at: datetime | str) -> Refundability:
        """How much cancelling at ``at`` refunds (SEMANTICS rule 20).

        ``full`` when it costs nothing, ``none`` when it costs the whole total, ``partial``
        otherwise.
        """
        return refundability_of(self.quote(at).fee, self.booking.total)

    def next_change(self, at: datetime | str) -> Quote | None:
        """The quote from the next change of fee after ``at`` on (its ``since`` is when).

        ``None`` when the fee at ``at`` holds for ever.
        """
        position = self._position(at, warn=True)[0]
        fees = self._fees
        fee = fees[position]  # raises where the fee is not known
        for later in range(position + 1, len(fees)):
            if list.__getitem__(fees, later) != fee:
                return self._quotes[later] or self._quote_at(later)
        return None

    def summary(self, at: datetime | str) -> Summary:
        """The quote at ``at`` with `free_until`, `refundability` and `next_change`."""
        quote = self.quote(at)
        return construct(
            Summary,
            {
                "quote": quote,
                "free_until": self.free_until,
                "refundability": refundability_of(quote.fee, self.booking.total),
                "next_change": self.next_change(at),
            },
        )

    @property
    def boundary(self) -> Boundary:
        """The policy's edge rule (how a preview words a deadline)."""
        return self.policy.rules.boundary


def compile(policy: Policy, booking: Booking) -> Timeline:  # noqa: A001 - the engine's verb
    """Compile ``policy`` against ``booking`` once; then quote any instant cheaply.

    Example:
        >>> import penalty
        >>> timeline = penalty.compile(penalty.from_gotadi([]),
        ...                            penalty.Booking(total="10", currency="USD"))
        >>> timeline.quote("2021-05-12T18:00:00Z").fee, timeline.warnings[0].code
        (Decimal('10.00'), 'no_windows')
    """
    return Timeline(policy, booking)


# The shortcuts users call on a policy (``policy.timeline(booking)``, ``policy.quote(booking,
# at)``, ``policy.schedule(booking)``) compile, so they belong to this layer: `Policy` is defined
# below it and never imports it. They are installed on the class here, once.
def _policy_timeline(self: Policy, booking: Booking) -> Timeline:
    """Compile against ``booking`` once (`penalty.compile`); then quote any instant cheaply."""
    return Timeline(self, booking)


def _policy_quote(self: Policy, booking: Booking, at: datetime | str) -> Quote:
    """The fee of cancelling ``booking`` at ``at`` (compiles; reuse `timeline` to repeat)."""
    return Timeline(self, booking).quote(at)


def _policy_schedule(self: Policy, booking: Booking) -> tuple[Segment, ...]:
    """The fee schedule against ``booking`` (SEMANTICS rule 14)."""
    return Timeline(self, booking).segments


Policy.timeline = _policy_timeline  # type: ignore[method-assign]
Policy.quote = _policy_quote  # type: ignore[method-assign]
Policy.schedule = _policy_schedule  # type: ignore[method-assign]
