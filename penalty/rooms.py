"""Bookings of several rooms: each room its own policy and booking, one fee (SEMANTICS rule 21).

A booking of several rooms (or items) costs, at every instant, the sum of the rooms' fees, each
rounded once to the currency's minor unit as a room of its own would be (rule 12), then added:
adding rounded fees is exact, so the sum of the rooms' own quotes and the booking's quote can
never disagree. Cancelling some of the rooms (a partial cancellation) costs the sum over those
rooms. Each room is compiled once (`penalty.compile`); `Rooms` merges their compiled intervals
(the union of every room's boundaries), so its schedule, `Rooms.free_until`,
`Rooms.refundability` and `Rooms.next_change` read like a single timeline's.

The rooms must share one currency (a `CurrencyMismatch` otherwise: fees in two currencies do
not add). Times are shown in the first room's zone. Warnings are each room's, their paths under
``rooms[i]``.

Example:
    >>> import penalty
    >>> from penalty.rooms import Room, Rooms
    >>> window = {"start": "2021-05-12T18:00+07:00", "end": "2021-05-13T18:00+07:00"}
    >>> deluxe = Room(penalty.Policy(windows=[{**window, "percent": "50"}]),
    ...               penalty.Booking(total="2000000", currency="VND"), name="Deluxe")
    >>> family = Room(penalty.Policy(windows=[{**window, "amount": "300000"}]),
    ...               penalty.Booking(total="1000000", currency="VND"), name="Family")
    >>> booking = Rooms([deluxe, family])
    >>> quote = booking.quote("2021-05-12T18:00:00+07:00")
    >>> quote.fee, [room.fee for room in quote.rooms]
    (Decimal('1300000'), [Decimal('1000000'), Decimal('300000')])
    >>> booking.quote("2021-05-12T18:00:00+07:00", rooms=["Family"]).fee   # cancel one room
    Decimal('300000')
    >>> [str(segment.fee) for segment in booking.segments]
    ['0', '1300000', '3000000']
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple

from penalty._model import FrozenModel, construct
from penalty.booking import Booking
from penalty.errors import CurrencyMismatch, InvalidInput
from penalty.instants import from_nanos
from penalty.money import gotadi_amount
from penalty.policy import Policy, PolicyWarning
from penalty.rules import Phase
from penalty.timeline import (
    AlwaysFree,
    Quote,
    Refundability,
    Segment,
    Timeline,
    free_until_json,
    free_until_of,
    refundability_of,
)

__all__ = ["Room", "Rooms", "RoomsQuote", "RoomsSummary"]

_PHASE_ORDER: dict[Phase, int] = {"free": 0, "window": 1, "gap": 2, "no_show": 3}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class Room(NamedTuple):
    """One room (or item) of a booking: its policy, its own booking (total, nights, dates)."""

    policy: Policy
    booking: Booking
    name: str | None = None


class RoomsQuote(FrozenModel):
    """What cancelling some rooms at an instant costs: the sum of the rooms' own quotes.

    Attributes:
        fee: the sum of the rooms' fees, each rounded once (rule 21).
        currency: the rooms' currency.
        gotadi_amount: ``fee`` in Gotadi's two-decimal wire format.
        since, until: the stretch over which every room's quote holds (``None``: open).
        rooms: each cancelled room's own `Quote`, in booking order.
        indices, names: each cancelled room's index in the booking and its name.
        warnings: the rooms' warnings, their paths under ``rooms[i]``.
    """

    fee: Decimal
    currency: str
    gotadi_amount: str
    since: datetime | None
    until: datetime | None
    rooms: tuple[Quote, ...]
    indices: tuple[int, ...]
    names: tuple[str, ...]
    warnings: tuple[PolicyWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{"fee", "currency", "gotadi_amount", "since", "until", "rooms": [...], ...}``.

        Each entry of ``rooms`` is the room's `Quote.to_json` with its ``room`` index and
        ``name``.
        """
        return {
            "fee": str(self.fee),
            "currency": self.currency,
            "gotadi_amount": self.gotadi_amount,
            "since": _iso(self.since),
            "until": _iso(self.until),
            "rooms": [
                {"room": index, "name": name, **quote.to_json()}
                for index, name, quote in zip(self.indices, self.names, self.rooms, strict=True)
            ],
            "warnings": [warning.model_dump() for warning in self.warnings],
        }


class RoomsSummary(FrozenModel):
    """`Rooms.summary`: the quote with the booking page's facts (rule 20) beside it."""

    model_config = FrozenModel.model_config | {"arbitrary_types_allowed": True}

    quote: RoomsQuote
    free_until: datetime | AlwaysFree | None
    refundability: Refundability
    next_change: RoomsQuote | None

    def to_json(self) -> dict[str, Any]:
        """``quote``'s JSON with ``free_until``, ``refundability`` and ``next_change``."""
        change = self.next_change
        return {
            **self.quote.to_json(),
            "free_until": free_until_json(self.free_until),
            "refundability": self.refundability,
            "next_change": None
            if change is None
            else {
                "at": _iso(change.since),
                "fee": str(change.fee),
                "gotadi_amount": change.gotadi_amount,
            },
        }


class Rooms:
    """A booking of several rooms, each with its own policy and booking, compiled once.

    Build it from `Room` s (or ``(policy, booking)`` / ``(policy, booking, name)`` tuples).
    A room without a name is named ``"Room 1"``, ``"Room 2"`` ... by its place; names are
    unique. ``rooms=`` of `quote`, `fee`, `refundability`, `next_change` and `summary` picks
    the rooms being cancelled, by index or name (all of them by default); `select` gives the
    booking of those rooms only, with its own schedule.

    Raises:
        InvalidInput: no rooms, or two rooms of one name.
        CurrencyMismatch: rooms in different currencies.
        InvalidPolicy: a room's policy does not compile against its booking (the path is
            under ``rooms[i]``).
    """

    __slots__ = ("_segments", "_table", "currency", "names", "timelines", "total", "zone")

    timelines: tuple[Timeline, ...]
    names: tuple[str, ...]
    currency: str
    total: Decimal
    zone: tzinfo
    _table: tuple[list[int], list[Decimal], list[tuple[Phase, ...]]] | None
    _segments: tuple[Segment, ...] | None

    def __init__(self, rooms: Iterable[Room | tuple[Any, ...]]) -> None:
        timelines: list[Timeline] = []
        names: list[str | None] = []
        for index, item in enumerate(rooms):
            room = _room(item, index)
            try:
                timelines.append(Timeline(room.policy, room.booking))
            except InvalidInput as exc:
                raise exc.under(f"rooms[{index}]") from exc.__cause__
            names.append(room.name)
        self._adopt(tuple(timelines), tuple(names))

    @classmethod
    def of(cls, timelines: Sequence[Timeline], names: Sequence[str | None] = ()) -> Rooms:
        """The booking of rooms already compiled (``names`` in the same order, or none)."""
        built = cls.__new__(cls)
        built._adopt(tuple(timelines), tuple(names) or (None,) * len(timelines))  # noqa: SLF001
        return built

    def _adopt(self, timelines: tuple[Timeline, ...], names: tuple[str | None, ...]) -> None:
        if not timelines:
            raise InvalidInput("a booking needs one room at least", path="rooms", code="no_rooms")
        shown = tuple(name or f"Room {index + 1}" for index, name in enumerate(names))
        if len(set(shown)) != len(shown):
            twice = next(name for name in shown if shown.count(name) > 1)
            raise InvalidInput(
                "two rooms have the same name", path="rooms", value=twice, code="duplicate_room"
            )
        currency = timelines[0].currency
        for index, timeline in enumerate(timelines):
            if timeline.currency != currency:
                raise CurrencyMismatch(
                    f"room is in {timeline.currency} but the first room is in {currency}: "
                    "fees in two currencies do not add",
                    path=f"rooms[{index}].currency",
                    value=timeline.currency,
                )
        self.timelines = timelines
        self.names = shown
        self.currency = currency
        self.total = sum((timeline.booking.total for timeline in timelines), Decimal(0))
        self.zone = timelines[0].zone
        self._table = None
        self._segments = None

    def __len__(self) -> int:
        return len(self.timelines)

    def __repr__(self) -> str:
        return f"<Rooms {self.currency} {len(self)} rooms>"

    @property
    def warnings(self) -> tuple[PolicyWarning, ...]:
        """Every room's warnings, each path under ``rooms[i]``."""
        return tuple(
            _under(warning, index)
            for index, timeline in enumerate(self.timelines)
            for warning in timeline.warnings
        )

    # -- choosing rooms ------------------------------------------------------------------------

    def indices(self, rooms: Iterable[int | str] | None = None) -> tuple[int, ...]:
        """The indices of ``rooms`` (indices or names; ``None``: every room), in booking order.

        Raises:
            InvalidInput: an unknown room, or none at all.
        """
        if rooms is None:
            return tuple(range(len(self.timelines)))
        chosen: set[int] = set()
        for room in rooms:
            if isinstance(room, int) and not isinstance(room, bool):
                if not 0 <= room < len(self.timelines):
                    raise InvalidInput(
                        f"no room {room}: the booking has rooms 0 to {len(self.timelines) - 1}",
                        path="rooms",
                        value=room,
                        code="unknown_room",
                    )
                chosen.add(room)
            elif isinstance(room, str) and room in self.names:
                chosen.add(self.names.index(room))
            else:
                raise InvalidInput(
                    f"no such room; the rooms are {', '.join(self.names)}",
                    path="rooms",
                    value=room,
                    code="unknown_room",
                )
        if not chosen:
            raise InvalidInput("choose one room at least", path="rooms", code="no_rooms")
        return tuple(sorted(chosen))

    def select(self, rooms: Iterable[int | str]) -> Rooms:
        """The booking of ``rooms`` only (indices or names), with its own schedule and facts."""
        chosen = self.indices(rooms)
        return Rooms.of([self.timelines[i] for i in chosen], [self.names[i] for i in chosen])

    # -- quoting -------------------------------------------------------------------------------

    def quote(self, at: datetime | str, *, rooms: Iterable[int | str] | None = None) -> RoomsQuote:
        """What cancelling ``rooms`` (default: all) at ``at`` costs: the sum of their quotes."""
        chosen = self.indices(rooms)
        return self._combine(chosen, [self.timelines[i].quote(at) for i in chosen])

    def fee(self, at: datetime | str, *, rooms: Iterable[int | str] | None = None) -> Decimal:
        """Just the fee of cancelling ``rooms`` (default: all) at ``at``."""
        return sum((self.timelines[i].fee(at) for i in self.indices(rooms)), Decimal(0))

    def _combine(self, chosen: tuple[int, ...], quotes: list[Quote]) -> RoomsQuote:
        fee = sum((quote.fee for quote in quotes), Decimal(0))
        sinces = [quote.since for quote in quotes if quote.since is not None]
        untils = [quote.until for quote in quotes if quote.until is not None]
        return construct(
            RoomsQuote,
            {
                "fee": fee,
                "currency": self.currency,
                "gotadi_amount": gotadi_amount(fee),
                "since": max(sinces).astimezone(self.zone) if sinces else None,
                "until": min(untils).astimezone(self.zone) if untils else None,
                "rooms": tuple(quotes),
                "indices": chosen,
                "names": tuple(self.names[i] for i in chosen),
                "warnings": tuple(
                    _under(warning, index)
                    for index, quote in zip(chosen, quotes, strict=True)
                    for warning in quote.warnings
                ),
            },
        )

    # -- the schedule --------------------------------------------------------------------------

    def table(self) -> tuple[list[int], list[Decimal], list[tuple[Phase, ...]]]:
        """The merged intervals: every room's boundaries, each interval's summed fee and the
        rooms' phases in it (see `Timeline.table`).
        """
        if self._table is None:
            tables = [timeline.table() for timeline in self.timelines]
            bounds = sorted({bound for table in tables for bound in table[0]})
            fees: list[Decimal] = []
            phases: list[tuple[Phase, ...]] = []
            for position in range(len(bounds) + 1):
                fee = Decimal(0)
                seen: set[Phase] = set()
                for room_bounds, room_fees, room_phases in tables:
                    # The room's interval holding this one: left of its first bound, or at it.
                    at = bisect_right(room_bounds, bounds[position - 1]) if position else 0
                    fee += room_fees[at]
                    seen.add(room_phases[at])
                fees.append(fee)
                phases.append(tuple(sorted(seen, key=_PHASE_ORDER.__getitem__)))
            self._table = (bounds, fees, phases)
        return self._table

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The schedule of the whole booking: maximal stretches of constant summed fee.

        A segment's ``phases`` are the rooms' phases in it; its ``windows`` are empty (each
        room's windows are its own: see each room's timeline).
        """
        if self._segments is None:
            bounds, fees, phases = self.table()
            tz = self.zone
            starts: list[datetime | None] = [None, *(from_nanos(b, tz) for b in bounds)]
            merged: list[tuple[datetime | None, Decimal, list[Phase]]] = []
            for start, fee, inside in zip(starts, fees, phases, strict=True):
                if merged and merged[-1][1] == fee:
                    known = merged[-1][2]
                    known.extend(phase for phase in inside if phase not in known)
                else:
                    merged.append((start, fee, list(inside)))
            ends = [start for start, _, _ in merged[1:]] + [None]
            self._segments = tuple(
                construct(
                    Segment,
                    {
                        "start": start,
                        "end": end,
                        "fee": fee,
                        "gotadi_amount": gotadi_amount(fee),
                        "phases": tuple(inside),
                        "windows": (),
                    },
                )
                for (start, fee, inside), end in zip(merged, ends, strict=True)
            )
        return self._segments

    @property
    def boundaries(self) -> tuple[datetime, ...]:
        """Every instant at which some room's fee may change, in the booking's zone."""
        return tuple(from_nanos(bound, self.zone) for bound in self.table()[0])

    # -- what a booking page shows (SEMANTICS rule 20) -----------------------------------------

    @property
    def free_until(self) -> datetime | AlwaysFree | None:
        """The first instant at which cancelling the whole booking costs more than 0.

        As `Timeline.free_until`: ``None`` when no instant is free, `ALWAYS_FREE` when none is
        ever charged. For some rooms only: ``rooms.select([...]).free_until``.
        """
        segments = self.segments
        return free_until_of((segment.fee for segment in segments), lambda i: segments[i].start)

    def refundability(
        self, at: datetime | str, *, rooms: Iterable[int | str] | None = None
    ) -> Refundability:
        """``full``, ``partial`` or ``none`` for cancelling ``rooms`` at ``at``: the fee against
        those rooms' total.
        """
        chosen = self.indices(rooms)
        total = sum((self.timelines[i].booking.total for i in chosen), Decimal(0))
        return refundability_of(self.quote(at, rooms=chosen).fee, total)

    def next_change(
        self, at: datetime | str, *, rooms: Iterable[int | str] | None = None
    ) -> RoomsQuote | None:
        """The quote of ``rooms`` from the next change of their summed fee after ``at`` on
        (its ``since`` is when); ``None`` when their fee at ``at`` holds for ever.
        """
        booking = self if rooms is None else self.select(rooms)
        bounds, fees, _ = booking.table()
        position = bisect_right(bounds, self.timelines[0].instant(at))
        fee = fees[position]
        for later in range(position + 1, len(fees)):
            if fees[later] != fee:
                start = bounds[later - 1]
                everyone = tuple(range(len(booking)))
                quotes = [booking.timelines[i].quote_nanos(start) for i in everyone]
                change = booking._combine(everyone, quotes)  # noqa: SLF001 - the same class
                return change if rooms is None else _renumber(change, self)
        return None

    def summary(
        self, at: datetime | str, *, rooms: Iterable[int | str] | None = None
    ) -> RoomsSummary:
        """The quote of ``rooms`` at ``at`` with `free_until`, `refundability`, `next_change`."""
        booking = self if rooms is None else self.select(rooms)
        quote = self.quote(at, rooms=rooms)
        return construct(
            RoomsSummary,
            {
                "quote": quote,
                "free_until": booking.free_until,
                "refundability": refundability_of(quote.fee, booking.total),
                "next_change": self.next_change(at, rooms=rooms),
            },
        )


def _renumber(quote: RoomsQuote, booking: Rooms) -> RoomsQuote:
    """``quote`` of a selection, its rooms numbered as in the whole ``booking``."""
    indices = tuple(booking.names.index(name) for name in quote.names)
    return construct(RoomsQuote, {**quote.__dict__, "indices": indices})


def _under(warning: PolicyWarning, index: int) -> PolicyWarning:
    path = f"rooms[{index}].{warning.path}" if warning.path else f"rooms[{index}]"
    return construct(
        PolicyWarning, {"code": warning.code, "path": path, "message": warning.message}
    )


def _room(item: object, index: int) -> Room:
    """A `Room` from a `Room` or a ``(policy, booking[, name])`` tuple."""
    if isinstance(item, Room):
        room = item
    elif isinstance(item, tuple) and len(item) in {2, 3}:
        room = Room(*item)
    else:
        raise InvalidInput(
            "a room is a Room or a (policy, booking[, name]) tuple",
            path=f"rooms[{index}]",
            value=item,
            code="wrong_type",
        )
    if not isinstance(room.policy, Policy):
        raise InvalidInput(
            "a room's policy must be a Policy (read a provider's payload with "
            "penalty.formats.parse)",
            path=f"rooms[{index}].policy",
            value=room.policy,
            code="wrong_type",
        )
    if not isinstance(room.booking, Booking):
        raise InvalidInput(
            "a room's booking must be a Booking (Booking.model_validate(fields))",
            path=f"rooms[{index}].booking",
            value=room.booking,
            code="wrong_type",
        )
    if room.name is not None and (not isinstance(room.name, str) or not room.name.strip()):
        raise InvalidInput(
            "a room's name is non-empty text",
            path=f"rooms[{index}].name",
            value=room.name,
            code="wrong_type",
        )
    return room
