"""The local engine: the same per-chunk function on every core, through a bounded process pool.

`ordered` hands chunks to a `concurrent.futures.ProcessPoolExecutor` and yields the results in
input order. At most ``2 × workers`` chunks are in flight: the reader waits for the oldest
result before it reads on, so memory does not grow with the input. One worker runs in this
process (no pool, nothing pickled).
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

__all__ = ["cores", "ordered", "peak_rss"]

C = TypeVar("C")
R = TypeVar("R")
#: Chunks in flight per worker: one being worked on, one waiting.
_AHEAD = 2


def cores() -> int:
    """The cores this process may run on (the default number of workers)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def ordered(work: Callable[[C], R], chunks: Iterable[C], workers: int) -> Iterator[R]:
    """``work(chunk)`` for each chunk, in order, on ``workers`` processes.

    ``work`` must be picklable (a module-level function or a `functools.partial` of one). The
    workers are started with ``spawn``: nothing of this process's threads (Arrow's pools) is
    inherited half-copied.
    """
    if workers <= 1:
        yield from map(work, chunks)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[R]] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(work, chunk))
                if len(pending) >= _AHEAD * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def peak_rss() -> int:
    """This process's peak resident memory in bytes.

    Linux's ``VmHWM``: ``ru_maxrss`` would also count the memory of the parent that forked
    this process before it started (a worker spawned by a 600 MB process "peaks" at 600 MB).
    """
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:  # pragma: no cover - not Linux
        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0  # pragma: no cover - every Linux since 2.6 has it
