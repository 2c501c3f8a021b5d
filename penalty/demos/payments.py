"""Demo: the payment side of a cancellation, on local Tiki and Ksher sandboxes (issue #6).

Each sandbox runs on 127.0.0.1 with its own TEST-ONLY credentials, checks every request's
signature, and is stopped at the end. The clients are the library's own (``tiki.Client``,
``ksher.Client``); nothing here reads the environment, so real credentials are never involved.
"""

from __future__ import annotations

from typing import TextIO

from penalty.demos import expect
from penalty.errors import PenaltyError
from penalty.providers import ksher, tiki

__all__ = ["run"]


def _tiki(out: TextIO) -> None:
    sandbox = tiki.Sandbox()
    sandbox.add_order("77062110977884170", grand_total=1_250_000)
    sandbox.add_order("88062110977884171", status=tiki.OrderStatus.COMPLETED.value)
    with sandbox.serve() as server, sandbox.client(server.url) as client:
        out.write(f"Tiki sandbox at {server.url} (X-Tiniapp-Signature checked on every request)\n")
        result = client.cancel_order(
            "77062110977884170", "Khách hủy đặt phòng", page_path="/order/77062110977884170"
        )
        order = result.order
        state = f"status {order.status}, grand total {order.grand_total:,} VND" if order else ""
        out.write(
            f"  cancel 77062110977884170 -> {result.outcome.value}: {state}\n    {result.note}\n"
        )
        expect("tiki cancel 77062110977884170", result.outcome.value, "cancelled")
        for order_id, status in (("77062110977884170", None), ("88062110977884171", "completed")):
            known = f" (known status {status})" if status else " again"
            try:
                client.cancel_order(order_id, "Khách hủy đặt phòng", known_status=status)
            except PenaltyError as exc:
                out.write(f"  cancel {order_id}{known} -> refused: {exc}\n")
            else:
                expect(f"tiki cancel {order_id}{known}", "accepted", "refused")


def _ksher(out: TextIO) -> None:
    sandbox = ksher.Sandbox()
    sandbox.set_outcome("BK-2026-0002", ksher.KsherOutcome.ALREADY_PAID)
    with sandbox.serve() as server, sandbox.client(server.url) as client:
        out.write(f"Ksher sandbox at {server.url} (MD5withRSA sign checked both ways)\n")
        for order, ends in (
            ("BK-2026-0001", "cancelled"),
            ("BK-2026-0001", "already_cancelled"),
            ("BK-2026-0002", "already_paid"),
        ):
            result = client.cancel_order(order)
            how = (
                f"signed order query says {result.order.result}, {result.order.amount_text}"
                if result.order
                else "not confirmed by a signed answer"
            )
            out.write(
                f"  cancel {order} -> {result.outcome.value.replace('_', ' ')}"
                f" (code {result.code} {result.message}; {how})\n    {result.note}\n"
            )
            expect(f"ksher cancel {order}", result.outcome.value, ends)
        query = client.order_query("BK-2026-0001")
        out.write(
            f"  query {query.mch_order_no} -> {query.result}, {query.amount_text}"
            f" (total_fee {query.total_fee} satang; signature checked)\n"
        )
        expect("ksher query BK-2026-0001", query.result, "CLOSED")


def run(out: TextIO) -> None:
    """Cancel an order on each sandbox, then show an already-cancelled and a paid/completed one."""
    out.write("== The payment side: Tiki order cancel and Ksher gateway cancel (sandboxes) ==\n")
    _tiki(out)
    _ksher(out)
