"""Evidence in any order grouped by learner out of core, with DuckDB, in bounded memory.

:func:`grouped_records` reads a CSV or Parquet evidence file in any order with every check of
the columnar reader (:func:`masterykit.readers.columnar.checked_tables`), hands the checked
rows to an embedded DuckDB database in a temporary folder, and reads them back sorted by
learner id (then by line), as Arrow record batches turned into evidence. DuckDB sorts within a
memory limit, spilling to the temporary folder, so a district's unsorted export is evaluated
as a sorted one (:func:`~masterykit.batch.evaluate_sorted`) without ever being in memory
whole. The rejections come first (they are few and are sorted by line when written).

The result is exactly what the CSV or Parquet reader gives, reordered: the same evidence with
the same origins, the same rejections.
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from masterykit.evidence import Evidence, Learner, Rejection
from masterykit.registry import ReadRequest, Registry

if TYPE_CHECKING:
    from masterykit.batch.writers import Tally
    from masterykit.policy import Policy

__all__ = [
    "GROUPING_MEMORY",
    "can_group",
    "evaluate_grouped",
    "grouped_records",
    "grouping_reader",
]

#: The memory DuckDB may use to sort (beyond it, it spills to its temporary folder).
GROUPING_MEMORY: Final = "512MB"
#: How many rows DuckDB hands back at a time.
_BATCH_ROWS: Final = 65_536


def can_group() -> bool:
    """Whether the ``arrow`` extra (pyarrow, numpy and DuckDB) is installed."""
    from masterykit.readers import columnar

    if not columnar.available():
        return False
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def grouped_records(
    request: ReadRequest,
    format: str,
    *,
    memory_limit: str = GROUPING_MEMORY,
    temp_dir: str | Path | None = None,
    threads: int = 2,
) -> Iterator[Evidence | Rejection]:
    """The records of the CSV or Parquet (``format``) evidence file of ``request``, sorted by
    learner id (then by line), rejections first; memory stays within about
    ``memory_limit`` plus one batch, whatever the file's size.

    The file is read and checked whole before the first record is given (so a file error,
    such as a missing column, comes before any output); the temporary database is removed
    when the iterator is finished or closed.

    Raises:
        EvidenceError: what the reader raises.
    """
    import duckdb

    from masterykit.readers.columnar import checked_tables, records_of_normal

    file = str(request.path)
    with tempfile.TemporaryDirectory(prefix="masterykit-group-", dir=temp_dir) as folder:
        database = duckdb.connect(
            str(Path(folder) / "evidence.duckdb"),
            config={
                "memory_limit": memory_limit,
                "temp_directory": str(Path(folder) / "spill"),
                "threads": threads,
                "preserve_insertion_order": False,
            },
        )
        try:
            rejections: list[Rejection] = []
            created = False
            for table, rejected in checked_tables(request, format):
                rejections.extend(rejected)
                if not created:
                    database.register("block", table)
                    database.execute("CREATE TABLE evidence AS SELECT * FROM block")
                    database.unregister("block")
                    created = True
                elif table.num_rows:
                    _append(database, table)
            yield from rejections
            if not created:
                return
            rejections.clear()
            result: Any = database.sql("SELECT * FROM evidence ORDER BY learner, line")
            # DuckDB 2 names `fetch_arrow_reader` of DuckDB 1 `to_arrow_reader`.
            batches = getattr(result, "to_arrow_reader", None) or result.fetch_arrow_reader
            for batch in batches(_BATCH_ROWS):
                yield from records_of_normal(batch, file)
        finally:
            database.close()


def _append(database: Any, table: Any) -> None:
    database.register("block", table)
    database.execute("INSERT INTO evidence SELECT * FROM block")
    database.unregister("block")


def grouping_reader(
    evidence: str | Path,
    format: str | None = None,
    registry: Registry | None = None,
    learners: Sequence[Learner] | None = None,
) -> str | None:
    """The built-in reader (``csv`` or ``parquet``) that :func:`evaluate_grouped` would group
    ``evidence`` with, or ``None`` when it cannot: the ``arrow`` extra is missing, the
    evidence is standard input or another format, or ``learners`` are not sorted by id (the
    learners are then evaluated in their order, in memory).

    Raises:
        EvidenceError: ``MK301`` when no reader fits.
    """
    from masterykit.readers import reader_spec

    if str(evidence) == "-" or not Path(evidence).is_file() or not can_group():
        return None
    spec = reader_spec(evidence, format, registry)
    if spec.plugin != "masterykit" or spec.name not in ("csv", "parquet"):
        return None
    if learners is not None and any(
        later.id < earlier.id for earlier, later in itertools.pairwise(learners)
    ):
        return None
    return spec.name


def evaluate_grouped(
    policy: Policy,
    evidence: str | Path,
    *,
    output_format: Literal["jsonl", "csv"],
    write: Callable[[str], object],
    format: str | None = None,
    options: Mapping[str, Any] | None = None,
    registry: Registry | None = None,
    learners: Sequence[Learner] | None = None,
    as_of: dt.date | None = None,
    guard: bool = True,
    memory_limit: str = GROUPING_MEMORY,
    temp_dir: str | Path | None = None,
) -> Tally:
    """Evaluate a CSV or Parquet export in any order and write the whole JSON Lines or CSV
    output through ``write``: the same bytes as evaluating it in memory, in memory bounded by
    ``memory_limit`` plus a learner at a time (:func:`grouped_records`, then
    :func:`~masterykit.batch.evaluate_sorted`).

    ``learners`` must be sorted by id (see :func:`grouping_reader`); ``format``, ``options``
    and ``registry`` are as for :func:`~masterykit.readers.read_evidence`.

    Raises:
        EvidenceError: the readers' errors; ``MK301`` when no reader fits.
        ValueError: the file cannot be grouped (:func:`grouping_reader` gives ``None``).
    """
    from masterykit.batch.runs import evaluate_sorted
    from masterykit.readers import reader_request, reader_spec

    name = grouping_reader(evidence, format, registry, learners)
    if name is None:
        raise ValueError(f"`{evidence}` cannot be grouped out of core; evaluate it in memory")
    request = reader_request(reader_spec(evidence, format, registry), evidence, options, policy)
    records = grouped_records(request, name, memory_limit=memory_limit, temp_dir=temp_dir)
    return evaluate_sorted(
        policy,
        records,
        output_format=output_format,
        write=write,
        learners=learners,
        as_of=as_of,
        guard=guard,
    )
