"""Worked examples checked by ``masterykit check``: every name an example uses must exist.

``masterykit test`` runs the examples; ``check`` makes sure they *can* run, so a policy whose
example names a competency, requirement, advancement, level or learner that does not exist does
not pass ``check`` (the same codes as ``test`` reports: ``MK601``–``MK611``, with a
did-you-mean). What the expectations claim is left to ``test``. The policy itself still loads:
an example is documentation and a test, not a rule.
"""

from __future__ import annotations

from masterykit.diagnostics import Diagnostic, Span
from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import Reporter
from masterykit.dsl._check_text import suggest
from masterykit.policy import Policy

__all__ = ["check_examples"]

#: The pace statuses an example may expect (``masterykit.engine.PaceStatus``'s values; the
#: checker does not import the engine).
PACE_STATUSES = ("complete", "on_track", "at_risk", "off_track", "unknown")


def check_examples(policy: Policy) -> list[Diagnostic]:
    """Every name that ``policy``'s worked examples use and the policy does not have."""
    reporter = Reporter()
    for example in policy.examples:
        _example(example.example, policy, reporter)
    return reporter.diagnostics


def _example(example: n.Example, policy: Policy, reporter: Reporter) -> None:
    declared = {learner.name.value for learner in example.learners}
    for line in example.evidence:
        who = line.learner.value
        if who not in declared:
            reporter.error(
                "MK611",
                f"evidence names `{who}`, who is not a learner of this example",
                line.span,
                help=f"declare it with `learner {who}`",
            )
        _competency(line.competency.value, line.span, policy, reporter)
    for expectation in example.expectations:
        who = expectation.learner.value
        if who not in declared:
            reporter.error(
                "MK601",
                f"`{who}` is not a learner of this example",
                expectation.span,
                help=f"declare it with `learner {who}`",
            )
        if expectation.competency is not None:
            code = expectation.competency.value
            if _competency(code, expectation.span, policy, reporter):
                _level(expectation, code, policy, reporter)
            continue
        _decision(expectation, policy, reporter)


def _competency(code: str, span: Span | None, policy: Policy, reporter: Reporter) -> bool:
    if code in policy.competencies:
        return True
    reporter.error(
        "MK602",
        f"`{code}` is not a competency of this policy",
        span,
        help=suggest(code, policy.competencies),
    )
    return False


def _level(expectation: n.Expectation, code: str, policy: Policy, reporter: Reporter) -> None:
    ref = expectation.value
    if expectation.what != "level" or not isinstance(ref, n.LevelRef):
        return
    scale = policy.competencies[code].scale
    if isinstance(ref.value, str):
        found = scale.level_named(ref.value) is not None
        written = ref.value
    else:
        found = any(level.value == ref.value for level in scale.levels)
        written = str(ref.value)
    if not found:
        reporter.error(
            "MK608",
            f"`{written}` is not a level of the scale of `{code}` (`{scale.name}`)",
            expectation.span,
            help=suggest(written, (level.name for level in scale.levels)),
        )


def _decision(expectation: n.Expectation, policy: Policy, reporter: Reporter) -> None:
    what = expectation.what
    value = expectation.value
    if what == "graduate" and policy.graduation is None:
        reporter.error("MK605", "this policy has no `graduate when` rule", expectation.span)
    elif what == "advance" and isinstance(value, tuple):
        names = [(a.source_name, a.target_name) for a in policy.advancements]
        if value not in names:
            label = f'advance "{value[0]}" to "{value[1]}"'
            known = ", ".join(f'"{a}" to "{b}"' for a, b in names)
            reporter.error(
                "MK604",
                f"this policy has no `{label}`",
                expectation.span,
                help=f"the policy's advancements: {known}" if known else None,
            )
    elif what == "requirement" and isinstance(value, n.Ident):
        if value.value not in policy.requirements:
            reporter.error(
                "MK603",
                f"`{value.value}` is not a requirement of this policy",
                expectation.span,
                help=suggest(value.value, policy.requirements),
            )
    elif what == "pace" and isinstance(value, n.Ident):
        if policy.pace is None:
            reporter.error("MK606", "this policy has no `pace` rule", expectation.span)
        elif value.value not in PACE_STATUSES:
            options = ", ".join(f"`{status}`" for status in PACE_STATUSES)
            reporter.error(
                "MK607",
                f"`{value.value}` is not a pace status",
                expectation.span,
                help=f"use one of {options}",
            )
