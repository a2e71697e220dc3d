"""The CSV reader builds well-formed rows on a short path; every row must read exactly as the
full checks read it: the same evidence, the same rejection with the same reason, the same line.

The reference reading here is the CSV reader's full path: each row zipped with the header into
a mapping and checked field by field, with no remembered scores or timestamps.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers._common import csv_rows
from masterykit.readers.tabular import REQUIRED_FIELDS, TabularOptions, _read_csv, _RowMapper

FILE = "e.csv"


def _reference(data: bytes, options: TabularOptions) -> Iterator[Evidence | Rejection]:
    """Every row zipped with the header and checked field by field, nothing remembered."""
    header: list[str] | None = None
    seen_ids: dict[str, int] = {}
    for item in csv_rows(io.BytesIO(data), options.max_record_bytes, FILE):
        if isinstance(item, Rejection):
            yield item
            continue
        line, row = item
        if header is None:
            header = [cell.strip() for cell in row]
            if any(options.column(field) not in header for field in REQUIRED_FIELDS):
                yield from _read_csv(io.BytesIO(data), options, FILE)  # the header's error
                return
            _RowMapper(options, FILE).use_header(header, line)  # a column named twice
            continue
        if len(row) > len(header):
            reason = f"row has {len(row)} cells but the header has {len(header)}"
            yield Rejection("MK308", reason, Origin(FILE, line))
            continue
        mapper = _RowMapper(options, FILE)
        mapper.seen_ids = seen_ids
        yield mapper.map(dict(zip(header, row, strict=False)), line)


def _shape(result: Evidence | Rejection) -> tuple[object, ...]:
    if isinstance(result, Rejection):
        return ("rejected", result.code, result.reason, result.origin, result.evidence)
    return (
        "evidence",
        result.learner,
        result.competency,
        str(result.score),
        repr(result.timestamp),
        result.kind,
        result.rater,
        result.source_id,
        result.origin,
    )


def _shapes(results: Iterator[Evidence | Rejection]) -> list[Any]:
    """The shape of each result, then of the error that ended the reading, if one did."""
    shapes = []
    try:
        for result in results:
            shapes.append(_shape(result))
    except EvidenceError as error:
        shapes.extend(("error", d.code, d.message, d.location) for d in error.diagnostics)
    return shapes


def _read_both(text: str, options: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    data = text.encode("utf-8")
    opts = TabularOptions.from_options(options)
    fast = _shapes(_read_csv(io.BytesIO(data), opts, FILE))
    slow = _shapes(_reference(data, opts))
    return fast, slow


COLUMNS = ["learner", "competency", "score", "timestamp", "kind", "rater", "source_id", "note"]
# Mostly well-formed cells, so rows take the short path, with every kind of problem mixed in.
CELLS = {
    "learner": st.sampled_from(["ana", "ana", "ben", " ben ", "", "?"]),
    "competency": st.sampled_from(["M.1", "M.1", "X", "M.2 ", "", "?"]),
    "score": st.sampled_from(
        ["3", "3", "3.50", " 2 ", "", "?", "abc", "NaN", "1e2", "-1", "\u0663", "1_0"]
    ),
    "timestamp": st.sampled_from(
        [
            "2026-01-10",
            "2026-01-10",
            "2026-01-10T09:30",
            "2026-02-30",
            "2026/01/10",
            "",
            "?",
            "12",
            "12",
            "3.5",
            "-4",
        ]
    ),
    "kind": st.sampled_from(["quiz", "", "", " task ", "?"]),
    "rater": st.sampled_from(["mr_b", "", "?"]),
    "source_id": st.sampled_from(["q-1", "q-2", "", "", "?", "q-3", "q-4"]),
    "note": st.sampled_from(["x", ""]),
}


@st.composite
def csv_files(draw: st.DrawFn) -> str:
    required = COLUMNS[:4]
    optional = draw(st.lists(st.sampled_from(COLUMNS[4:]), max_size=4))
    header = required + optional
    header = draw(st.permutations(header))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 30))):
        row = [draw(CELLS[column]) for column in header]
        cut = draw(st.sampled_from([None, None, None, -1, 1]))
        if cut == -1 and row:
            row = row[:-1]
        elif cut == 1:
            row.append("extra")
        writer.writerow(row)
    return out.getvalue()


OPTIONS = st.sampled_from(
    [
        {},
        {"kind": "quiz"},
        {"missing_values": ["?"]},
        {"day_zero": "2026-01-01"},
        {"competencies": {"M.1": "MATH.1", "X": "MATH.X"}},
        {"competency_template": "OULAD.{value}"},
        {"raw_min": 0, "raw_max": 10, "scale": [1, 4]},
        {"columns": {"learner": "rater"}},
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=csv_files(), options=OPTIONS)
def test_every_csv_row_reads_as_the_full_checks_read_it(text: str, options: dict[str, Any]) -> None:
    fast, slow = _read_both(text, options)
    assert fast == slow


def test_a_repeated_source_id_is_rejected_on_the_short_path_too() -> None:
    text = "learner,competency,score,timestamp,source_id\nana,M.1,3,2026-01-10,q-1\n"
    text += "ben,M.1,3,2026-01-10,q-1\n"
    text += "cy,M.1,3,2026-01-10,q-2\n" + "dee,M.1,3,2026-01-10,q-2\n"
    fast, slow = _read_both(text, {})
    assert fast == slow
    assert [row[1] if row[0] == "rejected" else row[0] for row in fast] == [
        "evidence",
        "MK314",
        "evidence",
        "MK314",
    ]
    assert fast[3][2] == "duplicate source_id `q-2` (first on line 4)"


def test_a_row_without_a_kind_takes_the_kind_option_on_the_short_path_too() -> None:
    text = "learner,competency,score,timestamp,kind\n" + "ana,M.1,3,2026-01-10,\n" * 3
    fast, slow = _read_both(text, {"kind": "quiz"})
    assert fast == slow
    assert [row[5] for row in fast] == ["quiz"] * 3


def test_a_column_named_twice_is_an_error_for_the_file_before_any_row() -> None:
    text = (
        "learner,score,competency,timestamp,score\nana,1,M.1,2026-01-10,2\nben,1,M.1,2026-01-10\n"
    )
    fast, slow = _read_both(text, {})
    assert fast == slow
    assert fast == [
        (
            "error",
            "MK358",
            "column `score` appears twice in the header (columns 2 and 5), so no row of the "
            "file is read",
            "e.csv line 1",
        )
    ]


def test_a_score_seen_as_bad_is_rejected_every_time_it_appears() -> None:
    text = "learner,competency,score,timestamp\n" + "ana,M.1,abc,2026-01-10\n" * 3
    fast, slow = _read_both(text, {})
    assert fast == slow
    assert [row[1:3] for row in fast] == [("MK309", "score `abc` is not a number")] * 3


def test_mapped_competencies_and_rescaled_scores_read_the_same_on_repeated_rows() -> None:
    text = "learner,competency,score,timestamp\n" + (
        "ana,M.1,5,2026-01-10\nben,M.1,5,2026-01-10\ncy,X,5,2026-01-10\ndee,Z,5,2026-01-10\n"
        "eve,M.1,11,2026-01-10\nfay,M.1,11,2026-01-10\n"
    )
    options = {"competencies": {"M.1": "MATH.1", "X": "MATH.X"}, "raw_min": 0, "raw_max": 10}
    options["scales"] = {"MATH.1": [1, 4]}
    fast, slow = _read_both(text, options)
    assert fast == slow
    assert [row[2] if row[0] == "evidence" else row[1] for row in fast] == [
        "MATH.1",
        "MATH.1",
        "MK317",
        "MK316",
        "MK315",
        "MK315",
    ]
    assert fast[1][3] == "2.5"


def test_a_competency_template_reads_the_same_on_repeated_rows() -> None:
    text = "learner,competency,score,timestamp\n" + "ana,1752,3,12\n" * 3
    fast, slow = _read_both(
        text, {"competency_template": "OULAD.{value}", "day_zero": "2013-10-01"}
    )
    assert fast == slow
    assert {(row[2], row[4]) for row in fast} == {("OULAD.1752", "datetime.date(2013, 10, 13)")}
