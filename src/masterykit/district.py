"""The checked district file: routes that send each learner to the policy that governs them.

A district file (``district "…" { when <learner clause> use "<file>" … otherwise use … }``)
names no rules of its own. The checker turns it into a :class:`District`: every route's
condition is resolved like any learner clause, every routed policy is loaded and checked with its
whole ``extends`` chain, and all of them share the district's base policy (``District.base``).

Routes are tried in order; the first whose condition holds for a learner (with the attributes in
force on the as-of date) decides. A route may send learners to no policy at all
(``not evaluated "reason"``) — a school that has not moved to mastery-based grading yet. A
``District`` is frozen and, like :class:`~masterykit.policy.Policy`, can be shared across
threads and learners; it never parses and never reads files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from masterykit.diagnostics import Source
from masterykit.policy import (
    Clause,
    Policy,
    PolicyExample,
    Provenance,
    read_only,
    semantic_value,
)

if TYPE_CHECKING:
    from masterykit.engine.results import EvaluationResult
    from masterykit.evidence import Evidence, Learner

__all__ = ["District", "PolicyIdentity", "Route"]


@attrs.frozen(slots=True)
class PolicyIdentity:
    """Which policy evaluated a learner: its name, version and :func:`fingerprint
    <masterykit.policy.fingerprint>`, and the file it was loaded from."""

    name: str
    version: str | None
    fingerprint: str
    file: str

    @classmethod
    def of(cls, policy: Policy) -> PolicyIdentity:
        """The identity of ``policy`` (worked out once per policy object: its fingerprint
        walks the whole policy)."""
        found = _IDENTITIES.get(policy)
        if found is None:
            found = cls(policy.name, policy.version, policy.fingerprint, policy.file)
            _IDENTITIES[policy] = found
        return found


# A policy is immutable, so its identity never changes; entries go with their policies.
_IDENTITIES: weakref.WeakKeyDictionary[Policy, PolicyIdentity] = weakref.WeakKeyDictionary()


@attrs.frozen(slots=True, eq=False)
class Route:
    """One line of a district file.

    ``condition`` is ``None`` for ``otherwise``. ``policy`` is ``None`` for a route that sends
    its learners to no policy (``not evaluated "reason"``; ``reason`` holds the text). ``index``
    is the route's position (0 first), ``text`` the line as the author would write it and
    ``source`` where it was written.
    """

    index: int
    condition: Clause | None
    policy: Policy | None
    text: str
    source: Provenance
    reason: str | None = None

    @property
    def evaluated(self) -> bool:
        """Whether learners this route takes are evaluated (it names a policy)."""
        return self.policy is not None


@attrs.frozen(slots=True, eq=False)
class District:
    """A checked district file: its name and version, the district's base policy, and its
    routes in order.

    ``examples`` are the district file's worked examples; ``sources`` holds the text of every
    file involved (the district file and every routed policy's chain) so diagnostics and
    explanations can quote them.
    """

    name: str
    version: str | None
    file: str
    base: Policy
    routes: tuple[Route, ...]
    examples: tuple[PolicyExample, ...] = ()
    sources: Mapping[str, Source] = attrs.field(factory=dict, repr=False, converter=read_only)

    @property
    def policies(self) -> tuple[Policy, ...]:
        """Every distinct policy a route names, in route order."""
        seen: dict[int, Policy] = {}
        for route in self.routes:
            if route.policy is not None:
                seen.setdefault(id(route.policy), route.policy)
        return tuple(seen.values())

    @property
    def fingerprint(self) -> str:
        """A stable hash of what the district does, made of each route's condition and the
        fingerprint of the policy it names (or its reason), in order."""
        form = [
            {
                "condition": None if route.condition is None else _clause_form(route.condition),
                "policy": None if route.policy is None else route.policy.fingerprint,
                "reason": route.reason,
            }
            for route in self.routes
        ]
        encoded = json.dumps(form, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(encoded.encode("utf-8")).hexdigest()

    def evaluate(
        self,
        learners: Learner | Iterable[Learner] | None,
        evidence: Iterable[Evidence] = (),
        *,
        as_of: dt.date | dt.datetime | None = None,
        first_proficient: Literal["pace", "all"] = "pace",
    ) -> EvaluationResult:
        """Evaluate every learner under the policy their route names; a shortcut for
        :func:`masterykit.engine.evaluate` (see there).

        .. versionadded:: 0.1
        """
        from masterykit.engine.evaluate import evaluate

        return evaluate(self, learners, evidence, as_of=as_of, first_proficient=first_proficient)


def _clause_form(clause: Clause) -> object:
    return semantic_value(clause)
