"""Evidence from xAPI statements (``.xapi.json``, ``.xapi.jsonl``, or format ``xapi``).

A file holds a JSON array of statements, one statement (an object) or statements one after
another, or, for ``.jsonl`` names, one statement per line. Each statement becomes one evidence
or one rejection:

* learner: ``actor.account.name``, else ``actor.mbox`` (without ``mailto:``), else
  ``actor.mbox_sha1sum``, else ``actor.openid``;
* competency: ``activities[object.id]`` (option ``activities``, activity id → code);
* score: ``result.score.scaled`` (0..1), else ``result.score.raw`` with its ``min`` and ``max``
  turned into ``(raw − min) / (max − min)``; the fraction ``f`` lands on the competency's scale as
  ``scale_min + f × (scale_max − scale_min)`` (options ``scales``/``scale``);
* timestamp: ``timestamp``, else ``stored``; kind: the last path segment of
  ``object.definition.type`` (``…/activities/assessment`` → ``assessment``), else option ``kind``;
  source_id: the statement ``id``.

Voiding: a statement with verb ``http://adlnet.gov/expapi/verbs/voided`` and a ``StatementRef``
object retracts the statement it names. The reader makes two passes over the file: the first
collects the ids of voided statements (only the ids are kept), the second reports each voided
statement as skipped (``MK322``), wherever the voiding statement stands. Standard input is
spooled to a temporary file for the two passes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import IO, Any

import attrs

from masterykit.evidence import Evidence, Origin, Rejection
from masterykit.readers._common import (
    DEFAULT_MAX_RECORD_BYTES,
    NUMBER_RANGE,
    BigNumber,
    LineSource,
    RecordProblem,
    ScaleMap,
    Unclosed,
    bad_option,
    display_name,
    iter_json_document,
    load_json,
    number_out_of_range,
    open_binary,
    parse_decimal,
    parse_timestamp,
    record_limit,
    refuse_file,
    reject,
    shorten,
    text_option,
)
from masterykit.registry import ReadRequest

__all__ = ["VOIDED", "XapiOptions", "read_xapi"]

#: The verb of a voiding statement.
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

_KNOWN_OPTIONS = frozenset({"activities", "kind", "scale", "scales", "max_record_bytes"})


@attrs.frozen(slots=True)
class XapiOptions:
    """The xAPI reader options: ``activities`` (activity id → competency code), ``kind`` (used
    when a statement's activity has no type), ``scales``/``scale`` (where scores land) and
    ``max_record_bytes`` (the byte limit of one statement, default 64 KiB)."""

    activities: Mapping[str, str] = attrs.field(factory=dict)
    kind: str | None = None
    scales: ScaleMap = attrs.field(factory=ScaleMap)
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> XapiOptions:
        """Validate ``options`` (``MK302``)."""
        unknown = sorted(set(options) - _KNOWN_OPTIONS)
        if unknown:
            raise bad_option(
                unknown[0],
                "is not an option of the xAPI reader",
                help="known options: " + ", ".join(sorted(_KNOWN_OPTIONS)),
            )
        activities = options.get("activities") or {}
        if not isinstance(activities, Mapping):
            raise bad_option("activities", "must map activity ids to competency codes")
        activities = {
            text_option("activities", k): text_option(f"activities[{shorten(k)}]", v, empty=False)
            for k, v in activities.items()
        }
        kind = options.get("kind")
        if kind is not None:
            kind = text_option("kind", kind)
        return cls(activities, kind, ScaleMap.from_options(options), record_limit(options))


@attrs.frozen(slots=True)
class _Item:
    """One statement as read: its line, the parsed value, or a rejection already decided."""

    line: int
    value: object = None
    rejection: Rejection | None = None


def read_xapi(request: ReadRequest) -> Iterator[Evidence | Rejection]:
    """Read xAPI statements (see the module documentation for the mapping)."""
    options = XapiOptions.from_options(request.options)
    file = display_name(request.path)
    lines = request.path.name.lower().endswith((".jsonl", ".ndjson"))
    if str(request.path) == "-":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the generator
        shutil.copyfileobj(open_binary(request.path), spool)
        return _read(lambda: _rewind(spool), options, file, lines, spool.close)
    open_binary(request.path).close()  # MK300 now, not at the first statement
    return _read(lambda: open_binary(request.path), options, file, lines, lambda: None)


def _rewind(spool: IO[bytes]) -> IO[bytes]:
    spool.seek(0)
    return Unclosed(spool)  # type: ignore[return-value]


def _items(opener: Any, options: XapiOptions, file: str, lines: bool) -> Iterator[_Item]:
    with opener() as stream:
        if lines:
            source = LineSource(stream, options.max_record_bytes)
            if source.binary:
                raise refuse_file(reject("MK303", "file is binary, not UTF-8 text", file))
            for text in source:
                line = source.line
                if line in source.too_long:
                    reason = f"statement is larger than {options.max_record_bytes} bytes"
                    yield _Item(line, rejection=reject("MK330", reason, file, line))
                    continue
                if line in source.not_utf8:
                    reason = "line is not valid UTF-8 text"
                    yield _Item(line, rejection=reject("MK304", reason, file, line))
                    continue
                if text.strip():
                    yield _parse(text, line, file, "MK312", "line")
            return
        for piece in iter_json_document(stream, options.max_record_bytes):
            if piece.error == "too_large":
                reason = f"statement is larger than {options.max_record_bytes} bytes"
                yield _Item(piece.line, rejection=reject("MK330", reason, file, piece.line))
            elif piece.error is not None:
                reason = f"file is not valid JSON: {piece.error}"
                yield _Item(piece.line, rejection=reject("MK320", reason, file, piece.line))
            elif piece.parsed:
                yield _Item(piece.line, piece.value)
            else:
                assert piece.text is not None
                yield _parse(piece.text, piece.line, file, "MK320", "statement")


def _parse(text: str, line: int, file: str, code: str, what: str) -> _Item:
    try:
        return _Item(line, load_json(text))
    except json.JSONDecodeError as err:
        message = f"{what} is not valid JSON: {err.msg.lower()}"
        if code == "MK320":
            message = f"file is not valid JSON: {err.msg.lower()}"
        return _Item(line, rejection=reject(code, message, file, line))
    except RecordProblem as problem:
        reason = f"statement cannot be used: {problem.reason}"
        return _Item(line, rejection=reject(problem.code, reason, file, line))


def _read(
    opener: Any, options: XapiOptions, file: str, lines: bool, done: Callable[[], None]
) -> Iterator[Evidence | Rejection]:
    try:
        voided: dict[str, str] = {}
        for item in _items(opener, options, file, lines):
            value = item.value
            if isinstance(value, dict) and _verb(value) == VOIDED:
                target = _get(value, "object", "id")
                if isinstance(target, str):
                    voided.setdefault(target, str(value.get("id") or "?"))
        seen: dict[str, int] = {}
        for item in _items(opener, options, file, lines):
            if item.rejection is not None:
                yield item.rejection
                continue
            yield _statement(item.value, item.line, file, options, voided, seen)
    finally:
        done()


def _get(value: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _verb(statement: Mapping[str, object]) -> object:
    return _get(statement, "verb", "id")


def _statement(
    statement: object,
    line: int,
    file: str,
    options: XapiOptions,
    voided: Mapping[str, str],
    seen: dict[str, int],
) -> Evidence | Rejection:
    if not isinstance(statement, dict):
        return reject("MK321", "statement is not a JSON object", file, line)
    raw_id = statement.get("id")
    sid = raw_id if isinstance(raw_id, str) and raw_id else None
    record = f"statement {sid}" if sid else None

    def no(code: str, reason: str) -> Rejection:
        return reject(code, reason, file, line, record)

    if sid is not None:
        if sid in seen:
            return no(
                "MK329", f"duplicate statement id `{shorten(sid)}` (first on line {seen[sid]})"
            )
        seen[sid] = line
    if _verb(statement) == VOIDED:
        voids = shorten(_get(statement, "object", "id"))
        return no("MK323", f"statement voids statement `{voids}`")
    if sid is not None and sid in voided:
        return no("MK322", f"statement voided by statement `{shorten(voided[sid])}`")
    score = _get(statement, "result", "score")
    if not isinstance(score, dict) or ("scaled" not in score and "raw" not in score):
        return no("MK324", "statement has no score")
    activity = _get(statement, "object", "id")
    competency = options.activities.get(activity) if isinstance(activity, str) else None
    if competency is None:
        return no("MK325", f"activity `{shorten(activity)}` is not in the `activities` mapping")
    learner = _learner(statement.get("actor"))
    if learner is None:
        return no(
            "MK326",
            "statement has no learner: the actor has no account, mbox, mbox_sha1sum or openid",
        )
    stamp = statement.get("timestamp") or statement.get("stored")
    if not isinstance(stamp, str):
        return no("MK327", "statement has no `timestamp` or `stored` time")
    timestamp = parse_timestamp(stamp)
    if isinstance(timestamp, tuple):
        return no(timestamp[0], timestamp[1])
    fraction = _fraction(score)
    if isinstance(fraction, tuple):
        return no(*fraction)
    target = options.scales.target(competency)
    if target is None:
        return no("MK317", f"no scale for competency `{shorten(competency)}` to map the score onto")
    value = ScaleMap.rescale(fraction, Decimal(0), Decimal(1), target)
    return Evidence(
        learner,
        competency,
        value,
        timestamp,
        kind=_kind(statement) or options.kind,
        source_id=sid,
        origin=Origin(file, line, record),
    )


def _learner(actor: object) -> str | None:
    if not isinstance(actor, dict):
        return None
    name = _get(actor, "account", "name")
    if isinstance(name, str) and name:
        return name
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox:
        return mbox.removeprefix("mailto:")
    for key in ("mbox_sha1sum", "openid"):
        value = actor.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _fraction(score: Mapping[str, object]) -> Decimal | tuple[str, str]:
    """The score as a fraction 0..1 of the range, or the code and reason it cannot be one."""
    for key in ("scaled", "raw", "min", "max"):
        value = score.get(key)
        number = isinstance(value, BigNumber) or not isinstance(value, str)
        if number and number_out_of_range(value):
            return ("MK360", f"score `{key}` `{shorten(value)}` is out of range: {NUMBER_RANGE}")
    if "scaled" in score:
        scaled = parse_decimal(score["scaled"]) if not isinstance(score["scaled"], str) else None
        if scaled is None:
            return _unmapped(f"`scaled` is `{shorten(score['scaled'])}`, not a number")
        if not Decimal(0) <= scaled <= Decimal(1):
            return _unmapped(f"`scaled` is {scaled}, outside 0..1")
        return scaled
    raw, low, high = (
        parse_decimal(v) if not isinstance(v, str) else None
        for v in (score.get("raw"), score.get("min"), score.get("max"))
    )
    if raw is None:
        return _unmapped(f"`raw` is `{shorten(score.get('raw'))}`, not a number")
    if low is None or high is None:
        return _unmapped("`raw` needs numeric `min` and `max`")
    if not low < high:
        return _unmapped(f"`min` {low} is not below `max` {high}")
    if not low <= raw <= high:
        return _unmapped(f"`raw` {raw} is outside {low}..{high}")
    return (raw - low) / (high - low)


def _unmapped(why: str) -> tuple[str, str]:
    return ("MK328", f"score cannot be mapped: {why}")


def _kind(statement: Mapping[str, object]) -> str | None:
    kind = _get(statement, "object", "definition", "type")
    if not isinstance(kind, str) or not kind.strip("/"):
        return None
    return kind.rstrip("/").rsplit("/", 1)[-1]
