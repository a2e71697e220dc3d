"""Shared fixtures of the language tests: a hand-built registry of the ten built-in method names.

The checker only needs each method's name and parameters; the functions here are placeholders
that the checker never calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from masterykit.registry import MethodContext, MethodSpec, ParamSpec, Registry

__all__ = ["check_registry", "hand_registry"]


def _unused(scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext) -> Decimal:
    return scores[-1]


def hand_registry() -> Registry:
    """The ten built-in methods with their parameters as LANGUAGE.md gives them."""
    weight = ParamSpec("w", "weight", Decimal(1), Decimal(99), Decimal(65))
    return Registry.of(
        [
            MethodSpec("mean", _unused),
            MethodSpec("median", _unused),
            MethodSpec("mode", _unused),
            MethodSpec("most_recent", _unused),
            MethodSpec("highest", _unused),
            MethodSpec(
                "most_recent_mean", _unused, (ParamSpec("n", "count", Decimal(1), Decimal(10)),)
            ),
            MethodSpec("weighted_average", _unused, (weight,)),
            MethodSpec("decaying_average", _unused, (weight,)),
            MethodSpec(
                "n_mastery",
                _unused,
                (ParamSpec("n", "count", Decimal(1), Decimal(10), Decimal(5)),),
            ),
            MethodSpec("power_law", _unused, needs_positive_scale=True),
        ]
    )


@pytest.fixture
def check_registry() -> Registry:
    """A registry with the ten built-in method names (placeholder functions)."""
    return hand_registry()
