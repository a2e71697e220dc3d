"""``masterykit report``: outputs, the JSON schema, exit codes and coded messages."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from masterykit.cli import cli
from masterykit.schemas import load_schema

from .conftest import LAKE

BASE = [
    "report",
    str(LAKE / "district.mastery"),
    "--evidence",
    str(LAKE / "evidence.csv"),
    "--learners",
    str(LAKE / "learners.csv"),
    "--as-of",
    "2026-03-01",
    "--as-of",
    "2026-11-13",
    "--by",
    "school,iep",
]


def run(args: list[str]):
    return CliRunner().invoke(cli, args, prog_name="masterykit")


@pytest.fixture(scope="module")
def json_document() -> dict:
    result = run([*BASE, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_follows_the_published_schema(json_document) -> None:
    jsonschema.Draft202012Validator(load_schema("report")).validate(json_document)
    assert json_document["schema"] == "masterykit/report/v1"
    assert json_document["as_of"] == ["2026-03-01", "2026-11-13"]
    assert json_document["by"] == ["school", "iep"]
    assert json_document["members"] is None


def test_json_never_names_a_learner_unless_asked(json_document) -> None:
    ids = [row.split(",")[0] for row in (LAKE / "learners.csv").read_text().splitlines()[1:]]
    text = json.dumps(json_document)
    assert not any(f'"{i}"' in text for i in ids)
    named = json.loads(run([*BASE, "--format", "json", "--with-learner-ids"]).stdout)
    assert sorted(i for g in named["members"]["school"].values() for i in g) == sorted(ids)


def test_small_groups_are_shown_as_fewer_than_n() -> None:
    result = run([*BASE, "--min-group", "16"])
    assert result.exit_code == 0
    assert "fewer than 16" in result.stdout
    assert "graduation met" in result.stdout


def test_csv_has_one_row_per_cell(json_document) -> None:
    result = run([*BASE, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(json_document["cells"])
    suppressed = [r for r in rows if r["suppressed"] == "true"]
    assert suppressed and all(r["count"] == "" for r in suppressed)


def test_output_file_and_raters(tmp_path: Path, generated) -> None:
    learners, _, ratings = generated
    out = tmp_path / "report.json"
    result = run(
        [
            "report",
            str(Path(__file__).resolve().parents[2] / "benchmarks" / "policy.mastery"),
            "--evidence",
            str(ratings),
            "--learners",
            str(learners),
            "--as-of",
            "2026-06-01",
            "--by",
            "school",
            "--raters",
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    jsonschema.Draft202012Validator(load_schema("report")).validate(document)
    flags = {r["rater"]: r["flag"] for r in document["raters"]["raters"] if r["flag"]}
    assert flags == {"harbor-2": "severe", "east-3": "lenient"}


def test_unknown_attribute_is_a_usage_error_mk701() -> None:
    result = run([*BASE[:-1], "schol"])
    assert result.exit_code == 2
    assert "error[MK701]: no learner has the attribute `schol` to break the district down by" in (
        result.stderr
    )
    assert "did you mean `school`?" in result.stderr


def test_missing_columns_for_raters_is_mk704() -> None:
    result = run([*BASE, "--raters"])
    assert result.exit_code == 1
    assert (
        "error[MK704]: `evidence.csv` has no `rater` column, which rater agreement needs"
        in result.stderr
    )


def test_no_double_scored_work_is_mk702(tmp_path: Path) -> None:
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "learner,competency,score,timestamp,rater,artifact\n"
        "aiden,MATH.A2,3,2026-01-05,r1,w1\n"
        "aiden,MATH.A2,x,2026-01-05,r2,w1\n"
        "aiden,MATH.A2,2,2026-01-05,r1,w1\n"
    )
    result = run(
        [
            "report",
            str(LAKE / "district.mastery"),
            "--evidence",
            str(ratings),
            "--as-of",
            "2026-11-13",
            "--raters",
        ]
    )
    assert result.exit_code == 1
    assert "error[MK702]: no piece of work in " in result.stderr
    assert "was scored by two raters" in result.stderr
    assert "line 3: score `x` of rater `r2` is not a number [MK703]" in result.stderr
    assert "rater `r1` scored artifact `w1` on `MATH.A2` twice (first on line 2) [MK705]" in (
        result.stderr
    )


def test_without_the_extra_the_command_names_it_mk700(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "krippendorff", None)
    result = run(BASE)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error[MK700]: `masterykit report` needs the optional `reports` extra, which is not "
        "installed (missing `krippendorff`)"
    )
    assert "pip install 'masterykit[reports]'" in result.stderr
    assert "Traceback" not in result.output


def test_as_of_is_required() -> None:
    result = run(BASE[:6])
    assert result.exit_code == 2
    assert "MK402" in result.stderr


def test_sorted_files_give_the_same_report_read_as_they_go(json_document) -> None:
    result = run([*BASE, "--format", "json", "--sorted"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json_document


def test_a_report_never_replaces_one_of_its_inputs(tmp_path: Path) -> None:
    evidence = tmp_path / "evidence.csv"
    evidence.write_bytes((LAKE / "evidence.csv").read_bytes())
    before = evidence.read_bytes()
    args = ["report", str(LAKE / "district.mastery"), "--evidence", str(evidence)]
    result = run([*args, "--as-of", "2026-06-01", "--format", "csv", "-o", str(evidence)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[0] == (
        f"error[MK419]: the output `{evidence}` is the input `{evidence}`; "
        "writing it would destroy the input"
    )
    assert evidence.read_bytes() == before
