"""``evaluate`` without ``--sorted`` groups a CSV or Parquet export in any order by learner out of
core (DuckDB), and writes byte for byte what the in-memory run writes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from masterykit import batch
from masterykit.batch import grouped
from masterykit.evidence import Evidence
from masterykit.readers import read_evidence
from masterykit.readers.tabular import read_csv
from masterykit.registry import ReadRequest

pytest.importorskip("duckdb")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mastery-high-school"

PROBLEMS = [
    "zed,ELA.1,x,2025-10-01,quiz,,s-x",
    " ana ,ELA.1,3,2025-10-01,quiz,,s-y",
    "bo,ELA.1,3,2025-02-30,quiz,,",
    ",ELA.1,3,2025-10-01,quiz,,",
    "bo,ELA.1,3,2025-10-01,quiz,,s-y",
    'cy,ELA.1,3,2025-10-01,"a ""quoted"" kind",,',
]


@pytest.fixture
def shuffled(tmp_path: Path) -> Path:
    """The example's evidence in a random order, with a source id column and some rows that
    are rejected (a duplicate source id among them) or need the CSV reader's care."""
    lines = (EXAMPLE / "evidence.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    random.Random(7).shuffle(rows)
    rows = [f"{row},,{'s' + str(i) if i % 3 else ''}" for i, row in enumerate(rows)]
    rows[100:100] = PROBLEMS
    (tmp_path / "policy.mastery").write_text(
        (EXAMPLE / "policy.mastery").read_text(encoding="utf-8"), encoding="utf-8"
    )
    shutil.copy(EXAMPLE / "learners.csv", tmp_path / "learners.csv")
    path = tmp_path / "evidence.csv"
    path.write_text("\n".join([header + ",rater,source_id", *rows]) + "\n", encoding="utf-8")
    return path


def _outputs(run, monkeypatch, args: list[str], out: Path) -> tuple[bytes, bytes]:
    """The output with out-of-core grouping, then in memory."""
    result = run([*args, "-o", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    grouped_bytes = out.read_bytes()
    monkeypatch.setattr(grouped, "can_group", lambda: False)
    result = run([*args, "-o", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    monkeypatch.undo()
    return grouped_bytes, out.read_bytes()


@pytest.mark.parametrize("output_format", ["jsonl", "csv"])
@pytest.mark.parametrize("with_learners", [False, True])
def test_an_unsorted_csv_gives_the_in_memory_output(
    run, monkeypatch, shuffled: Path, output_format: str, with_learners: bool
) -> None:
    folder = shuffled.parent
    args = ["evaluate", str(folder / "policy.mastery"), "--evidence", str(shuffled)]
    args += ["--format", output_format, "--as-of", "2026-06-01"]
    if with_learners:
        args += ["--learners", str(folder / "learners.csv")]
    used, expected = _outputs(run, monkeypatch, args, folder / f"out.{output_format}")
    assert used == expected
    assert b"MK314" in used
    assert b"MK309" in used


def test_the_grouped_records_are_the_csv_readers_sorted_by_learner(shuffled: Path) -> None:
    expected = list(read_csv(ReadRequest(shuffled)))
    got = list(grouped.grouped_records(ReadRequest(shuffled), "csv", memory_limit="64MB"))
    rejections = [r for r in expected if not isinstance(r, Evidence)]
    evidence = sorted(
        (r for r in expected if isinstance(r, Evidence)),
        key=lambda e: (e.learner, e.origin.line if e.origin else 0),
    )
    assert [(r, getattr(r, "origin", None)) for r in got] == [
        (r, getattr(r, "origin", None)) for r in [*rejections, *evidence]
    ]
    assert len(got) == len(expected)


def test_an_unsorted_parquet_gives_the_in_memory_output(run, monkeypatch, shuffled: Path) -> None:
    import pyarrow.csv as pcsv

    folder = shuffled.parent
    lines = shuffled.read_text(encoding="utf-8").splitlines()
    plain = folder / "plain.csv"
    plain.write_text("\n".join(line for line in lines if '"' not in line) + "\n")
    table = pcsv.read_csv(
        plain,
        convert_options=pcsv.ConvertOptions(
            column_types=dict.fromkeys(lines[0].split(","), pa.string())
        ),
    )
    parquet = folder / "evidence.parquet"
    pq.write_table(table, parquet, row_group_size=500)
    args = ["evaluate", str(folder / "policy.mastery"), "--evidence", str(parquet)]
    args += ["--format", "jsonl", "--as-of", "2026-06-01"]
    used, expected = _outputs(run, monkeypatch, args, folder / "out.jsonl")
    assert used == expected
    assert b"MK309" in used
    assert str(parquet).encode() in used


def test_learners_out_of_id_order_are_evaluated_in_memory(shuffled: Path) -> None:
    from masterykit.evidence import Learner

    assert batch.grouping_reader(shuffled, learners=[Learner("b"), Learner("a")]) is None
    assert batch.grouping_reader(shuffled, learners=[Learner("a"), Learner("b")]) == "csv"
    assert batch.grouping_reader("-") is None


def test_grouping_refuses_what_it_cannot_group(shuffled: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text('{"learner": "a", "competency": "M", "score": 1, "timestamp": "2026-01-01"}\n')
    assert batch.grouping_reader(jsonl) is None
    with pytest.raises(ValueError, match="cannot be grouped out of core"):
        batch.evaluate_grouped(
            None,  # type: ignore[arg-type]
            jsonl,
            output_format="jsonl",
            write=print,
        )
    assert sum(1 for _ in read_evidence(jsonl)) == 1
