"""masterykit: run competency-based (mastery) education policies.

The public API: parse policy text (:func:`parse`, :func:`parse_file`), and the diagnostics and
errors every stage reports with.
"""

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
from masterykit.dsl.parser import parse, parse_file
from masterykit.evidence import Evidence, Learner, Rejection

__all__ = [
    "Diagnostic",
    "Evidence",
    "EvidenceError",
    "Learner",
    "MasteryError",
    "PolicyCheckError",
    "PolicySyntaxError",
    "Rejection",
    "Severity",
    "Source",
    "Span",
    "__version__",
    "parse",
    "parse_file",
]
