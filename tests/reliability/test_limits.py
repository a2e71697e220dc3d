"""Every limit masterykit puts on what it reads, each at its boundary, with its exact message.

The limits are listed in ``docs/limits.rst``. Limits tested elsewhere are not repeated here:
nesting depth (``MK105``, ``tests/dsl/test_parser.py``), a CSV row over 64 KiB and a custom
``max_record_bytes`` (``MK305``, ``tests/readers/test_tabular.py``), an xAPI statement over a
custom ``max_record_bytes`` (``MK330``, ``tests/readers/test_xapi.py``), method parameters
(``MK245``, ``tests/dsl/data/check/methods.mastery``), every evidence rejection of the engine
(``MK350``–``MK355``, ``tests/engine/test_evaluate.py``), paths and files read before their size
(``MK103``, ``MK130``, ``MK131``, ``tests/cli/test_cli_check.py`` and ``test_cli_fmt.py``),
chains of requirements and groups (``MK282``, ``MK265``, ``MK234``,
``tests/dsl/test_check_depth.py``) and framework files (``MK612``–``MK615``,
``tests/frameworks/test_case.py``).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit.diagnostics import (
    EvidenceError,
    PolicyCheckError,
    PolicySyntaxError,
    render_text,
)
from masterykit.dsl import check as check_module
from masterykit.dsl.parser import (
    MAX_ERRORS,
    MAX_FILE_BYTES,
    MAX_NUMBER_DIGITS,
    parse,
    read_source,
)
from masterykit.engine import evaluate
from masterykit.evidence import Evidence, Learner, Origin, Rejection
from masterykit.loader import load_text
from masterykit.readers import DEFAULT_MAX_RECORD_BYTES, read_evidence

HEADER = """policy "Limits" version "1"
scale two { 1 NotYet 2 Yes }
area MATH "Mathematics" { competency MATH.1 "Number sense" competency MATH.2 "Algebra" }
calculate highest
proficient at Yes
"""


def _check_error(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(PolicyCheckError) as caught:
        load_text(text, "limits.mastery")
    return [(d.code, d.message, d.span.line if d.span else None) for d in caught.value.diagnostics]


def test_the_documented_limits_have_their_documented_values() -> None:
    assert MAX_FILE_BYTES == 4 * 1024 * 1024
    assert MAX_ERRORS == 20
    assert DEFAULT_MAX_RECORD_BYTES == 64 * 1024
    assert check_module.MAX_DURATION_YEARS == 100
    assert check_module.MAX_COMPETENCIES == 20_000
    assert MAX_NUMBER_DIGITS == 15


def test_a_policy_file_over_4_mib_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.mastery"
    path.write_bytes(b'policy "P"\n' + b"#" * MAX_FILE_BYTES)
    with pytest.raises(PolicySyntaxError) as caught:
        read_source(path, "big.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK103"
    assert diagnostic.message == "the policy file is 4,194,315 bytes; the limit is 4,194,304"
    assert diagnostic.help == "split it into a district file and overlays that `extends` it"
    assert diagnostic.location == "big.mastery"


def test_policy_text_over_4_mib_in_utf8_is_refused_by_parse_too() -> None:
    text = 'policy "P"\n#' + "é" * (MAX_FILE_BYTES // 2)  # two bytes each in UTF-8
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, "big.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == "the policy file is 4,194,316 bytes; the limit is 4,194,304"


def test_a_policy_file_of_exactly_4_mib_is_read() -> None:
    text = HEADER + "#" * (MAX_FILE_BYTES - len(HEADER) - 1) + "\n"
    assert len(text.encode("utf-8")) == MAX_FILE_BYTES
    assert load_text(text, "exact.mastery").name == "Limits"


def test_at_most_20_syntax_errors_are_reported() -> None:
    text = 'policy "P"\n' + "".join(f"scale s{i} {{ oops }}\n" for i in range(30))
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, "many.mastery")
    diagnostics = caught.value.diagnostics
    assert len(diagnostics) == MAX_ERRORS
    assert [d.span.line for d in diagnostics if d.span] == list(range(2, 2 + MAX_ERRORS))


SIXTEEN = "1234567890123456"


@pytest.mark.parametrize(
    ("rule", "written", "digits"),
    [
        ("evidence at least {n}", "{n}", 16),
        ("evidence from at least {n} kinds", "{n}", 16),
        ("evidence within {n} days", "{n}", 16),
        ("calculate weighted_average({n}%)", "{n}%", 16),
        ("calculate decaying_average({n}.5)", "{n}.5", 17),
        ("proficient at -{n}", "-{n}", 16),
        ('advance "A" to "B" when at least {n} of MATH proficient', "{n}", 16),
    ],
)
def test_a_number_over_15_digits_is_refused_where_ever_it_is_written(
    rule: str, written: str, digits: int
) -> None:
    text = HEADER + rule.format(n=SIXTEEN) + "\n"
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="limits.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.span and diagnostic.span.line) == (
        "MK127",
        f"the number `{written.format(n=SIXTEEN)}` has {digits} digits; numbers have at most 15",
        6,
    )


def test_a_number_of_15_digits_is_read() -> None:
    text = HEADER + "evidence at least 123456789012345\n"
    assert parse(text, name="limits.mastery") is not None


def test_a_number_of_thousands_of_digits_is_refused_without_reading_it_as_a_number() -> None:
    text = HEADER + "evidence at least " + "9" * 5000 + "\n"
    with pytest.raises(PolicySyntaxError) as caught:
        parse(text, name="limits.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message == (
        "the number `99999999999999999999…` has 5,000 digits; numbers have at most 15"
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("evidence within 101 years", "`101 years` is longer than 100 years"),
        ("evidence within 1201 months", "`1201 months` is longer than 100 years"),
        ("evidence within 5219 weeks", "`5219 weeks` is longer than 100 years"),
        ("evidence within 36526 days", "`36526 days` is longer than 100 years"),
        (
            "pace for MATH { due 2027-06-15 measure over last 999999 years "
            "at risk within 1 month }",
            "`999999 years` is longer than 100 years",
        ),
        (
            "pace for MATH { due 2027-06-15 measure over last 6 months at risk within 200 years }",
            "`200 years` is longer than 100 years",
        ),
        (
            "pace for MATH { due 2027-06-15 extend 101 years when learner.iep "
            "measure over last 6 months at risk within 1 month }",
            "`101 years` is longer than 100 years",
        ),
        ("tight { for MATH.1 evidence within 101 years }", "`101 years` is longer than 100 years"),
    ],
)
def test_a_duration_over_100_years_is_a_check_error(rule: str, message: str) -> None:
    assert _check_error(HEADER + rule + "\n") == [("MK280", message, 6)]


def test_the_duration_limit_explains_itself_in_every_unit() -> None:
    with pytest.raises(PolicyCheckError) as caught:
        load_text(HEADER + "evidence within 101 years\n", "limits.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.help == (
        "durations are at most 100 years (36,525 days, 5,218 weeks or 1,200 months)"
    )
    assert render_text(diagnostic, caught.value.sources).splitlines()[1:5] == [
        " --> limits.mastery:6:17",
        "  |",
        "6 | evidence within 101 years",
        "  |                 ^^^^^^^^^",
    ]


@pytest.mark.parametrize(
    "duration", ["100 years", "1200 months", "5218 weeks", "36525 days", "1 year"]
)
def test_durations_up_to_100_years_load_and_evaluate(duration: str) -> None:
    text = (
        HEADER
        + f"evidence within {duration}\n"
        + f"pace for MATH {{ due learner.due extend {duration} when learner.iep "
        + f"measure over last {duration} at risk within {duration} }}\n"
    )
    policy = load_text(text, "limits.mastery")
    ana = Learner("ana", {"due": dt.date(2027, 6, 15), "iep": True})
    evidence = [Evidence("ana", "MATH.1", Decimal(2), dt.date(2026, 1, 10))]
    result = evaluate(policy, ana, evidence, as_of=dt.date(2026, 6, 1))
    pace = result.learners[0].pace
    assert pace is not None
    assert pace.status.value == "on_track"


def test_a_policy_over_the_competency_limit_is_a_check_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(check_module, "MAX_COMPETENCIES", 1)
    with pytest.raises(PolicyCheckError) as caught:
        load_text(HEADER, "limits.mastery")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK281",
        "the policy has 2 competencies; the limit is 1",
    )
    assert diagnostic.help == (
        "import only the frameworks this policy grades, or split it into one policy per program"
    )
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (1, 1, 7)


def test_a_policy_at_the_competency_limit_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_module, "MAX_COMPETENCIES", 2)
    assert len(load_text(HEADER, "limits.mastery").competencies) == 2


def test_a_json_line_over_64_kib_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    row = {"learner": "ana", "competency": "MATH.1", "score": 2, "timestamp": "2026-01-10"}
    long = {**row, "rater": "x" * DEFAULT_MAX_RECORD_BYTES}
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(long) + "\n" + json.dumps(row) + "\n", "utf-8")
    results = list(read_evidence(path))
    assert results[0] == Rejection("MK305", "line is longer than 65536 bytes", Origin(str(path), 1))
    assert isinstance(results[1], Evidence)


def test_an_xapi_statement_over_64_kib_is_rejected_and_the_next_is_read(tmp_path: Path) -> None:
    activity = "https://example.org/quiz/1"

    def statement(sid: str, padding: str = "") -> dict[str, object]:
        return {
            "id": sid,
            "actor": {"account": {"homePage": "https://sis", "name": "ana"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/scored"},
            "object": {"id": activity, "definition": {"description": {"en": padding}}},
            "result": {"score": {"raw": 15, "min": 0, "max": 20}},
            "timestamp": "2026-01-10T09:30:00Z",
        }

    path = tmp_path / "s.xapi.json"
    big = statement("big", "y" * DEFAULT_MAX_RECORD_BYTES)
    path.write_text(json.dumps([big, statement("small")]), "utf-8")
    options = {"activities": {activity: "MATH.1"}, "scale": [1, 4]}
    results = list(read_evidence(path, options=options))
    assert results[0] == Rejection(
        "MK330", "statement is larger than 65536 bytes", Origin(str(path), 1)
    )
    assert isinstance(results[1], Evidence)


@pytest.mark.parametrize("limit", [15, 64 * 1024 * 1024 + 1])
@pytest.mark.parametrize("reader", ["e.jsonl", "s.xapi.json"])
def test_the_record_limit_is_from_16_bytes_to_64_mib(
    tmp_path: Path, reader: str, limit: int
) -> None:
    path = tmp_path / reader
    path.write_text("", "utf-8")
    with pytest.raises(EvidenceError) as caught:
        list(read_evidence(path, options={"max_record_bytes": limit}))
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        (
            "MK302",
            f"option `max_record_bytes` must be a whole number from 16 to 67108864, not `{limit}`",
        )
    ]


# --- how deep conditions nest through requirements (MK282) --------------------------------------

LIMIT_HEAD = """policy "Deep" version "1"
scale two { 1 NotYet 2 Yes }
area MATH "Mathematics" { competency MATH.1 "Number sense" }
calculate highest
proficient at Yes
"""


def _at_the_limit(shape: str) -> str:
    """A policy whose graduation and advancement nest exactly 64 deep, as a long chain of
    requirements or as two requirements full of blocks."""
    if shape == "chain":  # graduate when (2) + 31 requirements of 2 levels each
        lines = [f"requirement r{i} {{ requirement r{i + 1} }}\n" for i in range(1, 31)]
        lines.append("requirement r31 { all of MATH proficient }\n")
    else:  # graduate when (2) + r1 (1 + 29 + 1) + r2 (1 + 29 + 1 - 1 for the test itself)

        def blocks(inner: str) -> str:
            for level in range(29):
                inner = (
                    ["any { ", "not ", "all { "][level % 3]
                    + inner
                    + ("" if level % 3 == 1 else " }")
                )
            return inner

        lines = [
            f"requirement r1 {{ {blocks('requirement r2')} }}\n",
            f"requirement r2 {{ {blocks('all of MATH proficient')} }}\n",
        ]
    return (
        LIMIT_HEAD
        + "".join(lines)
        + (
            "graduate when { requirement r1 }\n"
            'advance "Grade 9" to "Grade 10" when { requirement r1 }\n'
        )
    )


@pytest.mark.parametrize("shape", ["chain", "blocks"])
def test_decisions_nested_exactly_to_the_limit_evaluate_and_explain(
    tmp_path: Path, shape: str
) -> None:
    from click.testing import CliRunner

    from masterykit.cli import cli

    assert check_module.MAX_CONDITION_DEPTH == 64
    policy = tmp_path / "deep.mastery"
    policy.write_text(_at_the_limit(shape), "utf-8")
    one_more = _at_the_limit(shape).replace(
        "graduate when { requirement r1 }", "graduate when { not requirement r1 }"
    )
    assert _check_error(one_more)[0][:2] == (
        "MK282",
        "`graduate when` nests its conditions 65 deep through r1 → "
        + (
            "r2 → r3 → r4 → r5 → … (21 more) → r27 → r28 → r29 → r30 → r31"
            if shape == "chain"
            else "r2"
        )
        + "; the limit is 64",
    )
    evidence = tmp_path / "evidence.csv"
    evidence.write_text("learner,competency,score,timestamp\nana,MATH.1,2,2026-01-10\n", "utf-8")
    common = ["--evidence", str(evidence), "--as-of", "2026-06-01"]
    runner = CliRunner()
    evaluated = runner.invoke(cli, ["evaluate", str(policy), *common, "--format", "json"])
    assert evaluated.exit_code == 0, evaluated.output
    [learner] = json.loads(evaluated.stdout)["learners"]
    assert learner["graduation"]["held"] is True
    assert [a["held"] for a in learner["advancements"]] == [True]
    for output in ("text", "json"):
        explained = runner.invoke(
            cli, ["explain", str(policy), *common, "--learner", "ana", "--format", output]
        )
        assert explained.exit_code == 0, explained.output


def test_the_loader_and_framework_limits_have_their_documented_values() -> None:
    from masterykit import frameworks, loader

    assert (loader.MAX_PATH_CHARS, loader.MAX_NAME_BYTES) == (1024, 255)
    assert frameworks.MAX_FRAMEWORK_BYTES == 64 * 1024 * 1024
    assert (frameworks.MAX_JSON_DEPTH, frameworks.MAX_JSON_DIGITS) == (64, 4300)
    assert frameworks.MAX_TREE_DEPTH == 64
    assert check_module.MAX_CONDITION_DEPTH == 64


# --- evidence and learners readers ------------------------------------------------------------

READER_HEADER = "learner,competency,score,timestamp\n"
NUMBER_RANGE = "numbers have at most 100 digits and a power of ten from -100 to 100"


def test_the_reader_limits_are_the_documented_constants() -> None:
    from masterykit.readers import _common

    assert _common.MAX_NUMBER_DIGITS == 100
    assert _common.MAX_NUMBER_EXPONENT == 100
    assert _common.MAX_JSON_DEPTH == 64
    assert _common.MAX_QUOTED_CHARS == 40
    assert _common.MAX_RECORD_BYTES_LIMIT == 64 * 1024 * 1024


@pytest.mark.parametrize(
    ("score", "used"),
    [
        ("9" * 100, True),
        ("9" * 101, False),
        ("0." + "0" * 99 + "1", True),  # 100 digits after the point: a power of ten of -100
        ("0." + "0" * 100 + "1", False),
        ("1e100", True),
        ("1e101", False),
        ("9.9e100", True),
        ("1e-100", True),
        ("1e-101", False),
    ],
)
def test_a_score_is_read_up_to_the_number_limit(tmp_path: Path, score: str, used: bool) -> None:
    path = tmp_path / "e.csv"
    path.write_text(READER_HEADER + f"ana,M.1,{score},2026-01-10\n", "utf-8")
    (result,) = read_evidence(path)
    if used:
        assert isinstance(result, Evidence)
        assert result.score == Decimal(score)
    else:
        shown = score if len(score) <= 40 else f"{score[:30]}… ({len(score)} characters)"
        assert result == Rejection(
            "MK360", f"score `{shown}` is out of range: {NUMBER_RANGE}", Origin(str(path), 2)
        )


@pytest.mark.parametrize(("depth", "used"), [(64, True), (65, False)])
def test_a_json_line_nests_up_to_64_levels(tmp_path: Path, depth: int, used: bool) -> None:
    # The line itself is one level; its `rater` holds the rest.
    inner = "[" * (depth - 2) + '"x"' + "]" * (depth - 2)
    line = {"learner": "ana", "competency": "M.1", "score": 3, "timestamp": "2026-01-10"}
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps(line)[:-1] + f', "rater": [{inner}]}}\n', "utf-8")
    (result,) = read_evidence(path)
    if used:
        assert result == Rejection(
            "MK319", "`rater` must be text or a number", Origin(str(path), 1)
        )
    else:
        assert result == Rejection(
            "MK361",
            "objects and arrays are nested more than 64 levels deep",
            Origin(str(path), 1),
        )


@pytest.mark.parametrize(("size", "shown"), [(40, "c" * 40), (41, "c" * 30 + "… (41 characters)")])
def test_a_message_quotes_at_most_40_characters_of_a_value(
    tmp_path: Path, size: int, shown: str
) -> None:
    path = tmp_path / "e.csv"
    path.write_text(READER_HEADER + f"ana,{'c' * size},3,2026-01-10\n", "utf-8")
    (result,) = read_evidence(path, options={"competencies": {"M.1": "MATH.1"}})
    assert result == Rejection(
        "MK316",
        f"no competency for `{shown}` in the `competencies` mapping",
        Origin(str(path), 2),
    )
