"""``penalty tiki cancel``: cancel a Tiki mini-app order (Tiki then refunds an online payment).

Configured like the Gotadi commands: ``PENALTY_TIKI_*`` environment variables and/or the
``[tiki]`` table of ``--config FILE`` (see `penalty.providers.tiki.config`). The client secret is
never printed.

Exit codes (the table in `penalty.cli`): 0 cancelled, or known (``--status canceled``) to be
cancelled already, nothing sent; 1 Tiki refused (its error envelope or any HTTP 4xx but 408 and
429: an order already cancelled or completed 400, unknown 404, credentials or signature refused
401); 2 bad input or a missing setting, nothing sent (``--status completed`` included); 3 Tiki
unreachable (timeout, reset, 5xx, 408, 429) or an answer that is not a Tiki envelope for this
order.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from pydantic import SecretStr

from penalty.cli import EXIT_OK
from penalty.cli._args import credential
from penalty.providers._sandbox import Handler
from penalty.providers.tiki import (
    Client,
    Config,
    OrderStatus,
    Sandbox,
    TikiCancelOutcome,
    TikiCancelResult,
)
from penalty.providers.tiki.sandbox import API_ROOT, SANDBOX_CLIENT_KEY, SANDBOX_CLIENT_SECRET

__all__ = ["register", "sandbox_banner", "sandbox_handler"]


def register(subparsers: Any) -> None:
    """Add ``tiki cancel`` to the CLI."""
    tiki = subparsers.add_parser("tiki", help="Tiki mini-app orders (payment side)")
    commands = tiki.add_subparsers(dest="tiki_command", required=True, metavar="COMMAND")
    cancel = commands.add_parser(
        "cancel",
        help="cancel an order; Tiki refunds a guest who paid online",
        description="Cancel a Tiki order that is not completed (POST /order/cancel).",
    )
    cancel.add_argument("order_id", metavar="ORDER_ID", help="Tiki's order id")
    cancel.add_argument("--comment", required=True, help="the reason shown to the customer")
    cancel.add_argument("--page-path", help="where the customer's notification leads")
    cancel.add_argument(
        "--status",
        choices=[status.value for status in OrderStatus],
        help="the order's status if known: completed is refused before anything is sent",
    )
    cancel.add_argument("--config", metavar="FILE", help="TOML file with a [tiki] table")
    cancel.add_argument("--base-url", help="override PENALTY_TIKI_BASE_URL")
    cancel.add_argument("--json", action="store_true", help="print one JSON object")
    cancel.set_defaults(run=_run_cancel)


def _render(result: TikiCancelResult) -> str:
    order = result.order
    if result.outcome is TikiCancelOutcome.ALREADY_CANCELLED or order is None:
        return f"tiki order {result.order_id}: already cancelled (nothing sent)"
    return (
        f"tiki order {result.order_id}: cancelled (status {order.status}, "
        f"grand total {order.grand_total:,} VND)\n{result.note}"
    )


def _run_cancel(args: argparse.Namespace) -> int:
    config = Config.load(config_file=args.config, base_url=args.base_url)
    with Client(config) as client:
        result = client.cancel_order(
            args.order_id, args.comment, page_path=args.page_path, known_status=args.status
        )
    if args.json:
        print(json.dumps(result.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
    else:
        print(_render(result))
    return EXIT_OK


def sandbox_handler(args: argparse.Namespace, credentials: dict[str, Any]) -> Handler:
    """The Tiki sandbox that ``penalty sandbox tiki`` serves (TEST-ONLY credentials unless
    ``--config`` names others).
    """
    secret = credential(credentials, "client_secret", SANDBOX_CLIENT_SECRET.get_secret_value())
    return Sandbox(
        client_key=credential(credentials, "client_key", SANDBOX_CLIENT_KEY),
        client_secret=SecretStr(secret),
        slow_delay=args.slow_delay,
    )


def sandbox_banner(url: str, args: argparse.Namespace, handler: Handler) -> str:
    """How to point ``penalty tiki cancel`` at the sandbox (its credentials are TEST-ONLY)."""
    prefixes = handler.outcomes.prefixes() if isinstance(handler, Sandbox) else ""
    if args.config:
        credentials = f"  export PENALTY_TIKI_CONFIG={args.config}   # its [tiki] table"
    else:
        credentials = (
            "  (TEST-ONLY credentials, public, fake:)\n"
            f"  export PENALTY_TIKI_CLIENT_KEY={SANDBOX_CLIENT_KEY}\n"
            f"  export PENALTY_TIKI_CLIENT_SECRET={SANDBOX_CLIENT_SECRET.get_secret_value()}"
        )
    return (
        f"Tiki sandbox on {url} (TEST-ONLY; Ctrl-C stops it; order id prefixes: {prefixes})\n"
        "Point the client at it:\n"
        f"  export PENALTY_TIKI_BASE_URL={url}{API_ROOT}\n{credentials}"
    )
