"""The evaluation engine: run a checked policy for learners and their evidence.

* :func:`evaluate` — a policy, learners and evidence as of a date → :class:`EvaluationResult`;
* :func:`evaluate_stream` — evidence sorted by learner → one result per learner, streamed
  (district batches; :mod:`masterykit.batch` runs them on several processes);
* :class:`Session` — one learner, evidence arriving one piece at a time (online mode);
* :func:`explain` and :func:`render_text` — why, as a tree of sentences and as plain text;
* :func:`to_json` / :func:`unstructure` — results as JSON (decimals as strings, dates ISO).

Results are frozen values (:mod:`masterykit.engine.results`); they never depend on the order in
which evidence arrives, and the same inputs give byte-identical JSON.
"""

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
from masterykit.engine.results import (
    ClauseResult,
    CompetencyResult,
    DecisionResult,
    EvaluationResult,
    EvidenceCounts,
    LearnerResult,
    NextStep,
    PaceResult,
    PaceStatus,
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
from masterykit.engine.stream import evaluate_stream

__all__ = [
    "FORMAT",
    "Changes",
    "ClauseResult",
    "CompetencyChange",
    "CompetencyResult",
    "DecisionChange",
    "DecisionResult",
    "EvaluationResult",
    "EvidenceCounts",
    "Explanation",
    "LearnerResult",
    "NextStep",
    "PaceChange",
    "PaceResult",
    "PaceStatus",
    "Session",
    "Status",
    "SufficiencyCheck",
    "UnusedEvidence",
    "UnusedReason",
    "converter",
    "evaluate",
    "evaluate_stream",
    "explain",
    "explain_competency",
    "explain_decision",
    "explain_learner",
    "explain_pace",
    "render_text",
    "to_json",
    "unstructure",
]
