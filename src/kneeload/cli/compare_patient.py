"""Compare one trial or generated case against a normative band: the mean ± 2 SD over the gait
cycle of the matched cases of a results folder (kneeload run, e.g. a sampled population of
healthy subjects), and report where (% cycle) and by how much (in the quantity's units and in
SD) the patient's curve leaves the band, per quantity.

TRIAL is a table written by kneeload analyze or kneeload simulate (.csv or .parquet); its whole
strides are resampled to 101 points of the cycle and averaged. --match keeps the population's
cases whose column equals the value (e.g. --match direction=forward mode=walk). The band is
pointwise (about 95 % of a normal population at any one node, not over the whole cycle): an
excursion is a flag to look at, not a statistical test.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

#: quantities compared when --quantity is not given (those present in both tables)
DEFAULT_QUANTITIES = ("tf_compressive_bw", "pf_force_bw", "grf_vertical_bw")


def add_parser(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("trial", help="table of kneeload analyze or simulate (.csv/.parquet)")
    parser.add_argument("--norm", required=True, help="results folder of kneeload run")
    parser.add_argument(
        "--quantity",
        nargs="+",
        help=f"curve columns to compare (default: {', '.join(DEFAULT_QUANTITIES)})",
    )
    parser.add_argument(
        "--match", nargs="+", default=[], metavar="COLUMN=VALUE", help="keep matching cases"
    )
    parser.add_argument("--k-sd", type=float, default=2.0, help="band half-width in SD (default 2)")
    parser.add_argument("--out", help="write PREFIX.csv (excursions) and PREFIX.png (figure)")


def read_trial(path: str | Path) -> Any:
    """The table of kneeload analyze/simulate at ``path`` (.csv or .parquet)."""
    import pandas as pd

    from kneeload.exceptions import InputError

    p = Path(path)
    if p.suffix.lower() not in (".csv", ".parquet"):
        raise InputError(p, "TRIAL", "a .csv or .parquet table of kneeload analyze/simulate")
    if not p.is_file():
        raise InputError(p, "TRIAL", "an existing file", "no such file")
    return pd.read_csv(p) if p.suffix.lower() == ".csv" else pd.read_parquet(p)


def parse_match(items: list[str]) -> dict[str, str]:
    """``["k=v", ...]`` as a dict; InputError for an item without '='."""
    from kneeload.exceptions import InputError

    match = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError("--match", item, "COLUMN=VALUE")
        match[key.strip()] = value.strip()
    return match


def format_excursions(bands: list[Any], found: list[Any]) -> str:
    """The excursions per quantity as lines for people."""
    lines = []
    for band in bands:
        mine = [e for e in found if e.quantity == band.quantity]
        head = f"{band.quantity}: band mean ± {band.k_sd:g} SD of {band.n} cases"
        if not mine:
            lines.append(f"{head}: inside the band over the whole cycle")
            continue
        lines.append(f"{head}: outside over {len(mine)} stretch(es)")
        for e in mine:
            lines.append(
                f"  {e.start_pct:3.0f}-{e.end_pct:.0f} %".ljust(12) + f"{e.side:5s} by up to "
                f"{e.max_beyond:.3g} ({e.max_beyond_sd:.2f} SD beyond the band, "
                f"z = {e.max_z:.2f}) at {e.at_pct:.0f} %"
            )
    return "\n".join(lines)


def plot_bands(bands: list[Any], patients: list[Any], found: list[Any], title: str) -> Any:
    """One panel per quantity: the band shaded, its mean dashed, the patient's curve, and the
    stretches outside the band marked. Returns the matplotlib Figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from kneeload.stats import PERCENT_CYCLE

    figure, axes = plt.subplots(
        len(bands), 1, figsize=(7, 2.8 * len(bands)), sharex=True, squeeze=False
    )
    for ax, band, patient in zip(axes[:, 0], bands, patients, strict=True):
        ax.fill_between(
            PERCENT_CYCLE,
            band.lower,
            band.upper,
            color="0.8",
            label=f"mean ± {band.k_sd:g} SD (n = {band.n})",
        )
        ax.plot(PERCENT_CYCLE, band.mean, "k--", lw=1)
        ax.plot(PERCENT_CYCLE, patient, "C3", lw=1.8, label="patient")
        for e in (e for e in found if e.quantity == band.quantity):
            ax.axvspan(e.start_pct - 0.5, e.end_pct + 0.5, color="C3", alpha=0.15, lw=0)
        ax.set_ylabel(band.quantity)
        ax.legend(loc="upper right", fontsize="small")
    axes[-1, 0].set_xlabel("gait cycle [%]")
    axes[0, 0].set_title(title)
    figure.tight_layout()
    return figure


def run(args: argparse.Namespace) -> int:
    from kneeload.exceptions import InputError
    from kneeload.io.results import write_table
    from kneeload.norm_band import band_from_results, excursion_table, excursions, match_cases
    from kneeload.plotting import save_figure
    from kneeload.stats import cycle_curve
    from kneeload.sweep import load_results

    match = parse_match(args.match)
    trial = read_trial(args.trial)
    cases = load_results(args.norm, tables=("cases",))["cases"]
    ids = match_cases(cases, match, str(args.norm))
    if args.quantity:
        quantities = list(args.quantity)
    else:
        quantities = [q for q in DEFAULT_QUANTITIES if q in trial.columns]
        if not quantities:
            raise InputError(args.trial, "--quantity", f"one of {DEFAULT_QUANTITIES}")
    curves = load_results(
        args.norm, tables=("curves",), columns=["stride", "percent_cycle", *quantities], cases=ids
    )["curves"]
    results = {"cases": cases[cases["case_id"].isin(ids)], "curves": curves}
    bands, patients, found = [], [], []
    for quantity in quantities:
        band = band_from_results(results, quantity, None, args.k_sd, str(args.norm))
        patient = cycle_curve(trial, quantity, str(args.trial))
        bands.append(band)
        patients.append(patient)
        found.extend(excursions(patient, band))
    print(format_excursions(bands, found))
    if args.out is not None:
        prefix = Path(args.out)
        write_table(excursion_table(found), prefix.with_name(prefix.name + ".csv"))
        figure = plot_bands(bands, patients, found, Path(args.trial).name)
        save_figure(figure, prefix.with_name(prefix.name + ".png"))
    return 0
