"""`make bench-serve`: load on ``penalty serve`` from a second process on loopback (issue 15).

Starts the service on 127.0.0.1 (a subprocess running uvicorn), warms it up, then sends a
bounded load of ``POST /v1/quote`` requests over keep-alive connections from this process
(plain asyncio sockets, so the client costs little of the shared CPU) and prints throughput,
p50/p99 latency, errors, and the server's RSS before and after. The same is done against the
same service answering from `bench/reference_impl.py` (the `ReferenceEngine` below: the same
HTTP stack, body reading, limits and JSON, but every request validates the Gotadi windows and
pendulum-parses every date; nothing compiled, nothing cached).

The load: 4-window Gotadi policies in VND (as in ``make bench``), 32 different rates (a booking
page asks again for the same rates), each request at a different instant across the windows.
Before timing, both servers must give the same fee for a sample of requests.

Run: ``make bench-serve`` (``.venv/bin/python -m bench.serve [--requests N] [--concurrency C]
[--workers 1 2] [--json PATH]``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from bench import reference_impl as ref
from bench.run import BOOKING, ICT, START, gotadi_policy
from penalty.service._engine import Engine
from penalty.service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
#: Targets of issue 15.
MIN_SPEEDUP, MAX_P99_MS, MAX_RSS_GROWTH = 3.0, 25.0, 0.10
RATES = 32


class ReferenceEngine(Engine):
    """The reference implementation behind the same service: ``compile`` only validates the
    windows (all the reference does up front), every quote does the rest, nothing is cached."""

    cacheable = False

    def compile(self, policy: Any, booking: Any, **_: Any) -> Any:
        return ref.parse_policy(policy), ref.Stay.model_validate(booking)

    def quote_json(self, compiled: Any, at: datetime | str, at_text: str) -> bytes:
        return json.dumps({**self.quote(compiled, at), "at": at_text}).encode()

    def quote(self, compiled: Any, at: datetime | str) -> dict[str, Any]:
        windows, stay = compiled
        fee = ref.quote(windows, stay, at)
        return {
            "fee": str(fee),
            "currency": stay.currency,
            "gotadi_amount": f"{fee:.2f}",
            "phase": "window",
            "window": None,
            "since": None,
            "until": None,
            "warnings": [],
        }


def reference_app() -> Any:
    """uvicorn's factory for the reference service (no cache: nothing is compiled)."""
    from penalty.service import create_app

    app = create_app(Settings(cache_size=0, widget=False), engine=ReferenceEngine())
    gc.collect()
    gc.freeze()  # as `penalty serve` does (penalty.service.app_from_env)
    return app


def penalty_app() -> Any:
    """uvicorn's factory for the service as `penalty serve` runs it (default settings)."""
    from penalty.service import app_from_env

    return app_from_env()


# -- the load -----------------------------------------------------------------------------------


def bodies(count: int, *, load: str = "page") -> Iterator[bytes]:
    """``count`` request bodies over RATES different policies.

    ``page``: as a booking page asks, with no ``at`` (the server's now), so a rate asked again
    is the very same body; the windows are laid around the real clock so that "now" falls in
    every phase. ``instants``: each request names its own instant across the windows (no two
    bodies alike: the cache is found by the canonical key, after parsing).
    """
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if load == "page":
        starts = [now - timedelta(days=1) - timedelta(hours=8 * rate) for rate in range(RATES)]
    else:
        starts = [START + timedelta(hours=6 * rate) for rate in range(RATES)]
    policies = [gotadi_policy(start.astimezone(ICT)) for start in starts]
    span = timedelta(days=14)
    for index in range(count):
        body: dict[str, Any] = {"policy": policies[index % RATES], "booking": BOOKING}
        if load != "page":
            at = START - timedelta(days=1) + span * ((index * 7919) % 10_000) / 10_000
            body["at"] = at.astimezone(ICT).isoformat()
        yield json.dumps(body).encode()


def request_bytes(body: bytes) -> bytes:
    head = (
        "POST /v1/quote HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Result:
    server: str
    workers: int
    requests: int
    concurrency: int
    seconds: float
    throughput: float
    p50_ms: float
    p99_ms: float
    errors: int
    rss_before_mb: float
    rss_after_mb: float
    server_cpu_us: float = 0.0
    load: str = "page"

    @property
    def rss_growth(self) -> float:
        return self.rss_after_mb / self.rss_before_mb - 1


class _Client(asyncio.Protocol):
    """One keep-alive connection sending requests one after another: plain callbacks, no
    coroutine or timeout object per request, so the load costs the shared CPU little."""

    def __init__(self, shared: _Shared, done: asyncio.Future[None]) -> None:
        self.shared = shared
        self.done = done
        self.buffer = b""
        self.started = 0.0
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.send()

    def send(self) -> None:
        shared = self.shared
        if shared.position >= len(shared.requests):
            if self.transport is not None:
                self.transport.close()
            if not self.done.done():
                self.done.set_result(None)
            return
        data = shared.requests[shared.position]
        shared.position += 1
        self.started = time.perf_counter()
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end]
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        shared = self.shared
        shared.latencies.append(time.perf_counter() - self.started)
        if head[9:12] != b"200":
            shared.errors += 1
        self.buffer = self.buffer[end + 4 + length :]
        self.send()

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: ARG002 - asyncio's signature
        # A request sent and not answered stays unanswered: `load` counts it as an error.
        if not self.done.done():
            self.done.set_result(None)


@dataclass
class _Shared:
    requests: list[bytes]
    position: int = 0
    #: Answers other than 200 (requests never answered are counted by `load`).
    errors: int = 0
    latencies: list[float] = field(default_factory=list)


async def _load(port: int, requests: list[bytes], concurrency: int) -> tuple[float, _Shared]:
    """Send every request over ``concurrency`` keep-alive connections (bounded: each request
    once; a connection lost early counts as an error and ends that client)."""
    loop = asyncio.get_running_loop()
    shared = _Shared(requests)
    futures = [loop.create_future() for _ in range(concurrency)]
    started = time.perf_counter()
    for future in futures:
        await loop.create_connection(partial(_Client, shared, future), "127.0.0.1", port)
    # Bounded in time too: a stuck run ends as errors, never as a hang.
    deadline = 60 + len(requests) / 100
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*futures), timeout=deadline)
    return time.perf_counter() - started, shared


def load(port: int, requests: list[bytes], concurrency: int) -> tuple[float, list[float], int]:
    import uvloop  # comes with uvicorn[standard]: a lighter client leaves the CPU to the server

    seconds, shared = uvloop.run(_load(port, requests, concurrency))
    unanswered = len(requests) - len(shared.latencies)
    return seconds, shared.latencies, shared.errors + unanswered


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def server(factory: str, workers: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """uvicorn serving ``factory`` on a free loopback port; stopped on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        # As `penalty serve` runs uvicorn (penalty/cli/serve.py), access logs aside: the
        # service's own access log is off at --log-level warning, for both servers alike.
        "--no-access-log",
        "--no-server-header",
        "--log-level",
        "warning",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                msg = f"the server ({factory}) did not start"
                raise RuntimeError(msg)
            time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children (uvicorn's workers), in seconds."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    for each in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (uvicorn's workers), in MB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_one(
    name: str, factory: str, workers: int, requests: int, concurrency: int, warmup: int, kind: str
) -> Result:
    payloads = [request_bytes(body) for body in bodies(requests + warmup, load=kind)]
    with server(factory, workers) as (port, process):
        load(port, payloads[:warmup], concurrency)
        before = rss_mb(process.pid)
        cpu = cpu_seconds(process.pid)
        seconds, latencies, errors = load(port, payloads[warmup:], concurrency)
        cpu = cpu_seconds(process.pid) - cpu
        time.sleep(0.5)
        after = rss_mb(process.pid)
    return Result(
        server=name,
        workers=workers,
        requests=requests,
        concurrency=concurrency,
        seconds=seconds,
        throughput=requests / seconds,
        p50_ms=statistics.median(latencies) * 1000 if latencies else float("nan"),
        p99_ms=percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
        errors=errors,
        rss_before_mb=before,
        rss_after_mb=after,
        server_cpu_us=cpu / requests * 1e6,
    )


def agree(sample: int = 200) -> None:
    """Both services give the same fee for a sample of the load (else nothing is timed)."""
    import httpx

    chosen = list(bodies(sample))
    answers: dict[str, list[Decimal]] = {}
    for name, factory in (
        ("penalty", "bench.serve:penalty_app"),
        ("reference", "bench.serve:reference_app"),
    ):
        with server(factory, 1) as (port, _), httpx.Client() as client:
            url = f"http://127.0.0.1:{port}/v1/quote"
            answers[name] = [
                Decimal(
                    client.post(
                        url, content=body, headers={"content-type": "application/json"}
                    ).json()["fee"]
                )
                for body in chosen
            ]
    if answers["penalty"] != answers["reference"]:
        msg = "penalty and the reference disagree on a fee: nothing timed"
        raise SystemExit(msg)


SERVERS = (("penalty", "bench.serve:penalty_app"), ("reference", "bench.serve:reference_app"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--loads", nargs="+", choices=("page", "instants"), default=["page", "instants"]
    )
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "serve_results.json")
    args = parser.parse_args(argv)
    agree()
    results: list[Result] = []
    print(
        f"POST /v1/quote, {args.requests:,} requests at {args.concurrency} concurrent each "
        f"(after {args.warmup:,} to warm up), loopback, keep-alive"
    )
    for kind in args.loads:
        for workers in args.workers:
            for name, factory in SERVERS:
                result = run_one(
                    name, factory, workers, args.requests, args.concurrency, args.warmup, kind
                )
                result.load = kind
                results.append(result)
                print(
                    f"{kind:<8} {name:<9} workers={workers}: {result.throughput:7,.0f} req/s  "
                    f"p50 {result.p50_ms:5.1f} ms  p99 {result.p99_ms:5.1f} ms  "
                    f"server CPU {result.server_cpu_us:4.0f} us/req  "
                    f"errors {result.errors}  RSS {result.rss_before_mb:.1f} -> "
                    f"{result.rss_after_mb:.1f} MB ({result.rss_growth:+.1%})",
                    flush=True,
                )
    by = {(r.load, r.server, r.workers): r for r in results}
    print()
    print(f"{'target':<60} {'measured':>10}  met?")
    verdicts: list[bool] = []

    def row(text: str, measured: str, *, met: bool) -> None:
        verdicts.append(met)
        print(f"{text:<60} {measured:>10}  {'yes' if met else 'NO'}")

    errors = sum(r.errors for r in results)
    row("zero errors under the load", str(errors), met=errors == 0)
    worst = max(r.rss_growth for r in results if r.server == "penalty")
    row(
        f"penalty's RSS growth after a run <= {MAX_RSS_GROWTH:.0%}",
        f"{worst:+.1%}",
        met=worst <= MAX_RSS_GROWTH,
    )
    for kind in args.loads:
        for workers in args.workers:
            ours, theirs = by[(kind, "penalty", workers)], by[(kind, "reference", workers)]
            speedup = ours.throughput / theirs.throughput
            row(
                f"{kind}: throughput >= {MIN_SPEEDUP:g}x the reference, {workers} worker(s)",
                f"{speedup:.2f}x",
                met=speedup >= MIN_SPEEDUP,
            )
        if 1 in args.workers:
            cpu = by[(kind, "reference", 1)].server_cpu_us / by[(kind, "penalty", 1)].server_cpu_us
            print(
                f"{f'{kind}: (server CPU per request, reference / penalty, 1 worker)':<60} "
                f"{cpu:9.2f}x  (for information: little moved by other load on the machine)"
            )
            p99 = by[(kind, "penalty", 1)].p99_ms
            row(
                f"{kind}: p99 <= {MAX_P99_MS:g} ms at {args.concurrency} concurrent, 1 worker",
                f"{p99:.1f} ms",
                met=p99 <= MAX_P99_MS,
            )
    args.json.write_text(
        json.dumps([{**asdict(r), "rss_growth": r.rss_growth} for r in results], indent=2) + "\n"
    )
    print(f"\nwritten to {args.json}")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
