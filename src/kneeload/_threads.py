"""Serial numba kernels over cases, run on ``numba.get_num_threads()`` Python threads.

A batch kernel compiled with ``parallel=True`` costs seconds of parfor lowering on a cold
cache; the same loop compiled serially with ``nogil=True`` over a range of cases
``kernel(start, stop, *args)`` compiles faster, and :func:`over_cases` splits the cases into
contiguous blocks, one per thread, that run at the same time because the kernel releases the
GIL. Cases are independent and each block writes only its own output rows, so results do not
depend on the number of threads. ``numba.set_num_threads(n)`` (of the calling thread) sets the
number of blocks; one block runs on the calling thread, the others in a thread pool that is
made on first use.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_workers = 0


def _executor(workers: int) -> ThreadPoolExecutor:
    """The shared pool, replaced by a larger one when it has fewer than ``workers`` threads."""
    global _pool, _pool_workers
    with _lock:
        if _pool is None or _pool_workers < workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kneeload")
            _pool_workers = workers
        return _pool


def _forget_pool() -> None:
    """In a forked child: the parent's pool threads do not exist there, so make a new pool."""
    global _pool, _pool_workers
    _pool, _pool_workers = None, 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def over_cases(kernel: Callable[..., Any], n_cases: int, *args: Any) -> None:
    """``kernel(start, stop, *args)`` over contiguous blocks covering cases 0..n_cases−1, one
    block per numba thread (``numba.get_num_threads()``, at most one case each); a single
    block runs inline. Exceptions of any block are raised here, after all blocks finished."""
    n_blocks = max(1, min(numba.get_num_threads(), n_cases))
    if n_blocks == 1:
        kernel(0, n_cases, *args)
        return
    bounds = [n_cases * k // n_blocks for k in range(n_blocks + 1)]
    pool = _executor(n_blocks - 1)
    futures = [pool.submit(kernel, bounds[k], bounds[k + 1], *args) for k in range(1, n_blocks)]
    try:
        kernel(bounds[0], bounds[1], *args)
    finally:
        for future in futures:
            future.result()
