"""Validation of the frontal plane (issue 6; DESIGN.md §4.5-4.6 and §6 rungs 5-6): the external
knee adduction moment (KAM) and the medial share of the tibiofemoral load.

Generated checks run the same pipeline as a measured trial
(:func:`kneeload.gait.simulate.simulate`) and read no data folder; the JW check reads the Grand
Challenge instrumented-implant trial og3 (``grand_challenge_knee_loads_JW``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from kneeload.config import GRF_CONTACT_THRESHOLD_N
from kneeload.gait.spec import GaitSpec
from kneeload.validation import CheckResult, Curve, data_folder, rms
from kneeload.validation.gait import TYPICAL_SUBJECT, _simulated

#: healthy forward walking of the KAM and medial-share check (issue 6): 1.2 m/s, level
WALK_SPEED_M_S = 1.2
#: first-peak KAM target [%BW·Ht] (issue 6; healthy ≈ 2.5-3.0, REFERENCES.md §5)
KAM_FIRST_PEAK_RANGE_PCT_BW_HT = (2.0, 3.8)
#: medial share of the tibiofemoral load over stance (issue 6; literature 60-80 %, Erhart et
#: al. 2010 citing static and dynamic studies; JW 54-63 % at the peak)
MEDIAL_SHARE_RANGE = (0.55, 0.8)
#: the OA comparison: a condition against healthy at the same speed and grade
OA_CONDITIONS: tuple[str, ...] = ("medial_oa_mild", "medial_oa_severe")
#: JW og3: largest RMS difference of the medial share over stance and at each implant peak [-]
#: (the width of the published 60-80 % range, ±0.1)
JW_SHARE_TOLERANCE = 0.1

RUNG_GENERATED = "6. Published values, frontal plane of generated walking (issue 6)"
RUNG_JW = "5. Grand Challenge JW og3, medial share vs the instrumented implant (issue 6)"


def _spec(condition: str = "healthy") -> GaitSpec:
    return GaitSpec("walk", "forward", WALK_SPEED_M_S, 0.0, TYPICAL_SUBJECT, condition)


def stance_medial_share(table: pd.DataFrame) -> float:
    """Medial share of the tibiofemoral load over the stance of the first whole stride:
    ∫ medial dt / ∫ (medial + lateral) dt (trapezoid rule), the share of the stance impulse the
    medial compartment carries [-]."""
    stance = (
        (table["stride"] == 1) & (table["grf_vertical_n"] > GRF_CONTACT_THRESHOLD_N)
    ).to_numpy()
    time_s = table["time_s"].to_numpy()[stance]
    medial = np.trapezoid(table["tf_medial_n"].to_numpy()[stance], time_s)
    lateral = np.trapezoid(table["tf_lateral_n"].to_numpy()[stance], time_s)
    return float(medial / (medial + lateral))


def _frontal_figures(spec: GaitSpec) -> tuple[pd.DataFrame, dict[str, float]]:
    """The generated table of ``spec`` and its KAM and medial-share figures."""
    from kneeload.metrics import load_metrics

    table, _summary = _simulated(spec)
    metrics = load_metrics(
        table,
        ["knee_adduction_moment_pct_bw_ht", "knee_adduction_moment_nm"],
        speed_m_s=spec.speed_m_s,
    )
    stance = (
        (table["stride"] == 1) & (table["grf_vertical_n"] > GRF_CONTACT_THRESHOLD_N)
    ).to_numpy()
    share = table["tf_medial_share"].to_numpy()[stance]
    at_peak = int(np.argmax(table["tf_compressive_n"].to_numpy()[stance]))
    figures = {
        "kam_first_peak_pct_bw_ht": metrics["knee_adduction_moment_first_peak_pct_bw_ht"],
        "kam_second_peak_pct_bw_ht": metrics["knee_adduction_moment_second_peak_pct_bw_ht"],
        "kam_first_peak_nm": metrics["knee_adduction_moment_first_peak_nm"],
        "kaai_nm_s": metrics["knee_adduction_moment_impulse_nm_s"],
        "kaai_pct_bw_ht_s": metrics["knee_adduction_moment_impulse_pct_bw_ht_s"],
        "medial_share_stance": stance_medial_share(table),
        "medial_share_at_tf_peak": float(share[at_peak]),
        "lateral_lift_off_percent_of_stance": float(100.0 * np.mean(share >= 1.0)),
    }
    return table, figures


def check_healthy_walking_frontal(data_dir: Path) -> CheckResult:
    """Healthy forward walking at 1.2 m/s, level (70 kg, 1.75 m): first-peak KAM in %BW·height
    and the medial share of the tibiofemoral load over stance."""
    table, figures = _frontal_figures(_spec())
    low, high = KAM_FIRST_PEAK_RANGE_PCT_BW_HT
    share_low, share_high = MEDIAL_SHARE_RANGE
    stride = table[table["stride"] == 1]
    percent = stride["percent_cycle"].to_numpy()
    return CheckResult(
        name="frontal_healthy_walking",
        rung=RUNG_GENERATED,
        target=f"first-peak KAM {low:g}-{high:g} %BW·Ht (issue 6; healthy ≈ 2.5-3.0 %BW·Ht, "
        f"Baliunas 2002 / Miyazaki 2002 via REFERENCES.md §5) and medial share of the stance "
        f"tibiofemoral impulse {share_low:g}-{share_high:g} (60-80 %, Erhart et al. 2010; JW "
        "54-63 % at the peak)",
        figures=figures,
        passed=bool(
            low <= figures["kam_first_peak_pct_bw_ht"] <= high
            and share_low <= figures["medial_share_stance"] <= share_high
        ),
        curves=(
            Curve(
                f"KAM; reference: the target band's middle {0.5 * (low + high):g} %BW·Ht",
                percent,
                stride["knee_adduction_moment_pct_bw_ht"].to_numpy(),
                np.full(len(percent), 0.5 * (low + high)),
                "% cycle",
                "%BW·Ht",
            ),
            Curve(
                "medial share; reference: the middle of the literature's 60-80 %",
                percent,
                stride["tf_medial_share"].to_numpy(),
                np.full(len(percent), 0.7),
                "% cycle",
                "-",
            ),
        ),
        data=f"generated: walk forward {WALK_SPEED_M_S:g} m/s, level, healthy, 70 kg, 1.75 m",
        notes=(str(table.attrs.get("tf_split_note", "")),),
    )


def check_medial_oa_kam(data_dir: Path) -> CheckResult:
    """Medial knee OA vs healthy forward walking at the same 1.2 m/s, level: severe medial OA
    must give a higher first-peak KAM (Mündermann et al. 2005: KL 3-4 > controls, p = 0.039);
    mild OA and the medial shares are reported."""
    healthy_table, healthy = _frontal_figures(_spec())
    reference = healthy_table[healthy_table["stride"] == 1]
    figures = {f"healthy_{k}": v for k, v in healthy.items() if "peak" in k or "share" in k}
    curves = []
    for condition in OA_CONDITIONS:
        table, oa = _frontal_figures(_spec(condition))
        figures.update(
            {f"{condition}_{k}": v for k, v in oa.items() if "peak" in k or "share" in k}
        )
        figures[f"{condition}_kam_first_peak_ratio_to_healthy"] = (
            oa["kam_first_peak_pct_bw_ht"] / healthy["kam_first_peak_pct_bw_ht"]
        )
        stride = table[table["stride"] == 1]
        curves.append(
            Curve(
                f"KAM, {condition} (red) over healthy (grey)",
                stride["percent_cycle"].to_numpy(),
                stride["knee_adduction_moment_pct_bw_ht"].to_numpy(),
                np.interp(
                    stride["percent_cycle"].to_numpy(),
                    reference["percent_cycle"].to_numpy(),
                    reference["knee_adduction_moment_pct_bw_ht"].to_numpy(),
                ),
                "% cycle",
                "%BW·Ht",
            )
        )
    return CheckResult(
        name="frontal_medial_oa_kam",
        rung=RUNG_GENERATED,
        target="first-peak KAM of severe medial OA (KL 3-4) > healthy at the same speed "
        "(Mündermann et al. 2005; larger frontal-plane lever arm, Hunt et al. 2006)",
        figures=figures,
        passed=bool(
            figures["medial_oa_severe_kam_first_peak_pct_bw_ht"]
            > figures["healthy_kam_first_peak_pct_bw_ht"]
        ),
        curves=tuple(curves),
        data=f"generated: walk forward {WALK_SPEED_M_S:g} m/s, level, healthy, "
        f"{', '.join(OA_CONDITIONS)}, 70 kg, 1.75 m",
    )


def jw_medial_share(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """JW og3 through the calibrated generic leg (as :func:`kneeload.validation.loads.
    check_jw_tibiofemoral_force`) and the implant on the implant's clock over the stance frames
    (our vertical GRF above the contact threshold): columns ``time_s``, ``implant_share``,
    ``ours_share``, ``implant_total_n``; and our per-frame table."""
    from kneeload.measured import analyze
    from kneeload.validation.loads import JW_MASS_KG, jw_implant_forces

    folder = data_folder(data_dir, "grand_challenge_knee_loads_JW")
    c3d = folder / "c3d" / "jw_ngait_og3.c3d"
    ours = analyze(
        folder / "ik" / "IK_ngait_og3_with_fluoro.mot",
        c3d,
        JW_MASS_KG,
        marker_set="GrandChallenge_NIH",
    )
    implant = jw_implant_forces(data_dir)
    time = implant["time_s"].to_numpy()
    inside = (time >= ours["time_s"].iloc[0]) & (time <= ours["time_s"].iloc[-1])
    grf = np.interp(time, ours["time_s"], ours["grf_vertical_n"])
    stance = inside & (grf > GRF_CONTACT_THRESHOLD_N)
    total = implant["total_n"].to_numpy()
    frames = pd.DataFrame(
        {
            "time_s": time[stance],
            "implant_total_n": total[stance],
            "implant_share": (implant["medial_n"].to_numpy() / total)[stance],
            "ours_share": np.interp(time, ours["time_s"], ours["tf_medial_share"])[stance],
        }
    )
    return frames, ours


def _stance_runs(time_s: np.ndarray) -> list[np.ndarray]:
    """Indices of each contiguous stance (a gap of more than two implant samples splits)."""
    step = np.median(np.diff(time_s))
    return np.split(np.arange(len(time_s)), np.flatnonzero(np.diff(time_s) > 2.5 * step) + 1)


def check_jw_medial_share(data_dir: Path) -> CheckResult:
    """Grand Challenge JW og3: our medial share of the tibiofemoral load against the implant's
    (data README: medial = 0.9871 AM + 0.9683 PM + 0.0387 AL + 0.0211 PL load cells) over the
    right foot's stances, and at the implant's two peaks of each stance."""
    frames, ours = jw_medial_share(data_dir)
    difference = frames["ours_share"] - frames["implant_share"]
    figures = {
        "share_rms_difference": rms(difference.to_numpy()),
        "share_mean_ours": float(frames["ours_share"].mean()),
        "share_mean_implant": float(frames["implant_share"].mean()),
    }
    worst_peak = 0.0
    time_s = frames["time_s"].to_numpy()
    for i, run in enumerate(_stance_runs(time_s), start=1):
        if len(run) < 10:
            continue
        half = len(run) // 2
        for name, part in (("first", run[:half]), ("second", run[half:])):
            at = part[int(np.argmax(frames["implant_total_n"].to_numpy()[part]))]
            figures[f"stance{i}_{name}_peak_share_implant"] = float(
                frames["implant_share"].iloc[at]
            )
            figures[f"stance{i}_{name}_peak_share_ours"] = float(frames["ours_share"].iloc[at])
            worst_peak = max(worst_peak, abs(float(difference.iloc[at])))
    figures["share_worst_peak_difference"] = worst_peak
    gaps = np.flatnonzero(np.diff(time_s) > 2.5 * np.median(np.diff(time_s))) + 1
    plot_t, plot_ours, plot_implant = (
        np.insert(np.asarray(v, dtype=np.float64), gaps, np.nan)  # no line across swing
        for v in (time_s, frames["ours_share"], frames["implant_share"])
    )
    return CheckResult(
        name="jw_medial_share",
        rung=RUNG_JW,
        target=f"medial share within ±{JW_SHARE_TOLERANCE:g} of the implant's: RMS over stance "
        "and at each peak of the implant's total force (the width of the published 60-80 %, "
        "Erhart et al. 2010; JW's own 54-63 % at the peak)",
        figures=figures,
        passed=bool(
            figures["share_rms_difference"] <= JW_SHARE_TOLERANCE
            and worst_peak <= JW_SHARE_TOLERANCE
        ),
        curves=(
            Curve(
                "medial share over stance frames (IK, calibrated generic leg)",
                plot_t,
                plot_ours,
                plot_implant,
                "time [s]",
                "-",
            ),
        ),
        data="grand_challenge_knee_loads_JW: ik/IK_ngait_og3_with_fluoro.mot, "
        "c3d/jw_ngait_og3.c3d, eknee_forces/jw_ngait_og3_knee_forces.csv",
        notes=(str(ours.attrs.get("tf_split_note", "")),),
    )


CHECKS: dict[str, Callable[[Path], CheckResult]] = {
    "frontal_healthy_walking": check_healthy_walking_frontal,
    "frontal_medial_oa_kam": check_medial_oa_kam,
    "jw_medial_share": check_jw_medial_share,
}
