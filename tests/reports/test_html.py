"""The HTML report: one self-contained page, checked in a real headless browser.

The browser tests drive Debian's Chromium (``/usr/bin/chromium``) with Playwright; where either
is missing they are skipped with the reason. The screenshot is saved under ``tests/artifacts/``
(not committed) and its path printed.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from masterykit.engine import evaluate
from masterykit.loader import load
from masterykit.readers import read_all, read_learners
from masterykit.reports import (
    PALETTE,
    district_report,
    rater_agreement,
    read_ratings,
    render_html,
)

from .conftest import LAKE, ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def page_html(generated) -> str:
    policy = load(LAKE / "district.mastery")
    evidence, _, _ = read_all(LAKE / "evidence.csv", policy=policy)
    learners = read_learners(LAKE / "learners.csv")
    results = [
        evaluate(policy, learners, evidence, as_of=day)
        for day in (dt.date(2026, 3, 1), dt.date(2026, 11, 13))
    ]
    report = district_report(results, by=["school", "iep"], policy=policy)
    generated_learners, _, ratings_path = generated
    ratings, _, _ = read_ratings(ratings_path)
    agreement = rater_agreement(ratings, learners=read_learners(generated_learners), by=["school"])
    return render_html(report, agreement)


def test_the_page_is_self_contained(page_html: str) -> None:
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page_html)
    assert "<script" not in page_html


def test_every_chart_has_a_table_and_a_text_alternative(page_html: str) -> None:
    figures = re.findall(r'<figure id="([\w-]+)-figure"', page_html)
    assert figures == ["decisions-school", "decisions-iep", "trend", "raters"]
    for name in figures:
        assert f'id="{name}-table"' in page_html
        assert f'id="{name}-alt"' in page_html
    assert page_html.count("<svg") == len(figures)


def test_charts_use_the_colour_blind_safe_palette(page_html: str) -> None:
    colours = {c.upper() for c in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{3,6})"', page_html)}
    neutral = {"#000", "#000000", "#FFF", "#FFFFFF", "#888", "#DDD", "#555555"}
    assert colours - neutral <= set(PALETTE)
    assert len(colours & set(PALETTE)) >= 3


def test_suppressed_groups_read_fewer_than_n(page_html: str) -> None:
    assert "fewer than 10" in page_html


def _browser_or_skip() -> None:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (`apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")


def test_page_renders_in_chromium_without_console_errors(page_html: str) -> None:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_path = ARTIFACTS / "district-report.html"
    page_path.write_text(page_html, encoding="utf-8")
    screenshot = ARTIFACTS / "district-report.png"
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
            assert charts.count() == 4
            for index in range(charts.count()):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50
            assert page.locator("h1").count() == 1
            assert page.locator("h2").count() >= 5
            assert page.locator("[role=img][aria-label]").count() == 4
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    print(f"screenshot of the district report: {screenshot}")
    assert problems == []
    assert screenshot.stat().st_size > 10_000
