"""The ``make demo`` section for Gotadi: starts its own sandbox and tells the whole story."""

from __future__ import annotations

import io

from penalty.demos import gotadi
from penalty.providers.gotadi.sandbox_data import TEST_ONLY_ACCESS_CODE, TEST_ONLY_API_KEY


def test_demo_runs_every_case_and_prints_no_secret() -> None:
    """Confirmed, waiting-then-confirmed, again (nothing sent twice), mismatch-then-success,
    a total mismatch stopped before sending, not allowed, a bad signature not believed."""
    out = io.StringIO()
    gotadi.run(out)
    text = out.getvalue()
    assert text.count("=> confirmed") == 5
    assert "already cancelled; nothing to send" in text
    assert "=> total_mismatch" in text
    assert "CANCEL_WAITING_CONFIRM" in text
    assert "CANCEL_PENALTY_MISMATCH" in text
    assert "=> not_allowed" in text
    assert "signature does not verify: not a verified answer" in text
    assert "refused" not in text
    assert "MISMATCH: Gotadi's cancelPenaltyTotal is 0.0, our fee is 1,100,000" in text
    assert TEST_ONLY_API_KEY not in text
    assert TEST_ONLY_ACCESS_CODE not in text
