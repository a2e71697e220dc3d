"""The languages progress reports and family wording are shown in, from gettext catalogs.

The catalogs are the ``.po`` files under ``masterykit/reports/locale/<language>/LC_MESSAGES/``
(the English text of each sentence is its message id, so English needs no catalog). They are
read when first asked for, with Babel, and compiled in memory: a plain ``pip install`` needs no
build step and there is no compiled file to go stale. ``masterykit.pot`` beside them is the
template that ``pybabel extract`` writes (``docs/family.rst`` shows the commands).

.. versionadded:: 0.2
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib import resources
from typing import Final

from masterykit.diagnostics import Diagnostic
from masterykit.engine.render import Translations

__all__ = ["DOMAIN", "LANGUAGES", "catalog_path", "translations", "unknown_language"]

#: The gettext domain of masterykit's catalogs.
DOMAIN: Final = "masterykit"

#: The languages a report can be shown in, English (the source language) first.
LANGUAGES: Final = ("en", "es")


def catalog_path(language: str) -> resources.abc.Traversable:
    """Where the ``.po`` catalog of ``language`` lives in the installed package."""
    return (
        resources.files("masterykit.reports") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    )


def unknown_language(language: str) -> Diagnostic:
    """``MK720``: no catalog for ``language``."""
    import difflib

    known = ", ".join(f"`{name}`" for name in LANGUAGES)
    close = difflib.get_close_matches(language, LANGUAGES, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return Diagnostic(
        "MK720",
        f"progress reports are not available in the language `{language}`",
        help=f"{hint}the languages are {known}",
    )


@functools.cache
def translations(language: str) -> Translations:
    """The translations of ``language`` (``en``: the English message ids themselves).

    Raises:
        LookupError: there is no catalog for ``language`` (see :func:`unknown_language`).
    """
    if language == "en":
        return gettext.NullTranslations()
    if language not in LANGUAGES:
        raise LookupError(language)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
