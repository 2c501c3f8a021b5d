"""``penalty preview``: the fee schedule as a guest reads it, as UI JSON, or as an SVG picture.

The real clock is read here, at the edge, only when ``--now`` is not given; the locale is
``--locale`` (default ``en``), never the machine's.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from penalty.cli._io import terminal_safe
from penalty.cli.engine import add_policy_options, compile_subject
from penalty.errors import InvalidInput
from penalty.limits import MAX_PREVIEW_SEGMENTS, check_count
from penalty.preview import preview
from penalty.rooms import Rooms

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add ``preview`` to the CLI."""
    parser = subparsers.add_parser(
        "preview", help="the fee schedule as localized sentences, UI JSON or an SVG chart"
    )
    add_policy_options(parser)
    parser.add_argument(
        "--now",
        metavar="ISO",
        help="the current instant, ISO 8601 with an offset (default: the real clock)",
    )
    parser.add_argument(
        "--locale", default="en", help="CLDR locale of the wording and formats (default: en)"
    )
    parser.add_argument(
        "--tz", metavar="VIEWER_TZ", help="the viewer's IANA zone, shown beside the hotel's"
    )
    parser.add_argument(
        "--room",
        metavar="ROOM",
        action="append",
        help="a rooms booking: preview only this room (name or index; repeat for several)",
    )
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the UI JSON")
    output.add_argument(
        "--svg", metavar="FILE", help="write the fee timeline as an SVG step chart (- : stdout)"
    )
    parser.set_defaults(run=_run)


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the file name
        reason = exc.strerror if isinstance(exc, OSError) else "its name holds a NUL character"
        raise InvalidInput(
            f"cannot write the SVG file: {reason}", path="svg", value=path, code="unwritable"
        ) from exc


def _run(args: argparse.Namespace) -> int:
    subject = compile_subject(args)
    if isinstance(subject, Rooms) and args.room:
        subject = subject.select([int(v) if v.isdigit() else v for v in args.room])
    elif args.room:
        raise InvalidInput(
            "--room picks rooms of a rooms booking file; this booking has none",
            path="room",
            value=args.room[0],
            code="not_rooms",
        )
    check_count(  # the sentences and the chart are per fee step: bounded before they are built
        len(subject.segments),
        MAX_PREVIEW_SEGMENTS,
        what="fee steps to preview (penalty schedule lists any number)",
        path="policy",
        error=InvalidInput,
        code="too_many_segments",
    )
    now = args.now if args.now is not None else datetime.now(UTC)
    shown = preview(subject, args.locale, now=now, viewer_tz=args.tz)
    if args.json:
        print(json.dumps(shown.to_json(), ensure_ascii=False, indent=2))
        return 0
    if args.svg == "-":
        sys.stdout.write(shown.to_svg())
        return 0
    if args.svg is not None:
        _write(args.svg, shown.to_svg())
    print(terminal_safe(shown.text))
    for warning in shown.warnings:
        where = f"{warning.path}: " if warning.path else ""
        print(terminal_safe(f"warning: {where}{warning.message}"), file=sys.stderr)
    if args.svg is not None:
        print(f"SVG written to {args.svg}", file=sys.stderr)
    return 0
