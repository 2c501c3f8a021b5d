"""The end-to-end job counted in CPU instructions: the figure a shared machine does not move.

Wall-clock medians on a shared 2-core virtual machine moved by 3-5× within one day (the same
reference took 56 µs when issue 12 was filed and 172-302 µs on 2026-11-30). Instructions, as
valgrind's callgrind counts them, are the same from run to run whatever else the machine does.
This script counts the end-to-end row of `bench.run` (Gotadi response bytes + a booking dict →
one fee) for penalty, the partner-style reference, the lean floor and the two validating floors
of `bench.pipeline_floor`, after checking that all give the same fees: each runs ``--calls``
times in a child under callgrind, and so does the setup alone (building the responses); the
difference over the calls is what one call costs. The children fix the string hash seed and
keep the collector off what was built before the calls: two runs of a job differ by a few
hundred instructions in a billion.

Run: ``make bench-instructions`` (``.venv/bin/python -m bench.instructions [--calls N]``; about
ten minutes: valgrind runs Python about 50 times slower). Needs valgrind.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import penalty
from bench import reference_impl as ref
from bench.lean import lean_fee
from bench.pipeline_floor import one_fee, pipeline_fee
from bench.run import BOOKING, START, response_bytes

#: One end-to-end call of each job: response bytes, the booking dict, the instant → the fee.
_Job = Callable[[bytes, dict[str, Any], datetime], Decimal]


def _penalty(response: bytes, booking: dict[str, Any], moment: datetime) -> Decimal:
    return penalty.compile(
        penalty.from_gotadi(response), penalty.Booking.model_validate(booking)
    ).fee(moment)


def _reference(response: bytes, booking: dict[str, Any], moment: datetime) -> Decimal:
    windows = ref.parse_policy(json.loads(response)["result"]["cancelPenalties"])
    return ref.quote(windows, ref.Stay.model_validate(booking), moment)


#: The jobs counted, beside "setup" (building the responses, subtracted from each).
_JOBS: dict[str, _Job] = {
    "penalty": _penalty,
    "reference": _reference,
    "lean": lean_fee,
    "pipeline": pipeline_fee,
    "one-fee": one_fee,
}
JOBS = ("setup", *_JOBS)
_COLLECTED = re.compile(rb"Collected : (\d+)")
#: Calls of the short run; the long run makes ``--calls`` more.
_BASE = 100
_MOMENT = START + timedelta(days=9)


def _responses(calls: int) -> list[bytes]:
    return [response_bytes(START + timedelta(minutes=7 * i)) for i in range(calls)]


def child(job: str, calls: int) -> None:
    """Build ``calls`` responses, then run ``job`` on each (``setup``: nothing more)."""
    responses = _responses(calls)
    run = _JOBS.get(job)
    # What was built before the calls is never traversed again by the collector: a full
    # collection over the interpreter's whole heap would land in one run and not the other.
    gc.collect()
    gc.freeze()
    if run is not None:
        fees = [run(response, BOOKING, _MOMENT) for response in responses]
        del fees


def _check_agreement() -> None:
    """Every job gives penalty's fee on a sample of the responses, or nothing is counted."""
    for response in _responses(20):
        fees = {name: run(response, BOOKING, _MOMENT) for name, run in _JOBS.items()}
        if len(set(fees.values())) != 1:
            raise SystemExit(f"the jobs disagree: {fees}")


def count(job: str, calls: int) -> int:
    """The instructions of a child running ``job`` over ``calls`` responses."""
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            job,
            str(calls),
        ],
        capture_output=True,
        check=True,
        # String hashes fixed: dict and set layouts, and so the counts, the same in every run.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = _COLLECTED.search(run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count for {job}: {run.stderr[-500:]!r}")
    return int(found.group(1))


def main(argv: list[str] | None = None) -> None:
    """Print the instructions of one call for each job, and the ratios of the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500, help="calls measured (default 500)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("bench.instructions needs valgrind (Debian: apt-get install valgrind)")
    _check_agreement()
    per_call = {}
    for job in JOBS:
        short, long = count(job, _BASE), count(job, _BASE + args.calls)
        per_call[job] = (long - short) / args.calls
        print(f"  {job}: {per_call[job]:,.0f} instructions a call", flush=True)
    ours, reference, floor, pipeline, single = (
        per_call[job] - per_call["setup"] for job in JOBS[1:]
    )
    print("end to end (response bytes + booking dict → fee), instructions a call:")
    print("| penalty | reference | lean floor | reference ÷ penalty | penalty ÷ floor |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {ours:,.0f} | {reference:,.0f} | {floor:,.0f} | {reference / ours:.2f}× "
        f"(target ≥ 3×) | {ours / floor:.2f}× (target ≤ 2×) |"
    )
    print("the validating floors of bench/pipeline_floor.py (no objects, no warnings, no paths):")
    print("| floor | instructions | reference ÷ floor | floor ÷ lean floor |")
    print("|---|---:|---:|---:|")
    for name, value in (
        ("pipeline (one sweep, a timeline)", pipeline),
        ("one fee (no sweep)", single),
    ):
        print(f"| {name} | {value:,.0f} | {reference / value:.2f}× | {value / floor:.2f}× |")


if __name__ == "__main__":
    main()
