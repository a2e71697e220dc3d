"""Laws of ``masterykit.impact``, on generated learners and evidence: a policy compared with
itself changes nothing, and swapping the two policies mirrors every figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.evidence import Evidence, Learner
from masterykit.impact import ImpactReport, impact
from masterykit.loader import load_text

TEXT = """\
policy "P" version "1"
scale s {{ 1 Beginning 2 Developing 3 Proficient 4 Advanced }}
competency A "A"
competency B "B"
calculate {method}
proficient at {cut}
evidence at least {count}
requirement both "Both" {{ all of A + B proficient }}
graduate when {{ requirement both }}
"""

POLICIES = st.builds(
    lambda method, cut, count: load_text(
        TEXT.format(method=method, cut=cut, count=count), f"{method}-{cut}-{count}.mastery"
    ),
    st.sampled_from(["highest", "mean", "most_recent", "decaying_average(65%)"]),
    st.sampled_from(["Developing", "Proficient", "3.5"]),
    st.integers(1, 3),
)

DAY = dt.date(2026, 6, 1)


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[list[Learner], list[Evidence]]:
    size = draw(st.integers(1, 24))
    learners = [
        Learner(f"l{i:02d}", {"school": draw(st.sampled_from(["a", "b", "c"]))})
        for i in range(size)
    ]
    evidence = []
    for learner in learners:
        for _ in range(draw(st.integers(0, 4))):
            evidence.append(
                Evidence(
                    learner.id,
                    draw(st.sampled_from(["A", "B"])),
                    Decimal(draw(st.integers(1, 4))),
                    DAY - dt.timedelta(days=draw(st.integers(0, 200))),
                )
            )
    return learners, evidence


def _run(old, new, cohort) -> ImpactReport:
    learners, evidence = cohort
    return impact(old, new, learners, evidence, as_of=DAY, by=["school"], min_group=3)


@settings(max_examples=40, deadline=None)
@given(POLICIES, cohorts())
def test_a_policy_compared_with_itself_changes_nothing(policy, cohort) -> None:
    report = _run(policy, policy, cohort)
    assert report.unchanged
    assert report.changed == ()
    assert all(s.transitions == () for s in report.scopes)
    for rate in report.groups:
        if not rate.suppressed and rate.scope != "any":
            assert rate.before == rate.after
            assert rate.changed == 0
    assert all(gap.direction == "unchanged" for gap in report.gaps)


_MIRROR = {"widens": "narrows", "narrows": "widens", "unchanged": "unchanged"}


@settings(max_examples=40, deadline=None)
@given(POLICIES, POLICIES, cohorts())
def test_swapping_the_policies_mirrors_every_figure(a, b, cohort) -> None:
    forward, backward = _run(a, b, cohort), _run(b, a, cohort)
    assert [(s.scope, s.changed) for s in forward.scopes] == [
        (s.scope, s.changed) for s in backward.scopes
    ]
    for there, back in zip(forward.scopes, backward.scopes, strict=True):
        assert sorted(there.transitions) == sorted((n, w, c) for w, n, c in back.transitions)
    assert len(forward.groups) == len(backward.groups)
    for there, back in zip(forward.groups, backward.groups, strict=True):
        assert (there.by, there.group, there.scope, there.subject, there.suppressed) == (
            back.by,
            back.group,
            back.scope,
            back.subject,
            back.suppressed,
        )
        if there.suppressed or there.scope == "any":
            continue
        assert (there.before_count, there.after_count) == (back.after_count, back.before_count)
        assert there.changed == back.changed
    gaps = {(g.by, g.scope, g.subject): g for g in backward.gaps}
    for gap in forward.gaps:
        back = gaps[gap.by, gap.scope, gap.subject]
        assert (gap.before, gap.after) == (back.after, back.before)
        assert gap.direction == _MIRROR[back.direction]
    forward_changes = sorted((c.learner, c.subject, c.before, c.after) for c in forward.changed)
    backward_changes = sorted((c.learner, c.subject, c.after, c.before) for c in backward.changed)
    assert forward_changes == backward_changes
