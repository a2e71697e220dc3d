"""Arrow tables in and out: evaluate a policy for evidence held as an Apache Arrow table (the
``arrow`` extra: ``pip install 'masterykit[arrow]'``).

* :func:`evaluate_table` takes the evidence as a ``pyarrow.Table`` with the columns of the
  CSV reader (``learner``, ``competency``, ``score``, ``timestamp``; ``kind``, ``rater``,
  ``source_id``), each cell read as its text with every check of the CSV reader, and the
  learners as a table with an ``id`` column and attribute columns; it returns the results as
  a table with the columns of CSV output (:data:`RESULT_COLUMNS`), rejections included.
* :func:`evaluate_batches` is the same step for record batches that each hold one or more
  whole learners, as a Spark ``mapInArrow`` (or ``applyInPandas`` with Arrow) hands them to a
  function: read columnar, group by learner, evaluate a group, a batch at a time.

A row's ``line`` in a rejection is its row number in the table (from 1; across the batches of
one :func:`evaluate_batches` call).

>>> import datetime as dt
>>> import pyarrow as pa
>>> from masterykit.loader import load_text
>>> policy = load_text('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''', "demo.mastery")
>>> evidence = pa.table({"learner": ["bo", "ana", "ana"], "competency": ["MATH.1"] * 3,
...                      "score": [1, 2, None], "timestamp": ["2026-01-06", "2026-01-05",
...                      "2026-01-07"]})
>>> results = evaluate_table(policy, evidence, as_of=dt.date(2026, 2, 1))
>>> for row in results.to_pylist():
...     print(row["learner"], row["type"], row["status"], row["detail"])
ana competency proficient 1 counted, 0 not counted
bo competency developing 1 counted, 0 not counted
 rejection MK307 <table> line 3: missing `score`
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from masterykit.batch import Report, csv_learner_rows, csv_rejection_row, evaluate_in_batches
from masterykit.batch.writers import CSV_COLUMNS
from masterykit.evidence import AttributeValue, Evidence, Learner, Rejection
from masterykit.policy import Policy

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "RESULT_COLUMNS",
    "evaluate_batches",
    "evaluate_table",
    "learners_of_table",
    "results_table",
]

#: The columns of a results table, those of CSV output (every one holds text).
RESULT_COLUMNS = CSV_COLUMNS


def _schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([(name, pa.string()) for name in RESULT_COLUMNS])


def learners_of_table(table: pa.Table) -> list[Learner]:
    """The learners of a table with an ``id`` column: every other column is an attribute
    (text, whole or decimal numbers, booleans, dates, timestamps; a float becomes the decimal
    of its shortest text; an empty cell leaves the attribute out).

    Raises:
        ValueError: the table has no ``id`` column, or a row has no id.
    """
    if "id" not in table.column_names:
        raise ValueError("the learners table has no `id` column")
    learners = []
    for number, row in enumerate(table.to_pylist(), 1):
        learner_id = row.pop("id")
        if learner_id is None or str(learner_id).strip() == "":
            raise ValueError(f"row {number} of the learners table has no id")
        attributes: dict[str, AttributeValue] = {}
        for name, value in row.items():
            if value is None:
                continue
            if isinstance(value, float):
                value = Decimal(repr(value))
            attributes[name] = value
        learners.append(Learner(str(learner_id), attributes))
    return learners


def results_table(report: Report) -> pa.Table:
    """The results of a run as a table: the rows and columns of its CSV output (without the
    formula guard), rejections last."""
    import pyarrow as pa

    rows: list[tuple[str, ...]] = []
    for learner in report.result.learners:
        rows.extend(csv_learner_rows(learner))
    rows.extend(csv_rejection_row(rejection) for rejection in report.rejections)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in RESULT_COLUMNS]
    return pa.Table.from_arrays([pa.array(list(c), pa.string()) for c in columns], schema=_schema())


def evaluate_table(
    policy: Policy,
    evidence: pa.Table,
    learners: pa.Table | Sequence[Learner] | None = None,
    *,
    as_of: dt.date | None = None,
    options: Mapping[str, Any] | None = None,
    file: str = "<table>",
) -> pa.Table:
    """Evaluate ``policy`` for the ``evidence`` table and return the results table
    (:func:`results_table`).

    Args:
        policy: a checked policy.
        evidence: the evidence, with the CSV reader's columns (the ``columns`` option names
            others); rows in any order.
        learners: the learners (a table for :func:`learners_of_table`, or the values); by
            default the learners the evidence names.
        as_of: the evaluation date; today when ``None``.
        options: the CSV reader's options (scores map onto the policy's scales as the CSV
            reader maps them).
        file: the name rejections give as their file.

    Raises:
        EvidenceError: ``MK373`` for a missing required column, ``MK358`` for a column named
            twice, ``MK375`` for a column that holds lists or structures, ``MK302`` for a
            wrong option.
    """
    records, read = _records(policy, [evidence], options, file)
    return results_table(_report(policy, records, read, learners, as_of))


def evaluate_batches(
    policy: Policy,
    batches: Iterable[pa.RecordBatch],
    learners: pa.Table | Sequence[Learner] | None = None,
    *,
    as_of: dt.date | None = None,
    options: Mapping[str, Any] | None = None,
    file: str = "<table>",
) -> Iterator[pa.RecordBatch]:
    """Evaluate each record batch of evidence on its own and yield its results as a record
    batch: the function a Spark ``mapInArrow`` calls, once the evidence is partitioned so that
    each batch holds one or more whole learners (``repartition("learner")``, then
    ``sortWithinPartitions("learner")``).

    Only the ``learners`` whose evidence is in a batch are evaluated with it (a listed learner
    without evidence is not in the results); evidence for a learner not listed is rejected, as
    by :func:`evaluate_table`, whose arguments these are.
    """
    roster = None
    if learners is not None:
        listed = learners_of_table(learners) if not isinstance(learners, Sequence) else learners
        roster = {learner.id: learner for learner in listed}
    first_line = 1
    for batch in batches:
        records, read = _records(policy, [batch], options, file, first_line)
        first_line += batch.num_rows
        chosen: list[Learner] | None = None
        if roster is not None:
            names = {r.learner for r in records if isinstance(r, Evidence)}
            chosen = [roster[name] for name in sorted(names) if name in roster]
        table = results_table(_report(policy, records, read, chosen, as_of))
        yield from table.to_batches() or [_empty_batch()]


def _empty_batch() -> pa.RecordBatch:
    import pyarrow as pa

    return pa.RecordBatch.from_pylist([], schema=_schema())


def _records(
    policy: Policy,
    tables: Sequence[pa.Table | pa.RecordBatch],
    options: Mapping[str, Any] | None,
    file: str,
    first_line: int = 1,
) -> tuple[list[Evidence | Rejection], int]:
    import pyarrow as pa

    from masterykit.readers import policy_scales
    from masterykit.readers.columnar import records_of_table
    from masterykit.readers.tabular import TabularOptions

    given = dict(options or {})
    if given.get("scale") is None:
        given = policy_scales(policy, given)
    parsed = TabularOptions.from_options(given)
    records: list[Evidence | Rejection] = []
    for table in tables:
        whole = pa.Table.from_batches([table]) if isinstance(table, pa.RecordBatch) else table
        records.extend(records_of_table(whole, parsed, file=file, first_line=first_line))
    return records, len(records)


def _report(
    policy: Policy,
    records: list[Evidence | Rejection],
    read: int,
    learners: pa.Table | Sequence[Learner] | None,
    as_of: dt.date | None,
) -> Report:
    listed: Sequence[Learner] | None
    if learners is None or isinstance(learners, Sequence):
        listed = learners
    else:
        listed = learners_of_table(learners)
    evidence = [r for r in records if isinstance(r, Evidence)]
    rejections = tuple(r for r in records if isinstance(r, Rejection))
    result = evaluate_in_batches(policy, listed, evidence, as_of or dt.date.today())
    return Report(policy, result, rejections, read)
