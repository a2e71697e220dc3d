"""Load a policy file, the chain of files it ``extends`` and the frameworks they import, and
check them into one :class:`~masterykit.policy.Policy`.

* :func:`load` returns the policy or raises :class:`~masterykit.diagnostics.PolicySyntaxError` /
  :class:`~masterykit.diagnostics.PolicyCheckError` carrying every diagnostic and the sources.
* :func:`check_file` never raises for a problem in the policy: it returns a
  :class:`CheckResult` with the policy (or ``None``), the diagnostics and the sources.
* :func:`load_text` checks policy text held in memory.

Files named by ``extends`` and ``import framework`` are found relative to the folder of the file
that names them, and must stay inside the folder of the policy being loaded (the top of the
chain): a policy cannot make masterykit read ``../../etc/passwd``.

>>> policy = load_text('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate decaying_average
... proficient at Yes
... ''', "demo.mastery")
>>> policy.rules["MATH.1"].calculate.text, policy.rules["MATH.1"].calculate.args
('decaying_average(65%)', (Decimal('0.65'),))
>>> load_text('policy "Typo"\\nrequirement r { all of MATH.9 proficient }\\n', "typo.mastery")
Traceback (most recent call last):
  ...
masterykit.diagnostics.PolicyCheckError: error[MK230]: unknown competency, area or group `MATH.9`
 --> typo.mastery:2:24
  |
2 | requirement r { all of MATH.9 proficient }
  |                        ^^^^^^
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import attrs

from masterykit.diagnostics import (
    Diagnostic,
    MasteryError,
    PolicyCheckError,
    PolicySyntaxError,
    Related,
    Source,
    Span,
    has_errors,
    sort_key,
)
from masterykit.dsl import nodes as n
from masterykit.dsl._check_text import suggest
from masterykit.dsl.check import check
from masterykit.dsl.parser import parse, read_source
from masterykit.frameworks import Framework
from masterykit.policy import Policy
from masterykit.registry import ImporterSpec, Registry

__all__ = ["CheckResult", "check_file", "default_registry", "load", "load_text"]


@attrs.frozen(slots=True)
class CheckResult:
    """What checking a policy found: the resolved policy (``None`` when there are errors), every
    diagnostic (sorted by file and position) and the text of every file read."""

    policy: Policy | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, Source] = attrs.field(factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        """Whether the policy loaded (no errors)."""
        return self.policy is not None and not has_errors(self.diagnostics)


def default_registry() -> Registry:
    """The registry of built-in and installed plugins.

    See :func:`masterykit.plugins.default_registry`.
    """
    from masterykit import plugins

    factory = getattr(plugins, "default_registry", None)
    if factory is None:  # pragma: no cover - only before the plugin host is installed
        return Registry.empty()
    registry: Registry = factory()
    return registry


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _label(parent: str, written: str) -> str:
    """How diagnostics name a file ``written`` relative to the folder of file ``parent``."""
    folder = os.path.dirname(parent)
    return os.path.normpath(os.path.join(folder, written)) if folder else os.path.normpath(written)


@attrs.define
class _Reader:
    root: Path
    registry: Registry
    diagnostics: list[Diagnostic] = attrs.Factory(list)
    sources: dict[str, Source] = attrs.Factory(dict)
    frameworks: dict[tuple[str, str], Framework | None] = attrs.Factory(dict)

    def chain(self, top: n.PolicyFile, top_path: Path) -> list[n.PolicyFile] | None:
        """The files of the chain, base first; ``None`` when a base cannot be used."""
        files = [top]
        paths = [top_path.resolve()]
        current, current_path = top, top_path
        while current.extends is not None:
            ident = current.extends
            written = ident.value
            base_path = current_path.parent / written
            label = _label(current.source_name, written)
            if Path(written).is_absolute() or not _inside(base_path, self.root):
                self.error(
                    "MK202",
                    f"`{written}` is outside the policy's folder; a policy may only extend "
                    f"files in its own folder or below it",
                    ident.span,
                )
                return None
            resolved = base_path.resolve()
            if resolved in paths:
                names = [f.source_name for f in files]
                cycle = " → ".join(f"`{name}`" for name in [*names, label])
                self.error(
                    "MK201", f"the policies extend each other in a circle: {cycle}", ident.span
                )
                return None
            if base_path.is_dir():
                self.error(
                    "MK200",
                    f"`{written}` is a folder, not a policy file",
                    ident.span,
                    help="name the base policy's file, such as `district/district.mastery`",
                )
                return None
            if not base_path.is_file():
                self.error(
                    "MK200",
                    f"`{written}` does not exist",
                    ident.span,
                    help=_nearby(base_path, written)
                    or f"the base policy is looked for at `{label}`, relative to this file",
                )
                return None
            try:
                source = read_source(base_path, label)
            except PolicySyntaxError as error:
                # The base cannot be read (MK100) or is too large (MK103): point at the
                # `extends` that names it, since the base has no line to show.
                self.diagnostics.extend(
                    attrs.evolve(d, span=ident.span) if d.span is None else d
                    for d in error.diagnostics
                )
                return None
            try:
                self.sources[source.name] = source
                base = parse(source.text, source.name)
            except PolicySyntaxError as error:
                self.diagnostics.extend(error.diagnostics)
                self.sources.update(error.sources)
                return None
            files.append(base)
            paths.append(resolved)
            current, current_path = base, base_path
        files.reverse()
        return files

    def load_frameworks(self, tree: n.PolicyFile, path: Path) -> None:
        for stmt in tree.statements:
            if isinstance(stmt, n.ImportFramework):
                key = (tree.source_name, stmt.path.value)
                self.frameworks[key] = self._framework(stmt, path)

    def _framework(self, stmt: n.ImportFramework, policy_path: Path) -> Framework | None:
        written = stmt.path.value
        target = policy_path.parent / written
        if Path(written).is_absolute() or not _inside(target, self.root):
            self.error(
                "MK202",
                f"`{written}` is outside the policy's folder; a policy may only import "
                f"frameworks from its own folder or below it",
                stmt.path.span,
            )
            return None
        if not target.is_file():
            self.error("MK203", f"framework file `{written}` does not exist", stmt.path.span)
            return None
        importer = self._importer(target)
        if importer is None:
            self.error(
                "MK203",
                f"no framework importer reads `{written}`",
                stmt.path.span,
                help="CASE packages are read from `.json` files",
            )
            return None
        try:
            return importer.load(target)
        except MasteryError as error:  # the importer's own diagnostics, such as MK34x
            first, *rest = error.diagnostics
            self.error(
                "MK203",
                f"framework `{written}` cannot be read: {first.message}",
                stmt.path.span,
                help=first.help,
                related=tuple(
                    Related(f"{d.message}" + (f" ({d.location})" if d.location else ""), d.span)
                    for d in (first, *rest)
                    if d.location or d.span
                ),
            )
        except (OSError, ValueError) as error:
            self.error("MK203", f"framework `{written}` cannot be read: {error}", stmt.path.span)
        return None

    def _importer(self, path: Path) -> ImporterSpec | None:
        name = path.name.lower()
        best: tuple[int, ImporterSpec] | None = None
        for spec in self.registry.importers.values():
            for ending in spec.extensions:
                if name.endswith(ending.lower()) and (best is None or len(ending) > best[0]):
                    best = (len(ending), spec)
        if best is not None:
            return best[1]
        return self.registry.importers.get("case")

    def error(
        self,
        code: str,
        message: str,
        span: Span | None,
        *,
        help: str | None = None,
        related: tuple[Related, ...] = (),
    ) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help=help, related=related))


def _nearby(path: Path, written: str) -> str | None:
    """``did you mean …?`` for a policy file next to where ``written`` was looked for."""
    try:
        names = [p.name for p in path.parent.glob("*.mastery") if p.is_file()]
    except OSError:  # pragma: no cover - an unreadable folder
        return None
    close = suggest(path.name, names)
    if close is None:
        return None
    folder = os.path.dirname(written)
    found = close.removeprefix("did you mean `").removesuffix("`?")
    return f"did you mean `{os.path.join(folder, found) if folder else found}`?"


def _check_tree(
    tree: n.PolicyFile, path: Path, root: Path, registry: Registry, sources: dict[str, Source]
) -> CheckResult:
    reader = _Reader(root.resolve(), registry, sources=sources)
    files = reader.chain(tree, path)
    if files is None:
        return CheckResult(None, tuple(sorted(reader.diagnostics, key=sort_key)), reader.sources)
    folder = {f.source_name: p for f, p in zip(files, _paths(files, path), strict=True)}
    for f in files:
        reader.load_frameworks(f, folder[f.source_name])
    policy, problems = check(files, registry, frameworks=reader.frameworks, sources=reader.sources)
    diagnostics = sorted([*reader.diagnostics, *problems], key=sort_key)
    if has_errors(diagnostics):
        policy = None
    return CheckResult(policy, tuple(diagnostics), reader.sources)


def _paths(files: list[n.PolicyFile], top_path: Path) -> list[Path]:
    """The path of each file of a chain (base first), following ``extends`` down from the top."""
    paths = [top_path]
    for f in reversed(files[1:]):
        assert f.extends is not None
        paths.append(paths[-1].parent / f.extends.value)
    paths.reverse()
    return paths


def check_file(path: str | os.PathLike[str], *, registry: Registry | None = None) -> CheckResult:
    """Read, parse and check the policy at ``path`` with the chain it extends.

    Never raises for a problem in the policy; the result carries every diagnostic.
    """
    registry = registry if registry is not None else default_registry()
    label = os.fspath(path)
    try:
        source = read_source(Path(path), label)
    except PolicySyntaxError as error:
        return CheckResult(None, error.diagnostics, error.sources)
    sources = {source.name: source}
    try:
        tree = parse(source.text, source.name)
    except PolicySyntaxError as error:
        return CheckResult(None, error.diagnostics, {**sources, **error.sources})
    top = Path(path)
    return _check_tree(tree, top, top.parent, registry, sources)


def _raise_for(result: CheckResult) -> Policy:
    if result.policy is not None and not has_errors(result.diagnostics):
        return result.policy
    errors = [d for d in result.diagnostics if d.severity.value == "error"] or list(
        result.diagnostics
    )
    if any(d.code.startswith("MK1") for d in errors):
        raise PolicySyntaxError(result.diagnostics, result.sources)
    raise PolicyCheckError(result.diagnostics, result.sources)


def load(path: str | os.PathLike[str], *, registry: Registry | None = None) -> Policy:
    """Read, parse and check the policy at ``path``; the resolved policy.

    Raises:
        PolicySyntaxError: a file of the chain cannot be read or parsed (``MK1xx``).
        PolicyCheckError: the policy breaks the language's rules (``MK2xx``).
    """
    return _raise_for(check_file(path, registry=registry))


def load_text(text: str, name: str = "<policy>", *, registry: Registry | None = None) -> Policy:
    """Parse and check policy text; ``extends`` and ``import framework`` paths are relative to
    the current directory.

    Raises:
        PolicySyntaxError: the text cannot be parsed (``MK1xx``).
        PolicyCheckError: the policy breaks the language's rules (``MK2xx``).
    """
    registry = registry if registry is not None else default_registry()
    source = Source(name, text)
    tree = parse(text, name)
    top = Path.cwd() / "<policy>.mastery"
    result = _check_tree(tree, top, Path.cwd(), registry, {name: source})
    return _raise_for(result)
