"""CSV and JSON Lines evidence: documented columns, every row used or rejected with its reason."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers import ReadSummary, read_all, read_evidence

HEADER = "learner,competency,score,timestamp,kind,rater,source_id\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def only(results: list[Evidence | Rejection]) -> Evidence | Rejection:
    assert len(results) == 1
    return results[0]


def test_csv_row_with_every_documented_column_becomes_evidence(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,MATH.1,3.5,2026-01-10T09:30,quiz,mr_b,q-1\n")
    evidence = only(list(read_evidence(path)))
    assert evidence == Evidence(
        "ana",
        "MATH.1",
        Decimal("3.5"),
        dt.datetime(2026, 1, 10, 9, 30),
        kind="quiz",
        rater="mr_b",
        source_id="q-1",
    )
    assert evidence.origin == Origin(str(path), 2, "q-1")


def test_csv_reads_quoted_cells_a_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    text = '\ufefflearner,competency,score,timestamp\r\n"ana, jr",MATH.1,"4",2026-01-10\r\n'
    path = write(tmp_path, "e.csv", text)
    evidence = only(list(read_evidence(path)))
    assert isinstance(evidence, Evidence)
    assert (evidence.learner, evidence.score, evidence.timestamp) == (
        "ana, jr",
        Decimal(4),
        dt.date(2026, 1, 10),
    )


BAD_ROWS = [
    (",MATH.1,3,2026-01-10,,,", "MK307", "missing `learner`"),
    ("ana,MATH.1,,2026-01-10,,,", "MK307", "missing `score`"),
    ("ana,MATH.1,3,,,,", "MK307", "missing `timestamp`"),
    ("ana,MATH.1,three,2026-01-10,,,", "MK309", "score `three` is not a number"),
    ("ana,MATH.1,NaN,2026-01-10,,,", "MK309", "score `NaN` is not a number"),
    (
        "ana,MATH.1,3,10/01/2026,,,",
        "MK310",
        "timestamp `10/01/2026` is not a date (write YYYY-MM-DD or YYYY-MM-DDTHH:MM)",
    ),
    ("ana,MATH.1,3,2026-02-30,,,", "MK311", "date `2026-02-30` does not exist"),
    ("ana,MATH.1,3,2026-01-10T25:00,,,", "MK311", "date `2026-01-10T25:00` does not exist"),
    ("ana,MATH.1,3,2026-01-10,,,,extra", "MK308", "row has 8 cells but the header has 7"),
]


@pytest.mark.parametrize(("row", "code", "reason"), BAD_ROWS)
def test_csv_bad_row_is_rejected_with_its_reason_and_line(
    tmp_path: Path, row: str, code: str, reason: str
) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,MATH.1,3,2026-01-09,,,\n" + row + "\n")
    good, bad = list(read_evidence(path))
    assert isinstance(good, Evidence)
    assert bad == Rejection(code, reason, Origin(str(path), 3))


def test_csv_without_a_required_column_is_an_error_for_the_whole_file(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "learner,competency,timestamp\nana,M.1,2026-01-10\n")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        "MK306",
        "missing column `score` in the header, so no row of the file is read",
        f"{path} line 1",
    )
    assert diagnostic.help == (
        "columns are found by their names, exactly as written; name another column with the "
        '`columns` option, such as `columns={"score": "…"}`'
    )


@pytest.mark.parametrize("name", ["e.csv", "e.jsonl"])
def test_a_binary_file_is_refused_whole(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        "MK303",
        "file is binary, not UTF-8 text, so none of it is read",
        str(path),
    )


def test_row_that_is_not_utf8_is_rejected_and_the_rest_is_read(tmp_path: Path) -> None:
    text = (HEADER + "ana,MATH.1,3,2026-01-10,,,\n").encode() + b"b\xe9n,MATH.1,3,2026-01-10,,,\n"
    path = write(tmp_path, "e.csv", text + b"cy,MATH.1,2,2026-01-10,,,\n")
    results = list(read_evidence(path))
    assert [type(r).__name__ for r in results] == ["Evidence", "Rejection", "Evidence"]
    assert results[1] == Rejection("MK304", "row is not valid UTF-8 text", Origin(str(path), 3))


def test_row_longer_than_64_kib_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    long_row = "ana,MATH.1,3,2026-01-10,quiz,," + "x" * (64 * 1024) + "\n"
    path = write(tmp_path, "e.csv", HEADER + long_row + "ben,MATH.1,2,2026-01-10,,,\n")
    results = list(read_evidence(path))
    assert results[0] == Rejection("MK305", "row is longer than 65536 bytes", Origin(str(path), 2))
    assert isinstance(results[1], Evidence)
    assert results[1].origin == Origin(str(path), 3)


def test_quoted_row_spanning_lines_counts_all_its_bytes(tmp_path: Path) -> None:
    row = 'ana,MATH.1,3,2026-01-10,quiz,"' + "a\n" * 30 + '",\n'
    path = write(tmp_path, "e.csv", HEADER + row)
    results = list(read_evidence(path, options={"max_record_bytes": 64}))
    assert results == [Rejection("MK305", "row is longer than 64 bytes", Origin(str(path), 2))]


def test_quote_never_closed_is_rejected_instead_of_swallowing_the_rows_after_it(
    tmp_path: Path,
) -> None:
    rows = 'ana,MATH.1,3,2026-01-10,"quiz,,\nben,MATH.1,2,2026-01-11,quiz,,\n'
    path = write(tmp_path, "e.csv", HEADER + rows)
    assert list(read_evidence(path)) == [
        Rejection(
            "MK349",
            "a quote opened on line 2 is never closed: the file ends inside it",
            Origin(str(path), 2),
        )
    ]


def test_text_after_a_closing_quote_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    rows = 'ana,MATH.1,3,2026-01-10,"quiz" 2,,\nben,MATH.1,2,2026-01-11,quiz,,\n'
    path = write(tmp_path, "e.csv", HEADER + rows)
    results = list(read_evidence(path))
    assert results[0] == Rejection(
        "MK349",
        "a quoted cell on line 2 is followed by other text before the next comma: a quote "
        'inside a quoted cell is written twice (`""`)',
        Origin(str(path), 2),
    )
    assert isinstance(results[1], Evidence)
    assert results[1].origin == Origin(str(path), 3)


def test_a_quote_left_open_past_the_cell_size_csv_allows_is_rejected_not_a_crash(
    tmp_path: Path,
) -> None:
    rows = 'ana,MATH.1,3,2026-01-10,"quiz,,\n' + "ben,MATH.1,2,2026-01-11,quiz,,\n" * 5_000
    path = write(tmp_path, "e.csv", HEADER + rows)
    results = list(read_evidence(path, options={"max_record_bytes": 1_000_000}))
    # The lines the open cell swallowed are named; reading goes on after them.
    assert results[0] == Rejection(
        "MK349",
        "a quoted cell runs over lines 2 to 4230 and grows past 131,072 characters: a quote "
        "is probably never closed",
        Origin(str(path), 2),
    )
    rest = results[1:]
    assert all(isinstance(r, Evidence) for r in rest)
    assert [r.origin for r in rest[:1]] == [Origin(str(path), 4231)]
    assert len(rest) == 5_002 - 4_230  # lines 4231 to 5002


def test_duplicate_source_id_is_rejected_naming_the_first_line(tmp_path: Path) -> None:
    rows = "ana,MATH.1,3,2026-01-10,,,q-1\nben,MATH.1,3,2026-01-10,,,q-1\n"
    path = write(tmp_path, "e.csv", HEADER + rows)
    results = list(read_evidence(path))
    assert results[1] == Rejection(
        "MK314", "duplicate source_id `q-1` (first on line 2)", Origin(str(path), 3)
    )


def test_blank_lines_are_not_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "\nana,MATH.1,3,2026-01-10,,,\n\n")
    results = list(read_evidence(path))
    assert len(results) == 1
    assert results[0].origin == Origin(str(path), 3, None)


def test_jsonl_numbers_stay_exact_decimals(tmp_path: Path) -> None:
    line = '{"learner": "ana", "competency": "M.1", "score": 3.65, "timestamp": "2026-01-10"}\n'
    evidence = only(list(read_evidence(write(tmp_path, "e.jsonl", line))))
    assert isinstance(evidence, Evidence)
    assert evidence.score == Decimal("3.65")
    assert str(evidence.score) == "3.65"


def test_jsonl_numeric_learner_ids_become_text(tmp_path: Path) -> None:
    line = '{"learner": 11391, "competency": "M.1", "score": 3, "timestamp": "2026-01-10"}\n'
    evidence = only(list(read_evidence(write(tmp_path, "e.jsonl", line))))
    assert isinstance(evidence, Evidence)
    assert evidence.learner == "11391"


BAD_LINES = [
    (
        '{"learner": "ana", ',
        "MK312",
        "line is not valid JSON: expecting property name enclosed in double quotes",
    ),
    ("[1, 2]", "MK313", "line is not a JSON object"),
    (
        '{"learner": {"id": 1}, "competency": "M.1", "score": 3, "timestamp": "2026-01-10"}',
        "MK319",
        "`learner` must be text or a number",
    ),
    (
        '{"learner": "ana", "competency": "M.1", "score": true, "timestamp": "2026-01-10"}',
        "MK319",
        "`score` must be text or a number",
    ),
    (
        '{"learner": "ana", "competency": "M.1", "timestamp": "2026-01-10"}',
        "MK307",
        "missing `score`",
    ),
]


@pytest.mark.parametrize(("line", "code", "reason"), BAD_LINES)
def test_jsonl_bad_line_is_rejected_with_its_reason(
    tmp_path: Path, line: str, code: str, reason: str
) -> None:
    path = write(tmp_path, "e.jsonl", line + "\n")
    assert list(read_evidence(path)) == [Rejection(code, reason, Origin(str(path), 1))]


def test_jsonl_line_that_is_not_utf8_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", b'{"learner": "b\xe9n"}\n')
    assert list(read_evidence(path)) == [
        Rejection("MK304", "line is not valid UTF-8 text", Origin(str(path), 1))
    ]


# --- mapping options ---------------------------------------------------------------------------

EXPORT = "student,standard,points,when,type\n"


def test_columns_option_renames_columns_and_kind_option_fills_in(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", EXPORT + "ana,M.1,3,2026-01-10,\nben,M.1,2,2026-01-10,task\n")
    options = {
        "columns": {
            "learner": "student",
            "competency": "standard",
            "score": "points",
            "timestamp": "when",
            "kind": "type",
        },
        "kind": "quiz",
    }
    results = list(read_evidence(path, options=options))
    assert [(e.learner, e.kind) for e in results if isinstance(e, Evidence)] == [
        ("ana", "quiz"),
        ("ben", "task"),
    ]


def test_missing_renamed_column_is_named_as_in_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "student,standard,when\nana,M.1,2026-01-10\n")
    options = {"columns": {"learner": "student", "competency": "standard", "score": "points"}}
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path, options=options))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK306",
        "missing column `points` in the header, so no row of the file is read",
    )


def test_raw_range_is_rescaled_onto_the_competency_scale(tmp_path: Path) -> None:
    rows = HEADER + "ana,M.1,0,2026-01-10,,,\nana,M.1,50,2026-01-10,,,\nana,M.2,100,2026-01-10,,,\n"
    options = {"raw_min": 0, "raw_max": 100, "scale": (1, 4), "scales": {"M.2": (0, 5)}}
    scores = [e.score for e in read_evidence(write(tmp_path, "e.csv", rows), options=options)]
    assert scores == [Decimal(1), Decimal("2.5"), Decimal(5)]


def test_raw_score_outside_the_raw_range_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.1,101,2026-01-10,,,\n")
    options = {"raw_min": 0, "raw_max": 100, "scale": (1, 4)}
    assert list(read_evidence(path, options=options)) == [
        Rejection("MK315", "score `101` is outside the raw range 0..100", Origin(str(path), 2))
    ]


def test_rescaling_without_a_known_scale_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.9,50,2026-01-10,,,\n")
    options = {"raw_min": 0, "raw_max": 100, "scales": {"M.1": (1, 4)}}
    assert list(read_evidence(path, options=options)) == [
        Rejection(
            "MK317", "no scale for competency `M.9` to rescale the score onto", Origin(str(path), 2)
        )
    ]


def test_competency_mapping_rejects_values_it_does_not_know(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,1752,3,2026-01-10,,,\nana,9999,3,2026-01-10,,,\n")
    results = list(read_evidence(path, options={"competencies": {"1752": "AAA.TMA1"}}))
    assert isinstance(results[0], Evidence)
    assert results[0].competency == "AAA.TMA1"
    assert results[1] == Rejection(
        "MK316", "no competency for `9999` in the `competencies` mapping", Origin(str(path), 3)
    )


def test_competency_template_builds_codes_from_raw_values(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,1752,3,2026-01-10,,,\n")
    evidence = only(list(read_evidence(path, options={"competency_template": "OULAD.{value}"})))
    assert isinstance(evidence, Evidence)
    assert evidence.competency == "OULAD.1752"


def test_day_offsets_count_from_day_zero(tmp_path: Path) -> None:
    rows = HEADER + "ana,M.1,3,18,,,\nana,M.1,3,-10,,,\nana,M.1,3,1.5,,,\n"
    path = write(tmp_path, "e.csv", rows)
    results = list(read_evidence(path, options={"day_zero": dt.date(2013, 10, 1)}))
    assert [r.timestamp for r in results if isinstance(r, Evidence)] == [
        dt.date(2013, 10, 19),
        dt.date(2013, 9, 21),
    ]
    assert results[2] == Rejection(
        "MK318", "day offset `1.5` is not a whole number", Origin(str(path), 4)
    )


@pytest.mark.parametrize(
    ("offset", "shown"),
    [
        ("20260110", "20260110"),
        ("-735142", "-735142"),
        ("1" + "0" * 50, "1" + "0" * 29 + "… (51 characters)"),
        ("2916917", None),  # 9999-12-31, the last day there is
        ("-735141", None),  # 0001-01-01, the first
    ],
)
def test_a_day_offset_past_the_calendar_is_rejected_not_a_crash(
    tmp_path: Path, offset: str, shown: str | None
) -> None:
    path = write(tmp_path, "e.csv", HEADER + f"ana,M.1,3,{offset},,,\n")
    (result,) = read_evidence(path, options={"day_zero": dt.date(2013, 10, 1)})
    if shown is not None:
        assert result == Rejection(
            "MK348",
            f"day offset `{shown}` from 2013-10-01 falls outside the calendar "
            "(0001-01-01 to 9999-12-31)",
            Origin(str(path), 2),
        )
    else:
        assert isinstance(result, Evidence)
        assert result.timestamp in (dt.date.max, dt.date.min)


def test_missing_values_option_treats_markers_as_empty(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.1,?,2026-01-10,,,\n")
    assert list(read_evidence(path, options={"missing_values": ["?"]})) == [
        Rejection("MK307", "missing `score`", Origin(str(path), 2))
    ]


BAD_OPTIONS: list[tuple[dict[str, Any], str]] = [
    (
        {"colums": {}},
        "option `colums` is not an option of the CSV and JSON Lines readers",
    ),
    (
        {"columns": {"student": "x"}},
        "option `columns` must map evidence fields (learner, competency, score, timestamp, kind, "
        "rater, source_id, school) to column names",
    ),
    ({"raw_min": 0}, "option `raw_min` and `raw_max` must both be numbers with raw_min < raw_max"),
    (
        {"scale": (4, 1)},
        "option `scale` must be a (min, max) pair of numbers with min < max, not `(4, 1)`",
    ),
    (
        {"competency_template": "X."},
        "option `competency_template` must be text containing `{value}`",
    ),
    ({"day_zero": "2026-13-01"}, "option `day_zero` must be a date (YYYY-MM-DD)"),
    (
        {"max_record_bytes": 0},
        "option `max_record_bytes` must be a whole number from 16 to 67108864, not `0`",
    ),
    ({"missing_values": "?"}, "option `missing_values` must be a list of texts, not `?`"),
]


@pytest.mark.parametrize(("options", "message"), BAD_OPTIONS)
def test_wrong_option_is_an_error_before_any_reading(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    path = write(tmp_path, "e.csv", HEADER)
    with pytest.raises(EvidenceError) as caught:
        read_evidence(path, options=options)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == ("MK302", message)


def test_unknown_file_ending_has_no_reader(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(write(tmp_path, "e.txt", ""))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == ("MK301", "no evidence reader for `e.txt`")
    assert diagnostic.help == "name a format: csv, jsonl, parquet, xapi or oneroster"


def test_unknown_format_name_has_no_reader(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(write(tmp_path, "e.csv", ""), format="xlsx")
    assert caught.value.diagnostics[0].message == "no evidence reader for `xlsx`"


def test_missing_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        read_evidence(tmp_path / "nope.csv")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK300",
        f"cannot read `{tmp_path / 'nope.csv'}`: no such file",
    )


def test_format_option_reads_a_file_under_another_name(tmp_path: Path) -> None:
    path = write(tmp_path, "export.txt", HEADER + "ana,M.1,3,2026-01-10,,,\n")
    assert len(list(read_evidence(path, format="csv"))) == 1


def test_reader_streams_one_row_at_a_time(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.1,3,2026-01-10,,,\n" * 3)
    stream = read_evidence(path)
    first = next(stream)
    assert isinstance(first, Evidence)
    assert first.origin == Origin(str(path), 2)


# --- reconciliation --------------------------------------------------------------------------

CELLS = st.sampled_from(["ana", "M.1", "3", "x", "", "2026-01-10", "2026-02-30", "q-1", "4.5"])


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=8), max_size=12))
def test_every_csv_row_is_used_or_rejected_exactly_once(
    tmp_path: Path, rows: list[list[str]]
) -> None:
    rows = [r for r in rows if any(r)]  # a line of empty cells ("" or ",,") may be blank
    body = "".join(",".join(row) + "\n" for row in rows if ",".join(row).strip())
    path = write(tmp_path, "p.csv", HEADER + body)
    results = list(read_evidence(path))
    summary = ReadSummary.of(results)
    assert summary.read == len(body.splitlines())
    assert summary.reconciles
    assert [r.origin.line for r in results if r.origin] == list(range(2, summary.read + 2))


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(
        st.dictionaries(
            st.sampled_from(["learner", "competency", "score", "timestamp", "kind"]),
            st.one_of(st.none(), st.integers(-3, 9), st.sampled_from(["ana", "2026-01-10", "x"])),
        ),
        max_size=10,
    )
)
def test_every_json_line_is_used_or_rejected_exactly_once(
    tmp_path: Path, values: list[dict[str, object]]
) -> None:
    path = write(tmp_path, "p.jsonl", "".join(json.dumps(v) + "\n" for v in values))
    evidence, rejections, summary = read_all(path)
    assert summary.read == len(values) == len(evidence) + len(rejections)
    assert summary.reconciles


def test_summary_counts_rejections_by_code_and_describes_them(tmp_path: Path) -> None:
    rows = HEADER + "ana,M.1,3,2026-01-10,,,\nana,M.1,x,2026-01-10,,,\nana,M.1,y,2026-01-10,,,\n"
    _, _, summary = read_all(write(tmp_path, "e.csv", rows))
    assert summary == ReadSummary(read=3, used=1, rejected={"MK309": 2}, skipped={})
    assert summary.describe() == [
        "read 3, used 1, rejected 2",
        "rejected MK309 ×2: a score is not a number",
    ]


def test_json_line_longer_than_the_limit_is_rejected(tmp_path: Path) -> None:
    line = json.dumps({"learner": "ana", "note": "x" * 100}) + "\n"
    path = write(tmp_path, "e.jsonl", line + line)
    results = list(read_evidence(path, options={"max_record_bytes": 64}))
    assert results == [
        Rejection("MK305", "line is longer than 64 bytes", Origin(str(path), 1)),
        Rejection("MK305", "line is longer than 64 bytes", Origin(str(path), 2)),
    ]


def test_limit_counts_the_line_end(tmp_path: Path) -> None:
    row = "ana,M.1,3,2026-01-10\n"  # 21 bytes with its line end
    header = "learner,competency,score,timestamp\n"  # 35 bytes
    path = write(tmp_path, "e.csv", header + row)
    assert isinstance(next(read_evidence(path, options={"max_record_bytes": 35})), Evidence)
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path, options={"max_record_bytes": 34}))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        "MK305",
        "the header cannot be read (row is longer than 34 bytes), so no row of the file is read",
        f"{path} line 1",
    )


def test_csv_can_come_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (HEADER + "ana,M.1,3,2026-01-10,,,\n").encode()
    fake = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", fake)
    (evidence,) = read_evidence("-", format="csv")
    assert isinstance(evidence, Evidence)
    assert evidence.origin == Origin("<stdin>", 2)
    assert not fake.buffer.closed
