"""xAPI statements: scored ones become evidence; voided, unscored and unmapped ones are reported."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers import ReadSummary, policy_scales, read_all, read_evidence

XAPI = Path("/work/shared/data/xapi")
needs_data = pytest.mark.skipif(not XAPI.is_dir(), reason="shared xAPI files not present")
SCALE = {"scale": (Decimal(1), Decimal(4))}


def activity_ids() -> set[str]:
    ids = set()
    for path in XAPI.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for statement in data if isinstance(data, list) else [data]:
            if isinstance(statement.get("object", {}).get("id"), str):
                ids.add(statement["object"]["id"])
    return ids


@needs_data
def test_every_shared_statement_is_used_or_reported() -> None:
    activities = dict.fromkeys(activity_ids(), "EDX.1")
    files = sorted(XAPI.rglob("*.json"))
    totals: Counter[str] = Counter()
    read = used = 0
    for path in files:
        _, rejections, summary = read_all(
            path, format="xapi", options={"activities": activities, **SCALE}
        )
        assert summary.reconciles
        read += summary.read
        used += summary.used
        totals.update(r.code for r in rejections)
    assert len(files) == 78
    assert read == 91
    assert used == 16
    assert totals == {"MK324": 75}


@needs_data
def test_unmapped_activities_are_reported_only_for_scored_statements() -> None:
    totals: Counter[str] = Counter()
    for path in sorted(XAPI.rglob("*.json")):
        totals.update(ReadSummary.of(read_evidence(path, format="xapi", options=SCALE)).rejected)
    assert totals == {"MK324": 75, "MK325": 16}


@needs_data
def test_japanese_vendor_statement_maps_scaled_score_onto_the_scale() -> None:
    path = XAPI / "da2022-vendorB-xapi_statement_20230307.json"
    options = {"activities": {"http://adlnet.gov/courses/SJ01": "ENG.1"}, **SCALE}
    (evidence,) = read_evidence(path, format="xapi", options=options)
    assert isinstance(evidence, Evidence)
    assert evidence.learner == "C2EA034D-9BF1-465F-8193-542B67F3A665"
    assert evidence.competency == "ENG.1"
    assert evidence.score == Decimal("3.9775")  # 1 + 0.9925 × (4 − 1)
    assert evidence.kind == "course"
    assert evidence.timestamp == dt.datetime(
        2023, 2, 28, 12, 0, 21, 619000, tzinfo=dt.timezone(dt.timedelta(hours=9))
    )
    assert evidence.source_id is None
    assert evidence.origin == Origin(str(path), 1, None)


@needs_data
def test_open_edx_subsection_grade_becomes_top_of_scale_evidence() -> None:
    path = XAPI / "openedx-erb-expected" / "edx.grades.subsection.grade_calculated.json"
    (statement,) = [json.loads(path.read_text(encoding="utf-8"))]
    options = {"activities": {statement["object"]["id"]: "EDX.1"}, **SCALE}
    (evidence,) = read_evidence(path, format="xapi", options=options)
    assert isinstance(evidence, Evidence)
    assert (evidence.score, evidence.kind, evidence.source_id) == (
        Decimal(4),
        "resource",
        statement["id"],
    )
    assert evidence.learner == statement["actor"]["account"]["name"]


# --- small statement files ---------------------------------------------------------------------

ACTIVITY = "https://example.org/activities/ratios-quiz"


def statement(sid: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": sid,
        "actor": {"objectType": "Agent", "account": {"homePage": "https://sis", "name": "ana"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/scored"},
        "object": {
            "id": ACTIVITY,
            "definition": {"type": "http://adlnet.gov/expapi/activities/assessment"},
        },
        "result": {"score": {"raw": 15, "min": 0, "max": 20}},
        "timestamp": "2026-01-10T09:30:00Z",
    }
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def voiding(sid: str, target: str) -> dict[str, Any]:
    return {
        "id": sid,
        "actor": {"mbox": "mailto:teacher@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": target},
    }


OPTIONS = {"activities": {ACTIVITY: "RP.1"}, **SCALE}


def read_lines(tmp_path: Path, statements: list[Any]) -> list[Evidence | Rejection]:
    path = tmp_path / "s.xapi.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in statements), encoding="utf-8")
    return list(read_evidence(path, options=OPTIONS))


def test_raw_score_with_min_and_max_maps_linearly_onto_the_scale(tmp_path: Path) -> None:
    (evidence,) = read_lines(tmp_path, [statement("s-1")])
    assert evidence == Evidence(
        "ana",
        "RP.1",
        Decimal("3.25"),  # 1 + (15 − 0) / (20 − 0) × 3
        dt.datetime(2026, 1, 10, 9, 30, tzinfo=dt.UTC),
        kind="assessment",
        source_id="s-1",
    )
    assert evidence.origin == Origin(str(tmp_path / "s.xapi.jsonl"), 1, "statement s-1")


def test_voided_statement_is_rejected_whether_voiding_comes_before_or_after(
    tmp_path: Path,
) -> None:
    results = read_lines(
        tmp_path,
        [voiding("v-1", "s-2"), statement("s-1"), statement("s-2"), voiding("v-2", "s-1")],
    )
    path = str(tmp_path / "s.xapi.jsonl")
    assert results == [
        Rejection("MK323", "statement voids statement `s-2`", Origin(path, 1, "statement v-1")),
        Rejection("MK322", "statement voided by statement `v-2`", Origin(path, 2, "statement s-1")),
        Rejection("MK322", "statement voided by statement `v-1`", Origin(path, 3, "statement s-2")),
        Rejection("MK323", "statement voids statement `s-1`", Origin(path, 4, "statement v-2")),
    ]
    summary = ReadSummary.of(results)
    assert summary.skipped == {"MK322": 2, "MK323": 2}  # retractions, not mistakes
    assert summary.used == 0
    assert summary.reconciles


BAD_STATEMENTS: list[tuple[Any, str, str]] = [
    (statement("s", result=None), "MK324", "statement has no score"),
    (statement("s", result={"score": {"min": 0}}), "MK324", "statement has no score"),
    (
        statement("s", object={"id": "https://example.org/other"}),
        "MK325",
        "activity `https://example.org/other` is not in the `activities` mapping",
    ),
    (
        statement("s", actor={"objectType": "Group", "member": []}),
        "MK326",
        "statement has no learner: the actor has no account, mbox, mbox_sha1sum or openid",
    ),
    (statement("s", timestamp=None), "MK327", "statement has no `timestamp` or `stored` time"),
    (
        statement("s", timestamp="yesterday"),
        "MK310",
        "timestamp `yesterday` is not a date (write YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
    ),
    (
        statement("s", result={"score": {"raw": 5}}),
        "MK328",
        "score cannot be mapped: `raw` needs numeric `min` and `max`",
    ),
    (
        statement("s", result={"score": {"raw": 0, "min": 0, "max": 0}}),
        "MK328",
        "score cannot be mapped: `min` 0 is not below `max` 0",
    ),
    (
        statement("s", result={"score": {"raw": 30, "min": 0, "max": 20}}),
        "MK328",
        "score cannot be mapped: `raw` 30 is outside 0..20",
    ),
    (
        statement("s", result={"score": {"scaled": -0.5}}),
        "MK328",
        "score cannot be mapped: `scaled` is -0.5, outside 0..1",
    ),
    (
        statement("s", result={"score": {"scaled": "high"}}),
        "MK328",
        "score cannot be mapped: `scaled` is `high`, not a number",
    ),
]


@pytest.mark.parametrize(("bad", "code", "reason"), BAD_STATEMENTS)
def test_unusable_statement_is_rejected_with_its_reason(
    tmp_path: Path, bad: Any, code: str, reason: str
) -> None:
    (rejection,) = read_lines(tmp_path, [bad])
    assert rejection == Rejection(
        code, reason, Origin(str(tmp_path / "s.xapi.jsonl"), 1, "statement s")
    )


def test_learner_falls_back_to_mbox_then_sha1_then_openid(tmp_path: Path) -> None:
    actors = [
        {"mbox": "mailto:ana@example.org"},
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
        {"openid": "https://id.example.org/ana"},
    ]
    results = read_lines(tmp_path, [statement(f"s-{i}", actor=a) for i, a in enumerate(actors)])
    assert [r.learner for r in results if isinstance(r, Evidence)] == [
        "ana@example.org",
        "ebd31e95054c018b10727ccffd2ef2ec3a016ee9",
        "https://id.example.org/ana",
    ]


def test_stored_time_stands_in_for_a_missing_timestamp(tmp_path: Path) -> None:
    (evidence,) = read_lines(tmp_path, [statement("s", timestamp=None, stored="2026-01-11")])
    assert isinstance(evidence, Evidence)
    assert evidence.timestamp == dt.date(2026, 1, 11)


def test_score_needs_a_scale_for_the_competency(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.jsonl"
    path.write_text(json.dumps(statement("s")) + "\n", encoding="utf-8")
    results = list(read_evidence(path, options={"activities": {ACTIVITY: "RP.1"}}))
    assert results == [
        Rejection(
            "MK317",
            "no scale for competency `RP.1` to map the score onto",
            Origin(str(path), 1, "statement s"),
        )
    ]


def test_duplicate_statement_id_is_rejected(tmp_path: Path) -> None:
    results = read_lines(tmp_path, [statement("s"), statement("s")])
    assert results[1] == Rejection(
        "MK329",
        "duplicate statement id `s` (first on line 1)",
        Origin(str(tmp_path / "s.xapi.jsonl"), 2, "statement s"),
    )


def test_broken_json_lines_are_rejected_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.jsonl"
    path.write_text('{"id": \n[1]\n' + json.dumps(statement("s")) + "\n", encoding="utf-8")
    results = list(read_evidence(path, options=OPTIONS))
    assert results[:2] == [
        Rejection("MK312", "line is not valid JSON: expecting value", Origin(str(path), 1)),
        Rejection("MK321", "statement is not a JSON object", Origin(str(path), 2)),
    ]
    assert isinstance(results[2], Evidence)


def test_array_file_is_streamed_statement_by_statement_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.json"
    body = ",\n".join(json.dumps(s, indent=1) for s in [statement("a"), statement("b")])
    path.write_text("[\n" + body + "\n]\n", encoding="utf-8")
    results = list(read_evidence(path, options=OPTIONS))
    assert [(r.source_id, r.origin.line if r.origin else 0) for r in results] == [
        ("a", 2),
        ("b", 2 + body.split(",\n{")[0].count("\n") + 1),
    ]


def test_statement_larger_than_the_limit_is_rejected_and_the_next_is_read(
    tmp_path: Path,
) -> None:
    big = statement("big", context={"extensions": {"https://x": "y" * 5000}})
    path = tmp_path / "s.xapi.json"
    path.write_text(json.dumps([big, statement("small")]), encoding="utf-8")
    results = list(read_evidence(path, options={**OPTIONS, "max_record_bytes": 2000}))
    assert results[0] == Rejection(
        "MK330", "statement is larger than 2000 bytes", Origin(str(path), 1)
    )
    assert isinstance(results[1], Evidence)


NO_SCORE = "statement has no score"
BROKEN_DOCUMENTS = [
    ("", []),
    ("[]", []),
    ("nope", ["file is not valid JSON: expected `[` or `{` at the start, found `n`"]),
    ("[5]", ["statement is not a JSON object"]),
    (
        "[{}",
        [
            NO_SCORE,
            "file is not valid JSON: the document ends before its array or object is closed",
        ],
    ),
    (
        '[{"id": "x"} {}]',
        [NO_SCORE, "file is not valid JSON: expected `,` or `]` after an element, found `{`"],
    ),
    (
        '{"id": "x"} 5',
        [NO_SCORE, "file is not valid JSON: unexpected `5` after the end of the document"],
    ),
    (
        '[{"id": ',
        ["file is not valid JSON: the document ends before its array or object is closed"],
    ),
    ('[{"id": x}]', ["file is not valid JSON: expecting value"]),
]


@pytest.mark.parametrize(("text", "reasons"), BROKEN_DOCUMENTS)
def test_broken_statement_documents_are_reported_not_raised(
    tmp_path: Path, text: str, reasons: list[str]
) -> None:
    path = tmp_path / "s.xapi.json"
    path.write_text(text, encoding="utf-8")
    results = list(read_evidence(path, options=OPTIONS))
    assert [r.reason for r in results if isinstance(r, Rejection)] == reasons
    assert len(results) == len(reasons)


def test_unclosed_array_reports_its_elements_then_the_break(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.json"
    path.write_text("[" + json.dumps(statement("a")), encoding="utf-8")
    results = list(read_evidence(path, options=OPTIONS))
    assert isinstance(results[0], Evidence)
    assert results[1] == Rejection(
        "MK320",
        "file is not valid JSON: the document ends before its array or object is closed",
        Origin(str(path), 1),
    )


def test_statements_can_come_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps([statement("s-1"), voiding("v", "s-1")])
    fake = io.TextIOWrapper(io.BytesIO(data.encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    results = list(read_evidence("-", format="xapi", options=OPTIONS))
    assert [r.code for r in results if isinstance(r, Rejection)] == ["MK322", "MK323"]
    assert results[0].origin == Origin("<stdin>", 1, "statement s-1")


def test_xapi_options_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        read_evidence(path, options={"activity": {}})
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK302",
        "option `activity` is not an option of the xAPI reader",
    )
    assert diagnostic.help == "known options: activities, kind, max_record_bytes, scale, scales"


def test_statement_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.json"
    path.write_bytes(b'[{"id": "caf\xe9"}]')
    assert list(read_evidence(path, options=OPTIONS)) == [
        Rejection(
            "MK320", "file is not valid JSON: the file is not UTF-8 text", Origin(str(path), 1)
        )
    ]


def test_binary_statement_lines_are_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.xapi.jsonl"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path, options=OPTIONS))
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        ("MK303", "file is binary, not UTF-8 text, so none of it is read")
    ]


STATEMENTS = st.one_of(
    st.builds(
        lambda i, score: statement(f"s-{i}", result={"score": {"scaled": score}}),
        st.integers(0, 5),
        st.sampled_from([0, 0.5, 1, 2, "x"]),
    ),
    st.builds(lambda i, t: voiding(f"v-{i}", f"s-{t}"), st.integers(0, 3), st.integers(0, 5)),
    st.builds(lambda i: statement(f"n-{i}", result=None), st.integers(0, 3)),
    st.just([1, 2]),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(statements=st.lists(STATEMENTS, max_size=12))
def test_every_statement_is_used_or_rejected_exactly_once_and_voided_ones_never_used(
    tmp_path: Path, statements: list[Any]
) -> None:
    results = read_lines(tmp_path, statements)
    assert len(results) == len(statements)
    assert ReadSummary.of(results).reconciles
    voided = {
        s["object"]["id"]
        for s in statements
        if isinstance(s, dict) and s["verb"]["id"].endswith("/voided")
    }
    assert not any(isinstance(r, Evidence) and r.source_id in voided for r in results)


def test_policy_scales_fill_in_each_competency_scale(tmp_path: Path) -> None:
    from masterykit.loader import load_text

    policy = load_text(
        'policy "P"\n'
        "scale four {\n  1 Beginning\n  2 Developing\n  3 Proficient\n  4 Advanced\n}\n"
        "scale pct {\n  0 Low\n  100 High\n}\n"
        "default scale pct\n"
        'area RP "Ratios" scale four {\n  competency RP.1 "Ratios"\n}\n'
        'area X "Other" {\n  competency X.1 "Other"\n}\n'
        "calculate mean\nproficient at 3\n"
    )
    options = policy_scales(policy, {"activities": {ACTIVITY: "RP.1"}, "scales": {"X.1": (0, 5)}})
    assert options["scales"] == {"RP.1": (Decimal(1), Decimal(4)), "X.1": (0, 5)}
    path = tmp_path / "s.xapi.jsonl"
    path.write_text(json.dumps(statement("s")) + "\n", encoding="utf-8")
    (evidence,) = read_evidence(path, options=options)
    assert isinstance(evidence, Evidence)
    assert evidence.score == Decimal("3.25")
