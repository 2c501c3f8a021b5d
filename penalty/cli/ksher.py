"""``penalty ksher cancel`` and ``penalty ksher query``: a Ksher Gateway Pay order's payment link.

Configured like the Gotadi commands: ``PENALTY_KSHER_*`` environment variables and/or the
``[ksher]`` table of ``--config FILE`` (see `penalty.providers.ksher.config`). The private key is
never printed.

Exit codes (the table in `penalty.cli`): 0 cancelled or already cancelled (``cancel``), or the
order's state (``query``, whatever it is); 1 Ksher refused (a result code such as -3 no such
order or -6 cancel failed, an order query whose result is ``FAIL``, any HTTP 4xx but 408 and
429), or, for ``cancel``, the order was already paid: refund the booking another way; 2 bad
input or a missing setting, nothing sent; 3 Ksher unreachable (timeout, reset, 5xx, 408, 429)
or an answer we cannot believe (not JSON, unsigned or badly signed, about another order, stale).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from penalty.cli import EXIT_FAILED, EXIT_OK
from penalty.providers._sandbox import Handler
from penalty.providers.ksher.client import KsherCancelResult
from penalty.providers.ksher.config import KsherSettings
from penalty.providers.ksher.sandbox import SANDBOX_APPID, KsherSandbox, sandbox_key_path

__all__ = ["add_sandbox_arguments", "register", "sandbox_banner", "sandbox_handler"]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("mch_order_no", metavar="MCH_ORDER_NO", help="your order number")
    parser.add_argument("--config", metavar="FILE", help="TOML file with a [ksher] table")
    parser.add_argument("--base-url", help="override PENALTY_KSHER_BASE_URL")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def register(subparsers: Any) -> None:
    """Add ``ksher cancel`` and ``ksher query`` to the CLI."""
    ksher = subparsers.add_parser("ksher", help="Ksher Gateway Pay orders (payment side)")
    commands = ksher.add_subparsers(dest="ksher_command", required=True, metavar="COMMAND")
    cancel = commands.add_parser(
        "cancel",
        help="close an order's payment link",
        description="Cancel a Ksher Gateway Pay order (POST /api/cancel_order).",
    )
    _common(cancel)
    cancel.add_argument(
        "--no-confirm",
        action="store_true",
        help="do not confirm an unsigned success with a signed order query",
    )
    cancel.set_defaults(run=_run_cancel)
    query = commands.add_parser(
        "query", help="an order's state", description="POST /api/gateway_order_query."
    )
    _common(query)
    query.set_defaults(run=_run_query)


def _settings(args: argparse.Namespace, **overrides: Any) -> KsherSettings:
    return KsherSettings.load(config_file=args.config, base_url=args.base_url, **overrides)


def _render(result: KsherCancelResult) -> str:
    how = "signature checked" if result.verified else "unsigned answer, not confirmed"
    if result.order is not None:
        how = f"confirmed by a signed order query: {result.order.result}"
    words = result.outcome.value.replace("_", " ")
    return (
        f"ksher order {result.mch_order_no}: {words} "
        f"(code {result.code}, {result.message or 'no message'}; {how})\n{result.note}"
    )


def _run_cancel(args: argparse.Namespace) -> int:
    overrides = {"confirm_unsigned": False} if args.no_confirm else {}
    with _settings(args, **overrides).client() as client:
        result = client.cancel_order(args.mch_order_no)
    if args.json:
        print(json.dumps(result.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
    else:
        print(_render(result))
    return EXIT_FAILED if result.refund_required else EXIT_OK


def _run_query(args: argparse.Namespace) -> int:
    with _settings(args).client() as client:
        order = client.order_query(args.mch_order_no)
    if args.json:
        document = order.model_dump(mode="json", exclude_none=True)
        print(json.dumps(document, ensure_ascii=False))
    else:
        fee = "" if order.total_fee is None else f", total_fee {order.total_fee} {order.fee_type}"
        print(f"ksher order {order.mch_order_no}: {order.result}{fee} (signature checked)")
    return EXIT_OK


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """``penalty sandbox ksher`` options."""
    parser.add_argument(
        "--appid", default=SANDBOX_APPID, help=f"the appid it accepts (default {SANDBOX_APPID})"
    )
    parser.add_argument(
        "--slow-delay",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how late a slow- order's answer comes (default 2)",
    )


def sandbox_handler(args: argparse.Namespace) -> Handler:
    """The Ksher gateway sandbox that ``penalty sandbox ksher`` serves (TEST-ONLY keys)."""
    sandbox = KsherSandbox(appid=args.appid)
    sandbox.slow_delay = args.slow_delay
    return sandbox


def sandbox_banner(url: str, args: argparse.Namespace) -> str:
    """How to point ``penalty ksher`` at the sandbox: its TEST-ONLY keys (made on first use)."""
    private = sandbox_key_path("ksher-merchant-TEST-ONLY.pem")
    public = sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem")
    return (
        f"Ksher gateway sandbox on {url} (order prefixes: paid- cancelled- missing- stuck- badsig-"
        " slow- fail- garbage- reset-)\n"
        "point the CLI at it (TEST-ONLY keys, fake):\n"
        f"  export PENALTY_KSHER_BASE_URL={url}/api\n"
        f"  export PENALTY_KSHER_APPID={args.appid}\n"
        f"  export PENALTY_KSHER_PRIVATE_KEY={private}\n"
        f"  export PENALTY_KSHER_PUBLIC_KEY={public}"
    )
