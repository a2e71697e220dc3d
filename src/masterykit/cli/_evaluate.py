"""``masterykit evaluate POLICY --evidence FILE``: what a policy decides for every learner.

Outputs (``--format``):

* ``json`` — one document following the published schema ``masterykit/result/v1``;
* ``jsonl`` — one JSON object a line: a ``learner`` line per learner, a ``rejection`` line per
  record that could not be used, and a final ``summary`` line with the counts;
* ``csv`` — one row per learner and competency, requirement, advancement, graduation, pace and
  rejection (columns ``learner,type,name,status,score,level,detail``);
* ``table`` — one line per learner, for people.

Every record read is either used or rejected, and the counts reconcile: ``read = used +
rejected``. Rejected records are listed with the file and line they came from.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from masterykit.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    CliError,
    DateType,
    debug_option,
    existing_file,
    plural,
)
from masterykit.cli._inputs import (
    echo_rejections,
    evaluate_in_batches,
    load_policy,
    open_evidence,
    parse_reader_options,
    progress,
    read_inputs,
    reader_errors,
    rejection_key,
    skipped,
)
from masterykit.diagnostics import Diagnostic
from masterykit.evidence import Rejection
from masterykit.numbers import format_decimal
from masterykit.policy import Policy

if TYPE_CHECKING:
    from masterykit.cli._inputs import Inputs
    from masterykit.engine import EvaluationResult, LearnerResult

__all__ = [
    "CSV_COLUMNS",
    "RESULT_SCHEMA",
    "TABLE_HEADER",
    "Run",
    "Tally",
    "counts_json",
    "csv_rows",
    "evaluate_command",
    "jsonl_lines",
    "open_output",
    "policy_json",
    "result_document",
    "run_evaluation",
    "stream_evaluation",
    "table_lines",
    "table_rows",
    "write_learners",
    "write_output",
]

#: The ``schema`` value of ``masterykit evaluate --format json`` output.
RESULT_SCHEMA = "masterykit/result/v1"

#: The columns of ``--format csv``.
CSV_COLUMNS = ("learner", "type", "name", "status", "score", "level", "detail")


class Run:
    """One evaluation from the command line: the policy, what was read, and the result."""

    def __init__(
        self,
        policy: Policy,
        inputs: Inputs,
        result: EvaluationResult,
        *,
        evidence_path: str,
        learners_path: str | None,
        evidence_format: str | None,
    ) -> None:
        self.policy = policy
        self.inputs = inputs
        self.result = result
        self.evidence_path = evidence_path
        self.learners_path = learners_path
        self.evidence_format = evidence_format

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """Every evidence record that could not be used: the readers' and the engine's."""
        return tuple(sorted((*self.inputs.rejections, *self.result.rejections), key=rejection_key))

    def counts(self) -> dict[str, int]:
        """Records read, used, rejected (of which skipped), counted and not counted."""
        engine = self.result.counts
        rejected = len(self.inputs.rejections) + engine.rejected
        return counts_json(
            (self.inputs.read, engine.used, rejected, engine.counted, engine.not_counted),
            self.rejections,
        )


def counts_json(counts: Sequence[int], rejections: Sequence[Rejection]) -> dict[str, int]:
    """The ``counts`` object of the output from the counts read, used, rejected, counted and
    not counted, with how many of ``rejections`` were skipped."""
    read, used, rejected, counted, not_counted = counts
    return {
        "read": read,
        "used": used,
        "rejected": rejected,
        "skipped": skipped(rejections),
        "counted": counted,
        "not_counted": not_counted,
    }


def _learner_json(learner: LearnerResult) -> dict[str, Any]:
    from masterykit.engine import unstructure

    data: dict[str, Any] = unstructure(learner)
    return data


def _rejection_json(rejection: Rejection) -> dict[str, Any]:
    from masterykit.engine import unstructure

    data: dict[str, Any] = unstructure(rejection)
    return data


def policy_json(policy: Policy) -> dict[str, Any]:
    """The policy's name, version, file and chain of layers, for JSON output."""
    return {
        "name": policy.name,
        "version": policy.version,
        "file": policy.file,
        "layers": [
            {"name": layer.name, "file": layer.file, "version": layer.version}
            for layer in policy.layers
        ],
    }


def result_document(run: Run) -> dict[str, Any]:
    """The JSON document of ``evaluate --format json`` (schema ``masterykit/result/v1``)."""
    return {
        "schema": RESULT_SCHEMA,
        "policy": policy_json(run.policy),
        "as_of": run.result.as_of.isoformat(),
        "inputs": {
            "evidence": run.evidence_path,
            "evidence_format": run.evidence_format,
            "learners": run.learners_path,
        },
        "counts": run.counts(),
        "learners": [_learner_json(learner) for learner in run.result.learners],
        "rejections": [_rejection_json(rejection) for rejection in run.rejections],
    }


def jsonl_lines(run: Run) -> Iterator[str]:
    """The lines of ``--format jsonl``: learners, then rejections, then the summary."""
    lines = _JsonLines(run.result.as_of)
    for learner in run.result.learners:
        yield lines.learner(learner)
    for rejection in run.rejections:
        yield lines.rejection(rejection)
    yield lines.summary(run.policy, run.counts())


class _JsonLines:
    """The lines of ``--format jsonl``, one at a time (each without its line break)."""

    def __init__(self, as_of: dt.date) -> None:
        self.head = {"schema": RESULT_SCHEMA, "as_of": as_of.isoformat()}

    def learner(self, learner: LearnerResult) -> str:
        return json.dumps(
            {"type": "learner", **self.head, **_learner_json(learner)}, ensure_ascii=False
        )

    def rejection(self, rejection: Rejection) -> str:
        return json.dumps(
            {"type": "rejection", **self.head, **_rejection_json(rejection)}, ensure_ascii=False
        )

    def summary(self, policy: Policy, counts: dict[str, int]) -> str:
        return json.dumps(
            {"type": "summary", **self.head, "policy": policy_json(policy), "counts": counts},
            ensure_ascii=False,
        )


def _held(held: bool) -> str:
    return "met" if held else "not_met"


def csv_rows(run: Run) -> Iterator[tuple[str, ...]]:
    """The data rows of ``--format csv`` (without the header)."""
    for learner in run.result.learners:
        yield from _csv_learner_rows(learner)
    for rejection in run.rejections:
        yield _csv_rejection_row(rejection)


def _csv_learner_rows(learner: LearnerResult) -> Iterator[tuple[str, ...]]:
    """The ``--format csv`` rows of one learner."""
    who = learner.learner.id
    for code, competency in learner.competencies.items():
        yield (
            who,
            "competency",
            code,
            competency.status.value,
            format_decimal(competency.score) if competency.score is not None else "",
            competency.level or "",
            f"{len(competency.used)} counted, {len(competency.unused)} not counted",
        )
    for decision in learner.decisions():
        detail = ", ".join(f'pathway "{p}"' for p in decision.pathways)
        yield (who, decision.kind, decision.name, _held(decision.held), "", "", detail)
    if learner.pace is not None:
        pace = learner.pace
        projected = pace.projected.isoformat() if pace.projected else ""
        yield (who, "pace", "pace", pace.status.value, "", "", projected or pace.reason)


def _csv_rejection_row(rejection: Rejection) -> tuple[str, ...]:
    """The ``--format csv`` row of a record that could not be used."""
    piece = rejection.evidence
    return (
        piece.learner if piece else "",
        "rejection",
        piece.competency if piece else "",
        rejection.code,
        format_decimal(piece.score) if piece else "",
        "",
        f"{rejection.origin}: {rejection.reason}",
    )


def _learner_summary(learner: LearnerResult) -> tuple[str, str, str, str, str]:
    from masterykit.engine import Status

    results = list(learner.competencies.values())
    proficient = sum(1 for r in results if r.status is Status.PROFICIENT)
    insufficient = sum(1 for r in results if r.status is Status.INSUFFICIENT)
    requirements = list(learner.requirements.values())
    met = sum(1 for r in requirements if r.held)
    if learner.graduation is None:
        graduation = "-"
    elif learner.graduation.held:
        graduation = "yes"
        if learner.graduation.pathways:
            graduation += " (" + ", ".join(learner.graduation.pathways) + ")"
    else:
        graduation = "not yet"
    pace = learner.pace.status.value.replace("_", " ") if learner.pace is not None else "-"
    return (
        f"{proficient}/{len(results)}",
        str(insufficient),
        f"{met}/{len(requirements)}" if requirements else "-",
        graduation,
        pace,
    )


#: The columns of `--format table`.
TABLE_HEADER = ("learner", "proficient", "insufficient", "requirements", "graduation", "pace")


def table_rows(result: EvaluationResult) -> list[tuple[str, ...]]:
    """One row per learner: id, proficient/total, insufficient, requirements met, graduation,
    pace."""
    return [(learner.learner.id, *_learner_summary(learner)) for learner in result.learners]


def table_lines(run: Run) -> list[str]:
    """``--format table``: an aligned table, one line per learner, then the counts."""
    rows = [TABLE_HEADER, *table_rows(run.result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_HEADER))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    counts = run.counts()
    lines.append("")
    of_which = f" ({counts['skipped']} of them skipped)" if counts["skipped"] else ""
    lines.append(
        f"{plural(len(run.result.learners), 'learner')} as of {run.result.as_of.isoformat()}; "
        f"evidence: {counts['read']} read, {counts['used']} used, {counts['rejected']} rejected"
        f"{of_which}"
    )
    return lines


def _text(run: Run, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(result_document(run), indent=2, ensure_ascii=False) + "\n"
    if output_format == "jsonl":
        return "".join(line + "\n" for line in jsonl_lines(run))
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(run))
        return buffer.getvalue()
    return "\n".join(table_lines(run)) + "\n"


def write_output(text: str, output: str | None) -> None:
    """Write ``text`` to the file ``output`` (``MK413`` when it cannot be written) or stdout."""
    with open_output(output) as write:
        write(text)


@contextlib.contextmanager
def open_output(output: str | None) -> Iterator[Callable[[str], object]]:
    """A function that writes text to the file ``output`` (``MK413`` when it cannot be
    opened for writing) or, for ``None`` or ``-``, to standard output."""
    if output is None or output == "-":
        yield lambda text: click.echo(text, nl=False)
        return
    try:
        stream = Path(output).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise CliError(
            Diagnostic(
                "MK413",
                f"cannot write `{output}`: {error.strerror or error}",
                help="check that the folder exists and that you may write to it",
            ),
            status=EXIT_PROBLEM,
        ) from None
    with stream:
        yield stream.write


def run_evaluation(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    evidence_format: str | None,
    option_pairs: Sequence[str],
) -> Run:
    """Load, read and evaluate, with progress bars on a terminal for long runs."""
    policy = load_policy(policy_path)
    options = parse_reader_options(option_pairs)
    with progress(None, "reading evidence") as tick:
        inputs = read_inputs(
            evidence_path,
            learners_path,
            evidence_format=evidence_format,
            options=options,
            tick=tick,
            policy=policy,
        )
    day = as_of or dt.date.today()
    total = (
        len(inputs.learners)
        if inputs.learners is not None
        else len({piece.learner for piece in inputs.evidence})
    )
    with progress(total, "evaluating learners") as advance:
        result = evaluate_in_batches(policy, inputs.learners, inputs.evidence, day, advance=advance)
    return Run(
        policy,
        inputs,
        result,
        evidence_path=evidence_path,
        learners_path=learners_path,
        evidence_format=evidence_format,
    )


def stream_evaluation(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    evidence_format: str | None,
    option_pairs: Sequence[str],
    output_format: str,
    output: str | None,
    jobs: int = 1,
) -> tuple[list[Rejection], int]:
    """``--sorted``: evaluate and write each learner as soon as their evidence has been read.

    The evidence and the learners file are sorted by learner id, so the learners come out in
    id order, as :func:`run_evaluation` orders them; only the rejections are kept until the
    end, where they are written, sorted, as in a whole run. With ``jobs`` above one, a CSV
    file is cut into parts evaluated on that many processes (see :mod:`._parallel`), with
    the same output. Returns the rejections and the number of records read.
    """
    from masterykit.cli import _parallel
    from masterykit.engine import evaluate_stream
    from masterykit.readers import read_learners

    policy = load_policy(policy_path)
    options = parse_reader_options(option_pairs)
    # Checks the files are there before any output is written; nothing is read until the
    # records are iterated (not at all when the parts are read by worker processes).
    records = open_evidence(evidence_path, evidence_format, options, policy)
    if learners_path is not None:
        existing_file(learners_path, "learners file")
    day = as_of or dt.date.today()
    tally = Tally()
    with open_output(output) as write, reader_errors():
        if output_format == "csv":
            write(",".join(CSV_COLUMNS) + "\n")
        cut = _parallel.plan(evidence_path, evidence_format, jobs) if jobs > 1 else None
        if cut is not None and cut.split is not None:
            _parallel.run(
                cut.split,
                policy_path=policy_path,
                evidence_path=evidence_path,
                learners_path=learners_path,
                options=options,
                day=day,
                output_format=output_format,
                write=write,
                rejections=tally.rejections,
                counts=tally.counts,
            )
        else:
            if cut is not None:
                click.echo(f"note: evaluating in one process: {cut.reason}", err=True)
            learners = read_learners(learners_path) if learners_path is not None else None
            with progress(None, "evaluating learners") as tick:
                results = evaluate_stream(
                    policy, records, learners=learners, as_of=day, sorted_by_id=True
                )
                write_learners(results, output_format, write, day, tally, tick)
        rejections = sorted(tally.rejections, key=rejection_key)
        lines = _JsonLines(day)
        if output_format == "csv":
            rows = csv.writer(_Sink(write), lineterminator="\n")
            rows.writerows(_csv_rejection_row(rejection) for rejection in rejections)
        else:
            for rejection in rejections:
                write(lines.rejection(rejection) + "\n")
            write(lines.summary(policy, counts_json(tally.counts, rejections)) + "\n")
    return rejections, tally.counts[0]


class Tally:
    """What the results written so far add up to: their rejections and their counts (read,
    used, rejected, counted, not counted)."""

    def __init__(self) -> None:
        self.rejections: list[Rejection] = []
        self.counts = [0, 0, 0, 0, 0]


def write_learners(
    results: Iterable[EvaluationResult],
    output_format: str,
    write: Callable[[str], object],
    day: dt.date,
    tally: Tally,
    tick: Callable[[int], None] | None = None,
) -> None:
    """Write each result's learners as ``jsonl`` lines or ``csv`` rows, adding its rejections
    and counts to ``tally``; ``tick`` is told how many records each result read."""
    rows = csv.writer(_Sink(write), lineterminator="\n")
    lines = _JsonLines(day)
    counts = tally.counts
    for result in results:
        c = result.counts
        counts[0] += c.read
        counts[1] += c.used
        counts[2] += c.rejected
        counts[3] += c.counted
        counts[4] += c.not_counted
        tally.rejections.extend(result.rejections)
        for learner in result.learners:
            if output_format == "csv":
                rows.writerows(_csv_learner_rows(learner))
            else:
                write(lines.learner(learner) + "\n")
        if tick is not None:
            tick(c.read)


class _Sink:
    """A file-like object for :func:`csv.writer` that hands each piece of text on."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write


@click.command("evaluate")
@click.argument("policy_path", metavar="POLICY")
@click.option(
    "--evidence",
    "evidence_path",
    required=True,
    metavar="FILE",
    help="The evidence: a CSV, JSON Lines or xAPI file (`-` for standard input), or a "
    "OneRoster folder.",
)
@click.option(
    "--learners",
    "learners_path",
    metavar="FILE",
    help="Learners and their attributes (CSV or JSON Lines with an `id` column). Without it, "
    "the learners are those the evidence names.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DateType(),
    metavar="DATE",
    help="Evaluate as of this date (YYYY-MM-DD); evidence after it is ignored. Default: today.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "jsonl", "csv", "table"]),
    default="json",
    show_default=True,
    help="`json` (schema `masterykit/result/v1`), `jsonl`, `csv` or `table`.",
)
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    help="Write the result to FILE instead of standard output.",
)
@click.option(
    "--evidence-format",
    "evidence_format",
    metavar="NAME",
    help="The evidence reader (`csv`, `jsonl`, `xapi`, `oneroster` or a plugin's); by default "
    "chosen by the file name.",
)
@click.option(
    "--evidence-option",
    "option_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An option for the evidence reader (repeatable); JSON values are allowed, such as "
    '`competencies={"q1": "MATH.1"}`.',
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when any evidence record is rejected (the result is still written).",
)
@click.option(
    "--sorted",
    "sorted_by_id",
    is_flag=True,
    help="The evidence (and the learners file) are sorted by learner id: write each learner "
    "as soon as their evidence has been read, so memory stays flat for files of any size. "
    "Needs `--format jsonl` or `--format csv`; the output is the same as without it.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="With `--sorted` and a CSV evidence file: cut the file at learner boundaries and "
    "evaluate the parts on N processes (one per core is best); the output is the same.",
)
@debug_option
def evaluate_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    output_format: str,
    output: str | None,
    evidence_format: str | None,
    option_pairs: tuple[str, ...],
    strict: bool,
    sorted_by_id: bool,
    jobs: int,
) -> int:
    """Evaluate a policy for every learner.

    Prints each learner's competencies, requirements, advancements, graduation and pace
    with their reasons, every evidence record that could not be used (with the file and
    line it came from), and counts that reconcile: read = used + rejected.
    Exit status: 0 done, 1 policy or data problems (or rejected evidence with `--strict`),
    2 usage error.
    """
    if jobs > 1 and not sorted_by_id:
        raise CliError(
            Diagnostic(
                "MK418",
                "`--jobs` cuts a sorted export into parts, so it needs `--sorted`",
                help="sort the evidence by learner id and add `--sorted`, or leave out `--jobs`",
            )
        )
    if sorted_by_id:
        if output_format not in ("jsonl", "csv"):
            raise CliError(
                Diagnostic(
                    "MK411",
                    f"`--sorted` writes learners as it goes, which `--format {output_format}` "
                    "cannot do",
                    help="use `--format jsonl` or `--format csv` with `--sorted`",
                )
            )
        rejections, read = stream_evaluation(
            policy_path,
            evidence_path,
            learners_path,
            as_of,
            evidence_format,
            option_pairs,
            output_format,
            output,
            jobs,
        )
    else:
        run = run_evaluation(
            policy_path, evidence_path, learners_path, as_of, evidence_format, option_pairs
        )
        write_output(_text(run, output_format), output)
        rejections, read = list(run.rejections), run.inputs.read
    if rejections and output_format == "table":
        echo_rejections(rejections)
    elif len(rejections) > skipped(rejections):
        problems = len(rejections) - skipped(rejections)
        click.echo(
            f"note: {problems} of {plural(read, 'evidence record')} could not be "
            "used; each is listed under `rejections` with its file and line",
            err=True,
        )
    if strict and len(rejections) > skipped(rejections):
        problems = len(rejections) - skipped(rejections)
        raise CliError(
            Diagnostic(
                "MK412",
                f"{plural(problems, 'evidence record')} could not be used (`--strict`)",
                help="the rejections are listed in the output with the file and line of each",
            ),
            status=EXIT_PROBLEM,
        )
    return EXIT_OK
