"""Fuzz the evidence and learners readers with atheris: bytes in, evidence and rejections out.

The first byte of an input picks the reader (CSV, JSON Lines, an xAPI array, xAPI lines, a
OneRoster folder, a learners CSV or JSON Lines file), the second a set of reader options, and
the rest is the file (for OneRoster, ``results.csv``, ``lineItems.csv`` and
``resultLearningObjectiveIds.csv`` separated by lines of ``=====``).

A finding is any exception other than :class:`~masterykit.diagnostics.EvidenceError`, and any
result that breaks the readers' promise: a code not in the catalogue, counts that do not
reconcile, a message longer than :data:`MAX_MESSAGE` characters (a value from the data quoted
whole), text that cannot be written as UTF-8, or a score or a time the engine cannot compute
with.

Run it with ``make fuzz FUZZ_TARGET=readers``, or::

    .venv/bin/python tests/fuzz/fuzz_readers.py -max_total_time=600 /tmp/readers-corpus

libFuzzer options and corpus folders are passed through; with no folder given, the corpus
starts from :func:`seeds` (written to a temporary folder, so the repository is never written
to).
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["MAX_MESSAGE", "OPTIONS", "TARGETS", "main", "seeds", "test_one_input"]

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "readers" / "data"
#: The longest message a reader may give: its words plus a few values quoted short.
MAX_MESSAGE = 600
#: Reader (or learners file) name → the file name the input is written to.
TARGETS = (
    ("csv", "evidence.csv"),
    ("jsonl", "evidence.jsonl"),
    ("xapi", "statements.xapi.json"),
    ("xapi", "statements.xapi.jsonl"),
    ("oneroster", "export"),
    ("learners", "learners.csv"),
    ("learners", "learners.jsonl"),
)
#: The option sets the second byte picks from (``activities``/``objectives`` added per reader).
OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"scale": [1, 4]},
    {"raw_min": 0, "raw_max": 100, "scale": [1, 4], "max_record_bytes": 256},
    {"day_zero": "2026-01-01", "missing_values": ["?", "NA"], "kind": "quiz"},
    {"competency_template": "C.{value}", "columns": {"learner": "student"}},
    {"competencies": {"M.1": "MATH.1"}, "max_record_bytes": 64},
)
SEPARATOR = b"\n=====\n"
ONEROSTER_FILES = ("results.csv", "lineItems.csv", "resultLearningObjectiveIds.csv")

_FOLDER: Path | None = None


def _imports() -> None:
    global CODES, EvidenceError, Evidence, Rejection, ReadSummary, read_evidence, read_learners
    global render_text
    from masterykit.diagnostics import EvidenceError, render_text
    from masterykit.evidence import Evidence, Rejection
    from masterykit.readers import CODES, ReadSummary, read_evidence
    from masterykit.readers.learners import read_learners


def _folder() -> Path:
    global _FOLDER
    if _FOLDER is None:
        _FOLDER = Path(tempfile.mkdtemp(prefix="mastery-readers-"))
    return _FOLDER


def _place(reader: str, name: str, body: bytes) -> Path:
    """Write ``body`` where the reader will read it; the path to give the reader."""
    path = _folder() / name
    if reader != "oneroster":
        path.write_bytes(body)
        return path
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir()
    parts = body.split(SEPARATOR)
    for index, file in enumerate(ONEROSTER_FILES):
        if index < len(parts):
            (path / file).write_bytes(parts[index])
        else:
            shutil.copyfile(DATA / "oneroster-results" / file, path / file)
    return path


def _options(reader: str, choice: int) -> dict[str, Any]:
    options = dict(OPTIONS[choice % len(OPTIONS)])
    if reader == "xapi":
        options = {k: v for k, v in options.items() if k in ("scale", "kind", "max_record_bytes")}
        options["activities"] = {"act": "M.1", "http://x/a": "M.2"}
        options.setdefault("scale", [0, 100])
    elif reader == "oneroster":
        options = {k: v for k, v in options.items() if k in ("scale", "kind", "max_record_bytes")}
        if choice % 2:
            options["objectives"] = {"lo-6rpa1": "M.1", "lo-6rpa2": "M.2"}
    return options


def _check_text(text: object, what: str) -> None:
    if isinstance(text, str):
        text.encode("utf-8")  # a lone surrogate raises here: a finding
    elif text is not None:
        raise AssertionError(f"{what} is {type(text).__name__}, not text")


def _check_message(code: str, message: str) -> None:
    if code not in CODES:
        raise AssertionError(f"code {code} is not in the readers' catalogue")
    _check_text(message, "a message")
    if len(message) > MAX_MESSAGE:
        raise AssertionError(f"{code} message of {len(message):,} characters")


def _check_evidence(piece: Any) -> None:
    for field in ("learner", "competency", "kind", "rater", "source_id"):
        _check_text(getattr(piece, field), field)
    if not piece.learner or not piece.competency:
        raise AssertionError("evidence without a learner or a competency")
    score = piece.score
    if not isinstance(score, Decimal) or not score.is_finite():
        raise AssertionError(f"score {score!r}")
    # What the engine computes with a score and a time must not overflow: arithmetic, and the
    # timestamp in UTC, as the engine compares it.
    if not (score * 3 - score / 7).is_finite() or piece.moment is None or piece.day is None:
        raise AssertionError(f"score {score!r} or time {piece.timestamp!r} cannot be used")


def _check_error(error: Any) -> None:
    for diagnostic in error.diagnostics:
        if diagnostic.code not in CODES and diagnostic.code != "MK302":
            raise AssertionError(f"error code {diagnostic.code}")
        _check_message(diagnostic.code, diagnostic.message)
        render_text(diagnostic, error.sources).encode("utf-8")


def test_one_input(data: bytes) -> None:
    """Read ``data`` with the reader its first byte picks; raise only for a finding."""
    if len(data) < 2:
        return
    reader, name = TARGETS[data[0] % len(TARGETS)]
    path = _place(reader, name, data[2:])
    if reader == "learners":
        try:
            learners = read_learners(path)
        except EvidenceError as error:
            _check_error(error)
            return
        for learner in learners:
            _check_text(learner.id, "a learner id")
            json.dumps({str(k): str(v) for k, v in learner.attributes.items()}).encode("utf-8")
            for key, value in learner.attributes.items():
                _check_text(key, "an attribute name")
                if isinstance(value, str):
                    _check_text(value, "an attribute")
        return
    results: list[Any] = []
    try:
        for result in read_evidence(path, format=reader, options=_options(reader, data[1])):
            results.append(result)
    except EvidenceError as error:
        _check_error(error)
    for result in results:
        if isinstance(result, Rejection):
            _check_message(result.code, result.reason)
        elif isinstance(result, Evidence):
            _check_evidence(result)
        else:
            raise AssertionError(f"a reader gave {type(result).__name__}")
    if not ReadSummary.of(results).reconciles:  # pragma: no cover - counted from the results
        raise AssertionError("counts do not reconcile")


def seeds() -> Iterator[bytes]:
    """Inputs to start from: the shipped examples, the test data and known attacks, each for
    the readers it suits."""
    index = {name: i for i, (_, name) in enumerate(TARGETS)}

    def make(target: str, body: bytes, options: int = 0) -> bytes:
        return bytes([index[target], options]) + body

    def head(path: Path, lines: int = 12) -> bytes:
        return b"".join(path.read_bytes().splitlines(keepends=True)[:lines])

    for path in sorted((ROOT / "examples").glob("*/evidence.csv")):
        yield make("evidence.csv", head(path))
    for path in sorted((ROOT / "examples").glob("*/learners.csv")):
        yield make("learners.csv", head(path))
    good = '{"learner": "ana", "competency": "M.1", "score": 3, "timestamp": "2026-01-10"}\n'
    attacks = [
        good.replace("3", "1e999999999"),
        good.replace("3", "7" * 5000),
        good.replace("3", "1e" + "9" * 30),
        "[" * 1000 + "]" * 1000 + "\n",
        good.replace("ana", "ana\\ud800"),
        good.replace("2026-01-10", "9999-12-31T23:00:00-05:00"),
        good.replace('"score"', '"learner": "x", "score"'),
    ]
    yield make("evidence.jsonl", (good + "".join(attacks)).encode())
    yield make("evidence.csv", b"learner,competency,scroe,timestamp\nana,M.1,3,2026-01-10\n")
    yield make("evidence.csv", b"learner,competency,score,timestamp\nana,M.1,1e9999,2026-01-10\n")
    yield make("evidence.csv", b'learner,competency,score,timestamp\nana,"M.1,3,2026-01-10\n')
    for options in range(len(OPTIONS)):
        yield make("evidence.csv", b"student,competency,score,timestamp\nana,M.1,5,12\n", options)
    yield make("learners.jsonl", b'{"id": "ana", "iep": true, "credits": 3.5, "x": [1]}\n')
    statement = {
        "id": "s-1",
        "actor": {"mbox": "mailto:ana@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/scored"},
        "object": {"id": "act", "definition": {"type": "http://x/activities/quiz"}},
        "result": {"score": {"raw": 7, "min": 0, "max": 10}},
        "timestamp": "2026-01-10T09:30:00Z",
    }
    voiding = {
        "id": "s-2",
        "actor": {"mbox": "mailto:ana@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": "s-1"},
        "timestamp": "2026-01-11",
    }
    yield make("statements.xapi.json", json.dumps([statement, voiding]).encode())
    yield make("statements.xapi.jsonl", (json.dumps(statement) + "\n").encode())
    shared = Path("/work/shared/data/xapi")
    if shared.is_dir():
        for path in sorted(shared.rglob("*.json"))[:3]:
            yield make("statements.xapi.json", path.read_bytes()[:20_000])
    for folder, choice in (("oneroster-results", 1), ("oneroster-lineitems", 0)):
        parts = [
            (DATA / folder / file).read_bytes()
            for file in ONEROSTER_FILES
            if (DATA / folder / file).is_file()
        ]
        yield make("export", SEPARATOR.join(parts), choice)


def _seed_corpus() -> str:
    folder = Path(tempfile.mkdtemp(prefix="readers-corpus-"))
    for number, seed in enumerate(seeds()):
        (folder / f"seed-{number:04d}").write_bytes(seed)
    return str(folder)


def main(argv: list[str]) -> None:
    """Run the fuzzer with libFuzzer's command line ``argv``."""
    import atheris

    with atheris.instrument_imports(include=["masterykit"]):
        _imports()
    args = list(argv)
    if not any(not arg.startswith("-") for arg in args[1:]):
        args.append(_seed_corpus())
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main(sys.argv)
