"""`make bench-sandboxes`: the provider sandboxes under load, and after half-open clients.

For each sandbox (Gotadi check-cancel-penalty, Tiki cancel, Ksher order query), served by
`penalty.providers._sandbox.SandboxServer` on 127.0.0.1: 5,000 requests over 200 keep-alive
connections at once, by a raw asyncio HTTP/1.1 client in this process. Printed: requests
answered, connection resets and other failures, throughput, and the latency median and p99.
Then 2,000 clients that send half a request and hang: the time a normal request takes while
they hang, and after they close.

The machine is shared and noisy: the figures are an order of magnitude, the resets (0) and the
answers (all) are the point. Run: ``make bench-sandboxes`` (or ``.venv/bin/python -m
bench.sandboxes [--requests N] [--concurrency N]``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from penalty.providers._sandbox import SandboxServer
from tests.providers.test_sandbox_server import LOADS, _half_open, load


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--half-open", type=int, default=2_000)
    args = parser.parse_args()
    print(f"{args.requests} requests over {args.concurrency} connections, per sandbox")
    print(
        f"{'sandbox':<8} {'answered':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    )
    for name, make in sorted(LOADS.items()):
        sandbox, requests, _ = make(args.requests)
        with SandboxServer(sandbox) as server:  # type: ignore[arg-type]  # a sandbox handler
            started = time.perf_counter()
            statuses, failures, latencies = asyncio.run(
                load(server.port, requests, args.concurrency)
            )
            took = time.perf_counter() - started
        answered = sum(statuses.values())
        median, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
        print(
            f"{name:<8} {answered:>9} {len(failures):>9} {answered / took:>9.0f} "
            f"{median * 1000:>9.1f} {p99 * 1000:>9.1f}"
        )
    gotadi_sandbox, _, _ = LOADS["gotadi"](1)
    with SandboxServer(gotadi_sandbox) as server, httpx.Client(timeout=10) as client:  # type: ignore[arg-type]
        hanging = _half_open(server.port, args.half_open)
        started = time.perf_counter()
        during = client.get(server.url + "/").status_code
        while_open = time.perf_counter() - started
        for half in hanging:
            half.close()
        started = time.perf_counter()
        after = client.get(server.url + "/").status_code
        after_close = time.perf_counter() - started
    print(
        f"{args.half_open} half-open clients: answered {during} in {while_open * 1000:.0f} ms "
        f"while they hang, {after} in {after_close * 1000:.0f} ms after they close"
    )


if __name__ == "__main__":
    main()
