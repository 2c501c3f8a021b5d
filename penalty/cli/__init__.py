"""The ``penalty`` command line: the same engine as the library, nothing re-implemented.

Each subcommand lives in its own module here with a ``register(subparsers)`` function that adds
its parser and sets ``run`` (a function ``argparse.Namespace -> int``). Exit codes:

* 0 — done;
* 1 — the operation ran but did not succeed (e.g. a provider refused a cancellation);
* 2 — bad input or usage: one line on stderr naming the field, no traceback;
* 3 — a provider could not be reached or gave an answer we cannot believe;
* 130 — interrupted (Ctrl-C), e.g. stopping ``penalty sandbox``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from penalty.errors import InvalidInput, PenaltyError, ProviderError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROVIDER",
    "EXIT_USAGE",
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
    "penalty.cli.serve",
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
    except InvalidInput as exc:
        print(f"penalty: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ProviderError as exc:
        print(f"penalty: provider error: {exc}", file=sys.stderr)
        return EXIT_PROVIDER
    except PenaltyError as exc:
        print(f"penalty: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return code
