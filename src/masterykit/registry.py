"""The registry: calculation methods, evidence readers and framework importers, as one value.

Plugins contribute specs through pluggy hooks (:mod:`masterykit.plugins`); the plugin host
collects them into a :class:`Registry`. The checker and the engine take a registry as an
argument, so a test can run with :meth:`Registry.empty` or a hand-built one, and nothing depends
on global state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import attrs

from masterykit.diagnostics import Diagnostic
from masterykit.evidence import Evidence, Rejection

if TYPE_CHECKING:
    from masterykit.frameworks import Framework

__all__ = [
    "FileParts",
    "ImporterSpec",
    "MethodContext",
    "MethodFunction",
    "MethodSpec",
    "ParamSpec",
    "PrefixFunction",
    "ReadRequest",
    "ReaderFunction",
    "ReaderSpec",
    "Registry",
    "SplitFunction",
]


@attrs.frozen(slots=True)
class MethodContext:
    """What a calculation method may know besides the scores.

    ``cut`` is the competency's proficiency cut, ``scale_min``/``scale_max`` its scale's range,
    ``timestamps`` the moments of the scores (same order as the scores, oldest first).
    """

    cut: Decimal
    scale_min: Decimal
    scale_max: Decimal
    timestamps: tuple[dt.datetime, ...] = ()


class MethodFunction(Protocol):
    """A calculation method: scores (oldest first, never empty) and arguments to one score.

    Returns the unrounded score, or ``None`` when the method gives no score yet (for example
    ``n_mastery`` before n scores reach the cut); the competency is then ``insufficient``.
    """

    def __call__(
        self, scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
    ) -> Decimal | None: ...


class PrefixFunction(Protocol):
    """A calculation method's optional running form, for the engine's fast path.

    Yields, in order, what the method returns for ``scores[:1]``, ``scores[:2]``, …,
    ``scores[:k]`` (each exactly the value the method function gives for that prefix), so the
    engine can find the first date a competency became proficient in one pass instead of one
    calculation per date. ``context.timestamps`` are those of all the scores. It is consumed
    lazily and may be abandoned part way.
    """

    def __call__(
        self, scores: Sequence[Decimal], args: Sequence[Decimal], context: MethodContext
    ) -> Iterator[Decimal | None]: ...


@attrs.frozen(slots=True)
class ParamSpec:
    """One parameter of a calculation method.

    ``kind`` is ``weight`` (written as a percentage, ``65%``, passed as the fraction 0.65),
    ``count`` (a whole number) or ``number``. ``minimum`` and ``maximum`` bound the value as
    written (percent for weights). ``default`` is ``None`` for a required parameter.
    """

    name: str
    kind: Literal["weight", "count", "number"]
    minimum: Decimal
    maximum: Decimal
    default: Decimal | None = None
    doc: str = ""


@attrs.frozen(slots=True)
class MethodSpec:
    """A calculation method as a plugin declares it.

    ``needs_positive_scale`` marks methods (``power_law``) that cannot run on a scale whose lowest
    value is not above 0. ``order_free`` marks methods whose result does not depend on the order
    of the scores (used by property tests and the docs). ``summary`` is a one-line description
    for listings and the docs; ``plugin`` names the plugin that registered it.

    Two optional fields let the engine go faster and change no result: ``prefixes`` is the
    method's running form (see :class:`PrefixFunction`; without it the engine calls ``function``
    once per prefix), and ``reads_timestamps=False`` says the method never reads
    ``context.timestamps`` (the engine then passes an empty tuple instead of building one).
    """

    name: str
    function: MethodFunction
    params: tuple[ParamSpec, ...] = ()
    summary: str = ""
    needs_positive_scale: bool = False
    order_free: bool = False
    plugin: str = "masterykit"
    prefixes: PrefixFunction | None = attrs.field(default=None, eq=False, repr=False)
    reads_timestamps: bool = True


@attrs.frozen(slots=True)
class ReadRequest:
    """What an evidence reader is asked to read: a path (or ``-``), and reader options such as an
    xAPI activity → competency mapping."""

    path: Path
    options: Mapping[str, Any] = attrs.field(factory=dict)


ReaderFunction = Callable[[ReadRequest], Iterator[Evidence | Rejection]]


class FileParts(Protocol):
    """An evidence file sorted by learner, cut into parts at learner boundaries that can be
    read apart (on several processes), together giving what reading the whole file gives."""

    def __len__(self) -> int:
        """How many parts."""
        ...

    def holds(self, index: int, learner_id: str) -> bool:
        """Whether ``learner_id`` belongs to part ``index`` (a learner without evidence too)."""
        ...

    def read(self, request: ReadRequest, index: int) -> Iterator[Evidence | Rejection]:
        """Read part ``index``: what the reader gives for its records, placed as in the file."""
        ...


#: Cuts the file of a request into about ``parts`` parts, or says in a sentence why it is
#: read whole (too small, a check that needs the whole file).
SplitFunction = Callable[[ReadRequest, int], "FileParts | str"]


@attrs.frozen(slots=True)
class ReaderSpec:
    """An evidence reader: a format name, the file name endings it claims, and a function that
    streams :class:`~masterykit.evidence.Evidence` and :class:`~masterykit.evidence.Rejection`
    values (every record becomes one or the other).

    Optional capabilities, which callers read instead of the reader's name: ``split`` cuts a
    file sorted by learner into parts that can be read apart (``evaluate --sorted --jobs N``,
    :func:`masterykit.batch.plan_parts`); ``policy_scales`` says the reader maps scores onto the
    policy's scales when given them in the ``scales`` option
    (:func:`masterykit.readers.policy_scales`); ``folders`` says it reads a folder rather than
    a file (a folder given without a format goes to such a reader).
    """

    name: str
    extensions: tuple[str, ...]
    read: ReaderFunction
    summary: str = ""
    plugin: str = "masterykit"
    split: SplitFunction | None = attrs.field(default=None, eq=False, repr=False)
    policy_scales: bool = False
    folders: bool = False


@attrs.frozen(slots=True)
class ImporterSpec:
    """A competency-framework importer (CASE JSON and others)."""

    name: str
    extensions: tuple[str, ...]
    load: Callable[[Path], Framework]
    summary: str = ""
    plugin: str = "masterykit"


@attrs.frozen(slots=True)
class Registry:
    """Everything plugins contributed, by name. Build one with
    :func:`masterykit.plugins.default_registry` or by hand; :meth:`empty` has nothing.

    ``problems`` holds warnings about installed plugins that were left out because they are
    broken (``MK5xx``): a registry built leniently (the default for installed plugins) keeps
    everything that works, and :func:`masterykit.check_file` shows these warnings.
    """

    methods: Mapping[str, MethodSpec] = attrs.field(factory=dict)
    readers: Mapping[str, ReaderSpec] = attrs.field(factory=dict)
    importers: Mapping[str, ImporterSpec] = attrs.field(factory=dict)
    problems: tuple[Diagnostic, ...] = ()

    @classmethod
    def empty(cls) -> Registry:
        """A registry with no methods, readers or importers."""
        return cls()

    @classmethod
    def of(
        cls,
        methods: Iterable[MethodSpec] = (),
        readers: Iterable[ReaderSpec] = (),
        importers: Iterable[ImporterSpec] = (),
        problems: Iterable[Diagnostic] = (),
    ) -> Registry:
        """A registry from specs (a later spec with the same name replaces an earlier one)."""
        return cls(
            {m.name: m for m in methods},
            {r.name: r for r in readers},
            {i.name: i for i in importers},
            tuple(problems),
        )

    def reader_for(self, path: Path) -> ReaderSpec | None:
        """The reader that claims ``path``'s ending (longest ending first), or ``None``."""
        name = path.name.lower()
        best: tuple[int, ReaderSpec] | None = None
        for spec in self.readers.values():
            for ending in spec.extensions:
                if name.endswith(ending.lower()) and (best is None or len(ending) > best[0]):
                    best = (len(ending), spec)
        return best[1] if best else None
