"""The batch target against the floor: CPU a row of penalty and of an unvalidated script.

`bench.batch` times whole jobs; this puts its per-row cost beside the least any job could
spend: the rows of `bench.batch.generate`, quoted in one process by `penalty.batch`'s
`quote_row` (validation, compile, summary) and by the lean floor of `bench/lean.py`
(``json.loads`` of the booking and a `Decimal` loop over the windows; no checks, the fee
alone), in interleaved rounds, CPU time, no file read or written.

Run: ``.venv/bin/python -m bench.batch_floor [--rows N]`` (about a minute).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime

from bench.batch import AT, TARGET_RATE, _row
from bench.lean import lean_fee
from penalty.batch._quote import instant, quote_row

#: Rows `bench.batch` makes bad (one in 200): left out, the floor cannot refuse them.
_BAD = 200
_ROUNDS = 5


def main(argv: list[str] | None = None) -> None:
    """Print each side's CPU a row and the rate it would give on 2 cores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)
    rng = random.Random(16)  # noqa: S311 - made-up bookings
    rows = [_row(index, rng) for index in range(args.rows)]
    rows = [row for index, row in enumerate(rows) if index % _BAD != _BAD - 1]
    at, moment = instant(AT), datetime.fromisoformat(AT)
    responses = [
        (booking, b'{"result": {"cancelPenalties": ' + policy.encode() + b"}}")
        for _, booking, policy, _ in rows
    ]

    def floor() -> None:
        for booking, response in responses:
            lean_fee(response, json.loads(booking), moment)

    def engine() -> None:
        for _, booking, policy, kind in rows:
            quote_row(booking, policy, kind, None, at)

    jobs: dict[str, Callable[[], None]] = {"penalty": engine, "lean floor": floor}
    seconds: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(_ROUNDS):
        for name, job in jobs.items():
            began = time.process_time()
            job()
            seconds[name].append((time.process_time() - began) / len(rows))
    need = 2 / TARGET_RATE
    print(f"{len(rows):,} rows; the target ({TARGET_RATE:,}/s on 2 cores) is {need * 1e6:.0f} µs")
    for name, times in seconds.items():
        each = statistics.median(times)
        print(f"  {name}: {each * 1e6:.1f} µs of CPU a row, {2 / each:,.0f} rows/s on 2 cores")


if __name__ == "__main__":
    main()
