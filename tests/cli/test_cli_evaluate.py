"""``masterykit evaluate``: every learner's results in JSON, JSON Lines, CSV or a table."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest

from masterykit.batch import BATCH, evaluate_in_batches
from masterykit.engine import evaluate, unstructure
from masterykit.evidence import Evidence, Learner, Origin
from masterykit.loader import load
from masterykit.schemas import load_schema

POLICY = """\
policy "Small" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" competency M.2 "Adds" }
calculate highest
proficient at Yes
requirement counting "Counting" { all of M.1 proficient }
graduate when {
  any {
    pathway "Exam" { requirement counting }
    pathway "Portfolio" { learner.portfolio }
  }
}
"""

EVIDENCE = """\
learner,competency,score,timestamp,kind
ana,M.1,2,2026-01-10,quiz
ana,M.1,x,2026-01-11,quiz
bo,M.1,1,2026-01-12,quiz
bo,M.9,2,2026-01-12,quiz
cy,M.1,2,2026-09-01,quiz
"""

LEARNERS = "id,portfolio\nana,false\nbo,true\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A policy, evidence and learners in the current folder (so names in output are short)."""
    (tmp_path / "small.mastery").write_text(POLICY, "utf-8")
    (tmp_path / "evidence.csv").write_text(EVIDENCE, "utf-8")
    (tmp_path / "learners.csv").write_text(LEARNERS, "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


BASE = ["evaluate", "small.mastery", "--evidence", "evidence.csv", "--as-of", "2026-06-01"]


def test_json_output_follows_the_result_schema_and_counts_reconcile(run, files):
    result = run([*BASE, "--learners", "learners.csv"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("result"))
    counts = document["counts"]
    assert counts == {
        "read": 5,
        "used": 2,
        "rejected": 3,
        "skipped": 0,
        "counted": 2,
        "not_counted": 0,
    }
    assert counts["read"] == counts["used"] + counts["rejected"]
    assert [learner["learner"]["id"] for learner in document["learners"]] == ["ana", "bo"]
    ana = document["learners"][0]
    assert ana["competencies"]["M.1"]["status"] == "proficient"
    assert ana["graduation"]["pathways"] == ["Exam"]
    assert document["learners"][1]["graduation"]["pathways"] == ["Portfolio"]


def test_rejected_evidence_is_listed_with_where_it_came_from(run, files):
    result = run([*BASE, "--learners", "learners.csv"])
    rejections = json.loads(result.stdout)["rejections"]
    assert [(r["code"], r["origin"]["file"], r["origin"]["line"]) for r in rejections] == [
        ("MK309", "evidence.csv", 3),
        ("MK351", "evidence.csv", 5),
        ("MK350", "evidence.csv", 6),
    ]
    assert result.stderr == (
        "note: 3 of 5 evidence records could not be used; each is listed under `rejections` "
        "with its file and line\n"
    )


def test_without_a_learners_file_the_learners_are_those_in_the_evidence(run, files):
    result = run(BASE)
    document = json.loads(result.stdout)
    assert [learner["learner"]["id"] for learner in document["learners"]] == ["ana", "bo", "cy"]
    cy = document["learners"][2]["competencies"]["M.1"]
    assert (cy["status"], cy["unused"][0]["reason"]) == ("not_started", "after_as_of")


XAPI = {
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730001",
    "actor": {"mbox": "mailto:ana@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/scored"},
    "object": {"id": "https://lms.example.org/quiz/counting"},
    "result": {"score": {"scaled": 0.5}},
    "timestamp": "2026-01-10T09:00:00Z",
}
ACTIVITIES = '{"https://lms.example.org/quiz/counting": "M.1"}'


def test_xapi_scores_land_on_the_policys_scale_without_a_scale_option(run, files):
    (files / "statements.xapi.json").write_text(json.dumps([XAPI]), "utf-8")
    args = ["evaluate", "small.mastery", "--evidence", "statements.xapi.json"]
    result = run([*args, "--evidence-option", f"activities={ACTIVITIES}", "--as-of", "2026-06-01"])
    assert result.exit_code == 0, result.output
    [ana] = json.loads(result.stdout)["learners"]
    # scaled 0.5 on the scale `two` (1..2) is 1.5: below the cut, so not proficient
    assert ana["competencies"]["M.1"]["score"] == "1.5"
    assert ana["competencies"]["M.1"]["status"] == "developing"


def test_a_scale_option_given_on_the_command_line_wins_over_the_policys_scales(run, files):
    (files / "statements.xapi.json").write_text(json.dumps([XAPI]), "utf-8")
    options = ["--evidence-option", f"activities={ACTIVITIES}", "--evidence-option", "scale=[2, 4]"]
    args = ["evaluate", "small.mastery", "--evidence", "statements.xapi.json", *options]
    result = run([*args, "--as-of", "2026-06-01"])
    rejection = json.loads(result.stdout)["rejections"][0]
    assert (rejection["code"], rejection["reason"]) == (
        "MK352",
        "score `3` is off the scale of `M.1` (1 to 2)",
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("scales=5", "option `scales` must map competency codes to (min, max) pairs"),
        (
            "competencies=" + "[" * 2000 + "]" * 2000,
            "option `competencies` must map raw values to competency codes",
        ),
        (
            "raw_min=" + "9" * 5000,
            "option `raw_min` and `raw_max` must both be numbers with raw_min < raw_max",
        ),
    ],
    ids=["scales-not-a-mapping", "json-too-deep", "number-too-long"],
)
def test_reader_options_the_reader_cannot_use_are_option_errors(run, files, option, message):
    args = ["evaluate", "small.mastery", "--evidence", "evidence.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--evidence-option", option])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == f"error[MK302]: {message}"


def test_records_with_nothing_to_use_are_listed_as_skipped_and_strict_passes(run, files):
    unscored = {key: value for key, value in XAPI.items() if key != "result"}
    unscored["id"] = "6690e6c9-3ef0-4ed3-8b37-7f3964730002"
    (files / "statements.xapi.json").write_text(json.dumps([XAPI, unscored]), "utf-8")
    options = ["--evidence-option", f"activities={ACTIVITIES}", "--strict"]
    args = ["evaluate", "small.mastery", "--evidence", "statements.xapi.json", *options]
    result = run([*args, "--as-of", "2026-06-01", "--format", "table"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "1 learner as of 2026-06-01; evidence: 2 read, 1 used, 1 rejected (1 of them skipped)"
    )
    assert result.stderr == (
        "skipped statements.xapi.json line 1 statement 6690e6c9-3ef0-4ed3-8b37-7f3964730002: "
        "statement has no score [MK324]\n"
    )


def test_jsonl_output_has_a_line_per_learner_and_rejection_then_a_summary(run, files):
    result = run([*BASE, "--format", "jsonl"])
    assert result.exit_code == 0
    schema = load_schema("result")
    line_schema = {"$defs": schema["$defs"], "$ref": "#/$defs/jsonl_line"}
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    for line in lines:
        jsonschema.validate(line, line_schema)
    assert [line["type"] for line in lines] == [
        "learner",
        "learner",
        "learner",
        "rejection",
        "rejection",
        "summary",
    ]
    assert lines[-1]["counts"]["read"] == 5


def test_csv_output_has_a_row_per_result(run, files):
    result = run([*BASE, "--learners", "learners.csv", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "learner,type,name,status,score,level,detail",
        'ana,competency,M.1,proficient,2,Yes,"1 counted, 0 not counted"',
        'ana,competency,M.2,not_started,,,"0 counted, 0 not counted"',
        "ana,requirement,counting,met,,,",
        'ana,graduation,graduation,met,,,"pathway ""Exam"""',
        'bo,competency,M.1,developing,1,NotYet,"1 counted, 0 not counted"',
        'bo,competency,M.2,not_started,,,"0 counted, 0 not counted"',
        "bo,requirement,counting,not_met,,,",
        'bo,graduation,graduation,met,,,"pathway ""Portfolio"""',
        ",rejection,,MK309,,,evidence.csv line 3: score `x` is not a number",
        "bo,rejection,M.9,MK351,2,,evidence.csv line 5: evidence for unknown competency `M.9` "
        "(did you mean `M.2`?)",
        "cy,rejection,M.1,MK350,2,,evidence.csv line 6: evidence for unknown learner `cy`",
    ]


def test_table_output_is_one_line_per_learner_with_rejections_on_stderr(run, files):
    result = run([*BASE, "--learners", "learners.csv", "--format", "table"])
    assert result.exit_code == 0
    assert result.stdout == (
        "learner  proficient  insufficient  requirements  graduation       pace\n"
        "ana      1/2         0             1/1           yes (Exam)       -\n"
        "bo       0/2         0             0/1           yes (Portfolio)  -\n"
        "\n"
        "2 learners as of 2026-06-01; evidence: 5 read, 2 used, 3 rejected\n"
    )
    assert result.stderr.splitlines() == [
        "rejected evidence.csv line 3: score `x` is not a number [MK309]",
        "rejected evidence.csv line 5: evidence for unknown competency `M.9` "
        "(did you mean `M.2`?) [MK351]",
        "rejected evidence.csv line 6: evidence for unknown learner `cy` [MK350]",
    ]


def test_output_goes_to_a_file_when_asked(run, files):
    result = run([*BASE, "--output", "result.json"])
    assert result.exit_code == 0
    assert result.stdout == ""
    document = json.loads((files / "result.json").read_text("utf-8"))
    assert document["schema"] == "masterykit/result/v1"


def test_strict_fails_on_rejected_evidence_but_still_writes_the_result(run, files):
    result = run([*BASE, "--strict", "--output", "result.json"])
    assert result.exit_code == 1
    assert (files / "result.json").exists()
    assert result.stderr.endswith(
        "error[MK412]: 2 evidence records could not be used (`--strict`)\n"
        "  = help: the rejections are listed in the output with the file and line of each\n"
    )


def test_evidence_can_come_from_standard_input(run, files):
    args = ["evaluate", "small.mastery", "--evidence", "-", "--evidence-format", "csv"]
    result = run([*args, "--as-of", "2026-06-01"], input=EVIDENCE)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["counts"]["read"] == 5
    assert document["rejections"][0]["origin"] == {"file": "<stdin>", "line": 3, "record": None}


def test_strict_passes_on_clean_evidence(run, files):
    (files / "clean.csv").write_text(EVIDENCE.splitlines()[0] + "\nana,M.1,2,2026-01-10\n")
    result = run(["evaluate", "small.mastery", "--evidence", "clean.csv", "--strict"])
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("args", "status", "expected"),
    [
        (
            ["evaluate", "small.mastery"],
            2,
            "error[MK402]: `masterykit evaluate` needs `--evidence FILE`\n"
            "  = help: see `masterykit evaluate --help`\n",
        ),
        (
            ["evaluate", "small.mastery", "--evidence", "nope.csv"],
            2,
            "error[MK404]: evidence file `nope.csv` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
        (
            ["evaluate", "small.mastery", "--evidence", "-"],
            2,
            "error[MK402]: reading evidence from standard input needs `--evidence-format NAME`\n"
            "  = help: name the format, such as `--evidence - --evidence-format csv`\n",
        ),
        (
            ["evaluate", "nope.mastery", "--evidence", "evidence.csv"],
            2,
            "error[MK404]: policy file `nope.mastery` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
        (
            [*BASE, "--learners", "people.csv"],
            2,
            "error[MK404]: learners file `people.csv` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
        (
            ["evaluate", "small.mastery", "--evidence", "evidence.csv", "--as-of", "1/6/2026"],
            2,
            "error[MK407]: `1/6/2026` is not a date\n"
            "  = help: write dates year-month-day, such as `--as-of 2026-06-01`\n",
        ),
        (
            [*BASE, "--evidence-option", "kind"],
            2,
            "error[MK417]: evidence option `kind` is not `KEY=VALUE`\n"
            "  = help: write it like `--evidence-option kind=quiz` or `--evidence-option "
            '\'competencies={"q1": "MATH.1"}\'`\n',
        ),
        (
            [*BASE, "--format", "xml"],
            2,
            "error[MK403]: `--format` must be one of `json`, `jsonl`, `csv`, `table`, "
            "`parquet`, not `xml`\n"
            "  = help: see `masterykit evaluate --help`\n",
        ),
        (
            [*BASE, "--evidence-format", "xlsx"],
            2,
            "error[MK301]: no evidence reader for `xlsx`\n"
            "  --> xlsx\n"
            "  = help: name a format: csv, jsonl, parquet, xapi or oneroster\n",
        ),
        (
            [*BASE, "--evidence-option", "columns=7"],
            2,
            "error[MK302]: option `columns` must map evidence fields (learner, competency, "
            "score, timestamp, kind, rater, source_id, school) to column names\n"
            "  --> option columns\n",
        ),
        (
            [*BASE, "--sorted"],
            2,
            "error[MK411]: `--sorted` writes learners as it goes, which `--format json` cannot "
            "do\n"
            "  = help: use `--format jsonl` or `--format csv` with `--sorted`\n",
        ),
        (
            [*BASE, "--sorted", "--format", "jsonl", "--output", "no/such/folder/out.jsonl"],
            1,
            "error[MK413]: cannot write `no/such/folder/out.jsonl`: No such file or directory\n"
            "  = help: check that the folder exists and that you may write to it\n",
        ),
        (
            [*BASE, "--output", "no/such/folder/out.json"],
            1,
            "error[MK413]: cannot write `no/such/folder/out.json`: No such file or directory\n"
            "  = help: check that the folder exists and that you may write to it\n",
        ),
    ],
)
def test_evaluate_bad_inputs(run, files, args, status, expected):
    result = run(args)
    assert result.exit_code == status
    assert result.stderr.endswith(expected)
    assert "Traceback" not in result.output


def test_a_policy_with_errors_is_reported_and_nothing_is_evaluated(run, files):
    (files / "broken.mastery").write_text(POLICY.replace("calculate highest\n", ""), "utf-8")
    result = run(["evaluate", "broken.mastery", "--evidence", "evidence.csv"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error[MK253]: no `calculate` rule covers M.1, M.2\n")


def test_evaluating_in_batches_gives_the_result_of_one_evaluation(files):
    policy = load(files / "small.mastery")
    learners = [Learner(f"l{i:03d}", {"portfolio": i % 3 == 0}) for i in range(BATCH * 2 + 7)]
    evidence = [
        Evidence(
            f"l{i % (BATCH * 2 + 20):03d}",
            "M.1" if i % 5 else "M.2",
            Decimal(1 + i % 2),
            dt.date(2026, 1, 1) + dt.timedelta(days=i % 200),
            origin=Origin("generated.csv", i + 2),
        )
        for i in range(1500)
    ]
    day = dt.date(2026, 6, 1)
    whole = evaluate(policy, learners, evidence, as_of=day)
    batched = evaluate_in_batches(policy, learners, evidence, day)
    assert unstructure(batched) == unstructure(whole)


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
@pytest.mark.parametrize("learners", [[], ["--learners", "learners.csv"]])
def test_sorted_evidence_streams_to_the_same_output_as_a_whole_run(
    run, files, output_format, learners
):
    # The evidence holds a reader's rejection (`x`), an unknown competency and, with the
    # learners file, an unlisted learner; all must be reported and counted as before.
    args = [*BASE, *learners, "--format", output_format]
    whole = run(args)
    streamed = run([*args, "--sorted"])
    assert streamed.exit_code == whole.exit_code == 0
    assert streamed.stdout == whole.stdout
    assert streamed.stderr == whole.stderr


def test_sorted_output_goes_to_a_file_and_strict_still_fails_on_rejections(run, files):
    result = run([*BASE, "--sorted", "--format", "jsonl", "--strict", "-o", "out.jsonl"])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "error[MK412]: 2 evidence records could not be used (`--strict`)\n"
        "  = help: the rejections are listed in the output with the file and line of each\n"
    )
    lines = [json.loads(line) for line in (files / "out.jsonl").read_text("utf-8").splitlines()]
    assert [line["type"] for line in lines] == [
        "learner",
        "learner",
        "learner",
        "rejection",
        "rejection",
        "summary",
    ]
    assert lines[-1]["counts"] == {
        "read": 5,
        "used": 3,
        "rejected": 2,
        "skipped": 0,
        "counted": 2,
        "not_counted": 1,  # cy's score comes after the as-of date
    }


def test_sorted_evidence_out_of_id_order_stops_with_where_after_writing_the_learners_before(
    run, files
):
    (files / "unsorted.csv").write_text(
        "learner,competency,score,timestamp\nbo,M.1,2,2026-01-10\nana,M.1,2,2026-01-11\n",
        "utf-8",
    )
    unsorted = ["evaluate", "small.mastery", "--evidence", "unsorted.csv", "--as-of", "2026-06-01"]
    result = run([*unsorted, "--format", "csv", "--sorted"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].startswith("bo,competency,M.1,proficient,2,Yes,")
    assert result.stderr == (
        "error[MK357]: evidence for learner `ana` at unsorted.csv line 3 comes after `bo`, out "
        "of learner id order\n"
        "  --> unsorted.csv line 3\n"
        "  = help: sort by learner id, or leave out `sorted_by_id` to accept any order of "
        "learners\n"
    )


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
@pytest.mark.parametrize("learners", [[], ["--learners", "learners.csv"]])
def test_two_processes_write_what_one_writes(run, files, output_format, learners):
    # Sorted by learner, with a score that is no number (l030) and an unknown competency (l031).
    rows = "".join(
        f"l{n:03},M.{1 + n % 2},{1 + n % 2},2026-01-{1 + n % 28:02},quiz\n"
        + {30: "l030,M.1,x,2026-01-05,quiz\n", 31: "l031,M.7,2,2026-01-05,quiz\n"}.get(n, "")
        for n in range(60)
    )
    (files / "export.csv").write_text("learner,competency,score,timestamp,kind\n" + rows, "utf-8")
    (files / "learners.csv").write_text(
        "id,portfolio\n" + "".join(f"l{n:03},{n % 3 == 0}\n".lower() for n in range(0, 70, 2)),
        "utf-8",
    )
    args = ["evaluate", "small.mastery", "--evidence", "export.csv", "--as-of", "2026-06-01"]
    args += [*learners, "--format", output_format, "--sorted"]
    one = run(args)
    two = run([*args, "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr


def test_jobs_with_evidence_that_cannot_be_cut_runs_in_one_process_and_says_why(run, files):
    (files / "evidence.jsonl").write_text(
        '{"learner": "ana", "competency": "M.1", "score": 2, "timestamp": "2026-01-10"}\n'
        '{"learner": "bo", "competency": "M.1", "score": 1, "timestamp": "2026-01-12"}\n',
        "utf-8",
    )
    args = ["evaluate", "small.mastery", "--evidence", "evidence.jsonl", "--as-of", "2026-06-01"]
    one = run([*args, "--sorted", "--format", "jsonl"])
    two = run([*args, "--sorted", "--format", "jsonl", "--jobs", "2"])
    assert two.exit_code == 0
    assert two.stdout == one.stdout
    assert (
        two.stderr
        == "note: evaluating in one process: only a CSV evidence file can be cut into parts\n"
    )


def test_jobs_keeps_source_ids_checked_across_the_whole_file(run, files):
    rows = "".join(f"l{n:03},M.1,2,2026-01-05,quiz,s{n % 40}\n" for n in range(80))
    (files / "ids.csv").write_text(
        "learner,competency,score,timestamp,kind,source_id\n" + rows, "utf-8"
    )
    args = ["evaluate", "small.mastery", "--evidence", "ids.csv", "--as-of", "2026-06-01"]
    result = run([*args, "--sorted", "--format", "csv", "--jobs", "2"])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "note: evaluating in one process: source ids must be checked across the whole file\n"
    )
    assert result.stdout.count(",rejection,,MK314,") == 40


def test_jobs_without_sorted_is_a_usage_error(run, files):
    result = run([*BASE, "--jobs", "2"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error[MK418]: `--jobs` cuts a sorted export into parts, so it needs `--sorted`\n"
        "  = help: sort the evidence by learner id and add `--sorted`, or leave out `--jobs`\n"
    )


# --- district files --------------------------------------------------------------------------

_DISTRICT_LEARNERS = (
    "id,school,entry_year\nana,north,2025\nbo,north,2023\ncy,harbor,\ndee,east,\nfay,,\n"
)
_DISTRICT_EVIDENCE = (
    "learner,competency,score,timestamp,kind\n"
    "ana,MATH.1,2,2026-01-10,quiz\nana,MATH.1,4,2026-02-10,test\n"
    "bo,MATH.1,2,2026-01-10,quiz\nbo,MATH.1,4,2026-02-10,test\n"
    "cy,MATH.1,4,2026-02-10,test\ndee,MATH.1,4,2026-02-10,test\nfay,MATH.2,3,2026-03-10,test\n"
)


@pytest.fixture
def district_files(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
    from district_kit import write_district

    routes = write_district(tmp_path)
    (tmp_path / "learners.csv").write_text(_DISTRICT_LEARNERS, encoding="utf-8")
    (tmp_path / "evidence.csv").write_text(_DISTRICT_EVIDENCE, encoding="utf-8")
    return routes, tmp_path / "evidence.csv", tmp_path / "learners.csv"


def _district_args(files, *more):
    routes, evidence, learners = files
    return ["evaluate", str(routes), "--evidence", str(evidence), "--learners", str(learners),
            "--as-of", "2026-06-01", *more]  # fmt: skip


def test_a_district_file_is_evaluated_wherever_a_policy_is(run, district_files):
    result = run(_district_args(district_files))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("result"))
    policies = [(r["learner"]["id"], (r["policy"] or {}).get("name")) for r in document["learners"]]
    assert policies == [
        ("ana", "North High"),
        ("bo", "District"),
        ("cy", "Harbor Middle"),
        ("dee", None),
        ("fay", None),
    ]
    assert document["policy"]["kind"] == "district"
    assert document["counts"]["read"] == document["counts"]["used"] == 7
    assert result.stderr.splitlines() == [
        "note: learners by policy: North High: 1, District: 1, Harbor Middle: 1; "
        "not evaluated: 1; not routed: 1"
    ]


def test_a_district_table_has_a_policy_column(run, district_files):
    result = run(_district_args(district_files, "--format", "table"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["learner", "policy"]
    assert lines[-1].startswith("learners by policy: North High: 1")


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
def test_a_sorted_district_run_writes_what_a_whole_one_writes(run, district_files, output_format):
    whole = run(_district_args(district_files, "--format", output_format))
    streamed = run(_district_args(district_files, "--format", output_format, "--sorted"))
    assert whole.exit_code == streamed.exit_code == 0, streamed.output
    assert streamed.stdout == whole.stdout
    assert streamed.stderr == whole.stderr
