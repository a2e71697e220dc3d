"""What a district data team writes instead of masterykit: the benchmark policy by hand, set-based.

Two baselines, each reading the evidence and learners CSVs written by
:func:`benchmarks.generate.write_csv` and writing two CSV files (``competencies.csv``: learner,
competency, status, score; ``decisions.csv``: one row per learner with every requirement,
advancement, graduation, pathways and pace):

* :func:`run_duckdb` — the DuckDB query in ``baseline_duckdb.sql``;
* :func:`run_polars` — the same decisions as a lazy Polars script.

Both are specific to ``benchmarks/policy.mastery`` (its competency codes, cuts and thresholds are
written out by hand), as such a script would be. :func:`read_summaries` reads their output back as
:class:`~benchmarks.baseline_python.Summary` values, so every run can check them against the
engine, decision by decision, before they are timed. Both use every core they are given: DuckDB's
``threads`` setting, Polars' ``POLARS_MAX_THREADS`` (read when Polars is first imported, so
:func:`run_polars` is meant to run in a process of its own, as :mod:`benchmarks._e2e` does).

What was hard to get right by hand, and is worth knowing for any set-based evaluation: the
decaying average as a weighted sum over a latest-first rank (exact here only because the scores
are half points and histories are short); DuckDB's ``round(DOUBLE, 2)`` rounds the binary value
(3.135 → 3.13, the contract says 3.14), and Polars' default rounding is half to even, so Polars
asks for ``half_away_from_zero``; "from at least 2 kinds" as ``min(kind) < max(kind)``.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.baseline_python import Summary
from benchmarks.generate import COMPETENCIES

__all__ = ["ADVANCEMENTS", "REQUIREMENTS", "read_summaries", "run_duckdb", "run_polars"]

SQL_PATH = Path(__file__).with_name("baseline_duckdb.sql")

#: Requirement names in the policy, as the output columns name them.
REQUIREMENTS = (
    "mathematics",
    "english",
    "science",
    "social_studies",
    "arts",
    "world_languages",
    "habits_of_work",
    "core",
    "stem",
    "career_ready",
)

#: Output column → the advancement it decides (source and target levels).
ADVANCEMENTS = {
    "adv_algebra_geometry": ("Algebra I", "Geometry"),
    "adv_geometry_algebra2": ("Geometry", "Algebra II"),
    "adv_biology_chemistry": ("Biology", "Chemistry"),
}

_PATHWAYS = ("STEM", "Arts and languages", "Career")


def _statements(sql: str) -> Iterator[str]:
    for statement in sql.split(";\n"):
        code = [
            line
            for line in statement.splitlines()
            if line.strip() and not line.strip().startswith("--")
        ]
        if code:
            yield statement


def run_duckdb(
    evidence: Path, learners: Path, as_of: dt.date, outdir: Path, threads: int = 2
) -> float:
    """Run the DuckDB query; returns its wall-clock seconds (connecting included)."""
    import duckdb

    outdir.mkdir(parents=True, exist_ok=True)
    sql = SQL_PATH.read_text(encoding="utf-8").format(
        evidence=evidence,
        learners=learners,
        as_of=as_of.isoformat(),
        threads=threads,
        out_comp=outdir / "competencies.csv",
        out_learn=outdir / "decisions.csv",
    )
    start = time.perf_counter()
    connection = duckdb.connect()
    try:
        for statement in _statements(sql):
            connection.execute(statement)
    finally:
        connection.close()
    return time.perf_counter() - start


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def run_polars(evidence: Path, learners: Path, as_of: dt.date, outdir: Path) -> float:
    """Run the Polars script; returns its wall-clock seconds."""
    import polars as pl

    outdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    window_start = _shift_months(as_of, -24)
    pace_start = _shift_months(as_of, -6)
    window_days = (as_of - pace_start).days
    key_kinds = ["performance_task", "common_assessment"]
    col = pl.col
    comp = (
        pl.DataFrame({"competency": list(COMPETENCIES)})
        .with_columns(
            area=col("competency").str.split(".").list.get(0),
            unit=pl.when(col("competency").str.starts_with("HOW."))
            .then(col("competency"))
            .otherwise(col("competency").str.split(".").list.slice(0, 2).list.join(".")),
            habit=col("competency").str.starts_with("HOW."),
        )
        .with_columns(grad_set=col("area").is_in(["MATH", "ELA", "SCI", "SOC"]))
        .lazy()
    )
    schema = {
        "learner": pl.Utf8,
        "competency": pl.Utf8,
        "score": pl.Float64,
        "day": pl.Date,
        "kind": pl.Utf8,
    }
    ev = (
        pl.scan_csv(evidence, has_header=False, skip_rows=1, schema=schema)
        .filter((col("day") <= as_of) & col("score").is_between(1, 4))
        .join(comp.select("competency"), on="competency", how="semi")
        .sort(["learner", "competency", "day", "score"])
        .with_columns(
            k=pl.int_range(1, pl.len() + 1).over(["learner", "competency"]),
            n_all=pl.len().over(["learner", "competency"]),
        )
    ).collect()
    counted = col("day") >= window_start
    weight = pl.lit(0.25).pow(col("n_all") - col("k"))
    agg = (
        ev.lazy()
        .group_by(["learner", "competency"])
        .agg(
            n=counted.sum(),
            kinds2=(
                col("kind").filter(counted).min() < col("kind").filter(counted).max()
            ).fill_null(False),
            key_kind=(col("kind").is_in(key_kinds) & counted).any(),
            dec=(
                0.75 * (col("score") * weight).filter(counted).sum()
                + 0.25 * pl.lit(0.25).pow(counted.sum() - 1) * col("score").filter(counted).first()
            ),
        )
    )
    modes = (
        ev.lazy()
        .filter(counted & col("competency").str.starts_with("HOW."))
        .group_by(["learner", "competency", "score"])
        .agg(c=pl.len())
        .sort(["c", "score"], descending=True)
        .group_by(["learner", "competency"])
        .agg(mode=col("score").first())
    )
    status = (
        agg.join(comp, on="competency")
        .join(modes, on=["learner", "competency"], how="left")
        .with_columns(
            score=pl.when(col("habit"))
            .then(col("mode"))
            .otherwise(col("dec").round(2, mode="half_away_from_zero"))
        )
        .with_columns(
            status=pl.when(col("n") == 0)
            .then(pl.lit("insufficient"))
            .when(
                (col("habit") & (col("n") >= 2))
                | (~col("habit") & (col("n") >= 3) & col("kinds2") & col("key_kind"))
            )
            .then(
                pl.when(col("score") >= 3)
                .then(pl.lit("proficient"))
                .otherwise(pl.lit("developing"))
            )
            .otherwise(pl.lit("insufficient"))
        )
        .select("learner", "competency", "area", "unit", "habit", "grad_set", "score", "status")
    ).collect()

    # pace: the first day each proficient graduation competency became proficient
    candidates = status.lazy().filter(col("grad_set") & (col("status") == "proficient"))
    items = ev.lazy().join(
        candidates.select("learner", "competency"), on=["learner", "competency"], how="semi"
    )
    days = (
        items.group_by(["learner", "competency", "day"])
        .agg(e_d=col("k").max())
        .rename({"day": "d"})
    )
    pairs = days.join(items, on=["learner", "competency"]).filter(
        (col("day") <= col("d")) & (col("day") >= col("d").dt.offset_by("-24mo"))
    )
    at_day = pairs.group_by(["learner", "competency", "d"]).agg(
        score=(
            0.75 * (col("score") * pl.lit(0.25).pow(col("e_d") - col("k"))).sum()
            + 0.25 * pl.lit(0.25).pow(pl.len() - 1) * col("score").sort_by("k").first()
        ).round(2, mode="half_away_from_zero"),
        n=pl.len(),
        kinds2=(col("kind").min() < col("kind").max()).fill_null(False),
        key_kind=col("kind").is_in(key_kinds).any(),
    )
    recent = (
        at_day.filter((col("n") >= 3) & col("kinds2") & col("key_kind") & (col("score") >= 3))
        .group_by(["learner", "competency"])
        .agg(first=col("d").min())
        .filter(col("first").is_between(pace_start, as_of))
        .group_by("learner")
        .agg(recent=pl.len())
    )

    s, p = col("status"), col("score")
    prof = s == "proficient"
    rated = s != "insufficient"

    def count(condition: Any) -> Any:
        return condition.sum().cast(pl.Int64)

    counts = (
        status.lazy()
        .group_by("learner")
        .agg(
            math_p=count((col("area") == "MATH") & prof),
            math_r2=count((col("area") == "MATH") & rated & (p >= 2)),
            ela_p=count((col("area") == "ELA") & prof),
            scia_p=count((col("unit") == "SCI.A") & prof),
            lab_r3=count(col("unit").is_in(["SCI.B", "SCI.C"]) & rated & (p >= 3)),
            soc_p=count((col("area") == "SOC") & prof),
            art_r4=count((col("area") == "ART") & rated & (p >= 4)),
            art_p=count((col("area") == "ART") & prof),
            wl_r2=count((col("area") == "WL") & rated & (p >= 2)),
            how_r3=count(col("habit") & rated & (p >= 3)),
            how_r2=count(col("habit") & rated & (p >= 2)),
            alg_p=count((col("unit") == "MATH.A") & prof),
            alg_r3=count((col("unit") == "MATH.A") & rated & (p >= 3)),
            geo_p=count((col("unit") == "MATH.B") & prof),
            acad_r2=count(~col("habit") & rated & (p >= 2)),
            grad_p=count(col("grad_set") & prof),
        )
    )
    learner_schema = {
        "learner": pl.Utf8,
        "graduation_date": pl.Date,
        "iep": pl.Boolean,
        "ell": pl.Boolean,
        "cte_hours": pl.Float64,
    }
    roster = pl.scan_csv(learners, has_header=False, skip_rows=1, schema=learner_schema)
    decisions = (
        roster.join(counts, on="learner", how="left")
        .join(recent, on="learner", how="left")
        .with_columns(pl.col(pl.Int64, pl.UInt32).fill_null(0))
        .with_columns(
            mathematics=(col("math_p") >= 7) & (col("math_r2") == 9),
            english=col("ela_p") >= 7,
            science=(col("scia_p") == 3) & (col("lab_r3") >= 4),
            social_studies=col("soc_p") >= 6,
            arts=(col("art_r4") >= 1) & (col("art_p") >= 3),
            world_languages=col("wl_r2") >= 5,
            habits_of_work=(col("how_r3") >= 4) & (col("how_r2") == 6),
            career_ready=(col("cte_hours").fill_null(-1) >= 120) & (col("wl_r2") >= 3),
            adv_algebra_geometry=col("alg_p") == 3,
            adv_geometry_algebra2=(col("geo_p") == 3) & (col("alg_r3") == 3),
            adv_biology_chemistry=col("scia_p") >= 2,
            remaining=36 - col("grad_p"),
            due=pl.when(col("iep").fill_null(False))
            .then(col("graduation_date").dt.offset_by("12mo"))
            .otherwise(col("graduation_date")),
        )
        .with_columns(
            core=col("mathematics") & col("english") & (col("science") | col("social_studies")),
            stem=(col("alg_p") == 3) & col("science") & ~col("ell").fill_null(False),
            projected=pl.when(col("recent") > 0).then(
                pl.lit(as_of)
                + pl.duration(
                    days=(col("remaining") * window_days + col("recent") - 1) // col("recent")
                )
            ),
        )
        .with_columns(
            graduation=col("core")
            & col("habits_of_work")
            & (col("acad_r2") >= 44)
            & (col("stem") | (col("arts") & col("world_languages")) | col("career_ready")),
            pathways=pl.concat_str(
                pl.when(col("stem")).then(pl.lit("STEM")),
                pl.when(col("arts") & col("world_languages")).then(pl.lit("Arts and languages")),
                pl.when(col("career_ready")).then(pl.lit("Career")),
                separator="|",
                ignore_nulls=True,
            ),
            pace=pl.when(col("remaining") == 0)
            .then(pl.lit("complete"))
            .when(col("due").is_null())
            .then(pl.lit("unknown"))
            .when(col("recent") == 0)
            .then(pl.lit("off_track"))
            .when(col("projected") <= col("due"))
            .then(pl.lit("on_track"))
            .when(col("projected") <= col("due").dt.offset_by("3mo"))
            .then(pl.lit("at_risk"))
            .otherwise(pl.lit("off_track")),
        )
        .with_columns(
            projected=pl.when((col("remaining") > 0) & col("due").is_not_null()).then(
                col("projected")
            )
        )
        .select(
            "learner",
            *REQUIREMENTS,
            *ADVANCEMENTS,
            "graduation",
            "pathways",
            "pace",
            "projected",
        )
    ).collect()
    status.select("learner", "competency", "status", "score").write_csv(outdir / "competencies.csv")
    decisions.write_csv(outdir / "decisions.csv")
    return time.perf_counter() - start


def _flag(text: str) -> bool:
    return text.strip().lower() == "true"


def _score(text: str) -> Decimal | None:
    if not text:
        return None
    return Decimal(text).quantize(Decimal("0.01"))


def read_summaries(outdir: Path) -> list[Summary]:
    """Either baseline's output in ``outdir`` as one summary per learner, in learner order.

    A competency the output does not list has no evidence up to the as-of date
    (``not_started``), as in the engine.
    """
    competencies: dict[str, dict[str, tuple[str, Decimal | None]]] = {}
    with (outdir / "competencies.csv").open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            competencies.setdefault(row["learner"], {})[row["competency"]] = (
                row["status"],
                _score(row["score"]),
            )
    found = []
    with (outdir / "decisions.csv").open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            learner = row["learner"]
            known = competencies.get(learner, {})
            found.append(
                Summary(
                    learner,
                    {code: known.get(code, ("not_started", None)) for code in COMPETENCIES},
                    {name: _flag(row[name]) for name in REQUIREMENTS},
                    {
                        f'"{source}" to "{target}"': _flag(row[column])
                        for column, (source, target) in ADVANCEMENTS.items()
                    },
                    _flag(row["graduation"]),
                    tuple(name for name in _PATHWAYS if name in row["pathways"].split("|")),
                    row["pace"],
                )
            )
    found.sort(key=lambda summary: summary.learner)
    return found
