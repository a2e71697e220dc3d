"""Streaming a district's evidence, sorted by learner, and cutting its file for several cores."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import multiprocessing
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Literal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masterykit import batch
from masterykit.batch import rejection_key
from masterykit.diagnostics import EvidenceError, render_text
from masterykit.engine import EvaluationResult, evaluate, evaluate_stream
from masterykit.evidence import Evidence, Learner, Origin, Rejection
from masterykit.loader import load_text
from masterykit.readers import read_evidence

AS_OF = dt.date(2026, 3, 1)

POLICY = load_text(
    """policy "Graduation" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area MATH "Mathematics" {
  competency MATH.1 "Number sense"
  competency MATH.2 "Algebraic reasoning" after MATH.1
}
area CAP "Capstone" { competency CAP.1 "Exhibition" }
calculate most_recent
proficient at Proficient
graduate when { all of MATH proficient }
pace for MATH + CAP {
  due learner.graduation_date
  extend 1 year when learner.iep
  measure over last 6 months
  at risk within 3 months
}
""",
    "graduation.mastery",
)

CODES = ["MATH.1", "MATH.2", "CAP.1", "ELA.9"]


def piece(learner: str, code: str, score: str, day: str, line: int = 0) -> Evidence:
    return Evidence(
        learner,
        code,
        Decimal(score),
        dt.date.fromisoformat(day),
        origin=Origin("scores.csv", line) if line else None,
    )


def attributes(name: str) -> Learner:
    return Learner(name, {"graduation_date": dt.date(2026, 6, 15), "iep": name.startswith("b")})


def merged(results: Iterable[EvaluationResult]) -> tuple[list[object], list[Rejection], list[int]]:
    """The stream's learner results, rejections (in ``evaluate``'s order) and summed counts."""
    learners: list[object] = []
    rejections: list[Rejection] = []
    counts = [0, 0, 0, 0, 0]
    for result in results:
        learners.extend(result.learners)
        rejections.extend(result.rejections)
        c = result.counts
        for i, value in enumerate((c.read, c.used, c.rejected, c.counted, c.not_counted)):
            counts[i] += value
    rejections.sort(key=rejection_key)
    return learners, rejections, counts


def as_whole(result: EvaluationResult) -> tuple[list[object], list[Rejection], list[int]]:
    c = result.counts
    return (
        list(result.learners),
        list(result.rejections),
        [c.read, c.used, c.rejected, c.counted, c.not_counted],
    )


def collect(results: Iterable[EvaluationResult], seen: list[str]) -> None:
    """Note the id of each learner as their result arrives (up to an error)."""
    for result in results:
        seen.append(result.learners[0].learner.id)


scores = st.sampled_from(["0", "1", "2", "3", "4", "2.5", "9"])
days = st.dates(dt.date(2025, 6, 1), dt.date(2026, 4, 1)).map(dt.date.isoformat)
groups = st.lists(
    st.tuples(
        st.sampled_from(["ana", "bo", "cy", "dee", "eve"]),
        st.lists(st.tuples(st.sampled_from(CODES), scores, days), max_size=6),
    ),
    max_size=5,
    unique_by=lambda group: group[0],
)


def flatten(generated: Sequence[tuple[str, list[tuple[str, str, str]]]]) -> list[Evidence]:
    lines = itertools.count(2)
    return [
        piece(name, code, score, day, next(lines))
        for name, items in generated
        for code, score, day in items
    ]


@settings(max_examples=100, deadline=None)
@given(groups, st.lists(st.sampled_from(["ana", "bo", "zed"]), max_size=4))
def test_streaming_gives_what_one_evaluate_call_gives_for_listed_learners(
    generated: list[tuple[str, list[tuple[str, str, str]]]], listed: list[str]
) -> None:
    evidence = flatten(generated)
    roster = [attributes(name) for name in listed]
    whole = as_whole(evaluate(POLICY, roster, evidence, as_of=AS_OF))
    stream = merged(evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF))
    assert sorted(stream[0], key=lambda r: r.learner.id) == sorted(  # type: ignore[attr-defined]
        whole[0],
        key=lambda r: r.learner.id,  # type: ignore[attr-defined]
    )
    assert stream[1:] == whole[1:]


@settings(max_examples=100, deadline=None)
@given(groups)
def test_streaming_every_learner_in_the_evidence_matches_evaluate_in_evidence_order(
    generated: list[tuple[str, list[tuple[str, str, str]]]],
) -> None:
    evidence = flatten(generated)
    whole = evaluate(POLICY, None, evidence, as_of=AS_OF)
    results = list(evaluate_stream(POLICY, evidence, as_of=AS_OF))
    order = [name for name, items in generated if items]
    assert [r.learners[0].learner.id for r in results] == order
    for result in results:
        assert result.learners[0] == whole.learner(result.learners[0].learner.id)
        counts = result.counts
        assert counts.read == counts.used + counts.rejected
    assert merged(results)[1:] == as_whole(whole)[1:]


def test_listed_learners_without_evidence_come_last_in_the_order_given() -> None:
    evidence = [piece("bo", "MATH.1", "3", "2026-01-05")]
    roster = {"cy": attributes("cy"), "bo": attributes("bo"), "ana": attributes("ana")}
    results = list(evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF))
    assert [r.learners[0].learner for r in results] == [roster["bo"], roster["cy"], roster["ana"]]
    assert [r.counts.read for r in results] == [1, 0, 0]


def test_unlisted_learners_and_listed_twice_are_rejected_as_evaluate_does() -> None:
    evidence = [
        piece("ana", "MATH.1", "3", "2026-01-05", 2),
        piece("zed", "MATH.1", "3", "2026-01-05", 3),
        piece("bo", "MATH.1", "2", "2026-01-05", 4),
    ]
    roster = [attributes("ana"), attributes("bo"), attributes("ana")]
    results = list(evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF))
    summary = [
        ([r.learner.id for r in result.learners], [(x.code, x.reason) for x in result.rejections])
        for result in results
    ]
    assert summary == [
        ([], [("MK354", "learner `ana` is listed more than once; the first entry is used")]),
        (["ana"], []),
        ([], [("MK350", "evidence for unknown learner `zed`")]),
        (["bo"], []),
    ]
    assert [r.counts.read for r in results] == [0, 1, 1, 1]


def test_a_readers_rejections_are_passed_through_and_counted_as_read_and_rejected() -> None:
    bad = Rejection("MK303", "score `x` is not a number", Origin("scores.csv", 3))
    evidence: list[Evidence | Rejection] = [
        piece("ana", "MATH.1", "3", "2026-01-05", 2),
        bad,
        piece("ana", "MATH.2", "3", "2026-01-06", 4),
        piece("bo", "MATH.1", "2", "2026-01-05", 5),
    ]
    results = list(evaluate_stream(POLICY, evidence, as_of=AS_OF))
    assert [[r.learner.id for r in result.learners] for result in results] == [["ana"], [], ["bo"]]
    assert results[0].counts.read == 2
    assert results[1].rejections == (bad,)
    assert (results[1].counts.read, results[1].counts.rejected) == (1, 1)


def test_a_learner_whose_evidence_reappears_later_is_an_error_naming_where() -> None:
    evidence = [
        piece("ana", "MATH.1", "3", "2026-01-05", 2),
        piece("bo", "MATH.1", "2", "2026-01-05", 3),
        piece("ana", "MATH.2", "3", "2026-01-06", 4),
    ]
    seen: list[str] = []
    with pytest.raises(EvidenceError) as raised:
        collect(evaluate_stream(POLICY, evidence, as_of=AS_OF), seen)
    assert seen == ["ana", "bo"]
    (diagnostic,) = raised.value.diagnostics
    assert render_text(diagnostic) == (
        "error[MK356]: evidence for learner `ana` reappears at scores.csv line 4, after other "
        "learners' evidence; it began at scores.csv line 2\n"
        "  --> scores.csv line 4\n"
        "  = help: sort the evidence by learner, or use `evaluate` for unsorted evidence"
    )


def test_bad_jobs_and_chunk_are_refused() -> None:
    with pytest.raises(ValueError, match="chunk must be at least 1, not 0"):
        evaluate_stream(POLICY, [], chunk=0)
    with pytest.raises(ValueError, match="jobs must be 0 or more, not -1"):
        evaluate_stream(POLICY, [], jobs=-1)


def district(learners: int) -> list[Evidence]:
    line = itertools.count(2)
    return [
        piece(f"l{n:03}", code, str(1 + (n + i) % 4), f"2026-01-{1 + i:02}", next(line))
        for n in range(learners)
        for i, code in enumerate(CODES[: 1 + n % 3])
    ]


def test_jobs_is_deprecated_and_evaluates_in_this_process_with_the_same_results() -> None:
    # Feeding workers from one reader was slower than one process; the parameter is kept, so
    # that programs passing it still run, and gives the same results as before.
    evidence: list[Evidence | Rejection] = [
        *district(40),
        Rejection("MK303", "score `x` is not a number", Origin("scores.csv", 200)),
        piece("zed", "MATH.1", "3", "2026-01-05", 201),  # not listed: MK350
        Evidence("m1", "MATH.1", Decimal("3.0"), dt.datetime(2026, 1, 5, 9, 30)),  # no origin
        Evidence("m1", "MATH.2", Decimal("7"), dt.date(2026, 1, 6)),  # off the scale: MK352
    ]
    roster = [attributes(f"l{n:03}") for n in range(42)] + [attributes("m1")]
    one = list(evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF))
    with pytest.warns(DeprecationWarning, match=r"evaluate_stream\(jobs=\.\.\.\) is deprecated"):
        two = list(evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF, jobs=2, chunk=3))
    assert two == one
    assert sum(len(r.learners) for r in one) == 43
    assert [x.code for r in one for x in r.rejections] == ["MK303", "MK350", "MK352"]
    assert not multiprocessing.active_children()


# Evidence and learners both sorted by id: a merge join that keeps nothing per learner.


@settings(max_examples=100, deadline=None)
@given(groups, st.lists(st.sampled_from(["ana", "bo", "cy", "zed"]), max_size=4))
def test_sorted_by_id_gives_what_one_evaluate_call_gives_with_learners_in_id_order(
    generated: list[tuple[str, list[tuple[str, str, str]]]], listed: list[str]
) -> None:
    evidence = flatten(sorted(generated))
    roster = [attributes(name) for name in sorted(listed)]
    whole = as_whole(evaluate(POLICY, roster, evidence, as_of=AS_OF))
    results = list(
        evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF, sorted_by_id=True)
    )
    stream = merged(results)
    ids = [r.learner.id for r in stream[0]]  # type: ignore[attr-defined]
    assert ids == sorted(set(listed))
    assert sorted(stream[0], key=lambda r: r.learner.id) == sorted(  # type: ignore[attr-defined]
        whole[0],
        key=lambda r: r.learner.id,  # type: ignore[attr-defined]
    )
    assert stream[1:] == whole[1:]
    for result in results:
        assert result.counts.read == result.counts.used + result.counts.rejected


@settings(max_examples=50, deadline=None)
@given(groups)
def test_sorted_by_id_without_learners_matches_the_stream_that_remembers_every_learner(
    generated: list[tuple[str, list[tuple[str, str, str]]]],
) -> None:
    evidence = flatten(sorted(generated))
    unsorted = list(evaluate_stream(POLICY, evidence, as_of=AS_OF))
    assert list(evaluate_stream(POLICY, evidence, as_of=AS_OF, sorted_by_id=True)) == unsorted


def test_sorted_by_id_evaluates_listed_learners_without_evidence_in_their_place() -> None:
    evidence = [
        piece("bo", "MATH.1", "3", "2026-01-05", 2),
        piece("dee", "CAP.1", "3", "2026-01-05", 3),
    ]
    roster = [attributes(name) for name in ("ana", "bo", "cy", "dee", "eve")]
    results = list(
        evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF, sorted_by_id=True)
    )
    assert [r.learners[0].learner for r in results] == roster
    assert [r.counts.read for r in results] == [0, 1, 0, 1, 0]


def test_sorted_by_id_rejects_unlisted_learners_and_repeats_where_they_occur() -> None:
    evidence = [
        piece("ana", "MATH.1", "3", "2026-01-05", 2),
        piece("bo", "MATH.1", "2", "2026-01-05", 3),
        piece("bo", "MATH.2", "2", "2026-01-06", 4),
        Rejection("MK303", "score `x` is not a number", Origin("scores.csv", 5)),
        piece("cy", "MATH.1", "2", "2026-01-05", 6),
        piece("cy", "MATH.2", "2", "2026-01-06", 7),
        piece("eve", "MATH.1", "2", "2026-01-05", 8),
    ]
    roster = [attributes("ana"), attributes("ana"), attributes("bo"), attributes("dee")]
    results = list(
        evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF, sorted_by_id=True)
    )
    summary = [
        (
            [r.learner.id for r in result.learners],
            [(x.code, str(x.origin)) for x in result.rejections],
        )
        for result in results
    ]
    assert summary == [
        ([], [("MK354", "<input> ana")]),  # found as ana's entry is taken
        (["ana"], []),
        (["bo"], []),
        (
            [],
            [
                ("MK303", "scores.csv line 5"),
                ("MK350", "scores.csv line 6"),
                ("MK350", "scores.csv line 7"),
            ],
        ),
        (["dee"], []),
        ([], [("MK350", "scores.csv line 8")]),
    ]
    assert sum(r.counts.read for r in results) == len(evidence)


def test_sorted_by_id_refuses_evidence_out_of_id_order_naming_where() -> None:
    evidence = [
        piece("ana", "MATH.1", "3", "2026-01-05", 2),
        piece("cy", "MATH.1", "2", "2026-01-05", 3),
        piece("bo", "MATH.2", "3", "2026-01-06", 4),
    ]
    seen: list[str] = []
    with pytest.raises(EvidenceError) as raised:
        collect(evaluate_stream(POLICY, evidence, as_of=AS_OF, sorted_by_id=True), seen)
    assert seen == ["ana", "cy"]
    (diagnostic,) = raised.value.diagnostics
    assert render_text(diagnostic) == (
        "error[MK357]: evidence for learner `bo` at scores.csv line 4 comes after `cy`, out of "
        "learner id order\n"
        "  --> scores.csv line 4\n"
        "  = help: sort by learner id, or leave out `sorted_by_id` to accept any order of "
        "learners"
    )


def test_sorted_by_id_refuses_learners_out_of_id_order() -> None:
    evidence = [piece("cy", "MATH.1", "2", "2026-01-05", 2)]
    roster = [attributes("bo"), attributes("ana")]
    seen: list[str] = []
    with pytest.raises(EvidenceError) as raised:
        collect(
            evaluate_stream(POLICY, evidence, learners=roster, as_of=AS_OF, sorted_by_id=True),
            seen,
        )
    assert seen == ["bo"]
    (diagnostic,) = raised.value.diagnostics
    assert render_text(diagnostic) == (
        "error[MK357]: learner `ana` comes after `bo`, out of learner id order\n"
        "  = help: sort by learner id, or leave out `sorted_by_id` to accept any order of "
        "learners"
    )


def test_sorted_by_id_reads_the_learners_only_as_far_as_the_evidence_has_reached() -> None:
    read: list[str] = []

    def roster() -> Iterable[Learner]:
        for n in range(1_000):
            read.append(f"l{n:03}")
            yield attributes(f"l{n:03}")

    stream = evaluate_stream(
        POLICY, district(10), learners=roster(), as_of=AS_OF, sorted_by_id=True
    )
    assert next(stream).learners[0].learner.id == "l000"
    assert read == ["l000", "l001"]  # the first learner, and the one after to look ahead
    assert len(list(stream)) == 999


# Cutting a sorted file into parts read on processes of their own (masterykit.batch).

SMALL = load_text(
    """policy "Small" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" competency M.2 "Adds" }
calculate highest
proficient at Yes
""",
    "small.mastery",
)

HEADER = "learner,competency,score,timestamp,comment"


def run_sorted(
    path: Path, parts: int, output_format: Literal["jsonl", "csv"], learners: Path | None = None
) -> tuple[str, batch.Tally, batch.PartsPlan]:
    """The output of the file at ``path`` evaluated on ``parts`` processes (1: in this one)."""
    out = io.StringIO()
    plan = batch.plan_parts(path, parts, policy=SMALL)
    records = plan if plan.parts is not None else read_evidence(path, policy=SMALL)
    tally = batch.evaluate_sorted(
        SMALL, records, output_format=output_format, write=out.write, learners=learners, as_of=AS_OF
    )
    return out.getvalue(), tally, plan


def test_two_parts_write_byte_for_byte_what_one_process_writes(tmp_path: Path) -> None:
    rows = [f"l{n:03},M.{1 + n % 2},{1 + n % 2},2026-01-05,ok" for n in range(80)]
    rows[30] = 'l030,M.1,x,2026-01-05,"a\nb"'  # a score that is no number, over two lines
    rows[50] = 'l050,M.1,2,2026-01-05,5" ruler'  # a quote inside an unquoted cell
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", "utf-8")
    learners = tmp_path / "learners.csv"
    learners.write_text("id\n" + "".join(f"l{n:03}\n" for n in range(0, 90, 3)), "utf-8")
    for output_format in ("jsonl", "csv"):
        for listed in (None, learners):
            one, one_tally, _ = run_sorted(path, 1, output_format, listed)
            two, two_tally, plan = run_sorted(path, 2, output_format, listed)
            assert plan.parts is not None and len(plan.parts) == 2
            assert two == one
            assert two_tally == one_tally
            # Read, used and rejected: l030's score, and with the learners file the unlisted.
            assert one_tally.counts[:3] == ([80, 79, 1] if listed is None else [80, 26, 54])


# Cells that csv reads in every way it can: quotes inside unquoted cells, quoted cells with
# commas, doubled quotes and line breaks (LF and CRLF), cells of many lines that look like rows.
cells = st.sampled_from(
    [
        "",
        "ok",
        '5" ruler',
        '"x, y"',
        '"said ""no"""',
        '"one\r\ntwo"',
        '"\nl999,M.1,2,2026-01-05,\nl9999,M.1,2,2026-01-05,\n"',
        '"A\nl000,M.1,2,2026-01-05,\nl0001,M.1,2,2026-01-05,\nB"',
        '"a""',
        '",',
    ]
)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from(["M.1", "M.2", "M.7"]), cells), min_size=1, max_size=4),
        min_size=4,
        max_size=16,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from(["jsonl", "csv"]),
)
def test_two_parts_give_the_output_and_counts_of_one_process_for_any_csv(
    learners: list[list[tuple[str, str]]], newline: str, output_format: Literal["jsonl", "csv"]
) -> None:
    rows = [
        f"l{n:03},{code},{1 + k % 2},2026-01-0{1 + k},{cell}"
        for n, items in enumerate(learners)
        for k, (code, cell) in enumerate(items)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(newline.join([HEADER, *rows, ""]).encode("utf-8"))
        try:
            one, one_tally, _ = run_sorted(path, 1, output_format)
        except EvidenceError:
            # A broken quote swallowed rows so that an earlier learner reappears: two parts
            # must refuse the file too.
            with pytest.raises(EvidenceError, match="MK357"):
                run_sorted(path, 2, output_format)
            return
        two, two_tally, _ = run_sorted(path, 2, output_format)
    assert two == one
    assert two_tally == one_tally


def test_a_reader_that_can_cut_its_files_is_known_by_its_capability_not_its_name(
    tmp_path: Path,
) -> None:
    from masterykit.readers.tabular import cut_csv, read_csv
    from masterykit.registry import ReaderSpec, Registry

    path = tmp_path / "export.txt"
    path.write_text(HEADER + "\n" + "".join(f"l{n:03},M.1,2,2026-01-05,\n" for n in range(40)))
    plain = ReaderSpec("export", (".txt",), read_csv, plugin="district")
    cutting = attrs.evolve(plain, split=cut_csv)
    plan = batch.plan_parts(path, 2, registry=Registry.of(readers=[plain]))
    assert (plan.parts, plan.reason) == (None, batch.ONE_PROCESS)
    plan = batch.plan_parts(path, 2, registry=Registry.of(readers=[cutting]))
    assert plan.parts is not None and len(plan.parts) == 2


def test_a_file_with_source_ids_or_too_small_is_read_whole_saying_why(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text(HEADER + "\nana,M.1,2,2026-01-05,\n")
    assert batch.plan_parts(small, 2).reason == "the evidence file is too small to cut into parts"
    ids = tmp_path / "ids.csv"
    ids.write_text(
        "learner,competency,score,timestamp,source_id\n"
        + "".join(f"l{n:03},M.1,2,2026-01-05,s{n}\n" for n in range(40))
    )
    assert batch.plan_parts(ids, 2).reason == "source ids must be checked across the whole file"


def test_parts_refuse_a_policy_that_cannot_reach_the_workers_and_a_plan_without_parts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "\n" + "".join(f"l{n:03},M.1,2,2026-01-05,\n" for n in range(40)))
    plan = batch.plan_parts(path, 2)
    local = attrs.evolve(SMALL.methods["highest"], function=lambda scores, args, ctx: Decimal(0))
    policy = attrs.evolve(SMALL, methods={**SMALL.methods, "highest": local})
    with pytest.raises(TypeError, match="policy `Small` cannot be sent to worker processes"):
        batch.evaluate_parts(policy, plan, output_format="csv", write=print, as_of=AS_OF)
    whole = batch.plan_parts(tmp_path / "export.csv", 1)
    with pytest.raises(ValueError, match="the evidence file is read whole"):
        batch.evaluate_parts(SMALL, whole, output_format="csv", write=print, as_of=AS_OF)


def test_folders_and_policy_scales_are_capabilities_a_plugin_reader_can_declare(
    tmp_path: Path,
) -> None:
    from masterykit.readers import reader_request, reader_spec
    from masterykit.readers.oneroster import read_oneroster
    from masterykit.readers.tabular import read_csv
    from masterykit.registry import ReaderSpec, Registry

    gradebook = ReaderSpec("gradebook", (), read_oneroster, plugin="district", folders=True)
    plain = ReaderSpec("plain", (".txt",), read_csv, plugin="district")
    registry = Registry.of(readers=[plain, gradebook])
    assert reader_spec(tmp_path, registry=registry) is gradebook
    assert reader_spec(tmp_path / "a.txt", registry=registry) is plain
    # Only a reader that declares it gets the policy's scales filled in.
    assert reader_request(plain, "a.txt", {}, SMALL).options == {}
    scaled = attrs.evolve(plain, policy_scales=True)
    assert reader_request(scaled, "a.txt", {}, SMALL).options["scales"] == {
        "M.1": (Decimal(1), Decimal(2)),
        "M.2": (Decimal(1), Decimal(2)),
    }


def test_an_interrupted_output_leaves_the_previous_file_and_no_other(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("previous\n", "utf-8")

    def interrupted() -> None:
        with batch.open_output(target) as write:
            write("half a res")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert target.read_text("utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with batch.open_output(target) as write:
        write("whole\n")
    assert target.read_text("utf-8") == "whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
