"""The payments demo section runs against its own sandboxes and tells each outcome."""

from __future__ import annotations

import io

from penalty.demos import payments


def test_payments_demo_trail() -> None:
    """The demo cancels on both sandboxes and shows already-cancelled, completed and paid cases."""
    out = io.StringIO()
    payments.run(out)
    text = out.getvalue()
    assert "77062110977884170 -> cancelled: status canceled, grand total 1,250,000 VND" in text
    assert "order is already canceled" in text
    assert "a completed Tiki order cannot be cancelled" in text
    assert (
        "BK-2026-0001 -> cancelled (code 0 操作成功; signed order query says CLOSED, 1,500.00 THB)"
        in text
    )
    assert "query BK-2026-0001 -> CLOSED, 1,500.00 THB (total_fee 150000 satang" in text
    assert "cancel BK-2026-0001 -> already cancelled (code -5" in text
    assert "cancel BK-2026-0002 -> already paid (code -4" in text
    assert "refund the booking another way" in text
    assert "TEST-ONLY" not in text
