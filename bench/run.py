"""`make bench`: penalty against a partner-style reference and a lean floor, figure by figure.

Prints one table (figure, penalty, reference, speed-up, target, met?) and writes the numbers to
``bench/results.json``. Every timing is the median of several runs; the machine is shared and
noisy, so the ratios (measured in one run, side by side) matter more than the absolute numbers.
Before timing, the reference (`bench/reference_impl.py`) and the lean floor (`bench/lean.py`)
must give penalty's fee for every benchmark input.

The figures (issue 12 names the targets):

- end to end: a Gotadi check-cancel-penalty response as JSON bytes and a booking dict → one fee,
  the job of pricing code, a preview endpoint and a nightly batch. penalty (validating
  everything) against the partner-style reference (pydantic strings, pendulum.parse every date,
  a loop) and against the lean floor (json.loads, fromisoformat, a Decimal loop, no validation).
- parse + compile: `penalty.from_gotadi(bytes)` compiled against a validated booking, 4 windows,
  each payload a different policy (no cache sees a repeat).
- quote: `Timeline.quote` of an aware datetime / of ISO 8601 text on a compiled timeline.
- 1,000,000 instants: `Timeline.fees` over aware datetimes (and `fees_at_micros` over ints),
  with the memory peak of consuming a generator of them.
- cold start: ``penalty quote POLICY --booking BOOKING --at T`` in a fresh process against a
  partner's one-file script that imports pydantic and pendulum (`bench/partner_quote.py`).
- 100,000 windows: parse + compile time from bytes, and the bytes a window keeps once compiled
  (policy and timeline alive, tracemalloc).

Run: ``make bench`` (or ``.venv/bin/python -m bench.run [--quick] [--json PATH]``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import penalty
from bench import reference_impl as ref
from bench.lean import lean_fee
from penalty import Booking, Timeline
from penalty.instants import to_micros

ROOT = Path(__file__).resolve().parent.parent
ICT = timezone(timedelta(hours=7))
#: The first window starts here; the 4 windows then last 7 days, 3 days, 1 day and 1 day.
START = datetime(2021, 5, 1, 18, tzinfo=ICT)
#: "Memory flat": `fees` holds a few chunks at most, never the instants it has seen (a list of a
#: million aware datetimes takes ~64 MB).
FLAT = 4e6
#: Targets (issue 12).
QUOTE_LIMIT = 0.6e-6
PARSE_LIMIT = 15e-6
BIG_LIMIT = 0.4
WINDOW_BYTES = 300
#: `penalty quote` may take this many times a partner's script to start and print a fee.
COLD_LIMIT = 1.2
BOOKING = {
    "total": "3000000",
    "currency": "VND",
    "nightly_rates": ["1000000", "1200000", "800000"],
    "check_in": "2021-05-13",
    "check_out": "2021-05-16",
    "timezone": "Asia/Ho_Chi_Minh",
}


def consume(iterable: Iterable[object]) -> None:
    """Run through ``iterable`` at C speed, keeping nothing."""
    deque(iterable, maxlen=0)


def gotadi_policy(
    start: datetime, hours: Iterable[int] = (168, 72, 24, 24)
) -> list[dict[str, str]]:
    """Touching Gotadi windows from ``start``: 10%, 50% + 25,000, 1.5 nights, 2,500,000."""
    shapes = [
        {"type": "PERCENT", "percent": "10%"},
        {"type": "PERCENT", "percent": "50%", "amount": "25000"},
        {"type": "NIGHTS", "nights": "1.5"},
        {"type": "AMOUNT", "amount": "2500000"},
    ]
    windows = []
    for index, length in enumerate(hours):
        end = start + timedelta(hours=length)
        window = {
            "startDate": start.isoformat(timespec="milliseconds"),
            "endDate": end.isoformat(timespec="milliseconds"),
            "currency": "VND",
            "percent": "",
            "nights": "",
            "amount": "",
            "description": "",
        }
        window.update(shapes[index % len(shapes)])
        windows.append(window)
        start = end
    return windows


def probes(start: datetime, span: timedelta, count: int) -> list[datetime]:
    """``count`` instants from a day before ``start`` to a day after ``start + span``."""
    first, width = start - timedelta(days=1), span + timedelta(days=2)
    step = width / count
    return [(first + step * i).astimezone(UTC if i % 2 else ICT) for i in range(count)]


# -- measuring ---------------------------------------------------------------------------------


def median_seconds(run: Callable[[], object], *, repeat: int, per: int = 1) -> float:
    """Median over ``repeat`` runs of ``run()``, divided by the ``per`` operations it does."""
    times = timeit.Timer(run).repeat(repeat=repeat, number=1)
    return statistics.median(times) / per


def peak_bytes(run: Callable[[], object]) -> int:
    """The tracemalloc peak while ``run()`` runs (what it allocates on top of what exists)."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def import_seconds(codes: list[str], rounds: int) -> dict[str, float]:
    """Median wall time of ``python -c code`` for each code, minus a bare interpreter's."""
    every = ["pass", *codes]
    times: dict[str, list[float]] = {code: [] for code in every}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(rounds):  # interleaved, so that load on the machine hits all alike
        for code in every:
            began = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)
            times[code].append(time.perf_counter() - began)
    bare = statistics.median(times["pass"])
    return {code: statistics.median(times[code]) - bare for code in codes}


@dataclass
class Row:
    """One figure of the table."""

    figure: str
    penalty: float
    reference: float | None
    unit: str  # "s" (shown in µs/ms/s) or "B" (shown in KB/MB)
    target: str
    met: bool | None
    note: str = ""

    @property
    def speedup(self) -> float | None:
        """How many times faster penalty is (reference ÷ penalty)."""
        if self.reference is None or not self.penalty:
            return None
        return self.reference / self.penalty


def show(value: float | None, unit: str) -> str:
    """``0.62 µs``, ``18.4 ms``, ``1.2 s``; ``327 B``, ``512 KB``, ``48.0 MB``."""
    if value is None:
        return "—"
    if unit == "B":
        if value >= 1e6:
            return f"{value / 1e6:.1f} MB"
        return f"{value / 1e3:.0f} KB" if value >= 1e4 else f"{value:,.0f} B"
    for scale, name in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if value >= scale:
            return f"{value / scale:.3g} {name}"
    return f"{value / 1e-9:.3g} ns"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| figure | penalty | reference | speed-up | target | met |",
        "|---|---:|---:|---:|---|:-:|",
    ]
    for row in rows:
        speedup = row.speedup
        lines.append(
            f"| {row.figure} | {show(row.penalty, row.unit)} | {show(row.reference, row.unit)} "
            f"| {'—' if speedup is None else f'{speedup:,.2f}×'} | {row.target} "
            f"| {'—' if row.met is None else 'yes' if row.met else 'NO'} |"
        )
    return "\n".join(lines)


# -- the figures ---------------------------------------------------------------------------------


@dataclass
class Setup:
    """The benchmark's inputs, checked to get the same fees from penalty and the reference."""

    payload: list[dict[str, str]]
    booking: Booking
    stay: ref.Stay
    timeline: Timeline
    windows: list[ref.GotadiWindow]
    instants: list[datetime]
    texts: list[str]

    @classmethod
    def build(cls, count: int) -> Setup:
        payload = gotadi_policy(START)
        booking = Booking.model_validate(BOOKING)
        stay = ref.Stay.model_validate(BOOKING)
        timeline = penalty.compile(penalty.from_gotadi(payload), booking)
        instants = probes(START, timedelta(days=12), count)
        for edge in timeline.boundaries:
            instants += [edge - timedelta(microseconds=1), edge, edge + timedelta(microseconds=1)]
        texts = [at.isoformat() for at in instants]
        return cls(payload, booking, stay, timeline, ref.parse_policy(payload), instants, texts)

    def check(self) -> None:
        """The reference agrees with penalty on every input the benchmark times."""
        for at, text in zip(self.instants, self.texts, strict=True):
            fee = self.timeline.quote(at).fee
            assert fee == self.timeline.quote(text).fee, text
            assert ref.quote(self.windows, self.stay, at) == fee, at
            assert ref.quote(self.windows, self.stay, text) == fee, text
        assert list(self.timeline.fees(self.instants)) == [
            self.timeline.quote(at).fee for at in self.instants
        ]


def _each(function: Callable[[Any], object], inputs: list[Any]) -> None:
    consume(map(function, inputs))


def quotes(setup: Setup, repeat: int) -> list[Row]:
    """One quote on a compiled timeline: an aware datetime, then ISO 8601 text."""
    timeline, windows, stay = setup.timeline, setup.windows, setup.stay
    timed = {}
    for name, inputs in (("datetime", setup.instants), ("text", setup.texts)):
        mine = median_seconds(
            partial(_each, timeline.quote, inputs), repeat=repeat * 3, per=len(inputs)
        )
        theirs = median_seconds(
            partial(_each, partial(ref.quote, windows, stay), inputs),
            repeat=repeat,
            per=len(inputs),
        )
        timed[name] = (mine, theirs)
    (at, at_ref), (text, text_ref) = timed["datetime"], timed["text"]
    return [
        Row("quote, aware datetime", at, at_ref, "s", "≤ 0.6 µs", at <= QUOTE_LIMIT),
        Row("quote, ISO 8601 text", text, text_ref, "s", "≤ 2 µs", text <= 2e-6),
    ]


def response_bytes(start: datetime, hours: Iterable[int] = (168, 72, 24, 24)) -> bytes:
    """A whole check-cancel-penalty response around `gotadi_policy`, as Gotadi sends it."""
    response = {
        "result": {
            "status": "ALLOW_CANCELLATION",
            "cancelPenalties": gotadi_policy(start, hours),
            "cancelPenaltyTotal": None,
        },
        "duration": 0,
        "textMessage": None,
        "errors": None,
        "infos": None,
        "success": True,
    }
    return json.dumps(response).encode()


def end_to_end(repeat: int, count: int) -> list[Row]:
    """Response bytes + a booking dict → one fee: penalty, the reference, the lean floor.

    Each response is a different policy (its windows start 7 minutes apart), so nothing is
    seen twice; the booking dict is validated every time, as a request handler would.
    """
    responses = [response_bytes(START + timedelta(minutes=7 * i)) for i in range(count)]
    moment = START + timedelta(days=9)

    def mine(response: bytes) -> Decimal:
        booking = Booking.model_validate(BOOKING)
        return penalty.compile(penalty.from_gotadi(response), booking).fee(moment)

    def theirs(response: bytes) -> Decimal:
        windows = ref.parse_policy(json.loads(response)["result"]["cancelPenalties"])
        return ref.quote(windows, ref.Stay.model_validate(BOOKING), moment)

    def lean(response: bytes) -> Decimal:
        return lean_fee(response, BOOKING, moment)

    for response in responses[:50]:
        assert mine(response) == theirs(response) == lean(response)
    timed = {}
    for name, function in (("penalty", mine), ("reference", theirs), ("lean", lean)):
        timed[name] = median_seconds(partial(_each, function, responses), repeat=repeat, per=count)
    ours, reference, floor = timed["penalty"], timed["reference"], timed["lean"]
    return [
        Row(
            "end to end: response bytes + booking dict → fee",
            ours,
            reference,
            "s",
            "≥ 3× the reference",
            reference >= 3 * ours,
            "validates the booking and every window field; the reference validates Gotadi's "
            "strings only, then parses dates on every quote",
        ),
        Row(
            "end to end, against the lean floor (reference column: the floor)",
            ours,
            floor,
            "s",
            "≤ 2× the floor",
            ours <= 2 * floor,
            "the floor: json.loads, fromisoformat, a Decimal loop, no validation at all",
        ),
    ]


def parsing(setup: Setup, repeat: int, count: int) -> list[Row]:
    """Parse a 4-window response from bytes and compile it (each one different)."""
    booking = setup.booking
    responses = [response_bytes(START + timedelta(minutes=7 * i)) for i in range(count)]

    def compile_all() -> None:
        for response in responses:
            penalty.compile(penalty.from_gotadi(response), booking)

    their_parse = median_seconds(
        lambda: consume(
            ref.parse_policy(json.loads(r)["result"]["cancelPenalties"]) for r in responses
        ),
        repeat=repeat,
        per=count,
    )
    mine = median_seconds(compile_all, repeat=repeat, per=count)
    note = "the reference only validates here; it parses dates and numbers on every quote"
    return [
        Row(
            "parse + compile from bytes, 4 windows",
            mine,
            their_parse,
            "s",
            "≤ 15 µs",
            mine <= PARSE_LIMIT,
            note,
        ),
    ]


def _instant_stream(count: int) -> Iterator[datetime]:
    step = timedelta(microseconds=1_000_003)
    first = START - timedelta(days=1)
    return (first + step * i for i in range(count))


def _fees(timeline: Timeline, instants: list[datetime]) -> None:
    consume(timeline.fees(instants))


def _fees_at_micros(timeline: Timeline, keys: list[int]) -> None:
    consume(timeline.fees_at_micros(keys))


def _reference_quotes(
    windows: list[ref.GotadiWindow], stay: ref.Stay, instants: list[datetime]
) -> None:
    consume(map(partial(ref.quote, windows, stay), instants))


def batch(setup: Setup, repeat: int, count: int, sample: int) -> list[Row]:
    """``count`` instants through `fees` (and `fees_at_micros`); the reference on a sample."""
    timeline, windows, stay = setup.timeline, setup.windows, setup.stay
    instants = list(_instant_stream(count))
    keys = [to_micros(at) for at in instants]
    expected = [ref.quote(windows, stay, at) for at in instants[::997]]
    assert list(timeline.fees(instants))[::997] == expected
    assert list(timeline.fees_at_micros(keys))[::997] == expected
    mine = median_seconds(partial(_fees, timeline, instants), repeat=repeat)
    micros = median_seconds(partial(_fees_at_micros, timeline, keys), repeat=repeat)
    part = instants[:: count // sample]
    theirs = median_seconds(
        partial(_reference_quotes, windows, stay, part), repeat=max(1, repeat // 2), per=len(part)
    )
    instants.clear()
    keys.clear()
    peak = peak_bytes(lambda: consume(timeline.fees(_instant_stream(count))))
    label = f"{count:,} instants"
    scale = f"reference: {len(part):,} quotes × {count // len(part):,}"
    return [
        Row(f"{label}, fees(datetimes)", mine, theirs * count, "s", "≤ 1 s", mine <= 1, scale),
        Row(f"{label}, fees_at_micros(ints)", micros, theirs * count, "s", "—", None, scale),
        Row(
            f"{label}, peak memory of fees(generator)",
            peak,
            None,
            "B",
            "flat",
            peak < FLAT,
            "tracemalloc peak while consuming a generator",
        ),
    ]


def cold_start(rounds: int, folder: Path) -> list[Row]:
    """``penalty quote`` from a cold start against a partner's one-file script; also imports."""
    policy, booking = folder / "policy.json", folder / "booking.json"
    policy.write_text(json.dumps(gotadi_policy(START)), encoding="utf-8")
    booking.write_text(json.dumps(BOOKING), encoding="utf-8")
    at = "2021-05-09T00:00:00+07:00"
    penalty_script = Path(sys.executable).parent / "penalty"
    commands = {
        "penalty quote": [
            str(penalty_script),
            "quote",
            str(policy),
            "--booking",
            str(booking),
            "--at",
            at,
        ],
        "partner script": [
            sys.executable,
            str(ROOT / "bench" / "partner_quote.py"),
            str(policy),
            str(booking),
            at,
        ],
        "import penalty": [sys.executable, "-c", "import penalty"],
        "import pydantic, pendulum": [sys.executable, "-c", "import pydantic, pendulum"],
    }
    outputs = {
        name: subprocess.run(command, check=True, capture_output=True, text=True).stdout
        for name, command in list(commands.items())[:2]
    }
    shown = outputs["penalty quote"].split()[1].replace(",", "")
    assert shown == outputs["partner script"].split()[1], outputs
    took = process_seconds(commands, rounds)
    quote, partner = took["penalty quote"], took["partner script"]
    return [
        Row(
            "cold start: `penalty quote` (reference: a partner's script)",
            quote,
            partner,
            "s",
            "≤ 1.2× the script",
            quote <= COLD_LIMIT * partner,
            "fresh processes, interleaved; the script imports pydantic and pendulum",
        ),
        Row(
            "`import penalty` (reference: `import pydantic, pendulum`)",
            took["import penalty"],
            took["import pydantic, pendulum"],
            "s",
            "—",
            None,
            "the engine and the formats; previews, providers and strategies load on first use",
        ),
    ]


def process_seconds(commands: dict[str, list[str]], rounds: int) -> dict[str, float]:
    """Median wall time of each command in fresh processes, interleaved round by round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(rounds):  # interleaved, so that load on the machine hits all alike
        for name, command in commands.items():
            began = time.perf_counter()
            subprocess.run(command, check=True, env=env, cwd=ROOT, capture_output=True)
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


def big_policy(setup: Setup, repeat: int, windows: int) -> list[Row]:
    """A policy of ``windows`` touching windows from bytes: compile time, retained memory."""
    data = response_bytes(START, [1 + i % 5 for i in range(windows)])
    booking, stay = setup.booking, setup.stay
    built: list[Timeline] = []
    seconds = median_seconds(
        lambda: built.append(penalty.compile(penalty.from_gotadi(data), booking)), repeat=repeat
    )
    timeline = built[-1]
    built.clear()
    retained = retained_bytes(lambda: penalty.compile(penalty.from_gotadi(data), booking))
    moment = START + timedelta(hours=2 * windows)
    one = median_seconds(lambda: timeline.quote(moment), repeat=repeat * 100)
    parsed = ref.parse_policy(json.loads(data)["result"]["cancelPenalties"])
    their_parse = median_seconds(
        lambda: ref.parse_policy(json.loads(data)["result"]["cancelPenalties"]), repeat=1
    )
    started = time.perf_counter()
    assert ref.quote(parsed, stay, moment) == timeline.quote(moment).fee
    their_quote = time.perf_counter() - started
    label = f"{windows:,} windows"
    return [
        Row(
            f"{label}: parse + compile from bytes",
            seconds,
            their_parse,
            "s",
            "≤ 0.4 s",
            seconds <= BIG_LIMIT * windows / 100_000,
        ),
        Row(
            f"{label}: bytes kept a window (policy + timeline)",
            retained / windows,
            None,
            "B",
            "≤ 300 B",
            retained / windows <= WINDOW_BYTES,
            "tracemalloc: what the compiled timeline and its policy keep, over the windows",
        ),
        Row(f"{label}: one quote", one, their_quote, "s", "—", None),
    ]


def retained_bytes(build: Callable[[], object]) -> int:
    """What the object ``build()`` returns keeps allocated (tracemalloc, after collection)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return after - before


def main(argv: list[str] | None = None) -> None:
    """Run every figure, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args(argv)
    quick = args.quick
    repeat = 3 if quick else 9
    setup = Setup.build(count=200 if quick else 1000)
    setup.check()
    print(
        f"penalty benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs", flush=True
    )
    rows: list[Row] = []
    folder = tempfile.mkdtemp(prefix="penalty-bench-")
    steps: list[tuple[str, Callable[[], list[Row]]]] = [
        ("end to end", lambda: end_to_end(repeat, 200 if quick else 2000)),
        ("quotes", lambda: quotes(setup, repeat)),
        ("parse + compile", lambda: parsing(setup, repeat, 200 if quick else 2000)),
        (
            "batch",
            lambda: batch(
                setup, 3 if quick else 5, 100_000 if quick else 1_000_000, 1000 if quick else 10_000
            ),
        ),
        ("cold start", lambda: cold_start(5 if quick else 15, Path(folder))),
        (
            "100,000 windows",
            lambda: big_policy(setup, 1 if quick else 3, 10_000 if quick else 100_000),
        ),
    ]
    for name, step in steps:
        began = time.perf_counter()
        rows += step()
        print(f"  {name}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    print(table(rows))
    for row in rows:
        if row.note:
            print(f"- {row.figure}: {row.note}")
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "quick": quick,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "figures": [{**asdict(row), "speedup": row.speedup} for row in rows],
    }
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(
        f"written to {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}"
    )


if __name__ == "__main__":
    main()
