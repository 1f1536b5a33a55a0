"""The muscle and contact pipeline (:func:`kneeload.knee_loads.knee_loads`): the moments are
balanced, reserves stay out of contact forces, gaps stay gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kneeload.contact import tibiofemoral_contact
from kneeload.exceptions import InputError, ParameterError
from kneeload.knee_loads import LoadSharingOptions, knee_loads
from kneeload.muscles.geometry import load_muscle_set, moment_arms_m

MASS_KG = 70.0


def _gait_like_table(n: int = 60) -> pd.DataFrame:
    """Smooth stance-like angles and moments within muscle capacity (N·m, deg, N)."""
    phase = np.linspace(0.0, 1.0, n)
    return pd.DataFrame(
        {
            "time_s": phase * 0.6,
            "hip_flexion_deg": 25.0 - 35.0 * phase,
            "knee_flexion_deg": 5.0 + 15.0 * np.sin(np.pi * phase),
            "ankle_dorsiflexion_deg": -5.0 + 15.0 * phase,
            "hip_moment_nm": 40.0 * np.cos(np.pi * phase),
            "knee_moment_nm": 45.0 * np.sin(2 * np.pi * phase),
            "ankle_moment_nm": 100.0 * phase**2,
            "knee_force_axial_n": 600.0 + 100.0 * np.sin(np.pi * phase),
            "knee_force_shear_n": 50.0 * np.cos(np.pi * phase),
            "knee_adduction_moment_nm": 25.0 * np.sin(np.pi * phase),
            "grf_vertical_n": 700.0 * np.sin(np.pi * phase),
        }
    )


def test_muscle_moments_balance_the_joint_moments() -> None:
    """Σ force × moment arm (independently from the geometry) equals each joint moment minus
    its reserve; within capacity the reserves are exactly zero."""
    table = _gait_like_table()
    out = knee_loads(table, MASS_KG)
    muscles = load_muscle_set("gait10dof18musc")
    arms = moment_arms_m(muscles, np.radians(table.iloc[:, 1:4].to_numpy()))
    forces = out[[f"muscle_{m}_force_n" for m in muscles.muscles]].to_numpy()
    produced = np.einsum("fm,fmj->fj", forces, arms)
    expected = table[["hip_moment_nm", "knee_moment_nm", "ankle_moment_nm"]].to_numpy()
    np.testing.assert_allclose(produced, expected, atol=1e-6)
    np.testing.assert_allclose(
        out["hamstrings_force_n"], out["muscle_hamstrings_force_n"] + out["muscle_bifemsh_force_n"]
    )
    assert not out["muscle_capacity_exceeded"].any()
    assert (out[["reserve_hip_nm", "reserve_knee_nm", "reserve_ankle_nm"]] == 0).all().all()
    np.testing.assert_allclose(out["quadriceps_activation"], out["muscle_vasti_activation"])
    np.testing.assert_allclose(
        out["quadriceps_force_n"], out["muscle_vasti_force_n"] + out["muscle_rect_fem_force_n"]
    )


def test_reserves_are_flagged_and_never_enter_the_contact_force() -> None:
    """A knee moment far beyond muscle capacity: the frame is solved, flagged, the reserve
    carries the rest, and the contact force is the muscles' and the joint's only."""
    table = _gait_like_table()
    table.loc[20, "knee_moment_nm"] = 2000.0
    out = knee_loads(table, MASS_KG)
    assert out.loc[20, "muscle_capacity_exceeded"]
    assert out.loc[20, "reserve_knee_nm"] > 1000.0
    muscles = load_muscle_set("gait10dof18musc").muscles
    contact = tibiofemoral_contact(
        table["knee_flexion_deg"].to_numpy(),
        {m: out[f"muscle_{m}_force_n"].to_numpy() for m in muscles},
        table["knee_force_axial_n"].to_numpy(),
        table["knee_force_shear_n"].to_numpy(),
        knee_adduction_moment_nm=table["knee_adduction_moment_nm"].to_numpy(),
    )
    np.testing.assert_allclose(out["tf_compressive_n"], contact.compressive_n)
    assert len(out) == len(table)


def test_nan_frames_stay_nan_and_leave_the_others_alone() -> None:
    table = _gait_like_table()
    gappy = table.copy()
    gappy.loc[10:12, "knee_flexion_deg"] = np.nan
    out, reference = knee_loads(gappy, MASS_KG), knee_loads(table, MASS_KG)
    for column in ("muscle_vasti_force_n", "tf_compressive_n", "pf_force_n", "pf_stress_mpa"):
        assert out.loc[10:12, column].isna().all()
        untouched = ~out.index.isin(range(8, 15))  # force-velocity uses neighbouring frames
        np.testing.assert_allclose(out.loc[untouched, column], reference.loc[untouched, column])


def test_models_named_in_attrs_and_bad_choices_refused() -> None:
    out = knee_loads(_gait_like_table(), MASS_KG, LoadSharingOptions(contact_area_model="HoPowers"))
    assert out.attrs["contact_area_model"] == "HoPowers"
    assert out.attrs["muscle_set"] == "gait10dof18musc"
    with pytest.raises(ParameterError, match="Besier2005_male"):
        LoadSharingOptions(contact_area_model="nope").check()
    with pytest.raises(InputError, match="exponent"):
        LoadSharingOptions(exponent=1.0).check()
    with pytest.raises(InputError, match="knee_moment_nm"):
        knee_loads(_gait_like_table().drop(columns="knee_moment_nm"), MASS_KG)
