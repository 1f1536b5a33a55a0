"""Run a scenario's cases into a results folder, chunk by chunk, resumably (DESIGN.md §5).

The folder (``DIR``) holds::

    scenario.toml                 copy of the scenario file
    cases.parquet                 the cases table of :func:`kneeload.scenario.expand`
    curves/chunk-NNNNN.parquet    per-frame curves of the chunk's cases (``case_id`` first)
    summary/chunk-NNNNN.parquet   per case: ``case_id``, :data:`SUMMARY_KEYS`, the
                                  :func:`~kneeload.metrics.load_metrics` of
                                  :data:`METRIC_QUANTITIES`, ``failure``
    manifest.json                 versions, git revision, counts, timings, failures

Every file is written to a temporary name and renamed, so a chunk is complete or absent: its
summary file is written last and marks it done. Local and serial for now (no Dask).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from kneeload.exceptions import InputError, KneeloadError
from kneeload.gait.simulate import SUMMARY_KEYS
from kneeload.io.results import write_table
from kneeload.metrics import load_metrics, metric_names
from kneeload.scenario import Scenario, expand, load_scenario

__all__ = ["DEFAULT_CHUNK_SIZE", "ChunkDone", "load_results", "run_scenario"]

#: cases per chunk (one curves and one summary file each)
DEFAULT_CHUNK_SIZE = 8
_VERSIONED = ("kneeload", "numpy", "pandas", "numba")
#: quantities whose :func:`~kneeload.metrics.load_metrics` each summary row carries
METRIC_QUANTITIES = ("tf_compressive_bw", "pf_force_bw", "grf_vertical_bw")
_SUMMARY_COLUMNS = (*SUMMARY_KEYS, *(key for q in METRIC_QUANTITIES for key in metric_names(q)))


@dataclasses.dataclass(frozen=True)
class ChunkDone:
    """What :func:`run_scenario` reports to its ``progress`` callback after each chunk it runs."""

    chunk: int  #: index of the chunk just written (0-based)
    n_chunks: int
    cases_done: int  #: cases in complete chunks, including those of an earlier run
    n_cases: int
    n_failed: int  #: failed cases so far, including those of an earlier run
    elapsed_s: float  #: wall time of this run so far


def _chunk_name(index: int) -> str:
    return f"chunk-{index:05d}.parquet"


def _write_json(data: dict[str, Any], path: Path) -> None:
    """Write JSON atomically (temporary file beside it, then rename)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2)
            stream.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in _VERSIONED:
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


def _run_case(row: Mapping[Hashable, Any]) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Curves and summary row of one case; a KneeloadError becomes the row's ``failure``."""
    from kneeload.gait.simulate import simulate, summarise
    from kneeload.gait.spec import GaitSpec, Subject
    from kneeload.knee_loads import LoadSharingOptions

    try:
        spec = GaitSpec(
            mode=row["mode"],
            direction=row["direction"],
            speed_m_s=row["speed_m_s"],
            grade_pct=row["grade_pct"],
            subject=Subject(mass_kg=row["mass_kg"], height_m=row["height_m"], sex=row["sex"]),
            condition=row["condition"],
        )
        options = LoadSharingOptions(
            muscle_set=row["muscle_set"],
            exponent=row["exponent"],
            contact_area_model=row["contact_area_model"],
            weight_bearing=bool(row["weight_bearing"]),
        )
        table = simulate(spec, strides=int(row["strides"]), load_sharing=options)
        summary = {
            **summarise(table, spec),
            **load_metrics(table, METRIC_QUANTITIES, speed_m_s=spec.speed_m_s),
        }
    except KneeloadError as error:
        failed = {"case_id": row["case_id"], **dict.fromkeys(_SUMMARY_COLUMNS, float("nan"))}
        return None, {**failed, "failure": str(error)}
    table.attrs = {}
    table.insert(0, "case_id", row["case_id"])
    return table, {"case_id": row["case_id"], **summary, "failure": None}


def _run_chunk(cases: pd.DataFrame, out: Path, index: int) -> list[dict[str, str]]:
    """Compute and write one chunk (curves, then summary); returns its failures."""
    curves: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = []
    for row in cases.to_dict("records"):
        table, figures = _run_case(row)
        if table is not None:
            curves.append(table)
        rows.append(figures)
    frames = (
        pd.concat(curves, ignore_index=True)
        if curves
        else pd.DataFrame({"case_id": pd.Series(dtype=str), "percent_cycle": []})
    )
    summary = pd.DataFrame(rows, columns=["case_id", *_SUMMARY_COLUMNS, "failure"])
    write_table(frames, out / "curves" / _chunk_name(index))
    write_table(summary, out / "summary" / _chunk_name(index))
    return _failures(summary)


def _failures(summary: pd.DataFrame) -> list[dict[str, str]]:
    failed = summary[summary["failure"].notna()]
    return [
        {"case_id": str(c), "reason": str(r)}
        for c, r in zip(failed["case_id"], failed["failure"], strict=True)
    ]


@contextmanager
def _deferred_interrupt() -> Iterator[Callable[[], bool]]:
    """While active, a first Ctrl-C (SIGINT) only sets a flag, read through the yielded
    function, so the current chunk can finish; a second one interrupts at once. Only in the
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


def _prepare(
    scenario: Scenario, cases: pd.DataFrame, out: Path, resume: bool, chunk_size: int | None
) -> int:
    """Check the folder (empty, or a resumable run of the same cases) and return the chunk size."""
    if out.exists() and not out.is_dir():
        raise InputError(out, "-o", "a folder", "a file")
    if not out.exists() or not any(out.iterdir()):
        return DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    if not resume:
        raise InputError(out, "-o", "an empty or new folder (or --resume to continue a run)")
    manifest_path, cases_path = out / "manifest.json", out / "cases.parquet"
    if not manifest_path.is_file() or not cases_path.is_file():
        raise InputError(out, "--resume", "a results folder of kneeload run (manifest.json)")
    try:
        stored = int(json.loads(manifest_path.read_text(encoding="utf-8"))["chunk_size"])
    except (ValueError, KeyError, TypeError):
        raise InputError(manifest_path, "chunk_size", "a manifest of kneeload run") from None
    if list(pd.read_parquet(cases_path)["case_id"]) != list(cases["case_id"]):
        raise InputError(out, "--resume", f"the cases of {scenario.source}", "a run of other cases")
    if chunk_size is not None and chunk_size != stored:
        raise InputError(
            out, "--chunk-size", f"{stored}, the size of the run resumed", str(chunk_size)
        )
    return stored


def _start(scenario: Scenario, cases: pd.DataFrame, out: Path) -> None:
    """Create the folder with its scenario copy and cases table (kept if already there)."""
    for folder in (out, out / "curves", out / "summary"):
        folder.mkdir(parents=True, exist_ok=True)
    if not (out / "scenario.toml").is_file():
        source = Path(scenario.source).read_bytes()
        handle, temporary = tempfile.mkstemp(dir=out, prefix=".scenario.toml.", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(source)
        os.chmod(temporary, 0o644)
        os.replace(temporary, out / "scenario.toml")
    if not (out / "cases.parquet").is_file():
        write_table(cases, out / "cases.parquet")


def run_scenario(
    scenario: Scenario | str | Path,
    out_dir: str | Path,
    resume: bool = False,
    progress: Callable[[ChunkDone], None] | None = None,
    chunk_size: int | None = None,
) -> Path:
    """Run every case of a scenario into the results folder ``out_dir``; returns its path.

    Parameters
    ----------
    scenario : a checked :class:`~kneeload.scenario.Scenario`, a path or a bundled name
    out_dir : results folder: new or empty, or (``resume``) a folder of an earlier run
    resume : continue an earlier run of the same cases, skipping its complete chunks
    progress : called with a :class:`ChunkDone` after each chunk written; an exception it
        raises (e.g. KeyboardInterrupt) stops the run with that chunk complete
    chunk_size : cases per chunk (default :data:`DEFAULT_CHUNK_SIZE`; on resume, the stored one)

    Raises
    ------
    InputError
        Before anything is written: a bad scenario, a non-empty folder without ``resume``, or a
        folder of another run.
    KeyboardInterrupt
        On Ctrl-C, after the current chunk is written (a second Ctrl-C stops at once; no
        partial file is left either way).
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
        raise InputError("chunk_size", "chunk_size", "a whole number >= 1", repr(chunk_size))
    cases = expand(scenario)
    out = Path(out_dir)
    size = _prepare(scenario, cases, out, resume, chunk_size)
    started = time.perf_counter()
    n_cases = len(cases)
    n_chunks = -(-n_cases // size)
    done = {i for i in range(n_chunks) if (out / "summary" / _chunk_name(i)).is_file()}
    failures = [
        failure
        for i in sorted(done)
        for failure in _failures(pd.read_parquet(out / "summary" / _chunk_name(i)))
    ]
    manifest: dict[str, Any] = {
        "scenario": Path(scenario.source).name,
        "started_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "git_revision": _git_revision(),
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
            n_failed=len(failures),
            elapsed_s=round(time.perf_counter() - started, 3),
            cases_run=cases_run,
            cases_per_s=round(cases_run / computed_s, 3) if computed_s > 0 else None,
            failures=failures,
        )
        _write_json(manifest, out / "manifest.json")

    computed_s, cases_run = 0.0, 0
    with _deferred_interrupt() as interrupted:
        _start(scenario, cases, out)
        write_manifest(computed_s, cases_run)
        for index in range(n_chunks):
            if index in done:
                continue
            chunk = cases.iloc[index * size : (index + 1) * size]
            tick = time.perf_counter()
            failures += _run_chunk(chunk, out, index)
            computed_s += time.perf_counter() - tick
            cases_run += len(chunk)
            done.add(index)
            write_manifest(computed_s, cases_run)
            if progress is not None:
                progress(
                    ChunkDone(
                        chunk=index,
                        n_chunks=n_chunks,
                        cases_done=manifest["cases_done"],
                        n_cases=n_cases,
                        n_failed=len(failures),
                        elapsed_s=time.perf_counter() - started,
                    )
                )
            if interrupted():
                raise KeyboardInterrupt
    return out


def load_results(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a results folder: ``cases``, ``curves`` and ``summary`` (the complete
    chunks, in case order)."""
    out = Path(out_dir)
    if not (out / "cases.parquet").is_file():
        raise InputError(out, "cases.parquet", "a results folder of kneeload run")
    tables = {"cases": pd.read_parquet(out / "cases.parquet")}
    for name in ("curves", "summary"):
        summaries = sorted((out / "summary").glob("chunk-*.parquet"))
        parts = [pd.read_parquet(out / name / path.name) for path in summaries]
        parts = [part for part in parts if len(part)]  # a chunk whose cases all failed
        tables[name] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return tables
