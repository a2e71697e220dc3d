"""Parquet output (``--format parquet`` or an output file ending in ``.parquet``) holds the rows of
CSV output; Arrow tables in and out of the Python API give the same results."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit import arrow
from masterykit.evidence import Learner
from masterykit.loader import load
from masterykit.readers import columnar

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pcsv = pytest.importorskip("pyarrow.csv")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mastery-high-school"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("policy.mastery", "evidence.csv", "learners.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    with (tmp_path / "evidence.csv").open("a", encoding="utf-8") as out:
        out.write(
            "=cmd,ELA.1,3,2025-10-01,quiz\nzed,ELA.1,x,2025-10-01,quiz\n"
            '"a, b",ELA.1,3,2025-10-01,"two\nlines"\n'
        )
    monkeypatch.chdir(tmp_path)
    return tmp_path


BASE = ["evaluate", "policy.mastery", "--evidence", "evidence.csv", "--learners", "learners.csv"]
BASE += ["--as-of", "2026-06-01"]


def _sort_rows(path: Path) -> None:
    import csv

    with path.open(newline="", encoding="utf-8") as stream:
        header, *rows = list(csv.reader(stream))
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream, lineterminator="\n").writerows([header, *sorted(rows)])


def _csv_table(path: Path):
    return pcsv.read_csv(
        path,
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(arrow.RESULT_COLUMNS, pa.string()),
            strings_can_be_null=False,
        ),
    )


@pytest.mark.parametrize("sorted_flag", [[], ["--sorted"]])
@pytest.mark.parametrize("how", [["--format", "parquet"], []])
def test_parquet_output_holds_the_csv_rows(
    run, folder: Path, how: list[str], sorted_flag: list[str]
) -> None:
    if sorted_flag:
        _sort_rows(folder / "evidence.csv")
        _sort_rows(folder / "learners.csv")
    result = run([*BASE, *how, *sorted_flag, "-o", "out.parquet"])
    assert result.exit_code == 0, result.stderr
    result = run([*BASE, *sorted_flag, "--format", "csv", "--no-csv-guard", "-o", "out.csv"])
    assert result.exit_code == 0, result.stderr
    written = pq.read_table(folder / "out.parquet")
    assert written.schema.names == list(arrow.RESULT_COLUMNS)
    assert written.equals(_csv_table(folder / "out.csv"))
    assert "=cmd" in written.column("learner").to_pylist()  # no formula guard in Parquet


def test_parquet_output_in_memory_holds_the_csv_rows(
    run, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from masterykit.batch import grouped

    monkeypatch.setattr(grouped, "can_group", lambda: False)
    assert run([*BASE, "-o", "out.parquet"]).exit_code == 0
    assert run([*BASE, "--format", "csv", "--no-csv-guard", "-o", "out.csv"]).exit_code == 0
    assert pq.read_table(folder / "out.parquet").equals(_csv_table(folder / "out.csv"))


def test_parquet_output_needs_a_file(run, folder: Path) -> None:
    result = run([*BASE, "--format", "parquet"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error[MK421]: `--format parquet` writes a file, not standard output\n"
        "  = help: name the file with `-o`, such as `-o results.parquet`\n"
    )


def test_parquet_output_needs_pyarrow(run, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "available", lambda: False)
    result = run([*BASE, "-o", "out.parquet"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error[MK422]: writing Parquet needs pyarrow, which is not installed\n"
        "  = help: install the `arrow` extra: pip install 'masterykit[arrow]'\n"
    )
    assert not (folder / "out.parquet").exists()


def test_a_failed_run_leaves_no_parquet_file(run, folder: Path) -> None:
    (folder / "evidence.csv").write_text("learner,score\nana,3\n")
    result = run([*BASE, "-o", "out.parquet"])
    assert result.exit_code == 1
    assert "MK306" in result.stderr
    assert sorted(p.name for p in folder.iterdir() if "out" in p.name) == []


# --- the Python API ---------------------------------------------------------------------------


def test_evaluate_table_gives_the_csv_rows_of_a_run(run, folder: Path) -> None:
    policy = load(folder / "policy.mastery")
    evidence = pcsv.read_csv(
        folder / "evidence.csv",
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(strings_can_be_null=False),
    )
    learners = pcsv.read_csv(folder / "learners.csv")
    results = arrow.evaluate_table(
        policy, evidence, learners, as_of=dt.date(2026, 6, 1), file="evidence.csv"
    )
    assert run([*BASE, "--format", "csv", "--no-csv-guard", "-o", "out.csv"]).exit_code == 0
    expected = _csv_table(folder / "out.csv")
    # The table's rows are numbered from 1; the file's lines count the header. The rows
    # after the multi-line cell are not in the comparison.
    rejection_rows = [r for r in results.to_pylist() if r["type"] == "rejection"]
    assert [r["status"] for r in rejection_rows] == ["MK350", "MK309", "MK350"]
    assert rejection_rows[1]["detail"] == "evidence.csv line 1597: score `x` is not a number"
    assert results.filter(pa.compute.equal(results["type"], "competency")).equals(
        expected.filter(pa.compute.equal(expected["type"], "competency"))
    )


def test_learners_of_a_table_keep_typed_attributes() -> None:
    table = pa.table(
        {
            "id": ["ana", "bo"],
            "iep": [True, None],
            "graduation_date": [dt.date(2028, 6, 9), dt.date(2029, 6, 9)],
            "gpa": [3.5, 2.25],
        }
    )
    assert arrow.learners_of_table(table) == [
        Learner(
            "ana", {"iep": True, "graduation_date": dt.date(2028, 6, 9), "gpa": Decimal("3.5")}
        ),
        Learner("bo", {"graduation_date": dt.date(2029, 6, 9), "gpa": Decimal("2.25")}),
    ]
    with pytest.raises(ValueError, match="no `id` column"):
        arrow.learners_of_table(pa.table({"name": ["ana"]}))


def test_batches_of_whole_learners_give_the_tables_results(folder: Path) -> None:
    policy = load(folder / "policy.mastery")
    evidence = pcsv.read_csv(
        folder / "evidence.csv", parse_options=pcsv.ParseOptions(newlines_in_values=True)
    )
    evidence = evidence.sort_by("learner")
    whole = arrow.evaluate_table(policy, evidence, as_of=dt.date(2026, 6, 1))
    learners = evidence.column("learner").to_pylist()
    cut = learners.index(learners[len(learners) // 2])  # a learner's first row
    batches = [
        evidence.slice(0, cut).combine_chunks().to_batches()[0],
        evidence.slice(cut).combine_chunks().to_batches()[0],
    ]
    parts = pa.Table.from_batches(
        list(arrow.evaluate_batches(policy, batches, as_of=dt.date(2026, 6, 1)))
    )

    def learner_rows(table):
        return table.filter(pa.compute.not_equal(table["type"], "rejection"))

    assert learner_rows(parts).equals(learner_rows(whole))
