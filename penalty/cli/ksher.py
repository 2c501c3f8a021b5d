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
from penalty.cli._args import credential
from penalty.providers._sandbox import Handler
from penalty.providers.ksher import Client, Config, KsherCancelResult, Sandbox
from penalty.providers.ksher.sandbox import SANDBOX_APPID, sandbox_key_path

__all__ = ["register", "sandbox_banner", "sandbox_handler"]


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


def _client(args: argparse.Namespace, **overrides: Any) -> Client:
    config = Config.load(config_file=args.config, base_url=args.base_url, **overrides)
    return Client(config)


def _render(result: KsherCancelResult) -> str:
    how = "signature checked" if result.verified else "unsigned answer, not confirmed"
    if result.order is not None:
        amount = f", {result.order.amount_text}" if result.order.amount_text else ""
        how = f"signed: {result.order.result}{amount}"
    words = result.outcome.value.replace("_", " ")
    return (
        f"ksher order {result.mch_order_no}: {words} "
        f"(code {result.code}, {result.message or 'no message'}; {how})\n{result.note}"
    )


def _run_cancel(args: argparse.Namespace) -> int:
    overrides = {"confirm_unsigned": False} if args.no_confirm else {}
    with _client(args, **overrides) as client:
        result = client.cancel_order(args.mch_order_no)
    if args.json:
        print(json.dumps(result.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
    else:
        print(_render(result))
    return EXIT_FAILED if result.refund_required else EXIT_OK


def _run_query(args: argparse.Namespace) -> int:
    with _client(args) as client:
        order = client.order_query(args.mch_order_no)
    if args.json:
        document = order.model_dump(mode="json", exclude_none=True)
        print(json.dumps(document, ensure_ascii=False))
    else:
        fee = "" if order.amount_text is None else f", {order.amount_text}"
        print(f"ksher order {order.mch_order_no}: {order.result}{fee} (signature checked)")
    return EXIT_OK


def sandbox_handler(args: argparse.Namespace, credentials: dict[str, Any]) -> Handler:
    """The Ksher gateway sandbox that ``penalty sandbox ksher`` serves (TEST-ONLY keys; the
    ``appid`` it accepts from ``--config``, else ``mch35000``).
    """
    return Sandbox(
        appid=credential(credentials, "appid", SANDBOX_APPID), slow_delay=args.slow_delay
    )


def sandbox_banner(url: str, args: argparse.Namespace, handler: Handler) -> str:
    """How to point ``penalty ksher`` at the sandbox: its TEST-ONLY keys (made on first use)."""
    del args
    appid = handler.appid if isinstance(handler, Sandbox) else SANDBOX_APPID
    prefixes = handler.outcomes.prefixes() if isinstance(handler, Sandbox) else ""
    private = sandbox_key_path("ksher-merchant-TEST-ONLY.pem")
    public = sandbox_key_path("ksher-gateway-TEST-ONLY-public.pem")
    return (
        f"Ksher gateway sandbox on {url} (TEST-ONLY; Ctrl-C stops it; order prefixes: "
        f"{prefixes})\n"
        "Point the client at it (TEST-ONLY keys, fake):\n"
        f"  export PENALTY_KSHER_BASE_URL={url}/api\n"
        f"  export PENALTY_KSHER_APPID={appid}\n"
        f"  export PENALTY_KSHER_PRIVATE_KEY={private}\n"
        f"  export PENALTY_KSHER_PUBLIC_KEY={public}"
    )
