"""Whole batch runs: an export evaluated in one process or cut into parts for several.

* :func:`evaluate_in_batches` evaluates evidence already in memory ``BATCH`` learners at a
  time (so a long run can report progress), giving the result of one
  :func:`~masterykit.engine.evaluate` call.
* :func:`evaluate_sorted` streams an export sorted by learner and writes each learner's JSON
  Lines or CSV output as soon as their evidence has been read, in one process or, given the
  file's parts (:func:`plan_parts`), on one process per part (:func:`evaluate_parts`); the
  output is byte for byte the same.
"""

from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from masterykit.batch.output import output_error
from masterykit.batch.writers import CsvRows, Tally, write_ending, write_learners
from masterykit.district import District
from masterykit.engine.evaluate import rejection_key
from masterykit.engine.stream import evaluate_stream
from masterykit.evidence import Evidence, Learner, Rejection
from masterykit.policy import Policy
from masterykit.registry import FileParts, ReadRequest, Registry

if TYPE_CHECKING:
    from masterykit.engine import EvaluationResult

__all__ = [
    "BATCH",
    "ONE_PROCESS",
    "PartsPlan",
    "evaluate_in_batches",
    "evaluate_parts",
    "evaluate_sorted",
    "plan_parts",
]

#: How many learners :func:`evaluate_in_batches` evaluates at a time.
BATCH: Final = 100

#: Why a file is read in one process when its reader cannot cut files into parts.
ONE_PROCESS: Final = "only a CSV evidence file can be cut into parts"


def evaluate_in_batches(
    policy: Policy | District,
    learners: Sequence[Learner] | None,
    evidence: Sequence[Evidence],
    as_of: dt.date,
    *,
    advance: Callable[[int], None] | None = None,
) -> EvaluationResult:
    """Evaluate ``learners`` (default: every learner in ``evidence``, in id order) ``BATCH``
    at a time; the result is that of one :func:`~masterykit.engine.evaluate` call.

    Each learner's evidence goes to the batch that evaluates the learner; evidence for learners
    not on the list is evaluated last (and rejected by the engine). ``advance`` is called with
    the number of learners each batch finished.
    """
    from masterykit.engine import evaluate

    if learners is None:
        roster = [Learner(i) for i in sorted({piece.learner for piece in evidence})]
    else:
        roster = list(learners)
    by_learner: dict[str, list[Evidence]] = {learner.id: [] for learner in roster}
    strays: list[Evidence] = []
    for piece in evidence:
        bucket = by_learner.get(piece.learner)
        (strays if bucket is None else bucket).append(piece)
    parts: list[EvaluationResult] = []
    for start in range(0, len(roster), BATCH):
        batch = roster[start : start + BATCH]
        pieces = [piece for learner in batch for piece in by_learner.pop(learner.id, [])]
        parts.append(evaluate(policy, batch, pieces, as_of=as_of))
        if advance is not None:
            advance(len(batch))
    if strays or not parts:
        parts.append(evaluate(policy, [], strays, as_of=as_of))
    return _merge(policy, as_of, parts)


def _merge(
    policy: Policy | District, as_of: dt.date, parts: list[EvaluationResult]
) -> EvaluationResult:
    from masterykit.engine import EvaluationResult, EvidenceCounts

    counts = [part.counts for part in parts]
    return EvaluationResult(
        policy.name,
        policy.version,
        as_of,
        tuple(learner for part in parts for learner in part.learners),
        tuple(sorted((r for part in parts for r in part.rejections), key=rejection_key)),
        EvidenceCounts(
            sum(c.read for c in counts),
            sum(c.used for c in counts),
            sum(c.rejected for c in counts),
            sum(c.counted for c in counts),
            sum(c.not_counted for c in counts),
        ),
        parts[0].district,
    )


@attrs.frozen(slots=True)
class PartsPlan:
    """How an evidence file is read: ``parts`` to read on one process each, or ``None`` and
    the ``reason`` it is read whole in one process."""

    parts: FileParts | None
    reason: str = ""
    request: ReadRequest | None = None


def plan_parts(
    evidence: str | Path,
    jobs: int,
    *,
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
    registry: Registry | None = None,
) -> PartsPlan:
    """Cut the evidence file for ``jobs`` processes, or say why it is read in one.

    The file is cut by its reader, if the reader can (its ``split`` capability, see
    :class:`~masterykit.registry.ReaderSpec`): the built-in CSV reader cuts a file sorted by
    learner at learner boundaries, where ``csv`` reading the whole file would begin a
    record. ``format``, ``options``, ``policy`` and ``registry`` are as for
    :func:`~masterykit.readers.read_evidence`.

    Raises:
        EvidenceError: ``MK301`` when no reader fits; ``MK357`` when the rows at a cut are out
            of learner id order.
    """
    from masterykit.readers import reader_request, reader_spec

    path = Path(evidence)
    spec = reader_spec(path, format, registry)
    if jobs < 2 or spec.split is None or str(evidence) == "-" or not path.is_file():
        return PartsPlan(None, ONE_PROCESS)
    request = reader_request(spec, path, options, policy)
    split = spec.split(request, jobs)
    if isinstance(split, str):
        return PartsPlan(None, split)
    return PartsPlan(split, request=request)


@attrs.frozen(slots=True)
class _Task:
    policy: bytes
    request: ReadRequest
    parts: FileParts
    index: int
    learners: str | tuple[Learner, ...] | None
    as_of: dt.date
    output_format: Literal["jsonl", "csv"]
    guard: bool
    out: str


def _run_part(task: _Task) -> Tally:
    """Evaluate one part in a worker process; its output goes to ``task.out``."""
    from masterykit.readers import read_learners

    policy: Policy | District = pickle.loads(task.policy)  # our own bytes, from the parent
    learners: list[Learner] | None = None
    if task.learners is not None:
        listed = read_learners(task.learners) if isinstance(task.learners, str) else task.learners
        learners = [learner for learner in listed if task.parts.holds(task.index, learner.id)]
    records = task.parts.read(task.request, task.index)
    tally = Tally()
    try:
        stream = Path(task.out).open("w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise output_error(task.out, error) from None
    with stream:
        results = evaluate_stream(
            policy, records, learners=learners, as_of=task.as_of, sorted_by_id=True
        )
        try:
            write_learners(
                results, task.output_format, stream.write, tally, as_of=task.as_of, guard=task.guard
            )
            stream.flush()
        except OSError as error:
            raise output_error(task.out, error) from None
    return tally


def _pickled(policy: Policy | District) -> bytes:
    try:
        return pickle.dumps(policy, pickle.HIGHEST_PROTOCOL)
    except Exception as error:
        raise TypeError(
            f"policy `{policy.name}` cannot be sent to worker processes ({error}); "
            "evaluate it in one process, or define its plugin methods at module level"
        ) from error


def evaluate_parts(
    policy: Policy | District,
    plan: PartsPlan,
    *,
    output_format: Literal["jsonl", "csv"],
    write: Callable[[str], object],
    learners: str | Path | Iterable[Learner] | None = None,
    as_of: dt.date,
    guard: bool = True,
) -> Tally:
    """Evaluate each part of ``plan`` on a process of its own and write their learners'
    output, in order, through ``write``; returns the parts' tally (rejections and counts).

    Each process reads its own part (reading is most of a batch run, so it is the work that
    must run in parallel), evaluates the learners in it as :func:`evaluate_sorted` does, and
    writes their output to a file of its own in the system's temporary folder; the files are
    then copied through ``write`` in order. Follow with
    :func:`~masterykit.batch.write_ending` for the rejections and the summary. ``policy`` may
    be a district file: it goes to each process whole.

    ``learners`` is the learners file (each process reads it and keeps its own learners) or
    the learners, sorted by id; ``None`` evaluates the learners the evidence names.

    Raises:
        ValueError: ``plan`` has no parts.
        TypeError: the policy cannot be sent to worker processes (a plugin method not defined
            at module level).
        EvidenceError: as :func:`evaluate_sorted`.
        OutputError: ``MK413`` when a part's output cannot be written.
    """
    if plan.parts is None or plan.request is None:
        raise ValueError(f"the evidence file is read whole: {plan.reason}")
    parts = plan.parts
    listed: str | tuple[Learner, ...] | None
    if learners is None or isinstance(learners, str | Path):
        listed = None if learners is None else str(learners)
    else:
        listed = tuple(learners)
    pickled = _pickled(policy)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="masterykit-") as folder:
        tasks = [
            _Task(
                pickled,
                plan.request,
                parts,
                index,
                listed
                if not isinstance(listed, tuple)
                else tuple(x for x in listed if parts.holds(index, x.id)),
                as_of,
                output_format,
                guard,
                str(Path(folder) / f"part-{index}"),
            )
            for index in range(len(parts))
        ]
        with ProcessPoolExecutor(max_workers=len(tasks)) as pool:
            tallies = list(pool.map(_run_part, tasks))
        for task, part in zip(tasks, tallies, strict=True):
            tally.add(part)
            with Path(task.out).open(encoding="utf-8") as stream:
                while chunk := stream.read(1 << 20):
                    write(chunk)
    return tally


def evaluate_sorted(
    policy: Policy | District,
    records: Iterable[Evidence | Rejection] | PartsPlan,
    *,
    output_format: Literal["jsonl", "csv"],
    write: Callable[[str], object],
    learners: str | Path | Iterable[Learner] | None = None,
    as_of: dt.date | None = None,
    guard: bool = True,
    tick: Callable[[int], None] | None = None,
) -> Tally:
    """Evaluate an export sorted by learner id and write the whole JSON Lines or CSV output
    (what ``masterykit evaluate --sorted`` writes) through ``write``.

    Each learner is written as soon as their evidence has been read, so memory stays flat;
    the rejections are kept and written, sorted, at the end, followed (JSON Lines) by the
    summary with the counts.

    Args:
        policy: a checked policy, or a checked district file (each learner is then evaluated
            under the policy their route names, and the output names it).
        records: the reader's records (:func:`~masterykit.readers.read_evidence`) sorted by
            learner id, or a :class:`PartsPlan` with parts (:func:`plan_parts`) to evaluate on
            one process per part, with the same output.
        output_format: ``jsonl`` or ``csv``.
        write: takes each piece of text (such as a file's ``write`` or the one
            :func:`~masterykit.batch.open_output` gives).
        learners: the learners file, or the learners sorted by id; ``None``: the learners the
            evidence names.
        as_of: the evaluation date; today when ``None``.
        guard: guard CSV cells against formula injection (:func:`~masterykit.batch.guard_cell`).
        tick: told how many records each learner read (one process only), for progress.

    Returns:
        What was written adds up to: the counts, and the rejections in the order they were
        written.

    Raises:
        EvidenceError: ``MK357`` when the evidence or the learners are out of id order (the
            learners before are written), and the readers' file errors.
        OutputError: a part's output cannot be written.
    """
    from masterykit.readers import read_learners

    day = as_of or dt.date.today()
    if output_format == "csv":
        CsvRows(write, guard=guard).header()
    if isinstance(records, PartsPlan):
        tally = evaluate_parts(
            policy,
            records,
            output_format=output_format,
            write=write,
            learners=learners,
            as_of=day,
            guard=guard,
        )
    else:
        tally = Tally()
        listed: Iterable[Learner] | None
        if learners is None or isinstance(learners, str | Path):
            listed = None if learners is None else read_learners(learners)
        else:
            listed = learners
        results = evaluate_stream(policy, records, learners=listed, as_of=day, sorted_by_id=True)
        write_learners(results, output_format, write, tally, as_of=day, tick=tick, guard=guard)
    tally.rejections = write_ending(policy, tally, output_format, write, as_of=day, guard=guard)
    return tally
