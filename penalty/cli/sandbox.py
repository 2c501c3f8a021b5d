"""``penalty sandbox PROVIDER --port N``: serve a provider's local sandbox until Ctrl-C.

Providers are a table (`PROVIDERS`): a name, a one-line help, and the module that knows how to
build that provider's sandbox. To add one, add a row; the module provides:

* ``add_sandbox_arguments(parser)`` (optional): the provider's own options;
* ``sandbox_handler(args) -> Handler``: the request handler to serve
  (`penalty.providers._sandbox.Handler`);
* ``sandbox_banner(url, args) -> str`` (optional): what to print once serving, e.g. how to point
  a client at it. Never a real secret.

The server listens on 127.0.0.1 only; ``--port 0`` (the default) picks a free port and prints it.
Ctrl-C is how a sandbox stops: it prints ``stopped`` and exits 0; a port already taken exits 2
(`penalty.cli`'s table).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType
from typing import Any, NamedTuple

from penalty.cli import EXIT_OK
from penalty.errors import InvalidInput
from penalty.providers._sandbox import SandboxServer

__all__ = ["PROVIDERS", "SandboxProvider", "register"]


class SandboxProvider(NamedTuple):
    """One row of the table: the subcommand name, its help, its hook module."""

    name: str
    help: str
    module: str


#: Every provider with a sandbox. The modules are imported only when the CLI is built.
PROVIDERS: tuple[SandboxProvider, ...] = (
    SandboxProvider(
        "gotadi", "Gotadi hotel API: penalties, cancellation, status", "penalty.cli.gotadi"
    ),
    SandboxProvider("tiki", "Tiki mini-app open API: order cancel", "penalty.cli.tiki"),
    SandboxProvider("ksher", "Ksher Gateway Pay: order cancel and query", "penalty.cli.ksher"),
)


def register(subparsers: Any) -> None:
    """Add ``sandbox PROVIDER`` for every provider in `PROVIDERS`."""
    sandbox = subparsers.add_parser(
        "sandbox",
        help="serve a provider's local sandbox on 127.0.0.1 (for tests and demos)",
        description="Serve a local sandbox that speaks a provider's protocol, until Ctrl-C.",
    )
    providers = sandbox.add_subparsers(dest="sandbox_provider", required=True, metavar="PROVIDER")
    for provider in PROVIDERS:
        module = importlib.import_module(provider.module)
        parser = providers.add_parser(provider.name, help=provider.help)
        parser.add_argument(
            "--port",
            type=int,
            default=0,
            help="port on 127.0.0.1 (default 0: a free port, printed at start)",
        )
        add_arguments = getattr(module, "add_sandbox_arguments", None)
        if add_arguments is not None:
            add_arguments(parser)
        parser.set_defaults(run=_runner(module))


def _runner(module: ModuleType) -> Any:
    def run(args: argparse.Namespace) -> int:
        handler = module.sandbox_handler(args)
        try:
            server = SandboxServer(handler, port=args.port)
        except OSError as exc:
            raise InvalidInput(
                f"cannot listen on 127.0.0.1 ({exc.strerror})",
                path="--port",
                value=args.port,
                code="port_unavailable",
            ) from None
        banner = getattr(module, "sandbox_banner", None)
        print(banner(server.url, args) if banner is not None else f"serving on {server.url}")
        sys.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")
        return EXIT_OK

    return run
