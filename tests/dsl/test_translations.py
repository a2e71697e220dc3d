"""``translate`` blocks: parsed, formatted back as written, checked (``MK283``–``MK286``, with
the exact messages and help), merged across an overlay chain, and left out of the fingerprint.
The chunked file ``data/check/translations.mastery`` covers where each problem is reported."""

from __future__ import annotations

from pathlib import Path

from masterykit.dsl import nodes as n
from masterykit.dsl.check import check
from masterykit.dsl.format import format_policy
from masterykit.dsl.parser import parse
from masterykit.loader import load, load_text
from masterykit.registry import Registry

BASE = """policy "Base" version "1"
scale two { 1 NotYet 2 Yes }
area A "Arts" { competency A.1 "Draws" }
calculate highest
proficient at Yes
"""


def _check(text: str, registry: Registry) -> list[tuple[str, str, str | None]]:
    _policy, diagnostics = check([parse(text, "t.mastery")], registry)
    return [(d.code, d.message, d.help) for d in diagnostics]


def test_a_translate_block_is_parsed_and_formatted_as_written() -> None:
    text = BASE + 'translate es {\n  A.1 "Dibuja"\n  "A" "Artes"\n  level NotYet "Todavía no"\n}\n'
    tree = parse(text, "t.mastery")
    (block,) = [s for s in tree.statements if isinstance(s, n.TranslateDecl)]
    assert block.language.value == "es"
    assert block.entries == (
        n.TitleTranslation(n.Ident("A.1"), "Dibuja"),
        n.TitleTranslation(n.Ident("A"), "Artes"),
        n.LevelTranslation(n.Ident("NotYet"), "Todavía no"),
    )
    formatted = format_policy(tree)
    assert formatted.endswith(
        '\ntranslate es {\n  A.1 "Dibuja"\n  A "Artes"\n  level NotYet "Todavía no"\n}\n'
    )
    assert parse(formatted, "t.mastery") == tree


def test_the_policy_holds_its_translations_by_language(check_registry: Registry) -> None:
    policy, diagnostics = check(
        [parse(BASE + 'translate es { A.1 "Dibuja" level Yes "Sí" }\n', "t.mastery")],
        check_registry,
    )
    assert diagnostics == []
    assert policy is not None
    translation = policy.translations["es"]
    assert dict(translation.titles) == {"A.1": "Dibuja"}
    assert dict(translation.levels) == {"Yes": "Sí"}


def test_each_problem_has_its_code_message_and_help(check_registry: Registry) -> None:
    text = BASE + (
        'translate spa { A "Artes" }\n'
        'translate esp { A "Artes" }\n'
        'translate es { A.9 "Dibuja" level Yess "Sí" A "Artes" A "Arte" }\n'
    )
    assert _check(text, check_registry) == [
        (
            "MK283",
            "`spa` is not a language code",
            "write an ISO 639-1 code such as `es`, with a region if needed (`pt_BR`)",
        ),
        (
            "MK283",
            "`esp` is not a language code",
            "did you mean `es`? write an ISO 639-1 code such as `es`, with a region if needed "
            "(`pt_BR`)",
        ),
        (
            "MK284",
            "`A.9` is not a competency, area, group, requirement or pathway of the policy, so "
            "it has no title to translate",
            "did you mean `A.1`?",
        ),
        ("MK285", "no scale has a level called `Yess` to translate", "did you mean `Yes`?"),
        ("MK286", "the title of `A` is translated into `es` twice", "keep one translation"),
    ]


def test_an_overlay_translates_over_its_base(tmp_path: Path) -> None:
    (tmp_path / "district.mastery").write_text(
        BASE + 'translate es { A "Artes" A.1 "Dibuja" }\n', encoding="utf-8"
    )
    (tmp_path / "school.mastery").write_text(
        'policy "School" extends "district.mastery"\ntranslate es { A.1 "Dibuja a mano" }\n',
        encoding="utf-8",
    )
    policy = load(tmp_path / "school.mastery")
    assert dict(policy.translations["es"].titles) == {"A": "Artes", "A.1": "Dibuja a mano"}


def test_translations_leave_the_fingerprint_alone() -> None:
    plain = load_text(BASE, "t.mastery")
    translated = load_text(BASE + 'translate es { A.1 "Dibuja" }\n', "t.mastery")
    assert translated.translations and not plain.translations
    assert plain.fingerprint == translated.fingerprint
