"""kneeload._threads.over_cases: blocks of cases on numba.get_num_threads() threads."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numba
import pytest

from kneeload._threads import over_cases


def _record(calls: list[tuple[int, int, int]]) -> Callable[[int, int, str], None]:
    def kernel(start: int, stop: int, tag: str) -> None:
        assert tag == "args"
        calls.append((start, stop, threading.get_ident()))

    return kernel


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """numba.set_num_threads(n) inside the block, the previous number after it."""
    previous = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


@pytest.mark.parametrize("n_cases", [0, 1, 2, 3, 7, 2000])
def test_blocks_cover_every_case_once(n_cases: int) -> None:
    calls: list[tuple[int, int, int]] = []
    over_cases(_record(calls), n_cases, "args")
    blocks = sorted((start, stop) for start, stop, _ in calls)
    assert blocks[0][0] == 0 and blocks[-1][1] == n_cases
    assert all(a[1] == b[0] for a, b in itertools.pairwise(blocks))
    assert len(blocks) == max(1, min(numba.get_num_threads(), n_cases))


def test_one_thread_runs_inline() -> None:
    calls: list[tuple[int, int, int]] = []
    with _threads(1):
        over_cases(_record(calls), 100, "args")
    assert calls == [(0, 100, threading.get_ident())]


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one numba thread")
def test_blocks_run_on_separate_threads() -> None:
    calls: list[tuple[int, int, int]] = []
    with _threads(2):
        over_cases(_record(calls), 10, "args")
    assert sorted((start, stop) for start, stop, _ in calls) == [(0, 5), (5, 10)]
    assert len({ident for _, _, ident in calls}) == 2


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one numba thread")
def test_an_error_in_a_block_is_raised() -> None:
    def kernel(start: int, stop: int) -> None:
        if start > 0:
            raise ValueError("block")

    with _threads(2), pytest.raises(ValueError, match="block"):
        over_cases(kernel, 10)


@pytest.mark.skipif(
    numba.config.NUMBA_NUM_THREADS < 2 or not hasattr(os, "fork"), reason="one thread or no fork"
)
def test_a_forked_child_makes_its_own_pool() -> None:
    with _threads(2):
        over_cases(_record([]), 10, "args")  # the parent's pool exists
        pid = os.fork()
        if pid == 0:  # child: the pool's threads were not forked; a hang would time out below
            calls: list[tuple[int, int, int]] = []
            over_cases(_record(calls), 10, "args")
            os._exit(0 if len(calls) == 2 else 1)
        for _ in range(200):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("over_cases hung in a forked child")
        assert os.waitstatus_to_exitcode(status) == 0
