"""``penalty quote`` and ``penalty schedule``: the engine on JSON files.

``BOOKING.json`` is one booking's fields, or a booking of several rooms (SEMANTICS rule 21)::

    {"currency": "VND", "check_in": "2021-05-13", "check_out": "2021-05-15",
     "timezone": "Asia/Ho_Chi_Minh",
     "rooms": [
       {"name": "Deluxe", "total": "2000000", "policy": [...], "format": "gotadi"},
       {"name": "Family", "total": "1000000"}]}

Each room is a booking's fields (those beside ``rooms`` are every room's, a room's own win),
with an optional ``name``, and optional ``policy`` (the provider's payload, inline), ``format``
and ``zone``; a room without its own policy reads ``POLICY.json`` (then required) with
``--format`` and ``--zone``. ``--room`` (by name or index, repeatable) cancels only those rooms.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any

from penalty.booking import Booking
from penalty.cli._io import load_json, load_policy
from penalty.errors import InvalidInput, InvalidPolicy
from penalty.formats import FORMATS
from penalty.formats import parse as parse_policy
from penalty.policy import Policy, PolicyWarning
from penalty.rooms import Room, Rooms, RoomsQuote
from penalty.timeline import (
    ALWAYS_FREE,
    AlwaysFree,
    Quote,
    Segment,
    Timeline,
    free_until_json,
    refundability_of,
)

__all__ = ["add_policy_options", "compile_subject", "register"]

#: The members of a room in a rooms booking file that are not booking fields.
_ROOM_MEMBERS = frozenset({"name", "policy", "format", "zone"})

_PHASE_WORDS = {
    "free": "free (before the first window)",
    "window": "inside window {window}",
    "gap": "in a gap between windows (the earlier fee carries)",
    "no_show": "after the last window (no-show)",
}


def add_policy_options(parser: argparse.ArgumentParser) -> None:
    """Add what every engine command reads: payload, ``--format``, ``--zone``, booking, fold."""
    parser.add_argument(
        "policy",
        metavar="POLICY.json",
        nargs="?",
        help="the provider's cancellation payload (see --format); - reads standard input; "
        "optional when every room of a rooms booking file carries its own policy",
    )
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "auto"),
        default="gotadi",
        help="the payload's provider format (default: gotadi; auto: detect it from its keys)",
    )
    parser.add_argument(
        "--zone",
        metavar="IANA",
        help="zone of times written without an offset (required by ratehawk, e.g. UTC)",
    )
    parser.add_argument(
        "--booking",
        metavar="BOOKING.json",
        required=True,
        help="the booking: total, currency, nightly_rates, check_in, check_out, timezone, "
        "check_in_time; or rooms: [...] (a booking of several rooms, see the README)",
    )
    parser.add_argument(
        "--fold",
        choices=("raise", "earlier", "later"),
        default="raise",
        help="how to read a local time in a DST gap or fold (default: raise)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    add_policy_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--room",
        metavar="ROOM",
        action="append",
        help="a rooms booking: only this room (name or index; repeat for several): a partial "
        "cancellation",
    )


def register(subparsers: Any) -> None:
    """Add ``quote`` and ``schedule`` to the CLI."""
    quote = subparsers.add_parser("quote", help="the fee of cancelling at one instant")
    _common(quote)
    quote.add_argument(
        "--at",
        required=True,
        metavar="ISO",
        help="cancel time, ISO 8601 with an offset (2021-05-12T18:00:00+07:00)",
    )
    quote.set_defaults(run=_run_quote)
    schedule = subparsers.add_parser("schedule", help="the whole fee schedule of a booking")
    _common(schedule)
    schedule.set_defaults(run=_run_schedule)


def compile_subject(args: argparse.Namespace) -> Timeline | Rooms:
    """The policy compiled against ``--booking``: a `Timeline`, or `Rooms` for a rooms file."""
    data = load_json(args.booking, what="booking")
    if isinstance(data, dict) and "rooms" in data:
        return _rooms(args, data)
    if args.policy is None:
        raise InvalidInput(
            "POLICY.json is required (only a rooms booking file carries its policies)",
            path="policy",
            code="missing",
        )
    policy = load_policy(args.policy, fold=args.fold, format=args.format, zone=args.zone)
    return policy.timeline(Booking.model_validate(data))


def _rooms(args: argparse.Namespace, data: dict[str, Any]) -> Rooms:
    """A rooms booking file, each room's policy its own or ``POLICY.json``."""
    shared = {key: value for key, value in data.items() if key != "rooms"}
    items = data["rooms"]
    if not isinstance(items, list) or not items:
        raise InvalidInput(
            "rooms must be a non-empty list of rooms", path="rooms", value=items, code="no_rooms"
        )
    default: Policy | None = None
    rooms: list[Room] = []
    for index, item in enumerate(items):
        path = f"rooms[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput("a room is an object", path=path, value=item, code="wrong_type")
        fields = {**shared, **{k: v for k, v in item.items() if k not in _ROOM_MEMBERS}}
        try:
            booking = Booking.model_validate(fields)
            if "policy" in item:
                policy = parse_policy(
                    item["policy"],
                    format=item.get("format", args.format),
                    zone=item.get("zone", args.zone),
                    fold=args.fold,
                )
            else:
                if default is None:
                    default = _default_policy(args)
                policy = default
        except InvalidInput as exc:
            raise exc.under(path) from exc.__cause__
        rooms.append(Room(policy, booking, item.get("name")))
    whole = Rooms(rooms)
    whole.indices(_chosen(args))  # an unknown --room is refused before anything is printed
    return whole


def _default_policy(args: argparse.Namespace) -> Policy:
    if args.policy is None:
        raise InvalidInput(
            "this room has no policy of its own and no POLICY.json was given",
            path="policy",
            code="missing",
        )
    return load_policy(args.policy, fold=args.fold, format=args.format, zone=args.zone)


def _chosen(args: argparse.Namespace) -> list[int | str] | None:
    """``--room`` values (a digit string is an index, anything else a name); ``None``: all."""
    values: list[str] | None = getattr(args, "room", None)
    if not values:
        return None
    return [int(value) if value.isdigit() else value for value in values]


def _subject(args: argparse.Namespace) -> Timeline | Rooms:
    subject = compile_subject(args)
    if isinstance(subject, Timeline) and getattr(args, "room", None):
        raise InvalidInput(
            "--room picks rooms of a rooms booking file; this booking has none",
            path="room",
            value=args.room[0],
            code="not_rooms",
        )
    return subject


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,} {currency}"


def _when(moment: datetime | None) -> str:
    """``2021-05-12 18:00 +07:00`` (seconds only when there are some)."""
    if moment is None:
        return ""
    precise = moment.second or moment.microsecond
    text = moment.isoformat(sep=" ", timespec="microseconds" if precise else "minutes")
    if moment.tzinfo is not None and moment.utcoffset() is not None:
        text = f"{text[:-6]} {text[-6:]}"
    return text


def _warn(warnings: tuple[PolicyWarning, ...]) -> None:
    for warning in warnings:
        where = f"{warning.path}: " if warning.path else ""
        print(f"warning: {where}{warning.message}", file=sys.stderr)


def _free_until_words(value: datetime | AlwaysFree | None) -> str:
    if value is ALWAYS_FREE:
        return "at any time"
    if value is None or isinstance(value, AlwaysFree):
        return "never (no instant is free)"
    return f"before {_when(value)}"


def _held(since: datetime | None, until: datetime | None) -> str:
    held = " ".join(
        part
        for part in (
            f"from {_when(since)}" if since else "",
            f"until {_when(until)}" if until else "",
        )
        if part
    )
    return held or "at every instant"


def _run_quote(args: argparse.Namespace) -> int:
    subject = _subject(args)
    if isinstance(subject, Rooms):
        return _quote_rooms(subject, args)
    quote: Quote = subject.quote(args.at)
    try:
        summary = subject.summary(args.at)
    except InvalidPolicy as exc:  # a fact that depends on a charge penalty cannot price
        if exc.code != "unsupported_kind":
            raise
        return _quote_without_facts(subject, quote, args, exc)
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
        return 0
    print(f"fee:    {_money(quote.fee, quote.currency)}")
    print(f"gotadi: {quote.gotadi_amount}")
    print(f"phase:  {_PHASE_WORDS[quote.phase].format(window=quote.window)}")
    print(f"holds:  {_held(quote.since, quote.until)}")
    _facts(summary.refundability, summary.free_until, summary.next_change, quote.currency)
    _warn(quote.warnings)
    return 0


def _quote_without_facts(
    timeline: Timeline, quote: Quote, args: argparse.Namespace, exc: InvalidPolicy
) -> int:
    """The quote, its refundability, and a warning: ``free_until`` and ``next_change`` depend
    on a charge penalty cannot price (a UCP outcome of an unknown kind), so they are left out,
    never guessed.
    """
    refundability = refundability_of(quote.fee, timeline.booking.total)
    if args.json:
        shown = {**quote.to_json(), "refundability": refundability}
        print(json.dumps(shown, ensure_ascii=False))
    else:
        print(f"fee:    {_money(quote.fee, quote.currency)}")
        print(f"gotadi: {quote.gotadi_amount}")
        print(f"phase:  {_PHASE_WORDS[quote.phase].format(window=quote.window)}")
        print(f"holds:  {_held(quote.since, quote.until)}")
        print(f"refund: {refundability}")
    _warn(quote.warnings)
    print(
        f"warning: {exc.path}: free until and the next change are not shown: {exc.message}",
        file=sys.stderr,
    )
    return 0


def _facts(
    refundability: str,
    free_until: datetime | AlwaysFree | None,
    change: Quote | RoomsQuote | None,
    currency: str,
) -> None:
    """The booking page's lines: refund, free cancellation, next change (SEMANTICS rule 20)."""
    print(f"refund: {refundability}")
    print(f"free:   {_free_until_words(free_until)}")
    if change is not None:
        print(f"next:   {_money(change.fee, currency)} from {_when(change.since)}")


def _quote_rooms(booking: Rooms, args: argparse.Namespace) -> int:
    summary = booking.summary(args.at, rooms=_chosen(args))
    quote = summary.quote
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
        return 0
    print(f"fee:    {_money(quote.fee, quote.currency)}")
    print(f"gotadi: {quote.gotadi_amount}")
    for name, room in zip(quote.names, quote.rooms, strict=True):
        phase = _PHASE_WORDS[room.phase].format(window=room.window)
        print(f"  {name}: {_money(room.fee, room.currency)}, {phase}")
    print(f"holds:  {_held(quote.since, quote.until)}")
    _facts(summary.refundability, summary.free_until, summary.next_change, quote.currency)
    _warn(quote.warnings)
    return 0


def _describe(segment: Segment) -> str:
    if segment.start is None and segment.end is None:
        return "at any time"
    if segment.start is None:
        return f"before {_when(segment.end)}"
    if segment.end is None:
        return f"from {_when(segment.start)}"
    return f"from {_when(segment.start)} until {_when(segment.end)}"


def _run_schedule(args: argparse.Namespace) -> int:
    subject = _subject(args)
    if isinstance(subject, Rooms):
        return _schedule_rooms(subject, args)
    timeline = subject
    if args.json:
        print(
            json.dumps(
                {
                    "currency": timeline.currency,
                    "segments": [segment.to_json() for segment in timeline.segments],
                    "warnings": [warning.model_dump() for warning in timeline.warnings],
                    "free_until": free_until_json(timeline.free_until),
                },
                ensure_ascii=False,
            )
        )
        return 0
    title = f"Cancellation fee schedule ({timeline.currency}, total "
    print(f"{title}{_money(timeline.booking.total, timeline.currency)}):")
    _rows(timeline.segments, timeline.currency, indent="  ")
    print(f"Free cancellation: {_free_until_words(timeline.free_until)}")
    _warn(timeline.warnings)
    return 0


def _rows(segments: tuple[Segment, ...], currency: str, *, indent: str) -> None:
    rows = [(_describe(s), _money(s.fee, currency), s) for s in segments]
    width = max(len(text) for text, _, _ in rows)
    amount_width = max(len(amount) for _, amount, _ in rows)
    for text, amount, segment in rows:
        note = "  no-show" if "no_show" in segment.phases else ""
        print(f"{indent}{text:<{width}}  {amount:>{amount_width}}{note}")


def _schedule_rooms(whole: Rooms, args: argparse.Namespace) -> int:
    indices = whole.indices(_chosen(args))
    booking = whole.select(indices) if len(indices) < len(whole) else whole
    if args.json:
        rooms = [
            {
                "room": index,
                "name": name,
                "total": str(timeline.booking.total),
                "segments": [segment.to_json() for segment in timeline.segments],
                "free_until": free_until_json(timeline.free_until),
            }
            for index, name, timeline in zip(indices, booking.names, booking.timelines, strict=True)
        ]
        shown = {
            "currency": booking.currency,
            "segments": [segment.to_json() for segment in booking.segments],
            "warnings": [warning.model_dump() for warning in booking.warnings],
            "free_until": free_until_json(booking.free_until),
            "total": str(booking.total),
            "rooms": rooms,
        }
        print(json.dumps(shown, ensure_ascii=False))
        return 0
    count = f"{len(booking)} room{'s' if len(booking) > 1 else ''}"
    print(
        f"Cancellation fee schedule ({booking.currency}, {count}, total "
        f"{_money(booking.total, booking.currency)}):"
    )
    _rows(booking.segments, booking.currency, indent="  ")
    print(f"Free cancellation: {_free_until_words(booking.free_until)}")
    for name, timeline in zip(booking.names, booking.timelines, strict=True):
        print(f"{name} (total {_money(timeline.booking.total, timeline.currency)}):")
        _rows(timeline.segments, timeline.currency, indent="    ")
    _warn(booking.warnings)
    return 0
