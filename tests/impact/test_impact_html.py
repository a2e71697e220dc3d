"""The impact report's HTML page: self-contained, accessible, and drawn in a real browser.

Like the district report's page (``tests/reports/test_html.py``), the browser test drives
Debian's Chromium with Playwright, skipped with the reason where either is missing; the
screenshot is kept under ``tests/artifacts/`` (not committed) and its path printed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from masterykit.impact import impact
from masterykit.loader import load
from masterykit.readers import read_all, read_learners

ROOT = Path(__file__).resolve().parents[2]
LAKE = ROOT / "examples" / "lake-county"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"

pytest.importorskip("vl_convert", reason="the `reports` extra is not installed")


@pytest.fixture(scope="module")
def page_html() -> str:
    from masterykit.reports import PALETTE, render_impact_html

    assert PALETTE
    old = load(LAKE / "district.mastery")
    new = load(LAKE / "proposed-2027.mastery")
    evidence, _, _ = read_all(LAKE / "evidence.csv", policy=old)
    learners = read_learners(LAKE / "learners.csv")
    report = impact(
        old,
        new,
        learners,
        evidence,
        as_of=[dt.date(2026, 6, 1), dt.date(2026, 11, 13)],
        by=["school", "iep"],
    )
    return render_impact_html(report)


def test_the_page_is_self_contained_and_names_no_learner(page_html: str) -> None:
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page_html)
    assert "<script" not in page_html
    for name in ("aiden", "amara", "bao", "beatriz"):
        assert name not in page_html


def test_every_chart_has_a_table_and_a_text_alternative(page_html: str) -> None:
    figures = re.findall(r'<figure id="([\w-]+)-figure"', page_html)
    # `iep` has no chart: every iep group is suppressed (fewer than 10, and its complement).
    assert figures == ["directions", "decisions-school"]
    for name in figures:
        assert f'id="{name}-table"' in page_html
        assert f'id="{name}-alt"' in page_html
    assert page_html.count("<svg") == len(figures)
    assert 'id="gaps-table"' in page_html
    assert 'id="summary-table"' in page_html


def test_charts_use_the_colour_blind_safe_palette(page_html: str) -> None:
    from masterykit.reports import PALETTE

    colours = {c.upper() for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', page_html)}
    neutral = {"#000", "#000000", "#FFF", "#FFFFFF", "#888", "#DDD", "#555555"}
    assert colours - neutral <= set(PALETTE)
    assert len(colours & set(PALETTE)) >= 2


def test_it_shares_the_district_reports_layout(page_html: str) -> None:
    assert "fewer than 10" in page_html
    assert "hidden with a smaller group" in page_html
    assert page_html.startswith("<!DOCTYPE html>")
    assert "max-width: 72rem" in page_html  # the district report's style sheet


def _browser_or_skip() -> None:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (`apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


def test_page_renders_in_chromium_without_console_errors(page_html: str) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_path = ARTIFACTS / "impact-report.html"
    page_path.write_text(page_html, encoding="utf-8")
    screenshot = ARTIFACTS / "impact-report.png"
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(f"request {request.url}"))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            charts = page.locator("figure svg")
            assert charts.count() == 2
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50
            assert page.locator("h1").count() == 1
            assert page.locator("h2").count() == 4
            assert page.locator("[role=img][aria-label]").count() == 2
            assert page.locator("#gaps-table tbody tr").count() > 0
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    print(f"screenshot of the impact report: {screenshot}")
    assert problems == []
    assert screenshot.stat().st_size > 10_000
