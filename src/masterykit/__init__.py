"""masterykit: run competency-based (mastery) education policies.

The public API, in the order a host application meets it:

* read and check a policy: :func:`~masterykit.loader.load` (a file and the chain of files
  it ``extends``), :func:`~masterykit.loader.load_text`, :func:`~masterykit.loader.check_file`
  (policies and district files), :func:`~masterykit.loader.load_district` (a district file and
  every policy it routes to: a :class:`~masterykit.district.District`),
  :func:`~masterykit.loader.load_any` (either kind of file),
  (never raises for policy problems: for editors and tools), :func:`~masterykit.dsl.parser.parse`
  and :func:`~masterykit.dsl.parser.parse_file` (syntax only), ``format_text`` and
  ``format_policy``;
* feed it learners and evidence: :class:`~masterykit.evidence.Learner`,
  :class:`~masterykit.evidence.Evidence`, or :func:`~masterykit.readers.read_evidence` and
  :func:`~masterykit.readers.read_learners` for CSV, JSON Lines, xAPI and OneRoster files;
* evaluate: :func:`~masterykit.engine.evaluate` (or ``policy.evaluate``) for many learners,
  :func:`~masterykit.engine.evaluate_stream` for a district's evidence sorted by learner (in
  flat memory, on several processes if asked), ``Session`` for one learner whose evidence
  arrives a piece at a time; results explain
  themselves (:func:`~masterykit.engine.explain`, ``render_text``, ``to_json``);
* run the worked examples written in a policy: :func:`~masterykit.examples.run_examples`;
* extend it: ``hookimpl``, :class:`~masterykit.registry.Registry`,
  :func:`~masterykit.plugins.default_registry`.

Every problem a user can cause is a :class:`~masterykit.diagnostics.Diagnostic` with a stable
code; functions raise a :class:`~masterykit.diagnostics.MasteryError` subclass carrying them.

>>> import masterykit
>>> policy = masterykit.load_text('''
... policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''')
>>> import datetime as dt
>>> from decimal import Decimal
>>> evidence = [masterykit.Evidence("ana", "MATH.1", Decimal(2), dt.date(2026, 1, 10))]
>>> result = masterykit.evaluate(policy, [masterykit.Learner("ana")], evidence,
...                              as_of=dt.date(2026, 6, 1))
>>> result.learner("ana").competencies["MATH.1"].status.value
'proficient'

Heavy parts (the engine, the readers) are imported on first use, so ``import masterykit`` and
``masterykit --version`` stay quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from masterykit._version import __version__
from masterykit.diagnostics import (
    Diagnostic,
    EvidenceError,
    MasteryError,
    PolicyCheckError,
    PolicySyntaxError,
    Severity,
    Source,
    Span,
)

# `diff` and `impact` are imported here, not on first use: their modules have the same names,
# and a name bound here is not replaced when the module is imported later (both are light: they
# import the engine only when called).
from masterykit.diff import PolicyDiff, diff
from masterykit.evidence import Evidence, Learner, Origin, Period, Rejection
from masterykit.impact import ImpactReport, impact

if TYPE_CHECKING:
    from masterykit.district import District, PolicyIdentity, Route
    from masterykit.dsl.format import format_policy, format_text
    from masterykit.dsl.parser import parse, parse_file
    from masterykit.engine import (
        Changes,
        ClauseKind,
        ClauseResult,
        CompactLearner,
        CompetencyChange,
        CompetencyResult,
        CompetencyTestRule,
        DecisionChange,
        DecisionResult,
        DueNotADate,
        DueProblem,
        EvaluationResult,
        EvidenceCounts,
        Fact,
        LearnerCondition,
        LearnerResult,
        LevelNeeded,
        MoreCompetencies,
        MoreEvidence,
        MoreKinds,
        MustNotBe,
        MustNotHold,
        NextStep,
        NoDueAttribute,
        NoDueRule,
        NoScoreYet,
        NotEvaluated,
        PaceChange,
        PaceResult,
        PaceStatus,
        RequirementCannotHold,
        RouteResult,
        ScoreNeeded,
        Session,
        Status,
        StatusNeeded,
        SufficiencyCheck,
        UnusedEvidence,
        UnusedReason,
        compact,
        evaluate,
        evaluate_stream,
        explain,
        render_text,
        to_json,
    )
    from masterykit.examples import run_examples
    from masterykit.groups import Grouping, continuum_view, group_results
    from masterykit.loader import (
        CheckResult,
        check_file,
        load,
        load_any,
        load_district,
        load_text,
    )
    from masterykit.plugins import PluginError, default_registry, hookimpl
    from masterykit.policy import (
        CalculationRule,
        CutRule,
        Duration,
        GateRule,
        Policy,
        Provenance,
        ReteachRule,
        WindowRule,
        fingerprint,
        semantic_form,
    )
    from masterykit.readers import ReadSummary, read_evidence, read_learners
    from masterykit.registry import Registry

__all__ = [
    "CalculationRule",
    "Changes",
    "CheckResult",
    "ClauseKind",
    "ClauseResult",
    "CompactLearner",
    "CompetencyChange",
    "CompetencyResult",
    "CompetencyTestRule",
    "CutRule",
    "DecisionChange",
    "DecisionResult",
    "Diagnostic",
    "District",
    "DueNotADate",
    "DueProblem",
    "Duration",
    "EvaluationResult",
    "Evidence",
    "EvidenceCounts",
    "EvidenceError",
    "Fact",
    "GateRule",
    "Grouping",
    "ImpactReport",
    "Learner",
    "LearnerCondition",
    "LearnerResult",
    "LevelNeeded",
    "MasteryError",
    "MoreCompetencies",
    "MoreEvidence",
    "MoreKinds",
    "MustNotBe",
    "MustNotHold",
    "NextStep",
    "NoDueAttribute",
    "NoDueRule",
    "NoScoreYet",
    "NotEvaluated",
    "Origin",
    "PaceChange",
    "PaceResult",
    "PaceStatus",
    "Period",
    "PluginError",
    "Policy",
    "PolicyCheckError",
    "PolicyDiff",
    "PolicyIdentity",
    "PolicySyntaxError",
    "Provenance",
    "ReadSummary",
    "Registry",
    "Rejection",
    "RequirementCannotHold",
    "ReteachRule",
    "Route",
    "RouteResult",
    "ScoreNeeded",
    "Session",
    "Severity",
    "Source",
    "Span",
    "Status",
    "StatusNeeded",
    "SufficiencyCheck",
    "UnusedEvidence",
    "UnusedReason",
    "WindowRule",
    "__version__",
    "check_file",
    "compact",
    "continuum_view",
    "default_registry",
    "diff",
    "evaluate",
    "evaluate_stream",
    "explain",
    "fingerprint",
    "format_policy",
    "format_text",
    "group_results",
    "hookimpl",
    "impact",
    "load",
    "load_any",
    "load_district",
    "load_text",
    "parse",
    "parse_file",
    "read_evidence",
    "read_learners",
    "render_text",
    "run_examples",
    "semantic_form",
    "to_json",
]

# Where each lazily imported name lives.
_LAZY = {
    "format_policy": "masterykit.dsl.format",
    "format_text": "masterykit.dsl.format",
    "parse": "masterykit.dsl.parser",
    "parse_file": "masterykit.dsl.parser",
    "ClauseKind": "masterykit.engine",
    "ClauseResult": "masterykit.engine",
    "CompetencyTestRule": "masterykit.engine",
    "DecisionResult": "masterykit.engine",
    "EvidenceCounts": "masterykit.engine",
    "Fact": "masterykit.engine",
    "LearnerCondition": "masterykit.engine",
    "LevelNeeded": "masterykit.engine",
    "MoreCompetencies": "masterykit.engine",
    "MoreEvidence": "masterykit.engine",
    "MoreKinds": "masterykit.engine",
    "MustNotBe": "masterykit.engine",
    "MustNotHold": "masterykit.engine",
    "NextStep": "masterykit.engine",
    "NoScoreYet": "masterykit.engine",
    "NotEvaluated": "masterykit.engine",
    "RouteResult": "masterykit.engine",
    "PaceResult": "masterykit.engine",
    "PaceStatus": "masterykit.engine",
    "RequirementCannotHold": "masterykit.engine",
    "ScoreNeeded": "masterykit.engine",
    "StatusNeeded": "masterykit.engine",
    "SufficiencyCheck": "masterykit.engine",
    "UnusedEvidence": "masterykit.engine",
    "UnusedReason": "masterykit.engine",
    "DueNotADate": "masterykit.engine",
    "DueProblem": "masterykit.engine",
    "NoDueAttribute": "masterykit.engine",
    "NoDueRule": "masterykit.engine",
    "CompetencyResult": "masterykit.engine",
    "EvaluationResult": "masterykit.engine",
    "LearnerResult": "masterykit.engine",
    "Session": "masterykit.engine",
    "PaceChange": "masterykit.engine",
    "DecisionChange": "masterykit.engine",
    "CompetencyChange": "masterykit.engine",
    "Changes": "masterykit.engine",
    "CompactLearner": "masterykit.engine",
    "compact": "masterykit.engine",
    "Status": "masterykit.engine",
    "evaluate": "masterykit.engine",
    "evaluate_stream": "masterykit.engine",
    "explain": "masterykit.engine",
    "render_text": "masterykit.engine",
    "to_json": "masterykit.engine",
    "run_examples": "masterykit.examples",
    "Grouping": "masterykit.groups",
    "continuum_view": "masterykit.groups",
    "group_results": "masterykit.groups",
    "CheckResult": "masterykit.loader",
    "check_file": "masterykit.loader",
    "load": "masterykit.loader",
    "load_text": "masterykit.loader",
    "load_any": "masterykit.loader",
    "load_district": "masterykit.loader",
    "District": "masterykit.district",
    "PolicyIdentity": "masterykit.district",
    "Route": "masterykit.district",
    "PluginError": "masterykit.plugins",
    "default_registry": "masterykit.plugins",
    "hookimpl": "masterykit.plugins",
    "Policy": "masterykit.policy",
    "Duration": "masterykit.policy",
    "CalculationRule": "masterykit.policy",
    "CutRule": "masterykit.policy",
    "Provenance": "masterykit.policy",
    "WindowRule": "masterykit.policy",
    "GateRule": "masterykit.policy",
    "ReteachRule": "masterykit.policy",
    "fingerprint": "masterykit.policy",
    "semantic_form": "masterykit.policy",
    "ReadSummary": "masterykit.readers",
    "read_evidence": "masterykit.readers",
    "read_learners": "masterykit.readers",
    "Registry": "masterykit.registry",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'masterykit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
