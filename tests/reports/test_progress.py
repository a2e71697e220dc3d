"""Progress reports for families: one self-contained page per learner, in English and Spanish,
with the command line's errors, the Spanish catalog's completeness, and the pages checked in a
real headless browser (no console errors, no serious or critical axe-core violations,
keyboard-reachable contents, screenshots under ``tests/artifacts/``)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from masterykit.cli import cli
from masterykit.cli._progress import page_file_name
from masterykit.engine import evaluate
from masterykit.loader import load
from masterykit.readers import read_all, read_learners
from masterykit.reports import ReportError
from masterykit.reports._locale import LANGUAGES, catalog_path, translations
from masterykit.reports._progress import progress_html

from .conftest import ROOT

PATHWAYS = ROOT / "examples" / "graduation-pathways"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
AS_OF = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def jo() -> tuple[object, object]:
    policy = load(PATHWAYS / "policy.mastery")
    evidence, _, _ = read_all(PATHWAYS / "evidence.csv", policy=policy)
    learners = [lr for lr in read_learners(PATHWAYS / "learners.csv") if lr.id == "jo"]
    return policy, evaluate(policy, learners, evidence, as_of=AS_OF).learners[0]


@pytest.fixture(scope="module")
def pages(jo: tuple[object, object]) -> dict[str, str]:
    policy, result = jo
    return {
        lang: progress_html(policy, result, AS_OF, language=lang)  # type: ignore[arg-type]
        for lang in LANGUAGES
    }


def test_the_page_is_self_contained_and_in_its_language(pages: dict[str, str]) -> None:
    for lang, page in pages.items():
        assert page.startswith("<!DOCTYPE html>")
        assert f'<html lang="{lang}">' in page
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
        assert "<script" not in page
    assert "<h1>Progress report: jo</h1>" in pages["en"]
    assert "<h1>Informe de progreso: jo</h1>" in pages["es"]
    assert "Pathways to Graduation, as of March 1, 2026." in pages["en"]
    assert "Pathways to Graduation, al 1 de marzo de 2026." in pages["es"]


def test_every_chart_has_a_table_and_a_description(pages: dict[str, str]) -> None:
    page = pages["en"]
    charts = re.findall(r'<svg [^>]*id="(c\d+)-svg"', page)
    # jo has work on three competencies: Analyzes complex texts, Models with functions,
    # Investigates phenomena.
    assert charts == ["c1", "c3", "c5"]
    for chart in charts:
        assert f'id="{chart}-table"' in page
        assert f'id="{chart}-caption"' in page
    assert page.count("<svg") == 3
    assert 'aria-hidden="true"' in page


def test_habits_of_work_are_apart_from_academics(pages: dict[str, str]) -> None:
    page = pages["en"]
    learning = page.index('id="learning-heading"')
    habits = page.index('id="habits-heading"')
    assert learning < page.index("Analyzes complex texts") < habits
    assert habits < page.index('-heading">Transferable skills</h3>')


def test_what_is_next_groups_the_routes_and_pace_shows_both_dates(pages: dict[str, str]) -> None:
    page = pages["en"]
    assert "<h3>One of these routes is enough</h3>" in page
    assert "<h4>Capstone exhibition</h4>" in page
    assert (
        "<li>Writes with evidence: 2 more pieces of work are needed; the overall level needs "
        "to reach Proficient.</li>" in page
    )
    assert (
        "<p>To graduate with the class in June 2026, 5 more competencies are needed in "
        "14 weeks.</p>" in page
    )
    assert '<tr><th scope="row">With the extra time</th><td>June 2027</td></tr>' in page
    spanish = pages["es"]
    assert (
        "<p>Para graduarse con la clase en junio de 2026, hacen falta 5 competencias más en "
        "14 semanas.</p>" in spanish
    )
    assert '<tr><th scope="row">Con el tiempo adicional</th><td>junio de 2027</td></tr>' in spanish


def test_the_policy_gives_titles_level_and_route_names_in_spanish(pages: dict[str, str]) -> None:
    spanish = pages["es"]
    assert '<h3 id="area-1-heading">Lengua y literatura</h3>' in spanish
    assert '<h4 id="c1-heading">Analiza textos complejos</h4>' in spanish
    assert '<p class="status met">Competente: lograda</p>' in spanish
    assert "<h4>Exposición final</h4>" in spanish
    assert (
        "<li>Escribe con evidencias: hacen falta 2 trabajos más; el nivel global tiene que "
        "llegar a Competente.</li>" in spanish
    )
    for english in ("Analyzes complex texts", "Proficient", "Capstone exhibition"):
        assert english not in spanish
        assert english in pages["en"]


def test_an_unknown_language_is_refused_with_its_code(jo: tuple[object, object]) -> None:
    policy, result = jo
    with pytest.raises(ReportError) as caught:
        progress_html(policy, result, AS_OF, language="fr")  # type: ignore[arg-type]
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "MK720"
    assert diagnostic.message == "progress reports are not available in the language `fr`"
    assert diagnostic.help == "the languages are `en`, `es`"


# --- the catalogs ------------------------------------------------------------------------------


def _extracted() -> set[tuple[str | None, str]]:
    """Every message the code and the template mark for translation, read from the files that
    ``babel.cfg`` names, as ``pybabel extract`` reads them."""
    from babel.messages.extract import extract_from_file
    from babel.messages.frontend import parse_mapping_cfg

    config = ROOT / "src" / "masterykit" / "reports" / "locale" / "babel.cfg"
    with open(config, encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: set[tuple[str | None, str]] = set()
    for pattern, method in method_map:
        path = ROOT / pattern
        assert path.is_file(), pattern
        for _line, message, _comments, context in extract_from_file(
            method, str(path), options=options_map.get(pattern, {})
        ):
            found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_the_spanish_catalog_is_complete() -> None:
    from babel.messages.pofile import read_po

    with catalog_path("es").open("rb") as handle:
        catalog = read_po(handle)
    extracted = _extracted()
    assert len(extracted) > 100
    translated: set[tuple[str | None, str]] = set()
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {key!r}"
        assert not message.fuzzy, f"fuzzy: {key!r}"
        translated.add((message.context, key))
    assert sorted(extracted - translated, key=str) == []
    assert sorted(translated - extracted, key=str) == []


def test_the_template_catalog_is_current() -> None:
    from babel.messages.pofile import read_po

    with open(ROOT / "src/masterykit/reports/locale/masterykit.pot", "rb") as handle:
        template = read_po(handle)
    ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    assert ids == _extracted()


def test_spanish_placeholders_match_the_english_ones() -> None:
    from babel.messages.pofile import read_po

    with catalog_path("es").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"\{\w+\}|%\(\w+\)[sd]", ids[-1]))
        for text in strings:
            assert set(re.findall(r"\{\w+\}|%\(\w+\)[sd]", text)) <= wanted | {"%(num)d"}


def test_spanish_words_plurals_and_months() -> None:
    es = translations("es")
    assert es.ngettext("{count} week", "{count} weeks", 1) == "{count} semana"
    assert es.ngettext("{count} week", "{count} weeks", 11) == "{count} semanas"
    assert es.pgettext("month", "May") == "mayo"
    assert translations("en").gettext("Pace") == "Pace"


# --- the command line --------------------------------------------------------------------------


def _args(*extra: str) -> list[str]:
    return [
        "progress",
        str(PATHWAYS / "policy.mastery"),
        "--evidence",
        str(PATHWAYS / "evidence.csv"),
        "--learners",
        str(PATHWAYS / "learners.csv"),
        "--as-of",
        "2026-03-01",
        *extra,
    ]


def test_one_learner_goes_to_standard_output() -> None:
    result = CliRunner().invoke(cli, _args("--learner", "jo", "--lang", "es"))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in result.output


def test_a_class_gets_one_file_per_learner(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(cli, _args("--out", str(out)))
    assert result.exit_code == 0, result.output
    files = sorted(path.name for path in out.iterdir())
    assert len(files) == 19
    assert "jo.html" in files and "mia.html" in files
    assert f"wrote 19 progress reports into {out}" in result.output


def test_file_names_never_leave_the_folder_nor_collide() -> None:
    assert page_file_name("jo") == "jo.html"
    assert page_file_name("a/b") == "a%2Fb.html"
    assert page_file_name("../x") == "..%2Fx.html"
    assert page_file_name("a b") != page_file_name("a_b")


def _error(result: object) -> str:
    return result.output  # type: ignore[attr-defined,no-any-return]


def test_many_learners_need_an_output_folder() -> None:
    result = CliRunner().invoke(cli, _args())
    assert result.exit_code == 2
    assert "error[MK721]: 19 learners' progress reports need `--out DIR`, one file each" in _error(
        result
    )


def test_the_output_folder_cannot_be_a_file(tmp_path: Path) -> None:
    target = tmp_path / "reports.html"
    target.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, _args("--out", str(target)))
    assert result.exit_code == 2
    assert (
        f"error[MK722]: `{target}` is a file; progress reports are written into a folder"
        in _error(result)
    )


def test_an_unwritable_output_folder_is_reported(tmp_path: Path) -> None:
    # A folder below a file cannot be made, whoever runs the command.
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, _args("--out", str(blocker / "reports")))
    assert result.exit_code == 1
    assert (
        f"error[MK723]: cannot write progress reports into `{blocker / 'reports'}`: "
        "Not a directory" in _error(result)
    )


def test_an_unknown_language_on_the_command_line() -> None:
    result = CliRunner().invoke(cli, _args("--learner", "jo", "--lang", "esp"))
    assert result.exit_code == 2
    assert "error[MK720]: progress reports are not available in the language `esp`" in _error(
        result
    )
    assert "did you mean `es`? the languages are `en`, `es`" in _error(result)


def test_without_the_extra_the_command_names_it_mk700(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "babel", None)
    result = CliRunner().invoke(cli, _args("--learner", "jo"))
    assert result.exit_code == 2
    assert (
        "error[MK700]: `masterykit progress` needs the optional `reports` extra, which is not "
        "installed (missing `babel`)" in _error(result)
    )


def test_a_learner_is_called_by_their_name_where_the_learners_file_has_one(
    jo: tuple[object, object],
) -> None:
    import attrs

    policy, result = jo
    named = attrs.evolve(
        result,  # type: ignore[misc]
        learner=attrs.evolve(
            result.learner,  # type: ignore[attr-defined]
            attributes={**result.learner.attributes, "name": "Jo Rivera"},  # type: ignore[attr-defined]
        ),
    )
    page = progress_html(policy, named, AS_OF)  # type: ignore[arg-type]
    assert "<h1>Progress report: Jo Rivera</h1>" in page


def test_an_unknown_learner_on_the_command_line() -> None:
    result = CliRunner().invoke(cli, _args("--learner", "joe"))
    assert result.exit_code == 1
    assert "error[MK409]: learner `joe` is not in the learners file" in _error(result)


# --- in a real browser -------------------------------------------------------------------------


def _browser_or_skip() -> None:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.skip("Chromium is not installed (`apt-get install -y chromium`)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_is_accessible_in_chromium(pages: dict[str, str], lang: str) -> None:
    _browser_or_skip()
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_path = ARTIFACTS / f"progress-report-{lang}.html"
    page_path.write_text(pages[lang], encoding="utf-8")
    screenshot = ARTIFACTS / f"progress-report-{lang}.png"
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on(
                "console",
                lambda message: problems.append(message.text) if message.type == "error" else None,
            )
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("requestfailed", lambda request: problems.append(f"request {request.url}"))
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            assert page.locator("h1").count() == 1
            assert page.locator("h2").count() == 5
            assert page.locator("figure svg").count() == 3
            # The contents are reachable from the keyboard: Tab lands on the skip link, then
            # on each link of the contents in order.
            page.keyboard.press("Tab")
            focused = [page.evaluate("document.activeElement.getAttribute('href')")]
            for _ in range(5):
                page.keyboard.press("Tab")
                focused.append(page.evaluate("document.activeElement.getAttribute('href')"))
            assert focused == [
                "#next-heading",
                "#summary-heading",
                "#learning-heading",
                "#habits-heading",
                "#next-heading",
                "#pace-heading",
            ]
            results = Axe().run(page)
            serious = [
                f"{v['id']} ({v['impact']}): {v['help']}"
                for v in results.response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            page.screenshot(path=str(screenshot), full_page=True)
            page.emulate_media(media="print")
            assert page.locator("nav").is_hidden()
        finally:
            browser.close()
    print(f"screenshot of the {lang} progress report: {screenshot}")
    assert serious == []
    assert problems == []
    assert screenshot.stat().st_size > 10_000
