"""The acceptance examples (``../shared/spec/examples``), as the checker sees them.

Every ``*.mastery`` file that is not ``*.invalid.mastery`` resolves without a diagnostic (an
overlay with the chain it extends); every ``*.invalid.mastery`` file is rejected with rendered
diagnostics that contain each text of its ``# expect error:`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from masterykit.diagnostics import PolicyCheckError, PolicySyntaxError, Severity, render_text
from masterykit.loader import check_file, default_registry, load
from masterykit.registry import MethodContext, MethodSpec, ParamSpec, Registry

EXAMPLES = Path(__file__).resolve().parents[1] / ".." / "shared" / "spec" / "examples"
FILES = sorted(EXAMPLES.glob("*.mastery")) if EXAMPLES.is_dir() else []
VALID = [f for f in FILES if not f.name.endswith(".invalid.mastery")]
INVALID = [f for f in FILES if f.name.endswith(".invalid.mastery")]
_EXPECT = re.compile(r"^#\s*expect error:\s*(.*?)\s*$", re.MULTILINE)


def _unused(scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext) -> Decimal:
    return scores[-1]


def _registry() -> Registry:
    """The installed registry once the built-in methods are there; until then, their names."""
    installed = default_registry()
    if "decaying_average" in installed.methods:
        return installed
    weight = ParamSpec("w", "weight", Decimal(1), Decimal(99), Decimal(65))
    count = ParamSpec("n", "count", Decimal(1), Decimal(10))
    return Registry.of(
        [
            *(MethodSpec(m, _unused) for m in ("mean", "median", "mode", "most_recent", "highest")),
            MethodSpec("most_recent_mean", _unused, (count,)),
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


def test_the_acceptance_examples_are_there() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 10


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_example_resolves_without_diagnostics(path: Path) -> None:
    result = check_file(path, registry=_registry())
    rendered = "\n\n".join(render_text(d, result.sources) for d in result.diagnostics)
    # No errors or warnings. The one note a valid example may get says that its rules count
    # kinds of evidence while it declares no vocabulary of kinds (the language allows both).
    assert [d.code for d in result.diagnostics if d.code != "MK238"] == [], rendered
    assert all(d.severity is Severity.NOTE for d in result.diagnostics), rendered
    assert result.policy is not None
    assert set(result.policy.rules) == set(result.policy.competencies)
    assert result.policy.layers[-1].file == str(path)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_example_is_rejected_with_the_expected_text(path: Path) -> None:
    expected = _EXPECT.findall(path.read_text("utf-8"))
    assert expected, "an invalid example names the errors it expects"
    result = check_file(path, registry=_registry())
    assert result.policy is None
    rendered = "\n\n".join(render_text(d, result.sources) for d in result.diagnostics)
    for text in expected:
        assert text in rendered, f"{text!r} not in:\n{rendered}"
    with pytest.raises((PolicyCheckError, PolicySyntaxError)) as raised:
        load(path, registry=_registry())
    assert raised.value.diagnostics == result.diagnostics


def test_the_school_overlay_keeps_the_district_rules_it_does_not_replace() -> None:
    policy = load(EXAMPLES / "02-school.mastery", registry=_registry())
    assert [layer.name for layer in policy.layers] == [
        "Lake County Schools",
        "Carroll Gardens School for Innovation",
    ]
    ela = policy.rules["ELA.1"]
    assert ela.calculate.text == "decaying_average(65%)"
    assert ela.calculate.args == (Decimal("0.65"),)
    assert ela.calculate.source.layer == "Lake County Schools"
    assert ela.proficient.cut == Decimal(3)
    assert ela.proficient.floor
    assert [c.count for c in ela.counts] == [3]
    assert ela.window is not None and str(ela.window.duration) == "1 year"
    assert policy.rules["SCI.2"].proficient.cut == Decimal("3.5")
    assert "CAP.1" in policy.rules
    assert policy.graduation is not None and not policy.graduation.tight
    assert [e.example.name for e in policy.examples] == ["the school raises the bar"]
    assert len(policy.sources) == 2
