"""Batch evaluation: a district's export evaluated and written out, in one process or several.

What ``masterykit evaluate`` does, as a Python API for a service or a scheduler:

* :func:`evaluate_stream` evaluates evidence sorted by learner one learner at a time, in
  memory bounded by one learner's evidence (also exported by :mod:`masterykit.engine`);
* :func:`plan_parts` cuts a sorted evidence file into parts at learner boundaries, when its
  reader can (:class:`~masterykit.registry.ReaderSpec` ``split``), and :func:`evaluate_sorted`
  evaluates the parts on one process each, or the whole file in this process, writing JSON
  Lines or CSV as it goes; the output is byte for byte the same either way;
* :func:`evaluate_grouped` evaluates a CSV or Parquet export in any order with the same
  output, grouping it by learner out of core with DuckDB (:func:`grouped_records`, the
  ``arrow`` extra), in bounded memory;
* :func:`evaluate_in_batches` evaluates evidence in memory a batch of learners at a time;
* the writers: :func:`result_document` (the JSON document), :class:`JsonLines`,
  :class:`CsvRows` (CSV, with cells guarded against formula injection: :func:`guard_cell`),
  :func:`table_lines` (for people, control characters escaped: :func:`visible`), and
  :class:`Tally` with :func:`write_learners` and :func:`write_ending` for output written
  learner by learner;
* :func:`open_output` (and :func:`open_binary_output`, for Parquet) writes a file safely:
  never over an input, never half-written.

>>> import datetime as dt, io, pathlib, tempfile
>>> from masterykit import batch
>>> from masterykit.loader import load_text
>>> from masterykit.readers import read_evidence
>>> policy = load_text('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''', "demo.mastery")
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "export.csv").write_text("learner,competency,score,timestamp\\n"
...     "ana,MATH.1,2,2026-01-05\\nbo,MATH.1,1,2026-01-06\\nbo,MATH.1,x,2026-01-07\\n")
>>> plan = batch.plan_parts(folder / "export.csv", 2, policy=policy)
>>> plan.parts is None, plan.reason
(True, 'the evidence file is too small to cut into parts')
>>> with batch.open_output(folder / "out.csv", inputs=[folder / "export.csv"]) as write:
...     tally = batch.evaluate_sorted(policy, read_evidence(folder / "export.csv", policy=policy),
...         output_format="csv", write=write, as_of=dt.date(2026, 2, 1))
>>> print((folder / "out.csv").read_text(), end="")  # doctest: +ELLIPSIS
learner,type,name,status,score,level,detail
ana,competency,MATH.1,proficient,2,Yes,"1 counted, 0 not counted"
bo,competency,MATH.1,developing,1,NotYet,"1 counted, 0 not counted"
,rejection,,MK309,,,.../export.csv line 4: score `x` is not a number
>>> tally.counts
[3, 2, 1, 2, 0]
"""

from masterykit.batch.grouped import (
    GROUPING_MEMORY,
    can_group,
    evaluate_grouped,
    grouped_records,
    grouping_reader,
)
from masterykit.batch.output import (
    OutputError,
    check_not_input,
    closed_output,
    open_binary_output,
    open_output,
    output_error,
)
from masterykit.batch.runs import (
    BATCH,
    ONE_PROCESS,
    PartsPlan,
    evaluate_in_batches,
    evaluate_parts,
    evaluate_sorted,
    plan_parts,
)
from masterykit.batch.writers import (
    CSV_COLUMNS,
    FORMATS,
    RESULT_SCHEMA,
    TABLE_HEADER,
    CsvRows,
    JsonLines,
    OutputFormat,
    ParquetText,
    Report,
    Routing,
    Tally,
    counts_json,
    csv_learner_rows,
    csv_rejection_row,
    guard_cell,
    jsonl_lines,
    policy_json,
    render,
    result_document,
    routing_json,
    skipped,
    table_header,
    table_lines,
    table_rows,
    visible,
    write_ending,
    write_learners,
)
from masterykit.engine.evaluate import rejection_key
from masterykit.engine.stream import evaluate_stream

__all__ = [
    "BATCH",
    "CSV_COLUMNS",
    "FORMATS",
    "GROUPING_MEMORY",
    "ONE_PROCESS",
    "RESULT_SCHEMA",
    "TABLE_HEADER",
    "CsvRows",
    "JsonLines",
    "OutputError",
    "OutputFormat",
    "ParquetText",
    "PartsPlan",
    "Report",
    "Routing",
    "Tally",
    "can_group",
    "check_not_input",
    "closed_output",
    "counts_json",
    "csv_learner_rows",
    "csv_rejection_row",
    "evaluate_grouped",
    "evaluate_in_batches",
    "evaluate_parts",
    "evaluate_sorted",
    "evaluate_stream",
    "grouped_records",
    "grouping_reader",
    "guard_cell",
    "jsonl_lines",
    "open_binary_output",
    "open_output",
    "output_error",
    "plan_parts",
    "policy_json",
    "rejection_key",
    "render",
    "result_document",
    "routing_json",
    "skipped",
    "table_header",
    "table_lines",
    "table_rows",
    "visible",
    "write_ending",
    "write_learners",
]
