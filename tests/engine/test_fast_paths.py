"""The engine's fast paths give exactly what the generic paths give.

A calculation method may offer a running form (``MethodSpec.prefixes``) that the engine uses to
find first-proficient dates in one pass, and may say it never reads timestamps; a plugin method
that offers neither is called once per slice, with timestamps, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs
import pytest
from engine_kit import FOUR, build_policy, ev
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit.engine import evaluate
from masterykit.evidence import Evidence, Learner
from masterykit.policies.methods import BUILTIN_METHODS
from masterykit.policy import Duration, Level, Policy, Scale
from masterykit.registry import MethodContext, MethodSpec

D = Decimal
FAST = {spec.name: spec for spec in BUILTIN_METHODS}
#: The same methods with their fast paths taken away, as a plugin without them would be.
GENERIC = {
    name: attrs.evolve(spec, prefixes=None, reads_timestamps=True) for name, spec in FAST.items()
}
WITH_PREFIXES = sorted(name for name, spec in FAST.items() if spec.prefixes is not None)
CONTEXT = MethodContext(cut=D(3), scale_min=D(1), scale_max=D(4))

scores = st.lists(
    st.decimals(min_value=1, max_value=4, places=2, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
)


def _args(name: str, weight: Decimal, count: int) -> list[Decimal]:
    """Arguments as the checker passes them: weights as fractions, counts as whole numbers."""
    spec = FAST[name]
    return [weight if param.kind == "weight" else D(count) for param in spec.params]


def test_the_built_in_running_forms_are_the_ones_the_engine_can_use() -> None:
    assert WITH_PREFIXES == [
        "decaying_average",
        "highest",
        "mean",
        "mode",
        "most_recent",
        "n_mastery",
        "weighted_average",
    ]
    assert not any(spec.reads_timestamps for spec in BUILTIN_METHODS)


@pytest.mark.parametrize("name", WITH_PREFIXES)
@settings(max_examples=100, deadline=None)
@given(
    values=scores,
    weight=st.integers(min_value=1, max_value=99).map(lambda w: D(w) / 100),
    count=st.integers(min_value=1, max_value=4),
)
def test_running_form_gives_the_method_result_for_every_prefix(
    name: str, values: list[Decimal], weight: Decimal, count: int
) -> None:
    spec = FAST[name]
    assert spec.prefixes is not None
    args = _args(name, weight, count)
    running = list(spec.prefixes(values, args, CONTEXT))
    expected = [spec.function(values[: i + 1], args, CONTEXT) for i in range(len(values))]
    assert running == expected
    # Same digits, not only equal values (3 and 3.0 print differently).
    assert [str(value) for value in running] == [str(value) for value in expected]


def test_running_mode_keeps_the_first_written_form_of_a_tied_value() -> None:
    spec = FAST["mode"]
    assert spec.prefixes is not None
    running = list(spec.prefixes([D("3.0"), D(2), D(3), D(2)], [], CONTEXT))
    assert [str(value) for value in running] == ["3.0", "3.0", "3.0", "3.0"]


def test_running_decaying_average_leaves_the_callers_decimal_context_alone() -> None:
    import decimal

    spec = FAST["decaying_average"]
    assert spec.prefixes is not None
    with decimal.localcontext(decimal.Context(prec=3)):
        running = spec.prefixes([D(2), D(3), D(3), D(4)], [D("0.65")], CONTEXT)
        assert next(running) == D(2)
        assert decimal.getcontext().prec == 3
        assert list(running)[-1] == D("3.607125")


def _policies(method: str, args: Sequence[str], window: Duration | None) -> tuple[Policy, Policy]:
    policy = build_policy(
        {"A.1": FOUR, "A.2": FOUR},
        method=method,
        args=args,
        counts=[(2, ()), (1, ("test", "project"))],
        variety=2,
        window=window,
        overrides={"A.2": {"counts": [(1, ())], "variety": None}},
    )
    return (
        attrs.evolve(policy, methods=FAST),
        attrs.evolve(policy, methods=GENERIC),
    )


METHOD_CASES = [
    ("decaying_average", ("0.75",)),
    ("mode", ()),
    ("mean", ()),
    ("highest", ()),
    ("most_recent", ()),
    ("weighted_average", ("0.65",)),
    ("n_mastery", ("2",)),
    ("most_recent_mean", ("2",)),
    ("median", ()),
]

pieces = st.lists(
    st.tuples(
        st.sampled_from(["A.1", "A.2"]),
        st.integers(min_value=1, max_value=4),
        st.integers(min_value=0, max_value=900),
        st.sampled_from([None, "", "test", "project", "quiz"]),
    ),
    max_size=25,
)


@pytest.mark.parametrize(("method", "args"), METHOD_CASES)
@settings(max_examples=60, deadline=None)
@given(rows=pieces, windowed=st.booleans())
def test_first_proficient_dates_are_the_same_with_and_without_the_fast_paths(
    method: str, args: tuple[str, ...], rows: list[tuple[str, int, int, str | None]], windowed: bool
) -> None:
    fast, generic = _policies(method, args, Duration(6, "month") if windowed else None)
    start = dt.date(2024, 1, 1)
    evidence = [
        Evidence("ana", code, D(score), start + dt.timedelta(days=offset), kind=kind)
        for code, score, offset, kind in rows
    ]
    as_of = dt.date(2026, 6, 1)
    ours = evaluate(fast, Learner("ana"), evidence, as_of=as_of, first_proficient="all")
    theirs = evaluate(generic, Learner("ana"), evidence, as_of=as_of, first_proficient="all")
    assert ours.learners == theirs.learners
    for code, result in ours.learners[0].competencies.items():
        if result.proficient:
            assert result.first_proficient == _first_proficient_by_definition(fast, code, evidence)


def _first_proficient_by_definition(
    policy: Policy, code: str, evidence: list[Evidence]
) -> dt.date | None:
    """The first evidence date as of which the competency is proficient, found by evaluating as
    of every evidence date in turn."""
    days = sorted({piece.timestamp for piece in evidence if piece.competency == code})
    for day in days:
        assert isinstance(day, dt.date)
        result = evaluate(policy, Learner("ana"), evidence, as_of=day, first_proficient="pace")
        if result.learners[0].competencies[code].proficient:
            return day
    return None


def test_first_proficient_date_counts_evidence_rules_as_the_window_slides() -> None:
    # A.1 needs two pieces, one of them a test or a project, of two kinds, within six months.
    fast, _ = _policies("most_recent", (), Duration(6, "month"))
    evidence = [
        ev("ana", "A.1", 3, "2025-01-10", "test"),
        ev("ana", "A.1", 3, "2025-08-01", "quiz"),
        ev("ana", "A.1", 3, "2025-09-01", "quiz"),  # two pieces, but the test has left
        ev("ana", "A.1", 3, "2025-10-01", "project"),  # two kinds again, with a project
    ]
    result = evaluate(fast, Learner("ana"), evidence, as_of=dt.date(2026, 1, 1))
    assert result.learners[0].competencies["A.1"].first_proficient is None  # not in pace
    result = evaluate(
        fast, Learner("ana"), evidence, as_of=dt.date(2026, 1, 1), first_proficient="all"
    )
    assert result.learners[0].competencies["A.1"].first_proficient == dt.date(2025, 10, 1)


def test_a_plugin_method_without_fast_paths_still_reads_the_timestamps() -> None:
    def days_seen(
        scores: Sequence[Decimal], args: Sequence[Decimal], ctx: MethodContext
    ) -> Decimal:
        # One point per distinct day the scores were given on: readable only from timestamps.
        return D(min(4, len({stamp.date() for stamp in ctx.timestamps})))

    policy = build_policy(["A.1"], method="days_seen", counts=[(1, ())])
    policy = attrs.evolve(policy, methods={"days_seen": MethodSpec("days_seen", days_seen)})
    evidence = [
        ev("ana", "A.1", 1, "2026-01-01"),
        ev("ana", "A.1", 1, "2026-01-02"),
        ev("ana", "A.1", 1, "2026-01-02"),
        ev("ana", "A.1", 1, "2026-01-03"),
    ]
    result = evaluate(
        policy, Learner("ana"), evidence, as_of=dt.date(2026, 6, 1), first_proficient="all"
    )
    competency = result.learners[0].competencies["A.1"]
    assert competency.score == D(3)
    assert competency.first_proficient == dt.date(2026, 1, 3)


TEN = Scale("ten", tuple(Level(str(value), D(value)) for value in range(11)))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["F.1", "F.2", "T.1", "X.9"]),
            st.sampled_from(
                ["0", "1", "3", "4", "5", "7", "10", "11", "NaN", "sNaN", "-Infinity", "Infinity"]
            ),
            st.integers(min_value=0, max_value=400),
        ),
        max_size=20,
    )
)
def test_checking_a_learners_scores_at_once_accepts_and_rejects_as_piece_by_piece(
    rows: list[tuple[str, str, int]],
) -> None:
    # F.* are on a 1-4 scale and T.1 on a 0-10 scale: a score fits all of them only in 1-4.
    policy = build_policy(
        {"F.1": FOUR, "F.2": FOUR, "T.1": TEN},
        method="mean",
        overrides={"T.1": {"cut": "6", "cut_level": "6"}},
    )
    start = dt.date(2025, 1, 1)
    evidence = [
        Evidence("ana", code, D(score), start + dt.timedelta(days=offset))
        for code, score, offset in rows
    ]
    result = evaluate(policy, Learner("ana"), evidence, as_of=dt.date(2026, 6, 1))
    checked = [(r.code, r.reason) for r in result.rejections]
    expected = []
    for piece in evidence:
        if piece.competency == "X.9":
            expected.append(("MK351", "evidence for unknown competency `X.9`"))
        elif not piece.score.is_finite():
            expected.append(
                ("MK353", f"score `{piece.score}` on `{piece.competency}` is not a number")
            )
        elif piece.score < (0 if piece.competency == "T.1" else 1) or piece.score > (
            10 if piece.competency == "T.1" else 4
        ):
            high = "10" if piece.competency == "T.1" else "4"
            low = "0" if piece.competency == "T.1" else "1"
            expected.append(
                (
                    "MK352",
                    f"score `{piece.score}` is off the scale of `{piece.competency}` "
                    f"({low} to {high})",
                )
            )
    assert sorted(checked) == sorted(expected)
    used = [piece for c in result.learners[0].competencies.values() for piece in c.used]
    assert len(used) + len(checked) == len(evidence)
