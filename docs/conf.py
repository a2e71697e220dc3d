"""Sphinx configuration for the masterykit documentation.

Builds offline: no intersphinx, no remote images. ``make docs`` runs the HTML and doctest builders
with ``-W --keep-going``, so every warning fails the build.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

__all__: list[str] = []

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from masterykit import __version__  # noqa: E402

project = "masterykit"
author = "masterykit developers"
copyright = "2026, masterykit developers"
release = __version__
version = ".".join(__version__.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**/README.md"]
templates_path: list[str] = []

html_theme = "furo"
html_title = f"masterykit {release}"
html_static_path: list[str] = []

# Google-style docstrings everywhere (house style).
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": False}

# Cross-references must resolve; the ignores are names from outside the project that Sphinx
# cannot resolve without intersphinx (which would fetch inventories over the network).
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(datetime|decimal|collections\.abc|typing|pathlib|enum|re|os|io)\..*"),
    (r"py:.*", r"(attrs|cattrs|lark|pluggy|click|rich|pygments)(\..*)?"),
    (r"py:class", r"(Decimal|Path|Mapping|Sequence|Iterable|Iterator|Callable|TypeAlias|Any)"),
    (r"py:class", r"(dt\.date|dt\.datetime|date|datetime|Token|Meta|Tree|Lark)"),
    (r"py:class", r"(masterykit\.)?[A-Za-z_.]*\.(T|_T|_[A-Za-z]+)"),
    (r"py:class", r"(str|int|bool|float|bytes|object|None|type|tuple|list|dict|set|frozenset)"),
    (r"py:class", r"(NoneType|ellipsis|Exception|BaseException|ValueError|TextIO|BinaryIO)"),
    (r"py:exc", r"(Exception|ValueError|OSError|FileNotFoundError)"),
    (r"py:data", r"typing\..*"),
    # Short names that docstrings use for objects re-exported by the package or the engine, and
    # type variables; the objects themselves are documented under their defining modules.
    (r"py:(class|func|meth)", r"(_[A-Z][A-Za-z]*|[A-Z]|Registry|Session|EvaluationResult)"),
    (r"py:(class|func)", r"(parse|parse_file|render_text|to_json|unstructure|PolicySyntaxError)"),
    (r"py:(class|func)", r"(Framework|Example|masterykit\.load|masterykit\.check_file)"),
    (r"py:class", r"The (lowest|highest) level's value"),
    (r"py:(func|data)", r"(masterykit\.parse|load_case|Selection|RuleItem|Clause)"),
    (r"py:mod", r"masterykit\.(readers|dsl\._build)"),
    # The `arrow` extra's libraries, and the columnar reader's type aliases.
    (r"py:.*", r"(pa|pyarrow|np|numpy|duckdb)(\..*)?"),
    (r"py:class", r"(Checked|Encoded|TabularOptions)"),
]

# Docstring examples (bare ``>>>`` blocks) run under pytest's --doctest-modules, in their module's
# namespace; the doctest builder runs the ``.. doctest::`` blocks of the pages.
doctest_test_doctest_blocks = ""

# Doctests run from the project's root, so they name files as a user would.
doctest_global_setup = f"""
import os
os.chdir({str(ROOT)!r})
import masterykit
"""

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3


def _ensure_mastery_lexer(app: Any) -> None:
    """Use the ``mastery`` Pygments lexer; until it is installed, highlight as plain text.

    ``tests/test_docs.py`` checks that the real lexer is the one in use once it exists.
    """
    from pygments.lexers import get_lexer_by_name

    try:
        get_lexer_by_name("mastery")
    except (ClassNotFound, ImportError):
        app.add_lexer("mastery", TextLexer)


class CliReference(SphinxDirective):
    """``.. masterykit-cli::`` — one section per command of the ``masterykit`` executable, with
    its ``--help`` text, read from the command line itself when the docs are built (so the page
    lists exactly the commands and flags that exist)."""

    def run(self) -> list[nodes.Node]:
        import click

        from masterykit.cli import cli

        lines: list[str] = []
        context = click.Context(cli, info_name="masterykit", terminal_width=100)
        for name in sorted(cli.list_commands(context)):
            command = cli.get_command(context, name)
            if command is None:  # pragma: no cover - a lazily loaded command that failed
                continue
            sub = click.Context(command, info_name=name, parent=context, terminal_width=100)
            title = f"masterykit {name}"
            lines += [title, "-" * len(title), "", command.get_short_help_str(100), ""]
            lines += [".. code-block:: text", ""]
            lines += [f"   {line}".rstrip() for line in command.get_help(sub).splitlines()]
            lines.append("")
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(lines, "masterykit-cli"), container)
        return container.children


class SchemaReference(SphinxDirective):
    """``.. masterykit-schemas::`` — every JSON Schema the command line publishes, in full."""

    def run(self) -> list[nodes.Node]:
        folder = ROOT / "src" / "masterykit" / "schemas"
        lines: list[str] = []
        for path in sorted(folder.glob("*.schema.json")):
            title = path.name.removesuffix(".schema.json")
            lines += [title, "~" * len(title), ""]
            lines += [f".. literalinclude:: /../src/masterykit/schemas/{path.name}"]
            lines += ["   :language: json", ""]
        container = nodes.container()
        nested_parse_with_titles(self.state, StringList(lines, "masterykit-schemas"), container)
        return container.children


def setup(app: Any) -> dict[str, Any]:
    """Register the fallback lexer and the command-line reference directives."""
    _ensure_mastery_lexer(app)
    app.add_directive("masterykit-cli", CliReference)
    app.add_directive("masterykit-schemas", SchemaReference)
    return {"parallel_read_safe": True}
