"""Run the worked examples written inside a policy (``example "…" { … }``) and check them.

:func:`run_examples` evaluates every example of a checked policy (the top file's examples; the
examples of the files it extends are not re-run) and checks each ``expect`` line. A failed
expectation says what was expected, what came out, and why (the explanation text); an
expectation that names something the example or the policy does not have is a failed
expectation with its own diagnostic code. :func:`coverage` summarises which requirements,
advancements, graduation outcomes, pathways and pace statuses the examples exercised, so an
author can see what no example tests yet.

Diagnostic codes (``MK600``–``MK649``):

* ``MK600`` an example without an ``as of`` date: examples must give the same result on every
  day they run, so the example is not run (no default to today);
* ``MK601`` an expectation names a learner the example does not declare;
* ``MK602`` an expectation names a competency the policy does not have;
* ``MK603`` an expectation names a requirement the policy does not have;
* ``MK604`` an expectation names an advancement the policy does not have;
* ``MK605`` a ``graduate`` expectation in a policy without ``graduate when``;
* ``MK606`` a ``pace`` expectation in a policy without ``pace``;
* ``MK607`` a ``pace`` expectation with a status that does not exist;
* ``MK608`` a ``level`` expectation with a level that is not on the competency's scale;
* ``MK609`` an evidence line the engine cannot use (unknown competency, score off the scale);
* ``MK610`` an expectation that does not hold;
* ``MK611`` an evidence line for a learner the example does not declare.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from masterykit.diagnostics import Diagnostic, Span
from masterykit.district import District, Route
from masterykit.dsl.nodes import Example, Expectation, Ident, LevelRef
from masterykit.engine import (
    CompetencyResult,
    EvaluationResult,
    LearnerResult,
    PaceStatus,
    Status,
    evaluate,
    explain_competency,
    explain_decision,
    explain_pace,
    render_text,
)
from masterykit.engine._attributes import compare
from masterykit.engine.explain import describe_status
from masterykit.evidence import AttributeValue, Evidence, Learner, Origin
from masterykit.numbers import format_decimal
from masterykit.policy import (
    AllClause,
    AnyClause,
    Clause,
    CompetencyTest,
    LearnerClause,
    NotClause,
    Policy,
    PolicyExample,
    RequirementClause,
)

__all__ = [
    "Coverage",
    "ExampleOutcome",
    "ExpectationOutcome",
    "RouteCoverage",
    "coverage",
    "expectation_text",
    "render_outcomes",
    "route_coverage",
    "run_example",
    "run_examples",
]


@attrs.frozen(slots=True)
class ExpectationOutcome:
    """One ``expect`` line checked: the line as written, whether it held, what was expected and
    what came out, the explanation (for a failed expectation) and its diagnostic."""

    text: str
    passed: bool
    expected: str
    actual: str
    explanation: str = ""
    diagnostic: Diagnostic | None = None
    span: Span | None = None


@attrs.frozen(slots=True)
class ExampleOutcome:
    """One example run: its expectations, problems with the example itself, and the result.

    For an example of a district file, ``result`` is ``None``; ``routes`` maps each learner's
    id to the index of the route they took (``None`` for a learner no route takes) and
    ``results`` holds each routed policy with its evaluation of the learners routed to it.
    """

    name: str
    file: str
    as_of: dt.date | None
    expectations: tuple[ExpectationOutcome, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    result: EvaluationResult | None = attrs.field(default=None, eq=False, repr=False)
    span: Span | None = None
    routes: Mapping[str, int | None] = attrs.field(factory=dict, repr=False)
    results: tuple[tuple[Policy, EvaluationResult], ...] = attrs.field(
        default=(), eq=False, repr=False
    )

    @property
    def passed(self) -> bool:
        """Whether the example ran and every expectation held."""
        return not self.diagnostics and all(e.passed for e in self.expectations)

    @property
    def failures(self) -> tuple[ExpectationOutcome, ...]:
        """The expectations that did not hold."""
        return tuple(e for e in self.expectations if not e.passed)


def _name(value: str) -> str:
    return value if value.replace("_", "a").isalnum() else f'"{value}"'


def expectation_text(expectation: Expectation) -> str:
    """An ``expect`` line as the author would write it."""
    parts = ["expect", expectation.learner.value]
    if expectation.competency is not None:
        parts.append(expectation.competency.value)
    if expectation.negated:
        parts.append("not")
    parts.append(expectation.what)
    value = expectation.value
    if isinstance(value, LevelRef):
        parts.append(
            _name(value.value) if isinstance(value.value, str) else format_decimal(value.value)
        )
    elif isinstance(value, Decimal):
        parts.append(format_decimal(value))
    elif isinstance(value, tuple):
        parts.append(f'"{value[0]}" to "{value[1]}"')
    elif isinstance(value, Ident) and expectation.what == "policy":
        parts.append(f'"{value.value}"')
    elif isinstance(value, Ident):
        parts.append(value.value)
    return " ".join(parts)


def _did_you_mean(name: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f"did you mean `{close[0]}`?" if close else None


def _learners(example: Example) -> list[Learner]:
    found = []
    for item in example.learners:
        attributes: dict[str, AttributeValue] = {
            attribute.name.value: attribute.value.value for attribute in item.attributes
        }
        found.append(Learner(item.name.value, attributes))
    return found


def _evidence(example: Example, file: str) -> list[Evidence]:
    return [
        Evidence(
            line.learner.value,
            line.competency.value,
            line.score,
            line.timestamp,
            kind=line.kind.value if line.kind is not None else None,
            origin=Origin(
                line.span.file if line.span is not None else file,
                line.span.line if line.span is not None else None,
            ),
        )
        for line in example.evidence
    ]


def _competency_words(result: CompetencyResult) -> str:
    text = describe_status(result.status)
    if result.score is not None:
        text += f", score {format_decimal(result.score)}"
        if result.level is not None:
            text += f" ({result.level})"
    return text


def _problem(
    expectation: Expectation, code: str, message: str, help: str | None = None
) -> ExpectationOutcome:
    """An expectation that cannot be checked: its diagnostic says why."""
    text = expectation_text(expectation)
    return ExpectationOutcome(
        text,
        False,
        text.removeprefix("expect "),
        message,
        "",
        Diagnostic(code, message, expectation.span, help=help),
        expectation.span,
    )


def _outcome(
    expectation: Expectation, held: bool, expected: str, actual: str, explanation: str
) -> ExpectationOutcome:
    """An expectation checked: it passes when ``held`` is what it expects (``not`` inverts)."""
    text = expectation_text(expectation)
    passed = held != expectation.negated
    if passed:
        return ExpectationOutcome(text, True, expected, actual, span=expectation.span)
    return ExpectationOutcome(
        text,
        False,
        expected,
        actual,
        explanation,
        Diagnostic(
            "MK610",
            f"expectation does not hold: `{text}`",
            expectation.span,
            help=f"expected {expected}, got {actual}",
        ),
        expectation.span,
    )


class _Checker:
    """Checks the expectations of one example against its evaluation."""

    def __init__(self, policy: Policy, result: EvaluationResult, learners: set[str]):
        self.policy = policy
        self.result = result
        self.learners = learners

    def problem(
        self, expectation: Expectation, code: str, message: str, help: str | None = None
    ) -> ExpectationOutcome:
        return _problem(expectation, code, message, help)

    def outcome(
        self,
        expectation: Expectation,
        held: bool,
        expected: str,
        actual: str,
        explanation: str,
    ) -> ExpectationOutcome:
        return _outcome(expectation, held, expected, actual, explanation)

    def check(self, expectation: Expectation) -> ExpectationOutcome:
        who = expectation.learner.value
        learner = self.result.learner(who) if who in self.learners else None
        if learner is None:
            return self.problem(
                expectation,
                "MK601",
                f"`{who}` is not a learner of this example",
                f"declare it with `learner {who}`",
            )
        if expectation.competency is not None:
            return self.competency(expectation, learner, expectation.competency.value)
        return self.decision(expectation, learner)

    def competency(
        self, expectation: Expectation, learner: LearnerResult, code: str
    ) -> ExpectationOutcome:
        result = learner.competencies.get(code)
        if result is None:
            return self.problem(
                expectation,
                "MK602",
                f"`{code}` is not a competency of this policy",
                _did_you_mean(code, learner.competencies),
            )
        actual = _competency_words(result)
        why = render_text(explain_competency(result))
        what = expectation.what
        not_ = "not " if expectation.negated else ""
        if what == "proficient":
            return self.outcome(expectation, result.proficient, f"{not_}proficient", actual, why)
        if what in ("not_started", "insufficient"):
            status = Status(what)
            return self.outcome(
                expectation,
                result.status is status,
                f"{not_}{describe_status(status)}",
                actual,
                why,
            )
        if what == "score":
            value = expectation.value
            assert isinstance(value, Decimal)
            held = result.score is not None and result.score == value
            return self.outcome(
                expectation, held, f"{not_}score {format_decimal(value)}", actual, why
            )
        if what == "level":
            ref = expectation.value
            assert isinstance(ref, LevelRef)
            scale = self.policy.competencies[code].scale
            if isinstance(ref.value, str):
                level = scale.level_named(ref.value)
            else:
                level = next((lv for lv in scale.levels if lv.value == ref.value), None)
            written = ref.value if isinstance(ref.value, str) else format_decimal(ref.value)
            if level is None:
                return self.problem(
                    expectation,
                    "MK608",
                    f"`{written}` is not a level of the scale of `{code}` (`{scale.name}`)",
                    _did_you_mean(written, (lv.name for lv in scale.levels)),
                )
            return self.outcome(
                expectation,
                result.level == level.name,
                f"{not_}level {level.name}",
                actual,
                why,
            )
        return self.problem(  # pragma: no cover - the parser only builds the kinds above
            expectation, "MK610", f"`{what}` cannot be expected of a competency"
        )

    def decision(self, expectation: Expectation, learner: LearnerResult) -> ExpectationOutcome:
        what = expectation.what
        not_ = "not " if expectation.negated else ""
        comps = learner.competencies
        if what == "graduate":
            decision = learner.graduation
            if decision is None:
                return self.problem(expectation, "MK605", "this policy has no `graduate when` rule")
            actual = "graduates" if decision.held else "does not graduate"
            why = render_text(explain_decision(decision, comps))
            return self.outcome(expectation, decision.held, f"{not_}graduate", actual, why)
        if what == "advance":
            value = expectation.value
            assert isinstance(value, tuple)
            decision = learner.advancement(value[0], value[1])
            label = f'advance "{value[0]}" to "{value[1]}"'
            if decision is None:
                known = [d.name for d in learner.advancements]
                return self.problem(
                    expectation,
                    "MK604",
                    f"this policy has no `{label}`",
                    f"the policy's advancements: {', '.join(known)}" if known else None,
                )
            actual = "advances" if decision.held else "does not advance"
            why = render_text(explain_decision(decision, comps))
            return self.outcome(expectation, decision.held, f"{not_}{label}", actual, why)
        if what == "requirement":
            ident = expectation.value
            assert isinstance(ident, Ident)
            decision = learner.requirements.get(ident.value)
            if decision is None:
                return self.problem(
                    expectation,
                    "MK603",
                    f"`{ident.value}` is not a requirement of this policy",
                    _did_you_mean(ident.value, learner.requirements),
                )
            actual = "holds" if decision.held else "does not hold"
            why = render_text(explain_decision(decision, comps))
            return self.outcome(
                expectation,
                decision.held,
                f"requirement {ident.value} {'does not hold' if not_ else 'holds'}",
                actual,
                why,
            )
        if what == "pace":
            ident = expectation.value
            assert isinstance(ident, Ident)
            pace = learner.pace
            if pace is None:
                return self.problem(expectation, "MK606", "this policy has no `pace` rule")
            try:
                status = PaceStatus(ident.value)
            except ValueError:
                options = ", ".join(f"`{s.value}`" for s in PaceStatus)
                return self.problem(
                    expectation,
                    "MK607",
                    f"`{ident.value}` is not a pace status",
                    f"use one of {options}",
                )
            return self.outcome(
                expectation,
                pace.status is status,
                f"{not_}pace {status.value}",
                f"pace {pace.status.value} ({pace.reason})",
                render_text(explain_pace(pace)),
            )
        return self.problem(
            expectation,
            "MK452",
            f"`expect … {'not evaluated' if what == 'evaluated' else 'policy'}` is for the "
            "examples of a district file; a policy evaluates every learner itself",
            "move this example into the district file that routes learners to this policy",
        )


def run_example(policy: Policy, example: PolicyExample) -> ExampleOutcome:
    """Evaluate one worked example and check each of its expectations."""
    node = example.example
    if node.as_of is None:
        return ExampleOutcome(
            node.name,
            example.file,
            None,
            diagnostics=(
                Diagnostic(
                    "MK600",
                    f"example `{node.name}` has no `as of` date",
                    node.span,
                    help="add `as of YYYY-MM-DD` so the example gives the same result every day",
                ),
            ),
            span=node.span,
        )
    learners = _learners(node)
    declared = {learner.id for learner in learners}
    evidence = _evidence(node, example.file)
    result = evaluate(policy, learners, evidence, as_of=node.as_of)
    problems: list[Diagnostic] = []
    spans = {id(piece): line.span for piece, line in zip(evidence, node.evidence, strict=True)}
    for rejection in result.rejections:
        piece = rejection.evidence
        span = spans.get(id(piece)) if piece is not None else None
        if rejection.code == "MK350" and piece is not None:
            problems.append(
                Diagnostic(
                    "MK611",
                    f"evidence names `{piece.learner}`, who is not a learner of this example",
                    span,
                    help=f"declare it with `learner {piece.learner}`",
                )
            )
        else:
            problems.append(
                Diagnostic("MK609", f"evidence line cannot be used: {rejection.reason}", span)
            )
    checker = _Checker(policy, result, declared)
    outcomes = tuple(checker.check(expectation) for expectation in node.expectations)
    return ExampleOutcome(
        node.name, example.file, node.as_of, outcomes, tuple(problems), result, node.span
    )


def run_examples(policy: Policy | District) -> list[ExampleOutcome]:
    """Run every worked example of ``policy`` (its top file's), in the order written.

    Given a :class:`~masterykit.district.District`, runs the district file's examples: each
    learner is routed (the first route whose condition holds), then the expectations about
    them are checked under the policy their route uses.
    """
    if isinstance(policy, District):
        return [_run_district_example(policy, example) for example in policy.examples]
    return [run_example(policy, example) for example in policy.examples]


def _holds(clause: Clause, attributes: Mapping[str, AttributeValue]) -> bool:
    """Whether a route's condition holds for a learner with ``attributes``."""
    match clause:
        case LearnerClause():
            return compare(clause, attributes)
        case AllClause():
            return all(_holds(child, attributes) for child in clause.clauses)
        case AnyClause():
            return any(_holds(child, attributes) for child in clause.clauses)
        case NotClause():
            return not _holds(clause.clause, attributes)
        case CompetencyTest() | RequirementClause():  # pragma: no cover - the checker refuses
            raise ValueError(f"a route's condition tests the learner only, not `{clause}`")


def _route(district: District, learner: Learner, as_of: dt.date) -> Route | None:
    """The route ``learner`` takes on ``as_of``: the first whose condition holds (``None`` when
    none does). Attributes hold for the whole run, so ``as_of`` does not change the route."""
    for route in district.routes:
        if route.condition is None or _holds(route.condition, learner.attributes):
            return route
    return None


def _run_district_example(district: District, example: PolicyExample) -> ExampleOutcome:
    """Route each learner of a district file's example, evaluate them under their routed
    policies, and check each expectation under the policy of the learner it is about."""
    node = example.example
    if node.as_of is None:
        return run_example(district.base, example)  # reports the missing date (MK600)
    learners = _learners(node)
    routes = {learner.id: _route(district, learner, node.as_of) for learner in learners}
    evidence = _evidence(node, example.file)
    by_policy: dict[int, tuple[Policy, list[Learner]]] = {}
    for learner in learners:
        route = routes[learner.id]
        if route is not None and route.policy is not None:
            by_policy.setdefault(id(route.policy), (route.policy, []))[1].append(learner)
    problems: list[Diagnostic] = []
    spans = {id(piece): line.span for piece, line in zip(evidence, node.evidence, strict=True)}
    results: list[tuple[Policy, EvaluationResult]] = []
    checkers: dict[str, _Checker] = {}
    declared = {learner.id for learner in learners}
    for policy, members in by_policy.values():
        ids = {learner.id for learner in members}
        mine = [piece for piece in evidence if piece.learner in ids]
        result = evaluate(policy, members, mine, as_of=node.as_of)
        problems.extend(_rejections(result, spans))
        results.append((policy, result))
        checker = _Checker(policy, result, ids)
        checkers.update(dict.fromkeys(ids, checker))
    for piece in evidence:
        if piece.learner not in declared:
            problems.append(
                Diagnostic(
                    "MK611",
                    f"evidence names `{piece.learner}`, who is not a learner of this example",
                    spans.get(id(piece)),
                    help=f"declare it with `learner {piece.learner}`",
                )
            )
    outcomes = tuple(
        _district_expectation(district, expectation, routes, checkers, declared)
        for expectation in node.expectations
    )
    return ExampleOutcome(
        node.name,
        example.file,
        node.as_of,
        outcomes,
        tuple(problems),
        None,
        node.span,
        {who: route.index if route is not None else None for who, route in routes.items()},
        tuple(results),
    )


def _routed_text(route: Route | None) -> str:
    if route is None:
        return "not evaluated (no route takes the learner)"
    if route.policy is None:
        return f"not evaluated ({route.reason})"
    return f'policy "{route.policy.name}"'


def _district_expectation(
    district: District,
    expectation: Expectation,
    routes: Mapping[str, Route | None],
    checkers: Mapping[str, _Checker],
    declared: set[str],
) -> ExpectationOutcome:
    who = expectation.learner.value
    if who not in declared:
        return _problem(
            expectation,
            "MK601",
            f"`{who}` is not a learner of this example",
            f"declare it with `learner {who}`",
        )
    route = routes[who]
    if expectation.what == "policy":
        ident = expectation.value
        assert isinstance(ident, Ident)
        held = route is not None and route.policy is not None and route.policy.name == ident.value
        return _outcome(
            expectation, held, f'policy "{ident.value}"', _routed_text(route), _why(route)
        )
    if expectation.what == "evaluated":
        evaluated = route is not None and route.policy is not None
        return _outcome(expectation, evaluated, "not evaluated", _routed_text(route), _why(route))
    checker = checkers.get(who)
    if checker is None:
        # Whatever it expects of a learner no policy evaluates cannot hold.
        text = expectation_text(expectation)
        actual = _routed_text(route)
        return ExpectationOutcome(
            text,
            False,
            text.removeprefix(f"expect {who} "),
            actual,
            _why(route),
            Diagnostic(
                "MK610",
                f"expectation does not hold: `{text}`",
                expectation.span,
                help=f"`{who}` is {actual}",
            ),
            expectation.span,
        )
    return checker.check(expectation)


def _why(route: Route | None) -> str:
    if route is None:
        return "no route's condition holds for the learner, and the district has no `otherwise`"
    return f"route {route.index + 1} is the first whose condition holds: {route.text}"


def _rejections(result: EvaluationResult, spans: Mapping[int, Span | None]) -> list[Diagnostic]:
    """An example's evidence lines the engine could not use."""
    problems = []
    for rejection in result.rejections:
        piece = rejection.evidence
        span = spans.get(id(piece)) if piece is not None else None
        problems.append(
            Diagnostic("MK609", f"evidence line cannot be used: {rejection.reason}", span)
        )
    return problems


def _where(span: Span | None, file: str) -> str:
    return f"{span.file}:{span.line}" if span is not None else file


def render_outcomes(outcomes: Sequence[ExampleOutcome]) -> str:
    """Plain text for example outcomes: one line per example, and for each failure what was
    expected, what came out and why; a summary line at the end.

    >>> print(render_outcomes([]), end="")
    0 examples: 0 passed, 0 failed
    """
    lines: list[str] = []
    for outcome in outcomes:
        mark = "PASS" if outcome.passed else "FAIL"
        count = len(outcome.expectations)
        plural = "expectation" if count == 1 else "expectations"
        lines.append(
            f'{mark} example "{outcome.name}" ({_where(outcome.span, outcome.file)}, '
            f"{count} {plural})"
        )
        for diagnostic in outcome.diagnostics:
            where = f" ({diagnostic.where})" if diagnostic.where else ""
            lines.append(f"  error[{diagnostic.code}]: {diagnostic.message}{where}")
            if diagnostic.help:
                lines.append(f"    help: {diagnostic.help}")
        for failure in outcome.failures:
            lines.append(f"  {failure.text} ({_where(failure.span, outcome.file)})")
            if failure.diagnostic is not None and failure.diagnostic.code != "MK610":
                lines.append(f"    error[{failure.diagnostic.code}]: {failure.diagnostic.message}")
                if failure.diagnostic.help:
                    lines.append(f"    help: {failure.diagnostic.help}")
                continue
            lines.append(f"    expected: {failure.expected}")
            lines.append(f"    got:      {failure.actual}")
            if failure.explanation:
                lines.append("    why:")
                lines.extend(f"      {line}" for line in failure.explanation.splitlines())
    failed = sum(1 for outcome in outcomes if not outcome.passed)
    total = len(outcomes)
    noun = "example" if total == 1 else "examples"
    lines.append(f"{total} {noun}: {total - failed} passed, {failed} failed")
    return "\n".join(lines) + "\n"


# --- route coverage --------------------------------------------------------------------------


@attrs.frozen(slots=True)
class RouteCoverage:
    """Which routes of a district the learners of its examples took.

    ``taken`` maps every route's index to how many learners took it; ``unrouted`` counts the
    learners no route took.
    """

    district: District = attrs.field(repr=False)
    taken: Mapping[int, int]
    unrouted: int = 0

    @property
    def never_taken(self) -> tuple[Route, ...]:
        """The routes no learner of any example took, in order."""
        return tuple(route for route in self.district.routes if not self.taken.get(route.index))


def route_coverage(district: District, outcomes: Sequence[ExampleOutcome]) -> RouteCoverage:
    """Which routes of ``district`` the learners of ``outcomes`` (from :func:`run_examples`)
    took."""
    taken = dict.fromkeys((route.index for route in district.routes), 0)
    unrouted = 0
    for outcome in outcomes:
        for index in outcome.routes.values():
            if index is None:
                unrouted += 1
            else:
                taken[index] = taken.get(index, 0) + 1
    return RouteCoverage(district, taken, unrouted)


# --- coverage --------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class Coverage:
    """Which decisions the examples exercised, and how.

    ``requirements``, ``advancements`` (by ``"A" to "B"``) and ``graduation`` map to the outcomes
    seen across every learner of every example (``(False, True)`` when both were seen).
    ``pathways`` maps every pathway name in the policy to how many times it was taken.
    ``pace`` lists the pace statuses seen; ``has_graduation`` whether the policy has a
    graduation rule at all.
    """

    requirements: Mapping[str, tuple[bool, ...]]
    advancements: Mapping[str, tuple[bool, ...]]
    graduation: tuple[bool, ...]
    pathways: Mapping[str, int]
    pace: tuple[str, ...]
    has_graduation: bool = True

    def never(self, outcome: bool) -> tuple[str, ...]:
        """Decisions never seen with ``outcome`` (requirements by name, then advancements, then
        ``graduation``)."""
        found = [name for name, seen in self.requirements.items() if outcome not in seen]
        found += [
            f"advance {name}" for name, seen in self.advancements.items() if outcome not in seen
        ]
        if outcome not in self.graduation and self.has_graduation:
            found.append("graduation")
        return tuple(found)

    @property
    def pathways_never_taken(self) -> tuple[str, ...]:
        """Pathways no learner of any example took."""
        return tuple(name for name, count in self.pathways.items() if count == 0)


def _pathways(clause: Clause) -> list[str]:
    if isinstance(clause, AllClause):
        found = [clause.pathway] if clause.pathway is not None else []
        for child in clause.clauses:
            found.extend(_pathways(child))
        return found
    if isinstance(clause, AnyClause):
        return [name for child in clause.clauses for name in _pathways(child)]
    if isinstance(clause, NotClause):
        return _pathways(clause.clause)
    return []


def _seen(values: Iterable[bool]) -> tuple[bool, ...]:
    return tuple(sorted(set(values)))


def coverage(policy: Policy, outcomes: Sequence[ExampleOutcome]) -> Coverage:
    """What ``outcomes`` (from :func:`run_examples`) exercised of ``policy``'s decisions."""
    requirements: dict[str, list[bool]] = {name: [] for name in policy.requirements}
    advancements: dict[str, list[bool]] = {
        f'"{a.source_name}" to "{a.target_name}"': [] for a in policy.advancements
    }
    graduation: list[bool] = []
    names: list[str] = []
    for requirement in policy.requirements.values():
        names.extend(_pathways(requirement.condition))
    for advancement in policy.advancements:
        names.extend(_pathways(advancement.condition))
    if policy.graduation is not None:
        names.extend(_pathways(policy.graduation.condition))
    pathways: dict[str, int] = dict.fromkeys(names, 0)
    pace: set[str] = set()
    for outcome in outcomes:
        if outcome.result is None:
            continue
        for learner in outcome.result.learners:
            for name, decision in learner.requirements.items():
                requirements.setdefault(name, []).append(decision.held)
            for decision in learner.advancements:
                advancements.setdefault(decision.name, []).append(decision.held)
            if learner.graduation is not None:
                graduation.append(learner.graduation.held)
            for decision in learner.decisions():
                for name in decision.pathways:
                    pathways[name] = pathways.get(name, 0) + 1
            if learner.pace is not None:
                pace.add(learner.pace.status.value)
    return Coverage(
        {name: _seen(seen) for name, seen in requirements.items()},
        {name: _seen(seen) for name, seen in advancements.items()},
        _seen(graduation),
        pathways,
        tuple(status.value for status in PaceStatus if status.value in pace),
        policy.graduation is not None,
    )
