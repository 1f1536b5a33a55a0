"""Validation rungs 2-4 (DESIGN.md §6): inverse dynamics against Winter (2009) Appendix A,
van den Bogert's simulated running and OpenSim's inverse dynamics of subject01."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from kneeload.validation import CheckResult, Curve, data_folder, rms

#: Winter 2009 Appendix A subject and gravity (data README)
WINTER_MASS_KG = 56.7
WINTER_G_M_S2 = 9.8
#: OpenSim subject01 (gait10dof18musc): the model's mass (data README)
SUBJECT01_MASS_KG = 72.6


def winter_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Winter's Tables A.1, A.2, A.3 and A.5 (reformatted CSVs)."""
    folder = data_folder(data_dir, "winter_appendixA")
    return {t: pd.read_csv(next(folder.glob(f"{t}_*.csv"))) for t in ("A1", "A2", "A3", "A5")}


def _winter_ground_reaction(a5: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    grf = a5[["foot_ground_Rx_N", "foot_ground_Ry_N"]].to_numpy()
    cop = np.column_stack([a5["cop_x_m"].to_numpy(), np.zeros(len(a5))])
    return grf, cop


def check_winter_table_a5(data_dir: Path) -> CheckResult:
    """Winter's segment kinematics (A.2/A.3) -> our kernel vs his Table A.5, every frame.

    Target: knee moment within 1 N·m and knee force within 1 N (issue 2). Segment parameters:
    Winter2009 table with lengths from the markers, g = 9.8 (data README).
    """
    from kneeload.anthropometry import leg_segment_parameters
    from kneeload.dynamics.inverse import gait_lab_moments, inverse_dynamics_planar, planar_chain

    tables = winter_tables(data_dir)
    a1, a2, a3, a5 = (tables[t] for t in ("A1", "A2", "A3", "A5"))
    marker = {n: a2[[f"{n}_x_m", f"{n}_y_m"]].to_numpy() for n in ("ankle", "knee", "hip")}
    met5 = a1[["met5_x_cm", "met5_y_cm"]].to_numpy() / 100  # foot: ankle -> 5th metatarsal
    ankle_raw = a1[["ankle_x_cm", "ankle_y_cm"]].to_numpy() / 100
    lengths = {
        "foot": float(np.mean(np.linalg.norm(met5 - ankle_raw, axis=1))),
        "shank": float(np.mean(np.linalg.norm(marker["knee"] - marker["ankle"], axis=1))),
        "thigh": float(np.mean(np.linalg.norm(marker["hip"] - marker["knee"], axis=1))),
    }
    params = leg_segment_parameters("Winter2009", WINTER_MASS_KG, lengths_m=lengths)
    segments = ("foot", "leg", "thigh")
    chain = planar_chain(
        [params[s].mass_kg for s in ("foot", "shank", "thigh")],
        [params[s].inertia_kg_m2 for s in ("foot", "shank", "thigh")],
        np.stack([a3[[f"{s}_cm_x_m", f"{s}_cm_y_m"]].to_numpy() for s in segments], axis=1),
        np.stack([a3[[f"{s}_cm_ax_mps2", f"{s}_cm_ay_mps2"]].to_numpy() for s in segments], 1),
        np.stack([a3[f"{s}_alpha_rps2"].to_numpy() for s in segments], axis=1),
        np.stack([marker["ankle"], marker["knee"], marker["hip"]], axis=1),
    )
    grf, cop = _winter_ground_reaction(a5)
    loads = inverse_dynamics_planar(chain, grf, cop, gravity_m_s2=(0.0, -WINTER_G_M_S2))
    moments = gait_lab_moments(loads)
    knee_moment = moments["knee_moment_nm"][0]
    moment_error = np.abs(knee_moment - a5["leg_knee_moment_Nm"].to_numpy())
    force_error = np.abs(
        loads.force_n[0, :, 1, :] - a5[["leg_knee_Rx_N", "leg_knee_Ry_N"]].to_numpy()
    )
    # Table A.5's hip moment acts on the thigh (counter-clockwise +): flexor + in gait terms
    hip_error = np.abs(-moments["hip_moment_nm"][0] - a5["thigh_hip_moment_Nm"].to_numpy())
    ankle_error = np.abs(moments["ankle_moment_nm"][0] - a5["leg_ankle_moment_Nm"].to_numpy())
    figures = {
        "knee_moment_max_error_nm": float(moment_error.max()),
        "knee_force_max_error_n": float(force_error.max()),
        "ankle_moment_max_error_nm": float(ankle_error.max()),
        "hip_moment_max_error_nm": float(hip_error.max()),
    }
    return CheckResult(
        name="winter_table_a5",
        rung="2. Winter (2009) Appendix A, segment kinematics -> Table A.5",
        target="knee moment within 1 N·m and knee force within 1 N at every frame (issue 2)",
        figures=figures,
        passed=figures["knee_moment_max_error_nm"] <= 1.0
        and figures["knee_force_max_error_n"] <= 1.0,
        curves=(
            Curve(
                "knee moment (extensor +)",
                a5.index.to_numpy(dtype=np.float64),
                knee_moment,
                a5["leg_knee_moment_Nm"].to_numpy(),
                "frame",
                "N·m",
            ),
        ),
        data="winter_appendixA/A1, A2, A3, A5",
    )


def check_winter_raw_markers(data_dir: Path) -> CheckResult:
    """Winter's raw markers (A.1, cm) -> our 6 Hz filter and derivatives -> knee moment vs A.5.

    Target: RMS <= 10 N·m over stance (issue 2; DESIGN.md §6 rung 2).
    """
    from kneeload.analysis import analyze_leg
    from kneeload.trial import leg_trial_from_joint_markers

    tables = winter_tables(data_dir)
    a1, a5 = tables["A1"], tables["A5"]

    def marker(name: str) -> np.ndarray:
        return a1[[f"{name}_x_cm", f"{name}_y_cm"]].to_numpy() / 100.0

    grf, cop = _winter_ground_reaction(a5)
    trial = leg_trial_from_joint_markers(
        a1["time_s"].to_numpy(),
        marker("hip"),
        marker("knee"),
        marker("ankle"),
        marker("met5"),
        grf,
        cop,
        WINTER_MASS_KG,
        source="Winter Table A.1",
    )
    table = analyze_leg(trial)
    stance = grf[:, 1] > 20.0
    ours = table["knee_moment_nm"].to_numpy()
    reference = a5["leg_knee_moment_Nm"].to_numpy()
    error = rms(ours[stance] - reference[stance])
    return CheckResult(
        name="winter_raw_markers",
        rung="2. Winter (2009) Appendix A, raw markers through our filter",
        target="knee moment RMS <= 10 N·m over stance (issue 2; DESIGN.md §6)",
        figures={"knee_moment_rms_stance_nm": error},
        passed=error <= 10.0,
        curves=(
            Curve(
                "knee moment (extensor +)",
                table["time_s"].to_numpy(),
                ours,
                reference,
                "time [s]",
                "N·m",
            ),
        ),
        data="winter_appendixA/A1, A5",
    )


#: van den Bogert's simulated running (data README): foot, shank, thigh
VDB_RATE_HZ = 10_000.0
VDB_MASS_KG = (1.00, 2.86, 6.85)
VDB_INERTIA_KG_M2 = (0.0200, 0.042996389, 0.145361267)
VDB_COM_FROM_PROXIMAL = {"shank": 0.4334975, "thigh": 0.4323725}


def check_vandenbogert_running(data_dir: Path) -> CheckResult:
    """Noise-free simulated running with known moments (van den Bogert, ISB test data).

    Central differences of the simulated kinematics, no filter. Target: RMS <= 2 % of the peak
    for knee, hip and ankle (issue 2). ``all.mom`` moments act on the distal segment,
    counter-clockwise +: knee extensor +, hip and ankle opposite to the gait-lab sign.
    """
    from kneeload.dynamics.inverse import gait_lab_moments, inverse_dynamics_planar, planar_chain
    from kneeload.kinematics import point_along, segment_angle_rad, time_derivatives

    folder = data_folder(data_dir, "isb_vandenbogert_simulated_running")
    kin = np.loadtxt(folder / "all.kin")
    frc = np.loadtxt(folder / "all.frc")
    true_moment = np.loadtxt(folder / "all.mom")  # hip, knee, ankle
    time = np.arange(len(kin)) / VDB_RATE_HZ
    hip, knee, ankle, toe = (kin[:, 2 * i : 2 * i + 2] for i in range(4))
    com = np.stack(
        [
            ankle,  # the foot's centre of mass is at the ankle
            point_along(knee, ankle, VDB_COM_FROM_PROXIMAL["shank"]),
            point_along(hip, knee, VDB_COM_FROM_PROXIMAL["thigh"]),
        ],
        axis=1,
    )
    angles = np.stack(
        [
            segment_angle_rad(ankle, toe),
            segment_angle_rad(knee, ankle),
            segment_angle_rad(hip, knee),
        ],
        axis=1,
    )
    _, com_acc = time_derivatives(time, com)
    _, alpha = time_derivatives(time, angles)
    chain = planar_chain(
        VDB_MASS_KG, VDB_INERTIA_KG_M2, com, com_acc, alpha, np.stack([ankle, knee, hip], 1)
    )
    cop = np.column_stack([frc[:, 2], np.zeros(len(frc))])
    moments = gait_lab_moments(
        inverse_dynamics_planar(chain, frc[:, :2], cop, gravity_m_s2=(0.0, -9.81))
    )
    inner = slice(10, -10)  # central differences lose an order at the ends
    figures = {}
    passed = True
    for index, (joint, sign) in enumerate((("hip", -1.0), ("knee", 1.0), ("ankle", -1.0))):
        ours = sign * moments[f"{joint}_moment_nm"][0]
        peak = float(np.abs(true_moment[:, index]).max())
        error = rms(ours[inner] - true_moment[inner, index])
        figures[f"{joint}_moment_rms_percent_of_peak"] = 100 * error / peak
        passed &= error <= 0.02 * peak
    figures["knee_moment_rms_nm"] = rms(moments["knee_moment_nm"][0][inner] - true_moment[inner, 1])
    return CheckResult(
        name="vandenbogert_running",
        rung="3. van den Bogert simulated running (known answers)",
        target="hip, knee and ankle moment RMS <= 2 % of their peaks (issue 2)",
        figures=figures,
        passed=bool(passed),
        curves=(
            Curve(
                "knee moment (extensor +)",
                time,
                moments["knee_moment_nm"][0],
                true_moment[:, 1],
                "time [s]",
                "N·m",
            ),
        ),
        data="isb_vandenbogert_simulated_running/all.kin, all.frc, all.mom",
    )


#: OpenSim generalised forces -> kneeload moments: knee_angle moment is extensor + (knee angle
#: negative in flexion), hip_flexion moment flexor +, ankle_angle moment dorsiflexor +
OPENSIM_MOMENTS: tuple[tuple[str, str, float], ...] = (
    ("knee_moment_nm", "knee_angle_r_moment", 1.0),
    ("hip_moment_nm", "hip_flexion_r_moment", -1.0),
    ("ankle_moment_nm", "ankle_angle_r_moment", -1.0),
)


def check_subject01_inverse_dynamics(data_dir: Path) -> CheckResult:
    """``kneeload.analyze`` on OpenSim's subject01 walk vs OpenSim's own inverse dynamics.

    Same IK coordinates, GRF and scaled gait10dof18musc model; OpenSim low-passed the
    coordinates at 6 Hz (walk_Setup_ID.xml), as we do. Target: knee moment RMS <= 5 N·m over the
    whole trial (issue 2; DESIGN.md §6 rung 4); hip and ankle reported against the same target.
    """
    from kneeload.io.opensim import read_storage
    from kneeload.measured import analyze

    folder = data_folder(data_dir, "opensim_subject01_walk")
    ours = analyze(
        folder / "gait10dof18musc" / "subject01_walk_IK.mot",
        folder / "experimental" / "subject01_walk1_grf.mot",
        SUBJECT01_MASS_KG,
        model=folder / "gait10dof18musc" / "subject01_scaled.osim",
    )
    theirs, _ = read_storage(folder / "gait10dof18musc" / "subject01_walk_ID.sto")
    time = ours["time_s"].to_numpy()
    figures = {}
    curves = []
    for column, reference, sign in OPENSIM_MOMENTS:
        expected = sign * np.interp(time, theirs["time"], theirs[reference])
        figures[f"{column.removesuffix('_nm')}_rms_nm"] = rms(ours[column].to_numpy() - expected)
        curves.append(Curve(column, time, ours[column].to_numpy(), expected, "time [s]", "N·m"))
    expected = np.interp(time, theirs["time"], theirs["knee_angle_r_moment"])
    figures["knee_moment_3d_rms_nm"] = rms(ours["knee_moment_3d_nm"].to_numpy() - expected)
    return CheckResult(
        name="subject01_inverse_dynamics",
        rung="4. OpenSim subject01 walk, joint moments vs OpenSim ID",
        target="knee moment RMS <= 5 N·m over the whole trial (issue 2); hip, ankle and the "
        "3-D distal chain's knee moment reported",
        figures=figures,
        passed=figures["knee_moment_rms_nm"] <= 5.0,
        curves=tuple(curves),
        data="opensim_subject01_walk: gait10dof18musc IK, ID, scaled model; experimental GRF",
    )


CHECKS: dict[str, Callable[[Path], CheckResult]] = {
    "winter_table_a5": check_winter_table_a5,
    "winter_raw_markers": check_winter_raw_markers,
    "vandenbogert_running": check_vandenbogert_running,
    "subject01_inverse_dynamics": check_subject01_inverse_dynamics,
}
