"""``masterykit report POLICY --evidence FILE --learners FILE --as-of DATE --by school``.

A district's view of a policy's results: every group of the ``--by`` attributes beside the whole
district, on one or more dates, with small groups suppressed; ``--raters`` adds agreement between
raters of double-scored work. Needs the optional ``reports`` extra (``MK700`` says so when it is
missing). Outputs: ``table`` (for people), ``json`` (schema ``masterykit/report/v1``), ``csv``
(one row per figure) and ``html`` (one self-contained page with charts).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from masterykit.cli._common import EXIT_OK, EXIT_USAGE, CliError, DateType, debug_option

if TYPE_CHECKING:
    from masterykit.evidence import Evidence, Learner
    from masterykit.policy import Policy
    from masterykit.reports import DistrictReport, RaterAgreement, ReportBuilder

__all__ = ["report_command"]


def _by(value: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for item in value:
        names.extend(part.strip() for part in item.split(",") if part.strip())
    return list(dict.fromkeys(names))


@click.command("report")
@click.argument("policy_path", metavar="POLICY")
@click.option(
    "--evidence",
    "evidence_path",
    required=True,
    metavar="FILE",
    help="The evidence (as for `masterykit evaluate`).",
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
    help="Report as of this date (YYYY-MM-DD); repeat it for a trend over dates.",
)
@click.option(
    "--by",
    "by",
    multiple=True,
    metavar="ATTRS",
    help="Learner attributes to break the district down by, comma-separated (`--by school,iep`).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
    help="`table`, `json` (schema `masterykit/report/v1`), `csv` or `html`.",
)
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    help="Write the report to FILE instead of standard output.",
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
    "--with-learner-ids",
    is_flag=True,
    help="List each group's learner ids in the JSON output (not for publication).",
)
@click.option(
    "--raters",
    is_flag=True,
    help="Add agreement between raters of double-scored work, from the evidence "
    "file's `rater` and `artifact` columns.",
)
@click.option(
    "--sorted",
    "sorted_by_id",
    is_flag=True,
    help="The evidence (and the learners file) are sorted by learner id: sum each learner as "
    "soon as their evidence has been read, so memory stays flat for a district's file (read "
    "once per `--as-of` date).",
)
@click.option(
    "--evidence-format",
    "evidence_format",
    metavar="NAME",
    help="The evidence reader; by default chosen by the file name.",
)
@debug_option
def report_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: tuple[dt.date, ...],
    by: tuple[str, ...],
    output_format: str,
    output: str | None,
    min_group: int,
    with_learner_ids: bool,
    raters: bool,
    sorted_by_id: bool,
    evidence_format: str | None,
) -> int:
    """Sum a policy's results by school and group for district leaders.

    Every group of the `--by` attributes is shown beside the whole district with a 95%
    interval, on each `--as-of` date; groups smaller than `--min-group` are suppressed.
    Learner ids appear only with `--with-learner-ids`. Needs the `reports` extra:
    pip install 'masterykit[reports]'. Exit status: 0 done, 1 policy or data problems,
    2 usage error or the extra missing.
    """
    from masterykit.reports._extra import missing_extra

    problem = missing_extra()
    if problem is not None:
        raise CliError(problem, status=EXIT_USAGE)
    from masterykit.batch import skipped
    from masterykit.cli._evaluate import check_output, inputs_of, write_output
    from masterykit.cli._inputs import load_policy, read_inputs
    from masterykit.reports import ReportBuilder, ReportError

    names = _by(by)
    policy = load_policy(policy_path)
    # Refused before anything is read, as `evaluate` does: a report must never replace its input.
    check_output(output, inputs_of(policy, evidence_path, learners_path))
    builder = ReportBuilder(
        names, policy=policy, min_group=min_group, with_learner_ids=with_learner_ids
    )
    days = sorted(set(as_of))
    learners: tuple[Learner, ...] | None
    if sorted_by_id:
        learners, problems, read = _stream_into(
            builder, policy, evidence_path, learners_path, evidence_format, days
        )
    else:
        inputs = read_inputs(
            evidence_path, learners_path, evidence_format=evidence_format, policy=policy
        )
        learners, read = inputs.learners, inputs.read
        problems = len(inputs.rejections) - skipped(inputs.rejections)
        _evaluate_into(builder, policy, inputs.learners, inputs.evidence, days)
    if problems:
        click.echo(
            f"note: {problems} of {read} evidence records could not be used; "
            "`masterykit evaluate` lists each with its file and line",
            err=True,
        )
    try:
        report = builder.build()
    except ReportError as error:
        raise CliError(error.diagnostics, status=EXIT_USAGE) from None
    agreement = _agreement(evidence_path, learners or (), names, min_group) if raters else None
    document_inputs = {"evidence": evidence_path, "learners": learners_path}
    write_output(_text(report, agreement, output_format, document_inputs), output)
    return EXIT_OK


#: Learners evaluated per call of the engine; each batch's results are summed and dropped.
_BATCH = 500


def _evaluate_into(
    builder: ReportBuilder,
    policy: Policy,
    learners: Sequence[Learner] | None,
    evidence: Sequence[Evidence],
    days: Sequence[dt.date],
) -> None:
    """Evaluate the learners (default: those the evidence names) a batch at a time on each
    date, adding each batch to ``builder``, so no date's results are ever held whole."""
    from masterykit.engine import evaluate
    from masterykit.evidence import Learner

    roster = (
        list(learners)
        if learners is not None
        else [Learner(i) for i in sorted({piece.learner for piece in evidence})]
    )
    by_learner: dict[str, list[Evidence]] = {}
    for piece in evidence:
        by_learner.setdefault(piece.learner, []).append(piece)
    for day in days:
        for start in range(0, len(roster), _BATCH):
            batch = roster[start : start + _BATCH]
            pieces = [piece for learner in batch for piece in by_learner.get(learner.id, ())]
            builder.add(evaluate(policy, batch, pieces, as_of=day))


def _stream_into(
    builder: ReportBuilder,
    policy: Policy,
    evidence_path: str,
    learners_path: str | None,
    evidence_format: str | None,
    days: Sequence[dt.date],
) -> tuple[tuple[Learner, ...] | None, int, int]:
    """``--sorted``: read the sorted evidence once per date, summing each learner as soon as
    their rows have been read. Returns the learners, the records that could not be used (on
    one reading) and the records read."""
    from masterykit.cli._common import existing_file
    from masterykit.cli._inputs import open_evidence, reader_errors
    from masterykit.engine import evaluate_stream
    from masterykit.readers import SKIP_CODES, read_learners

    learners = (
        read_learners(existing_file(learners_path, "learners file"))
        if learners_path is not None
        else None
    )
    problems = read = 0
    for index, day in enumerate(days):
        records = open_evidence(evidence_path, evidence_format, None, policy)
        with reader_errors():
            for result in evaluate_stream(
                policy, records, learners=learners, as_of=day, sorted_by_id=True
            ):
                builder.add(result)
                if index == 0:
                    read += result.counts.read
                    problems += sum(1 for r in result.rejections if r.code not in SKIP_CODES)
    return learners, problems, read


def _agreement(evidence_path: str, learners: Any, by: list[str], min_group: int) -> RaterAgreement:
    from masterykit.reports import rater_agreement, read_ratings

    ratings, rejections, _ = read_ratings(evidence_path)
    for rejection in rejections[:20]:
        click.echo(f"rejected {rejection.origin}: {rejection.reason} [{rejection.code}]", err=True)
    result = rater_agreement(ratings, learners=learners, by=by, min_group=min_group)
    if not result.ratings:
        from masterykit.diagnostics import Diagnostic

        raise CliError(
            Diagnostic(
                "MK702",
                f"no piece of work in `{evidence_path}` was scored by two raters",
                help="rater agreement needs rows with one `artifact` id and different `rater`s",
            ),
            status=1,
        )
    return result


def _text(
    report: DistrictReport,
    agreement: RaterAgreement | None,
    output_format: str,
    inputs: dict[str, Any],
) -> str:
    from masterykit.reports import csv_rows, render_html, report_document, table_lines

    if output_format == "json":
        document = report_document(report, agreement, inputs=inputs)
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(csv_rows(report))
        return buffer.getvalue()
    if output_format == "html":
        return render_html(report, agreement)
    return "\n".join(table_lines(report, agreement)) + "\n"
