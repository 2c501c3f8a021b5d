"""``make demo``: bundled inputs equal to the repository's fixtures, and a failing step exits 1."""

from __future__ import annotations

import io

import pytest

from penalty import demo
from penalty.demos import StepFailed, expect, fixtures_dir, gotadi, run_cli
from tests.helpers import FIXTURES, ROOT

DATA = ROOT / "penalty" / "demos" / "data"


def test_the_bundled_inputs_are_the_fixtures_themselves() -> None:
    """Each file the demo ships is byte for byte its twin in fixtures/ (no second truth)."""
    bundled = sorted(path.relative_to(DATA) for path in DATA.rglob("*") if path.is_file())
    assert bundled, "the demo ships its inputs"
    for relative in bundled:
        assert (DATA / relative).read_bytes() == (FIXTURES / relative).read_bytes(), relative


def test_the_demo_reads_its_inputs_from_the_package() -> None:
    """fixtures_dir() is the package's data directory (shown relative to here when it can be)."""
    assert fixtures_dir().resolve() == DATA.resolve()
    assert (fixtures_dir() / "gotadi" / "booking.json").is_file()


def test_expect_names_the_step() -> None:
    """A step that ends otherwise says which step, what it got and what was expected."""
    expect("cancel EX3", "confirmed", "confirmed")
    with pytest.raises(StepFailed, match=r"cancel EX3: got 'expired', expected 'confirmed'"):
        expect("cancel EX3", "expired", "confirmed")


def test_a_cli_step_with_another_exit_code_fails() -> None:
    """run_cli shows the command and its output, then refuses an unexpected exit code."""
    out = io.StringIO()
    run_cli(out, "schedule", "missing.json", "--booking", "missing.json", exit_code=2)
    assert out.getvalue().startswith("$ penalty schedule missing.json --booking missing.json\n")
    assert "(exit 2)" in out.getvalue()
    with pytest.raises(StepFailed, match=r"penalty schedule missing\.json: got 'exit 2'"):
        run_cli(io.StringIO(), "schedule", "missing.json")  # a usage error: argparse exits 2


def test_a_failed_step_makes_the_demo_exit_1_after_the_other_sections(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The engine section's CLI failing: it is named on stderr, the next section still runs."""
    monkeypatch.setattr(demo, "_SECTIONS", ("penalty.demos.engine", "penalty.demos.preview"))
    monkeypatch.setattr("penalty.cli.main", lambda argv: 3 if argv[0] == "schedule" else 0)
    out, err = io.StringIO(), io.StringIO()
    assert demo.main(out, err) == 1
    assert "!! step failed: penalty schedule" in out.getvalue()
    assert "== Fee previews" in out.getvalue()
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("demo step failed: penalty.demos.engine: penalty schedule ")
    assert lines[0].endswith("got 'exit 3', expected 'exit 0'")


def test_a_gotadi_case_ending_otherwise_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Gotadi section checks each flow's end against the sandbox's script."""
    case = gotadi._CASES[0]
    assert case[0] == "EX3"
    monkeypatch.setattr(gotadi, "_CASES", ((*case[:4], "not_allowed", case[5]),))
    with pytest.raises(StepFailed, match=r"cancel EX3: got 'confirmed', expected 'not_allowed'"):
        gotadi.run(io.StringIO())
