"""``masterykit test FILE…|DIR``: run the worked examples written inside policies.

One line per example (``PASS``/``FAIL``), then for each failed expectation what was expected,
what came out and why, then the summary line ``N passed, N failed`` and a short line on what the
examples leave untested (``--coverage`` for the full report). A district file's examples route
each learner first; its coverage says which routes no example's learner took.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from masterykit.cli._check import FileReport, check_paths
from masterykit.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    debug_option,
    emit_diagnostics,
    format_option,
    plural,
    policy_files,
    use_colour,
)
from masterykit.diagnostics import Diagnostic, Source, Span, has_errors, render_json, render_text
from masterykit.district import District
from masterykit.policy import Policy

if TYPE_CHECKING:
    from masterykit.engine import ClauseResult, EvaluationResult
    from masterykit.examples import Coverage, ExampleOutcome, RouteCoverage

__all__ = [
    "TEST_SCHEMA",
    "ClauseCoverage",
    "FileRun",
    "clause_coverage",
    "test",
    "test_document",
]

#: The ``schema`` value of ``masterykit test --format json`` output.
TEST_SCHEMA = "masterykit/test/v1"


@attrs.frozen(slots=True)
class ClauseCoverage:
    """One clause of a decision and the outcomes the examples gave it (``held`` seen true,
    false, or both) across every learner of every example."""

    decision: str
    text: str
    file: str | None
    line: int | None
    outcomes: tuple[bool, ...]

    def where(self, policy_file: str) -> str:
        """`` (line 12)`` in the policy's own file, `` (district.mastery:12)`` in a base file."""
        if self.line is None:
            return ""
        if self.file is None or self.file == policy_file:
            return f" (line {self.line})"
        return f" ({self.file}:{self.line})"


@attrs.frozen(slots=True)
class FileRun:
    """One policy file tested: its check report, and (when it checked clean) the outcome of
    each example and what they covered; for a district file, ``routes`` says which routes the
    examples' learners took (and ``coverage`` is ``None``)."""

    report: FileReport
    outcomes: tuple[ExampleOutcome, ...] = ()
    coverage: Coverage | None = None
    clauses: tuple[ClauseCoverage, ...] = ()
    routes: RouteCoverage | None = None

    @property
    def loaded(self) -> bool:
        """Whether the policy checked clean, so its examples could run."""
        return not has_errors(self.report.diagnostics)


def _decision_label(kind: str, name: str) -> str:
    if kind == "requirement":
        return f"requirement `{name}`"
    if kind == "advancement":
        return f"advance {name}"
    return "graduate"


def clause_coverage(outcomes: Iterable[ExampleOutcome]) -> tuple[ClauseCoverage, ...]:
    """Every clause of every decision, with the outcomes the examples gave it, in policy order.

    Clauses are told apart by their decision and their place in the file (or their text).
    """
    seen: dict[tuple[str, str, str | None, int | None, int | None], set[bool]] = {}
    results: list[EvaluationResult] = []
    for outcome in outcomes:
        if outcome.result is not None:
            results.append(outcome.result)
        results.extend(result for _policy, result in outcome.results)
    for result in results:
        for learner in result.learners:
            for decision in learner.decisions():
                label = _decision_label(decision.kind, decision.name)
                stack: list[ClauseResult] = list(decision.clause.children)
                while stack:
                    clause = stack.pop(0)
                    span: Span | None = clause.span
                    key = (
                        label,
                        clause.text,
                        span.file if span else None,
                        span.line if span else None,
                        span.column if span else None,
                    )
                    seen.setdefault(key, set()).add(clause.held)
                    if clause.kind != "requirement":
                        stack[:0] = clause.children
    return tuple(
        ClauseCoverage(label, text, file, line, tuple(sorted(outcomes_)))
        for (label, text, file, line, _column), outcomes_ in seen.items()
    )


def _run_file(report: FileReport, policy: Policy | None) -> FileRun:
    from masterykit.examples import coverage, route_coverage, run_examples

    if report.district is not None and not has_errors(report.diagnostics):
        district: District = report.district
        outcomes = tuple(run_examples(district))
        routes = route_coverage(district, outcomes)
        return FileRun(report, outcomes, None, clause_coverage(outcomes), routes)
    if policy is None or has_errors(report.diagnostics):
        return FileRun(report)
    outcomes = tuple(run_examples(policy))
    return FileRun(report, outcomes, coverage(policy, outcomes), clause_coverage(outcomes))


def _coverage_gaps(run: FileRun) -> list[str]:
    """What the examples of one file never exercised, as short phrases."""
    found: list[str] = []
    if run.routes is not None and run.outcomes:
        found.extend(
            f"route {route.index + 1} `{route.text}` never taken by any example"
            for route in run.routes.never_taken
        )
    cov = run.coverage
    if cov is None or not run.outcomes:
        return found
    for name, seen in cov.requirements.items():
        found.extend(_never(f"requirement `{name}`", seen))
    for name, seen in cov.advancements.items():
        found.extend(_never(f"advance {name}", seen))
    if cov.has_graduation:
        found.extend(_never("graduate", cov.graduation))
    found.extend(
        f'graduate pathway "{name}" never taken by any example' for name in cov.pathways_never_taken
    )
    return found


def _never(label: str, seen: tuple[bool, ...]) -> list[str]:
    if not seen:
        return [f"{label} never decided by any example"]
    if True not in seen:
        return [f"{label} never met by any example"]
    if False not in seen:
        return [f"{label} never failed by any example"]
    return []


def _outcome_words(seen: tuple[bool, ...]) -> str:
    if not seen:
        return "never reached"
    return " and ".join("met" if value else "not met" for value in sorted(seen, reverse=True))


def _coverage_report(run: FileRun) -> list[str]:
    """The full ``--coverage`` report for one file, one line per decision, pathway and clause
    (for a district file, one line per route, then its clauses)."""
    if run.routes is not None:
        lines = [f"coverage of {run.report.path}:"]
        for route in run.routes.district.routes:
            taken = run.routes.taken.get(route.index, 0)
            lines.append(
                f"  route {route.index + 1} `{route.text}` (line {route.source.line}): "
                f"taken by {plural(taken, 'learner')}"
            )
        if run.routes.unrouted:
            lines.append(f"  no route: {plural(run.routes.unrouted, 'learner')}")
        for clause in run.clauses:
            where = f" ({clause.file}:{clause.line})" if clause.line is not None else ""
            lines.append(
                f"  {clause.decision}: `{clause.text}`{where}: {_outcome_words(clause.outcomes)}"
            )
        return lines
    cov = run.coverage
    if cov is None:
        return []
    lines = [f"coverage of {run.report.path}:"]
    for name, seen in cov.requirements.items():
        lines.append(f"  requirement `{name}`: {_outcome_words(seen)}")
    for name, seen in cov.advancements.items():
        lines.append(f"  advance {name}: {_outcome_words(seen)}")
    if cov.has_graduation:
        lines.append(f"  graduate: {_outcome_words(cov.graduation)}")
    for name, count in cov.pathways.items():
        lines.append(f'  pathway "{name}": taken {plural(count, "time")}')
    if cov.pace:
        lines.append(f"  pace: {', '.join(cov.pace)} seen")
    for clause in run.clauses:
        where = clause.where(run.report.path)
        lines.append(
            f"  {clause.decision}: `{clause.text}`{where}: {_outcome_words(clause.outcomes)}"
        )
    return lines


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line if line else "" for line in text.rstrip("\n").splitlines()]


def _example_label(outcome: ExampleOutcome) -> str:
    return f'{Path(outcome.file).name}: "{outcome.name}"'


def _failure_lines(
    outcome: ExampleOutcome, sources: Mapping[str, Source], colour: bool
) -> list[str]:
    lines: list[str] = []
    for diagnostic in outcome.diagnostics:
        lines.extend(_indent(render_text(diagnostic, sources, colour=colour), "  "))
    for failure in outcome.failures:
        where = f" (line {failure.span.line})" if failure.span is not None else ""
        lines.append(f"  {failure.text}{where}")
        if failure.diagnostic is not None and failure.diagnostic.code != "MK610":
            lines.append(f"    error[{failure.diagnostic.code}]: {failure.diagnostic.message}")
            if failure.diagnostic.help:
                lines.append(f"    help: {failure.diagnostic.help}")
            continue
        lines.append(f"    expected: {failure.expected}")
        lines.append(f"    actual:   {failure.actual}")
        if failure.explanation:
            lines.append("    why:")
            lines.extend(_indent(failure.explanation, "      "))
    return lines


def _print_text(runs: list[FileRun], show_coverage: bool) -> None:
    colour = use_colour()
    green, red, reset = ("\x1b[32m", "\x1b[1;31m", "\x1b[0m") if colour else ("", "", "")
    passed = failed = 0
    broken: list[FileRun] = []
    for run in runs:
        if not run.loaded:
            broken.append(run)
            continue
        for outcome in run.outcomes:
            if outcome.passed:
                passed += 1
                click.echo(f"{green}PASS{reset} {_example_label(outcome)}")
            else:
                failed += 1
                click.echo(f"{red}FAIL{reset} {_example_label(outcome)}")
                for line in _failure_lines(outcome, run.report.sources, colour):
                    click.echo(line)
    for run in broken:
        click.echo("")
        click.echo(f"{red}ERROR{reset} {run.report.path}: the policy has errors; no example ran")
        emit_diagnostics(
            [d for d in run.report.diagnostics if d.severity.value == "error"], run.report.sources
        )
    click.echo("")
    click.echo(f"{passed} passed, {failed} failed")
    if show_coverage:
        for run in runs:
            report = _coverage_report(run)
            if report:
                click.echo("\n".join(report))
    else:
        gaps = [
            f"{Path(run.report.path).name}: {gap}" for run in runs for gap in _coverage_gaps(run)
        ]
        if gaps:
            shown = "; ".join(gaps[:3])
            more = f"; and {len(gaps) - 3} more" if len(gaps) > 3 else ""
            click.echo(f"coverage: {shown}{more} (see `--coverage`)")


def _json_seen(seen: tuple[bool, ...]) -> dict[str, bool]:
    return {"met": True in seen, "not_met": False in seen}


def _coverage_json(run: FileRun) -> dict[str, Any] | None:
    cov = run.coverage
    if cov is None:
        return None
    return {
        "requirements": {name: _json_seen(seen) for name, seen in cov.requirements.items()},
        "advancements": {name: _json_seen(seen) for name, seen in cov.advancements.items()},
        "graduation": _json_seen(cov.graduation) if cov.has_graduation else None,
        "pathways": dict(cov.pathways),
        "pace": list(cov.pace),
        "clauses": [
            {
                "decision": clause.decision,
                "clause": clause.text,
                "file": clause.file,
                "line": clause.line,
                **_json_seen(clause.outcomes),
            }
            for clause in run.clauses
        ],
        "gaps": _coverage_gaps(run),
    }


def _diagnostic_json(diagnostic: Diagnostic | None) -> dict[str, Any] | None:
    return render_json(diagnostic) if diagnostic is not None else None


def _example_json(outcome: ExampleOutcome) -> dict[str, Any]:
    return {
        "name": outcome.name,
        "file": outcome.file,
        "line": outcome.span.line if outcome.span is not None else None,
        "as_of": outcome.as_of.isoformat() if outcome.as_of is not None else None,
        "passed": outcome.passed,
        "diagnostics": [render_json(d) for d in outcome.diagnostics],
        "expectations": [
            {
                "text": e.text,
                "line": e.span.line if e.span is not None else None,
                "passed": e.passed,
                "expected": e.expected,
                "actual": e.actual,
                "explanation": e.explanation or None,
                "diagnostic": _diagnostic_json(e.diagnostic),
            }
            for e in outcome.expectations
        ],
    }


def test_document(runs: list[FileRun]) -> dict[str, Any]:
    """The JSON document of ``test --format json`` (schema ``masterykit/test/v1``)."""
    outcomes = [outcome for run in runs for outcome in run.outcomes]
    passed = sum(1 for outcome in outcomes if outcome.passed)
    broken = sum(1 for run in runs if not run.loaded)
    failed = len(outcomes) - passed
    return {
        "schema": TEST_SCHEMA,
        "ok": failed == 0 and broken == 0,
        "summary": {
            "passed": passed,
            "failed": failed,
            "files": len(runs),
            "files_with_errors": broken,
        },
        "files": [_file_json(run) for run in runs],
    }


def _file_json(run: FileRun) -> dict[str, Any]:
    document = {
        "path": run.report.path,
        "policy": run.report.policy,
        "ok": run.loaded and all(o.passed for o in run.outcomes),
        "diagnostics": [render_json(d) for d in run.report.diagnostics],
        "examples": [_example_json(o) for o in run.outcomes],
        "coverage": _coverage_json(run),
    }
    if run.routes is not None:
        document["routes"] = [
            {
                "route": route.index + 1,
                "text": route.text,
                "line": route.source.line,
                "learners": run.routes.taken.get(route.index, 0),
            }
            for route in run.routes.district.routes
        ]
    return document


@click.command(short_help="Run the worked examples written in policy files.")
@click.argument("files", nargs=-1, required=True, metavar="FILE…|DIR")
@format_option("text", "json")
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Report every requirement, advancement, graduation pathway and clause, and the "
    "outcomes the examples gave it.",
)
@debug_option
def test(files: tuple[str, ...], output_format: str, show_coverage: bool) -> int:
    """Run the worked examples (`example` blocks) written in policy files.

    A folder stands for every `.mastery` file in it. Prints one line per example, the
    expected and actual values and the explanation for every failed expectation, then
    `N passed, N failed` and what no example exercised. An example in an overlay runs on
    the layered policy; one in a district file routes each learner first and reports the
    routes no example took. Exit status: 0 all passed, 1 a failure or a policy error, 2 usage
    error.
    """
    runs = [_run_file(report, report.resolved) for report in check_paths(policy_files(files))]
    document = test_document(runs)
    if output_format == "json":
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        _print_text(runs, show_coverage)
    return EXIT_OK if document["ok"] else EXIT_PROBLEM
