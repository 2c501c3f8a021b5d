"""The bad-input catalogue (``fixtures/bad/``): every malformed input raises its exact error.

SEMANTICS rule 17, row by row, through the Python API (parse the policy, validate the booking,
compile, quote) and through the CLI: in process for every row (exit 2, one line on stderr that
is the API's own message, nothing on stdout) and, for a sample, through the real console script
in a subprocess (no traceback, whatever Python prints at exit). ``fixtures/bad/README.md`` says
what a row holds and how its shorthands expand.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from penalty import Booking, InvalidPolicy, PenaltyError, Policy, Quote, Window
from penalty.cli import EXIT_USAGE, build_parser, main
from penalty.errors import InvalidInput
from penalty.providers.gotadi.config import Config as GotadiSettings
from penalty.providers.gotadi.keys import SANDBOX_PUBLIC_KEY_FILE, bundled_key_path
from penalty.providers.ksher.config import Config as KsherSettings
from penalty.providers.ksher.sandbox import sandbox_key_path
from penalty.providers.tiki.config import Config as TikiSettings
from tests.helpers import FIXTURES, load, penalty_cli

BAD = FIXTURES / "bad"
DEFAULTS: dict[str, Any] = load(BAD / "defaults.json")
_UNSET: Any = object()


# -- reading the catalogue -------------------------------------------------------------------------


def _nest(kind: str, depth: int) -> Any:
    """``depth`` nested lists or objects, built without recursion."""
    inner: Any = [] if kind == "list" else {}
    for _ in range(depth - 1):
        inner = [inner] if kind == "list" else {"a": inner}
    return inner


def _expand(node: Any) -> Any:
    """A fixture node with its shorthands expanded into the Python value the API receives."""
    if isinstance(node, list):
        return [_expand(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$window" in node:
        window = dict(DEFAULTS["window"])
        for key, value in node["$window"].items():
            if value is None:
                window.pop(key, None)
            else:
                window[key] = _expand(value)
        return window
    if "$repeat" in node:
        item = _expand(node["$repeat"])
        return [item] * node["times"] + _expand(node.get("then", []))
    if "$nest" in node:
        return _nest(node["$nest"], node["depth"])
    if "$digits" in node:
        return (10 ** node["$digits"] - 1) // 9  # 111…1, never through str (4,300-digit limit)
    return {key: _expand(value) for key, value in node.items()}


def _text(node: Any) -> str:
    """The same fixture node as JSON text for the CLI (a depth json.dumps could not write)."""
    if isinstance(node, list):
        return "[" + ",".join(_text(item) for item in node) + "]"
    if not isinstance(node, dict):
        return json.dumps(node, ensure_ascii=False)
    if "$window" in node:
        window = {key: value for key, value in node["$window"].items() if value is not None}
        gone = {key for key, value in node["$window"].items() if value is None}
        merged = {k: v for k, v in DEFAULTS["window"].items() if k not in gone and k not in window}
        merged.update(window)
        return _text(merged)
    if "$repeat" in node:
        items = [_text(node["$repeat"])] * node["times"]
        items += [_text(item) for item in node.get("then", [])]
        return "[" + ",".join(items) + "]"
    if "$nest" in node:
        depth = int(node["depth"])
        if node["$nest"] == "list":
            return "[" * depth + "]" * depth
        return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)
    if "$digits" in node:
        return "1" * int(node["$digits"])
    return "{" + ",".join(f"{json.dumps(k)}:{_text(v)}" for k, v in node.items()) + "}"


@dataclass(frozen=True)
class Case:
    """One engine row: inputs (fixture nodes) and the error they must raise."""

    id: str
    why: str
    error: str
    path: str | None
    code: str
    value: Any = _UNSET
    policy: Any = field(default_factory=lambda: [{"$window": {}}])
    booking: Any = field(default_factory=lambda: DEFAULTS["booking"])
    at: Any = DEFAULTS["at"]
    fold: str = "raise"
    cli: bool | dict[str, str] = True

    @classmethod
    def read(cls, row: dict[str, Any]) -> Case:
        """A row of policies/bookings/instants.json."""
        return cls(**row)

    @property
    def cli_expected(self) -> tuple[str, str | None, str]:
        """``(error, path, code)`` as the CLI meets them (it reads JSON files first)."""
        if isinstance(self.cli, dict):
            return self.cli["error"], self.cli["path"], self.cli["code"]
        return self.error, self.path, self.code

    def run_api(self) -> Quote:
        """The whole public pipeline on the expanded inputs."""
        policy = Policy.from_gotadi(_expand(self.policy), fold=self.fold)  # type: ignore[arg-type]
        booking = Booking.model_validate(_expand(self.booking))
        return policy.timeline(booking).quote(self.at)

    def argv(self, folder: Path) -> list[str]:
        """``penalty quote`` on this row's inputs, written as JSON files in ``folder``."""
        policy, booking = folder / "policy.json", folder / "booking.json"
        policy.write_text(_text(self.policy), encoding="utf-8")
        booking.write_text(_text(self.booking), encoding="utf-8")
        argv = ["quote", str(policy), "--booking", str(booking), "--at", self.at]
        return [*argv, "--fold", self.fold] if self.fold != "raise" else argv


ENGINE_FILES = ("policies.json", "bookings.json", "instants.json")
CASES = [Case.read(row) for name in ENGINE_FILES for row in load(BAD / name)]
CLI_CASES = [case for case in CASES if case.cli is not False]


@dataclass(frozen=True)
class Invocation:
    """One row of cli.json: a command line (and the file or stdin it reads)."""

    id: str
    why: str
    argv: list[str]
    error: str
    path: str | None = None
    code: str | None = None
    message: str | None = None
    file: str | None = None
    file_hex: str | None = None
    #: ``[head, item, times, tail]``: a file of ``head + item * times + tail`` (a large one).
    file_repeat: tuple[str, str, int, str] | None = None
    stdin: str | None = None

    def resolve(self, folder: Path) -> list[str]:
        """argv with ``{policy}``, ``{booking}``, ``{at}``, ``{file}``, ``{dir}``, ``{missing}``."""
        policy, booking, target = folder / "policy.json", folder / "booking.json", folder / "in"
        policy.write_text(json.dumps([DEFAULTS["window"]]), encoding="utf-8")
        booking.write_text(json.dumps(DEFAULTS["booking"]), encoding="utf-8")
        if self.file is not None:
            target.write_text(self.file, encoding="utf-8")
        elif self.file_hex is not None:
            target.write_bytes(bytes.fromhex(self.file_hex))
        elif self.file_repeat is not None:
            head, item, times, tail = self.file_repeat
            target.write_text(head + item * times + tail, encoding="utf-8")
        names = {
            "{policy}": str(policy),
            "{booking}": str(booking),
            "{at}": DEFAULTS["at"],
            "{file}": str(target),
            "{dir}": str(folder),
            "{missing}": str(folder / "missing"),
        }
        resolved = []
        for arg in self.argv:
            text = arg
            for name, value in names.items():
                text = text.replace(name, value)
            resolved.append(text)
        return resolved


INVOCATIONS = [Invocation(**row) for row in load(BAD / "cli.json")]


def _ids(rows: list[Case] | list[Invocation]) -> list[str]:
    return [row.id for row in rows]


# -- the catalogue itself --------------------------------------------------------------------------


def test_catalogue_is_large_and_ids_are_unique() -> None:
    """At least 60 distinct rows across policies, bookings, cancel times and the CLI."""
    ids = _ids(CASES) + _ids(INVOCATIONS)
    assert len(ids) == len(set(ids))
    assert len(ids) >= 60
    assert all(row.why for row in CASES)
    assert all(row.why for row in INVOCATIONS)


def test_defaults_are_valid() -> None:
    """The inputs every row starts from quote without error, so a row fails only for its change."""
    quote = Case.read({"id": "ok", "why": "", "error": "", "path": None, "code": ""}).run_api()
    assert str(quote.fee) == DEFAULTS["fee"]


# -- through the Python API ------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_api_raises_the_catalogued_error(case: Case) -> None:
    """The exact error class, path and code (and value) of each row, as one short line."""
    with pytest.raises(PenaltyError) as caught:
        case.run_api()
    error = caught.value
    assert (type(error).__name__, error.path, error.code) == (case.error, case.path, case.code)
    assert isinstance(error, ValueError)
    if case.value is not _UNSET:
        assert error.value == case.value
    if case.error == "InvalidBooking" and isinstance(booking := _expand(case.booking), dict):
        with pytest.raises(PenaltyError) as built:  # the constructor checks exactly the same
            Booking(**booking)
        assert (type(built.value), built.value.path) == (type(error), error.path)
    text = str(error)
    assert len(text.splitlines()) == 1
    assert "\x1b" not in text
    assert len(text) < 400
    shown = case.path if case.path is None or case.path.isprintable() else _escaped(case.path)
    assert text.startswith(f"{shown}: " if shown else error.message)


def _escaped(text: str) -> str:
    """How a message shows a path holding control characters (``\\x85``, ``\\n``)."""
    return text.encode("unicode_escape").decode("ascii")


# -- through the CLI -------------------------------------------------------------------------------


def _one_error_line(code: int, out: str, err: str) -> str:
    assert code == EXIT_USAGE
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("case", CLI_CASES, ids=_ids(CLI_CASES))
def test_cli_exits_2_with_the_api_message(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``penalty quote`` on each row: exit 2, stdout empty, one stderr line naming the path."""
    argv = case.argv(tmp_path)
    line = _one_error_line(main(argv), *capsys.readouterr())
    error, path, code = case.cli_expected
    args = build_parser().parse_args(argv)
    with pytest.raises(PenaltyError) as caught:
        args.run(args)
    assert (type(caught.value).__name__, caught.value.path, caught.value.code) == (
        error,
        path,
        code,
    )
    assert line == f"penalty: error: {caught.value}"
    if case.cli is True:  # the same input as the API's: the same message, word for word
        with pytest.raises(PenaltyError) as direct:
            case.run_api()
        assert str(direct.value) == str(caught.value)


@pytest.mark.parametrize("invocation", INVOCATIONS, ids=_ids(INVOCATIONS))
def test_cli_usage_and_file_errors(
    invocation: Invocation,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each bad command line or file: exit 2, one stderr line; file errors name the file."""
    argv = invocation.resolve(tmp_path)
    if invocation.stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(invocation.stdin))
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse ends usage errors with sys.exit
        code = int(exit_.code or 0)
    line = _one_error_line(code, *capsys.readouterr())
    assert line.startswith("penalty")
    if invocation.error == "usage":
        assert invocation.message is not None
        assert ": error: " in line
        assert invocation.message in line
        return
    assert line.startswith(f"penalty: error: {invocation.path}: ")
    if invocation.stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(invocation.stdin))
    args = build_parser().parse_args(argv)
    with pytest.raises(PenaltyError) as caught:
        args.run(args)
    assert (type(caught.value).__name__, caught.value.path, caught.value.code) == (
        invocation.error,
        invocation.path,
        invocation.code,
    )


#: A sample run through the real console script: exit status, stderr and exit-time behaviour as a
#: user sees them (each subprocess costs ~150 ms, so not every row).
SUBPROCESS_CASES = [
    "percent-over-100",
    "currency-mismatch",
    "date-in-a-dst-gap",
    "deeply-nested-lists",
    "total-deeply-nested",
    "check-out-before-check-in",
    "at-with-newline",
    "at-no-offset-no-zone",
    "stay-0001-to-9999",
    "timezone-localtime",
]
SUBPROCESS_INVOCATIONS = [
    "policy-not-utf8",
    "booking-duplicate-key",
    "stray-argument-with-newline",
    "booking-exponent-beyond-decimal",
    "at-not-utf8",
    "locale-not-utf8",
]


@pytest.mark.parametrize("row_id", SUBPROCESS_CASES + SUBPROCESS_INVOCATIONS)
def test_real_console_script_exits_2_without_traceback(row_id: str, tmp_path: Path) -> None:
    """The installed ``penalty`` script on a sample of rows: exit 2, one line, no traceback."""
    case = next((case for case in CLI_CASES if case.id == row_id), None)
    if case is not None:
        argv = case.argv(tmp_path)
    else:
        argv = next(i for i in INVOCATIONS if i.id == row_id).resolve(tmp_path)
    result = penalty_cli(*argv)
    assert result.returncode == EXIT_USAGE
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


_ICT = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        (
            datetime(1, 1, 1, tzinfo=_ICT),
            datetime(2021, 5, 13, tzinfo=_ICT),
            "start",
            "out_of_range",
        ),
        (
            datetime(2021, 5, 12, tzinfo=_ICT),
            datetime.max.replace(tzinfo=UTC),
            "end",
            "out_of_range",
        ),
        ("2021-05-12T18:00:00+07:00\x00", None, "start", "invalid_datetime"),
    ],
    ids=["before-year-1-in-utc", "datetime-max", "nul-in-text"],
)
def test_own_windows_out_of_range_are_named(
    start: datetime | str, end: datetime | None, field: str, code: str
) -> None:
    """Windows built in Python: an edge `datetime` cannot show in every zone is an error."""
    booking = Booking.model_validate(DEFAULTS["booking"])
    with pytest.raises(InvalidPolicy) as caught:
        Policy(windows=(Window(start=start, end=end, percent="10"),)).timeline(booking)  # type: ignore[arg-type]
    assert (caught.value.path, caught.value.code) == (
        f"windows[0].{field}" if code == "out_of_range" else field,
        code,
    )


_CONFIGS = {
    "gotadi": (
        GotadiSettings,
        (
            'base_url = "https://example.com"\napi_key = "k"\naccess_code = "c"\n'
            f'public_key = "{bundled_key_path(SANDBOX_PUBLIC_KEY_FILE)}"\n'
            'private_key = "partner\\u0000.pem"\n'
        ),
    ),
    "ksher": (
        KsherSettings,
        (
            f'appid = "mch1"\nprivate_key = "{sandbox_key_path("ksher-merchant-TEST-ONLY.pem")}"\n'
            'public_key = "gateway\\u0000.pem"\n'
        ),
    ),
    "tiki": (TikiSettings, None),
}


@pytest.mark.parametrize("provider", sorted(_CONFIGS))
def test_a_nul_in_a_configured_file_name_is_invalid_input(provider: str, tmp_path: Path) -> None:
    """TOML can spell a NUL ("\\u0000"): a key or config file name holding one is InvalidInput."""
    settings, table = _CONFIGS[provider]
    config = tmp_path / "config.toml"
    if table is None:  # the config file's own name
        config = tmp_path / "config\x00.toml"
    else:
        config.write_text(f"[{provider}]\n{table}", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        settings.load(config_file=config, environ={})  # type: ignore[attr-defined]
    assert "NUL" in str(caught.value)
