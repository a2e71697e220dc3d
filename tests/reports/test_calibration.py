"""Calibration: classroom evidence against the common assessments finds the schools planted to
run ahead, and none other; every figure is checked against the library that computes it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from masterykit import Evidence, Learner, load, load_text
from masterykit.cli import cli
from masterykit.reports import (
    ALL_COMPETENCIES,
    CALIBRATION_COLUMNS,
    ReportError,
    calibrate,
)
from masterykit.schemas import load_schema

from .conftest import LAKE

AS_OF = dt.date(2026, 6, 1)


def test_calibration_flags_exactly_the_schools_planted_to_run_ahead() -> None:
    from benchmarks.compare import to_evidence
    from benchmarks.generate import (
        AS_OF as BENCH_AS_OF,
    )
    from benchmarks.generate import (
        COMMON_KIND,
        PLANTED_INFLATION,
        POLICY_PATH,
        learner_calibration_evidence,
        learner_groups,
        learner_id,
    )

    size = 300
    learners = [
        Learner(learner_id(i), {"school": learner_groups(i)["school"]}) for i in range(size)
    ]
    evidence = [to_evidence(row) for i in range(size) for row in learner_calibration_evidence(i)]
    result = calibrate(
        load(POLICY_PATH),
        learners,
        evidence,
        by="school",
        as_of=BENCH_AS_OF,
        common=[COMMON_KIND],
    )
    assert set(result.flagged) == set(PLANTED_INFLATION)
    shown = {c.group: c for c in result.overall() if c.by == "school" and not c.suppressed}
    # Schools with no inflation are shown, and not flagged: the test could have flagged them.
    unplanted = set(shown) - set(PLANTED_INFLATION)
    assert unplanted >= {"north", "harbor"}
    for school in unplanted:
        assert not shown[school].flagged
        assert shown[school].adjusted is not None and shown[school].adjusted > 0.05
    for school in PLANTED_INFLATION:
        assert shown[school].gap is not None and shown[school].gap > 0.2
    # The smallest school is suppressed, and one more with it so it cannot be worked out.
    assert [c.group for c in result.overall() if c.suppressed] == ["island", "ridge"]


# --- a small table, every statistic against its library --------------------------------------

POLICY = """\
policy "Calibration" version "1"

scale four {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area M "Mathematics" {
  competency M.1 "One"
  competency M.2 "Two"
}

kinds {
  kind quiz
  common kind district_test
}

calculate mean
proficient at Proficient
evidence at least 3
"""

#: learner: school, then (competency, classroom scores, common scores)
TABLE = {
    "a1": ("alpha", [("M.1", [3, 4], [3]), ("M.2", [3], [2])]),
    "a2": ("alpha", [("M.1", [4], [2]), ("M.2", [3, 3], [3])]),
    "a3": ("alpha", [("M.1", [2], [2])]),
    "b1": ("beta", [("M.1", [3], [3]), ("M.2", [2], [3])]),
    "b2": ("beta", [("M.1", [2, 2], [3])]),
    "b3": ("beta", [("M.2", [4], [4])]),
}


def _table() -> tuple[list[Learner], list[Evidence]]:
    learners = [Learner(who, {"school": school}) for who, (school, _) in TABLE.items()]
    evidence: list[Evidence] = []
    for who, (_school, rows) in TABLE.items():
        for code, classroom, common in rows:
            for day, score in enumerate(classroom, 1):
                evidence.append(Evidence(who, code, Decimal(score), dt.date(2026, 1, day), "quiz"))
            for day, score in enumerate(common, 10):
                evidence.append(
                    Evidence(who, code, Decimal(score), dt.date(2026, 1, day), "district_test")
                )
    return learners, evidence


def test_every_figure_of_a_small_table_is_the_library_value() -> None:
    from statsmodels.stats.multitest import multipletests
    from statsmodels.stats.weightstats import DescrStatsW

    learners, evidence = _table()
    result = calibrate(load_text(POLICY), learners, evidence, by="school", as_of=AS_OF, min_group=1)
    assert result.common_kinds == ("district_test",)
    cells = {(c.group, c.competency): c for c in result.cells}
    # alpha: a1 M.1 mean 3.5 vs 3 (both proficient), M.2 3 vs 2 (+1); a2 M.1 4 vs 2 (+1),
    # M.2 3 vs 3; a3 M.1 2 vs 2 (neither). Per learner gaps: 1/2, 1/2, 0.
    alpha = cells[("alpha", ALL_COMPETENCIES)]
    gaps = [0.5, 0.5, 0.0]
    low, high = DescrStatsW(gaps).tconfint_mean(alpha=0.05)
    assert (alpha.learners, alpha.pairs) == (3, 5)
    assert alpha.classroom_rate == pytest.approx((1.0 + 1.0 + 0.0) / 3)
    assert alpha.common_rate == pytest.approx((0.5 + 0.5 + 0.0) / 3)
    assert alpha.gap == pytest.approx(sum(gaps) / 3)
    assert (alpha.gap_low, alpha.gap_high) == (pytest.approx(low), pytest.approx(high))
    _, p_alpha, _ = DescrStatsW(gaps).ttest_mean(0.10, alternative="larger")
    assert alpha.p_value == pytest.approx(p_alpha)
    # beta: b1 M.1 3 vs 3, M.2 2 vs 3 (-1); b2 M.1 2 vs 3 (-1); b3 M.2 4 vs 4. Gaps -1/2, -1, 0.
    beta = cells[("beta", ALL_COMPETENCIES)]
    beta_gaps = [-0.5, -1.0, 0.0]
    _, p_beta, _ = DescrStatsW(beta_gaps).ttest_mean(0.10, alternative="larger")
    assert beta.gap == pytest.approx(-0.5)
    adjusted = multipletests([p_alpha, p_beta], method="holm")[1]
    assert (alpha.adjusted, beta.adjusted) == (
        pytest.approx(adjusted[0]),
        pytest.approx(adjusted[1]),
    )
    # Levels: alpha M.1 classroom 3.5 → Proficient (3), 4 → Advanced (4), 2 → Developing (2).
    m1 = cells[("alpha", "M.1")]
    assert (m1.classroom_level, m1.common_level) == (pytest.approx(3.0), pytest.approx(7 / 3))
    assert m1.level_gap == pytest.approx(3.0 - 7 / 3)
    # The evidence-count rule (3 pieces) was set aside: one common assessment is enough to compare.
    assert m1.pairs == 3


def test_the_tables_convert_for_data_tools() -> None:
    learners, evidence = _table()
    result = calibrate(load_text(POLICY), learners, evidence, by="school", as_of=AS_OF, min_group=1)
    frame = result.to_pandas()
    assert list(frame.columns) == list(CALIBRATION_COLUMNS)
    assert len(frame) == len(result.cells)
    assert result.to_arrow().num_rows == len(result.cells)


def test_a_policy_with_no_common_assessments_is_mk730() -> None:
    learners, evidence = _table()
    policy = load_text(POLICY.replace("common kind", "kind"))
    with pytest.raises(ReportError) as caught:
        calibrate(policy, learners, evidence, by="school", as_of=AS_OF)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.help) == (
        "MK730",
        "policy `Calibration` names no common assessments",
        "mark them in the policy (`kinds { common kind district_test }`) or name their kinds "
        "with `--common`",
    )
    # Naming them is enough.
    named = calibrate(
        policy, learners, evidence, by="school", as_of=AS_OF, common=["district_test"]
    )
    assert named.common_kinds == ("district_test",)


def test_evidence_with_no_pair_is_mk731() -> None:
    learners, evidence = _table()
    classroom_only = [piece for piece in evidence if piece.kind == "quiz"]
    with pytest.raises(ReportError) as caught:
        calibrate(load_text(POLICY), learners, classroom_only, by="school", as_of=AS_OF)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.message) == (
        "MK731",
        "no learner has both classroom evidence and a common assessment on the same competency",
    )


# --- the command line ---------------------------------------------------------------------------

BASE = [
    "calibrate",
    str(LAKE / "district.mastery"),
    "--evidence",
    str(LAKE / "evidence.csv"),
    "--learners",
    str(LAKE / "learners.csv"),
    "--as-of",
    "2026-06-01",
    "--min-group",
    "5",
]


def run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, args, prog_name="masterykit")


def test_the_table_sets_classroom_beside_common_by_school() -> None:
    result = run(BASE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "group", "learners", "classroom", "common", "gap", "95%", "interval", "level", "gap",
        "flag",
    ]  # fmt: skip
    assert [line.split()[0] for line in lines[1:4]] == ["district", "harbor", "north"]
    assert "against the common assessments (common_assessment)" in result.stdout


def test_json_follows_its_schema_and_csv_has_one_row_per_cell() -> None:
    result = run([*BASE, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("calibration"))
    assert document["schema"] == "masterykit/calibration/v1"
    assert document["common_kinds"] == ["common_assessment"]
    assert document["policy"]["name"] == "Lake County Schools"
    # No figure about fewer than --min-group learners, for a school or a school's competency.
    for cell in document["cells"]:
        assert cell["suppressed"] or cell["learners"] >= 5, cell
    rows = list(csv.reader(io.StringIO(run([*BASE, "--format", "csv"]).stdout)))
    assert tuple(rows[0]) == CALIBRATION_COLUMNS
    assert len(rows) - 1 == len(document["cells"])


def test_common_kinds_that_no_evidence_has_exit_1_with_mk731() -> None:
    result = run(
        [
            "calibrate",
            str(LAKE / "north-high.mastery"),
            "--evidence",
            str(LAKE / "evidence.csv"),
            "--learners",
            str(LAKE / "learners.csv"),
            "--as-of",
            "2026-06-01",
            "--common",
            "no_such_kind",
        ]
    )
    assert result.exit_code == 1
    assert "error[MK731]" in result.output


# --- the HTML page, in a real browser ------------------------------------------------------------


def test_the_html_page_is_self_contained_and_renders_in_chromium() -> None:
    import os
    import re
    import shutil

    result = run([*BASE, "--format", "html"])
    assert result.exit_code == 0, result.output
    page_html = result.stdout
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page_html)
    assert "<script" not in page_html
    assert page_html.count("<svg") == 1
    assert 'id="gaps-table"' in page_html
    assert 'id="gaps-alt"' in page_html
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists() or shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (`apt-get install -y chromium`)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    artifacts = Path(__file__).resolve().parents[2] / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    page_path = artifacts / "calibration.html"
    page_path.write_text(page_html, encoding="utf-8")
    screenshot = artifacts / "calibration.png"
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    problems: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            chart = page.locator("figure svg")
            assert chart.count() == 1
            box = chart.first.bounding_box()
            assert box is not None
            assert box["width"] > 100
            assert page.locator("h1").count() == 1
            assert page.locator("[role=img][aria-label]").count() == 1
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    print(f"screenshot of the calibration page: {screenshot}")
    assert problems == []
    assert screenshot.stat().st_size > 10_000
