"""Load a policy file, the chain of files it ``extends`` and the frameworks they import, and
check them into one :class:`~masterykit.policy.Policy`.

* :func:`load` returns the policy or raises :class:`~masterykit.diagnostics.PolicySyntaxError` /
  :class:`~masterykit.diagnostics.PolicyCheckError` carrying every diagnostic and the sources.
* :func:`check_file` never raises for a problem in the policy: it returns a
  :class:`CheckResult` with the policy (or ``None``), the diagnostics and the sources.
* :func:`load_text` checks policy text held in memory.
* :func:`load_district` loads a district file (``district "…" { when … use "…" }``) with every
  policy it routes to, each with its whole chain; :func:`load_any` loads either kind of file
  (the command line uses it). :func:`check_file` checks either kind.

A district's routed files are found relative to the district file's folder and must stay inside
it; a routed policy's chain may reach any file in that folder tree (a school's file in
``schools/`` extends ``../district.mastery``). Every distinct routed file is read and checked
once: routes that name the same file get the same :class:`~masterykit.policy.Policy`.

Files named by ``extends`` and ``import framework`` are found relative to the folder of the file
that names them, and must stay inside the folder of the policy being loaded (the top of the
chain): a policy cannot make masterykit read ``../../etc/passwd``. A path is at most
:data:`MAX_PATH_CHARS` characters, each name in it at most :data:`MAX_NAME_BYTES` bytes; a path
the file system cannot follow (too long, symbolic links in a circle, a file where a folder
should be) is a diagnostic on the line that names it, never an exception. Every file is read
with its size checked first and at most :data:`~masterykit.dsl.parser.MAX_FILE_BYTES` bytes
held (see :func:`masterykit.diagnostics.read_limited`).

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

import errno
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn

import attrs

from masterykit.diagnostics import (
    Diagnostic,
    FileTooLarge,
    MasteryError,
    PolicyCheckError,
    PolicySyntaxError,
    Related,
    Source,
    Span,
    has_errors,
    read_limited,
    sort_key,
)
from masterykit.district import District
from masterykit.dsl import nodes as n
from masterykit.dsl._check_district import RoutedPolicy, check_district
from masterykit.dsl._check_text import suggest
from masterykit.dsl.check import check
from masterykit.dsl.parser import MAX_FILE_BYTES, parse, parse_any
from masterykit.frameworks import Framework
from masterykit.policy import Policy
from masterykit.registry import ImporterSpec, Registry

__all__ = [
    "MAX_NAME_BYTES",
    "MAX_PATH_CHARS",
    "CheckResult",
    "check_file",
    "default_registry",
    "load",
    "load_any",
    "load_district",
    "load_text",
    "read_policy",
]

#: The longest path ``extends`` or ``import framework`` may write, in characters.
MAX_PATH_CHARS = 1024
#: The longest name (one part of a path, between slashes) ``extends`` or ``import framework``
#: may write, in bytes of UTF-8: what most file systems allow.
MAX_NAME_BYTES = 255


@attrs.frozen(slots=True)
class CheckResult:
    """What checking a policy or a district file found: the resolved policy, or for a district
    file the resolved ``district`` (``None`` when there are errors), every diagnostic (sorted by
    file and position; a routed policy's carry its own file name) and the text of every file
    read. ``is_district`` says whether the file checked is a district file."""

    policy: Policy | None
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, Source] = attrs.field(factory=dict, repr=False)
    district: District | None = None
    is_district: bool = False

    @property
    def ok(self) -> bool:
        """Whether the policy (or the district) loaded (no errors)."""
        loaded = self.district if self.is_district else self.policy
        return loaded is not None and not has_errors(self.diagnostics)


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


def _real(path: Path) -> Path:
    """``path`` with its symbolic links and ``..`` followed as far as they go; never raises
    (a link in a circle or a path too long is left for opening the file to report)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError, RuntimeError):
        return Path(os.path.abspath(path))


def _inside(path: Path, root: Path) -> bool:
    try:
        _real(path).relative_to(root)
    except ValueError:
        return False
    return True


def _shown(written: str) -> str:
    """A path as a message shows it: a long one with its middle left out."""
    return written if len(written) <= 60 else f"{written[:28]}…{written[-28:]}"


@attrs.frozen(slots=True)
class _Problem:
    """Why a file cannot be read: the code, message and help of the diagnostic to report."""

    code: str
    message: str
    help: str | None = None
    #: ``"missing"`` or ``"folder"`` when that is why, so a caller can say it its own way.
    reason: str = ""


def _too_long(written: str) -> _Problem | None:
    """``MK130`` for a path longer than the limits, before the file system sees it."""
    if len(written) > MAX_PATH_CHARS:
        return _Problem(
            "MK130",
            f"the path `{_shown(written)}` is {len(written):,} characters long; a path may have "
            f"at most {MAX_PATH_CHARS:,}",
            "name a file nearer the policy, or move the files closer together",
        )
    for name in written.replace("\\", "/").split("/"):
        size = len(name.encode("utf-8", "surrogatepass"))
        if size > MAX_NAME_BYTES:
            return _Problem(
                "MK130",
                f"the name `{_shown(name)}` in the path is {size:,} bytes long; a name may have "
                f"at most {MAX_NAME_BYTES}",
                "rename the file (or folder) to a shorter name",
            )
    return None


def _os_problem(error: OSError, written: str, kind: str) -> _Problem:
    """The diagnostic for ``error``, met opening the ``kind`` of file at ``written``."""
    shown = _shown(written)
    if error.errno == errno.ELOOP:
        return _Problem(
            "MK131",
            f"`{shown}` cannot be opened: its symbolic links lead round in a circle",
            "a symbolic link on the way points back to itself or to another link that leads "
            "back; make it point to the file",
        )
    if error.errno == errno.ENAMETOOLONG:
        return _Problem(
            "MK130",
            f"the path `{shown}` is too long for the file system",
            "name a file nearer the policy, or move the files closer together",
        )
    return _Problem(
        "MK100" if kind == "policy" else "MK203",
        f"{kind} file `{written}` cannot be read: {error.strerror or error}",
    )


def _read_policy(path: Path, label: str) -> bytes:
    """The bytes of the policy file at ``path`` (named ``label``), or :class:`_Unreadable`."""
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except FileTooLarge as error:
        raise _Unreadable(
            _Problem(
                "MK103",
                f"the policy file is {error}; the limit is {MAX_FILE_BYTES:,}",
                "split it into a district file and overlays that `extends` it",
            )
        ) from None
    except IsADirectoryError:
        problem = _Problem("MK100", f"`{label}` is a folder, not a policy file", reason="folder")
        raise _Unreadable(problem) from None
    except OSError as error:
        if error.errno in (errno.ENOENT, errno.ENOTDIR):
            problem = _Problem("MK100", f"policy file `{label}` does not exist", reason="missing")
            raise _Unreadable(problem) from None
        raise _Unreadable(_os_problem(error, label, "policy"), error) from None
    except ValueError as error:  # a NUL byte in a path given from Python
        problem = _Problem("MK100", f"policy file `{label}` cannot be read: {error}")
        raise _Unreadable(problem) from None


class _Unreadable(Exception):
    """A file of the chain cannot be read; carries the diagnostic's code, message and help."""

    def __init__(self, problem: _Problem, error: OSError | None = None) -> None:
        self.problem = problem
        self.error = error
        super().__init__(problem.message)


def read_policy(path: str | os.PathLike[str], name: str | None = None) -> Source:
    """Read a policy file as text, holding at most
    :data:`~masterykit.dsl.parser.MAX_FILE_BYTES` bytes of it (see
    :func:`~masterykit.diagnostics.read_limited`).

    ``name`` is how diagnostics name the file (default: the path as given).

    Raises:
        PolicySyntaxError: the file cannot be read (``MK100``, ``MK130``, ``MK131``), is too
            large (``MK103``) or is not UTF-8 text (``MK101``, ``MK102``).
    """
    label = name if name is not None else os.fspath(path)
    try:
        data = _read_policy(Path(path), label)
    except _Unreadable as error:
        problem = error.problem
        raise PolicySyntaxError(
            [Diagnostic(problem.code, problem.message, help=problem.help, location=label)]
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        parse(data, label)  # raises the parser's own MK101 or MK102, with the place
        raise PolicySyntaxError(
            [Diagnostic("MK101", "this file is not UTF-8 text", location=label)]
        )  # pragma: no cover - the parser refuses every such file
    return Source(label, text)


def _text(data: bytes) -> str:
    """The text of policy bytes :func:`parse` has accepted (UTF-8, with or without a BOM)."""
    return data.decode("utf-8-sig")


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
        paths = [_real(top_path)]
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
            too_long = _too_long(written)
            if too_long is not None:
                self.report(too_long, ident.span)
                return None
            resolved = _real(base_path)
            if resolved in paths:
                names = [f.source_name for f in files]
                cycle = " → ".join(f"`{name}`" for name in [*names, label])
                self.error(
                    "MK201", f"the policies extend each other in a circle: {cycle}", ident.span
                )
                return None
            try:
                data = _read_policy(base_path, label)
            except _Unreadable as error:
                self.report(self._base_problem(error, base_path, written, label), ident.span)
                return None
            try:
                base = parse(data, label)
            except PolicySyntaxError as error:
                # A base that is not text (MK101, MK102) has no line to show: point at the
                # `extends` that names it.
                self.diagnostics.extend(
                    attrs.evolve(d, span=ident.span) if d.span is None else d
                    for d in error.diagnostics
                )
                self.sources.update(error.sources)
                return None
            source = Source(label, _text(data))
            self.sources[source.name] = source
            files.append(base)
            paths.append(resolved)
            current, current_path = base, base_path
        files.reverse()
        return files

    def _base_problem(
        self, unreadable: _Unreadable, path: Path, written: str, label: str
    ) -> _Problem:
        """How a base that cannot be read is reported on the ``extends`` line naming it."""
        problem = unreadable.problem
        if problem.code in ("MK130", "MK131") and unreadable.error is not None:
            return _os_problem(unreadable.error, written, "policy")
        if problem.reason == "missing":
            return _Problem(
                "MK200",
                f"`{written}` does not exist",
                _nearby(path, written)
                or f"the base policy is looked for at `{label}`, relative to this file",
            )
        if problem.reason == "folder":
            return _Problem(
                "MK200",
                f"`{written}` is a folder, not a policy file",
                "name the base policy's file, such as `district/district.mastery`",
            )
        return problem

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
        too_long = _too_long(written)
        if too_long is not None:
            self.report(too_long, stmt.path.span)
            return None
        try:
            found = target.stat()
        except OSError as error:
            if error.errno in (errno.ENOENT, errno.ENOTDIR):
                self.error("MK203", f"framework file `{written}` does not exist", stmt.path.span)
            else:
                self.report(_os_problem(error, written, "framework"), stmt.path.span)
            return None
        except ValueError as error:
            self.error("MK203", f"framework `{written}` cannot be read: {error}", stmt.path.span)
            return None
        if stat.S_ISDIR(found.st_mode):
            self.error(
                "MK203", f"framework file `{written}` is a folder, not a file", stmt.path.span
            )
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
        except OSError as error:
            problem = _os_problem(error, written, "framework")
            self.report(problem, stmt.path.span)
        except ValueError as error:
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

    def report(self, problem: _Problem, span: Span | None) -> None:
        self.error(problem.code, problem.message, span, help=problem.help)

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
    reader = _Reader(_real(root), registry, sources=sources)
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


def _read_tree(
    path: str | os.PathLike[str],
) -> tuple[n.PolicyFile | n.DistrictFile, Source] | CheckResult:
    """The parsed file at ``path`` and its text, or the result that says why it cannot be read
    or parsed."""
    label = os.fspath(path)
    try:
        data = _read_policy(Path(path), label)
    except _Unreadable as error:
        problem = error.problem
        return CheckResult(
            None, (Diagnostic(problem.code, problem.message, help=problem.help, location=label),)
        )
    try:
        tree = parse_any(data, label)
    except PolicySyntaxError as error:
        return CheckResult(None, error.diagnostics, error.sources)
    return tree, Source(label, _text(data))


def _check_parsed(
    tree: n.PolicyFile | n.DistrictFile,
    source: Source,
    path: str | os.PathLike[str],
    registry: Registry,
) -> CheckResult:
    top = Path(path)
    if isinstance(tree, n.DistrictFile):
        return _check_district_tree(tree, top, registry, {source.name: source})
    return _check_tree(tree, top, top.parent, registry, {source.name: source})


def check_file(path: str | os.PathLike[str], *, registry: Registry | None = None) -> CheckResult:
    """Read, parse and check the policy at ``path`` with the chain it extends, or the district
    file at ``path`` with every policy it routes to (``result.district``).

    Never raises for a problem in the policy; the result carries every diagnostic.
    """
    registry = registry if registry is not None else default_registry()
    read = _read_tree(path)
    if isinstance(read, CheckResult):
        return read
    return _check_parsed(*read, path, registry)


@attrs.define
class _DistrictReader:
    """Reads and checks the policies a district file routes to, each distinct file once."""

    district_path: Path
    district_label: str
    registry: Registry
    diagnostics: list[Diagnostic] = attrs.Factory(list)
    sources: dict[str, Source] = attrs.Factory(dict)
    #: Every file read, by its real path: what was found there.
    found: dict[Path, RoutedPolicy] = attrs.Factory(dict)

    @property
    def root(self) -> Path:
        return _real(self.district_path.parent)

    def route(self, written: n.Ident) -> RoutedPolicy:
        """What the route naming ``written`` leads to (reported when it is no usable policy)."""
        path = self.district_path.parent / written.value
        if Path(written.value).is_absolute() or not _inside(path, self.root):
            self.error(
                "MK293",
                f"`{written.value}` is outside the district file's folder; a district may only "
                "route to policies in its own folder or below it",
                written.span,
                help="move the policy into the district's folder (schools often go in a "
                "`schools/` folder beside the district file)",
            )
            return RoutedPolicy(None)
        too_long = _too_long(written.value)
        if too_long is not None:
            self.error(too_long.code, too_long.message, written.span, help=too_long.help)
            return RoutedPolicy(None)
        key = _real(path)
        if key not in self.found:
            self.found[key] = self._load(path, written)
        return self.found[key]

    def _load(self, path: Path, written: n.Ident) -> RoutedPolicy:
        label = _label(self.district_label, written.value)
        try:
            data = _read_policy(path, label)
        except _Unreadable as error:
            problem = error.problem
            if problem.reason == "missing":
                problem = _Problem(
                    "MK290",
                    f"`{written.value}` does not exist",
                    _nearby(path, written.value)
                    or f"the routed policy is looked for at `{label}`, relative to the "
                    "district file",
                )
            elif problem.reason == "folder":
                problem = _Problem(
                    "MK290",
                    f"`{written.value}` is a folder, not a policy file",
                    "name the policy's file, such as `schools/north.mastery`",
                )
            elif problem.code in ("MK130", "MK131") and error.error is not None:
                problem = _os_problem(error.error, written.value, "policy")
            self.error(problem.code, problem.message, written.span, help=problem.help)
            return RoutedPolicy(None)
        try:
            tree = parse_any(data, label)
        except PolicySyntaxError as error:
            # The routed file's own problems, reported in that file; one that is not text at
            # all (MK101, MK102) has no line to show: point at the route that names it.
            self.diagnostics.extend(
                attrs.evolve(d, span=written.span) if d.span is None else d
                for d in error.diagnostics
            )
            self.sources.update(error.sources)
            return RoutedPolicy(None)
        source = Source(label, _text(data))
        self.sources[label] = source
        if isinstance(tree, n.DistrictFile):
            self.error(
                "MK291",
                f"`{written.value}` is a district file; a route must use a policy",
                written.span,
                help="districts do not nest: route to the policy that district file would use",
            )
            return RoutedPolicy(None)
        result = _check_tree(tree, path, self.district_path.parent, self.registry, {label: source})
        self.diagnostics.extend(result.diagnostics)
        self.sources.update(result.sources)
        if result.policy is None:
            return RoutedPolicy(None)
        policy = result.policy
        base_file = policy.layers[0].file
        return RoutedPolicy(policy, base_file, policy if len(policy.layers) == 1 else None)

    def bases(self) -> None:
        """Give every loaded policy its base checked as a policy of its own: the one object
        per base file (the routed policy itself when a route names the base file)."""
        by_file: dict[str, Policy | None] = {}
        for info in self.found.values():
            if info.policy is not None and info.base is not None and info.base_file is not None:
                by_file[info.base_file] = info.base
        for key, info in list(self.found.items()):
            if info.policy is None or info.base is not None or info.base_file is None:
                continue
            if info.base_file not in by_file:
                by_file[info.base_file] = self._base(info.base_file)
            self.found[key] = attrs.evolve(info, base=by_file[info.base_file])

    def _base(self, label: str) -> Policy | None:
        """The base file ``label`` (already read as part of a chain) checked on its own."""
        source = self.sources[label]
        tree = parse(source.text, label)
        result = _check_tree(tree, Path(label), self.district_path.parent, self.registry, {})
        known = set(self.diagnostics)
        self.diagnostics.extend(d for d in result.diagnostics if d not in known)
        return result.policy

    def error(self, code: str, message: str, span: Span | None, *, help: str | None) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help=help))


def _check_district_tree(
    tree: n.DistrictFile, path: Path, registry: Registry, sources: dict[str, Source]
) -> CheckResult:
    reader = _DistrictReader(path, tree.source_name, registry, sources=sources)
    routes = tree.district.routes
    firsts = [reader.route(route.path) if route.path is not None else None for route in routes]
    reader.bases()
    routed: dict[int, RoutedPolicy] = {}
    for index, (route, info) in enumerate(zip(routes, firsts, strict=True)):
        if route.path is None or info is None:
            continue
        key = _real(path.parent / route.path.value)
        routed[index] = reader.found.get(key, info)
    district, problems = check_district(tree, routed, sources=reader.sources)
    diagnostics = sorted([*reader.diagnostics, *problems], key=sort_key)
    if has_errors(diagnostics):
        district = None
    return CheckResult(None, tuple(diagnostics), reader.sources, district, is_district=True)


def _raise_for(result: CheckResult) -> Policy:
    if result.policy is None or has_errors(result.diagnostics):
        _raise_errors(result)
    return result.policy


def _raise_errors(result: CheckResult) -> NoReturn:
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
        PolicyCheckError: the policy breaks the language's rules (``MK2xx``), or ``path`` is a
            district file (``MK450``: load it with :func:`load_district` or :func:`load_any`).
    """
    registry = registry if registry is not None else default_registry()
    read = _read_tree(path)
    if isinstance(read, CheckResult):
        return _raise_for(read)
    tree, source = read
    if isinstance(tree, n.DistrictFile):
        raise PolicyCheckError(
            [
                Diagnostic(
                    "MK450",
                    f"`{source.name}` is a district file, not a policy",
                    help="load it with `masterykit.load_district` (or `masterykit.load_any`, "
                    "which takes either kind of file)",
                    location=source.name,
                )
            ],
            {source.name: source},
        )
    return _raise_for(_check_parsed(tree, source, path, registry))


def load_district(path: str | os.PathLike[str], *, registry: Registry | None = None) -> District:
    """Read, parse and check the district file at ``path`` and every policy it routes to, each
    with its whole chain; the resolved :class:`~masterykit.district.District`.

    Raises:
        PolicySyntaxError: a file cannot be read or parsed (``MK1xx``).
        PolicyCheckError: the district or a routed policy breaks the language's rules
            (``MK2xx``), or ``path`` is a policy, not a district file (``MK451``: load it with
            :func:`load` or :func:`load_any`).
    """
    registry = registry if registry is not None else default_registry()
    read = _read_tree(path)
    if isinstance(read, CheckResult):
        _raise_errors(read)
    tree, source = read
    if isinstance(tree, n.PolicyFile):
        raise PolicyCheckError(
            [
                Diagnostic(
                    "MK451",
                    f"`{source.name}` is a policy, not a district file",
                    help="load it with `masterykit.load` (or `masterykit.load_any`, which takes "
                    "either kind of file)",
                    location=source.name,
                )
            ],
            {source.name: source},
        )
    result = _check_parsed(tree, source, path, registry)
    if result.ok and result.district is not None:
        return result.district
    _raise_errors(result)


def load_any(
    path: str | os.PathLike[str], *, registry: Registry | None = None
) -> Policy | District:
    """Read, parse and check the file at ``path``: a policy (with its chain) or a district file
    (with every policy it routes to), whichever it is.

    Raises:
        PolicySyntaxError: a file cannot be read or parsed (``MK1xx``).
        PolicyCheckError: a file breaks the language's rules (``MK2xx``).
    """
    result = check_file(path, registry=registry)
    if result.is_district:
        if result.ok and result.district is not None:
            return result.district
        _raise_errors(result)
    return _raise_for(result)


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
