"""Fuzz the policy parser and checker with atheris: bytes in, diagnostics or a policy out.

Any exception other than :class:`~masterykit.diagnostics.MasteryError` is a finding, and so is
a diagnostic whose span points outside the text it was found in. A policy that checks cleanly
is then used: its worked examples are run, and it is evaluated for one learner with a piece of
evidence on every competency, as JSON; a crash there is a finding too.

Run it with ``make fuzz``, or::

    .venv/bin/python tests/fuzz/fuzz_parser.py -max_total_time=600 /tmp/mastery-corpus \\
        /work/shared/spec/examples

libFuzzer options and corpus folders are passed through; with no folder given, the corpus
starts from the policies in ``examples/`` and the language's acceptance examples (read from a
temporary copy, so the repository is never written to).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

__all__ = ["main", "test_one_input"]

ROOT = Path(__file__).resolve().parents[2]
SEEDS = (ROOT / "examples", ROOT / "docs", Path("/work/shared/spec/examples"))


def _imports() -> None:
    global MasteryError, check, parse, render_text, REGISTRY
    global Evidence, Learner, Policy, evaluate, render_outcomes, run_examples, to_json
    from masterykit.diagnostics import MasteryError, render_text
    from masterykit.dsl.check import check
    from masterykit.dsl.parser import parse
    from masterykit.engine import evaluate, to_json
    from masterykit.evidence import Evidence, Learner
    from masterykit.examples import render_outcomes, run_examples
    from masterykit.loader import default_registry
    from masterykit.policy import Policy

    REGISTRY = default_registry()


def test_one_input(data: bytes) -> None:
    """Parse and check ``data`` as a policy; raise only for a finding."""
    name = "fuzz.mastery"
    try:
        tree = parse(data, name)
    except MasteryError as error:
        diagnostics = list(error.diagnostics)
        _spans_inside(data, diagnostics)
        for diagnostic in diagnostics:
            render_text(diagnostic, error.sources)
        return
    policy, diagnostics = check([tree], REGISTRY, frameworks={})
    _spans_inside(data, diagnostics)
    if policy is not None:
        _use(policy)


def _use(policy: object) -> None:
    assert isinstance(policy, Policy)
    render_outcomes(run_examples(policy))
    learner = Learner("ana", {"graduation_date": dt.date(2027, 6, 15), "iep": True})
    evidence = [
        Evidence("ana", code, competency.scale.levels[-1].value, dt.date(2026, 1, 10), "quiz")
        for code, competency in policy.competencies.items()
    ]
    evidence.append(Evidence("ana", "NOT.A.CODE", Decimal(1), dt.date(2026, 1, 10)))
    to_json(evaluate(policy, learner, evidence, as_of=dt.date(2026, 6, 1)))


def _spans_inside(data: bytes, diagnostics: list[object]) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    # Lark counts lines at "\n"; Source.line and the end-of-file position use str.splitlines,
    # which also breaks at "\r", "\x0b", "\x1c" and friends. Either count is "inside".
    lines = max(text.count("\n") + 1, len(text.splitlines()))
    for diagnostic in diagnostics:
        span = getattr(diagnostic, "span", None)
        if span is not None and not 1 <= span.line <= lines:
            raise AssertionError(f"{diagnostic!r} points outside the {lines}-line input")


def _seed_corpus() -> str:
    folder = Path(tempfile.mkdtemp(prefix="mastery-corpus-"))
    for index, path in enumerate(
        sorted(p for seed in SEEDS if seed.is_dir() for p in seed.rglob("*.mastery"))
    ):
        (folder / f"seed-{index:04d}.mastery").write_bytes(path.read_bytes())
    return str(folder)


def main(argv: list[str]) -> None:
    """Run the fuzzer with libFuzzer's command line ``argv``."""
    import atheris

    with atheris.instrument_imports(include=["masterykit"]):
        _imports()
    args = list(argv)
    if not any(not arg.startswith("-") for arg in args[1:]):
        args.append(_seed_corpus())
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main(sys.argv)
