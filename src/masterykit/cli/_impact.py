"""``masterykit impact OLD NEW --evidence FILE --learners FILE --as-of DATE [--by ATTRS]``.

Both policies evaluated over the same evidence (read once), and what changes for the learners:
how many learners' statuses and decisions change, in which direction, by group with small
groups suppressed, and whether gaps between groups widen or narrow. Outputs: ``text``, ``json``
(schema ``masterykit/impact/v1``) and ``html`` (needs the ``reports`` extra's chart renderer);
``--changed FILE`` writes each changed outcome with its first reason (CSV or JSON Lines).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from masterykit.cli._common import EXIT_OK, EXIT_USAGE, CliError, DateType, debug_option
from masterykit.diagnostics import Diagnostic

if TYPE_CHECKING:
    from masterykit.district import District
    from masterykit.impact import ImpactReport
    from masterykit.policy import Policy

__all__ = ["impact_command"]

_CHANGED_SUFFIXES = (".csv", ".jsonl")


def _by(value: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for item in value:
        names.extend(part.strip() for part in item.split(",") if part.strip())
    return list(dict.fromkeys(names))


@click.command("impact")
@click.argument("old_path", metavar="OLD")
@click.argument("new_path", metavar="NEW")
@click.option(
    "--evidence", "evidence_path", required=True, metavar="FILE", help="The evidence (read once)."
)
@click.option(
    "--learners",
    "learners_path",
    metavar="FILE",
    help="Learners and their attributes; the `--by` attributes come from here.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DateType(),
    multiple=True,
    required=True,
    metavar="DATE",
    help="Compare as of this date (YYYY-MM-DD); repeat it for several dates.",
)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="ATTRS",
    help="Learner attributes to compare groups by, comma-separated (`--by school,iep`).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="`text`, `json` (schema `masterykit/impact/v1`) or `html`.",
)
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    help="Write the report to FILE, not standard output.",
)
@click.option(
    "--changed",
    "changed_path",
    metavar="FILE",
    help="Also write every changed outcome of every learner, with its first reason, to FILE "
    "(`.csv` or `.jsonl`; it names learners: not for publication).",
)
@click.option(
    "--min-group",
    "min_group",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    metavar="N",
    help="Show no group of fewer than N learners (and hide the next smallest with it "
    "when only one would be hidden).",
)
@click.option(
    "--evidence-format",
    "evidence_format",
    metavar="NAME",
    help="The evidence reader; by default chosen by the file name.",
)
@debug_option
def impact_command(
    old_path: str,
    new_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: tuple[dt.date, ...],
    by: tuple[str, ...],
    output_format: str,
    output: str | None,
    changed_path: str | None,
    min_group: int,
    evidence_format: str | None,
) -> int:
    """Show whose decisions change if policy OLD is replaced by NEW.

    Both policies are evaluated over the same evidence on each `--as-of` date. The report
    counts the learners whose competency statuses, requirements, advancements, graduation and
    pace change and in which direction, compares each `--by` group's rates before and after
    (groups smaller than `--min-group` are suppressed) and says whether gaps between groups
    widen or narrow. Exit status: 0 done, 1 policy or data problems, 2 usage error.
    """
    from masterykit.batch import skipped
    from masterykit.cli._evaluate import check_output, inputs_of, write_output
    from masterykit.cli._inputs import read_inputs
    from masterykit.impact import ImpactError, impact

    if changed_path is not None and Path(changed_path).suffix.lower() not in _CHANGED_SUFFIXES:
        raise CliError(
            Diagnostic(
                "MK463",
                f"cannot tell how to write the changed learners to `{changed_path}`",
                help="name a file ending in `.csv` or `.jsonl`",
            )
        )
    old = _policy(old_path)
    new = _policy(new_path)
    inputs = [*inputs_of(old, evidence_path, learners_path), *inputs_of(new)]
    check_output(output, inputs)
    check_output(changed_path, [*inputs, output])
    # The evidence is read once, with the old policy's scales.
    read = read_inputs(evidence_path, learners_path, evidence_format=evidence_format, policy=old)
    problems = len(read.rejections) - skipped(read.rejections)
    if problems:
        click.echo(
            f"note: {problems} of {read.read} evidence records could not be used; "
            "`masterykit evaluate` lists each with its file and line",
            err=True,
        )
    try:
        report = impact(
            old,
            new,
            read.learners,
            read.evidence,
            as_of=list(as_of),
            by=_by(by),
            min_group=min_group,
            list_changed=changed_path is not None,
        )
    except ImpactError as error:
        raise CliError(error.diagnostics, status=EXIT_USAGE) from None
    document_inputs = {"evidence": evidence_path, "learners": learners_path}
    write_output(_text(report, output_format, document_inputs), output)
    if changed_path is not None:
        write_output(_changed(report, changed_path), changed_path)
    return EXIT_OK


def _policy(path: str) -> Policy:
    from masterykit.cli._common import existing_file
    from masterykit.diagnostics import MasteryError
    from masterykit.impact import ImpactError, impact_sides
    from masterykit.loader import default_registry, load_any

    loaded: Policy | District = load_any(
        existing_file(path, "policy file"), registry=default_registry()
    )
    try:
        return impact_sides(loaded)
    except (ImpactError, MasteryError) as error:
        raise CliError(error.diagnostics, status=EXIT_USAGE) from None


def _text(report: ImpactReport, output_format: str, inputs: dict[str, str | None]) -> str:
    from masterykit.impact import impact_document

    if output_format == "json":
        document = impact_document(report, inputs=dict(inputs))
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output_format == "html":
        from masterykit.reports import render_impact_html

        return render_impact_html(report)
    from masterykit.reports import impact_lines

    lines = [
        f"--- {report.old.file} ({_named(report.old.name, report.old.version)})",
        f"+++ {report.new.file} ({_named(report.new.name, report.new.version)})",
        *impact_lines(report),
    ]
    return "\n".join(lines) + "\n"


def _named(name: str, version: str | None) -> str:
    return name if version is None else f"{name} {version}"


def _changed(report: ImpactReport, path: str) -> str:
    from masterykit.reports import changed_csv_rows, changed_jsonl_lines

    if path.lower().endswith(".jsonl"):
        return "".join(line + "\n" for line in changed_jsonl_lines(report.changed))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(changed_csv_rows(report.changed))
    return buffer.getvalue()
