"""``penalty gotadi check|cancel|status`` and the hooks of ``penalty sandbox gotadi``.

Configured from ``PENALTY_GOTADI_*`` environment variables and/or the ``[gotadi]`` table of
``--config FILE`` (see `penalty.providers.gotadi.config`). Secrets are never printed, and never
taken from the command line.

Exit codes (the table in `penalty.cli`):

* ``check``: 0 Gotadi answered (whatever its status says); 1 Gotadi refused (HTTP 4xx such as
  404 for an unknown booking, ``success: false``); 2 bad input, or a ``--booking`` that is not
  this booking's; 3 Gotadi unreachable (timeout, 5xx, 408, 429) or not believable.
* ``cancel``: 0 Gotadi confirmed (now, or a cancellation found already confirmed); 1 it
  refused before anything was sent, or the flow ended otherwise (not allowed, total mismatch,
  expired, mismatch, rejected, still pending or unknown at ``--wait``: after sending, an answer
  that cannot be believed means pending, never rejected); 2 bad input, nothing sent (a booking
  file that is not this booking's, ``--at`` away from a sandbox without ``--force``, a
  ``--wait`` that is not a finite positive number); 3 Gotadi unreachable, or an answer that
  cannot be believed, before anything was sent.
* ``status``: 0 Gotadi answered; 1 it refused (a verified error code, HTTP 4xx); 2; 3 as above.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from penalty.booking import Booking
from penalty.cli import EXIT_FAILED, EXIT_OK
from penalty.cli._args import credential, seconds
from penalty.cli._io import load_booking
from penalty.errors import InvalidInput, InvalidInstant
from penalty.instants import from_nanos, parse_instant
from penalty.providers._config import is_loopback_url
from penalty.providers._sandbox import Handler
from penalty.providers.gotadi import (
    CancelOutcome,
    Client,
    Config,
    FlowSettings,
    FlowState,
    KeyPair,
    OnTotalMismatch,
    PenaltyCheck,
    RsaPadding,
    Sandbox,
    Step,
    bundled_key_path,
    bundled_test_keys,
    load_private_key,
    load_public_key,
)
from penalty.providers.gotadi.sandbox_data import (
    FIXTURES,
    SANDBOX_CONFIG_FILE,
    SCENARIOS,
    TEST_ONLY_ACCESS_CODE,
    TEST_ONLY_API_KEY,
)

__all__ = ["add_sandbox_arguments", "register", "sandbox_banner", "sandbox_handler"]


def register(subparsers: Any) -> None:
    """Add ``gotadi check``, ``gotadi cancel`` and ``gotadi status`` to the CLI."""
    gotadi = subparsers.add_parser("gotadi", help="Gotadi hotel bookings: penalty, cancel, status")
    commands = gotadi.add_subparsers(dest="gotadi_command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="a booking's live penalty windows (and our fee, given --booking)",
        description="POST /api/v3/hotel/check-cancel-penalty; with --booking, quote our fee "
        "and compare it with Gotadi's cancelPenaltyTotal.",
    )
    _common(check)
    check.add_argument("--booking", metavar="BOOKING.json", help="quote our fee for this booking")
    _at(check)
    check.set_defaults(run=_run_check)
    cancel = commands.add_parser(
        "cancel",
        help="cancel with our exact fee and follow the cancellation to its end",
        description="check -> quote -> compare -> cancel -> (resubmit once on mismatch) -> poll "
        "the status until final or --wait seconds.",
    )
    _common(cancel)
    cancel.add_argument(
        "--booking",
        metavar="BOOKING.json",
        required=True,
        help="the booking: total, currency, nightly_rates, check_in, check_out, timezone",
    )
    _at(cancel)
    cancel.add_argument(
        "--force",
        action="store_true",
        help="allow --at against a base URL that is not a local sandbox",
    )
    cancel.add_argument(
        "--wait",
        type=seconds,
        default=FlowSettings().deadline,
        metavar="SECONDS",
        help="give up polling after this long (default %(default)s; the first poll comes "
        "after a twentieth of it, a second at most)",
    )
    cancel.add_argument(
        "--on-total-mismatch",
        choices=[choice.value for choice in OnTotalMismatch],
        help="when our fee differs from Gotadi's cancelPenaltyTotal: stop before sending, "
        "send ours or theirs (default: the on_total_mismatch setting, else stop)",
    )
    cancel.set_defaults(run=_run_cancel)
    status = commands.add_parser("status", help="where a cancellation stands")
    _common(status)
    status.set_defaults(run=_run_status)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("booking_number", metavar="BOOKING_NUMBER", help="Gotadi's booking number")
    parser.add_argument("--config", metavar="FILE", help="TOML file with a [gotadi] table")
    parser.add_argument("--base-url", help="override PENALTY_GOTADI_BASE_URL")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--at",
        metavar="ISO",
        help="cancel time for the quote, with an offset (default: now); for sandbox runs "
        "(cancel: a local sandbox only, unless --force)",
    )


def _settings(args: argparse.Namespace) -> Config:
    mismatch = getattr(args, "on_total_mismatch", None)
    return Config.load(config_file=args.config, base_url=args.base_url, on_total_mismatch=mismatch)


def _client(args: argparse.Namespace) -> Client:
    return Client(_settings(args))


def _at_allowed(args: argparse.Namespace, settings: Config) -> None:
    """``cancel --at`` quotes another instant than now: only against a loopback sandbox.

    Against Gotadi itself that fee would be paid for real, so it takes ``--force``.
    """
    if args.at and not args.force and not is_loopback_url(settings.base_url):
        raise InvalidInput(
            "quotes the fee at another instant than now: allowed only against a local sandbox "
            "(127.0.0.1, localhost, ::1); add --force to send that fee to this base URL",
            path="--at",
            value=args.at,
            code="at_not_sandbox",
        )


def _now(args: argparse.Namespace) -> datetime | None:
    if not args.at:
        return None
    nanos, _ = parse_instant(args.at, tz=None, path="--at", error=InvalidInstant)
    return from_nanos(nanos, UTC)


def _dump(value: dict[str, Any]) -> None:
    print(json.dumps(value, ensure_ascii=False, default=str))


# -- check ---------------------------------------------------------------------------------------


def _window_text(index: int, window: Any) -> str:
    parts = [f"{window.type}"]
    parts += [
        f"{name}={getattr(window, name)}"
        for name in ("percent", "nights", "amount")
        if getattr(window, name)
    ]
    return (
        f"  [{index}] {window.start_date} -> {window.end_date}  {' '.join(parts)} {window.currency}"
    )


def _run_check(args: argparse.Namespace) -> int:
    booking = load_booking(args.booking) if args.booking else None
    at = _now(args)
    with _client(args) as gotadi:
        check = gotadi.check_cancel_penalty(args.booking_number)
    quote = None
    if booking is not None:
        check.require_booking(booking)
        quote = check.policy.quote(booking, at if at is not None else datetime.now(UTC))
    if args.json:
        result = check.response.result
        _dump(
            {
                "booking_number": check.booking_number,
                "status": check.status.value,
                "cancel_penalty_total": _str(check.cancel_penalty_total),
                "cancel_penalties": [
                    penalty.model_dump(by_alias=True) for penalty in result.cancel_penalties
                ]
                if result is not None
                else [],
                "quote": quote.to_json() if quote is not None else None,
                "total_matches": (
                    None
                    if quote is None or check.cancel_penalty_total is None
                    else quote.fee == check.cancel_penalty_total
                ),
            }
        )
        return EXIT_OK
    _print_check(check)
    if quote is not None:
        total = check.cancel_penalty_total
        verdict = (
            "Gotadi sent no total"
            if total is None
            else "matches Gotadi's total"
            if quote.fee == total
            else f"MISMATCH with Gotadi's total {total:,}"
        )
        print(f"our fee: {quote.fee:,} {quote.currency} (wire {quote.gotadi_amount}), {verdict}")
    return EXIT_OK


def _print_check(check: PenaltyCheck) -> None:
    print(f"booking {check.booking_number}: {check.status.value}")
    print(f"Gotadi's cancelPenaltyTotal: {_str(check.cancel_penalty_total) or 'absent'}")
    penalties = check.response.result.cancel_penalties if check.response.result else ()
    print("penalty windows:" if penalties else "penalty windows: none")
    for index, window in enumerate(penalties):
        print(_window_text(index, window))


def _str(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


# -- cancel --------------------------------------------------------------------------------------


def _outcome_json(outcome: CancelOutcome) -> dict[str, Any]:
    return {
        "booking_number": outcome.booking_number,
        "state": outcome.state.value,
        "status": outcome.status.value if outcome.status else None,
        "amount_sent": outcome.amount_sent,
        "quote": outcome.quote.to_json() if outcome.quote else None,
        "gotadi_total": _str(outcome.gotadi_total),
        "total_mismatch": outcome.total_mismatch,
        "gotadi_fee": _str(outcome.gotadi_fee),
        "provider_code": outcome.provider_code,
        "trail": [
            {"action": s.action, "text": s.text, "elapsed": s.elapsed, "status": s.status}
            for s in outcome.trail
        ],
    }


def _run_cancel(args: argparse.Namespace) -> int:
    booking: Booking = load_booking(args.booking)
    at = _now(args)
    config = _settings(args)
    _at_allowed(args, config)
    # The first poll after a twentieth of the wait (a second at most), doubling from there.
    settings = FlowSettings(deadline=args.wait, poll_initial=min(1.0, args.wait / 20))
    live: Callable[[Step], None] | None = None if args.json else print
    with Client(config) as gotadi:
        outcome = gotadi.cancel_booking(
            args.booking_number,
            booking,
            now=None if at is None else (lambda: at),
            settings=settings,
            on_step=live,
        )
    if args.json:
        _dump(_outcome_json(outcome))
    else:
        print(_summary(outcome))
    return EXIT_OK if outcome.state is FlowState.CONFIRMED else EXIT_FAILED


def _summary(outcome: CancelOutcome) -> str:
    text = f"result: {outcome.state.value}"
    if outcome.status is not None:
        text += f" ({outcome.status.value})"
    if outcome.amount_sent is not None:
        text += f", fee sent {outcome.amount_sent}"
    if outcome.total_mismatch:
        text += f"; Gotadi's cancelPenaltyTotal was {_str(outcome.gotadi_total)}"
    return text


# -- status --------------------------------------------------------------------------------------


def _run_status(args: argparse.Namespace) -> int:
    with _client(args) as gotadi:
        answer = gotadi.cancellation_status(args.booking_number)
    status = answer.cancellation_status.value if answer.cancellation_status else None
    if args.json:
        _dump(
            {
                "booking_number": answer.booking_number,
                "error_code": answer.error_code.value,
                "status": status,
                "cancel_penalty_amount": answer.cancel_penalty_amount,
            }
        )
        return EXIT_OK
    text = f"booking {answer.booking_number}: {status or 'no status'}"
    if answer.cancel_penalty_amount is not None:
        text += f", fee {answer.cancel_penalty_amount}"
    if answer.error_code.value != "00":
        text += f" (error {answer.error_code.value}: {answer.error_code.meaning})"
    print(text)
    return EXIT_OK


# -- penalty sandbox gotadi ----------------------------------------------------------------------


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``penalty sandbox gotadi`` (all default to the TEST-ONLY setup; credentials
    come from ``--config``, never from the command line).
    """
    parser.add_argument("--key", metavar="PATH", help="the sandbox's RSA private key")
    parser.add_argument("--partner-public-key", metavar="PATH", help="the partner's RSA public key")
    parser.add_argument(
        "--rsa-padding",
        choices=[padding.value for padding in RsaPadding],
        default=RsaPadding.PKCS1V15.value,
        help="how the 3DES key is RSA-encrypted (default %(default)s)",
    )


def sandbox_handler(args: argparse.Namespace, credentials: dict[str, Any]) -> Handler:
    """The sandbox the options describe (TEST-ONLY keys and credentials unless told)."""
    _, bundled = bundled_test_keys()
    own = bundled.own_private
    peer = bundled.peer_public
    if args.key:
        own = load_private_key(args.key, setting="--key")
    if args.partner_public_key:
        peer = load_public_key(args.partner_public_key, setting="--partner-public-key")
    bearer = credentials.get("bearer_token")
    return Sandbox(
        KeyPair(own_private=own, peer_public=peer),
        api_key=credential(credentials, "api_key", TEST_ONLY_API_KEY),
        access_code=credential(credentials, "access_code", TEST_ONLY_ACCESS_CODE),
        bearer_token=None if bearer is None else credential(credentials, "bearer_token", ""),
        rsa_padding=RsaPadding(args.rsa_padding),
        slow_delay=args.slow_delay,
    )


def sandbox_banner(url: str, args: argparse.Namespace, handler: Handler) -> str:
    """How to point ``penalty gotadi`` at this sandbox (no secret values)."""
    del handler
    config = bundled_key_path(SANDBOX_CONFIG_FILE)
    custom = args.key or args.partner_public_key or args.config
    lines = [
        f"Gotadi sandbox on {url} (TEST-ONLY; Ctrl-C stops it)",
        "Point the client at it:",
        f"  export PENALTY_GOTADI_BASE_URL={url}",
        f"  export PENALTY_GOTADI_CONFIG={config}",
        "  penalty gotadi check EX3 --booking BOOKING.json --at 2021-05-13T09:00:00+07:00",
        "  penalty gotadi cancel EX1-WAITING --booking BOOKING.json --at 2021-05-13T09:00:00+07:00",
    ]
    if custom:
        lines.append("  (with your own keys or credentials, configure the client to match)")
    lines += [
        f"Bookings: {', '.join(FIXTURES)}",
        f"  add -SCENARIO for an outcome: {', '.join(SCENARIOS)}",
    ]
    return "\n".join(lines)
