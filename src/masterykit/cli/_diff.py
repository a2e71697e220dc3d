"""``masterykit diff OLD NEW``: what changes between two versions of a policy or a district.

Compares what the files *do* (:func:`masterykit.diff.diff`): comments, formatting and moved
lines are not differences. Exit status as for ``diff``: 0 when they do the same thing, 1 when
they differ, 2 for a usage error or a file that cannot be loaded.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from masterykit.cli._common import EXIT_OK, EXIT_USAGE, CliError, debug_option

if TYPE_CHECKING:
    from masterykit.district import District
    from masterykit.policy import Policy

__all__ = ["DIFF_SCHEMA", "diff_command"]

#: The ``schema`` value of ``masterykit diff --format json``.
DIFF_SCHEMA = "masterykit/diff/v1"

#: ``diff``'s status when the two sides differ.
EXIT_DIFFERENT = 1


@click.command("diff")
@click.argument("old_path", metavar="OLD")
@click.argument("new_path", metavar="NEW")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`text` for people, or `json` (schema `masterykit/diff/v1`).",
)
@debug_option
def diff_command(old_path: str, new_path: str, output_format: str) -> int:
    """Show what changes between two policy files (or two district files).

    Rules, cuts, calculations, evidence rules, requirements, decisions, pace, scales,
    competencies and routes that were added, removed or changed, per competency where rules
    are scoped, with the file and line of each side. Comments, formatting and moved lines are
    not differences. Exit status: 0 the same, 1 different, 2 usage error or a file that
    cannot be loaded.
    """
    from masterykit.diagnostics import MasteryError
    from masterykit.diff import diff

    old = _load(old_path)
    new = _load(new_path)
    try:
        result = diff(old, new)
    except MasteryError as error:
        raise CliError(error.diagnostics, status=EXIT_USAGE) from None
    if output_format == "json":
        document = {"schema": DIFF_SCHEMA, **result.to_json()}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        click.echo(f"--- {old_path} ({_named(result.old.name, result.old.version)})")
        click.echo(f"+++ {new_path} ({_named(result.new.name, result.new.version)})")
        for line in result.lines():
            click.echo(line)
        if result.equal:
            click.echo("no differences: both do the same thing")
        else:
            count = len(result.grouped())
            line = f"{count} difference{'s' if count != 1 else ''}"
            if len(result.changes) != count:
                line += f" ({len(result.changes)} counted per competency)"
            click.echo(line)
    return EXIT_OK if result.equal else EXIT_DIFFERENT


def _named(name: str, version: str | None) -> str:
    return name if version is None else f"{name} {version}"


def _load(path: str) -> Policy | District:
    """A policy file or a district file, checked (syntax and check errors exit 2 here: a diff
    of a file that does not load has no answer)."""
    from masterykit.cli._common import existing_file
    from masterykit.diagnostics import MasteryError
    from masterykit.loader import default_registry, load_any

    try:
        return load_any(existing_file(path, "policy file"), registry=default_registry())
    except MasteryError as error:
        raise CliError(error.diagnostics, status=EXIT_USAGE, sources=error.sources) from None
