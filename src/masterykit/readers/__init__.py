"""Evidence readers: CSV, JSON Lines, Parquet, xAPI and OneRoster files to evidence and
rejections.

Every reader streams its input and yields exactly one :class:`~masterykit.evidence.Evidence` or
one :class:`~masterykit.evidence.Rejection` per record (a CSV row, a JSON line, an xAPI statement,
a OneRoster result and learning objective), so nothing is dropped silently. The built-in readers
register as a plugin (:mod:`masterykit.policies.formats`); this module is the plain Python way in:

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ev.csv").write_text(
...     "learner,competency,score,timestamp\\nana,M.1,3,2026-01-10\\nben,M.1,x,2026-01-11\\n")
>>> evidence, rejections, summary = read_all(folder / "ev.csv")
>>> [e.learner for e in evidence], [r.code for r in rejections], summary.read
(['ana'], ['MK309'], 2)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import Evidence, Origin, Rejection, repeated_source_id
from masterykit.readers import columnar
from masterykit.readers._common import CODES, DEFAULT_MAX_RECORD_BYTES, SKIP_CODES
from masterykit.readers.learners import read_learners
from masterykit.readers.oneroster import read_oneroster
from masterykit.readers.tabular import cut_csv, read_csv, read_jsonl
from masterykit.readers.xapi import read_xapi
from masterykit.registry import ReaderSpec, ReadRequest, Registry

if TYPE_CHECKING:
    from masterykit.policy import Policy

__all__ = [
    "BUILTIN_READERS",
    "CODES",
    "DEFAULT_MAX_RECORD_BYTES",
    "SKIP_CODES",
    "ReadSummary",
    "policy_scales",
    "read_all",
    "read_evidence",
    "read_files",
    "read_learners",
    "reader_request",
    "reader_spec",
]


def _read_csv(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """The CSV reader: column by column with Arrow when the ``arrow`` extra is installed
    (:func:`~masterykit.readers.columnar.read_csv_columnar`, the same result, faster), else
    :func:`~masterykit.readers.tabular.read_csv`."""
    if columnar.available():
        return columnar.read_csv_columnar(request)
    return read_csv(request)


def _read_parquet(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """The Parquet reader (:func:`~masterykit.readers.columnar.read_parquet`), which needs the
    ``arrow`` extra (``MK376`` without it)."""
    if not columnar.available():
        raise EvidenceError(
            [
                Diagnostic(
                    "MK376",
                    f"reading `{request.path}` as Parquet needs pyarrow, which is not installed",
                    help="install the `arrow` extra: pip install 'masterykit[arrow]'",
                    location=str(request.path),
                )
            ]
        )
    return columnar.read_parquet(request)


#: The built-in evidence readers, as the plugin registers them. Each maps scores onto the
#: policy's scales (``policy_scales``); the CSV reader can also cut a file sorted by learner
#: into parts read apart (``split``), and the OneRoster reader reads folders (``folders``).
BUILTIN_READERS: tuple[ReaderSpec, ...] = (
    ReaderSpec(
        "csv",
        (".csv",),
        _read_csv,
        summary="CSV with documented evidence columns",
        split=cut_csv,
        policy_scales=True,
    ),
    ReaderSpec(
        "jsonl",
        (".jsonl", ".ndjson"),
        read_jsonl,
        summary="JSON Lines, one evidence object a line",
        policy_scales=True,
    ),
    ReaderSpec(
        "parquet",
        (".parquet",),
        _read_parquet,
        summary="Parquet with the CSV evidence columns (the `arrow` extra)",
        policy_scales=True,
    ),
    ReaderSpec(
        "xapi",
        (".xapi.json", ".xapi.jsonl"),
        read_xapi,
        summary="xAPI statements (scored ones)",
        policy_scales=True,
    ),
    ReaderSpec(
        "oneroster",
        (),
        read_oneroster,
        summary="a OneRoster 1.2 CSV gradebook folder",
        policy_scales=True,
        folders=True,
    ),
)


@attrs.frozen(slots=True)
class ReadSummary:
    """What a read gave: records read, used (evidence) and rejected by code.

    ``skipped`` counts the rejections that are not mistakes (an xAPI statement without a score,
    a voiding statement, a OneRoster result not yet fully graded or marked for deletion) by
    code; they are included in ``rejected``. The counts reconcile:
    ``read == used + sum(rejected.values())``.
    """

    read: int
    used: int
    rejected: Mapping[str, int] = attrs.field(factory=dict)
    skipped: Mapping[str, int] = attrs.field(factory=dict)

    @classmethod
    def of(cls, results: Iterable[Evidence | Rejection]) -> ReadSummary:
        """Count ``results`` (consumes the iterable)."""
        used = 0
        codes: Counter[str] = Counter()
        for result in results:
            if isinstance(result, Evidence):
                used += 1
            else:
                codes[result.code] += 1
        rejected = dict(sorted(codes.items()))
        skipped = {code: n for code, n in rejected.items() if code in SKIP_CODES}
        return cls(used + sum(codes.values()), used, rejected, skipped)

    @property
    def rejected_total(self) -> int:
        """All rejections, skipped ones included."""
        return sum(self.rejected.values())

    @property
    def reconciles(self) -> bool:
        """Whether every record read was used or rejected."""
        return self.read == self.used + self.rejected_total

    def describe(self) -> list[str]:
        """One line per count, for people (``rejected MK309 ×2: a score is not a number``)."""
        lines = [f"read {self.read}, used {self.used}, rejected {self.rejected_total}"]
        for code, n in self.rejected.items():
            verb = "skipped" if code in SKIP_CODES else "rejected"
            lines.append(f"{verb} {code} ×{n}: {CODES[code]}")
        return lines


def policy_scales(policy: Policy, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Reader options with every competency's scale from ``policy`` filled in.

    ``scales`` gets ``(minimum, maximum)`` of each competency's scale (entries already in
    ``options["scales"]`` win), so xAPI, OneRoster and rescaled CSV scores land on the scale the
    policy uses; the other options are kept as they are.
    """
    merged = dict(options or {})
    scales = {
        code: (competency.scale.minimum, competency.scale.maximum)
        for code, competency in policy.competencies.items()
    }
    given = merged.get("scales") or {}
    if not isinstance(given, Mapping):
        return merged  # the reader refuses the option with MK302
    scales.update(given)
    merged["scales"] = scales
    return merged


def _default_registry() -> Registry:
    return Registry.of(readers=BUILTIN_READERS)


def read_evidence(
    path: str | Path,
    *,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
    policy: Policy | None = None,
) -> Iterator[Evidence | Rejection]:
    """Stream the evidence in ``path``: one evidence or rejection per record.

    Args:
        path: A file (``-`` for standard input) or, for OneRoster, a folder.
        format: A reader name (``csv``, ``jsonl``, ``xapi``, ``oneroster`` or a plugin's);
            by default the reader that claims the file's ending (a folder: ``oneroster``).
        options: Reader options (see ``docs/formats.rst``), such as an xAPI ``activities``
            mapping or ``scales``.
        registry: Where readers are looked up; the built-in readers by default.
        policy: The policy the evidence is for. A built-in reader then maps scores onto each
            competency's scale without a ``scales`` option (see :func:`policy_scales`); a
            ``scale`` option, or a competency's entry in ``scales``, still wins. Readers that
            do not declare ``policy_scales`` (plugin readers, unless they do) get the options
            as given.

    Raises:
        EvidenceError: ``MK301`` when no reader fits, ``MK300`` when the file cannot be read,
            ``MK302`` for a wrong option. Problems with records are rejections, never errors.
    """
    spec = reader_spec(path, format, registry)
    return spec.read(reader_request(spec, path, options, policy))


def reader_spec(
    path: str | Path, format: str | None = None, registry: Registry | None = None
) -> ReaderSpec:
    """The reader for ``path``: the one named ``format``, else, for a folder, the first that
    reads folders (``oneroster`` among the built-in ones), else the one that claims the
    file's ending.

    Raises:
        EvidenceError: ``MK301`` when no reader fits.
    """
    path = Path(path)
    registry = registry or _default_registry()
    if format is not None:
        spec = registry.readers.get(format)
        if spec is None:
            raise _no_reader(format)
        return spec
    if path.is_dir():
        for spec in registry.readers.values():
            if spec.folders:
                return spec
    found = registry.reader_for(path)
    if found is None:
        raise _no_reader(path.name)
    return found


def reader_request(
    spec: ReaderSpec,
    path: str | Path,
    options: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
) -> ReadRequest:
    """What ``spec`` is asked to read: ``path`` and the options, with the scales of ``policy``
    filled in for a reader that maps scores onto them (``policy_scales``) unless a ``scale``
    option is given."""
    given = dict(options or {})
    if policy is not None and spec.policy_scales and given.get("scale") is None:
        given = policy_scales(policy, given)
    return ReadRequest(Path(path), given)


def _no_reader(name: str) -> EvidenceError:
    return EvidenceError(
        [
            Diagnostic(
                "MK301",
                f"no evidence reader for `{name}`",
                help="name a format: csv, jsonl, parquet, xapi or oneroster",
                location=name,
            )
        ]
    )


def read_all(
    path: str | Path,
    *,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
    policy: Policy | None = None,
) -> tuple[tuple[Evidence, ...], tuple[Rejection, ...], ReadSummary]:
    """Read ``path`` whole: the evidence, the rejections and their :class:`ReadSummary`.

    The arguments are those of :func:`read_evidence`.
    """
    results = list(
        read_evidence(path, format=format, options=options, registry=registry, policy=policy)
    )
    evidence = tuple(r for r in results if isinstance(r, Evidence))
    rejections = tuple(r for r in results if isinstance(r, Rejection))
    return evidence, rejections, ReadSummary.of(results)


def read_files(
    paths: Iterable[str | Path],
    *,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
    policy: Policy | None = None,
) -> Iterator[Evidence | Rejection]:
    """Stream the evidence of several files (or OneRoster folders) in turn, as one read.

    Each file is read as :func:`read_evidence` reads it (the other arguments are its own, and
    apply to every file). A ``source_id`` is counted once across all the files: a piece whose
    ``source_id`` an earlier piece gave, in this file or an earlier one, is rejected with
    ``MK314`` (``duplicate source_id `q-1` (first in a.csv line 2)``), so files whose
    exports overlap, or an export read twice, count each record once. Only the ids are kept
    from file to file.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.csv", "b.csv"):
    ...     _ = (folder / name).write_text("learner,competency,score,timestamp,source_id\\n"
    ...                                    "ana,M.1,3,2026-01-10,q-1\\n")
    >>> [getattr(r, "reason", "used") for r in read_files([folder / "a.csv", folder / "b.csv"])]
    ['used', 'duplicate source_id `q-1` (first in ...a.csv line 2)']

    Raises:
        EvidenceError: as :func:`read_evidence`, for the file being opened.

    .. versionadded:: 0.1
    """
    first: dict[str, Origin | None] = {}
    for path in paths:
        for record in read_evidence(
            path, format=format, options=options, registry=registry, policy=policy
        ):
            if isinstance(record, Evidence) and type(record.source_id) is str:
                source_id = record.source_id
                if source_id in first:
                    yield repeated_source_id(record, first[source_id])
                    continue
                first[source_id] = record.origin
            yield record
