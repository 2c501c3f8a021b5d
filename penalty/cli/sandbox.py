"""``penalty sandbox PROVIDER --port N``: serve a provider's local sandbox until Ctrl-C.

Providers are a table (`PROVIDERS`): a name, a one-line help, and the module that knows how to
build that provider's sandbox. To add one, add a row; the module provides:

* ``add_sandbox_arguments(parser)`` (optional): the provider's own options;
* ``sandbox_handler(args, credentials) -> Handler``: the request handler to serve
  (`penalty.providers._sandbox.Handler`); ``credentials`` is the provider's table of
  ``--config FILE`` (empty without it);
* ``sandbox_banner(url, args, handler) -> str``: what to print once serving, e.g. how to point
  a client at it. Never a secret that is not TEST-ONLY.

Every sandbox takes the same options: ``--port`` (0, the default, picks a free port; 0 to
65535), ``--slow-delay SECONDS`` (how late a "slow" answer comes) and ``--config FILE`` (the
credentials it accepts, from the provider's TOML table: secrets are never command-line
arguments, which other users can read in ``ps``). It listens on 127.0.0.1 only, on uvicorn (the
``server`` extra: without it, exit 2 naming the extra). Ctrl-C stops it: it prints ``stopped``
and exits 130; a port already taken exits 2 (`penalty.cli`'s table).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from types import ModuleType
from typing import Any, NamedTuple

from penalty.cli import EXIT_INTERRUPTED
from penalty.cli._args import port, seconds
from penalty.errors import InvalidInput
from penalty.providers._config import read_table
from penalty.providers._sandbox import SandboxServer

__all__ = ["PROVIDERS", "SandboxProvider", "register"]

#: How late a "slow" outcome answers unless ``--slow-delay`` says otherwise.
DEFAULT_SLOW_DELAY = 2.0


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
            type=port,
            default=0,
            help="port on 127.0.0.1 (default 0: a free port, printed at start)",
        )
        parser.add_argument(
            "--slow-delay",
            type=seconds,
            default=DEFAULT_SLOW_DELAY,
            metavar="SECONDS",
            help="how late a slow outcome's answer comes (default %(default)s)",
        )
        parser.add_argument(
            "--config",
            metavar="FILE",
            help=f"TOML file whose [{provider.name}] table holds the credentials to accept "
            "(default: the TEST-ONLY ones)",
        )
        add_arguments = getattr(module, "add_sandbox_arguments", None)
        if add_arguments is not None:
            add_arguments(parser)
        parser.set_defaults(run=_runner(provider.name, module))


def _runner(name: str, module: ModuleType) -> Any:
    def run(args: argparse.Namespace) -> int:
        credentials = read_table(args.config, name) if args.config else {}
        handler = module.sandbox_handler(args, credentials)
        try:
            server = SandboxServer(handler, port=args.port)
        except OSError as exc:
            raise InvalidInput(
                f"cannot listen on 127.0.0.1 ({exc.strerror})",
                path="--port",
                value=args.port,
                code="port_unavailable",
            ) from None
        print(module.sandbox_banner(server.url, args, handler))
        sys.stdout.flush()
        # Ctrl-C ends it either way: uvicorn's own handler makes it return, or the signal
        # arrives before (or is raised again after) that handler as KeyboardInterrupt.
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
        print("stopped")
        return EXIT_INTERRUPTED

    return run
