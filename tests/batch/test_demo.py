"""The demo section and the README's picture: the bundled fixture, run as a user would."""

from __future__ import annotations

import io

from penalty.batch._chart import render
from penalty.batch._run import run_exposure
from penalty.demos import batch as demo
from tests.helpers import FIXTURES, ROOT


def test_demo_section_runs() -> None:
    """`make demo`'s batch section: the batch summary, a table of rows, the exposure table."""
    out = io.StringIO()
    demo.run(out)
    text = out.getvalue()
    assert "66 rows in" in text
    assert "63 quoted, 3 errors" in text
    assert "errors by code: not_a_number 1, not_cancellable 1, unknown_format 1" in text
    assert "BK-1001" in text
    assert "VND             21" in text
    assert "(exit" not in text


def test_readme_picture_is_the_demo_chart() -> None:
    """docs/exposure.svg is exactly what the documented command draws today."""
    exposure, zone, report = run_exposure(
        str(FIXTURES / "batch" / "open_bookings.jsonl"),
        "2021-05-11T09:00:00+07:00",
        "2021-05-18T09:00:00+07:00",
        "1h",
        workers=1,
    )
    assert report.quoted == 63
    assert render(exposure, zone) == (ROOT / "docs" / "exposure.svg").read_text(encoding="utf-8")
