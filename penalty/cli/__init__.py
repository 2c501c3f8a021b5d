r"""The ``penalty`` command line: the same engine as the library, nothing re-implemented.

Each subcommand lives in its own module here with a ``register(subparsers)`` function that adds
its parser and sets ``run`` (a function ``argparse.Namespace -> int``).

Exit codes, one table for every command (scripts can trust them; `exit_code` maps errors):

====  ==========================================================================================
code  meaning
====  ==========================================================================================
0     done: the quote or schedule printed; the provider answered the query; the cancellation
      is confirmed (Gotadi ``CANCEL_CONFIRMED``, Tiki ``canceled``, Ksher cancelled or already
      cancelled)
1     the provider refused, or the operation ran and did not succeed: any HTTP 4xx but 408 and
      429 (unknown booking 404, forbidden 401/403, an order already cancelled 400), a refusal
      in the provider's own words (a Gotadi error code, a Tiki error envelope, a Ksher result
      code), a flow that ended otherwise (Gotadi not allowed, total mismatch, expired,
      mismatch, rejected, still pending or unknown at the deadline; Ksher already paid);
      another cancellation of the same booking in flight
2     bad input, usage or configuration, nothing sent: one line on stderr naming the field,
      no traceback (a malformed file, an unknown flag, a missing setting, ``--at`` away from
      a sandbox without ``--force``, a booking file that does not belong to the live policy)
3     the provider could not be reached or answered something we cannot believe: connection
      refused or reset, timeout, HTTP 5xx, 408, 429 (after the retries allowed), a redirect,
      a body that is not JSON, truncated or of the wrong shape, a missing or bad signature,
      an answer about another booking or order
4     the output could not be written: standard output closed, a full disk (``/dev/full``),
      an I/O error; one line on stderr when it can still be written (a reader that went away,
      ``| head``, is not an error of ours: exit 1, quietly)
130   interrupted (Ctrl-C) while a command runs; how ``penalty sandbox`` stops
====  ==========================================================================================

Each command's own module says which of these it can end with; the README's "Exit codes"
section has the per-command table.

Whatever a command prints goes through `_SafeStream`: text the stream's encoding cannot carry (a
lone surrogate read from JSON, ``₫`` under ``PYTHONIOENCODING=ascii``) is written
backslash-escaped (``\ud800``, which JSON output reads back as the same escape), never a crash.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from penalty import __version__
from penalty.errors import InvalidInput, PenaltyError, ProviderError, ProviderRejected

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_PROVIDER",
    "EXIT_USAGE",
    "exit_code",
    "main",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PROVIDER = 3
EXIT_OUTPUT = 4
EXIT_INTERRUPTED = 130

#: Every subcommand: the module whose ``register(subparsers)`` adds it, and its one-line help.
#: Only the chosen command's module is imported (``penalty quote`` never loads the providers,
#: the previews or the service); the others are listed by name for ``penalty --help``.
_COMMANDS: dict[str, tuple[str, str]] = {
    "quote": ("penalty.cli.engine", "the fee of cancelling at one instant"),
    "schedule": ("penalty.cli.engine", "the whole fee schedule of a booking"),
    "preview": (
        "penalty.cli.preview",
        "the fee schedule as localized sentences, UI JSON or an SVG chart",
    ),
    "tiki": ("penalty.cli.tiki", "Tiki mini-app orders (payment side)"),
    "ksher": ("penalty.cli.ksher", "Ksher Gateway Pay orders (payment side)"),
    "gotadi": ("penalty.cli.gotadi", "Gotadi hotel bookings: penalty, cancel, status"),
    "sandbox": (
        "penalty.cli.sandbox",
        "serve a provider's local sandbox on 127.0.0.1 (for tests and demos)",
    ),
    "serve": (
        "penalty.cli.serve",
        "serve quotes, schedules and fee previews over HTTP (JSON, OpenAPI 3.1)",
    ),
    "batch": ("penalty.cli.batch", "re-quote a file of bookings (JSONL, CSV, Parquet)"),
    "exposure": (
        "penalty.cli.batch",
        "the cancellation exposure per currency over time, from a file of bookings",
    ),
}


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


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: the chosen command in full, every other one by name only.

    Without ``argv`` (or with no command in it) every command is registered in full.
    """
    parser = _Parser(
        prog="penalty",
        description="Exact hotel cancellation penalties from provider windows.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    chosen = None if argv is None else next((a for a in argv if not a.startswith("-")), None)
    wanted = {module for module, _ in _COMMANDS.values()}
    if chosen in _COMMANDS:
        wanted = {_COMMANDS[chosen][0]}
    registered: set[str] = set()
    for name, (module, text) in _COMMANDS.items():
        if module in wanted:
            if module not in registered:
                registered.add(module)
                importlib.import_module(module).register(subparsers)
        else:  # listed for --help; choosing it builds the parser again with its module
            subparsers.add_parser(name, help=text, add_help=False)
    return parser


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning (a weak provider key, a private key others can read) as one line on stderr."""
    del category, filename, lineno, line
    text = str(message).replace("\n", " ")
    print(f"penalty: warning: {text}", file=file or sys.stderr)


class _OutputError(Exception):
    """Writing the output failed (but for a broken pipe): ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _SafeStream:
    r"""A text stream that writes whatever it is given, and says so when it cannot write at all.

    Text the encoding cannot carry is written backslash-escaped (``\ud800``); a failed write or
    flush (``ENOSPC`` on ``/dev/full``, ``EBADF``, ``EIO``) raises `_OutputError`, so that
    `main` ends with one line and `EXIT_OUTPUT`; a broken pipe stays `BrokenPipeError`.
    Everything else is the wrapped stream's.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            try:
                return self._stream.write(text)
            except UnicodeEncodeError:  # nothing was written: encoding comes first
                encoding = getattr(self._stream, "encoding", None) or "utf-8"
                escaped = text.encode(encoding, "backslashreplace").decode(encoding)
                return self._stream.write(escaped)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(exc.strerror or type(exc).__name__) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _OutputError(exc.strerror or type(exc).__name__) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script passes it to `sys.exit`)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    stdout, stderr = sys.stdout, sys.stderr
    if stdout is None:  # started with standard output closed (`penalty … >&-`): do nothing
        _say(stderr, "penalty: error: cannot write the output: standard output is closed")
        return EXIT_OUTPUT
    sys.stdout = _SafeStream(stdout)
    if stderr is not None:
        sys.stderr = _SafeStream(stderr)
    try:
        return _run(arguments)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(arguments: list[str]) -> int:
    shown, warnings.showwarning = warnings.showwarning, _one_line_warning
    try:
        args = build_parser(arguments).parse_args(arguments)
        code: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`penalty schedule --json | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        _discard_stdout()
        return EXIT_FAILED
    except _OutputError as exc:
        _discard_stdout()
        _say(sys.stderr, f"penalty: error: cannot write the output: {exc.reason}")
        return EXIT_OUTPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except PenaltyError as exc:
        if not _say(sys.stderr, f"penalty: {_label(exc)}: {exc}"):
            return EXIT_OUTPUT
        return exit_code(exc)
    finally:
        warnings.showwarning = shown
    return code


def _discard_stdout() -> None:
    """Point standard output at the null device: the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # not a real file (replaced by a test), or gone
        pass


def _say(stream: TextIO | None, line: str) -> bool:
    """Write one line to ``stream``; ``False`` when it cannot be written (closed, full)."""
    if stream is None:
        return False
    try:
        print(line, file=stream, flush=True)
    except (_OutputError, OSError, ValueError):  # ValueError: a closed file object
        return False
    return True
