"""Each semantic primitive against the language contract (``LANGUAGE.md``), and the engine's fast
paths against the primitives' plain statements."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from masterykit.engine import Status, evaluate
from masterykit.engine.semantics import (
    counts_in_window,
    evidence_key,
    first_proficient,
    level_of,
    needed_competencies,
    pace_projection,
    round_score,
    sufficient,
    window_start,
)
from masterykit.evidence import Evidence, Learner
from masterykit.loader import load_text
from masterykit.policy import Duration

D = Decimal


def test_evidence_orders_by_timestamp_then_score_lowest_first() -> None:
    day = dt.date(2026, 1, 5)
    pieces = [
        Evidence("a", "X", D(3), day),
        Evidence("a", "X", D(2), dt.datetime(2026, 1, 5, 0, 0)),
        Evidence("a", "X", D(1), dt.date(2026, 1, 6)),
        Evidence("a", "X", D(2), day),
    ]
    ordered = sorted(pieces, key=evidence_key)
    # A date is its midnight; a date before the same moment written as a date and time.
    assert [(str(p.score), p.timestamp) for p in ordered] == [
        ("2", day),
        ("2", dt.datetime(2026, 1, 5, 0, 0)),
        ("3", day),
        ("1", dt.date(2026, 1, 6)),
    ]


def test_the_window_counts_both_ends_and_moves_months_along_the_calendar() -> None:
    as_of = dt.date(2026, 3, 31)
    start = window_start(Duration(1, "month"), as_of)
    assert start == dt.date(2026, 2, 28)  # clamped to the month's end
    assert window_start(None, as_of) is None
    assert window_start(Duration(2, "week"), as_of) == dt.date(2026, 3, 17)
    assert counts_in_window(dt.date(2026, 2, 28), start, as_of)
    assert counts_in_window(as_of, start, as_of)
    assert counts_in_window(dt.datetime(2026, 3, 31, 23, 59), start, as_of)
    assert not counts_in_window(dt.date(2026, 2, 27), start, as_of)
    assert not counts_in_window(dt.date(2026, 4, 1), start, as_of)
    assert counts_in_window(dt.date(1990, 1, 1), None, as_of)


@pytest.mark.parametrize(
    ("raw", "rounded"),
    [("4.125", "4.13"), ("1.005", "1.01"), ("2.994", "2.99"), ("-2.345", "-2.35"), ("3", "3.00")],
)
def test_scores_round_to_two_decimals_half_away_from_zero(raw: str, rounded: str) -> None:
    assert round_score(D(raw)) == D(rounded)
    assert str(round_score(D(raw))) == rounded


def test_the_level_is_the_highest_at_or_below_the_score() -> None:
    levels = [("Beginning", D(1)), ("Developing", D(2)), ("Proficient", D(3))]
    assert level_of(D("2.99"), levels) == "Developing"
    assert level_of(D(3), levels) == "Proficient"
    assert level_of(D("0.5"), levels) is None


def test_sufficiency_needs_counted_evidence_and_every_rule() -> None:
    assert sufficient((), (), 1)  # no evidence rule: one piece suffices
    assert not sufficient((), (), 0)
    assert sufficient((3, 1), (2, 1), 3)
    assert not sufficient((3, 0), (2, 1), 3)


@pytest.mark.parametrize(
    ("quantifier", "amount", "total", "needed"),
    [
        ("all", None, 7, 7),
        ("any", None, 7, 1),
        ("none", None, 7, 0),
        ("count", D(3), 7, 3),
        ("percent", D(50), 7, 4),  # rounded up to whole competencies
        ("percent", D(50), 8, 4),
        ("percent", D("33.3"), 3, 1),
        ("percent", D(100), 3, 3),
    ],
)
def test_percentages_round_up_to_whole_competencies(
    quantifier: str, amount: Decimal | None, total: int, needed: int
) -> None:
    assert needed_competencies(quantifier, amount, total) == needed


def test_the_pace_projection_is_exact_and_rounds_up() -> None:
    as_of = dt.date(2026, 6, 1)
    # 3 remaining, 2 proficient in a 182-day window: ⌈3 × 182 ÷ 2⌉ = 273 days.
    assert pace_projection(as_of, 3, 2, 182) == as_of + dt.timedelta(days=273)
    assert pace_projection(as_of, 1, 3, 10) == as_of + dt.timedelta(days=4)
    assert pace_projection(as_of, 3, 0, 182) is None
    assert pace_projection(dt.date(9999, 12, 1), 10**6, 1, 10**6) == dt.date.max


def test_the_first_proficient_date_is_the_first_evidence_date_that_was_proficient() -> None:
    seen: list[dt.date] = []

    def proficient(day: dt.date) -> bool:
        seen.append(day)
        return day >= dt.date(2026, 1, 3)

    days = [dt.date(2026, 1, 5), dt.date(2026, 1, 1), dt.date(2026, 1, 3), dt.date(2026, 1, 1)]
    assert first_proficient(days, proficient) == dt.date(2026, 1, 3)
    assert seen == [dt.date(2026, 1, 1), dt.date(2026, 1, 3)]
    assert first_proficient(days, lambda day: False) is None


POLICIES = {
    method: load_text(
        f"""policy "P" version "1"
scale four_point {{ 1 Beginning 2 Developing 3 Proficient 4 Advanced }}
area A "A" {{ competency A.1 "One" }}
calculate {method}
proficient at Proficient
evidence at least 2
evidence at least 1 from project
evidence within 60 days
""",
        "p.mastery",
    )
    for method in ("decaying_average(65%)", "mean", "n_mastery(2)", "most_recent", "power_law")
}


@pytest.mark.parametrize("method", sorted(POLICIES))
def test_the_engines_first_proficient_dates_match_the_plain_statement(method: str) -> None:
    policy = POLICIES[method]
    rng = random.Random(method)
    for trial in range(40):
        learner = Learner(f"l{trial}")
        pieces = [
            Evidence(
                learner.id,
                "A.1",
                D(rng.randrange(1, 5)),
                dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 150)),
                kind=rng.choice(["project", "quiz", None]),
            )
            for _ in range(rng.randrange(1, 12))
        ]
        as_of = dt.date(2026, 6, 1)
        found = evaluate(policy, learner, pieces, as_of=as_of, first_proficient="all")
        result = found.learners[0].competencies["A.1"]

        def proficient_as_of(
            day: dt.date, learner: Learner = learner, pieces: list[Evidence] = pieces
        ) -> bool:
            then = evaluate(policy, learner, pieces, as_of=day).learners[0]
            return then.competencies["A.1"].status is Status.PROFICIENT

        dates = [p.timestamp for p in pieces if p.timestamp <= as_of]
        expected = (
            first_proficient(dates, proficient_as_of)
            if result.status is Status.PROFICIENT
            else None
        )
        assert result.first_proficient == expected, (method, trial)
