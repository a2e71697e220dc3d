"""``masterykit explain POLICY --evidence FILE --learner ID``: why one learner got their results.

The text is the engine's explanation tree (which evidence counted, which rule from which file
decided, which clause failed and by how much) under a heading, followed by the learner's next
steps, in words a teacher or a family can read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from typing import TYPE_CHECKING, Any

import click

from masterykit.cli._common import EXIT_OK, EXIT_PROBLEM, CliError, DateType, debug_option
from masterykit.cli._inputs import (
    load_target,
    no_learner,
    parse_reader_options,
    read_inputs,
    reader_policy,
)
from masterykit.diagnostics import Diagnostic
from masterykit.evidence import Learner
from masterykit.policy import Policy

if TYPE_CHECKING:
    from masterykit.engine import Audience, Explanation, LearnerResult, NextStep
    from masterykit.policy import Policy

__all__ = ["EXPLAIN_SCHEMA", "explain_command", "explanation_json", "next_steps"]

#: The ``schema`` value of ``masterykit explain --format json`` output.
EXPLAIN_SCHEMA = "masterykit/explain/v1"


def next_steps(result: LearnerResult, competency: str | None = None) -> list[NextStep]:
    """What the learner still needs, without repeats.

    For one competency: what it is missing. Otherwise: what graduation still needs, or when
    the policy has no graduation rule (or it is met), what every unmet decision needs.
    """
    from masterykit.engine.steps import continuum_order_steps, learner_steps

    if competency is not None:
        steps = list(result.competencies[competency].missing)
    elif result.graduation is not None and not result.graduation.held:
        # In the order of the learning continuum: prerequisites first, nearest first.
        steps = list(continuum_order_steps(result.graduation.next_steps, result.competencies))
    else:
        steps = list(learner_steps(result))
    unique: dict[tuple[str, str | None], NextStep] = {}
    for step in steps:
        unique.setdefault((step.text, step.option), step)
    return list(unique.values())


def _steps_lines(steps: list[NextStep]) -> list[str]:
    if not steps:
        return ["next steps: none; nothing is missing"]
    lines = ["next steps:"]
    for step in steps:
        option = f" ({step.option})" if step.option else ""
        lines.append(f"  - {step.text}{option}")
    return lines


def _for_audience(
    result: LearnerResult,
    steps: list[NextStep],
    policy: Policy,
    competency: str | None,
    audience: Audience,
) -> str:
    """The text of ``--audience teacher``, ``family`` or ``learner``."""
    from masterykit.engine import (
        Names,
        explain_competency,
        explain_learner,
        render_fact,
        render_learner_plain,
        render_status,
        render_text,
        render_what_counts,
    )

    names = Names.from_policy(policy)
    if audience == "teacher":
        tree = (
            explain_competency(result.competencies[competency], audience)
            if competency is not None
            else explain_learner(result, audience)
        )
        lines = ["next steps:"] if steps else ["next steps: none; nothing is missing"]
        for step in steps:
            option = f" ({step.option})" if step.option else ""
            lines.append(f"  - {render_fact(step.fact, audience, names)}{option}")
        return render_text(tree) + "\n" + "\n".join(lines) + "\n"
    if competency is None:
        return render_learner_plain(result, steps, names, audience)
    comp = result.competencies[competency]
    tr = names.translations
    lines = [
        f"{names.title(competency)}: {render_status(comp, names)}",
        tr.gettext("What counts: {what}.").format(what=render_what_counts(comp, names, audience)),
    ]
    for step in steps:
        lines.append(f"  - {render_fact(step.fact, audience, names)}")
    return "\n".join(lines) + "\n"


def explanation_json(explanation: Explanation) -> dict[str, Any]:
    """An explanation tree as ``{"text": …, "children": […]}``."""
    return {
        "text": explanation.text,
        "children": [explanation_json(child) for child in explanation.children],
    }


def _not_evaluated(learner_id: str, code: str, reason: str) -> CliError:
    """``MK455``: ``--competency`` for a learner no policy of the district evaluated."""
    return CliError(
        Diagnostic(
            "MK455",
            f"learner `{learner_id}` has no result for competency `{code}`: {reason}",
            help="leave out `--competency` to see why the learner is not evaluated",
        ),
        status=EXIT_PROBLEM,
    )


def _unknown_competency(code: str, known: list[str]) -> CliError:
    close = difflib.get_close_matches(code, known, n=1)
    help = f"did you mean `{close[0]}`?" if close else "check the code against the policy"
    return CliError(
        Diagnostic("MK410", f"competency `{code}` is not in the policy", help=help),
        status=EXIT_PROBLEM,
    )


@click.command("explain")
@click.argument("policy_path", metavar="POLICY")
@click.option(
    "--evidence",
    "evidence_path",
    required=True,
    metavar="FILE",
    help="The evidence file (as for `masterykit evaluate`).",
)
@click.option(
    "--learner", "learner_id", required=True, metavar="ID", help="The learner to explain."
)
@click.option("--competency", "competency", metavar="CODE", help="Explain only this competency.")
@click.option(
    "--learners",
    "learners_path",
    metavar="FILE",
    help="Learners and their attributes (for graduation dates, IEPs and the like).",
)
@click.option(
    "--as-of",
    "as_of",
    type=DateType(),
    metavar="DATE",
    help="Explain as of this date (YYYY-MM-DD). Default: today.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`text` for people, `json` (schema `masterykit/explain/v1`).",
)
@click.option(
    "--audience",
    "audience",
    type=click.Choice(["author", "teacher", "family", "learner"]),
    default="author",
    show_default=True,
    help="Who reads the text: `author` (rules, codes, files and lines), `teacher` (the same "
    "with titles and level names), `family` or `learner` (plain language: titles and level "
    "names, no rule syntax). JSON holds the same facts for everyone.",
)
@click.option(
    "--evidence-format",
    "evidence_format",
    metavar="NAME",
    help="The evidence reader; by default chosen by the file name.",
)
@click.option(
    "--evidence-option",
    "option_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="An option for the evidence reader (repeatable).",
)
@debug_option
def explain_command(
    policy_path: str,
    evidence_path: str,
    learner_id: str,
    competency: str | None,
    learners_path: str | None,
    as_of: dt.date | None,
    output_format: str,
    audience: Audience,
    evidence_format: str | None,
    option_pairs: tuple[str, ...],
) -> int:
    """Explain one learner's results and what they still need.

    POLICY may be a district file: the learner is explained under the policy their route
    names, with the route and why it applies (or why no policy evaluates them).

    Shows, for each competency, the evidence that counted and the rules that decided (with
    the file and line that set them), which requirement clauses hold and which do not, the
    pace toward the due date, and the next steps.
    Exit status: 0 done, 1 policy or data problems (or a learner or competency not found),
    2 usage error.
    """
    from masterykit.batch import policy_json, visible
    from masterykit.district import District
    from masterykit.engine import (
        evaluate,
        explain_competency,
        explain_learner,
        render_text,
        route,
        unstructure,
    )

    target = load_target(policy_path)
    inputs = read_inputs(
        evidence_path,
        learners_path,
        evidence_format=evidence_format,
        options=parse_reader_options(option_pairs),
        policy=reader_policy(target),
    )
    district = target if isinstance(target, District) else None
    policy: Policy | None = None
    if district is None:
        policy = reader_policy(target)
        if competency is not None and competency not in policy.competencies:
            raise _unknown_competency(competency, list(policy.competencies))
    evidence = [piece for piece in inputs.evidence if piece.learner == learner_id]
    if inputs.learners is not None:
        found = [learner for learner in inputs.learners if learner.id == learner_id]
        if not found:
            known = [learner.id for learner in inputs.learners]
            raise no_learner(learner_id, known, str(learners_path), "learners file")
        learner = found[0]
    elif evidence:
        learner = Learner(learner_id)
    else:
        known = sorted({piece.learner for piece in inputs.evidence})
        raise no_learner(learner_id, known, evidence_path, "evidence file")
    day = as_of or dt.date.today()
    result = evaluate(target, [learner], evidence, as_of=day).learners[0]
    if district is not None:
        chosen = route(district, learner, day)
        policy = chosen.policy if chosen is not None and chosen.policy is not None else None
        if competency is not None:
            if result.not_evaluated is not None:
                raise _not_evaluated(learner_id, competency, result.not_evaluated.reason)
            assert policy is not None  # INVARIANT: an evaluated learner's route names a policy
            if competency not in policy.competencies:
                raise _unknown_competency(competency, list(policy.competencies))
    if competency is not None:
        tree = explain_competency(result.competencies[competency])
    else:
        tree = explain_learner(result)
    steps = next_steps(result, competency)
    if output_format == "json":
        document = {
            "schema": EXPLAIN_SCHEMA,
            "policy": policy_json(policy if policy is not None else target),
            "as_of": day.isoformat(),
            "learner": learner_id,
            "competency": competency,
            "explanation": explanation_json(tree),
            "next_steps": [unstructure(step) for step in steps],
            "result": unstructure(result),
            "district": policy_json(district) if district is not None else None,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return EXIT_OK
    shown = policy if policy is not None else target
    version = f" {shown.version}" if shown.version else ""
    if audience != "author":
        # A learner no policy evaluates is described with the district's base policy's names.
        named = shown if not isinstance(shown, District) else shown.base
        text = _for_audience(result, steps, named, competency, audience)
        heading = f"{learner_id}: {shown.name}{version}, as of {day.isoformat()}\n\n"
        click.echo("\n".join(visible(line) for line in (heading + text).split("\n")), nl=False)
        return EXIT_OK
    # For people: control characters in data are shown escaped, never sent to the terminal.
    text = (
        f"{learner_id}: {shown.name}{version}, as of {day.isoformat()}\n\n"
        + render_text(tree)
        + "\n"
        + "\n".join(_steps_lines(steps))
        + "\n"
    )
    click.echo("\n".join(visible(line) for line in text.split("\n")), nl=False)
    return EXIT_OK
