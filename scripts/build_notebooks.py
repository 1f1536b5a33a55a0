# ruff: noqa: E501  (cell sources are kept as readable notebook code, not wrapped at 100)
"""Build the notebooks of ``notebooks/`` from the cells below, execute them and save them with
their outputs.

    .venv/bin/python scripts/build_notebooks.py            # build and execute all
    .venv/bin/python scripts/build_notebooks.py 02 04      # only those whose name starts so
    .venv/bin/python scripts/build_notebooks.py --no-run   # write the cells without outputs

Each notebook runs in ``notebooks/`` with the ``python3`` kernel of this interpreter (ipykernel)
and writes its results into a temporary folder that it removes at the end. Every number quoted in
the prose is computed in a code cell (``Markdown(f"...")``), never typed in.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: seconds a cell may run before the execution fails
CELL_TIMEOUT_S = 600


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(textwrap.dedent(text).strip())


SETUP = """
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, Markdown, display

import kneeload
from kneeload.plotting import PERCENT_GRID, cycle_curves, figure_png

pd.set_option("display.precision", 3)
pd.set_option("display.width", 160)
work = Path(tempfile.mkdtemp(prefix="kneeload_notebook_"))  # removed at the end


def show(figure):
    \"\"\"Display a matplotlib figure as a PNG (and close it).\"\"\"
    display(Image(figure_png(figure)))


def say(text):
    \"\"\"Display Markdown with the numbers computed above.\"\"\"
    display(Markdown(text))
"""

CLEANUP = """
shutil.rmtree(work)  # the temporary results folder
"""


# --------------------------------------------------------------------------------------------
def quickstart() -> list[nbformat.NotebookNode]:
    return [
        md("""
        # kneeload quick start

        Knee loads over a gait cycle from a generated gait: one case with `kneeload.simulate`,
        then a small sweep with `kneeload.run_scenario`, its tables with
        `kneeload.load_results`, a figure and a comparison. Everything is written to a
        temporary folder that is removed at the end.
        """),
        code(SETUP),
        md("""
        ## One case: `simulate`

        A `GaitSpec` names the gait (mode, direction, speed along the surface in m/s, grade in %
        with > 0 uphill) and the subject (mass, stature). `simulate` generates one gait cycle of
        the right leg and runs it through inverse dynamics, static optimisation and the contact
        models; it returns one row per frame (0–100 % of the gait cycle from the right foot's
        first contact).
        """),
        code("""
        from kneeload import GaitSpec, Subject
        from kneeload.gait.simulate import summarise

        spec = GaitSpec("walk", "forward", speed_m_s=1.2, grade_pct=0.0, subject=Subject(70.0, 1.75))
        frames = kneeload.simulate(spec)
        print(f"{len(frames)} frames, {frames.shape[1]} columns")
        columns = ["percent_cycle", "knee_flexion_deg", "knee_moment_nm_kg",
                   "quadriceps_activation", "tf_compressive_bw", "tf_medial_share", "pf_force_bw"]
        frames[columns].iloc[::10]
        """),
        md("`summarise` gives the timing and the peaks of the cycle (loads in body weights, BW):"),
        code("""
        summary = pd.Series(summarise(frames, spec))
        summary
        """),
        code("""
        from kneeload.plotting import plot_trial

        show(plot_trial(frames, title="forward walking, 1.2 m/s, level, 70 kg, 1.75 m"))
        """),
        code("""
        say(f"Peak tibiofemoral compression {summary['peak_tf_compressive_bw']:.2f} BW, "
            f"patellofemoral force {summary['peak_pf_force_bw']:.2f} BW, stance "
            f"{100 * summary['stance_fraction']:.1f} % of the cycle, cadence "
            f"{summary['cadence_steps_min']:.0f} steps/min.")
        """),
        md("""
        ## A small sweep: `run_scenario` and `load_results`

        A scenario is a TOML file (format: `scenarios/README.md`). This one crosses two
        directions with two grades at 3 km/h: 4 cases. `kneeload run SCENARIO -o DIR` does the
        same from the command line.
        """),
        code('''
        scenario = work / "small.toml"
        scenario.write_text("""
        [meta]
        name = "quickstart"

        [sweep]
        kind = "grid"

        [gait]
        mode = "walk"
        direction = ["forward", "backward"]
        speed_m_s = 0.833
        grade_pct = [0.0, 10.0]

        [subject]
        mass_kg = 70.0
        height_m = 1.75
        """)
        results_dir = kneeload.run_scenario(scenario, work / "small")
        sorted(p.name for p in results_dir.iterdir())
        '''),
        code("""
        results = kneeload.load_results(results_dir)
        cases, curves, summary = results["cases"], results["curves"], results["summary"]
        print({name: table.shape for name, table in results.items()})
        cases[["case_id", "direction", "speed_m_s", "grade_pct", "condition"]]
        """),
        code("""
        cases[["case_id", "direction", "grade_pct"]].merge(summary, on="case_id")[
            ["direction", "grade_pct", "stance_fraction", "peak_tf_compressive_bw",
             "peak_pf_force_bw", "peak_quadriceps_activation"]
        ]
        """),
        md("""
        Mean ± SD curves grouped by any case parameters (`kneeload plot DIR`); with one case per
        group there is no SD band.
        """),
        code("""
        from kneeload.plotting import plot_results

        show(plot_results(results, by=["direction", "grade_pct"],
                          quantities=["tf_compressive_bw", "pf_force_bw", "quadriceps_activation",
                                      "knee_flexion_deg"]))
        """),
        md("""
        ## A comparison: `compare_results`

        Backward against forward walking (`kneeload compare DIR --by direction --baseline
        forward`): difference and ratio curves, and peak ratios with 95 % confidence intervals.
        Cases are paired on every other parameter (here the grade); with only two pairs the
        interval is wide.
        """),
        code("""
        from kneeload.compare import compare_results, format_peaks, plot_comparison

        comparison = compare_results(results, by="direction", baseline="forward",
                                     quantities=["tf_compressive_bw", "pf_force_bw"])
        print(format_peaks(comparison.peaks))
        show(plot_comparison(comparison))
        """),
        md("""
        ## A report

        `kneeload report DIR` (or `write_report`) writes one self-contained HTML page with the
        figures, tables, the scenario and the versions.
        """),
        code("""
        from kneeload.html_report import write_report

        report = write_report(results_dir)
        print(report.name, f"{report.stat().st_size / 1e3:.0f} kB")
        """),
        md("""
        ## The same from the command line

        ```
        kneeload run small.toml -o results/small        # or a bundled name: forward_vs_backward_walking
        kneeload plot results/small --by direction grade_pct
        kneeload compare results/small --by direction --baseline forward
        kneeload report results/small
        ```

        Next: `02_forward_vs_backward` (the default scenario read as a results section),
        `03_incline` (grade sweep) and `04_arthritis` (medial knee OA, SPM, cumulative load).
        """),
        code(CLEANUP),
    ]


# --------------------------------------------------------------------------------------------
def forward_vs_backward() -> list[nbformat.NotebookNode]:
    return [
        md("""
        # Forward vs backward walking: knee loads at matched speed and grade

        ## Question

        Backward walking is used in knee rehabilitation, for example the backward incline
        treadmill programme of Cha, Kim & Kim (2016): 3 km/h (0.833 m/s) on a 10 % grade. At a
        matched speed and grade, does walking backward

        1. lower the peak tibiofemoral (TF) and patellofemoral (PF) load,
        2. raise quadriceps activation,
        3. lengthen stance, and
        4. land on the forefoot?
        """),
        md("""
        ## Method

        * **Gait.** A 70 kg, 1.75 m man walking forward and backward on the level, up and down a
          10 % grade at 0.833 (Cha 2016), 1.0, 1.2 and 1.4 m/s: 24 cases
          (`scenarios/forward_vs_backward_walking.toml`). Gait cycles are generated from
          normative forward patterns (Winter 2009; OpenSim subject01) scaled to size and speed
          (Hof 1996; stride frequency and stance time from Franz & Kram 2012), with grade
          offsets (McIntosh et al. 2006; Lay et al. 2006). Backward gait is the time reversal of
          forward gait (Winter, Pluck & Yang 1989; Grasso, Bianchi & Lacquaniti 1998); backward
          on a grade g is forward on −g reversed. Backward walking at a speed is timed as forward
          walking at a proportionally higher speed (equal cadence at a lower backward speed;
          Laufer 2005), so it has a higher cadence and higher ground-reaction peaks than forward
          walking at the same speed. Ground reactions balance gravity in the tilted frame over a
          stride.
        * **Inverse dynamics.** Planar Newton–Euler from the foot up (Winter 2009, ch. 5),
          segment parameters of de Leva (1996).
        * **Muscle forces.** Static optimisation, minimising Σ aᵢ² (Anderson & Pandy 2001), with
          the muscle geometry of Delp et al. (1990) (OpenSim gait10dof18musc).
        * **Contact.** TF compression = muscle forces along the tibial axis (lines of action from
          van Eijden et al. 1985 and Delp 1990) plus the inverse-dynamics joint force; PF force from
          the quadriceps force and the knee angle; PF contact area of Besier et al. (2005).
        * **Comparison.** Each backward case is paired with the forward case of the same speed and
          grade; peak ratios are geometric means of the per-pair ratios, with a t interval of the
          mean log-ratio (Bland & Altman 1996) across the speeds of a stratum. The interval shows
          how consistent the ratio is across speeds, not a sampling uncertainty of people: every
          case is one deterministic generated gait.

        **Known limits.** The model's absolute TF peaks are too high against the 2.5–2.8 BW
        measured with instrumented knee implants in walking (Kutzner et al. 2010; D'Lima et al.
        2013); the factor is computed below. Read **ratios** between conditions, not absolute
        values. Backward gait here is forward gait reversed in time, not measured
        backward walking; the peaks of such a model move with the reversal by construction.
        """),
        code(SETUP),
        code("""
        results_dir = kneeload.run_scenario("forward_vs_backward_walking", work / "fvb")
        results = kneeload.load_results(results_dir)
        cases, curves, summary = results["cases"], results["curves"], results["summary"]
        table = cases.merge(summary, on="case_id")
        assert table["failure"].isna().all()
        print(f"{len(cases)} cases: directions {sorted(cases.direction.unique())}, grades "
              f"{sorted(cases.grade_pct.unique().tolist())} %, speeds "
              f"{sorted(cases.speed_m_s.unique().tolist())} m/s")
        """),
        md("### Model check: absolute TF peak against in-vivo values"),
        code("""
        level = table.query("direction == 'forward' and grade_pct == 0")
        in_vivo_bw = 2.61  # Kutzner et al. 2010: mean peak resultant TF force, level walking, n=5 TKA
        at_12 = level.query("speed_m_s == 1.2")["peak_tf_compressive_bw"].item()
        factor = level.peak_tf_compressive_bw / in_vivo_bw
        say(f"Forward level walking at 1.2 m/s: model peak TF compression **{at_12:.2f} BW**, "
            f"{at_12 / in_vivo_bw:.1f} times the {in_vivo_bw} BW measured in vivo (Kutzner 2010); "
            f"over the four speeds {level.peak_tf_compressive_bw.min():.2f}–"
            f"{level.peak_tf_compressive_bw.max():.2f} BW ({factor.min():.1f}–{factor.max():.1f} "
            "times in vivo; the slowest speed is highest). Absolute values are therefore not "
            "interpreted below; ratios are.")
        """),
        md("""
        ## Results

        ### Curves over the gait cycle

        Figure 1: forward (blue) and backward (orange) walking on each grade. Bold lines: 3 km/h
        (0.833 m/s, Cha 2016); thin lines: 1.0, 1.2 and 1.4 m/s. The cycle starts at the right
        foot's first contact (heel forward, forefoot backward).
        """),
        code("""
        QUANTITIES = {
            "tf_compressive_bw": "TF compression [BW]",
            "pf_force_bw": "PF force [BW]",
            "quadriceps_activation": "quadriceps activation [-]",
            "knee_moment_nm_kg": "knee moment, extensor + [N·m/kg]",
            "knee_flexion_deg": "knee flexion [deg]",
        }
        per_case = cycle_curves(curves, list(QUANTITIES))
        GRADES = [-10.0, 0.0, 10.0]
        COLOURS = {"forward": "C0", "backward": "C1"}
        figure, axes = plt.subplots(len(QUANTITIES), 3, figsize=(13, 12), sharex=True, sharey="row")
        for column, grade in enumerate(GRADES):
            for row, (quantity, label) in enumerate(QUANTITIES.items()):
                ax = axes[row, column]
                for case in cases.query("grade_pct == @grade").itertuples():
                    bold = case.speed_m_s == 0.833
                    ax.plot(PERCENT_GRID, per_case[quantity].loc[case.case_id],
                            color=COLOURS[case.direction], linewidth=2.2 if bold else 0.7,
                            label=case.direction if bold else None)
                ax.set_ylabel(label if column == 0 else "")
            axes[0, column].set_title(f"grade {grade:+g} %" if grade else "level")
            axes[-1, column].set_xlabel("% gait cycle")
        axes[0, 0].legend()
        figure.suptitle("Figure 1. Forward vs backward walking (bold: 0.833 m/s)")
        figure.tight_layout()
        show(figure)
        """),
        md("""
        ### Peak ratios, backward / forward

        Table 1: peaks of the cycle-averaged curves, backward over forward, per grade (paired
        over the four speeds) and over all 12 pairs.
        """),
        code("""
        from kneeload.compare import compare_results

        comparison = compare_results(results, by="direction", baseline="forward",
                                     quantities=list(QUANTITIES)[:4] + ["grf_vertical_bw"])
        peaks = comparison.peaks
        table1 = peaks[peaks.stratum.isin(["all", "grade_pct=-10", "grade_pct=0", "grade_pct=10"])]
        table1 = table1.assign(
            ratio_95ci=[f"{r:.3f} ({lo:.3f}–{hi:.3f})" for r, lo, hi
                        in zip(table1.ratio, table1.ci_low, table1.ci_high)])
        table1.pivot(index="quantity", columns="stratum", values="ratio_95ci")
        """),
        md("### Stance and foot contact"),
        code("""
        stance = table.pivot_table(index=["grade_pct", "speed_m_s"], columns="direction",
                                   values="stance_fraction")
        stance["backward / forward"] = stance["backward"] / stance["forward"]
        (100 * stance[["forward", "backward"]]).round(1).join(stance["backward / forward"].round(3))
        """),
        md("""
        Where the foot lands: `kneeload.direction.detect_direction` reads the first contact point
        from the centre of pressure along the foot (rear, middle or front third of its travel in
        stance) and its progression, on the generated cycles at 0.833 m/s.
        """),
        code("""
        from kneeload import GaitSpec, Subject
        from kneeload.direction import detect_direction
        from kneeload.gait.generator import generate_cycles

        rows = []
        for grade in GRADES:
            for direction in ("forward", "backward"):
                spec = GaitSpec("walk", direction, 0.833, grade, Subject(70.0, 1.75))
                found = detect_direction(generate_cycles(spec, strides=3).leg("right"))
                contact = found.contacts[1]  # a whole contact inside the record
                rows.append({"grade_pct": grade, "direction": direction,
                             "detected_direction": found.direction,
                             "first_contact": found.first_contact,
                             "cop_at_contact_from_ankle_m": contact.cop_from_ankle_m,
                             "cop_progression": found.cop_progression,
                             "cop_travel_m": contact.cop_progression_m})
        contacts = pd.DataFrame(rows)
        contacts
        """),
        md("### The Cha (2016) protocol: 3 km/h, 10 % grade"),
        code("""
        def ratio(column, grade=10.0, speed=0.833):
            pick = table.query("grade_pct == @grade and speed_m_s == @speed").set_index("direction")
            return pick.loc["backward", column] / pick.loc["forward", column]

        cha = {c: ratio(c) for c in ["peak_tf_compressive_bw", "peak_pf_force_bw",
                                     "peak_quadriceps_activation", "peak_knee_extensor_moment_nm_kg",
                                     "stance_fraction", "cadence_steps_min"]}
        pick = table.query("grade_pct == 10 and speed_m_s == 0.833").set_index("direction")
        cop = contacts.query("grade_pct == 10").set_index("direction")["cop_at_contact_from_ankle_m"]
        all_tf = table1.query("quantity == 'tf_compressive_bw' and stratum == 'all'").iloc[0]
        all_pf = table1.query("quantity == 'pf_force_bw' and stratum == 'all'").iloc[0]
        all_q = table1.query("quantity == 'quadriceps_activation' and stratum == 'all'").iloc[0]

        def pct(r):
            return f"{100 * (r - 1):+.0f} %"

        say(f\"\"\"
        At 3 km/h on a 10 % uphill grade, walking backward instead of forward changes

        * peak TF compression from {pick.loc['forward', 'peak_tf_compressive_bw']:.2f} to
          {pick.loc['backward', 'peak_tf_compressive_bw']:.2f} BW (ratio {cha['peak_tf_compressive_bw']:.3f},
          {pct(cha['peak_tf_compressive_bw'])});
        * peak PF force from {pick.loc['forward', 'peak_pf_force_bw']:.2f} to
          {pick.loc['backward', 'peak_pf_force_bw']:.2f} BW (ratio {cha['peak_pf_force_bw']:.3f},
          {pct(cha['peak_pf_force_bw'])});
        * peak quadriceps activation from {pick.loc['forward', 'peak_quadriceps_activation']:.3f} to
          {pick.loc['backward', 'peak_quadriceps_activation']:.3f} (ratio {cha['peak_quadriceps_activation']:.3f});
          peak knee extensor moment ratio {cha['peak_knee_extensor_moment_nm_kg']:.3f};
        * stance from {100 * pick.loc['forward', 'stance_fraction']:.1f} % to
          {100 * pick.loc['backward', 'stance_fraction']:.1f} % of the cycle, cadence ratio
          {cha['cadence_steps_min']:.3f};
        * first contact: centre of pressure {1000 * cop['forward']:.0f} mm ahead of the ankle
          forward ({contacts.query("grade_pct == 10 and direction == 'forward'").first_contact.item()}),
          {1000 * cop['backward']:.0f} mm backward
          ({contacts.query("grade_pct == 10 and direction == 'backward'").first_contact.item()} by the
          thirds rule), progressing {contacts.query("grade_pct == 10 and direction == 'backward'").cop_progression.item()}.

        Over all 12 speed–grade pairs the backward/forward peak ratio is
        {all_tf.ratio:.3f} (95 % CI {all_tf.ci_low:.3f}–{all_tf.ci_high:.3f}) for TF compression,
        {all_pf.ratio:.3f} ({all_pf.ci_low:.3f}–{all_pf.ci_high:.3f}) for PF force and
        {all_q.ratio:.3f} ({all_q.ci_low:.3f}–{all_q.ci_high:.3f}) for quadriceps activation.
        \"\"\")
        """),
        md("""
        Where the muscles of the model cannot carry the joint moments, static optimisation leaves
        a reserve moment that never enters a contact force, so the contact load there is a lower
        bound. The reserves of the cases at 3 km/h:
        """),
        code("""
        slow = cases.query("speed_m_s == 0.833")[["case_id", "direction", "grade_pct"]]
        reserves = curves[curves.case_id.isin(slow.case_id)].groupby("case_id").agg(
            frames_at_capacity=("muscle_capacity_exceeded", "sum"),
            max_reserve_hip_nm=("reserve_hip_nm", lambda x: x.abs().max()),
            max_reserve_knee_nm=("reserve_knee_nm", lambda x: x.abs().max()),
            max_reserve_ankle_nm=("reserve_ankle_nm", lambda x: x.abs().max()),
        )
        reserve_table = slow.merge(reserves, on="case_id").drop(columns="case_id")
        reserve_table.sort_values(["grade_pct", "direction"]).round(1)
        """),
        md("## Discussion"),
        code("""
        lower_tf = {g: ratio("peak_tf_compressive_bw", g) < 1 for g in GRADES}
        lower_pf = {g: ratio("peak_pf_force_bw", g) < 1 for g in GRADES}
        higher_q = {g: ratio("peak_quadriceps_activation", g) > 1 for g in GRADES}
        longer = {g: ratio("stance_fraction", g) > 1 for g in GRADES}

        def where(flags):
            yes = [f"{g:+g} %" if g else "level" for g, v in flags.items() if v]
            return ", ".join(yes) if yes else "none of the grades"

        cops = contacts.pivot(index="grade_pct", columns="direction",
                              values="cop_at_contact_from_ankle_m")
        ahead = bool((cops["backward"] > cops["forward"]).all())
        backward_points = ", ".join(
            f"{r.first_contact} {'at ' + format(r.grade_pct, '+g') + ' %' if r.grade_pct else 'on the level'}"
            for r in contacts.query("direction == 'backward'").itertuples())

        say(f\"\"\"
        At 0.833 m/s, backward walking gave a lower peak TF compression at {where(lower_tf)},
        a lower peak PF force at {where(lower_pf)}, a higher peak quadriceps activation at
        {where(higher_q)} and a longer stance at {where(longer)}. At first contact the centre
        of pressure lies {1000 * cops['backward'].min():.0f}–{1000 * cops['backward'].max():.0f} mm
        ahead of the ankle backward against {1000 * cops['forward'].min():.0f}–{1000 * cops['forward'].max():.0f} mm
        forward ({'further forward at every grade' if ahead else 'not further forward at every grade'}),
        and rolls toe to heel; by the thirds rule the backward first contacts are classed
        {backward_points} (forward: {", ".join(sorted(set(contacts.query("direction == 'forward'").first_contact)))}).

        Two cautions. First, backward gait here is forward gait reversed in time, and backward on
        a grade is forward on the opposite grade reversed: the backward kinematics inherit the
        forward ones by construction, while measured backward walking differs in its details
        (Thorstensson 1986; Grasso et al. 1998), so these ratios are a model's prediction.
        Second, absolute TF peaks are {factor.min():.1f}–{factor.max():.1f} times the in-vivo
        values in forward level walking, so only the ratios above should be carried over, and
        then as model predictions for one subject, not a population estimate. Third, the hip
        muscles of the model fall short by up to {reserve_table.max_reserve_hip_nm.max():.0f} N·m
        (reserve) and the knee muscles by up to {reserve_table.max_reserve_knee_nm.max():.0f} N·m
        at 3 km/h; a muscle force missing there is missing from the contact force too.
        \"\"\")
        """),
        md("""
        ## References

        Anderson FC, Pandy MG (2001) J Biomech Eng 123:381–390. · Besier TF et al. (2005) J Orthop
        Res 23:345–350. · Bland JM, Altman DG (1996) BMJ 312:1079. · Cha HG, Kim TH, Kim
        MK (2016) J Phys Ther Sci 28:1901–1903. · de Leva P (1996) J Biomech 29:1223–1230. · Delp SL
        et al. (1990) IEEE TBME 37:757–767. · D'Lima DD et al. (≈2013) Arthritis Res Ther, article ar4138. ·
        Franz JR, Kram R (2012) Gait Posture 35:143–147. · Grasso R, Bianchi L, Lacquaniti F (1998) J
        Neurophysiol 80:1868–1885. · Hof AL (1996) Gait Posture 4:222–223. · Kutzner I et al.
        (2010) J Biomech 43:2164–2173. · Lay AN et al. (2006) J Biomech 39:1621–1628. · McIntosh AS
        et al. (2006) J Biomech 39:2491–2502. · Thorstensson A (1986) Exp Brain Res
        61:664–668. · Laufer Y (2005) J Gerontol A 60:627–632. · van Eijden TM et al. (1985) J Biomech 18:803–809. · Winter DA (2009)
        Biomechanics and motor control of human movement, 4th ed. · Winter DA, Pluck N, Yang JF
        (1989) J Mot Behav 21:291–305.
        """),
        code(CLEANUP),
    ]


# --------------------------------------------------------------------------------------------
def incline() -> list[nbformat.NotebookNode]:
    return [
        md("""
        # Knee loads across surface grade, forward and backward

        `scenarios/incline_sweep.toml`: grade −20 … +20 % in 4 % steps (> 0 uphill for the
        traveller), forward and backward walking at 0.833 m/s (3 km/h) and 1.2 m/s, a 70 kg,
        1.75 m man: 44 cases. The grade offsets of the joint angles and the stride timing come
        from tables up to ±9° (≈ ±15.8 %; Franz & Kram 2012, McIntosh et al. 2006); beyond them
        the generator holds the tables' end values (shaded in the figures) while the ground
        reaction still follows the grade, so trends there are less certain. Absolute TF peaks of the model
        are about twice in-vivo values (see `02_forward_vs_backward`): read the trends and ratios.
        """),
        code(SETUP),
        code("""
        results_dir = kneeload.run_scenario("incline_sweep", work / "incline")
        results = kneeload.load_results(results_dir)
        cases, curves, summary = results["cases"], results["curves"], results["summary"]
        table = cases.merge(summary, on="case_id")
        assert table["failure"].isna().all()
        print(f"{len(table)} cases")
        """),
        md("## Peaks against grade"),
        code("""
        PEAKS = {
            "peak_tf_compressive_bw": "peak TF compression [BW]",
            "peak_pf_force_bw": "peak PF force [BW]",
            "peak_quadriceps_activation": "peak quadriceps activation [-]",
            "peak_knee_extensor_moment_nm_kg": "peak knee extensor moment [N·m/kg]",
            "peak_grf_vertical_bw": "peak normal GRF [BW]",
            "stance_fraction": "stance [% gait cycle]",
        }
        TABLE_LIMIT_PCT = 100 * np.tan(np.radians(9.0))  # end of the grade tables (±9°)
        figure, axes = plt.subplots(2, 3, figsize=(14, 7.5), sharex=True)
        for ax, (column, label) in zip(axes.flat, PEAKS.items()):
            for (direction, speed), part in table.groupby(["direction", "speed_m_s"]):
                part = part.sort_values("grade_pct")
                scale = 100 if column == "stance_fraction" else 1
                ax.plot(part.grade_pct, scale * part[column], marker="o", markersize=3,
                        color="C0" if direction == "forward" else "C1",
                        linestyle="-" if speed > 1 else "--", label=f"{direction}, {speed:g} m/s")
            for side in (-1, 1):
                ax.axvspan(side * TABLE_LIMIT_PCT, side * 21, color="0.9", zorder=0)
            ax.set_ylabel(label)
            ax.set_xlim(-21, 21)
        for ax in axes[-1]:
            ax.set_xlabel("grade [%] (> 0 uphill)")
        axes[0, 0].legend(fontsize="small")
        figure.suptitle("Figure 1. Peaks against grade (shaded: beyond the grade tables, their end values held)")
        figure.tight_layout()
        show(figure)
        """),
        md("## Table: peaks by grade, and backward / forward"),
        code("""
        wide = table.pivot_table(index="grade_pct", columns=["speed_m_s", "direction"],
                                 values=["peak_tf_compressive_bw", "peak_pf_force_bw"])
        wide.round(2)
        """),
        code("""
        ratios = {}
        for column in ["peak_tf_compressive_bw", "peak_pf_force_bw", "peak_quadriceps_activation",
                       "stance_fraction"]:
            pivot = table.pivot_table(index="grade_pct", columns=["speed_m_s", "direction"],
                                      values=column)
            for speed in sorted(table.speed_m_s.unique()):
                ratios[(column, speed)] = pivot[(speed, "backward")] / pivot[(speed, "forward")]
        ratio_table = pd.DataFrame(ratios)
        ratio_table.columns.names = ["backward / forward", "speed_m_s"]
        ratio_table.round(3)
        """),
        md("## Curves at three grades"),
        code("""
        per_case = cycle_curves(curves, ["tf_compressive_bw", "pf_force_bw"])
        figure, axes = plt.subplots(2, 3, figsize=(14, 6.5), sharex=True, sharey="row")
        for column, grade in enumerate([-12.0, 0.0, 12.0]):
            for case in cases.query("grade_pct == @grade and speed_m_s == 1.2").itertuples():
                for row, quantity in enumerate(["tf_compressive_bw", "pf_force_bw"]):
                    axes[row, column].plot(PERCENT_GRID, per_case[quantity].loc[case.case_id],
                                           color="C0" if case.direction == "forward" else "C1",
                                           label=case.direction)
            axes[0, column].set_title(f"grade {grade:+g} %, 1.2 m/s")
            axes[1, column].set_xlabel("% gait cycle")
        axes[0, 0].set_ylabel("TF compression [BW]")
        axes[1, 0].set_ylabel("PF force [BW]")
        axes[0, 0].legend()
        figure.suptitle("Figure 2. Load curves, downhill, level and uphill")
        figure.tight_layout()
        show(figure)
        """),
        md("## In numbers"),
        code("""
        def peak(direction, speed, grade, column="peak_tf_compressive_bw"):
            return table.query("direction == @direction and speed_m_s == @speed and "
                               "grade_pct == @grade")[column].item()

        lines = []
        for speed in (0.833, 1.2):
            for direction in ("forward", "backward"):
                level_tf = peak(direction, speed, 0.0)
                level_pf = peak(direction, speed, 0.0, "peak_pf_force_bw")
                lines.append(
                    f"* {direction}, {speed:g} m/s: TF peak {level_tf:.2f} BW on the level, "
                    f"×{peak(direction, speed, 12.0) / level_tf:.2f} at +12 % and "
                    f"×{peak(direction, speed, -12.0) / level_tf:.2f} at −12 %; PF peak "
                    f"{level_pf:.2f} BW on the level, ×{peak(direction, speed, 12.0, 'peak_pf_force_bw') / level_pf:.2f} "
                    f"at +12 %, ×{peak(direction, speed, -12.0, 'peak_pf_force_bw') / level_pf:.2f} at −12 %.")
        tf_ratio = ratio_table[("peak_tf_compressive_bw", 0.833)]
        pf_ratio = ratio_table[("peak_pf_force_bw", 0.833)]
        say("Peaks relative to level walking:\\n\\n" + "\\n".join(lines) + "\\n\\n"
            f"At 0.833 m/s the backward/forward TF peak ratio is lowest at {tf_ratio.idxmin():+g} % "
            f"({tf_ratio.min():.3f}) and highest at {tf_ratio.idxmax():+g} % ({tf_ratio.max():.3f}); "
            f"the PF ratio is lowest at {pf_ratio.idxmin():+g} % ({pf_ratio.min():.3f}) and highest "
            f"at {pf_ratio.idxmax():+g} % ({pf_ratio.max():.3f}). Between the shaded limits the "
            "joint-angle and timing trends come from the grade tables; beyond them those are "
            "held at the tables' ends and only the ground reaction follows the grade.")
        """),
        code(CLEANUP),
    ]


# --------------------------------------------------------------------------------------------
def arthritis() -> list[nbformat.NotebookNode]:
    return [
        md("""
        # Medial knee osteoarthritis: forward vs backward, level vs incline

        Is backward walking, or an incline, easier on a knee with medial osteoarthritis (OA) than
        forward walking, and by how much over a training programme?

        * **Conditions** (`models/conditions/`, each parameter with its sources): `healthy`,
          `medial_oa_mild` (KL 2) and `medial_oa_severe` (KL 3–4). A condition changes the
          generated gait and the muscle strategy (varus alignment and a longer frontal-plane
          lever arm, less knee flexion in loading response, co-contraction, weaker quadriceps;
          Mündermann 2005, Hunt 2006, Schmitt & Rudolph 2007, Zeni & Higginson 2009, Heiden
          2009, Butler 2011); it never edits the outputs.
        * **Frontal plane**: the external knee adduction moment (KAM, %BW·height, > 0 varus) and
          the medial/lateral split of TF compression (`tf_medial_bw`, `tf_medial_share`).
        * **Cases**: `scenarios/oa_programme.toml`, 3 km/h (0.833 m/s), forward and backward on a
          10 % grade and on the level, three conditions: 12 cases, one subject (70 kg, 1.75 m).
        * Absolute TF peaks of the model are about twice in-vivo values (see
          `02_forward_vs_backward`): read ratios.
        """),
        code(SETUP),
        code("""
        from kneeload.scenario import load_scenario

        programme_scenario = load_scenario("oa_programme")
        results_dir = kneeload.run_scenario(programme_scenario, work / "oa")
        results = kneeload.load_results(results_dir)
        cases, curves, summary = results["cases"], results["curves"], results["summary"]
        assert summary["failure"].isna().all()
        CONDITIONS = ["healthy", "medial_oa_mild", "medial_oa_severe"]
        GAITS = [("forward", 0.0), ("forward", 10.0), ("backward", 10.0), ("backward", 0.0)]
        print(f"{len(cases)} cases; programme: {programme_scenario.programme}")
        """),
        md("""
        ## Curves

        Figure 1: KAM, medial compartment force, total TF compression and the medial share of
        it, per condition, for each gait.
        """),
        code("""
        QUANTITIES = {
            "knee_adduction_moment_pct_bw_ht": "KAM [%BW·Ht]",
            "tf_medial_bw": "TF medial [BW]",
            "tf_compressive_bw": "TF total [BW]",
            "tf_medial_share": "medial share [-]",
        }
        per_case = cycle_curves(curves, list(QUANTITIES))
        figure, axes = plt.subplots(len(QUANTITIES), len(GAITS), figsize=(15, 11), sharex=True,
                                    sharey="row")
        for column, (direction, grade) in enumerate(GAITS):
            for index, condition in enumerate(CONDITIONS):
                case_id = cases.query("direction == @direction and grade_pct == @grade and "
                                      "condition == @condition").case_id.item()
                for row, quantity in enumerate(QUANTITIES):
                    axes[row, column].plot(PERCENT_GRID, per_case[quantity].loc[case_id],
                                           color=f"C{index}", label=condition)
            axes[0, column].set_title(f"{direction}, grade {grade:+g} %")
            axes[-1, column].set_xlabel("% gait cycle")
        for row, label in enumerate(QUANTITIES.values()):
            axes[row, 0].set_ylabel(label)
        axes[0, 0].legend(fontsize="small")
        figure.suptitle("Figure 1. Healthy vs medial OA at 0.833 m/s")
        figure.tight_layout()
        show(figure)
        """),
        md("""
        ## Peaks: KAM and medial share

        Per case: the first KAM peak and the KAM impulse over stance (`kneeload.metrics.load_metrics`),
        peaks of medial and total TF compression and of PF force, and the medial share at the
        TF peak and averaged over stance (frames with a vertical ground reaction above the
        contact threshold).
        """),
        code("""
        from kneeload.config import GRF_CONTACT_THRESHOLD_N
        from kneeload.metrics import load_metrics

        rows = []
        for case in cases.itertuples():
            frames = curves[curves.case_id == case.case_id]
            m = load_metrics(frames, ["knee_adduction_moment_pct_bw_ht", "tf_medial_bw",
                                      "tf_compressive_bw", "pf_force_bw"], speed_m_s=case.speed_m_s)
            whole = frames[frames.stride > 0]
            stance = whole[whole.grf_vertical_n > GRF_CONTACT_THRESHOLD_N]
            at_peak = whole.loc[whole.tf_compressive_bw.idxmax()]
            rows.append({
                "condition": case.condition, "direction": case.direction, "grade_pct": case.grade_pct,
                "kam_first_peak_pct_bw_ht": m["knee_adduction_moment_first_peak_pct_bw_ht"],
                "kam_impulse_pct_bw_ht_s": m["knee_adduction_moment_impulse_pct_bw_ht_s"],
                "tf_medial_peak_bw": stance.tf_medial_bw.max(),
                "tf_peak_bw": stance.tf_compressive_bw.max(),
                "pf_peak_bw": stance.pf_force_bw.max(),
                "medial_share_at_tf_peak": at_peak.tf_medial_share,
                "medial_share_stance_mean": stance.tf_medial_share.mean(),
            })
        peaks = pd.DataFrame(rows).set_index(["direction", "grade_pct", "condition"]).sort_index()
        peaks
        """),
        code("""
        def value(column, condition, direction="forward", grade=0.0):
            return peaks.loc[(direction, grade, condition), column]

        kam_h, kam_s = value("kam_first_peak_pct_bw_ht", "healthy"), value("kam_first_peak_pct_bw_ht", "medial_oa_severe")
        kam_m = value("kam_first_peak_pct_bw_ht", "medial_oa_mild")
        share_h = value("medial_share_stance_mean", "healthy")
        share_s = value("medial_share_stance_mean", "medial_oa_severe")
        med = {c: value("tf_medial_peak_bw", c) / value("tf_medial_peak_bw", "healthy") for c in CONDITIONS}
        back = {c: value("tf_medial_peak_bw", c, "backward", 10.0) / value("tf_medial_peak_bw", c, "forward", 10.0)
                for c in CONDITIONS}
        back_kam = {c: value("kam_first_peak_pct_bw_ht", c, "backward", 10.0)
                    / value("kam_first_peak_pct_bw_ht", c, "forward", 10.0) for c in CONDITIONS}
        say(f\"\"\"
        Forward level walking at 0.833 m/s: first KAM peak {kam_h:.2f} %BW·Ht healthy,
        {kam_m:.2f} mild and {kam_s:.2f} severe medial OA (severe / healthy {kam_s / kam_h:.2f});
        medial share of TF compression over stance {share_h:.2f} healthy and {share_s:.2f} severe.
        Peak medial compartment force relative to healthy: mild {med['medial_oa_mild']:.2f},
        severe {med['medial_oa_severe']:.2f}.

        On the 10 % grade, backward / forward peak medial force: healthy {back['healthy']:.3f},
        mild {back['medial_oa_mild']:.3f}, severe {back['medial_oa_severe']:.3f}; first KAM peak:
        healthy {back_kam['healthy']:.3f}, mild {back_kam['medial_oa_mild']:.3f}, severe
        {back_kam['medial_oa_severe']:.3f}.
        \"\"\")
        """),
        md("""
        OA against healthy, and backward against forward, as peak-ratio tables
        (`kneeload.compare`). Each OA case is paired with the healthy case of the same direction
        and grade; the interval spans the four gaits, not people.
        """),
        code("""
        from kneeload.compare import compare_results

        CURVE_PEAKS = ["knee_adduction_moment_pct_bw_ht", "tf_medial_bw", "tf_compressive_bw",
                       "pf_force_bw"]
        by_condition = compare_results(results, by="condition", baseline="healthy",
                                       quantities=CURVE_PEAKS)
        shown = by_condition.peaks.query("stratum == 'all'")
        shown[["quantity", "group", "n_group", "ratio", "ci_low", "ci_high"]]
        """),
        code("""
        uphill = cases.query("grade_pct == 10")
        incline = {"cases": uphill, "curves": curves[curves.case_id.isin(uphill.case_id)]}
        by_direction = compare_results(incline, by="direction", baseline="forward",
                                       quantities=CURVE_PEAKS)
        shown = by_direction.peaks[by_direction.peaks.stratum.str.startswith("condition")]
        shown[["quantity", "stratum", "ratio", "ci_low", "ci_high"]]
        """),
        md("""
        ## Curve statistics (SPM)

        A generated case is deterministic: generating the same case again gives the same curve,
        so a group of identical cases has zero variance and no statistical test is possible. The
        12 cases above are one curve per cell. `kneeload.stats.curve_test` refuses such groups:
        """),
        code("""
        from kneeload.exceptions import InputError
        from kneeload.stats import curve_test

        one = per_case["tf_medial_bw"].loc[cases.query(
            "condition == 'healthy' and direction == 'forward' and grade_pct == 0").case_id].to_numpy()
        try:
            curve_test(np.repeat(one, 3, axis=0), np.repeat(one * 1.1, 3, axis=0))
        except InputError as error:
            print("InputError:", error)
        """),
        md("""
        Variance comes from sampling what differs between people. Here 10 subjects are drawn
        (mass, stature, speed, and two model parameters not known for a person: moment-arm and
        intercondylar-distance scale factors), and each walks forward on the level with a healthy
        and a severe medial-OA knee: 20 cases, paired by subject. Non-parametric SPM paired
        t-tests (spm1d; Pataky 2012; Nichols & Holmes 2002: all 2¹⁰ sign flips) over 0–55 % of the
        cycle (stance), with the significant regions shaded. The permutation test is used because
        some nodes carry no variance even here: where the lateral compartment is unloaded in both
        knees the medial share is 1 for every case, and the parametric test refuses such nodes;
        the permutation test leaves them out. This shows the tool, and
        answers "does the condition change the curve more than the sampled spread" for the
        model, not a question about real patients.
        """),
        code('''
        sampled_toml = work / "sampled.toml"
        sampled_toml.write_text("""
        [meta]
        name = "oa_sampled"

        [sweep]
        kind = "samples"
        n = 10
        seed = 2016

        [gait]
        mode = "walk"
        direction = "forward"
        speed_m_s = { distribution = "truncated_normal", mean = 1.0, sd = 0.1, low = 0.8, high = 1.2 }
        grade_pct = 0.0
        condition = ["healthy", "medial_oa_severe"]

        [subject]
        mass_kg = { distribution = "truncated_normal", mean = 75.0, sd = 10.0, low = 55.0, high = 100.0 }
        height_m = { distribution = "truncated_normal", mean = 1.72, sd = 0.07, low = 1.58, high = 1.88 }

        [model]
        moment_arm_scale = { distribution = "uniform", low = 0.9, high = 1.1 }
        intercondylar_distance_scale = { distribution = "uniform", low = 0.85, high = 1.15 }
        """)
        sampled = kneeload.load_results(kneeload.run_scenario(sampled_toml, work / "sampled"))
        assert sampled["summary"]["failure"].isna().all()
        print(len(sampled["cases"]), "cases")
        '''),
        code("""
        from kneeload.plotting import group_curves, plot_groups
        from kneeload.stats import effect_size, pair_cases

        SPM_QUANTITIES = ["knee_adduction_moment_pct_bw_ht", "tf_medial_bw", "tf_compressive_bw",
                          "tf_medial_share"]
        s_cases = sampled["cases"]
        s_curves = cycle_curves(sampled["curves"], SPM_QUANTITIES)
        pairs = pair_cases(s_cases, "condition", "medial_oa_severe", "healthy")
        assert pairs is not None  # every subject walks with both knees
        tests, effects = {}, []
        for quantity in SPM_QUANTITIES:
            oa = s_curves[quantity].loc[pairs.case_id_a].to_numpy()
            healthy = s_curves[quantity].loc[pairs.case_id_b].to_numpy()
            tests[quantity] = curve_test(oa, healthy, paired=True, nonparametric=True,
                                         percent_range=(0.0, 55.0))
            oa_peak, healthy_peak = np.nanmax(oa[:, :56], axis=1), np.nanmax(healthy[:, :56], axis=1)
            try:
                es = effect_size(oa_peak, healthy_peak, paired=True)
                g = {"hedges_g": es.hedges_g, "g_ci_low": es.ci_low, "g_ci_high": es.ci_high}
            except InputError:  # peaks equal in every pair (e.g. medial share 1): no SD
                g = {"hedges_g": np.nan, "g_ci_low": np.nan, "g_ci_high": np.nan}
            effects.append({"quantity": quantity, "n_pairs": len(pairs),
                            "peak_difference": float(np.mean(oa_peak - healthy_peak)),
                            "sd_difference": float(np.std(oa_peak - healthy_peak, ddof=1)), **g,
                            "snpm_threshold_t": tests[quantity].threshold,
                            "significant_regions_pct": "; ".join(
                                f"{c.start_pct:.0f}–{c.end_pct:.0f} (p={c.p:.2g})"
                                for c in tests[quantity].clusters) or "none"})
        masks = {q: np.pad(t.significant, (0, 101 - len(t.significant))) for q, t in tests.items()}
        groups = {q: group_curves(s_curves[q], s_cases, ["condition"]) for q in SPM_QUANTITIES}
        figure = plot_groups(groups, masks, title="Figure 2. Severe medial OA vs healthy, 10 sampled subjects (paired SnPM over 0–55 %)")
        for ax, quantity in zip(figure.axes, SPM_QUANTITIES):
            ax.set_ylabel(QUANTITIES[quantity])
        show(figure)
        effects = pd.DataFrame(effects)
        effects
        """),
        md("""
        The standardised effect sizes are very large because the condition shifts every sampled
        subject's peak by nearly the same amount (compare `peak_difference` with
        `sd_difference`): in the model, the profile's parameters are the same for everyone. They
        describe the model population, not the spread of real patients.

        ## Cumulative load over the Cha (2016) programme

        `kneeload.metrics.programme_loads`: 20 min a session, 5 sessions a week for 4 weeks.
        Cumulative load = impulse per step × steps (Miller et al. 2014), counted for this knee
        (one stance per stride); and a cumulative-load index Σ peakᵏ over the steps (k = 1 and
        k = 4, Carter et al. 1987).
        """),
        code("""
        from kneeload.metrics import programme_loads

        programme = programme_loads(results, programme_scenario.programme)
        columns = ["condition", "direction", "grade_pct", "steps_per_session",
                   "tf_compressive_per_session_bw_s", "tf_medial_per_session_bw_s",
                   "pf_force_per_session_bw_s", "tf_compressive_per_programme_bw_s",
                   "tf_medial_per_programme_bw_s", "pf_force_per_programme_bw_s"]
        loads = programme[columns].sort_values(["condition", "direction", "grade_pct"])
        loads.round(0)
        """),
        code("""
        figure, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=False)
        labels = [f"{d} {g:+g} %" for d, g in GAITS[:3]]
        width = 0.27
        for ax, (column, title) in zip(axes, [
            ("tf_compressive_per_programme_bw_s", "TF total"),
            ("tf_medial_per_programme_bw_s", "TF medial"),
            ("pf_force_per_programme_bw_s", "PF")]):
            for index, condition in enumerate(CONDITIONS):
                heights = [programme.query("condition == @condition and direction == @d and "
                                           "grade_pct == @g")[column].item() / 1e3
                           for d, g in GAITS[:3]]
                ax.bar(np.arange(3) + (index - 1) * width, heights, width, label=condition)
            ax.set_xticks(np.arange(3), labels)
            ax.set_title(title)
            ax.set_ylabel("cumulative load per programme [10³ BW·s]")
        axes[0].legend(fontsize="small")
        figure.suptitle("Figure 3. Cumulative load over 20 sessions of 20 min (impulse × steps)")
        figure.tight_layout()
        show(figure)
        """),
        code("""
        def per_programme(column, condition, direction, grade):
            return programme.query("condition == @condition and direction == @direction and "
                                   "grade_pct == @grade")[column].item()

        lines = []
        for condition in CONDITIONS:
            parts = []
            for column, name in [("tf_compressive_per_programme_bw_s", "TF"),
                                 ("tf_medial_per_programme_bw_s", "medial"),
                                 ("pf_force_per_programme_bw_s", "PF")]:
                b10 = per_programme(column, condition, "backward", 10.0)
                f10 = per_programme(column, condition, "forward", 10.0)
                f0 = per_programme(column, condition, "forward", 0.0)
                parts.append(f"{name} {b10 / 1e3:.1f}·10³ BW·s backward uphill, "
                             f"×{b10 / f10:.2f} of forward uphill, ×{b10 / f0:.2f} of forward level")
            lines.append(f"* **{condition}**: " + "; ".join(parts) + ".")
        sessions = programme_scenario.programme.sessions
        steps_b = per_programme("steps_per_session", "healthy", "backward", 10.0)
        steps_f = per_programme("steps_per_session", "healthy", "forward", 10.0)
        say(f"Over the {sessions} sessions of the programme:\\n\\n" + "\\n".join(lines)
            + f"\\n\\nPart of the difference is the number of steps, not the load per step: "
            f"in 20 min at the same speed the healthy knee takes {steps_b:.0f} stances backward "
            f"uphill and {steps_f:.0f} forward uphill (×{steps_b / steps_f:.2f}; shorter strides).")
        """),
        md("""
        ## Discussion

        The OA profiles change the KAM and the medial share through their inputs (alignment and
        lever arm, gait and muscle strategy), not by editing outputs. Whether backward walking on
        the incline unloads the medial compartment is read from the ratios above; they inherit the
        model's limits: backward gait is forward gait reversed in time, OA gait differs from
        healthy only by the published parameters of the profiles, and absolute TF loads are well
        above in-vivo values (see `02_forward_vs_backward`). The SPM result speaks about the
        sampled model population only.
        """),
        code("""
        severe_kam = by_condition.peaks.query(
            "stratum == 'all' and group == 'medial_oa_severe' and quantity == 'knee_adduction_moment_pct_bw_ht'").iloc[0]
        severe_med = by_condition.peaks.query(
            "stratum == 'all' and group == 'medial_oa_severe' and quantity == 'tf_medial_bw'").iloc[0]
        uphill_medial = programme.query("grade_pct == 10").pivot(
            index="condition", columns="direction", values="tf_medial_per_programme_bw_s")
        lower = [c for c in CONDITIONS if uphill_medial.loc[c, "backward"] < uphill_medial.loc[c, "forward"]]
        say(f"In numbers: severe OA / healthy peak KAM {severe_kam.ratio:.2f} "
            f"({severe_kam.ci_low:.2f}–{severe_kam.ci_high:.2f}) and peak medial force "
            f"{severe_med.ratio:.2f} ({severe_med.ci_low:.2f}–{severe_med.ci_high:.2f}) over the four "
            f"gaits. Backward uphill gave a lower medial cumulative load per programme than forward "
            f"uphill for: {', '.join(lower) if lower else 'none of the three knees'}.")
        """),
        code(CLEANUP),
    ]


BUILDERS = {
    "01_quickstart": quickstart,
    "02_forward_vs_backward": forward_vs_backward,
    "03_incline": incline,
    "04_arthritis": arthritis,
}


def build(name: str, run: bool) -> Path:
    """Write ``notebooks/<name>.ipynb``, executed when ``run``; returns its path."""
    notebook = new_notebook(cells=BUILDERS[name]())
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    if run:
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_S,
            kernel_name="python3",
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        path = NOTEBOOKS / f"{name}.ipynb"
        try:
            client.execute()
        finally:  # on an error too, to see where it stopped
            nbformat.write(notebook, path)
        return path
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="build only notebooks whose name starts so")
    parser.add_argument("--no-run", action="store_true", help="do not execute")
    args = parser.parse_args(argv)
    for name in BUILDERS:
        if args.only and not any(name.startswith(p) for p in args.only):
            continue
        start = time.perf_counter()
        path = build(name, not args.no_run)
        print(f"{path.name}: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
