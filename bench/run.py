"""`make bench`: penalty against a partner-style reference, figure by figure (issue 3).

Prints one table (figure, penalty, reference, speed-up, target, met?) and writes the numbers to
``bench/results.json``. Every timing is the median of several runs; the machine is shared and
noisy, so the ratios matter more than the absolute numbers. Before timing, the reference
(`bench/reference_impl.py`) must give penalty's fee for every benchmark input.

The figures:

- quote, datetime: `Timeline.quote` of an aware datetime on a compiled 4-window Gotadi policy,
  against the reference's quote (pendulum-parse every window date, loop over the windows).
- quote, ISO text: the same with the instant as ``2021-05-12T18:00:00+07:00``.
- parse + compile: `Policy.from_gotadi(json).timeline(booking)` for 4 windows (each payload a
  different policy, so no cache sees a repeat), against the reference's pydantic validation
  (which is all the reference does up front: the rest it does on every quote).
- parse + compile + 1 quote: the whole job for one fee preview of one room rate.
- 1,000,000 instants: `Timeline.fees` over a list of aware datetimes; the reference's time is
  10,000 quotes times 100. Memory: the tracemalloc peak while `fees` consumes a generator of
  1,000,000 instants (flat: it reads 4096 at a time). Also `fees_at_micros` on integers.
- import: ``python -c "import penalty"`` against ``python -c "import pydantic, pendulum"``,
  each minus a bare interpreter's start-up, in fresh processes; and what the engine costs
  when first touched (`from penalty import Booking, Policy, Timeline`) against importing the
  reference module (pydantic + pendulum + its model), and a whole cold start to a first fee.
- 100,000 windows: parse + compile time, tracemalloc peak, one quote; the reference's parse
  and one quote.

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
import time
import timeit
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

from bench import reference_impl as ref
from penalty import Booking, Policy, Timeline
from penalty.instants import to_micros

ROOT = Path(__file__).resolve().parent.parent
ICT = timezone(timedelta(hours=7))
#: The first window starts here; the 4 windows then last 7 days, 3 days, 1 day and 1 day.
START = datetime(2021, 5, 1, 18, tzinfo=ICT)
#: "Memory flat": `fees` holds a few chunks at most, never the instants it has seen (a list of a
#: million aware datetimes takes ~64 MB).
FLAT = 4e6
#: `import penalty` may take this many times ``import pydantic, pendulum``.
IMPORT_LIMIT = 1.15
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
    """``0.62 µs``, ``18.4 ms``, ``1.2 s``; ``512 KB``, ``48.0 MB``."""
    if value is None:
        return "—"
    if unit == "B":
        return f"{value / 1e6:.1f} MB" if value >= 1e6 else f"{value / 1e3:.0f} KB"
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
        timeline = Policy.from_gotadi(payload).timeline(booking)
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
        Row(
            "quote, aware datetime",
            at,
            at_ref,
            "s",
            "≤ 1 µs, ≥ 30× the reference",
            at <= 1e-6 and at_ref >= 30 * at,
        ),
        Row("quote, ISO 8601 text", text, text_ref, "s", "≤ 2 µs", text <= 2e-6),
    ]


def parsing(setup: Setup, repeat: int, count: int) -> list[Row]:
    """Parse + compile a 4-window Gotadi policy (each one different), then also quote once."""
    booking, stay = setup.booking, setup.stay
    payloads = [gotadi_policy(START + timedelta(minutes=7 * i)) for i in range(count)]
    moment = START + timedelta(days=9)
    for payload in payloads[:50]:
        fee = Policy.from_gotadi(payload).timeline(booking).quote(moment).fee
        assert fee == ref.quote(ref.parse_policy(payload), stay, moment)

    def compile_all() -> None:
        for payload in payloads:
            Policy.from_gotadi(payload).timeline(booking)

    def quote_all() -> None:
        for payload in payloads:
            Policy.from_gotadi(payload).timeline(booking).quote(moment)

    def their_quote_all() -> None:
        for payload in payloads:
            ref.quote(ref.parse_policy(payload), stay, moment)

    their_parse = median_seconds(
        lambda: consume(map(ref.parse_policy, payloads)), repeat=repeat, per=count
    )
    mine = median_seconds(compile_all, repeat=repeat, per=count)
    whole = median_seconds(quote_all, repeat=repeat, per=count)
    theirs = median_seconds(their_quote_all, repeat=repeat, per=count)
    note = "the reference only validates here; it parses dates and numbers on every quote"
    return [
        Row("parse + compile, 4 windows", mine, their_parse, "s", "≤ 25 µs", mine <= 25e-6, note),
        Row("parse + compile + 1 quote", whole, theirs, "s", "—", None),
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


def imports(rounds: int) -> list[Row]:
    """Import time in fresh processes, and a cold start up to a first fee."""
    booking = json.dumps(BOOKING)
    payload = json.dumps(gotadi_policy(START))
    at = "2021-05-09T00:00:00+07:00"
    cold_penalty = (
        "import json, penalty\n"
        f"b = penalty.Booking.model_validate(json.loads({booking!r}))\n"
        f"penalty.Policy.from_gotadi(json.loads({payload!r})).timeline(b).quote({at!r})"
    )
    cold_reference = (
        "import json\nfrom bench import reference_impl as ref\n"
        f"s = ref.Stay.model_validate(json.loads({booking!r}))\n"
        f"ref.quote(ref.parse_policy(json.loads({payload!r})), s, {at!r})"
    )
    codes = {
        "import penalty": "import penalty",
        "import pydantic, pendulum": "import pydantic, pendulum",
        "engine": "from penalty import Booking, Policy, Timeline",
        "reference module": "import bench.reference_impl",
        "cold penalty": cold_penalty,
        "cold reference": cold_reference,
    }
    seconds = import_seconds(list(codes.values()), rounds)
    took = {name: seconds[code] for name, code in codes.items()}
    bare, deps = took["import penalty"], took["import pydantic, pendulum"]
    return [
        Row(
            "`import penalty` (reference: `import pydantic, pendulum`)",
            bare,
            deps,
            "s",
            "≤ 1.15× the reference",
            bare <= IMPORT_LIMIT * deps,
            "the engine's names load on first use",
        ),
        Row(
            "engine loaded (reference: its module)",
            took["engine"],
            took["reference module"],
            "s",
            "—",
            None,
            "`from penalty import Booking, Policy, Timeline` vs pydantic + pendulum + 1 model",
        ),
        Row(
            "cold start to a first fee",
            took["cold penalty"],
            took["cold reference"],
            "s",
            "—",
            None,
            "fresh process: import, booking, parse, compile, quote",
        ),
    ]


def big_policy(setup: Setup, repeat: int, windows: int) -> list[Row]:
    """A policy of ``windows`` touching windows: compile time and memory, one quote."""
    payload = gotadi_policy(START, [1 + i % 5 for i in range(windows)])
    booking, stay = setup.booking, setup.stay
    built: list[Timeline] = []
    seconds = median_seconds(
        lambda: built.append(Policy.from_gotadi(payload).timeline(booking)), repeat=repeat
    )
    timeline = built[-1]
    built.clear()
    peak = peak_bytes(lambda: built.append(Policy.from_gotadi(payload).timeline(booking)))
    built.clear()
    moment = START + timedelta(hours=2 * windows)
    one = median_seconds(lambda: timeline.quote(moment), repeat=repeat * 100)
    parsed = ref.parse_policy(payload)
    their_parse = median_seconds(lambda: ref.parse_policy(payload), repeat=1)
    started = time.perf_counter()
    assert ref.quote(parsed, stay, moment) == timeline.quote(moment).fee
    their_quote = time.perf_counter() - started
    label = f"{windows:,} windows"
    per_window = f"{peak / windows:,.0f} B a window"
    return [
        Row(f"{label}: parse + compile", seconds, their_parse, "s", "bounded", met=True),
        Row(
            f"{label}: peak memory of parse + compile",
            peak,
            None,
            "B",
            "bounded",
            met=True,
            note=per_window,
        ),
        Row(f"{label}: one quote", one, their_quote, "s", "—", None),
    ]


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
    steps: list[tuple[str, Callable[[], list[Row]]]] = [
        ("quotes", lambda: quotes(setup, repeat)),
        ("parse + compile", lambda: parsing(setup, repeat, 200 if quick else 2000)),
        (
            "batch",
            lambda: batch(
                setup, 3 if quick else 5, 100_000 if quick else 1_000_000, 1000 if quick else 10_000
            ),
        ),
        ("imports", lambda: imports(5 if quick else 21)),
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
