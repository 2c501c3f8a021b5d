"""The ``penalty`` command line: the same engine as the library, nothing re-implemented.

Each subcommand lives in its own module here with a ``register(subparsers)`` function that adds
its parser and sets ``run`` (a function ``argparse.Namespace -> int``).

Exit codes, one table for every command (scripts can trust them; `exit_code` maps errors):

====  ==========================================================================================
code  meaning
====  ==========================================================================================
0     done: the quote or schedule printed; the provider answered the query; the cancellation
      is confirmed (Gotadi ``CANCEL_CONFIRMED``, Tiki ``canceled``, Ksher cancelled or already
      cancelled); a sandbox stopped with Ctrl-C
1     the provider refused, or the operation ran and did not succeed: any HTTP 4xx but 408 and
      429 (unknown booking 404, forbidden 401/403, an order already cancelled 400), a refusal
      in the provider's own words (a Gotadi error code, a Tiki error envelope, a Ksher result
      code), a flow that ended otherwise (Gotadi not allowed, expired, mismatch, rejected,
      still pending or unknown at the deadline; Ksher already paid); another cancellation of
      the same booking in flight
2     bad input, usage or configuration, nothing sent: one line on stderr naming the field,
      no traceback (a malformed file, an unknown flag, a missing setting, ``--at`` away from
      a sandbox without ``--force``, a booking file that does not belong to the live policy)
3     the provider could not be reached or answered something we cannot believe: connection
      refused or reset, timeout, HTTP 5xx, 408, 429 (after the retries allowed), a redirect,
      a body that is not JSON, truncated or of the wrong shape, a missing or bad signature,
      an answer about another booking or order
130   interrupted (Ctrl-C) while a command runs
====  ==========================================================================================

Each command's own module says which of these it can end with; the README's "Exit codes"
section has the per-command table.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from penalty.errors import InvalidInput, PenaltyError, ProviderError, ProviderRejected

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROVIDER",
    "EXIT_USAGE",
    "exit_code",
    "main",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PROVIDER = 3
EXIT_INTERRUPTED = 130

#: Subcommand modules, each with ``register(subparsers)``; imported only when the CLI runs.
_COMMAND_MODULES = (
    "penalty.cli.engine",
    "penalty.cli.preview",
    "penalty.cli.tiki",
    "penalty.cli.ksher",
    "penalty.cli.gotadi",
    "penalty.cli.sandbox",
    "penalty.cli.batch",
)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        # An argument may hold a newline or an escape sequence: shown escaped, on one line.
        shown = (
            message.encode("unicode_escape").decode("ascii")
            if not message.isprintable()
            else message
        )
        self.exit(EXIT_USAGE, f"{self.prog}: error: {shown}\n")


def exit_code(error: PenaltyError) -> int:
    """The exit code an error ends the CLI with (the table in this module's docstring).

    Example:
        >>> from penalty.errors import ProviderUnavailable
        >>> exit_code(ProviderRejected("HTTP 404", provider="gotadi", provider_code="HTTP 404"))
        1
        >>> exit_code(ProviderUnavailable("HTTP 429", provider="tiki"))
        3
    """
    if isinstance(error, InvalidInput):
        return EXIT_USAGE
    if isinstance(error, ProviderRejected):
        return EXIT_FAILED
    if isinstance(error, ProviderError):
        return EXIT_PROVIDER
    return EXIT_FAILED


def _label(error: PenaltyError) -> str:
    """How stderr's one line starts: ``penalty: provider refused: …`` and the like."""
    if isinstance(error, ProviderRejected):
        return "provider refused"
    return "provider error" if isinstance(error, ProviderError) else "error"


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every registered subcommand."""
    parser = _Parser(
        prog="penalty",
        description="Exact hotel cancellation penalties from provider windows.",
    )
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to `sys.exit`)."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`penalty schedule --json | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except PenaltyError as exc:
        print(f"penalty: {_label(exc)}: {exc}", file=sys.stderr)
        return exit_code(exc)
    return code
