"""``masterykit calibrate POLICY --evidence FILE --learners FILE --as-of DATE --by school``.

Does "proficient" mean the same in every school? For the same learners and competencies,
classroom evidence is compared with the district's common assessments (the kinds the policy
marks ``common``, or ``--common``), school by school, and schools whose classroom proficiency
runs ahead beyond ``--threshold`` are flagged; ``--raters`` adds agreement between raters of
double-scored work. Needs the optional ``reports`` extra (``MK700`` says so when it is missing).
Outputs: ``table``, ``json`` (schema ``masterykit/calibration/v1``), ``csv`` and ``html``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import click

from masterykit.cli._common import EXIT_OK, EXIT_USAGE, CliError, DateType, debug_option

__all__ = ["calibrate_command"]


@click.command("calibrate")
@click.argument("policy_path", metavar="POLICY")
@click.option(
    "--evidence",
    "evidence_path",
    required=True,
    metavar="FILE",
    help="The evidence (as for `masterykit evaluate`), classroom and common assessments.",
)
@click.option(
    "--learners",
    "learners_path",
    required=True,
    metavar="FILE",
    help="Learners and their attributes; the `--by` attribute comes from here.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DateType(),
    required=True,
    metavar="DATE",
    help="Compare as of this date (YYYY-MM-DD).",
)
@click.option(
    "--by",
    "by",
    default="school",
    show_default=True,
    metavar="ATTR",
    help="The learner attribute to compare groups by.",
)
@click.option(
    "--common",
    "common",
    multiple=True,
    metavar="KIND",
    help="A kind of evidence that is a common assessment (repeat it); by default the kinds "
    "the policy declares `common`.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.10,
    show_default=True,
    metavar="SHARE",
    help="Flag a group whose classroom proficiency runs ahead by more than this share "
    "(0.10 = ten percentage points).",
)
@click.option(
    "--min-group",
    "min_group",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    metavar="N",
    help="Show no group of fewer than N learners.",
)
@click.option(
    "--raters",
    is_flag=True,
    help="Add agreement between raters of double-scored work, from the evidence "
    "file's `rater` and `artifact` columns.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
    help="`table`, `json` (schema `masterykit/calibration/v1`), `csv` or `html` (one "
    "self-contained page with a chart).",
)
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--evidence-format",
    "evidence_format",
    metavar="NAME",
    help="The evidence reader; by default chosen by the file name.",
)
@debug_option
def calibrate_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str,
    as_of: dt.date,
    by: str,
    common: tuple[str, ...],
    threshold: float,
    min_group: int,
    raters: bool,
    output_format: str,
    output: str | None,
    evidence_format: str | None,
) -> int:
    """Compare classroom evidence with the district's common assessments, school by school.

    For the same learners and competencies, proficiency from classroom evidence is set beside
    proficiency from the common assessments (the policy's `common kind`s, or `--common`);
    schools whose classroom proficiency runs ahead by more than `--threshold` are flagged
    (one-sided t test, Holm-corrected across schools). Needs the `reports` extra:
    pip install 'masterykit[reports]'. Exit status: 0 done (flagged schools are findings, not
    failures), 1 policy or data problems, 2 usage error or the extra missing.
    """
    from masterykit.reports._extra import missing_extra

    problem = missing_extra("`masterykit calibrate`")
    if problem is not None:
        raise CliError(problem, status=EXIT_USAGE)
    from masterykit.batch import skipped
    from masterykit.cli._evaluate import check_output, inputs_of, write_output
    from masterykit.cli._inputs import load_policy, read_inputs
    from masterykit.cli._report import _agreement
    from masterykit.reports import (
        ReportError,
        calibrate,
        calibration_csv_rows,
        calibration_document,
        calibration_lines,
        render_calibration_html,
    )

    policy = load_policy(policy_path)
    check_output(output, inputs_of(policy, evidence_path, learners_path))
    inputs = read_inputs(
        evidence_path, learners_path, evidence_format=evidence_format, policy=policy
    )
    problems = len(inputs.rejections) - skipped(inputs.rejections)
    if problems:
        click.echo(
            f"note: {problems} of {inputs.read} evidence records could not be used; "
            "`masterykit evaluate` lists each with its file and line",
            err=True,
        )
    try:
        result = calibrate(
            policy,
            inputs.learners or (),
            inputs.evidence,
            by=by,
            as_of=as_of,
            common=common or None,
            threshold=threshold,
            min_group=min_group,
        )
    except ReportError as error:
        raise CliError(error.diagnostics, status=1) from None
    agreement = (
        _agreement(evidence_path, inputs.learners or (), [by], min_group) if raters else None
    )
    if output_format == "json":
        document = calibration_document(
            result,
            policy,
            agreement,
            inputs={"evidence": evidence_path, "learners": learners_path},
        )
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    elif output_format == "html":
        text = render_calibration_html(result, policy, agreement)
    elif output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(calibration_csv_rows(result))
        text = buffer.getvalue()
    else:
        text = "\n".join(calibration_lines(result, agreement)) + "\n"
    write_output(text, output)
    return EXIT_OK
