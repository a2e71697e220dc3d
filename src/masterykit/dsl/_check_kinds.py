"""The policy's vocabulary of evidence kinds (``kinds { kind quiz "Quiz" … }``).

Without a vocabulary, kinds are free text, as they always were, and ``check`` says so (a note)
when rules depend on them. With one, every kind a rule or a worked example names must be in it
(``MK236``, ``MK237``, with a did-you-mean), the engine rejects evidence of any other kind, and
``common`` kinds are the district's common assessments (what ``masterykit calibrate`` compares
classroom evidence with). Overlays may add kinds; none may be declared twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from masterykit.diagnostics import Related, Severity, Span
from masterykit.dsl import nodes as n
from masterykit.dsl._check_names import LayerInfo, Reporter
from masterykit.dsl._check_text import suggest
from masterykit.policy import EvidenceKind, Provenance

__all__ = ["resolve_kinds"]


def resolve_kinds(layers: Iterable[LayerInfo], reporter: Reporter) -> dict[str, EvidenceKind]:
    """The vocabulary of the chain (base first), after reporting every misuse of it."""
    layers = list(layers)
    kinds: dict[str, EvidenceKind] = {}
    spans: dict[str, n.KindDecl] = {}
    for layer in layers:
        for block in _blocks(layer.tree):
            for decl in block.kinds:
                name = decl.name.value
                earlier = spans.get(name)
                if earlier is not None:
                    reporter.error(
                        "MK235",
                        f"kind `{name}` is declared twice",
                        decl.span,
                        help="each kind is declared once, in the district or in one overlay",
                        related=[Related("declared first here", earlier.span)],
                    )
                    continue
                folded = {other.lower(): other for other in kinds}
                twin = folded.get(name.lower())
                if twin is not None:
                    reporter.error(
                        "MK239",
                        f"kinds `{twin}` and `{name}` differ only in case",
                        decl.span,
                        help="evidence is matched to kinds exactly; declare one spelling",
                        severity=Severity.WARNING,
                    )
                spans[name] = decl
                kinds[name] = EvidenceKind(
                    name,
                    decl.title,
                    decl.common,
                    Provenance.from_span(decl.span, layer.name),
                )
    uses = [(layer, rule) for layer in layers for rule in _counts(layer.tree.statements)]
    if not kinds:
        named = [rule.span for _layer, rule in uses if rule.kinds]
        variety = [span for layer in layers for span in _varieties(layer.tree.statements)]
        if named or variety:
            first = (named or variety)[0]
            reporter.error(
                "MK238",
                "evidence kinds are free text in this policy",
                first,
                help="a misspelt kind (`quizz`, `Quiz`) would count as a kind of its own; "
                "declare the kinds evidence may have in `kinds { kind quiz … }`",
                severity=Severity.NOTE,
            )
        return kinds
    for _layer, rule in uses:
        for kind in rule.kinds:
            if kind.value not in kinds:
                reporter.error(
                    "MK236",
                    f"kind `{kind.value}` is not declared{_did_you_mean(kind.value, kinds)}",
                    rule.span,
                    help="add it to `kinds { }` or name a declared kind",
                )
    top = layers[-1].tree
    for statement in top.statements:
        if isinstance(statement, n.Example):
            for line in statement.evidence:
                if line.kind is not None and line.kind.value not in kinds:
                    reporter.error(
                        "MK237",
                        f"example evidence has kind `{line.kind.value}`, which is not "
                        f"declared{_did_you_mean(line.kind.value, kinds)}",
                        line.span,
                        help="masterykit would reject this evidence; use a declared kind",
                    )
    return kinds


def _did_you_mean(kind: str, known: Iterable[str]) -> str:
    hint = suggest(kind, known)
    return f" ({hint})" if hint else ""


def _blocks(tree: n.PolicyFile) -> Iterator[n.KindsDecl]:
    for statement in tree.statements:
        if isinstance(statement, n.KindsDecl):
            yield statement


def _counts(items: Iterable[object]) -> Iterator[n.EvidenceCount]:
    for item in items:
        if isinstance(item, n.EvidenceCount):
            yield item
        elif isinstance(item, n.ForRule):
            yield from _counts(item.rules)
        elif isinstance(item, n.RuleBlock):
            yield from _counts(item.items)


def _varieties(items: Iterable[object]) -> Iterator[Span | None]:
    for item in items:
        if isinstance(item, n.EvidenceVariety):
            yield item.span
        elif isinstance(item, n.ForRule):
            yield from _varieties(item.rules)
        elif isinstance(item, n.RuleBlock):
            yield from _varieties(item.items)
