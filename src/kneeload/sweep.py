"""Run a scenario's cases into a results folder, chunk by chunk, resumably (DESIGN.md §5).

The folder (``DIR``) holds::

    scenario.toml                       copy of the scenario file
    manifest.json                       versions, git revision, executor, counts, timings, the
                                        first :data:`MAX_LISTED_FAILURES` failures
    cases.parquet                       the cases table of :func:`kneeload.scenario.expand`
    curves.parquet/part-NNNNNN.parquet  per-frame curves of chunk NNNNNN (``case_id`` first)
    summary.parquet/part-NNNNNN.parquet per case: ``case_id``, the simulate summary keys, the
                                        :func:`~kneeload.metrics.load_metrics` of
                                        :data:`METRIC_QUANTITIES`, ``failure`` (reason or null)

``curves.parquet`` and ``summary.parquet`` are Parquet *dataset* folders: one part file per chunk
of cases, so results stream to disk and memory stays flat however large the sweep. pandas,
pyarrow, polars and DuckDB read such a folder as one table (``pd.read_parquet(DIR /
"curves.parquet")``); :func:`load_results` reads only complete chunks, in case order, and can
select columns and cases.

Every file is written to a temporary name (a dot file, which Parquet readers skip) and renamed,
so a chunk is complete or absent: its summary part is written last and marks it done. Chunks are
computed by :func:`_compute_chunk` in this process, in local worker processes (``workers``) or
as tasks on a Dask distributed cluster (``scheduler``); the driver writes each chunk as it
completes, in a background thread while the next one computes. The cases are built a block at
a time (:func:`kneeload.scenario.case_table`): the driver keeps 8 bytes a case, whatever the
size of the sweep.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent import futures
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq

from kneeload.batch import METRIC_QUANTITIES, SUMMARY_COLUMNS_OF_CASE, run_cases
from kneeload.exceptions import InputError
from kneeload.io.results import atomic_path
from kneeload.scenario import BLOCK_ROWS, CaseTable, Scenario, case_table, load_scenario

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "METRIC_QUANTITIES",
    "ChunkDone",
    "default_chunk_size",
    "load_results",
    "run_scenario",
]

#: largest default chunk [cases] (one curves and one summary part file each): per-part costs
#: (Arrow conversion, Parquet footer) amortised, ~12 MB of curves in memory per chunk
DEFAULT_CHUNK_SIZE = 256
#: smallest default chunk [cases]
_MIN_CHUNK_SIZE = 8


def default_chunk_size(n_cases: int) -> int:
    """About 20 chunks (progress and Ctrl-C granularity), within 8 to 256 cases each; batched
    kernels gain from large chunks (loaded 2-core machine, 2 000 cases: 101 cases/s at 50 per
    chunk, 152 at 256)."""
    return max(_MIN_CHUNK_SIZE, min(DEFAULT_CHUNK_SIZE, -(-n_cases // 20)))


_VERSIONED = ("kneeload", "numpy", "pandas", "pyarrow", "numba")
_DASK_VERSIONED = ("dask", "distributed")
#: failures listed with their reasons in manifest.json (all are in summary.parquet ``failure``)
MAX_LISTED_FAILURES = 1000
#: how long to try reaching a Dask scheduler address [s]
DASK_CONNECT_TIMEOUT_S = 30.0
_SUMMARY_COLUMNS = SUMMARY_COLUMNS_OF_CASE
TABLES = ("cases", "curves", "summary")


@dataclasses.dataclass(frozen=True)
class ChunkDone:
    """What :func:`run_scenario` reports to its ``progress`` callback: once when the run starts
    (``chunk`` None) and after each chunk it writes."""

    chunk: int | None  #: index of the chunk just written (0-based), None at the start
    n_chunks: int
    cases_done: int  #: cases in complete chunks, including those of an earlier run
    n_cases: int
    n_failed: int  #: failed cases so far, including those of an earlier run
    elapsed_s: float  #: wall time of this run so far


def _part_name(index: int) -> str:
    return f"part-{index:06d}.parquet"


def _write_json(data: dict[str, Any], path: Path) -> None:
    """Write JSON atomically (temporary file beside it, then rename)."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _write_part(table: pd.DataFrame, path: Path) -> None:
    """Write one part file atomically; ``failure`` is stored as string even when all null, so
    every part of a dataset has the same schema. Measured (64 cases, 6 464 rows): 118 -> 56 ms
    and 2.4 -> 2.1 MB with dictionaries for text columns only."""
    arrow = pa.Table.from_pandas(table, preserve_index=False, nthreads=1)
    if "failure" in arrow.column_names:
        i = arrow.schema.get_field_index("failure")
        arrow = arrow.set_column(i, "failure", arrow.column(i).cast(pa.string()))
    # dictionary-encode text only: float curves rarely repeat, and trying costs 2x the write
    text = [
        f.name
        for f in arrow.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    with atomic_path(path) as temporary:
        pq.write_table(arrow, temporary, use_dictionary=text)


def _versions(names: Iterable[str]) -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _git_revision() -> str | None:
    """The commit of the kneeload checkout this runs from, or None (installed, or no git)."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _compute_chunk(cases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Curves and summary of a chunk of cases (rows of :func:`~kneeload.scenario.expand`):
    :func:`kneeload.batch.run_cases`, the cases through the batched kernels.

    Pure and picklable by reference, so it runs in worker processes and on Dask workers.
    ``curves``: the per-frame tables of the cases that ran, ``case_id`` first, in case order
    (empty if all failed). ``summary``: one row per case, in case order: ``case_id``,
    :data:`~kneeload.gait.simulate.SUMMARY_KEYS`, the load metrics of
    :data:`METRIC_QUANTITIES`, ``failure`` (the reason of a case that raised a KneeloadError,
    else None; its figures are NaN).
    """
    return run_cases(cases)


def _write_chunk(curves: pd.DataFrame, summary: pd.DataFrame, out: Path, index: int) -> None:
    """Write a chunk's parts: curves (none if every case failed), then summary, which marks the
    chunk done."""
    if len(curves):
        _write_part(curves, out / "curves.parquet" / _part_name(index))
    _write_part(summary, out / "summary.parquet" / _part_name(index))


def _failures(summary: pd.DataFrame) -> list[dict[str, str]]:
    failed = summary[summary["failure"].notna()]
    return [
        {"case_id": str(c), "reason": str(r)}
        for c, r in zip(failed["case_id"], failed["failure"], strict=True)
    ]


# ---------------------------------------------------------------------------------------------
# executors: submit chunks, collect finished ones; the driver writes them


@dataclasses.dataclass
class _Executor:
    """Chunks in flight on one kind of executor.

    ``submit(cases)`` returns a future; ``wait(futures)`` blocks until at least one is done and
    returns the done ones; ``drop(future)`` cancels a future and says whether it is gone (False:
    it is running and will finish); ``capacity`` chunks are kept in flight (bounded memory in
    the driver).
    """

    description: dict[str, Any]
    capacity: int
    submit: Callable[[pd.DataFrame], Any]
    wait: Callable[[Collection[Any]], set[Any]]
    drop: Callable[[Any], bool]


class _Immediate:
    """A finished future of a chunk computed in this process."""

    def __init__(self, cases: pd.DataFrame) -> None:
        self._result = _compute_chunk(cases)

    def result(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return self._result


def _drop_dask(future: Any) -> bool:
    """Cancel a Dask future, queued or running (a running chunk's result is discarded)."""
    future.cancel()
    return True


def _ignore_sigint_and_share_threads(workers: int) -> None:
    """Worker process start: Ctrl-C is the driver's to handle (a terminal sends it to the whole
    process group), and the cores are shared between the workers' numba thread pools."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import numba

    cores = min(numba.get_num_threads(), os.cpu_count() or 1)
    numba.set_num_threads(max(1, cores // workers))


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started inside inherit an ignored SIGINT (it survives exec); restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _local(workers: int) -> Iterator[_Executor]:
    if workers == 1:
        yield _Executor(
            {"kind": "local", "workers": 1},
            1,
            _Immediate,
            lambda pending: set(pending),
            lambda future: False,
        )
        return
    import multiprocessing

    # spawn, not fork: numba's thread pool is not fork-safe once it has run in the driver
    pool = futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_ignore_sigint_and_share_threads,
        initargs=(workers,),
    )
    try:
        yield _Executor(
            {"kind": "processes", "workers": workers},
            2 * workers,
            lambda cases: pool.submit(_compute_chunk, cases),
            lambda pending: futures.wait(pending, return_when=futures.FIRST_COMPLETED).done,
            lambda future: future.cancel(),
        )
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _dask(scheduler: str, workers: int | None) -> Iterator[_Executor]:
    try:
        import distributed
    except ImportError:
        raise InputError(
            "--scheduler",
            "dask",
            "dask[distributed] installed (pip install 'kneeload[cluster]')",
            "not installed",
        ) from None
    cluster = None
    try:
        if scheduler == "local":
            with _sigint_ignored():
                n_workers = workers or os.cpu_count() or 1
                cluster = distributed.LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # the cores shared between the workers' numba thread pools
                    env={"NUMBA_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // n_workers))},
                )
            client = distributed.Client(cluster)
        else:
            if workers is not None:
                raise InputError(
                    "--workers",
                    "--workers",
                    "no --workers with a scheduler address (its workers run the chunks)",
                    str(workers),
                )
            client = distributed.Client(scheduler, timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
    except InputError:
        raise
    except (OSError, TimeoutError, ValueError) as error:
        if cluster is not None:
            cluster.close()
        raise InputError(
            "--scheduler",
            "--scheduler",
            "the address of a running Dask scheduler (e.g. tcp://host:8786) or 'local'",
            f"{scheduler} ({error})",
        ) from None
    try:
        n_threads = max(1, sum(client.nthreads().values()))
        description = {
            "kind": "dask",
            "scheduler": scheduler,
            "workers": len(client.nthreads()),
            "threads": n_threads,
        }
        yield _Executor(
            description,
            2 * n_threads,
            lambda cases: client.submit(_compute_chunk, cases, pure=False),
            lambda pending: set(
                distributed.wait(list(pending), return_when="FIRST_COMPLETED").done
            ),
            _drop_dask,
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _executor(workers: int | None, scheduler: str | None) -> Any:
    """The executor context for ``workers`` and ``scheduler`` (see :func:`run_scenario`)."""
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise InputError("--workers", "--workers", "a whole number >= 1", repr(workers))
    if scheduler is not None:
        return _dask(scheduler, workers)
    return _local(1 if workers is None else workers)


@contextmanager
def _deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """While active, a first Ctrl-C (SIGINT) only sets a flag, read through the yielded
    function, so the chunks in flight can finish; a second one interrupts at once. Only in the
    main thread (elsewhere signals cannot be handled and the flag stays False)."""
    requested = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield requested.is_set
        return

    def handler(signum: int, frame: object) -> None:
        if requested.is_set():
            raise KeyboardInterrupt
        requested.set()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield requested.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def _same_cases(cases: CaseTable, path: Path) -> bool:
    """Whether the cases table at ``path`` has the ids of ``cases``, in order (read a block at
    a time)."""
    stored = pq.ParquetFile(path)
    if stored.metadata.num_rows != len(cases):
        return False
    start = 0
    for batch in stored.iter_batches(batch_size=BLOCK_ROWS, columns=["case_id"]):
        if batch.column(0).to_pylist() != cases.case_ids(start, start + batch.num_rows):
            return False
        start += batch.num_rows
    return True


def _prepare(
    scenario: Scenario, cases: CaseTable, out: Path, resume: bool, chunk_size: int | None
) -> int:
    """Check the folder (empty, or a resumable run of the same cases) and return the chunk size."""
    if out.exists() and not out.is_dir():
        raise InputError(out, "-o", "a folder", "a file")
    if not out.exists() or not any(out.iterdir()):
        return default_chunk_size(len(cases)) if chunk_size is None else chunk_size
    if not resume:
        raise InputError(out, "-o", "an empty or new folder (or --resume to continue a run)")
    manifest_path, cases_path = out / "manifest.json", out / "cases.parquet"
    if not manifest_path.is_file() or not cases_path.is_file():
        raise InputError(out, "--resume", "a results folder of kneeload run (manifest.json)")
    try:
        stored = int(json.loads(manifest_path.read_text(encoding="utf-8"))["chunk_size"])
    except (ValueError, KeyError, TypeError):
        raise InputError(manifest_path, "chunk_size", "a manifest of kneeload run") from None
    if not _same_cases(cases, cases_path):
        raise InputError(out, "--resume", f"the cases of {scenario.source}", "a run of other cases")
    if chunk_size is not None and chunk_size != stored:
        raise InputError(
            out, "--chunk-size", f"{stored}, the size of the run resumed", str(chunk_size)
        )
    return stored


def _write_cases(cases: CaseTable, path: Path) -> None:
    """Write the cases table atomically, a block (one row group) at a time, as
    :meth:`pandas.DataFrame.to_parquet` writes a table: pyarrow, snappy, the table's ``attrs``
    as JSON under the schema's ``PANDAS_ATTRS`` key (one block: the same bytes)."""
    with atomic_path(path) as temporary:
        writer = None
        for block in cases.blocks():
            arrow = pa.Table.from_pandas(block, preserve_index=False)
            if writer is None:
                metadata = {**arrow.schema.metadata, b"PANDAS_ATTRS": json.dumps(block.attrs)}
                writer = pq.ParquetWriter(
                    temporary, arrow.schema.with_metadata(metadata), compression="snappy"
                )
            writer.write_table(arrow.replace_schema_metadata(writer.schema.metadata))
        assert writer is not None  # a scenario has one case or more
        writer.close()


def _start(scenario: Scenario, cases: CaseTable, out: Path) -> None:
    """Create the folder with its scenario copy and cases table (kept if already there)."""
    for folder in (out, out / "curves.parquet", out / "summary.parquet"):
        folder.mkdir(parents=True, exist_ok=True)
    if not (out / "scenario.toml").is_file():
        with atomic_path(out / "scenario.toml") as temporary:
            temporary.write_bytes(Path(scenario.source).read_bytes())
    if not (out / "cases.parquet").is_file():
        _write_cases(cases, out / "cases.parquet")


def _done_chunks(out: Path, n_chunks: int) -> set[int]:
    """Indices of the chunks whose summary part exists (complete chunks)."""
    folder = out / "summary.parquet"
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    return {i for i in range(n_chunks) if _part_name(i) in names}


def run_scenario(
    scenario: Scenario | str | Path,
    out_dir: str | Path,
    resume: bool = False,
    progress: Callable[[ChunkDone], None] | None = None,
    chunk_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Path:
    """Run every case of a scenario into the results folder ``out_dir``; returns its path.

    Parameters
    ----------
    scenario : a checked :class:`~kneeload.scenario.Scenario`, a path or a bundled name
    out_dir : results folder: new or empty, or (``resume``) a folder of an earlier run
    resume : continue an earlier run of the same cases, skipping its complete chunks
    progress : called with a :class:`ChunkDone` at the start and after each chunk written; an
        exception it raises (e.g. KeyboardInterrupt) stops the run with that chunk complete
    chunk_size : cases per chunk (default :func:`default_chunk_size`; on resume, the stored one)
    workers : without ``scheduler``: None or 1 computes chunks in this process (the numba
        kernels use every core); N > 1 starts N local worker processes, each with
        ``cores // N`` numba threads. With ``scheduler="local"``: the LocalCluster's worker
        processes (default: one per core).
    scheduler : None (local), ``"local"`` (start a Dask ``LocalCluster``) or the address of a
        running Dask scheduler (``tcp://host:8786``) whose workers have kneeload installed.
        Results are identical whichever executor computes them.

    Raises
    ------
    InputError
        Before anything is written: a bad scenario, a non-empty folder without ``resume``, a
        folder of another run, bad ``workers``, an unreachable scheduler or dask missing.
    KeyboardInterrupt
        On Ctrl-C, after the chunks in flight are written (a chunk computed before the Ctrl-C,
        while the previous one was written, is left to resume; a second Ctrl-C stops at once;
        no partial file is left either way).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
        raise InputError("chunk_size", "chunk_size", "a whole number >= 1", repr(chunk_size))
    cases = case_table(scenario)
    out = Path(out_dir)
    size = _prepare(scenario, cases, out, resume, chunk_size)
    started = time.perf_counter()
    n_cases = len(cases)
    n_chunks = -(-n_cases // size)
    done = _done_chunks(out, n_chunks)
    failures: list[dict[str, str]] = []  # the first MAX_LISTED_FAILURES, for the manifest
    n_failed = 0

    def count_failures(summary: pd.DataFrame) -> None:
        nonlocal n_failed
        found = _failures(summary)
        n_failed += len(found)
        failures.extend(found[: MAX_LISTED_FAILURES - len(failures)])

    for i in sorted(done):
        part = out / "summary.parquet" / _part_name(i)
        count_failures(pd.read_parquet(part, columns=["case_id", "failure"]))
    with _executor(workers, scheduler) as executor:
        versions = _versions(
            _VERSIONED + (_DASK_VERSIONED if executor.description["kind"] == "dask" else ())
        )
        manifest: dict[str, Any] = {
            "scenario": Path(scenario.source).name,
            "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": versions,
            "git_revision": _git_revision(),
            "executor": executor.description,
            "chunk_size": size,
            "n_cases": n_cases,
            "n_chunks": n_chunks,
        }

        def write_manifest(computed_s: float, cases_run: int) -> None:
            cases_done = sum(min(size, n_cases - i * size) for i in done)
            manifest.update(
                chunks_done=len(done),
                cases_done=cases_done,
                complete=len(done) == n_chunks,
                n_failed=n_failed,
                elapsed_s=round(time.perf_counter() - started, 3),
                cases_run=cases_run,
                cases_per_s=round(cases_run / computed_s, 3) if computed_s > 0 else None,
                updated_utc=datetime.now(UTC).isoformat(timespec="seconds"),
                failures=failures,
            )
            _write_json(manifest, out / "manifest.json")

        def report(index: int | None) -> None:
            if progress is not None:
                progress(
                    ChunkDone(
                        chunk=index,
                        n_chunks=n_chunks,
                        cases_done=manifest["cases_done"],
                        n_cases=n_cases,
                        n_failed=n_failed,
                        elapsed_s=time.perf_counter() - started,
                    )
                )

        cases_run = 0
        todo = iter([i for i in range(n_chunks) if i not in done])
        in_flight: dict[Any, int] = {}
        # one chunk written by a background thread while the next computes (pyarrow releases
        # the GIL); counted done, with the manifest and progress, once its write has finished
        writing: tuple[futures.Future[None], int, pd.DataFrame] | None = None

        def finish_write() -> None:
            nonlocal writing, cases_run
            if writing is None:
                return
            written, index, summary = writing
            writing = None
            written.result()
            count_failures(summary)
            cases_run += len(summary)
            done.add(index)
            write_manifest(time.perf_counter() - loop_started, cases_run)
            report(index)

        with (
            _deferred_interrupt() as interrupted,
            futures.ThreadPoolExecutor(1, thread_name_prefix="kneeload-writer") as writer,
        ):
            _start(scenario, cases, out)
            loop_started = time.perf_counter()
            write_manifest(0.0, 0)
            report(None)
            try:
                while True:
                    while not interrupted() and len(in_flight) < executor.capacity:
                        index = next(todo, None)
                        if index is None:
                            break
                        chunk = cases.rows(index * size, (index + 1) * size)
                        in_flight[executor.submit(chunk)] = index
                    if not in_flight:
                        break
                    for future in sorted(executor.wait(in_flight), key=in_flight.__getitem__):
                        index = in_flight.pop(future)
                        curves, summary = future.result()
                        ahead = not interrupted()
                        finish_write()
                        if ahead and interrupted():  # done before the Ctrl-C: beyond the stop
                            continue
                        written = writer.submit(_write_chunk, curves, summary, out, index)
                        writing = (written, index, summary)
                    if interrupted():
                        finish_write()
                        for future in list(in_flight):
                            if executor.drop(future):
                                del in_flight[future]
                        if not in_flight:
                            raise KeyboardInterrupt
                finish_write()
            finally:  # a write under way ends (the writer is shut down), uncounted
                for future in in_flight:
                    executor.drop(future)
    return out


def _complete_parts(out: Path) -> list[int]:
    """Indices of the complete chunks of a results folder, in order."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return sorted(_done_chunks(out, int(manifest["n_chunks"])))


def _read_parts(
    files: Sequence[Path],
    schema: pa.Schema,
    columns: Sequence[str] | None,
    case_ids: Collection[str] | None,
) -> pd.DataFrame:
    """The rows of the part files in order, optionally only some columns and cases."""
    data = pa_dataset.dataset([str(f) for f in files], schema=schema, format="parquet")
    names = schema.names if columns is None else [c for c in schema.names if c in columns]
    where = None if case_ids is None else pa_dataset.field("case_id").isin(list(case_ids))
    return data.to_table(columns=names, filter=where).to_pandas()


def load_results(
    out_dir: str | Path,
    tables: Sequence[str] = TABLES,
    columns: Sequence[str] | None = None,
    cases: Iterable[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """The tables of a results folder, the complete chunks only, in case order.

    Parameters
    ----------
    out_dir : a results folder of :func:`run_scenario` (complete, or interrupted)
    tables : which of ``cases``, ``curves`` (the big one: ~100 rows per case) and ``summary``
    columns : only these columns of each table (``case_id`` always comes too)
    cases : only these ``case_id`` values (e.g. picked from the ``cases`` table)

    Returns
    -------
    dict of DataFrames keyed by table name

    Notes
    -----
    Plain Parquet readers of ``curves.parquet/`` see the same rows, except after a hard kill
    (SIGKILL, power loss) between a chunk's two renames: its curves part, without its summary
    part, stays until ``--resume`` rewrites it.
    """
    out = Path(out_dir)
    if not (out / "cases.parquet").is_file() or not (out / "manifest.json").is_file():
        raise InputError(out, "cases.parquet", "a results folder of kneeload run")
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise InputError("load_results", "tables", f"some of {', '.join(TABLES)}", unknown[0])
    wanted = None if columns is None else ["case_id", *columns]
    case_ids = None if cases is None else set(cases)
    parts = _complete_parts(out)
    files: dict[str, list[Path]] = {}
    for name in tables:
        if name == "cases":
            files[name] = [out / "cases.parquet"]
        else:
            paths = [out / f"{name}.parquet" / _part_name(i) for i in parts]
            files[name] = [f for f in paths if f.is_file()]  # no curves part: all cases failed
    schemas = {
        name: pa.unify_schemas([pq.read_schema(f) for f in files[name]])
        for name in tables
        if files[name]
    }
    known = {c for schema in schemas.values() for c in schema.names}
    missing = [c for c in wanted or () if c not in known and schemas]
    if missing:
        raise InputError(out, "columns", f"columns of {', '.join(tables)}", missing[0])
    return {
        name: _read_parts(files[name], schemas[name], wanted, case_ids)
        if files[name]
        else pd.DataFrame()
        for name in tables
    }
