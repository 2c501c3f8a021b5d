"""The end-to-end job counted in CPU instructions: the figure a shared machine does not move.

Wall-clock medians on a shared 2-core virtual machine moved by 3-5× within one day (the same
reference took 56 µs when issue 12 was filed and 172-302 µs on 2026-11-30). Instructions, as
valgrind's callgrind counts them, are the same from run to run whatever else the machine does.
This script counts the end-to-end row of `bench.run` (Gotadi response bytes + a booking dict →
one fee) for penalty, the partner-style reference and the lean floor: each runs ``--calls``
times in a child under callgrind, and so does the setup alone (building the responses); the
difference over the calls is what one call costs.

Run: ``make bench-instructions`` (``.venv/bin/python -m bench.instructions [--calls N]``; a few
minutes: valgrind runs Python about 50 times slower). Needs valgrind.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import penalty
from bench import reference_impl as ref
from bench.lean import lean_fee
from bench.run import BOOKING, START, response_bytes

JOBS = ("setup", "penalty", "reference", "lean")
_COLLECTED = re.compile(rb"Collected : (\d+)")
#: Calls of the short run; the long run makes ``--calls`` more.
_BASE = 100


def child(job: str, calls: int) -> None:
    """Build ``calls`` responses, then run ``job`` on each (``setup``: nothing more)."""
    responses = [response_bytes(START + timedelta(minutes=7 * i)) for i in range(calls)]
    moment = START + timedelta(days=9)
    fees: list[Decimal] = []
    if job == "penalty":
        for response in responses:
            booking = penalty.Booking.model_validate(BOOKING)
            fees.append(penalty.compile(penalty.from_gotadi(response), booking).fee(moment))
    elif job == "reference":
        for response in responses:
            windows = ref.parse_policy(json.loads(response)["result"]["cancelPenalties"])
            fees.append(ref.quote(windows, ref.Stay.model_validate(BOOKING), moment))
    elif job == "lean":
        fees.extend(lean_fee(response, BOOKING, moment) for response in responses)


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
    per_call = {}
    for job in JOBS:
        short, long = count(job, _BASE), count(job, _BASE + args.calls)
        per_call[job] = (long - short) / args.calls
        print(f"  {job}: {per_call[job]:,.0f} instructions a call", flush=True)
    ours, reference, floor = (per_call[job] - per_call["setup"] for job in JOBS[1:])
    print("end to end (response bytes + booking dict → fee), instructions a call:")
    print("| penalty | reference | lean floor | reference ÷ penalty | penalty ÷ floor |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {ours:,.0f} | {reference:,.0f} | {floor:,.0f} | {reference / ours:.2f}× "
        f"(target ≥ 3×) | {ours / floor:.2f}× (target ≤ 2×) |"
    )


if __name__ == "__main__":
    main()
