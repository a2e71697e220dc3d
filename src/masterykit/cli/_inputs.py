"""Reading what ``evaluate``, ``explain`` and ``demo`` run on: a policy, evidence and learners.

Evidence is read by the readers of :mod:`masterykit.readers` (built-in and plugin ones); a long
run shows a progress bar on a terminal while :mod:`masterykit.batch` evaluates it.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from masterykit.cli._common import EXIT_PROBLEM, CliError, existing_file
from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.district import District
from masterykit.evidence import Evidence, Learner, Rejection
from masterykit.policy import Policy
from masterykit.registry import Registry

if TYPE_CHECKING:
    pass

__all__ = [
    "PROGRESS_THRESHOLD",
    "Inputs",
    "echo_rejections",
    "load_policy",
    "load_target",
    "no_learner",
    "open_evidence",
    "parse_reader_options",
    "progress",
    "read_inputs",
    "reader_errors",
    "reader_policy",
]

# Reader errors that come from a command-line flag (`--evidence-format`, `--evidence-option`)
# or a file name no reader claims.
_FLAG_CODES = frozenset({"MK301", "MK302"})

#: Show a progress bar only for runs with at least this many learners (two of the batches of
#: :func:`masterykit.batch.evaluate_in_batches`, where the bar moves once per batch).
PROGRESS_THRESHOLD = 200


def _registry() -> Registry:
    from masterykit.loader import default_registry

    return default_registry()


def load_policy(path: str, registry: Registry | None = None) -> Policy:
    """Check and load the policy at ``path`` (a usage error when the file is missing).

    Raises:
        CliError: ``MK404``/``MK405``/``MK406`` when ``path`` is not a readable file.
        MasteryError: the policy's own syntax or check errors (exit status 1).
    """
    from masterykit.loader import load

    return load(existing_file(path, "policy file"), registry=registry or _registry())


def load_target(path: str, registry: Registry | None = None) -> Policy | District:
    """Check and load the policy or district file at ``path``, whichever it is (a district
    file with every policy it routes to).

    Raises:
        CliError: ``MK404``/``MK405``/``MK406`` when ``path`` is not a readable file.
        MasteryError: the file's own syntax or check errors (exit status 1).
    """
    from masterykit.loader import load_any

    return load_any(existing_file(path, "policy file"), registry=registry or _registry())


def reader_policy(target: Policy | District) -> Policy:
    """The policy whose scales the evidence readers map scores onto: the policy itself, or a
    district's base policy, which every routed policy extends."""
    return target.base if isinstance(target, District) else target


def parse_reader_options(pairs: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` pairs as reader options; a value that reads as JSON is taken as JSON.

    >>> parse_reader_options(["kind=quiz", 'scale=["0", "100"]'])
    {'kind': 'quiz', 'scale': ['0', '100']}
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise CliError(
                Diagnostic(
                    "MK417",
                    f"evidence option `{pair}` is not `KEY=VALUE`",
                    help="write it like `--evidence-option kind=quiz` or `--evidence-option "
                    '\'competencies={"q1": "MATH.1"}\'`',
                )
            )
        try:
            options[key.strip()] = json.loads(value)
        except (ValueError, RecursionError):  # not JSON, or JSON too deep or too long to read
            options[key.strip()] = value
    return options


@attrs.frozen(slots=True)
class Inputs:
    """The evidence read (with the reader's rejections), and the learners to evaluate
    (``None``: every learner the evidence names)."""

    evidence: tuple[Evidence, ...]
    rejections: tuple[Rejection, ...]
    learners: tuple[Learner, ...] | None
    read: int


def read_inputs(
    evidence_path: str,
    learners_path: str | None,
    *,
    evidence_format: str | None = None,
    options: Mapping[str, Any] | None = None,
    tick: Callable[[int], None] | None = None,
    policy: Policy | None = None,
) -> Inputs:
    """Read the evidence file (``-`` is standard input) and the learners file, if any.

    With ``policy``, the built-in readers map scores onto its competencies' scales.

    ``tick`` is called with 1,000 after every 1,000 records read.

    Raises:
        CliError: a file named on the command line does not exist (exit status 2).
        EvidenceError: a file cannot be read or has no reader (exit status 1).
    """
    from masterykit.readers import read_learners

    records = open_evidence(evidence_path, evidence_format, options, policy)
    learners: tuple[Learner, ...] | None = None
    if learners_path is not None:
        learners = read_learners(existing_file(learners_path, "learners file"))
    evidence: list[Evidence] = []
    rejections: list[Rejection] = []
    read = 0
    with reader_errors():
        for record in records:
            read += 1
            if isinstance(record, Evidence):
                evidence.append(record)
            else:
                rejections.append(record)
            if tick is not None and read % 1000 == 0:
                tick(1000)
    return Inputs(tuple(evidence), tuple(rejections), learners, read)


def open_evidence(
    evidence_path: str,
    evidence_format: str | None,
    options: Mapping[str, Any] | None,
    policy: Policy | None,
) -> Iterator[Evidence | Rejection]:
    """Start reading the evidence file (``-`` is standard input), lazily; read it inside
    :func:`reader_errors`.

    Raises:
        CliError: standard input without a format, or a file that does not exist (exit 2).
    """
    if evidence_path == "-" and evidence_format is None:
        raise CliError(
            Diagnostic(
                "MK402",
                "reading evidence from standard input needs `--evidence-format NAME`",
                help="name the format, such as `--evidence - --evidence-format csv`",
            )
        )
    from masterykit.readers import BUILTIN_READERS, read_evidence

    registry = _registry()
    readers = registry.readers or {spec.name: spec for spec in BUILTIN_READERS}
    folder = Path(evidence_path).is_dir() and (
        any(spec.folders for spec in readers.values())
        if evidence_format is None
        else getattr(readers.get(evidence_format), "folders", False)
    )
    if evidence_path != "-" and not folder:
        existing_file(evidence_path, "evidence file")

    def records() -> Iterator[Evidence | Rejection]:
        yield from read_evidence(
            evidence_path,
            format=evidence_format,
            options=dict(options or {}),
            registry=registry if registry.readers else None,
            policy=policy,
        )

    return records()


@contextlib.contextmanager
def reader_errors() -> Iterator[None]:
    """Turn a reader's complaint about a flag the user typed (an unknown format name, a wrong
    reader option) into a usage error (exit 2); other reading errors pass through (exit 1)."""
    try:
        yield
    except EvidenceError as error:
        if all(d.code in _FLAG_CODES for d in error.diagnostics):
            raise CliError(error.diagnostics, sources=error.sources) from None
        raise


@contextlib.contextmanager
def progress(total: int | None, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error while the block runs, when standard error is a terminal
    and the run is long (``total`` ≥ :data:`PROGRESS_THRESHOLD`); otherwise nothing.

    ``total=None`` shows a counter without an end (reading a file of unknown length). The
    yielded function advances the bar by its argument.
    """
    from masterykit.cli._common import use_colour

    stream = sys.stderr
    long_run = total is None or total >= PROGRESS_THRESHOLD
    if not long_run or not getattr(stream, "isatty", lambda: False)():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

    console = Console(file=stream, no_color=not use_colour(stream))
    columns = (
        (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        if total is not None
        else (SpinnerColumn(), TextColumn("{task.description}: {task.completed:,} records"))
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(count: int) -> None:
            bar.advance(task, count)

        yield advance


def no_learner(learner_id: str, known: Sequence[str], file: str, what: str) -> CliError:
    """``MK409``: ``--learner`` names nobody in ``file`` (``what`` says which kind of file)."""
    import difflib

    close = difflib.get_close_matches(learner_id, list(known), n=1)
    help = f"did you mean `{close[0]}`?" if close else f"check the id against the {what}"
    return CliError(
        Diagnostic("MK409", f"learner `{learner_id}` is not in the {what} `{file}`", help=help),
        status=EXIT_PROBLEM,
    )


def echo_rejections(rejections: Sequence[Rejection], limit: int = 20) -> None:
    """List rejected records on standard error (the first ``limit``), with where they came from.

    Records with nothing to use that are not mistakes (such as a result not yet graded) are
    listed as ``skipped``.
    """
    from masterykit.batch import visible
    from masterykit.readers import SKIP_CODES

    for rejection in rejections[:limit]:
        verb = "skipped" if rejection.code in SKIP_CODES else "rejected"
        line = f"{verb} {rejection.origin}: {rejection.reason} [{rejection.code}]"
        click.echo(visible(line), err=True)
    if len(rejections) > limit:
        click.echo(f"… and {len(rejections) - limit} more (all are in the JSON output)", err=True)
