"""A district file evaluated in one pass: each learner routed to the policy of their school,
learners no policy evaluates reported with the reason, and the counts still reconcile."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import pickle
from decimal import Decimal
from pathlib import Path

import attrs
import jsonschema
import pytest
from district_kit import AS_OF, district, evidence, learners

from masterykit import batch
from masterykit.district import District, PolicyIdentity, Route
from masterykit.engine import (
    LearnerResult,
    evaluate,
    evaluate_stream,
    explain_learner,
    render_text,
    route,
    routing,
    to_json,
    unstructure,
)
from masterykit.engine.district import _in_force
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text
from masterykit.policy import AllClause, LearnerClause, NotClause, Provenance
from masterykit.readers import read_evidence
from masterykit.schemas import load_schema

# --- routing ---------------------------------------------------------------------------------


def _route_of(learner: Learner) -> int | None:
    found = route(district(), learner, AS_OF)
    return None if found is None else found.index


def test_the_first_route_whose_condition_holds_takes_the_learner() -> None:
    assert [_route_of(learner) for learner in learners()] == [1, 0, 2, 3, 4, None]


def test_routing_says_which_conditions_did_not_hold_and_why_the_chosen_one_did() -> None:
    found = routing(district(), Learner("ana", {"school": "north", "entry_year": 2025}), AS_OF)
    assert (found.index, found.text) == (1, 'when learner.school = "north" use "north.mastery"')
    assert found.source is not None and found.source.line == 3
    assert found.condition is not None and found.condition.held
    assert found.condition.actual == "north"
    [before] = found.skipped
    assert before.kind == "all" and not before.held
    assert [(c.text, c.held, c.actual) for c in before.children] == [
        ('learner.school = "north"', True, "north"),
        ("learner.entry_year <= 2024", False, "2025"),
    ]
    assert found.reason is None


def test_a_learner_no_route_takes_gets_every_condition_that_failed() -> None:
    found = routing(district(), Learner("fay"), AS_OF)
    assert (found.index, found.text, found.source, found.condition) == (None, "", None, None)
    assert len(found.skipped) == 5
    assert all(not clause.held and clause.kind in ("all", "learner") for clause in found.skipped)


def test_a_not_evaluated_route_carries_its_reason() -> None:
    found = routing(district(), Learner("dee", {"school": "east"}), AS_OF)
    assert found.index == 3
    assert found.reason == "East moves to mastery-based grading in 2027"


def test_values_that_read_alike_but_differ_in_type_are_routed_apart() -> None:
    # Routes are remembered per combination of attribute values; `true` and "true" must not be
    # taken for each other, nor 2024 for "2024".
    base = district().base
    where = Provenance("d.mastery", 1, 1, "D")
    made = District(
        "D",
        None,
        "d.mastery",
        base,
        (
            Route(0, LearnerClause("iep", None, None, "learner.iep"), base, "iep", where),
            Route(
                1,
                LearnerClause("year", "=", Decimal(2024), "learner.year = 2024"),
                base,
                "year",
                where,
            ),
        ),
    )
    assert route(made, Learner("a", {"iep": True}), AS_OF) is made.routes[0]
    assert route(made, Learner("b", {"iep": "true"}), AS_OF) is made.routes[0]
    assert route(made, Learner("c", {"iep": "yes"}), AS_OF) is None
    assert route(made, Learner("d", {"year": Decimal(2024)}), AS_OF) is made.routes[1]
    assert route(made, Learner("e", {"year": "2024"}), AS_OF) is made.routes[1]
    assert route(made, Learner("f", {"year": "2024.5"}), AS_OF) is None
    assert routing(made, Learner("g", {"year": 2024}), AS_OF).condition.actual == "2024"


def test_a_condition_built_by_hand_with_not_and_all_is_evaluated_like_a_clause() -> None:
    base = district().base
    where = Provenance("d.mastery", 1, 1, "D")
    condition = AllClause(
        (
            LearnerClause("school", "=", "north", 'learner.school = "north"'),
            NotClause(LearnerClause("iep", None, None, "learner.iep")),
        )
    )
    made = District("D", None, "d.mastery", base, (Route(0, condition, base, "r", where),))
    assert route(made, Learner("a", {"school": "north"}), AS_OF) is made.routes[0]
    assert route(made, Learner("b", {"school": "north", "iep": True}), AS_OF) is None


def test_routing_reads_the_learner_through_one_function() -> None:
    learner = Learner("ana", {"school": "north"})
    assert _in_force(learner, AS_OF) is learner


# --- one pass --------------------------------------------------------------------------------


def test_each_learner_is_evaluated_under_the_policy_their_route_names() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    names = [(r.learner.id, r.policy.name if r.policy else None) for r in result.learners]
    assert names == [
        ("ana", "North High"),
        ("bo", "District"),
        ("cy", "Harbor Middle"),
        ("dee", None),
        ("eli", "District"),
        ("fay", None),
    ]
    ana, bo, cy = result.learners[:3]
    # highest 4 at North, mean 3 under the district policy, most recent 4 at Harbor.
    assert ana.competencies["MATH.1"].score == Decimal(4)
    assert bo.competencies["MATH.1"].score == Decimal(3)
    assert cy.competencies["MATH.1"].score == Decimal(4)
    assert [check.rule for check in cy.competencies["MATH.2"].checks] == ["evidence at least 2"]
    assert ana.route is not None and ana.route.index == 1
    assert result.policy == "Lake County" and result.version == "2026"
    assert result.district is not None and result.district.fingerprint == district().fingerprint


def test_a_learner_is_evaluated_exactly_as_their_policy_alone_would() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    for learner, found in zip(learners(), result.learners, strict=True):
        chosen = route(district(), learner, AS_OF)
        if chosen is None or chosen.policy is None:
            continue
        mine = [piece for piece in evidence() if piece.learner == learner.id]
        alone = evaluate(chosen.policy, [learner], mine, as_of=AS_OF).learners[0]
        assert attrs.evolve(found, route=None) == alone


def test_learners_no_policy_evaluates_are_reported_with_the_reason_and_their_evidence() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    dee, fay = result.learner("dee"), result.learner("fay")
    assert dee is not None and fay is not None
    assert not dee.evaluated and not fay.evaluated
    assert dee.policy is None and dict(dee.competencies) == {}
    assert dee.not_evaluated is not None and fay.not_evaluated is not None
    assert (dee.not_evaluated.code, dee.not_evaluated.reason) == (
        "MK391",
        "learner `dee` is not evaluated: East moves to mastery-based grading in 2027",
    )
    assert (fay.not_evaluated.code, fay.not_evaluated.reason) == (
        "MK390",
        "no route of district `Lake County` takes learner `fay`; no policy evaluates them",
    )
    # Oldest first, the piece after the as-of date included: every piece read is accounted for.
    assert [str(piece.timestamp) for piece in dee.not_evaluated.evidence] == [
        "2026-01-10",
        "2026-02-10",
        "2026-03-10",
        "2026-07-01",
    ]


def test_evidence_of_learners_not_evaluated_is_used_but_not_counted() -> None:
    counts = evaluate(district(), learners(), evidence(), as_of=AS_OF).counts
    assert counts.read == counts.used + counts.rejected == 19
    assert counts.used == counts.counted + counts.not_counted
    # Four learners evaluated with three pieces each; dee's four and fay's three not counted.
    assert (counts.counted, counts.not_counted) == (12, 7)


def test_rejections_of_routed_learners_come_from_their_own_policy() -> None:
    pieces = [
        *evidence(),
        Evidence("ana", "NOPE.1", Decimal(3), dt.date(2026, 1, 5)),
        Evidence("ghost", "MATH.1", Decimal(3), dt.date(2026, 1, 5)),
    ]
    result = evaluate(district(), learners(), pieces, as_of=AS_OF)
    assert [r.code for r in result.rejections] == ["MK350", "MK351"]
    assert result.counts.read == result.counts.used + result.counts.rejected


def test_by_policy_counts_the_learners_each_policy_evaluated() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    assert [(p.name, n) for p, n in result.by_policy()] == [
        ("North High", 1),
        ("District", 2),
        ("Harbor Middle", 1),
    ]


def test_a_plain_policy_run_names_its_policy_on_every_result() -> None:
    policy = district().base
    result = evaluate(policy, learners()[:2], evidence(), as_of=AS_OF)
    identity = PolicyIdentity.of(policy)
    assert [r.policy for r in result.learners] == [identity, identity]
    assert [r.route for r in result.learners] == [None, None]
    assert result.district is None
    assert identity.fingerprint == policy.fingerprint and identity.file == policy.file


def test_district_evaluate_is_the_engine_evaluate() -> None:
    made = district().evaluate(learners(), evidence(), as_of=AS_OF)
    assert made == evaluate(district(), learners(), evidence(), as_of=AS_OF)


def test_a_district_result_is_the_same_whatever_the_order_of_the_evidence() -> None:
    forward = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    backward = evaluate(district(), learners(), list(reversed(evidence())), as_of=AS_OF)
    assert to_json(forward) == to_json(backward)


def test_a_district_result_pickles() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    assert pickle.loads(pickle.dumps(result)) == result
    assert pickle.loads(pickle.dumps(district())).name == "Lake County"


# --- JSON and explanations -------------------------------------------------------------------


def test_json_names_the_policy_and_the_route_of_each_learner() -> None:
    data = json.loads(to_json(evaluate(district(), learners(), evidence(), as_of=AS_OF)))
    ana, dee = data["learners"][0], data["learners"][3]
    assert ana["policy"]["name"] == "North High"
    assert ana["policy"]["version"] == "2026.2"
    assert ana["policy"]["fingerprint"].startswith("sha256:")
    assert ana["route"]["index"] == 1
    assert ana["route"]["condition"]["actual"] == "north"
    assert ana["route"]["skipped"][0]["held"] is False
    assert ana["not_evaluated"] is None
    assert dee["policy"] is None and dee["competencies"] == {}
    assert dee["not_evaluated"]["code"] == "MK391"
    assert len(dee["not_evaluated"]["evidence"]) == 4
    assert data["district"]["name"] == "Lake County"


def test_json_of_a_plain_policy_run_has_the_new_keys_empty_but_for_the_policy() -> None:
    policy = district().base
    data = unstructure(evaluate(policy, learners()[:1], evidence(), as_of=AS_OF))
    assert data["district"] is None
    assert data["learners"][0]["policy"]["name"] == "District"
    assert data["learners"][0]["route"] is None and data["learners"][0]["not_evaluated"] is None


def test_an_explanation_says_which_policy_and_which_route() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    text = render_text(explain_learner(result.learners[0]))
    assert text.splitlines()[:4] == [
        "learner ana",
        '  policy "North High" version 2026.2',
        f'    chosen by route 2: when learner.school = "north" use "north.mastery" '
        f"({district().file}:3)",
        '      learner.school = "north": holds (the learner\'s value: north)',
    ]
    assert (
        "    route 1 does not apply: all { … }: does not hold" in text
        and "      learner.entry_year <= 2024: does not hold (the learner's value: 2025)" in text
    )


def test_an_explanation_of_a_learner_not_evaluated_says_why() -> None:
    result = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    dee, fay = result.learner("dee"), result.learner("fay")
    assert dee is not None and fay is not None
    assert render_text(explain_learner(dee)).splitlines()[:3] == [
        "learner dee",
        "  not evaluated [MK391]: learner `dee` is not evaluated: East moves to mastery-based "
        "grading in 2027",
        '    chosen by route 4: when learner.school = "east" not evaluated "East moves to '
        f'mastery-based grading in 2027" ({district().file}:5)',
    ]
    lines = render_text(explain_learner(fay)).splitlines()
    assert lines[1] == (
        "  not evaluated [MK390]: no route of district `Lake County` takes learner `fay`; "
        "no policy evaluates them"
    )
    assert "    evidence that does not count (3):" in lines
    assert (
        '    route 5 does not apply: learner.school != "nowhere": does not hold '
        "(the learner has no such attribute)"
    ) in lines


def test_the_text_of_a_district_run_names_the_district() -> None:
    text = render_text(evaluate(district(), learners(), evidence(), as_of=AS_OF))
    assert text.startswith('district "Lake County" version 2026, as of 2026-06-01\n')


# --- streams ---------------------------------------------------------------------------------


def test_a_stream_gives_each_learner_what_one_call_gives() -> None:
    pieces = sorted(evidence(), key=lambda piece: piece.learner)
    whole = evaluate(district(), learners(), pieces, as_of=AS_OF)
    streamed = list(evaluate_stream(district(), pieces, learners=learners(), as_of=AS_OF))
    got: list[LearnerResult] = [r for part in streamed for r in part.learners]
    assert got == list(whole.learners)
    assert sum(part.counts.not_counted for part in streamed) == whole.counts.not_counted
    assert all(part.district == whole.district for part in streamed)


@pytest.mark.parametrize("sorted_by_id", [False, True])
def test_a_stream_reports_loose_records_under_the_district(sorted_by_id: bool) -> None:
    pieces = [Evidence("zed", "MATH.1", Decimal(3), dt.date(2026, 1, 5))]
    [part] = evaluate_stream(
        district(), pieces, learners=[], as_of=AS_OF, sorted_by_id=sorted_by_id
    )
    assert part.policy == "Lake County" and part.district is not None
    assert [r.code for r in part.rejections] == ["MK350"]


def test_a_routed_policy_built_from_text_runs_too() -> None:
    school = load_text(
        'policy "Alone"\nscale s { 0 No 1 Yes }\ncompetency A "A"\n'
        "calculate most_recent\nproficient at Yes\n",
        "alone.mastery",
    )
    where = Provenance("d.mastery", 1, 1, "D")
    made = District("D", "1", "d.mastery", school, (Route(0, None, school, "otherwise", where),))
    result = evaluate(made, [Learner("a")], [Evidence("a", "A", Decimal(1), dt.date(2026, 1, 1))])
    assert result.learners[0].competencies["A"].proficient
    assert result.learners[0].route is not None and result.learners[0].route.condition is None


# --- batch outputs ---------------------------------------------------------------------------


def _report() -> batch.Report:
    result = batch.evaluate_in_batches(district(), learners(), evidence(), AS_OF)
    return batch.Report(district(), result, evidence_path="evidence.csv")


def test_in_batches_a_district_run_is_one_call() -> None:
    whole = evaluate(district(), learners(), evidence(), as_of=AS_OF)
    assert batch.evaluate_in_batches(district(), learners(), evidence(), AS_OF) == whole


def test_the_json_document_follows_the_schema_and_counts_learners_by_policy() -> None:
    document = batch.result_document(_report())
    jsonschema.validate(document, load_schema("result"))
    assert document["policy"]["kind"] == "district"
    assert document["policy"]["layers"] == []
    assert [(p["name"], p["learners"]) for p in document["routing"]["policies"]] == [
        ("North High", 1),
        ("District", 2),
        ("Harbor Middle", 1),
    ]
    assert (document["routing"]["not_evaluated"], document["routing"]["not_routed"]) == (1, 1)


def test_every_json_lines_line_follows_the_schema() -> None:
    schema = load_schema("result")
    line_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/jsonl_line"}
    lines = [json.loads(line) for line in batch.jsonl_lines(_report())]
    for line in lines:
        jsonschema.validate(line, line_schema)
    assert lines[-1]["routing"]["not_routed"] == 1


def test_csv_gives_each_learner_a_policy_row() -> None:
    rows = list(csv.reader(io.StringIO(batch.render(_report(), "csv"))))
    policy_rows = [(row[0], row[2], row[3], row[6]) for row in rows if row[1] == "policy"]
    assert policy_rows[:3] == [
        ("ana", "North High", "evaluated", 'route 2: when learner.school = "north" use "north.mastery"'),  # noqa: E501
        ("bo", "District", "evaluated", 'route 1: when learner.school = "north" and learner.entry_year <= 2024 use "base.mastery"'),  # noqa: E501
        ("cy", "Harbor Middle", "evaluated", 'route 3: when learner.school = "harbor" use "harbor.mastery"'),  # noqa: E501
    ]  # fmt: skip
    assert policy_rows[3] == (
        "dee",
        "",
        "not_evaluated",
        "learner `dee` is not evaluated: East moves to mastery-based grading in 2027",
    )
    assert policy_rows[5] == (
        "fay",
        "",
        "not_routed",
        "no route of district `Lake County` takes learner `fay`; no policy evaluates them",
    )


def test_a_plain_policy_run_writes_no_policy_rows_and_no_policy_column() -> None:
    policy = district().base
    report = batch.Report(policy, evaluate(policy, learners(), evidence(), as_of=AS_OF))
    assert ",policy," not in batch.render(report, "csv")
    assert batch.render(report, "table").splitlines()[0].split() == list(batch.TABLE_HEADER)


def test_the_table_has_a_policy_column_and_a_line_of_learners_by_policy() -> None:
    lines = batch.render(_report(), "table").splitlines()
    assert lines[0].split() == ["learner", "policy", *batch.TABLE_HEADER[1:]]
    assert lines[1].split()[:4] == ["ana", "North", "High", "2/2"]
    assert lines[4].split() == ["dee", "not", "evaluated", "-", "-", "-", "-", "-"]
    assert lines[-1] == (
        "learners by policy: North High: 1, District: 2, Harbor Middle: 1; "
        "not evaluated: 1; not routed: 1"
    )


def _export(folder: Path) -> Path:
    path = folder / "evidence.csv"
    rows = sorted(evidence(), key=lambda piece: (piece.learner, str(piece.timestamp)))
    path.write_text(
        "learner,competency,score,timestamp,kind\n"
        + "".join(f"{p.learner},{p.competency},{p.score},{p.timestamp},{p.kind}\n" for p in rows),
        encoding="utf-8",
    )
    return path


def test_a_sorted_district_run_writes_what_a_whole_run_writes(tmp_path: Path) -> None:
    path = _export(tmp_path)
    records = list(read_evidence(path, policy=district().base))
    whole = evaluate(
        district(), learners(), [r for r in records if isinstance(r, Evidence)], as_of=AS_OF
    )
    expected = batch.render(batch.Report(district(), whole), "jsonl")
    out = io.StringIO()
    tally = batch.evaluate_sorted(
        district(), iter(records), output_format="jsonl", write=out.write,
        learners=learners(), as_of=AS_OF,
    )  # fmt: skip
    assert out.getvalue() == expected
    assert tally.routing.not_routed == 1


def test_district_parts_on_several_processes_write_the_same(tmp_path: Path) -> None:
    path = _export(tmp_path)
    one, parts = io.StringIO(), io.StringIO()
    records = read_evidence(path, policy=district().base)
    batch.evaluate_sorted(
        district(), records, output_format="csv", write=one.write, learners=learners(),
        as_of=AS_OF,
    )  # fmt: skip
    plan = batch.plan_parts(path, 2, policy=district().base)
    assert plan.parts is not None, plan.reason
    batch.evaluate_sorted(
        district(), plan, output_format="csv", write=parts.write, learners=learners(),
        as_of=AS_OF,
    )  # fmt: skip
    assert parts.getvalue() == one.getvalue()
