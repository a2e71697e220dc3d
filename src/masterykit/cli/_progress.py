"""``masterykit progress POLICY --evidence FILE``: progress reports for families, one page each.

One learner (``--learner ID``) is written to standard output, or into ``--out DIR``; a class or a
school (several ``--learner`` options, or every learner) needs ``--out DIR`` and gets one file
per learner, ``<id>.html``. Pages are in English or Spanish (``--lang``). Needs the optional
``reports`` extra (``MK700`` says so when it is missing).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import click

from masterykit.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    CliError,
    DateType,
    debug_option,
)
from masterykit.diagnostics import Diagnostic

if TYPE_CHECKING:
    from masterykit.evidence import Evidence, Learner

__all__ = ["page_file_name", "progress_command"]


def page_file_name(learner_id: str) -> str:
    """The file of a learner's page: the id with every character but letters, digits, ``-``,
    ``_`` and ``.`` percent-encoded, so that two ids never share a file and none leaves the
    folder (``a/b`` → ``a%2Fb.html``)."""
    return quote(learner_id, safe="-_.") + ".html"


def _out_folder(out: str) -> Path:
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise CliError(
            Diagnostic(
                "MK722",
                f"`{out}` is a file; progress reports are written into a folder",
                help="give `--out` a folder (it is created when missing)",
            ),
            status=EXIT_USAGE,
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(
            Diagnostic(
                "MK723",
                f"cannot write progress reports into `{out}`: {error.strerror or error}",
                help="choose a folder you can write to",
            ),
            status=EXIT_PROBLEM,
        ) from None
    return path


def _roster(
    learners: tuple[Learner, ...] | None,
    evidence: list[Evidence],
    wanted: tuple[str, ...],
    evidence_path: str,
    learners_path: str | None,
) -> list[Learner]:
    from masterykit.cli._inputs import no_learner
    from masterykit.evidence import Learner

    roster = (
        list(learners)
        if learners is not None
        else [Learner(i) for i in sorted({piece.learner for piece in evidence})]
    )
    if not wanted:
        return roster
    by_id = {learner.id: learner for learner in roster}
    chosen: list[Learner] = []
    for learner_id in dict.fromkeys(wanted):
        if learner_id not in by_id:
            if learners_path is not None:
                raise no_learner(learner_id, list(by_id), learners_path, "learners file")
            raise no_learner(learner_id, list(by_id), evidence_path, "evidence file")
        chosen.append(by_id[learner_id])
    return chosen


@click.command("progress")
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
    help="Learners and their attributes (graduation dates, IEPs, a `name` to show).",
)
@click.option(
    "--learner",
    "learner_ids",
    multiple=True,
    metavar="ID",
    help="A learner to report on (repeatable). Default: every learner.",
)
@click.option(
    "--as-of",
    "as_of",
    type=DateType(),
    metavar="DATE",
    help="Report as of this date (YYYY-MM-DD). Default: today.",
)
@click.option(
    "--lang",
    "language",
    default="en",
    show_default=True,
    metavar="LANG",
    help="The language of the pages: `en` or `es`.",
)
@click.option(
    "--out",
    "out",
    metavar="DIR",
    help="Write one page per learner into DIR (`<id>.html`). Needed for more than one learner; "
    "without it one learner's page goes to standard output.",
)
@click.option(
    "--evidence-format",
    "evidence_format",
    metavar="NAME",
    help="The evidence reader; by default chosen by the file name.",
)
@debug_option
def progress_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    learner_ids: tuple[str, ...],
    as_of: dt.date | None,
    language: str,
    out: str | None,
    evidence_format: str | None,
) -> int:
    """Write progress reports for families: one printable HTML page per learner.

    Each page shows every area with its competencies and levels, a timeline of the work on
    each competency, what is next, habits of work apart from academics, and pace toward the
    class's graduation date and any extended date. Needs the `reports` extra:
    pip install 'masterykit[reports]'. Exit status: 0 done, 1 policy or data problems,
    2 usage error or the extra missing.
    """
    from masterykit.reports._extra import missing_extra

    problem = missing_extra("`masterykit progress`")
    if problem is not None:
        raise CliError(problem, status=EXIT_USAGE)
    from masterykit.cli._inputs import load_policy, read_inputs
    from masterykit.engine import evaluate
    from masterykit.reports._locale import LANGUAGES, unknown_language
    from masterykit.reports._progress import progress_html, progress_names

    if language not in LANGUAGES:
        raise CliError(unknown_language(language), status=EXIT_USAGE)
    policy = load_policy(policy_path)
    inputs = read_inputs(
        evidence_path, learners_path, evidence_format=evidence_format, policy=policy
    )
    roster = _roster(
        inputs.learners, list(inputs.evidence), learner_ids, evidence_path, learners_path
    )
    if out is None and len(roster) != 1:
        raise CliError(
            Diagnostic(
                "MK721",
                f"{len(roster)} learners' progress reports need `--out DIR`, one file each",
                help="give a folder with `--out`, or one learner with `--learner ID`",
            ),
            status=EXIT_USAGE,
        )
    folder = _out_folder(out) if out is not None else None
    day = as_of or dt.date.today()
    names = progress_names(policy, language)
    wanted = {learner.id for learner in roster}
    evidence = [piece for piece in inputs.evidence if piece.learner in wanted]
    results = evaluate(policy, roster, evidence, as_of=day).learners
    for result in results:
        page = progress_html(policy, result, day, language=language, names=names)
        if folder is None:
            click.echo(page, nl=False)
            continue
        target = folder / page_file_name(result.learner.id)
        try:
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(page)
        except OSError as error:
            raise CliError(
                Diagnostic(
                    "MK723",
                    f"cannot write progress reports into `{out}`: {error.strerror or error}",
                    help="choose a folder you can write to",
                ),
                status=EXIT_PROBLEM,
            ) from None
    if folder is not None:
        click.echo(f"wrote {len(results)} progress reports into {os.fspath(folder)}", err=True)
    return EXIT_OK
