"""Resource bounds, scaled down for ``make test`` (``make bench`` measures the real figures).

The bounds (README, "Resource bounds"): a policy compiles in time and memory linear in its
windows (100,000 windows: ~1-2 s and ~100 MB on the bench machine), and a batch of quotes runs in
constant memory whatever its length (`Timeline.fees` reads 4,096 instants at a time). Here: a
100,000-window policy compiles and quotes without error, and `fees` over a lazy stream keeps a
flat memory peak. No timing is asserted: the machine is shared and noisy; memory is exact.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from penalty import Booking, Policy

ICT = timezone(timedelta(hours=7))
START = datetime(2021, 1, 1, tzinfo=ICT)
BOOKING = Booking.model_validate(
    {
        "total": "3000000",
        "currency": "VND",
        "nightly_rates": ["1000000", "1200000", "800000"],
        "check_in": "2031-06-01",
        "check_out": "2031-06-04",
        "timezone": "Asia/Ho_Chi_Minh",
    }
)


def _windows(count: int) -> list[dict[str, str]]:
    """``count`` overlapping windows an hour apart, each two hours long, of all three types."""
    kinds = [
        ("PERCENT", "percent", "{}%"),
        ("AMOUNT", "amount", "{}000"),
        ("NIGHTS", "nights", "{}"),
    ]
    windows = []
    for index in range(count):
        kind, field, text = kinds[index % 3]
        start = START + timedelta(hours=index)
        window = {
            "startDate": start.isoformat(),
            "endDate": (start + timedelta(hours=2)).isoformat(),
            "type": kind,
            "currency": "VND",
            field: text.format(index % 3 + 1),
        }
        windows.append(window)
    return windows


def test_100000_windows_compile_and_quote() -> None:
    """A 100,000-window policy parses, compiles, quotes, and its schedule stays linear."""
    policy = Policy.from_gotadi(_windows(100_000))
    timeline = policy.timeline(BOOKING)
    quote = timeline.quote(START + timedelta(hours=50_000, minutes=30))
    assert quote.phase == "window"
    assert 0 < quote.fee <= BOOKING.total
    assert len(timeline.segments) <= 2 * 100_000 + 1
    assert timeline.quote(START + timedelta(hours=200_000)).fee == BOOKING.total


def _stream(count: int) -> Iterator[datetime]:
    base = datetime(2021, 1, 1, tzinfo=UTC)
    for second in range(count):
        yield base + timedelta(seconds=second * 37)


def test_a_batch_of_quotes_runs_in_flat_memory() -> None:
    """fees() over 100,000 lazily made instants: the peak stays under 2 MB (not ~200 bytes each)."""
    timeline = Policy.from_gotadi(_windows(300)).timeline(BOOKING)
    total = Decimal(0)
    tracemalloc.start()
    try:
        for fee in timeline.fees(_stream(100_000)):
            total += fee
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > 0
    assert peak < 2 * 1024 * 1024
