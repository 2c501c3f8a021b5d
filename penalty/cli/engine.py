"""``penalty quote`` and ``penalty schedule``: the engine on JSON files."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any

from penalty.cli._io import load_booking, load_policy
from penalty.formats import FORMATS
from penalty.policy import PolicyWarning
from penalty.timeline import Quote, Segment, Timeline

__all__ = ["add_policy_options", "register"]

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
        help="the provider's cancellation payload (see --format); - reads standard input",
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
        help="the booking: total, currency, nightly_rates, check_in, check_out, timezone",
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


def _timeline(args: argparse.Namespace) -> Timeline:
    policy = load_policy(args.policy, fold=args.fold, format=args.format, zone=args.zone)
    return policy.timeline(load_booking(args.booking))


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


def _run_quote(args: argparse.Namespace) -> int:
    timeline = _timeline(args)
    quote: Quote = timeline.quote(args.at)
    if args.json:
        print(json.dumps(quote.to_json(), ensure_ascii=False))
        return 0
    print(f"fee:    {_money(quote.fee, quote.currency)}")
    print(f"gotadi: {quote.gotadi_amount}")
    print(f"phase:  {_PHASE_WORDS[quote.phase].format(window=quote.window)}")
    held = " ".join(
        part
        for part in (
            f"from {_when(quote.since)}" if quote.since else "",
            f"until {_when(quote.until)}" if quote.until else "",
        )
        if part
    )
    print(f"holds:  {held or 'at every instant'}")
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
    timeline = _timeline(args)
    if args.json:
        print(
            json.dumps(
                {
                    "currency": timeline.currency,
                    "segments": [segment.to_json() for segment in timeline.segments],
                    "warnings": [warning.model_dump() for warning in timeline.warnings],
                },
                ensure_ascii=False,
            )
        )
        return 0
    rows = [(_describe(s), _money(s.fee, timeline.currency), s) for s in timeline.segments]
    width = max(len(text) for text, _, _ in rows)
    amount_width = max(len(amount) for _, amount, _ in rows)
    print(
        f"Cancellation fee schedule ({timeline.currency}, total "
        f"{_money(timeline.booking.total, timeline.currency)}):"
    )
    for text, amount, segment in rows:
        note = "  no-show" if "no_show" in segment.phases else ""
        print(f"  {text:<{width}}  {amount:>{amount_width}}{note}")
    _warn(timeline.warnings)
    return 0
