"""Input built to break the readers: each becomes one rejection (or one error for a header or an
option), with its exact code and message, and reading goes on; nothing crashes, nothing is read
silently wrong, and no message quotes a huge value whole."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from masterykit.diagnostics import EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers import ReadSummary, read_all, read_evidence
from masterykit.readers.learners import read_learners

HEADER = "learner,competency,score,timestamp\n"
GOOD_ROW = "ana,M.1,3,2026-01-10\n"
GOOD_LINE = '{"learner": "ana", "competency": "M.1", "score": 3, "timestamp": "2026-01-10"}\n'
RANGE = "numbers have at most 100 digits and a power of ten from -100 to 100"
DEEP = "objects and arrays are nested more than 64 levels deep"
SURROGATE = (
    "a text holds `\\ud800`, half of a UTF-16 surrogate pair without its other half, which is "
    "not a character"
)
ONEROSTER = Path(__file__).parent / "data" / "oneroster-results"
XAPI_OPTIONS = {"activities": {"act": "M.1"}, "scale": [1, 4]}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(**fields: object) -> str:
    """An evidence line with the good line's fields, some replaced (raw JSON text values)."""
    values: dict[str, object] = {
        "learner": '"ana"',
        "competency": '"M.1"',
        "score": "3",
        "timestamp": '"2026-01-10"',
    }
    values.update(fields)
    return "{" + ", ".join(f'"{k}": {v}' for k, v in values.items()) + "}\n"


def rejections(path: Path, **options: Any) -> list[tuple[str, str, int | None]]:
    """Every rejection as (code, reason, line); the counts must reconcile."""
    evidence, rejected, summary = read_all(path, options=options or None)
    assert summary.reconciles
    assert summary.read == len(evidence) + len(rejected)
    return [(r.code, r.reason, r.origin.line) for r in rejected]


def file_error(path: Path, **options: Any) -> tuple[str, str, str | None]:
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path, options=options or None))
    (diagnostic,) = caught.value.diagnostics
    return (diagnostic.code, diagnostic.message, diagnostic.location)


def learner_problems(path: Path) -> list[tuple[str, str, str | None]]:
    with pytest.raises(EvidenceError) as caught:
        read_learners(path)
    return [(d.code, d.message, d.location) for d in caught.value.diagnostics]


# --- headers: the whole file or nothing -------------------------------------------------------


def test_a_misspelt_header_refuses_the_file_however_many_rows_follow(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "learner,competency,scroe,timestamp\n" + GOOD_ROW * 500)
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location, diagnostic.help) == (
        "MK306",
        "missing column `score` in the header, so no row of the file is read",
        f"{path} line 1",
        "the header has `scroe`: is it `score` misspelt?",
    )


def test_a_learners_header_written_in_capitals_is_pointed_at(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.csv", "ID,iep\nana,true\n")
    with pytest.raises(EvidenceError) as caught:
        read_learners(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.help) == (
        "MK306",
        "the header has `ID`: is it `id` misspelt?",
    )


def test_a_column_named_twice_refuses_an_evidence_file(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "learner,competency,score,timestamp,score\n" + GOOD_ROW)
    assert file_error(path) == (
        "MK358",
        "column `score` appears twice in the header (columns 3 and 5), so no row of the file is "
        "read",
        f"{path} line 1",
    )


def test_a_column_the_reader_does_not_use_may_repeat_and_empty_cells_are_no_names(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "e.csv", "learner,competency,score,timestamp,note,note,,\n" + GOOD_ROW)
    assert rejections(path) == []


def test_a_column_mapped_from_a_field_counts_under_its_own_name(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "student,competency,score,timestamp,student\n" + GOOD_ROW)
    code, message, _ = file_error(path, columns={"learner": "student"})
    assert (code, message) == (
        "MK358",
        "column `student` appears twice in the header (columns 1 and 5), so no row of the file "
        "is read",
    )


def test_a_column_named_twice_stops_a_learners_file(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.csv", "id,grade,grade\nana,9,10\n")
    assert learner_problems(path) == [
        (
            "MK358",
            "column `grade` appears twice in the header (columns 2 and 3), so no row of the file "
            "is read",
            f"{path} line 1",
        )
    ]


def oneroster_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(ONEROSTER, folder)
    return folder


def test_a_column_named_twice_refuses_a_oneroster_results_file(tmp_path: Path) -> None:
    folder = oneroster_copy(tmp_path)
    results = folder / "results.csv"
    lines = results.read_text(encoding="utf-8").splitlines()
    lines[0] += ",score"
    results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert file_error(folder, objectives={"lo-6rpa1": "M.1"}, scale=[1, 4])[:2] == (
        "MK358",
        "column `score` appears twice in the header (columns 7 and 16), so no row of the file "
        "is read",
    )


def test_a_key_given_twice_rejects_that_json_line_only(tmp_path: Path) -> None:
    line = '{"learner": "ana", "learner": "ben", "competency": "M.1", "score": 3, '
    line += '"timestamp": "2026-01-10"}\n'
    path = write(tmp_path, "e.jsonl", line + GOOD_LINE)
    assert rejections(path) == [
        ("MK359", "key `learner` appears twice in one object, so which value holds is unknown", 1)
    ]


def test_a_key_given_twice_deep_inside_an_xapi_statement_rejects_it(tmp_path: Path) -> None:
    statement = (
        '{"id": "s-1", "actor": {"mbox": "mailto:ana@x"}, "verb": {"id": "v"}, '
        '"object": {"id": "act"}, "result": {"score": {"raw": 1, "raw": 4, "min": 0, '
        '"max": 4}}, "timestamp": "2026-01-10"}'
    )
    path = write(tmp_path, "s.xapi.json", f"[{statement}]")
    assert rejections(path, **XAPI_OPTIONS) == [
        (
            "MK359",
            "statement cannot be used: key `raw` appears twice in one object, so which value "
            "holds is unknown",
            1,
        )
    ]


def test_a_key_given_twice_stops_a_learners_file(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.jsonl", '{"id": "ana", "iep": true, "iep": false}\n')
    assert learner_problems(path) == [
        (
            "MK359",
            "key `iep` appears twice in one object, so which value holds is unknown",
            f"{path} line 1",
        )
    ]


# --- numbers out of range ---------------------------------------------------------------------


@pytest.mark.parametrize("score", ["1e999999999", "-1E+999999999", "1e-999999999", "9" * 101])
def test_a_score_out_of_range_rejects_its_csv_row_and_reading_goes_on(
    tmp_path: Path, score: str
) -> None:
    path = write(tmp_path, "e.csv", HEADER + f"ana,M.1,{score},2026-01-10\n" + GOOD_ROW)
    shown = score if len(score) <= 40 else f"{score[:30]}… ({len(score)} characters)"
    assert rejections(path) == [("MK360", f"score `{shown}` is out of range: {RANGE}", 2)]


def test_a_score_of_a_hundred_digits_is_still_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + f"ana,M.1,{'9' * 100},2026-01-10\n")
    (evidence,), _, _ = read_all(path)
    assert evidence.score == Decimal("9" * 100)


def test_a_rescaled_score_out_of_range_is_rejected_not_an_overflow(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.1,1e999999999,2026-01-10\n" + GOOD_ROW)
    options = {"raw_min": 0, "raw_max": 10, "scale": [1, 4]}
    assert rejections(path, **options) == [
        ("MK360", f"score `1e999999999` is out of range: {RANGE}", 2)
    ]


def test_a_json_score_out_of_range_rejects_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", jsonl(score="1e999999999") + GOOD_LINE)
    assert rejections(path) == [("MK360", f"score `1E+999999999` is out of range: {RANGE}", 1)]


HUGE_POWER = "1e" + "9" * 30  # past the largest power of ten a decimal holds


def test_a_power_of_ten_past_what_a_decimal_holds_is_out_of_range(tmp_path: Path) -> None:
    shown = HUGE_POWER
    reason = f"score `{shown}` is out of range: {RANGE}"
    csv_path = write(tmp_path, "e.csv", HEADER + f"ana,M.1,{HUGE_POWER},2026-01-10\n" + GOOD_ROW)
    assert rejections(csv_path) == [("MK360", reason, 2)]
    json_path = write(tmp_path, "e.jsonl", jsonl(score=HUGE_POWER) + GOOD_LINE)
    assert rejections(json_path) == [("MK360", reason, 1)]
    learners = write(tmp_path, "learners.jsonl", f'{{"id": "ana", "credits": {HUGE_POWER}}}\n')
    assert learner_problems(learners) == [
        ("MK360", f"attribute `credits`: `{shown}` is out of range: {RANGE}", f"{learners} line 1")
    ]


def test_a_json_integer_past_pythons_digit_limit_rejects_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", jsonl(score="7" * 5000) + GOOD_LINE)
    assert rejections(path) == [
        ("MK360", f"score `{'7' * 30}… (5,000 characters)` is out of range: {RANGE}", 1)
    ]


@pytest.mark.parametrize(
    ("score", "key"),
    [
        ('{"scaled": 1e999999999}', "scaled"),
        ('{"raw": 1e999999999, "min": 0, "max": 4}', "raw"),
        ('{"raw": 1, "min": -1e999999999, "max": 4}', "min"),
        ('{"raw": 1, "min": 0, "max": 1e999999999}', "max"),
        ('{"raw": 1, "min": 0, "max": ' + "4" * 5000 + "}", "max"),
        ('{"raw": 1, "min": 0, "max": 1e' + "9" * 30 + "}", "max"),
    ],
)
def test_an_xapi_score_out_of_range_rejects_its_statement(
    tmp_path: Path, score: str, key: str
) -> None:
    statement = (
        '{"id": "s-1", "actor": {"mbox": "mailto:ana@x"}, "verb": {"id": "v"}, '
        f'"object": {{"id": "act"}}, "result": {{"score": {score}}}, "timestamp": "2026-01-10"}}'
    )
    for name, text in (("s.xapi.json", f"[{statement}]"), ("s.xapi.jsonl", statement + "\n")):
        ((code, reason, line),) = rejections(write(tmp_path, name, text), **XAPI_OPTIONS)
        assert (code, line) == ("MK360", 1)
        assert reason.startswith(f"score `{key}` `") and reason.endswith(
            f"` is out of range: {RANGE}"
        )
        assert len(reason) < 200


def test_a_oneroster_range_out_of_range_rejects_the_results_on_its_line_item(
    tmp_path: Path,
) -> None:
    folder = oneroster_copy(tmp_path)
    items = folder / "lineItems.csv"
    items.write_text(
        items.read_text(encoding="utf-8").replace(",0,20,", ",0,1e999999999,"), encoding="utf-8"
    )
    options = {"objectives": {"lo-6rpa1": "M.1", "lo-6rpa2": "M.2"}, "scale": [1, 4]}
    found = [r for r in rejections(folder, **options) if r[0] == "MK360"]
    assert found[0] == (
        "MK360",
        f"line item `li-quiz-1` has resultValueMax `1e999999999`, out of range: {RANGE}",
        2,
    )
    assert len(found) == 3  # the two objectives of res-1 and the one of res-8


def test_a_learner_attribute_out_of_range_stops_the_learners_file(tmp_path: Path) -> None:
    csv_path = write(tmp_path, "learners.csv", "id,credits\nana,1e999999999\n")
    json_path = write(tmp_path, "learners.jsonl", '{"id": "ana", "credits": ' + "1" * 5000 + "}\n")
    assert learner_problems(csv_path) == [
        (
            "MK360",
            f"attribute `credits`: `1e999999999` is out of range: {RANGE}",
            f"{csv_path} line 2",
        )
    ]
    assert learner_problems(json_path) == [
        (
            "MK360",
            f"attribute `credits`: `{'1' * 30}… (5,000 characters)` is out of range: {RANGE}",
            f"{json_path} line 1",
        )
    ]


def test_a_day_offset_out_of_range_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.1,3,1e999999999\n")
    assert rejections(path, day_zero="2026-01-01") == [
        ("MK360", f"day offset `1e999999999` is out of range: {RANGE}", 2)
    ]


def test_a_score_of_a_million_digits_is_quoted_short(tmp_path: Path) -> None:
    score = "1" * 1_000_000
    path = write(tmp_path, "e.jsonl", jsonl(score=f'"{score}"'))
    ((code, reason, _),) = rejections(path, max_record_bytes=2_000_000)
    assert code == "MK360"
    assert reason == f"score `{'1' * 30}… (1,000,000 characters)` is out of range: {RANGE}"


def test_a_csv_cell_past_what_csv_holds_on_one_line_is_too_long_not_misquoted(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "e.csv", HEADER + f"ana,M.1,{'1' * 200_000},2026-01-10\n" + GOOD_ROW)
    assert rejections(path, max_record_bytes=1_000_000) == [
        ("MK305", "row has a cell longer than 131,072 characters", 2)
    ]


# --- JSON built to exhaust the parser ---------------------------------------------------------


def test_json_nested_a_thousand_deep_rejects_its_line_only(tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000
    assert len(deep) <= 2048
    path = write(tmp_path, "e.jsonl", deep + "\n" + jsonl(score='{"a":' * 999 + "1" + "}" * 999))
    path.write_text(path.read_text(encoding="utf-8") + GOOD_LINE, encoding="utf-8")
    assert rejections(path) == [("MK361", DEEP, 1), ("MK361", DEEP, 2)]


def test_json_nested_64_deep_is_still_read(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", jsonl(rater="[" * 63 + "]" * 63))
    assert rejections(path) == [("MK319", "`rater` must be text or a number", 1)]


def test_deep_xapi_statements_are_rejected_in_arrays_and_lines(tmp_path: Path) -> None:
    deep = '{"id": "s-1", "x": ' + "[" * 1000 + "]" * 1000 + "}"
    medium = '{"id": "s-2", "x": ' + "[" * 200 + "]" * 200 + "}"
    reason = f"statement cannot be used: {DEEP}"
    expected = [("MK361", reason, 1), ("MK361", reason, 2)]
    array = write(tmp_path, "s.xapi.json", f"[{deep},\n{medium}]")
    assert rejections(array, **XAPI_OPTIONS) == expected
    lines = write(tmp_path, "s.xapi.jsonl", f"{deep}\n{medium}\n")
    assert rejections(lines, **XAPI_OPTIONS) == expected


def test_a_deep_learner_line_stops_the_learners_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "learners.jsonl", '{"id": "ana", "x": ' + "[" * 1000 + "]" * 1000 + "}\n"
    )
    assert learner_problems(path) == [("MK361", DEEP, f"{path} line 1")]


def test_brackets_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", jsonl(rater=json.dumps("[{" * 500)))
    (evidence,), _, _ = read_all(path)
    assert evidence.rater == "[{" * 500


def test_a_lone_surrogate_rejects_its_record(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", jsonl(learner='"ana\\ud800"') + GOOD_LINE)
    assert rejections(path) == [("MK362", SURROGATE, 1)]


def test_a_surrogate_pair_is_one_character(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", jsonl(learner='"ana\\ud83d\\ude00"'))
    (evidence,), _, _ = read_all(path)
    assert evidence.learner == "ana\U0001f600"


def test_a_lone_surrogate_in_a_key_or_an_xapi_statement_rejects_it(tmp_path: Path) -> None:
    statement = '{"id": "s-1", "context": {"extensions": {"k\\ud800": 1}}}'
    reason = f"statement cannot be used: {SURROGATE}"
    array = write(tmp_path, "s.xapi.json", f"[{statement}]")
    assert rejections(array, **XAPI_OPTIONS) == [("MK362", reason, 1)]
    lines = write(tmp_path, "s.xapi.jsonl", statement + "\n")
    assert rejections(lines, **XAPI_OPTIONS) == [("MK362", reason, 1)]


def test_a_lone_surrogate_stops_the_learners_file(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.jsonl", '{"id": "\\ud800"}\n')
    assert learner_problems(path) == [("MK362", SURROGATE, f"{path} line 1")]


# --- times at the ends of the calendar --------------------------------------------------------

EDGE_TIMES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"]


def edge_reason(stamp: str) -> str:
    return (
        f"timestamp `{stamp}` falls outside the calendar (0001-01-01 to 9999-12-31) when turned "
        "into UTC"
    )


def test_times_that_leave_the_calendar_in_utc_reject_their_rows(tmp_path: Path) -> None:
    rows = "".join(f"ana,M.1,3,{stamp}\n" for stamp in EDGE_TIMES)
    path = write(tmp_path, "e.csv", HEADER + rows + "ana,M.1,3,0001-01-01T00:00:00-05:00\n")
    assert rejections(path) == [
        ("MK363", edge_reason(EDGE_TIMES[0]), 2),
        ("MK363", edge_reason(EDGE_TIMES[1]), 3),
    ]


def test_a_time_that_leaves_the_calendar_rejects_an_xapi_statement(tmp_path: Path) -> None:
    statement = {
        "id": "s-1",
        "actor": {"mbox": "mailto:ana@x"},
        "verb": {"id": "v"},
        "object": {"id": "act"},
        "result": {"score": {"scaled": 0.5}},
        "timestamp": EDGE_TIMES[1],
    }
    path = write(tmp_path, "s.xapi.json", json.dumps([statement]))
    assert rejections(path, **XAPI_OPTIONS) == [("MK363", edge_reason(EDGE_TIMES[1]), 1)]


def test_a_time_that_leaves_the_calendar_stops_the_learners_file(tmp_path: Path) -> None:
    path = write(tmp_path, "learners.csv", f"id,enrolled\nana,{EDGE_TIMES[0]}\n")
    assert learner_problems(path) == [
        ("MK363", f"attribute `enrolled`: {edge_reason(EDGE_TIMES[0])}", f"{path} line 2")
    ]


def test_the_last_moment_of_the_calendar_in_utc_is_still_read(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER + "ana,M.1,3,9999-12-31T23:00:00+05:00\n")
    (evidence,), _, _ = read_all(path)
    assert evidence.timestamp == dt.datetime(
        9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))
    )


# --- OneRoster cells and small tables ---------------------------------------------------------


def test_a_huge_cell_in_a_oneroster_table_rejects_that_row_only(tmp_path: Path) -> None:
    folder = oneroster_copy(tmp_path)
    items = folder / "lineItems.csv"
    huge = "x" * (129 * 1024)
    lines = items.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("Broken range", huge)
    items.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = {"objectives": {"lo-6rpa1": "M.1", "lo-6rpa2": "M.2"}, "scale": [1, 4]}
    results = rejections(folder, **options)
    assert results[0] == ("MK305", "row is longer than 65536 bytes", 4)
    _, rejected, _ = read_all(folder, options=options)
    assert rejected[0].origin.file == str(items)
    # res-7 names the line item whose row was rejected
    assert ("MK335", "line item `li-broken` is not in `lineItems.csv`", 8) in results


def test_a_quote_left_open_in_a_oneroster_table_is_a_rejection(tmp_path: Path) -> None:
    folder = oneroster_copy(tmp_path)
    categories = folder / "categories.csv"
    text = categories.read_text(encoding="utf-8").replace(",quiz,", ',"quiz,')
    categories.write_text(text + ("a,b,c,d,e\n" * 5000), encoding="utf-8")
    options = {"objectives": {"lo-6rpa1": "M.1", "lo-6rpa2": "M.2"}, "scale": [1, 4]}
    results = rejections(folder, **options)
    assert results[0][0] == "MK349"
    assert results[0][2] == 2


def test_a_huge_cell_in_oneroster_results_rejects_that_result(tmp_path: Path) -> None:
    folder = oneroster_copy(tmp_path)
    results_csv = folder / "results.csv"
    lines = results_csv.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("fully graded,15,", f"fully graded,15,{'c' * 200_000}")
    results_csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = {"objectives": {"lo-6rpa1": "M.1", "lo-6rpa2": "M.2"}, "scale": [1, 4]}
    assert rejections(folder, **options)[0] == ("MK305", "row is longer than 65536 bytes", 2)


# --- options ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        (
            "e.csv",
            {"missing_values": 5},
            "option `missing_values` must be a list of texts, not `5`",
        ),
        (
            "e.csv",
            {"missing_values": [5]},
            "option `missing_values` must be a list of texts, not `[5]`",
        ),
        (
            "e.csv",
            {"columns": {"learner": 5}},
            "option `columns[learner]` must be text that is not empty, not `5`",
        ),
        (
            "e.csv",
            {"competencies": {"a": ["M.1"]}},
            "option `competencies[a]` must be text that is not empty, not `['M.1']`",
        ),
        ("e.csv", {"kind": "quiz\udcff"}, "option `kind` must be text, not `quiz\\udcff`"),
        (
            "e.csv",
            {"competency_template": 5},
            "option `competency_template` must be text, not `5`",
        ),
        (
            "e.csv",
            {"max_record_bytes": 10**30},
            "option `max_record_bytes` must be a whole number from 16 to 67108864, not "
            "`1000000000000000000000000000000`",
        ),
        (
            "e.csv",
            {"scale": "9" * 1000},
            "option `scale` must be a (min, max) pair of numbers with min < max, not "
            f"`{'9' * 30}… (1,000 characters)`",
        ),
        (
            "e.csv",
            {"scales": {"M.1": 5}},
            "option `scales[M.1]` must be a (min, max) pair of numbers with min < max, not `5`",
        ),
        (
            "e.csv",
            {"scales": {1: [1, 4]}},
            "option `scales` must map competency codes to (min, max) pairs",
        ),
        (
            "s.xapi.json",
            {"activities": {"act": 5}},
            "option `activities[act]` must be text that is not empty, not `5`",
        ),
        ("s.xapi.json", {"kind": 5}, "option `kind` must be text, not `5`"),
        (
            "export",
            {"objectives": {"lo": None}},
            "option `objectives[lo]` must be text that is not empty, not `None`",
        ),
        (
            "export",
            {"max_record_bytes": "big"},
            "option `max_record_bytes` must be a whole number from 16 to 67108864, not `big`",
        ),
    ],
)
def test_an_option_of_the_wrong_type_is_an_option_error(
    tmp_path: Path, name: str, options: dict[str, Any], message: str
) -> None:
    path = oneroster_copy(tmp_path) if name == "export" else write(tmp_path, name, "")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path, options=options))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == ("MK302", message)


# --- every record still counted ---------------------------------------------------------------


def test_a_file_of_every_attack_reconciles_and_keeps_the_good_rows(tmp_path: Path) -> None:
    lines = [
        jsonl(score="1e999999999"),
        jsonl(score="5" * 5000),
        "[" * 1000 + "]" * 1000 + "\n",
        jsonl(learner='"\\udfff"'),
        jsonl(timestamp=f'"{EDGE_TIMES[0]}"'),
        '{"learner": "a", "learner": "b"}\n',
        GOOD_LINE,
    ]
    path = write(tmp_path, "e.jsonl", "".join(lines))
    evidence, rejected, summary = read_all(path)
    assert summary == ReadSummary(
        7, 1, {"MK359": 1, "MK360": 2, "MK361": 1, "MK362": 1, "MK363": 1}, {}
    )
    assert [e.origin for e in evidence] == [Origin(str(path), 7)]
    assert all(isinstance(r, Rejection) and len(r.reason) < 200 for r in rejected)
    assert all(isinstance(e, Evidence) for e in evidence)


def test_a_file_whose_header_is_refused_is_never_cut(tmp_path: Path) -> None:
    """Cuts are decided by what the reader makes of each row, so a file whose header the reader
    refuses is read whole, and the header's problem is reported once for the whole file."""
    from masterykit.readers.tabular import read_csv, split_csv
    from masterykit.registry import ReadRequest

    rows = "".join(f"L{i:04d},M.1,3,2026-01-10\n" for i in range(4000))
    path = write(tmp_path, "e.csv", "learner,competency,scroe,timestamp\n" + rows)
    request = ReadRequest(path, {})
    split = split_csv(request, 2)
    assert split is None or len(split.parts) == 1
    with pytest.raises(EvidenceError) as caught:
        list(read_csv(request))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        "MK306",
        "missing column `score` in the header, so no row of the file is read",
        f"{path} line 1",
    )


def test_names_from_options_are_quoted_short_too(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", HEADER)
    with pytest.raises(EvidenceError) as caught:
        read_evidence(path, options={"x" * 5000: 1})
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == (
        f"option `{'x' * 30}… (5,000 characters)` is not an option of the CSV and JSON Lines "
        "readers"
    )
    path = write(tmp_path, "e.jsonl", GOOD_LINE)
    assert rejections(path, columns={"learner": "c" * 5000}) == [
        ("MK307", f"missing `{'c' * 30}… (5,000 characters)`", 1)
    ]


def test_long_json_integers_under_pythons_limit_stay_whole_numbers(tmp_path: Path) -> None:
    number = "1" * 30
    path = write(tmp_path, "learners.jsonl", f'{{"id": {number}}}\n')
    (learner,) = read_learners(path)
    assert learner.id == number
    path = write(tmp_path, "e.jsonl", jsonl(learner=number))
    (evidence,), _, _ = read_all(path)
    assert evidence.learner == number


def test_a_oneroster_table_without_a_column_it_needs_is_refused(tmp_path: Path) -> None:
    folder = oneroster_copy(tmp_path)
    table = folder / "resultLearningObjectiveIds.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("learningObjectiveId", "learnin<gObjectiveId", 1), "utf-8")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(folder, options={"scale": [1, 4]}))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.location) == (
        "MK306",
        "missing column `learningObjectiveId` in the header, so no row of the file is read",
        f"{table} line 1",
    )


def test_a_oneroster_result_with_an_empty_objective_is_rejected_not_read_as_no_competency(
    tmp_path: Path,
) -> None:
    # Found by fuzzing: an objective row with an empty id became evidence for competency ``.
    folder = oneroster_copy(tmp_path)
    table = folder / "resultLearningObjectiveIds.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("res-1,case,lo-6rpa2", "res-1,case,"), "utf-8")
    results = rejections(folder, scale=[1, 4])
    assert ("MK307", "missing `learningObjectiveId`", 2) in results
