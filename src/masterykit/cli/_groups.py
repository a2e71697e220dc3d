"""``masterykit groups`` (learners grouped by next learning target) and ``masterykit continuum``
(one learner's map of the continuum).

``groups`` evaluates a policy for a class or a school (``--where school=north`` picks learners
by attribute) and, for each target, lists who is ready, in progress, needs reteaching and is
ready to extend, each learner with the reason; ``--size 4..8`` splits large groups evenly and
``--mix interest`` spreads an attribute over the parts. Outputs: ``table``, ``json`` (schema
``masterykit/groups/v1``) and ``csv`` (one row per learner and target).

Problems have the codes ``MK470``–``MK479``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import TYPE_CHECKING, Any

import click

from masterykit.cli._common import EXIT_OK, EXIT_PROBLEM, CliError, DateType, debug_option
from masterykit.diagnostics import Diagnostic

if TYPE_CHECKING:
    from masterykit.groups import Grouping
    from masterykit.policy import Policy

__all__ = ["GROUPS_SCHEMA", "continuum_command", "grouping_json", "groups_command"]

#: The ``schema`` value of ``masterykit groups --format json`` output.
GROUPS_SCHEMA = "masterykit/groups/v1"

_SIZE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")


def parse_where(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--where name=value`` options as a mapping (``MK470`` when one has no ``=``)."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CliError(
                Diagnostic(
                    "MK470",
                    f"`--where {pair}` is not an attribute and a value",
                    help="write it as `--where school=north`",
                )
            )
        found[name.strip()] = value.strip()
    return found


def parse_size(text: str | None) -> tuple[int, int] | None:
    """``--size 4..8`` as ``(4, 8)`` (``MK471`` when it is not a range of group sizes)."""
    if text is None:
        return None
    match = _SIZE.match(text)
    low, high = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
    if match is None or low < 1 or low > high:
        raise CliError(
            Diagnostic(
                "MK471",
                f"`--size {text}` is not a range of group sizes",
                help="write the smallest and the largest size, such as `--size 4..8`",
            )
        )
    return low, high


def resolve_targets(policy: Policy, target: str | None) -> list[str] | None:
    """The competencies ``--target`` names: a competency, an area or a group of the policy
    (``MK472`` when it names none of them)."""
    if target is None:
        return None
    if target in policy.competencies:
        return [target]
    if target in policy.areas:
        return list(policy.areas[target].competencies)
    if target in policy.groups:
        return list(policy.groups[target])
    import difflib

    known = [*policy.competencies, *policy.areas, *policy.groups]
    close = difflib.get_close_matches(target, known, n=1)
    raise CliError(
        Diagnostic(
            "MK472",
            f"`--target {target}` is no competency, area or group of the policy",
            help=f"did you mean `{close[0]}`?" if close else "name a competency, area or group",
        ),
        status=EXIT_PROBLEM,
    )


def grouping_json(grouping: Grouping) -> dict[str, Any]:
    """The JSON document of ``masterykit groups --format json`` (schema ``groups``)."""

    def decimal(value: Any) -> str | None:
        return None if value is None else format(value.normalize(), "f")

    return {
        "schema": GROUPS_SCHEMA,
        "policy": grouping.policy,
        "as_of": grouping.as_of.isoformat(),
        "learners": grouping.learners,
        "size": list(grouping.size) if grouping.size is not None else None,
        "mix": grouping.mix,
        "targets": [
            {
                "code": target.code,
                "title": target.title,
                "prerequisites": list(target.prerequisites),
                "groups": [
                    {
                        "kind": group.kind.value,
                        "part": group.part,
                        "parts": group.parts,
                        "learners": [
                            {
                                "learner": p.learner,
                                "status": p.status.value,
                                "score": decimal(p.score),
                                "level": p.level,
                                "attempts": p.attempts,
                                "cut": decimal(p.cut),
                                "waiting_on": list(p.waiting_on),
                                "reteach_after": p.reteach.attempts if p.reteach else None,
                                "mix": p.mix,
                                "reason": p.reason,
                            }
                            for p in group.learners
                        ],
                    }
                    for group in target.groups
                ],
            }
            for target in grouping.targets
        ],
    }


_KIND_TEXT = {
    "needs_reteaching": "needs reteaching",
    "in_progress": "in progress",
    "ready": "ready",
    "ready_to_extend": "ready to extend",
}


def grouping_table(grouping: Grouping) -> str:
    """The groups as text: one block per target, one line per learner with the reason."""
    lines = [
        f"{grouping.policy}: {grouping.learners} learners grouped by next target as of "
        f"{grouping.as_of.isoformat()}"
    ]
    for target in grouping.targets:
        if not target.groups:
            continue
        title = f' "{target.title}"' if target.title else ""
        after = f" (after {', '.join(target.prerequisites)})" if target.prerequisites else ""
        lines.append("")
        lines.append(f"{target.code}{title}{after}")
        for group in target.groups:
            part = f", group {group.part} of {group.parts}" if group.parts > 1 else ""
            count = len(group.learners)
            noun = "learner" if count == 1 else "learners"
            lines.append(f"  {_KIND_TEXT[group.kind.value]}{part} ({count} {noun}):")
            for placement in group.learners:
                mix = f" [{placement.mix}]" if placement.mix is not None else ""
                lines.append(f"    {placement.learner}{mix}: {placement.reason}")
    if all(not target.groups for target in grouping.targets):
        lines.append("no learner is ready for or working on these targets")
    return "\n".join(lines) + "\n"


_CSV_COLUMNS = (
    "target",
    "group",
    "part",
    "parts",
    "learner",
    "status",
    "score",
    "level",
    "attempts",
    "waiting_on",
    "mix",
    "reason",
)


def grouping_csv(grouping: Grouping) -> str:
    """One row per learner and target."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_COLUMNS)
    for target in grouping.targets:
        for group in target.groups:
            for p in group.learners:
                writer.writerow(
                    [
                        target.code,
                        group.kind.value,
                        group.part,
                        group.parts,
                        p.learner,
                        p.status.value,
                        "" if p.score is None else format(p.score.normalize(), "f"),
                        p.level or "",
                        p.attempts,
                        " ".join(p.waiting_on),
                        p.mix or "",
                        p.reason,
                    ]
                )
    return out.getvalue()


_INPUT_OPTIONS = [
    click.argument("policy_path", metavar="POLICY"),
    click.option(
        "--evidence", "evidence_path", required=True, metavar="FILE", help="The evidence."
    ),
    click.option(
        "--learners", "learners_path", metavar="FILE", help="Learners and their attributes."
    ),
    click.option(
        "--as-of",
        "as_of",
        type=DateType(),
        required=True,
        metavar="DATE",
        help="Group as of this date (YYYY-MM-DD).",
    ),
    click.option(
        "--evidence-format",
        "evidence_format",
        metavar="NAME",
        help="The evidence reader; by default chosen by the file name.",
    ),
]


def _inputs(f: Any) -> Any:
    for option in reversed(_INPUT_OPTIONS):
        f = option(f)
    return f


@click.command("groups")
@_inputs
@click.option(
    "--where",
    "where",
    multiple=True,
    metavar="ATTR=VALUE",
    help="Only learners with this attribute value (repeatable: all must match).",
)
@click.option(
    "--target",
    "target",
    metavar="NAME",
    help="Group for this competency, area or group only (default: every competency).",
)
@click.option(
    "--size", "size", metavar="MIN..MAX", help="Split groups larger than MAX into even parts."
)
@click.option(
    "--mix",
    "mix",
    metavar="ATTR",
    help="Spread the values of this learner attribute over the parts of a split group.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="`table`, `json` (schema `masterykit/groups/v1`) or `csv`.",
)
@click.option("--output", "-o", "output", metavar="FILE", help="Write to FILE, not stdout.")
@debug_option
def groups_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date,
    evidence_format: str | None,
    where: tuple[str, ...],
    target: str | None,
    size: str | None,
    mix: str | None,
    output_format: str,
    output: str | None,
) -> int:
    """Group learners by their next learning target, for flexible regrouping.

    For each target: who is ready (prerequisites proficient, not started), in progress,
    needs reteaching (below the cut with too little evidence, or after the policy's
    `reteach after N attempts`) and ready to extend (proficient above the cut), each learner
    with the reason. Exit status: 0 done, 1 policy or data problems, 2 usage error.
    """
    from masterykit.cli._evaluate import check_output, inputs_of, write_output
    from masterykit.cli._inputs import load_policy, read_inputs
    from masterykit.groups import groups, select_learners

    conditions = parse_where(where)
    sizes = parse_size(size)
    policy = load_policy(policy_path)
    targets = resolve_targets(policy, target)
    check_output(output, inputs_of(policy, evidence_path, learners_path))
    inputs = read_inputs(
        evidence_path, learners_path, evidence_format=evidence_format, policy=policy
    )
    learners = inputs.learners
    if learners is None:
        from masterykit.evidence import Learner

        learners = tuple(Learner(i) for i in dict.fromkeys(e.learner for e in inputs.evidence))
    if conditions and not select_learners(learners, conditions):
        shown = " ".join(f"{key}={value}" for key, value in conditions.items())
        raise CliError(
            Diagnostic(
                "MK473",
                f"no learner has `{shown}`",
                help="check the attribute names and values against the learners file",
            ),
            status=EXIT_PROBLEM,
        )
    if mix is not None and not any(mix in learner.attributes for learner in learners):
        raise CliError(
            Diagnostic(
                "MK474",
                f"no learner has the attribute `{mix}` to mix groups by",
                help="name a column of the learners file, or leave out `--mix`",
            ),
            status=EXIT_PROBLEM,
        )
    grouping = groups(
        policy,
        learners,
        inputs.evidence,
        as_of=as_of,
        where=conditions,
        targets=targets,
        size=sizes,
        mix=mix,
    )
    if output_format == "json":
        text = json.dumps(grouping_json(grouping), indent=2, ensure_ascii=False) + "\n"
    elif output_format == "csv":
        text = grouping_csv(grouping)
    else:
        text = grouping_table(grouping)
    write_output(text, output)
    return EXIT_OK


@click.command("continuum")
@_inputs
@click.option("--learner", "learner_id", required=True, metavar="ID", help="The learner.")
@click.option("--area", "area", metavar="CODE", help="Map this area only (default: all).")
@debug_option
def continuum_command(
    policy_path: str,
    evidence_path: str,
    learners_path: str | None,
    as_of: dt.date,
    evidence_format: str | None,
    learner_id: str,
    area: str | None,
) -> int:
    """Show one learner's map of the continuum, prerequisites first.

    Each competency is proficient [x], in progress [~], ready [>] or not yet [ ] (waiting on
    a prerequisite). Exit status: 0 done, 1 policy or data problems, 2 usage error.
    """
    from masterykit.cli._inputs import load_policy, no_learner, read_inputs
    from masterykit.engine import evaluate
    from masterykit.evidence import Learner
    from masterykit.groups import continuum_view

    policy = load_policy(policy_path)
    if area is not None and area not in policy.areas:
        import difflib

        close = difflib.get_close_matches(area, list(policy.areas), n=1)
        raise CliError(
            Diagnostic(
                "MK475",
                f"`--area {area}` is no area of the policy",
                help=f"did you mean `{close[0]}`?" if close else "name an area of the policy",
            ),
            status=EXIT_PROBLEM,
        )
    inputs = read_inputs(
        evidence_path, learners_path, evidence_format=evidence_format, policy=policy
    )
    learner = Learner(learner_id)
    if inputs.learners is not None:
        known = {item.id: item for item in inputs.learners}
        if learner_id not in known:
            assert learners_path is not None
            raise no_learner(learner_id, list(known), learners_path, "learners file")
        learner = known[learner_id]
    pieces = [piece for piece in inputs.evidence if piece.learner == learner_id]
    result = evaluate(policy, [learner], pieces, as_of=as_of).learners[0]
    click.echo(continuum_view(policy, result, area, as_of).text())
    return EXIT_OK
