"""Rater agreement finds the raters planted in the generated data, and no others."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from benchmarks.generate import PLANTED_SEVERITIES

from masterykit.diagnostics import EvidenceError
from masterykit.readers import read_learners
from masterykit.reports import rater_agreement, read_ratings


def test_planted_raters_are_found_and_no_others(generated) -> None:
    learners_path, _, ratings_path = generated
    ratings, rejections, _ = read_ratings(ratings_path)
    assert rejections == ()
    result = rater_agreement(ratings, learners=read_learners(learners_path), by=["school"])
    planted_severe = {r for r, s in PLANTED_SEVERITIES.items() if s < 0}
    planted_lenient = {r for r, s in PLANTED_SEVERITIES.items() if s > 0}
    assert set(result.flagged("severe")) == planted_severe
    assert set(result.flagged("lenient")) == planted_lenient
    for rater in result.raters:
        if rater.rater in PLANTED_SEVERITIES:
            assert rater.low is not None and rater.high is not None
            assert rater.low <= rater.difference <= rater.high


def test_agreement_is_reported_overall_and_per_school(generated) -> None:
    learners_path, _, ratings_path = generated
    ratings, _, _ = read_ratings(ratings_path)
    result = rater_agreement(ratings, learners=read_learners(learners_path), by=["school"])
    district = result.district
    assert district.by == "district" and district.artifacts > 100
    assert 0 < district.exact < district.adjacent <= 1
    assert district.alpha is not None and 0.5 < district.alpha < 1
    schools = {s.group for s in result.summaries if s.by == "school"}
    assert schools <= {"north", "harbor", "east", "valley", "ridge", "island"}
    assert all(p.kappa is None or -1 <= p.kappa <= 1 for p in result.pairs)
    # Raters from different schools never share work.
    assert all(p.first.split("-")[0] == p.second.split("-")[0] for p in result.pairs)


def _unbiased_district(seed: int) -> dict[tuple[str, str], dict[str, float]]:
    """Work scored by two of twelve unbiased raters: piece of work -> rater -> score."""
    rng = random.Random(seed)
    raters = [f"r{n}" for n in range(12)]
    units: dict[tuple[str, str], dict[str, float]] = {}
    for unit in range(240):
        true = rng.choice([1.5, 2, 2.5, 3, 3.5])
        units[(f"a{unit}", "M.1")] = {
            rater: min(4, max(1, round((true + rng.gauss(0, 0.35)) * 2) / 2))
            for rater in rng.sample(raters, 2)
        }
    return units


def test_false_positive_rate_is_within_the_stated_five_percent() -> None:
    """Holm's correction keeps the chance of flagging any unbiased rater at most 5%. With the
    margin off, count the simulated districts of twelve unbiased raters where anyone is
    flagged: at most 5% expected (3 of 60), and 9 of 60 would happen by chance less than 1
    time in 200."""
    from masterykit.reports._raters import _severities

    wrong = sum(
        1 for seed in range(60) if any(r.flag for r in _severities(_unbiased_district(seed), 0.0))
    )
    assert wrong <= 8


def test_a_planted_rater_is_flagged_in_a_simulated_district() -> None:
    """The same simulation with one rater scoring three quarters of a point low."""
    from masterykit.reports._raters import _severities

    units = _unbiased_district(7)
    for scores in units.values():
        if "r3" in scores:
            scores["r3"] = max(1.0, scores["r3"] - 0.75)
    flagged = {r.rater: r.flag for r in _severities(units, 0.5) if r.flag}
    assert flagged == {"r3": "severe"}


def test_ratings_reader_codes(tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text(
        "learner,competency,score,timestamp,rater,artifact\n"
        "ana,M.1,3,2026-01-05,r1,w1\n"
        "ana,M.1,x,2026-01-05,r2,w1\n"
        "ana,M.1,2,2026-01-05,r1,w1\n"
        "ana,M.1,2,2026-01-05,,w1\n"
    )
    ratings, rejections, read = read_ratings(path)
    assert read == 4 and len(ratings) == 1
    assert [(r.code, r.reason, str(r.origin)) for r in rejections] == [
        ("MK703", "score `x` of rater `r2` is not a number", "ratings.csv line 3"),
        (
            "MK705",
            "rater `r1` scored artifact `w1` on `M.1` twice (first on line 2)",
            "ratings.csv line 4",
        ),
    ]


def test_missing_artifact_column_is_mk704(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text("learner,competency,score,timestamp,rater\nana,M.1,3,2026-01-05,r1\n")
    with pytest.raises(EvidenceError) as caught:
        read_ratings(path)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK704",
        "`evidence.csv` has no `artifact` column, which rater agreement needs",
    )


def test_a_file_that_is_not_csv_is_mk706(tmp_path: Path) -> None:
    path = tmp_path / "evidence.jsonl"
    path.write_text("{}\n")
    with pytest.raises(EvidenceError) as caught:
        read_ratings(path)
    [diagnostic] = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK706",
        "cannot read ratings from `evidence.jsonl`: rater agreement reads CSV files",
    )
