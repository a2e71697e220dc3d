"""The columnar reader gives exactly what the CSV reader gives: the same evidence (with the same
origins), the same rejections (code, message, line) in the same order, and the same errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Evidence, Origin
from masterykit.readers import columnar, read_evidence
from masterykit.readers.tabular import read_csv
from masterykit.registry import ReadRequest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CSVS = [
    *sorted((ROOT / "examples").glob("*/evidence.csv")),
    ROOT / "src" / "masterykit" / "examples.py",  # not a CSV at all: refused the same way
]


def outcome(read: Any, path: Path, options: dict[str, Any] | None = None) -> Any:
    """Everything a reader gives for ``path``: each record with its origin, or the error."""
    try:
        records = []
        for record in read(ReadRequest(path, options or {})):
            if isinstance(record, Evidence):
                records.append(("evidence", record, record.origin))
            else:
                records.append(("rejection", record))
        return records
    except EvidenceError as error:
        return [("error", d.code, d.message, d.location, d.help) for d in error.diagnostics]


def same(path: Path, options: dict[str, Any] | None = None, *, block: int | None = None) -> Any:
    expected = outcome(read_csv, path, options)
    if block is None:
        got = outcome(columnar.read_csv_columnar, path, options)
    else:
        with mock.patch.object(columnar, "BLOCK_BYTES", block):
            got = outcome(columnar.read_csv_columnar, path, options)
    assert got == expected
    return expected


@pytest.mark.parametrize("path", EXAMPLE_CSVS, ids=lambda p: p.parent.name)
@pytest.mark.parametrize("block", [None, 64])
def test_the_example_exports_read_the_same(path: Path, block: int | None) -> None:
    same(path, block=block)


CORPUS = {
    "plain": "learner,competency,score,timestamp\nana,M.1,3,2026-01-10\nbo,M.2,2.5,2026-01-11\n",
    "crlf": "learner,competency,score,timestamp\r\nana,M.1,3,2026-01-10\r\nbo,M.1,4,2026-01-11\r\n",
    "no final line break": "learner,competency,score,timestamp\nana,M.1,3,2026-01-10",
    "bom": "\ufefflearner,competency,score,timestamp\nana,M.1,3,2026-01-10\n",
    "blank lines": "learner,competency,score,timestamp\n\nana,M.1,3,2026-01-10\n\n \n"
    "bo,M.1,2,2026-01-09\n",
    "quotes": 'learner,competency,score,timestamp,kind\nana,M.1,3,2026-01-10,"a, b"\n'
    'bo,M.1,2,2026-01-10,"two\nlines"\ncy,M.1,x,2026-01-10,quiz\n',
    "broken quote": 'learner,competency,score,timestamp\nana,M.1,3,"2026-01-10\n'
    "bo,M.1,3,2026-01-10\n",
    "problems": "learner,competency,score,timestamp,kind,rater,source_id\n"
    "ana,M.1,x,2026-01-10,,,s1\n,M.1,3,2026-01-10,,,s2\nana,M.1,3,2026-02-30,,,s3\n"
    "ana,M.1,3,2026-01-10,quiz,r,s1\nana,M.1,1e999,2026-01-10,,,\nana,M.1,3,tomorrow,,,\n"
    " ana , M.1 , 3 , 2026-01-10 , quiz , , s9 \nana,M.1,3,2026-01-10,a,b,c,d\nana,M.1\n"
    "bo,M.1,3,2026-01-10,,,s9\n",
    "extra columns": "id,learner,x,competency,score,y,timestamp\n1,ana,?,M.1,3,z,2026-01-10\n",
    "datetimes": "learner,competency,score,timestamp\nana,M.1,3,2026-01-10T09:30:00Z\n"
    "ana,M.1,3,2026-01-10 09:30+02:00\nana,M.1,3,9999-12-31T23:00:00-05:00\n",
    "missing column": "learner,competency,score\nana,M.1,3\n",
    "column twice": "learner,competency,score,timestamp,score\nana,M.1,3,2026-01-10,4\n",
    "header only": "learner,competency,score,timestamp\n",
    "empty": "",
    "not utf-8": "learner,competency,score,timestamp\nana,M.1,3,2026-01-10\n",
    "nul": "learner,competency,score,timestamp\nana,M.1,3,2026-01-10\n",
    "lone carriage return": "learner,competency,score,timestamp\nana,M.1,3,2026-01-10\r"
    "bo,M.1,3,2026-01-10\n",
    "unicode spaces": "learner,competency,score,timestamp\n\u00a0ana\u2003,M.1,3,2026-01-10\n"
    "\x1cbo,M.1,3,2026-01-10\n",
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "e.csv"
    data = text.encode("utf-8")
    if name == "not utf-8":
        data = data.replace(b"ana", b"an\xff", 1)
    if name == "nul":
        data = data + b"bo,M.1,\x00,2026-01-10\n" + b"x" * 9000 + b"\n"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", sorted(CORPUS))
@pytest.mark.parametrize("block", [None, 16, 40])
def test_awkward_files_read_the_same(tmp_path: Path, name: str, block: int | None) -> None:
    same(_write(tmp_path, name, CORPUS[name]), block=block)


def test_a_problem_row_is_rejected_with_its_line_among_evidence(tmp_path: Path) -> None:
    path = _write(tmp_path, "problems", CORPUS["problems"])
    records = same(path)
    rejected = [(r[1].code, r[1].reason, r[1].origin.line) for r in records if r[0] == "rejection"]
    assert rejected == [
        ("MK309", "score `x` is not a number", 2),
        ("MK307", "missing `learner`", 3),
        ("MK311", "date `2026-02-30` does not exist", 4),
        (
            "MK360",
            "score `1e999` is out of range: numbers have at most 100 digits and a power of "
            "ten from -100 to 100",
            6,
        ),
        (
            "MK310",
            "timestamp `tomorrow` is not a date (write YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
            7,
        ),
        ("MK308", "row has 8 cells but the header has 7", 9),
        ("MK307", "missing `score`", 10),
        ("MK314", "duplicate source_id `s9` (first on line 8)", 11),
    ]
    assert [r[1].learner for r in records if r[0] == "evidence"] == ["ana", "ana"]


OPTIONS = [
    {},
    {"missing_values": ["?", "NA"]},
    {"competencies": {"q1": "M.1", "q2": "M.2"}},
    {"competencies": {"q1": " M.1 ", "M.1": "M.2"}, "competency_template": "X{value}"},
    {"competency_template": "OULAD.{value}"},
    {"raw_min": 0, "raw_max": 100, "scale": (1, 4)},
    {"raw_min": 0, "raw_max": 100, "scales": {"M.1": (1, 4)}},
    {"day_zero": "2026-01-01"},
    {"kind": "quiz"},
    {"columns": {"learner": "id_student", "score": "points"}},
    {"max_record_bytes": 40},
]

LEARNERS = ["ana", "bo", " cy", "dee ", "", "?", "é", "=x", "a b"]
CODES = ["M.1", "M.2", "q1", "q2", "", " M.1", "NA", "zz"]
SCORES = ["3", "2.5", "3.50", "0", "100", "101", "-1", "x", "", "?", " 4 ", "1e5", "1e999", "NaN"]
STAMPS = ["2026-01-10", "2026-01-10T09:30", "2026-02-30", "10", "-3", "1.5", "", "x", "?", "3"]
KINDS = ["quiz", "", " task ", "?", "NA"]
IDS = ["", "s1", "s2", "s3", " s1"]
HEADERS = [
    ["learner", "competency", "score", "timestamp"],
    ["learner", "competency", "score", "timestamp", "kind", "rater", "source_id"],
    ["timestamp", "x", "score", "learner", "competency", "kind"],
    ["id_student", "competency", "points", "timestamp", "learner", "score"],
    ["learner", "competency", "score", "timestamp", "source_id", "x"],
]


@st.composite
def exports(draw: st.DrawFn) -> tuple[bytes, dict[str, Any], int]:
    header = draw(st.sampled_from(HEADERS))
    pools = {
        "learner": LEARNERS,
        "id_student": LEARNERS,
        "competency": CODES,
        "score": SCORES,
        "points": SCORES,
        "timestamp": STAMPS,
        "kind": KINDS,
        "source_id": IDS,
    }
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 12))):
        cells = [draw(st.sampled_from(pools.get(name, ["", "r", "z"]))) for name in header]
        shape = draw(st.integers(0, 30))
        if shape == 0:
            cells = cells[:-1]
        elif shape == 1:
            cells.append("extra")
        elif shape == 2:
            cells[0] = '"' + cells[0] + '"'
        elif shape == 3:
            lines.append("")
        elif shape == 4:
            lines.append("  ")
        lines.append(",".join(cells))
    data = end.join(lines).encode("utf-8")
    if draw(st.booleans()):
        data += end.encode()
    if draw(st.integers(0, 10)) == 0:
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at] + draw(st.sampled_from([b"\xff", b"\r", b"\x00", b'"', b"\n\n"])) + data[at:]
        )
    return data, draw(st.sampled_from(OPTIONS)), draw(st.sampled_from([8, 30, 200, 1 << 20]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_any_file_reads_the_same_as_with_the_csv_reader(
    case: tuple[bytes, dict[str, Any], int],
) -> None:
    import tempfile

    data, options, block = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.csv"
        path.write_bytes(data)
        same(path, options, block=block)


def test_evidence_is_built_as_its_constructor_builds_it() -> None:
    fields = ("ana", "M.1", Decimal("3.50"), dt.date(2026, 1, 10), "quiz", None, "s1")
    origin = Origin("e.csv", 2, "s1")
    made = columnar.make_evidence(*fields, origin)
    built = Evidence(*fields, origin)
    assert made == built
    assert [getattr(made, f.name) for f in attrs.fields(Evidence)] == [
        getattr(built, f.name) for f in attrs.fields(Evidence)
    ]
    # The shortcut skips `__init__`: it is only right while `__init__` only stores the fields.
    assert all(
        f.validator is None and f.converter is None and f.on_setattr in (None, attrs.setters.NO_OP)
        for f in attrs.fields(Evidence)
    ) or all(f.validator is None and f.converter is None for f in attrs.fields(Evidence))
    assert not hasattr(Evidence, "__attrs_post_init__")


# --- Parquet ------------------------------------------------------------------------------------


def test_a_parquet_file_reads_as_the_same_rows_in_csv(tmp_path: Path) -> None:
    lines = CORPUS["problems"].splitlines()
    text = "\n".join(line for line in lines if line.count(",") == 6) + "\n"
    csv_path = _write(tmp_path, "problems", text)
    import pyarrow.csv as pcsv

    table = pcsv.read_csv(
        csv_path,
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in lines[0].split(",")},
            strings_can_be_null=False,
        ),
    )
    parquet = tmp_path / "e.parquet"
    pq.write_table(table, parquet)

    def rows(records: Any) -> list[Any]:
        return [
            (r.code, r.origin.line, r.reason if r.code != "MK314" else "")
            if not isinstance(r, Evidence)
            else (r, r.origin.line)
            for r in records
        ]

    from_csv = rows(read_csv(ReadRequest(csv_path)))
    from_parquet = rows(read_evidence(parquet))
    # Parquet lines are row numbers (1 for the first row); CSV lines count the header.
    assert from_parquet == [
        (*row[:-2], row[-2] - 1, row[-1]) if len(row) == 3 else (row[0], row[1] - 1)
        for row in from_csv
    ]
    mk314 = [r for r in read_evidence(parquet) if not isinstance(r, Evidence) and r.code == "MK314"]
    assert mk314[0].reason == "duplicate source_id `s9` (first on line 7)"


def test_parquet_columns_of_numbers_and_dates_are_read_as_their_text(tmp_path: Path) -> None:
    table = pa.table(
        {
            "learner": ["ana", "bo", None],
            "competency": ["M.1", "M.1", "M.1"],
            "score": pa.array([Decimal("3.50"), Decimal("2"), Decimal("1")]),
            "timestamp": pa.array(
                [
                    dt.datetime(2026, 1, 10, 9, 30),
                    dt.datetime(2026, 1, 11),
                    dt.datetime(2026, 1, 12),
                ],
                pa.timestamp("us"),
            ),
        }
    )
    path = tmp_path / "e.parquet"
    pq.write_table(table, path)
    records = list(read_evidence(path))
    assert [(e.learner, e.score, e.timestamp) for e in records[:2]] == [
        ("ana", Decimal("3.50"), dt.datetime(2026, 1, 10, 9, 30)),
        ("bo", Decimal("2"), dt.datetime(2026, 1, 11)),
    ]
    assert (records[2].code, records[2].reason, records[2].origin.line) == (
        "MK307",
        "missing `learner`",
        3,
    )


def _error(path: Path) -> tuple[str, str]:
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path))
    (diagnostic,) = caught.value.diagnostics
    return diagnostic.code, diagnostic.message


def test_a_parquet_file_without_a_required_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    pq.write_table(pa.table({"learner": ["ana"], "competency": ["M.1"], "score": [3]}), path)
    assert _error(path) == (
        "MK373",
        "the table has no column `timestamp`, so none of its rows is read",
    )


def test_a_file_that_is_not_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    path.write_text("learner,competency\n")
    code, message = _error(path)
    assert code == "MK374"
    assert message.startswith(f"`{path}` is not a Parquet file that can be read (")


def test_a_parquet_column_of_lists_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.parquet"
    table = pa.table(
        {"learner": ["ana"], "competency": ["M.1"], "score": [[3]], "timestamp": ["2026-01-10"]}
    )
    pq.write_table(table, path)
    assert _error(path) == (
        "MK375",
        "column `score` holds list<element: int64> values, which cannot be read as the score",
    )


def test_parquet_without_the_arrow_extra_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "e.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setattr(columnar, "available", lambda: False)
    assert _error(path) == (
        "MK376",
        f"reading `{path}` as Parquet needs pyarrow, which is not installed",
    )


def test_without_the_arrow_extra_csv_is_read_by_the_csv_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "plain", CORPUS["plain"])
    monkeypatch.setattr(columnar, "available", lambda: False)
    called = []
    monkeypatch.setattr(columnar, "read_csv_columnar", lambda request: called.append(1))
    assert [e.learner for e in read_evidence(path)] == ["ana", "bo"]
    assert called == []


def checked_outcome(path: Path, options: dict[str, Any], block: int) -> Any:
    """What the checked tables (read back as evidence) and their rejections give, by line."""
    try:
        with mock.patch.object(columnar, "BLOCK_BYTES", block):
            records: list[Any] = []
            for table, rejections in columnar.checked_tables(ReadRequest(path, options)):
                assert table.schema == columnar.NORMAL_SCHEMA
                records.extend(
                    ("evidence", e, e.origin) for e in columnar.records_of_normal(table, str(path))
                )
                records.extend(("rejection", r) for r in rejections)
    except EvidenceError as error:
        return [("error", d.code, d.message, d.location, d.help) for d in error.diagnostics]
    return sorted(records, key=lambda r: (r[-1] if r[0] == "evidence" else r[1].origin).line)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_checked_tables_read_back_as_the_csv_readers_records(
    case: tuple[bytes, dict[str, Any], int],
) -> None:
    import tempfile

    data, options, block = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "e.csv"
        path.write_bytes(data)
        assert checked_outcome(path, options, block) == outcome(read_csv, path, options)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_awkward_files_read_back_the_same_from_checked_tables(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name, CORPUS[name])
    assert checked_outcome(path, {}, 40) == outcome(read_csv, path, {})
