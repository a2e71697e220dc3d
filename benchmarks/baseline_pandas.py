"""The second baseline: ``policy.mastery`` as a pandas group-by script.

This is what a district data team would write for a nightly job over a whole school: one data
frame of evidence, ``groupby`` per learner and competency, ``ewm(adjust=False)`` for the decaying
average (its recurrence is exactly the language's ``decaying_average``), the most frequent score
for habits, vectorised sufficiency rules, a wide learner × competency table for the
requirements, and, for pace, a self-join that evaluates every proficient competency as of each
of its evidence dates.

Scores are floats here. The generated scores are whole and half points and the weight is 75%,
so every value the policy computes is a short binary fraction and floats hold it exactly; the
benchmark checks that this script agrees with the engine before timing it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from benchmarks.baseline_python import Summary, shift_months
from benchmarks.generate import AS_OF, COMPETENCIES, EvidenceRow

__all__ = ["evaluate_frame", "frame_from_rows", "summaries"]

_KEY_KINDS = ["performance_task", "common_assessment"]
_W = 0.75
_REST = 1 - _W
_STATUS = np.array(["not_started", "insufficient", "developing", "proficient"], dtype=object)
_NOT_STARTED, _INSUFFICIENT, _DEVELOPING, _PROFICIENT = range(4)


def frame_from_rows(rows: Iterable[EvidenceRow]) -> pd.DataFrame:
    """Evidence rows as a data frame (``learner``, ``competency``, ``score``, ``day``, ``kind``)."""
    records = [(r.learner, r.competency, float(r.score), r.day, r.kind) for r in rows]
    frame = pd.DataFrame.from_records(
        records, columns=["learner", "competency", "score", "day", "kind"]
    )
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


def _assess(counted: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Status code and score (in hundredths) per group of ``keys`` for counted evidence that is
    already sorted by ``keys``, day and score."""
    habit = counted["competency"].str.startswith("HOW.")
    grouped = counted.groupby(keys, sort=False)
    # The decaying average in closed form: the i-th of n scores (from 0) weighs
    # w·(1 − w)^(n − 1 − i), the oldest (1 − w)^(n − 1). Same values as
    # ``ewm(alpha=w, adjust=False).mean()``, without its per-group cost.
    position = grouped.cumcount().to_numpy()
    size = grouped["score"].transform("size").to_numpy()
    weight = np.where(position == 0, _REST ** (size - 1), _W * _REST ** (size - 1 - position))
    decaying = (counted["score"] * weight).groupby([counted[k] for k in keys]).sum()
    out = pd.DataFrame(
        {
            "n": grouped.size(),
            "key": counted["kind"].isin(_KEY_KINDS).groupby([counted[k] for k in keys]).sum(),
            "kinds": counted["kind"]
            .where(counted["kind"] != "")
            .groupby([counted[k] for k in keys])
            .nunique(),
            "habit": habit.groupby([counted[k] for k in keys]).first(),
            "decaying": decaying,
        }
    )
    habits = counted[habit]
    if len(habits):
        counts = habits.groupby([*keys, "score"]).size().rename("times").reset_index()
        counts = counts.sort_values([*keys, "times", "score"])
        mode = counts.groupby(keys, sort=False)["score"].last()
        out["mode"] = mode
    else:
        out["mode"] = np.nan
    raw = np.where(out["habit"], out["mode"], out["decaying"])
    out["score"] = np.floor(raw * 100 + 0.5).astype(np.int64)  # half away from zero (scores > 0)
    sufficient = np.where(
        out["habit"], out["n"] >= 2, (out["n"] >= 3) & (out["key"] >= 1) & (out["kinds"] >= 2)
    )
    out["status"] = np.where(
        ~sufficient, _INSUFFICIENT, np.where(out["score"] >= 300, _PROFICIENT, _DEVELOPING)
    )
    return out


def _window_start(days: pd.Series) -> pd.Series:
    return days - pd.DateOffset(years=2)


def evaluate_frame(
    frame: pd.DataFrame, attributes: Mapping[str, Mapping[str, Any]], as_of: dt.date = AS_OF
) -> dict[str, Any]:
    """Evaluate the benchmark policy for every learner in ``attributes`` at once.

    Returns arrays keyed by decision name (one value per learner, in the order of
    ``attributes``) and the learner × competency status and score tables.
    """
    learners = list(attributes)
    stamp = pd.Timestamp(as_of)
    frame = frame[frame["day"] <= stamp]
    frame = frame.sort_values(["learner", "competency", "day", "score"], kind="stable")
    start = pd.Timestamp(shift_months(as_of, -24))

    seen = frame.groupby(["learner", "competency"]).size()
    counted = frame[frame["day"] >= start]
    assessed = _assess(counted, ["learner", "competency"])

    status = pd.Series(_INSUFFICIENT, index=seen.index)
    status.loc[assessed.index] = assessed["status"]
    status_table = (
        status.unstack("competency")
        .reindex(index=learners, columns=list(COMPETENCIES))
        .fillna(_NOT_STARTED)
        .astype(np.int64)
    )
    score_table = (
        assessed["score"].unstack("competency").reindex(index=learners, columns=list(COMPETENCIES))
    )

    def cols(prefix: str) -> list[str]:
        return [c for c in COMPETENCIES if c.startswith(prefix)]

    status_values = status_table.to_numpy()
    score_values = score_table.to_numpy(dtype=float, na_value=np.nan)
    index = {code: i for i, code in enumerate(COMPETENCIES)}

    def proficient(prefix: str) -> np.ndarray:
        found: np.ndarray = status_values[:, [index[c] for c in cols(prefix)]] == _PROFICIENT
        return found

    def reach(prefix: str, value: int) -> np.ndarray:
        picked = [index[c] for c in cols(prefix)]
        rated = status_values[:, picked] >= _DEVELOPING
        found: np.ndarray = rated & (np.nan_to_num(score_values[:, picked], nan=0) >= value * 100)
        return found

    def count(matrix: np.ndarray) -> np.ndarray:
        found: np.ndarray = matrix.sum(axis=1)
        return found

    ell = np.array([attributes[x].get("ell") is True for x in learners])
    hours = np.array([attributes[x].get("cte_hours", -1) for x in learners])
    lab = np.concatenate([reach("SCI.B.", 3), reach("SCI.C.", 3)], axis=1)
    academics = np.concatenate(
        [reach(a + ".", 2) for a in ("MATH", "ELA", "SCI", "SOC", "ART", "WL")], axis=1
    )

    req: dict[str, np.ndarray] = {}
    req["mathematics"] = (count(proficient("MATH.")) >= 7) & reach("MATH.", 2).all(axis=1)
    req["english"] = count(proficient("ELA.")) >= math.ceil(9 * 75 / 100)
    req["science"] = proficient("SCI.A.").all(axis=1) & (count(lab) >= 4)
    req["social_studies"] = count(proficient("SOC.")) >= 6
    req["arts"] = reach("ART.", 4).any(axis=1) & (count(proficient("ART.")) >= 3)
    req["world_languages"] = count(reach("WL.", 2)) >= math.ceil(9 * 50 / 100)
    req["habits_of_work"] = (count(reach("HOW.", 3)) >= 4) & reach("HOW.", 2).all(axis=1)
    req["core"] = req["mathematics"] & req["english"] & (req["science"] | req["social_studies"])
    req["stem"] = proficient("MATH.A.").all(axis=1) & req["science"] & ~ell
    req["career_ready"] = (hours >= 120) & (count(reach("WL.", 2)) >= 3)

    advancements = {
        '"Algebra I" to "Geometry"': proficient("MATH.A.").all(axis=1),
        '"Geometry" to "Algebra II"': proficient("MATH.B.").all(axis=1)
        & reach("MATH.A.", 3).all(axis=1),
        '"Biology" to "Chemistry"': count(proficient("SCI.A.")) >= 2,
    }
    pathways = {
        "STEM": req["stem"],
        "Arts and languages": req["arts"] & req["world_languages"],
        "Career": req["career_ready"],
    }
    any_pathway = pathways["STEM"] | pathways["Arts and languages"] | pathways["Career"]
    graduation = (
        req["core"]
        & req["habits_of_work"]
        & (count(academics) >= math.ceil(54 * 80 / 100))
        & any_pathway
    )

    pace = _pace(frame, status_table, learners, attributes, as_of)
    return {
        "learners": learners,
        "status": status_table,
        "score": score_table,
        "requirements": req,
        "advancements": advancements,
        "pathways": pathways,
        "graduation": graduation,
        "pace": pace,
    }


def _pace(
    frame: pd.DataFrame,
    status_table: pd.DataFrame,
    learners: list[str],
    attributes: Mapping[str, Mapping[str, Any]],
    as_of: dt.date,
) -> np.ndarray:
    selection = [c for c in COMPETENCIES if c.split(".")[0] in ("MATH", "ELA", "SCI", "SOC")]
    window_start = shift_months(as_of, -6)
    window_days = (as_of - window_start).days
    chosen = status_table[selection]
    remaining = (chosen != _PROFICIENT).sum(axis=1)

    # Evaluate every proficient competency of the selection as of each of its evidence dates.
    now = chosen.stack()
    now = now[now == _PROFICIENT]
    candidates = now.index.to_frame(index=False)
    evidence = frame.merge(candidates, on=["learner", "competency"])
    dates = (
        evidence[["learner", "competency", "day"]]
        .drop_duplicates()
        .rename(columns={"day": "as_of"})
    )
    expanded = evidence.merge(dates, on=["learner", "competency"])
    expanded = expanded[
        (expanded["day"] <= expanded["as_of"])
        & (expanded["day"] >= _window_start(expanded["as_of"]))
    ]
    expanded = expanded.sort_values(["learner", "competency", "as_of", "day", "score"])
    history = _assess(expanded, ["learner", "competency", "as_of"]).reset_index()
    first = (
        history[history["status"] == _PROFICIENT].groupby(["learner", "competency"])["as_of"].min()
    )
    inside = first[(first >= pd.Timestamp(window_start)) & (first <= pd.Timestamp(as_of))]
    recent = inside.groupby(level="learner").size().reindex(learners, fill_value=0).to_numpy()

    out = np.empty(len(learners), dtype=object)
    for i, learner in enumerate(learners):
        left = int(remaining.iloc[i])
        due = attributes[learner].get("graduation_date")
        if left == 0:
            out[i] = "complete"
        elif not isinstance(due, dt.date):
            out[i] = "unknown"
        elif recent[i] == 0:
            out[i] = "off_track"
        else:
            if attributes[learner].get("iep") is True:
                due = shift_months(due, 12)
            projected = as_of + dt.timedelta(days=-(-left * window_days // int(recent[i])))
            if projected <= due:
                out[i] = "on_track"
            elif projected <= shift_months(due, 3):
                out[i] = "at_risk"
            else:
                out[i] = "off_track"
    return out


def summaries(result: Mapping[str, Any]) -> list[Summary]:
    """The result of :func:`evaluate_frame` as one :class:`Summary` per learner (for checking
    agreement; not part of the timed work)."""
    found = []
    status = result["status"].to_numpy()
    score = result["score"].to_numpy(dtype=float, na_value=np.nan)
    for i, learner in enumerate(result["learners"]):
        competencies = {}
        for j, code in enumerate(COMPETENCIES):
            value = score[i, j]
            competencies[code] = (
                str(_STATUS[status[i, j]]),
                None if math.isnan(value) else Decimal(int(value)) / 100,
            )
        found.append(
            Summary(
                learner,
                competencies,
                {name: bool(v[i]) for name, v in result["requirements"].items()},
                {name: bool(v[i]) for name, v in result["advancements"].items()},
                bool(result["graduation"][i]),
                tuple(name for name, v in result["pathways"].items() if v[i]),
                str(result["pace"][i]),
            )
        )
    return found
