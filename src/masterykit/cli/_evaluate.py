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

The work is done by :mod:`masterykit.batch`; this module reads the options, calls it and
prints. An output file is written whole or not at all, never over an input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

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
    load_target,
    open_evidence,
    parse_reader_options,
    progress,
    read_inputs,
    reader_errors,
    reader_policy,
)
from masterykit.diagnostics import Diagnostic
from masterykit.evidence import Rejection

if TYPE_CHECKING:
    from masterykit.batch import OutputFormat, Report, Routing
    from masterykit.district import District
    from masterykit.policy import Policy

__all__ = [
    "check_output",
    "check_parquet_output",
    "echo_routing",
    "echo_text",
    "evaluate_command",
    "grouped_evaluation",
    "inputs_of",
    "open_output",
    "run_evaluation",
    "stream_evaluation",
    "write_output",
]


def echo_text(text: str) -> None:
    """Write ``text`` to standard output as it is (escape codes in data are neither stripped
    nor added, so the output is the same as with ``-o``); ``MK413`` when standard output
    cannot be written, ``MK420`` when it was closed early (a pipe whose reader stopped)."""
    from masterykit.batch import closed_output, output_error
    from masterykit.cli._app import silence_stdout

    try:
        click.echo(text, nl=False, color=True)
    except BrokenPipeError:
        silence_stdout()
        raise closed_output() from None
    except OSError as error:
        raise output_error("standard output", error) from None


def check_output(output: str | None, inputs: Sequence[str | None]) -> None:
    """Refuse, as a usage error (``MK419``), an output file that is one of ``inputs``."""
    from masterykit.batch import OutputError, check_not_input

    if output is None or output == "-":
        return
    try:
        check_not_input(output, inputs)
    except OutputError as error:
        raise CliError(error.diagnostics) from None


def write_output(text: str, output: str | None, *, parquet: bool = False) -> None:
    """Write ``text`` to the file ``output`` (``MK413`` when it cannot be written) or stdout;
    with ``parquet``, ``text`` is CSV output written as a Parquet file."""
    with open_output(output, parquet=parquet) as write:
        write(text)


@contextlib.contextmanager
def open_output(output: str | None, *, parquet: bool = False) -> Iterator[Callable[[str], object]]:
    """A function that writes text to the file ``output``, which appears whole when the block
    ends (:func:`masterykit.batch.open_output`), or, for ``None`` or ``-``, to standard
    output. With ``parquet``, the text is CSV output, written to the file as Parquet
    (:class:`masterykit.batch.ParquetText`)."""
    from masterykit.batch import ParquetText, open_binary_output
    from masterykit.batch import open_output as open_file

    if parquet:
        assert output is not None
        with open_binary_output(output) as stream:
            sink = ParquetText(stream)
            try:
                yield sink
            except BaseException:
                sink.abandon()
                raise
            sink.close()
        return
    if output is None or output == "-":
        yield echo_text
        return
    with open_file(output) as write:
        yield write


def inputs_of(policy: Policy | District, *paths: str | None) -> list[str | None]:
    """The files a run reads: the policy with its layers (or the district file and every
    policy it routes to, with theirs), and ``paths``."""
    from masterykit.district import District

    if isinstance(policy, District):
        files: list[str | None] = [policy.file]
        for routed in (policy.base, *policy.policies):
            files += inputs_of(routed)
        return [*files, *paths]
    return [policy.file, *(layer.file for layer in policy.layers), *paths]


def echo_routing(routing: Routing) -> None:
    """Say on standard error how many learners each policy of a district run evaluated, and
    how many no policy evaluated."""
    from masterykit.batch import visible

    click.echo(visible(f"note: learners by policy: {routing.describe()}"), err=True)


def run_evaluation(
    policy: Policy | District,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    evidence_format: str | None,
    option_pairs: Sequence[str],
) -> Report:
    """Read and evaluate, with progress bars on a terminal for long runs."""
    from masterykit.batch import Report, evaluate_in_batches

    options = parse_reader_options(option_pairs)
    with progress(None, "reading evidence") as tick:
        inputs = read_inputs(
            evidence_path,
            learners_path,
            evidence_format=evidence_format,
            options=options,
            tick=tick,
            policy=reader_policy(policy),
        )
    day = as_of or dt.date.today()
    total = (
        len(inputs.learners)
        if inputs.learners is not None
        else len({piece.learner for piece in inputs.evidence})
    )
    with progress(total, "evaluating learners") as advance:
        result = evaluate_in_batches(policy, inputs.learners, inputs.evidence, day, advance=advance)
    return Report(
        policy,
        result,
        inputs.rejections,
        inputs.read,
        evidence_path=evidence_path,
        evidence_format=evidence_format,
        learners_path=learners_path,
    )


def stream_evaluation(
    policy: Policy | District,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    evidence_format: str | None,
    option_pairs: Sequence[str],
    output_format: Literal["jsonl", "csv"],
    output: str | None,
    jobs: int = 1,
    guard: bool = True,
    parquet: bool = False,
) -> tuple[list[Rejection], int, Routing]:
    """``--sorted``: evaluate and write each learner as soon as their evidence has been read
    (:func:`masterykit.batch.evaluate_sorted`), with ``jobs`` above one on the file's parts
    when its reader can cut it (:func:`masterykit.batch.plan_parts`). Returns the rejections,
    the number of records read and how many learners each policy evaluated."""
    from masterykit.batch import evaluate_sorted, plan_parts
    from masterykit.cli._inputs import _registry

    options = parse_reader_options(option_pairs)
    # Checks the files are there before any output is written; nothing is read until the
    # records are iterated (not at all when the parts are read by worker processes).
    records = open_evidence(evidence_path, evidence_format, options, reader_policy(policy))
    if learners_path is not None:
        existing_file(learners_path, "learners file")
    with reader_errors():
        plan = None
        if jobs > 1:
            registry = _registry()
            plan = plan_parts(
                evidence_path,
                jobs,
                format=evidence_format,
                options=options,
                policy=reader_policy(policy),
                registry=registry if registry.readers else None,
            )
            if plan.parts is None:
                click.echo(f"note: evaluating in one process: {plan.reason}", err=True)
        parts = plan if plan is not None and plan.parts is not None else None
        bar = progress(None, "evaluating learners") if parts is None else contextlib.nullcontext()
        with open_output(output, parquet=parquet) as write, bar as tick:
            tally = evaluate_sorted(
                policy,
                parts or records,
                output_format=output_format,
                write=write,
                learners=learners_path,
                as_of=as_of,
                guard=guard,
                tick=tick,
            )
    return tally.rejections, tally.read, tally.routing


def grouped_evaluation(
    policy: Policy,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    evidence_format: str | None,
    option_pairs: Sequence[str],
    output_format: Literal["jsonl", "csv"],
    output: str | None,
    guard: bool = True,
    parquet: bool = False,
) -> tuple[list[Rejection], int] | None:
    """Without ``--sorted``, a CSV or Parquet export in any order grouped by learner out of
    core (:func:`masterykit.batch.evaluate_grouped`), with the output of the in-memory run;
    ``None`` (nothing read or written) when it cannot be (see
    :func:`masterykit.batch.grouping_reader`). Returns the rejections and the records read."""
    from masterykit.batch import evaluate_grouped, grouping_reader
    from masterykit.cli._inputs import _registry
    from masterykit.readers import read_learners

    options = parse_reader_options(option_pairs)
    open_evidence(evidence_path, evidence_format, options, policy)  # the files are there
    learners = None
    if learners_path is not None:
        learners = read_learners(existing_file(learners_path, "learners file"))
    registry = _registry()
    with reader_errors():
        registry_given = registry if registry.readers else None
        if grouping_reader(evidence_path, evidence_format, registry_given, learners) is None:
            return None
        with open_output(output, parquet=parquet) as write:
            tally = evaluate_grouped(
                policy,
                evidence_path,
                output_format=output_format,
                write=write,
                format=evidence_format,
                options=options,
                registry=registry_given,
                learners=learners,
                as_of=as_of,
                guard=guard,
            )
    return tally.rejections, tally.read


def check_parquet_output(output: str | None) -> None:
    """Refuse Parquet output to standard output (``MK421``) or without pyarrow (``MK422``)."""
    if output is None or output == "-":
        raise CliError(
            Diagnostic(
                "MK421",
                "`--format parquet` writes a file, not standard output",
                help="name the file with `-o`, such as `-o results.parquet`",
            )
        )
    from masterykit.readers import columnar

    if not columnar.available():
        raise CliError(
            Diagnostic(
                "MK422",
                "writing Parquet needs pyarrow, which is not installed",
                help="install the `arrow` extra: pip install 'masterykit[arrow]'",
            )
        )


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
    type=click.Choice(["json", "jsonl", "csv", "table", "parquet"]),
    default=None,
    help="`json` (schema `masterykit/result/v1`), `jsonl`, `csv`, `table` or `parquet` (the "
    "CSV rows as a Parquet file, written with `-o`). Default: `parquet` for an output file "
    "ending in `.parquet`, else `json`.",
)
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    help="Write the result to FILE instead of standard output. FILE appears only when the "
    "result is complete (a failed run leaves the previous one), and may not be an input.",
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
@click.option(
    "--no-csv-guard",
    "no_csv_guard",
    is_flag=True,
    help="Write CSV cells as they are. By default a cell that begins with `=`, `+`, `-`, `@`, "
    "a tab or a carriage return (other than a score) gets a `'` in front, so that a "
    "spreadsheet does not run it as a formula.",
)
@debug_option
def evaluate_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date | None,
    output_format: str | None,
    output: str | None,
    evidence_format: str | None,
    option_pairs: tuple[str, ...],
    strict: bool,
    sorted_by_id: bool,
    jobs: int,
    no_csv_guard: bool,
) -> int:
    """Evaluate a policy (or a district file) for every learner.

    POLICY may be a district file: each learner is then evaluated under the policy their
    route names, and the output says which. Prints each learner's competencies,
    requirements, advancements, graduation and pace with their reasons, every evidence
    record that could not be used (with the file and line it came from), and counts that
    reconcile: read = used + rejected.
    Exit status: 0 done, 1 policy or data problems (or rejected evidence with `--strict`),
    2 usage error.
    """
    from masterykit.batch import skipped
    from masterykit.district import District

    if output_format is None:
        parquet_file = output is not None and output.lower().endswith(".parquet")
        output_format = "parquet" if parquet_file else "json"
    parquet = output_format == "parquet"
    if parquet:
        check_parquet_output(output)
    if jobs > 1 and not sorted_by_id:
        raise CliError(
            Diagnostic(
                "MK418",
                "`--jobs` cuts a sorted export into parts, so it needs `--sorted`",
                help="sort the evidence by learner id and add `--sorted`, or leave out `--jobs`",
            )
        )
    if sorted_by_id and output_format not in ("jsonl", "csv", "parquet"):
        raise CliError(
            Diagnostic(
                "MK411",
                f"`--sorted` writes learners as it goes, which `--format {output_format}` "
                "cannot do",
                help="use `--format jsonl` or `--format csv` with `--sorted`",
            )
        )
    check_output(output, [policy_path, evidence_path, learners_path])
    policy = load_target(policy_path)
    check_output(output, inputs_of(policy, evidence_path, learners_path))
    # Parquet output is the CSV output's rows, written as Parquet (no formula guard).
    fmt: OutputFormat = "csv" if parquet else output_format  # type: ignore[assignment]
    guard = not no_csv_guard and not parquet
    grouped: tuple[list[Rejection], int] | None = None
    routing: Routing | None = None
    if sorted_by_id:
        rejections, read, routing = stream_evaluation(
            policy,
            evidence_path,
            learners_path,
            as_of,
            evidence_format,
            option_pairs,
            "csv" if fmt == "csv" else "jsonl",
            output,
            jobs,
            guard=guard,
            parquet=parquet,
        )
    elif fmt in ("jsonl", "csv") and not isinstance(policy, District):
        # An export in any order, grouped by learner out of core when it can be.
        grouped = grouped_evaluation(
            policy,
            evidence_path,
            learners_path,
            as_of,
            evidence_format,
            option_pairs,
            "csv" if fmt == "csv" else "jsonl",
            output,
            guard=guard,
            parquet=parquet,
        )
    if sorted_by_id:
        pass
    elif grouped is not None:
        rejections, read = grouped
        routing = None
    else:
        from masterykit.batch import Routing, render

        report = run_evaluation(
            policy, evidence_path, learners_path, as_of, evidence_format, option_pairs
        )
        write_output(render(report, fmt, guard=guard), output, parquet=parquet)
        rejections, read = list(report.rejections), report.records_read
        routing = Routing.of(report.result.learners)
    if isinstance(policy, District) and output_format != "table" and routing is not None:
        echo_routing(routing)
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
