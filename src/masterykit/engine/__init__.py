"""The evaluation engine: run a checked policy for learners and their evidence.

* :func:`evaluate` — a policy (or a district file), learners and evidence as of a date →
  :class:`EvaluationResult`;
* ``route`` and ``routing`` — which route of a district file takes a learner, and why;
* :func:`evaluate_stream` — evidence sorted by learner → one result per learner, streamed
  (district batches; :mod:`masterykit.batch` runs them on several processes);
* :class:`Session` — one learner, evidence arriving one piece at a time (online mode);
* :func:`explain` and :func:`render_text` — why, as a tree of sentences and as plain text;
* :func:`~masterykit.engine.steps.next_steps` and the facts of :mod:`masterykit.engine.facts` —
  what is still missing, as values; :func:`~masterykit.engine.render.render_fact` words one for
  an audience;
* :func:`to_json` / :func:`unstructure` — results as JSON (decimals as strings, dates ISO);
  :func:`compact` — a learner's statuses, decisions and first next steps, for HTTP responses.

Results are frozen values (:mod:`masterykit.engine.results`); they never depend on the order in
which evidence arrives, and the same inputs give byte-identical JSON.
"""

from masterykit.diagnostics import Span
from masterykit.district import PolicyIdentity
from masterykit.engine.compact import (
    CompactCompetency,
    CompactDecision,
    CompactLearner,
    CompactPace,
    compact,
)
from masterykit.engine.district import route, routing
from masterykit.engine.evaluate import evaluate
from masterykit.engine.explain import (
    Explanation,
    explain,
    explain_competency,
    explain_decision,
    explain_learner,
    explain_pace,
    render_text,
)
from masterykit.engine.facts import (
    CompetencyTestKind,
    DueNotADate,
    DueProblem,
    Fact,
    LearnerCondition,
    LevelNeeded,
    MoreCompetencies,
    MoreEvidence,
    MoreKinds,
    MustNotBe,
    MustNotHold,
    NoDueAttribute,
    NoDueRule,
    NoScoreYet,
    RequirementCannotHold,
    ScoreNeeded,
    StatusNeeded,
)
from masterykit.engine.render import (
    AUDIENCES,
    Audience,
    Names,
    render_check_rule,
    render_fact,
    render_learner_plain,
    render_pace_plain,
    render_pace_reason,
    render_status,
    render_what_counts,
)
from masterykit.engine.results import (
    ClauseKind,
    ClauseResult,
    CompetencyResult,
    CompetencyTestRule,
    DecisionResult,
    EvaluationResult,
    EvidenceCounts,
    LearnerResult,
    NextStep,
    NotEvaluated,
    PaceResult,
    PaceStatus,
    RouteResult,
    Status,
    SufficiencyCheck,
    UnusedEvidence,
    UnusedReason,
)
from masterykit.engine.serde import FORMAT, converter, to_json, unstructure
from masterykit.engine.session import (
    Changes,
    CompetencyChange,
    DecisionChange,
    PaceChange,
    Session,
)
from masterykit.engine.steps import clause_steps, competency_missing, next_steps
from masterykit.engine.stream import evaluate_stream
from masterykit.evidence import Evidence, Learner, Origin, Period, Rejection
from masterykit.policy import (
    CalculationRule,
    CutRule,
    Duration,
    GateRule,
    Provenance,
    WindowRule,
)

__all__ = [
    "AUDIENCES",
    "FORMAT",
    "Audience",
    "CalculationRule",
    "Changes",
    "ClauseKind",
    "ClauseResult",
    "CompactCompetency",
    "CompactDecision",
    "CompactLearner",
    "CompactPace",
    "CompetencyChange",
    "CompetencyResult",
    "CompetencyTestKind",
    "CompetencyTestRule",
    "CutRule",
    "DecisionChange",
    "DecisionResult",
    "DueNotADate",
    "DueProblem",
    "Duration",
    "EvaluationResult",
    "Evidence",
    "EvidenceCounts",
    "Explanation",
    "Fact",
    "GateRule",
    "Learner",
    "LearnerCondition",
    "LearnerResult",
    "LevelNeeded",
    "MoreCompetencies",
    "MoreEvidence",
    "MoreKinds",
    "MustNotBe",
    "MustNotHold",
    "Names",
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
    "PolicyIdentity",
    "Provenance",
    "Rejection",
    "RequirementCannotHold",
    "RouteResult",
    "ScoreNeeded",
    "Session",
    "Span",
    "Status",
    "StatusNeeded",
    "SufficiencyCheck",
    "UnusedEvidence",
    "UnusedReason",
    "WindowRule",
    "clause_steps",
    "compact",
    "competency_missing",
    "converter",
    "evaluate",
    "evaluate_stream",
    "explain",
    "explain_competency",
    "explain_decision",
    "explain_learner",
    "explain_pace",
    "next_steps",
    "render_check_rule",
    "render_fact",
    "render_learner_plain",
    "render_pace_plain",
    "render_pace_reason",
    "render_status",
    "render_text",
    "render_what_counts",
    "route",
    "routing",
    "to_json",
    "unstructure",
]
