"""The local engine: the same per-chunk function on every core, through a bounded process pool.

`ordered` hands chunks to a `concurrent.futures.ProcessPoolExecutor` and yields the results in
input order. At most ``2 × workers`` chunks are in flight: the reader waits for the oldest
result before it reads on, so memory does not grow with the input. One worker runs in this
process (no pool, nothing pickled).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

__all__ = ["cores", "fix_mmap_threshold", "ordered", "peak_rss"]

C = TypeVar("C")
R = TypeVar("R")
#: Chunks in flight per worker: one being worked on, one waiting.
_AHEAD = 2
#: glibc's `mallopt` parameter for the size above which a block is mapped on its own, and the
#: value it starts with (128 KiB).
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 128 * 1024


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


def fix_mmap_threshold() -> bool:
    """Keep large blocks out of the heap (glibc only), so that what a long job frees goes back.

    glibc raises its mmap threshold each time a large mapped block is freed (up to 32 MiB).
    After the first few result chunks of a batch job (several MB each), the next ones come
    from the heap, and what they leave free there stays in the process: the main process crept
    from 275 to about 400 MB over 3,000,000 rows, its live memory flat. A fixed threshold
    (what ``MALLOC_MMAP_THRESHOLD_=131072`` does) kept it at 260-310 MB. It changes the whole
    process's allocator, so the command line calls it for its own process; a program that
    calls `penalty.batch` decides for itself. Returns whether the setting was made.
    """
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return False
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError, ValueError):  # not glibc, or no such confstr name
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD))
