"""``penalty preview``: text, UI JSON, SVG, clean errors, the demo section."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from penalty.cli import EXIT_USAGE, main
from penalty.demos import preview as demo
from tests.helpers import FIXTURES, GOTADI, penalty_cli

POLICY = str(GOTADI / "example4_two_windows.json")
BOOKING = str(GOTADI / "booking.json")
NOW = "2021-05-11T09:00:00+07:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``penalty ARGV`` in-process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_preview_in_vietnamese_through_the_console_script() -> None:
    """The installed ``penalty preview`` prints the heading, one bullet per segment and now."""
    result = penalty_cli("preview", POLICY, "--booking", BOOKING, "--now", NOW, "--locale", "vi_VN")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Phí hủy cho đặt phòng trị giá 3.000.000\xa0₫ (thời gian theo Giờ Việt Nam)"
    assert lines[1] == "Hủy miễn phí đến trước 18:00 Thứ 2, 10 thg 5, 2021 (GMT+07:00)"
    assert lines[2] == "• Được hủy miễn phí đến trước 18:00 Thứ 2, 10 thg 5, 2021 (GMT+07:00)"
    assert len(lines) == 7
    assert lines[6].startswith("Hủy ngay bây giờ mất phí 1.500.000\xa0₫ (50% giá trị đặt phòng).")


def test_json_output_is_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` prints the UI JSON with the given now, locale and viewer zone."""
    code, out, _ = run(
        capsys,
        "preview",
        POLICY,
        "--booking",
        BOOKING,
        "--now",
        NOW,
        "--locale",
        "en",
        "--tz",
        "Europe/Paris",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert (data["locale"], data["viewer_zone"], data["now"]["at"]) == ("en", "Europe/Paris", NOW)
    assert [line["fee"] for line in data["lines"]] == ["0", "1500000", "2100000", "3000000"]


def test_svg_file_is_written_and_the_text_still_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--svg FILE`` writes the chart (valid XML) and still prints the text preview."""
    target = tmp_path / "out.svg"
    code, out, err = run(
        capsys, "preview", POLICY, "--booking", BOOKING, "--now", NOW, "--svg", str(target)
    )
    assert code == 0
    assert out.startswith("Cancellation fees for a booking of ₫3,000,000")
    assert f"SVG written to {target}" in err
    assert ET.fromstring(target.read_text(encoding="utf-8")).tag.endswith("svg")


def test_svg_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    """``--svg -`` prints only the SVG document."""
    code, out, _ = run(capsys, "preview", POLICY, "--booking", BOOKING, "--now", NOW, "--svg", "-")
    assert code == 0
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    ET.fromstring(out.split("\n", 1)[1])


def test_without_now_the_real_clock_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    """No ``--now``: the CLI reads the clock (2021's windows are long past: the full fee)."""
    code, out, _ = run(capsys, "preview", POLICY, "--booking", BOOKING, "--locale", "en")
    assert code == 0
    assert out.splitlines()[-1] == "Cancelling now costs the full ₫3,000,000. This will not change."


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--locale", "xx"), "penalty: error: locale: unknown locale"),
        (("--locale", "fr_FR"), "penalty: error: locale: no wording for this language yet"),
        (("--tz", "Mars/Olympus"), "penalty: error: viewer_tz: unknown IANA timezone"),
        (("--now", "tomorrow"), "penalty: error: now: not an ISO 8601 date and time"),
        (("--svg", "/nonexistent/dir/out.svg"), "penalty: error: svg: cannot write the SVG file"),
    ],
    ids=["unknown-locale", "unsupported-locale", "unknown-tz", "bad-now", "unwritable-svg"],
)
def test_bad_flags_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], message: str
) -> None:
    """A bad --locale, --tz, --now or --svg path is one line on stderr and exit 2."""
    code, _, err = run(capsys, "preview", POLICY, "--booking", BOOKING, "--now", NOW, *flags)
    assert code == EXIT_USAGE
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1


def test_json_and_svg_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    """``--json`` with ``--svg`` is a usage error."""
    with pytest.raises(SystemExit) as caught:
        main(["preview", POLICY, "--booking", BOOKING, "--json", "--svg", "-"])
    assert caught.value.code == EXIT_USAGE
    assert "not allowed with argument" in capsys.readouterr().err


def test_warnings_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Policy warnings (a zone assumed for local times) are printed on stderr, not stdout."""
    paris = FIXTURES / "preview"
    code, out, err = run(
        capsys,
        "preview",
        str(paris / "paris_dst_policy.json"),
        "--booking",
        str(paris / "paris_booking.json"),
        "--now",
        "2021-03-28T01:30:00+01:00",
    )
    assert code == 0
    assert "warning:" not in out
    assert err.startswith("warning: cancelPenalties[0].startDate: window times without an offset")


def test_demo_section_shows_vietnamese_english_and_the_svg_hint() -> None:
    """The demo previews in vi_VN and en with a fixed now, and points at the SVG."""
    out = io.StringIO()
    demo.run(out)
    text = out.getvalue()
    assert "--locale vi_VN" in text
    assert "Được hủy miễn phí" in text
    assert "--locale en_GB" in text
    assert "Free cancellation before" in text
    assert "(GMT+02:00)" in text  # the Paris booking across the DST switch
    assert "--svg" in text
    assert "(exit" not in text


def test_provider_text_never_reaches_the_terminal_as_an_escape(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A window description holding ESC/CSI is printed escaped, not as a terminal sequence."""
    windows = json.loads(Path(POLICY).read_text(encoding="utf-8"))
    windows[0]["description"] = "Late \x1b[2J\x1b[31mfee\x9b31m"
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(windows), encoding="utf-8")
    code, out, _ = run(capsys, "preview", str(policy), "--booking", BOOKING, "--now", NOW)
    assert code == 0
    assert "\x1b" not in out
    assert "\x9b" not in out
    assert "Late \\x1b[2J\\x1b[31mfee\\x9b31m" in out
