"""Both baselines compute exactly what the engine decides, so timing them against it is fair."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from benchmarks._e2e import run
from benchmarks.baseline_python import Summary
from benchmarks.compare import disagreements, engine_inputs, summarize, to_evidence
from benchmarks.generate import AS_OF, POLICY_PATH, write_csv

from benchmarks import baseline_pandas, baseline_python
from masterykit.engine import evaluate
from masterykit.loader import load

LEARNERS = 40
SEED = 4242


@pytest.fixture(scope="module")
def engine_summaries() -> list[Summary]:
    policy = load(POLICY_PATH)
    inputs = list(engine_inputs(LEARNERS, SEED))
    evidence = [to_evidence(row) for _, _, rows in inputs for row in rows]
    result = evaluate(policy, [learner for learner, _, _ in inputs], evidence, as_of=AS_OF)
    return [summarize(learner) for learner in result.learners]


def test_hand_written_baseline_agrees_with_the_engine(engine_summaries: list[Summary]) -> None:
    found = [
        baseline_python.evaluate_learner(learner.id, attributes, rows, AS_OF)
        for learner, attributes, rows in engine_inputs(LEARNERS, SEED)
    ]
    assert disagreements(engine_summaries, found) == []


def test_pandas_baseline_agrees_with_the_engine(engine_summaries: list[Summary]) -> None:
    inputs = list(engine_inputs(LEARNERS, SEED))
    frame = baseline_pandas.frame_from_rows(row for _, _, rows in inputs for row in rows)
    result = baseline_pandas.evaluate_frame(
        frame, {learner.id: attributes for learner, attributes, _ in inputs}, AS_OF
    )
    assert disagreements(engine_summaries, baseline_pandas.summaries(result)) == []


def test_the_sample_exercises_every_kind_of_decision(engine_summaries: list[Summary]) -> None:
    statuses = {status for s in engine_summaries for status, _ in s.competencies.values()}
    assert statuses == {"not_started", "insufficient", "developing", "proficient"}
    paces = {s.pace for s in engine_summaries}
    assert {"on_track", "off_track"} <= paces
    for name in engine_summaries[0].requirements:
        assert {s.requirements[name] for s in engine_summaries} == {True, False}, name
    assert any(s.pathways for s in engine_summaries)


def test_disagreements_name_the_learner_the_decision_and_both_values(
    engine_summaries: list[Summary],
) -> None:
    first = engine_summaries[0]
    changed = first._replace(
        requirements={**first.requirements, "arts": not first.requirements["arts"]}
    )
    assert disagreements([first], [changed]) == [
        f"{first.learner} requirements arts: engine {first.requirements['arts']}, "
        f"baseline {not first.requirements['arts']}"
    ]


def test_disagreements_ignore_the_score_of_an_insufficient_competency(
    engine_summaries: list[Summary],
) -> None:
    first = engine_summaries[0]
    code = next(iter(first.competencies))
    one = first._replace(competencies={**first.competencies, code: ("insufficient", None)})
    two = first._replace(competencies={**first.competencies, code: ("insufficient", 2)})
    assert disagreements([one], [two]) == []


def test_batch_runners_agree_end_to_end(tmp_path: Path) -> None:
    learners_csv, evidence_csv = write_csv(tmp_path, 12, seed=SEED)
    results = [
        run(runner, POLICY_PATH, learners_csv, evidence_csv)
        for runner in ("engine", "python", "pandas")
    ]
    for one, two in itertools.pairwise(results):
        assert one["learners"] == two["learners"] == 12
        assert one["tally"] == two["tally"]
    assert results[0]["peak_kib"] > 0


@pytest.mark.parametrize("runner", ["duckdb", "polars"])
def test_warehouse_baselines_agree_with_the_engine(
    runner: str, engine_summaries: list[Summary], tmp_path: Path
) -> None:
    from benchmarks import baseline_warehouse

    pytest.importorskip(runner, reason=f"{runner} comes with the bench extra")
    learners_csv, evidence_csv = write_csv(tmp_path, LEARNERS, seed=SEED)
    outdir = tmp_path / runner
    if runner == "duckdb":
        baseline_warehouse.run_duckdb(evidence_csv, learners_csv, AS_OF, outdir, threads=1)
    else:
        baseline_warehouse.run_polars(evidence_csv, learners_csv, AS_OF, outdir)
    assert disagreements(engine_summaries, baseline_warehouse.read_summaries(outdir)) == []


def test_warehouse_runner_tallies_match_the_engine(tmp_path: Path) -> None:
    pytest.importorskip("duckdb", reason="duckdb comes with the bench extra")
    learners_csv, evidence_csv = write_csv(tmp_path, 12, seed=SEED)
    engine = run("engine", POLICY_PATH, learners_csv, evidence_csv)
    duckdb = run("duckdb", POLICY_PATH, learners_csv, evidence_csv)
    assert duckdb["learners"] == 12
    decisions = {k: v for k, v in engine["tally"].items() if k not in ("rows", "rejected")}
    assert {k: v for k, v in duckdb["tally"].items() if k != "rows"} == decisions
