"""District reports: evaluation results summed by school and group, beside the whole district.

:class:`ReportBuilder` takes learners' results one at a time (from
:func:`masterykit.engine.evaluate`, or streamed from :func:`masterykit.engine.evaluate_stream`
so a district need not hold every result) and keeps only counts. :meth:`ReportBuilder.build`
turns them into a :class:`DistrictReport`: one :class:`Cell` per date, breakdown, group, subject
and measure, each with its 95% Wilson score interval and its difference from the district, with
small groups suppressed (:mod:`masterykit.reports._privacy`).

>>> import datetime as dt
>>> from decimal import Decimal
>>> from masterykit.engine import evaluate
>>> from masterykit.evidence import Evidence, Learner
>>> from masterykit.loader import load_text
>>> policy = load_text('''policy "Demo" version "1"
... scale two { 1 NotYet 2 Yes }
... area MATH "Mathematics" { competency MATH.1 "Number sense" }
... calculate highest
... proficient at Yes
... ''', "demo.mastery")
>>> learners = [Learner(f"s{i:02d}", {"school": "north" if i < 12 else "harbor"})
...             for i in range(24)]
>>> evidence = [Evidence(f"s{i:02d}", "MATH.1", Decimal(1 + i % 2), dt.date(2026, 1, 5))
...             for i in range(24)]
>>> result = evaluate(policy, learners, evidence, as_of=dt.date(2026, 2, 1))
>>> report = district_report([result], by=["school"], policy=policy)
>>> [(c.group, c.count, c.total) for c in report.competencies.rows
...  if c.measure == "proficient"]
[('all', 12, 24), ('harbor', 6, 12), ('north', 6, 12)]
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from masterykit.diagnostics import Diagnostic, MasteryError
from masterykit.reports._privacy import DEFAULT_MIN_GROUP, suppressed
from masterykit.reports._stats import wilson_intervals

if TYPE_CHECKING:
    import pandas
    import pyarrow

    from masterykit.engine import EvaluationResult, LearnerResult
    from masterykit.policy import Policy

__all__ = [
    "CELL_COLUMNS",
    "DISTRICT",
    "NOT_RECORDED",
    "SCOPES",
    "Cell",
    "DistrictReport",
    "ReportBuilder",
    "ReportError",
    "Table",
    "district_report",
    "group_name",
]

#: The breakdown and group name of the whole district.
DISTRICT: Final = "district"
_ALL: Final = "all"

#: The group of learners who have no value for a breakdown's attribute.
NOT_RECORDED: Final = "(not recorded)"

#: The subjects a report covers, in the order they are reported.
SCOPES: Final = (
    "learners",
    "competency",
    "area",
    "requirement",
    "advancement",
    "graduation",
    "pace",
    "evidence",
)

#: The measure that counts a subject's learners (a cell's ``total``), never reported itself.
_TOTAL: Final = ""


class ReportError(MasteryError):
    """A report cannot be built as asked (``MK7xx`` diagnostics)."""


@attrs.frozen(slots=True)
class Cell:
    """One figure of a report: how many learners of a group meet a measure on one date.

    ``by`` is the breakdown (an attribute name, or ``district``) and ``group`` its value
    (``all`` for the district). ``scope`` is one of :data:`SCOPES` and ``subject`` what it is
    about (a competency or area code, a requirement's or advancement's name, ``graduation``,
    ``pace``; empty for ``learners``). ``measure`` is a status (``proficient``, ``developing``,
    ``insufficient``, ``not_started``), a level (``level:Advanced``; ``level:`` for no score),
    ``met``, a pace status, ``learners`` or ``per_learner``.

    ``count`` of ``total`` learners meet the measure (for ``evidence``: pieces of evidence
    counted, over learners; for ``learners``: the group's learners, over the district's).
    ``value`` is ``count / total``, ``low``–``high`` its 95% Wilson score interval (no interval
    for the evidence mean), ``district`` the district's value and ``difference``
    ``value - district``. A suppressed cell (``suppressed``) has none of these;
    ``small`` says why: the group has fewer than the minimum of learners (``True``), or it is
    hidden so that a smaller group cannot be worked out from the district (``False``).
    """

    as_of: dt.date
    by: str
    group: str
    scope: str
    subject: str
    measure: str
    count: int | None
    total: int | None
    value: float | None
    low: float | None
    high: float | None
    district: float | None
    difference: float | None
    suppressed: bool = False
    small: bool = False

    def to_row(self) -> dict[str, Any]:
        """The cell as a plain mapping of :data:`CELL_COLUMNS` to values."""
        return {column: getattr(self, column) for column in CELL_COLUMNS}


#: The fields of a :class:`Cell`, in order: the columns of every table.
CELL_COLUMNS: Final[tuple[str, ...]] = tuple(a.name for a in attrs.fields(Cell))


@attrs.frozen(slots=True)
class Table:
    """Cells of one kind (``name``), with conversions for data tools.

    :meth:`to_rows` is the one place cells become plain values; :meth:`to_pandas` and
    :meth:`to_arrow` build on it (pandas and pyarrow are imported only when called).
    """

    name: str
    rows: tuple[Cell, ...]

    def to_rows(self) -> list[dict[str, Any]]:
        """One mapping per cell, keys :data:`CELL_COLUMNS` (dates as :class:`datetime.date`)."""
        return [cell.to_row() for cell in self.rows]

    def to_pandas(self) -> pandas.DataFrame:
        """The table as a pandas ``DataFrame`` with the columns :data:`CELL_COLUMNS`."""
        import pandas

        return pandas.DataFrame(self.to_rows(), columns=list(CELL_COLUMNS))

    def to_arrow(self) -> pyarrow.Table:
        """The table as a pyarrow ``Table`` (missing values are nulls)."""
        import pyarrow

        return pyarrow.Table.from_pylist(self.to_rows(), schema=_arrow_schema())


def _arrow_schema() -> pyarrow.Schema:
    import pyarrow

    text, number, whole = pyarrow.string(), pyarrow.float64(), pyarrow.int64()
    types = {
        "as_of": pyarrow.date32(),
        "count": whole,
        "total": whole,
        "suppressed": pyarrow.bool_(),
        "small": pyarrow.bool_(),
    }
    for column in ("value", "low", "high", "district", "difference"):
        types[column] = number
    return pyarrow.schema([(column, types.get(column, text)) for column in CELL_COLUMNS])


@attrs.frozen(slots=True)
class DistrictReport:
    """A policy's results summed by group, beside the district, on one or more dates.

    ``by`` are the breakdowns (learner attributes), ``as_of`` the dates in order, ``min_group``
    the smallest group shown. ``members`` maps each breakdown and group to its learners' ids,
    and is ``None`` unless the report was built with ``with_learner_ids=True``.
    """

    policy: str
    version: str | None
    as_of: tuple[dt.date, ...]
    by: tuple[str, ...]
    min_group: int
    cells: tuple[Cell, ...]
    members: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None

    def table(self, *scopes: str) -> Table:
        """The cells of ``scopes`` (see :data:`SCOPES`), named after the first."""
        wanted = set(scopes)
        return Table(scopes[0], tuple(c for c in self.cells if c.scope in wanted))

    @property
    def learners(self) -> Table:
        """How many learners each group has."""
        return self.table("learners")

    @property
    def competencies(self) -> Table:
        """Status and level rates per competency."""
        return self.table("competency")

    @property
    def areas(self) -> Table:
        """Per area: learners proficient in every competency of it, and with any insufficient."""
        return self.table("area")

    @property
    def decisions(self) -> Table:
        """Requirement, advancement and graduation rates."""
        return self.table("requirement", "advancement", "graduation")

    @property
    def pace(self) -> Table:
        """Pace statuses."""
        return self.table("pace")

    @property
    def evidence(self) -> Table:
        """Evidence counted per learner."""
        return self.table("evidence")

    def to_rows(self) -> list[dict[str, Any]]:
        """Every cell as a plain mapping (see :meth:`Table.to_rows`)."""
        return Table("report", self.cells).to_rows()

    def to_pandas(self) -> pandas.DataFrame:
        """Every cell as a pandas ``DataFrame``."""
        return Table("report", self.cells).to_pandas()

    def to_arrow(self) -> pyarrow.Table:
        """Every cell as a pyarrow ``Table``."""
        return Table("report", self.cells).to_arrow()


class _Group:
    """What the learners of one group on one date add up to."""

    __slots__ = ("counts", "evidence")

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self.evidence = 0


class ReportBuilder:
    """Builds a :class:`DistrictReport` from learners' results added one at a time.

    Only counts are kept, so memory does not grow with the number of learners (unless
    ``with_learner_ids`` asks for each group's members).

    Args:
        by: the learner attributes to break the district down by (``school``, ``iep``…).
        policy: the evaluated policy; gives the areas and the order of levels (optional).
        min_group: the smallest group shown (see :mod:`masterykit.reports._privacy`).
        with_learner_ids: keep each group's learner ids in :attr:`DistrictReport.members`.
    """

    def __init__(
        self,
        by: Sequence[str] = (),
        *,
        policy: Policy | None = None,
        min_group: int = DEFAULT_MIN_GROUP,
        with_learner_ids: bool = False,
    ) -> None:
        if min_group < 1:
            raise ValueError("min_group must be at least 1")
        self.by = tuple(dict.fromkeys(by))
        self.policy = policy
        self.min_group = min_group
        self.name = policy.name if policy is not None else ""
        self.version = policy.version if policy is not None else None
        self._areas: dict[str, tuple[str, ...]] = (
            {code: area.competencies for code, area in policy.areas.items()} if policy else {}
        )
        self._keys: list[tuple[str, str, str]] = []
        self._index: dict[tuple[str, str, str], int] = {}
        self._competency_hits: dict[tuple[str, str, str | None], tuple[int, ...]] = {}
        self._groups: dict[tuple[dt.date, str, str], _Group] = {}
        self._dates: dict[dt.date, None] = {}
        self._seen: set[str] = set()
        self._members: dict[str, dict[str, list[str]]] | None = (
            {name: {} for name in self.by} if with_learner_ids else None
        )
        # Members are listed once, from the first date's learners (the same on every date).
        self._members_date: dt.date | None = None

    def _id(self, scope: str, subject: str, measure: str) -> int:
        key = (scope, subject, measure)
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self._keys)
            self._keys.append(key)
        return index

    def add(self, result: EvaluationResult) -> None:
        """Add every learner of an evaluation (its as-of date is the learners' date)."""
        if not self.name:
            self.name, self.version = result.policy, result.version
        self.add_learners(result.as_of, result.learners)

    def add_learners(self, as_of: dt.date, learners: Iterable[LearnerResult]) -> None:
        """Add learners' results evaluated as of ``as_of``."""
        self._dates.setdefault(as_of, None)
        for learner in learners:
            self._add(as_of, learner)

    def _add(self, as_of: dt.date, result: LearnerResult) -> None:
        hits: list[int] = [self._id("learners", "", _TOTAL), self._id("learners", "", "learners")]
        cache = self._competency_hits
        statuses: dict[str, str] = {}
        evidence = 0
        for code, competency in result.competencies.items():
            status = competency.status.value
            statuses[code] = status
            key = (code, status, competency.level)
            found = cache.get(key)
            if found is None:
                found = cache[key] = (
                    self._id("competency", code, _TOTAL),
                    self._id("competency", code, status),
                    self._id("competency", code, f"level:{competency.level or ''}"),
                )
            hits.extend(found)
            evidence += len(competency.used)
        for code, members in self._areas.items():
            known = [statuses[c] for c in members if c in statuses]
            if not known:
                continue
            hits.append(self._id("area", code, _TOTAL))
            if all(s == "proficient" for s in known):
                hits.append(self._id("area", code, "proficient"))
            if any(s in ("insufficient", "not_started") for s in known):
                hits.append(self._id("area", code, "insufficient"))
        for name, decision in result.requirements.items():
            hits.append(self._id("requirement", name, _TOTAL))
            if decision.held:
                hits.append(self._id("requirement", name, "met"))
        for decision in result.advancements:
            hits.append(self._id("advancement", decision.name, _TOTAL))
            if decision.held:
                hits.append(self._id("advancement", decision.name, "met"))
        if result.graduation is not None:
            hits.append(self._id("graduation", "graduation", _TOTAL))
            if result.graduation.held:
                hits.append(self._id("graduation", "graduation", "met"))
        if result.pace is not None:
            hits.append(self._id("pace", "pace", _TOTAL))
            hits.append(self._id("pace", "pace", result.pace.status.value))
        hits.append(self._id("evidence", "", _TOTAL))
        attributes = result.learner.attributes
        self._seen.update(attributes)
        keys: list[tuple[dt.date, str, str]] = [(as_of, DISTRICT, _ALL)]
        if self._members is not None and self._members_date is None:
            self._members_date = as_of
        for name in self.by:
            group = group_name(attributes.get(name))
            keys.append((as_of, name, group))
            if self._members is not None and as_of == self._members_date:
                self._members[name].setdefault(group, []).append(result.learner.id)
        groups = self._groups
        for group_key in keys:
            group_ = groups.get(group_key)
            if group_ is None:
                group_ = groups[group_key] = _Group()
            group_.counts.update(hits)
            group_.evidence += evidence

    def build(self) -> DistrictReport:
        """The report of everything added so far.

        Raises:
            ReportError: ``MK701`` when no learner has a breakdown's attribute.
        """
        self._check_attributes()
        dates = tuple(sorted(self._dates))
        pending: list[dict[str, Any]] = []
        for as_of in dates:
            for name in (DISTRICT, *self.by):
                pending.extend(self._breakdown(as_of, name))
        _fill_intervals(pending)
        cells = tuple(Cell(**fields) for fields in pending)
        members = None
        if self._members is not None:
            members = {
                name: {group: tuple(ids) for group, ids in sorted(groups.items())}
                for name, groups in self._members.items()
            }
        return DistrictReport(
            self.name, self.version, dates, self.by, self.min_group, cells, members
        )

    def _check_attributes(self) -> None:
        if not self._groups:
            return
        for name in self.by:
            if name not in self._seen:
                close = difflib.get_close_matches(name, sorted(self._seen), n=1)
                help = f"did you mean `{close[0]}`? " if close else ""
                known = ", ".join(f"`{a}`" for a in sorted(self._seen)) or "none"
                raise ReportError(
                    [
                        Diagnostic(
                            "MK701",
                            f"no learner has the attribute `{name}` to break the district down by",
                            help=f"{help}the learners' attributes are {known}; they come from "
                            "the learners file (`--learners FILE`)",
                        )
                    ]
                )

    def _subjects(self) -> list[tuple[str, str]]:
        """Every (scope, subject) seen, in report order: scopes in :data:`SCOPES` order,
        subjects in the order first met (the policy's declaration order)."""
        seen: dict[tuple[str, str], None] = {}
        for scope, subject, _ in self._keys:
            seen.setdefault((scope, subject), None)
        order = {scope: i for i, scope in enumerate(SCOPES)}
        return sorted(seen, key=lambda key: order[key[0]])

    def _measures(self, scope: str, subject: str) -> list[str]:
        measures = [m for s, j, m in self._keys if s == scope and j == subject and m != _TOTAL]
        if scope == "evidence":
            return ["per_learner"]
        if scope == "competency":
            statuses = ("proficient", "developing", "insufficient", "not_started")
            levels = self._level_order(subject)
            return [
                *(s for s in statuses if s in measures or s in ("proficient", "insufficient")),
                *sorted((m for m in measures if m.startswith("level:")), key=levels),
            ]
        if scope in ("requirement", "advancement", "graduation"):
            return ["met"]
        if scope == "area":
            return ["proficient", "insufficient"]
        if scope == "pace":
            order = ("complete", "on_track", "at_risk", "off_track", "unknown")
            return [m for m in order if m in measures]
        return measures

    def _level_order(self, code: str) -> Any:
        names: list[str] = []
        if self.policy is not None and code in self.policy.competencies:
            names = [level.name for level in self.policy.competencies[code].scale.levels]

        def key(measure: str) -> tuple[int, str]:
            name = measure.removeprefix("level:")
            if not name:
                return (-1, "")
            return (names.index(name) if name in names else len(names), name)

        return key

    def _breakdown(self, as_of: dt.date, name: str) -> list[dict[str, Any]]:
        groups = {
            group: data
            for (day, by, group), data in self._groups.items()
            if day == as_of and by == name
        }
        district = self._groups.get((as_of, DISTRICT, _ALL))
        if district is None:
            return []
        ordered = sorted(groups) if name != DISTRICT else [_ALL]
        fields: list[dict[str, Any]] = []
        for scope, subject in self._subjects():
            total_id = self._index[(scope, subject, _TOTAL)]
            totals = {g: groups[g].counts[total_id] for g in ordered}
            district_total = district.counts[total_id]
            hidden = set(suppressed(totals, self.min_group))
            if district_total < self.min_group:
                hidden = set(ordered)
            for measure in self._measures(scope, subject):
                if scope == "evidence":
                    district_count = district.evidence
                elif scope == "learners":
                    district_count = district_total
                else:
                    measure_id = self._index.get((scope, subject, measure))
                    district_count = district.counts[measure_id] if measure_id is not None else 0
                district_value = (
                    district_count / district_total
                    if district_total and district_total >= self.min_group
                    else None
                )
                for group in ordered:
                    data = groups[group]
                    total = totals[group]
                    if group in hidden:
                        fields.append(
                            _hidden(as_of, name, group, scope, subject, measure, district_value)
                        )
                        fields[-1]["small"] = total < self.min_group
                        continue
                    if scope == "evidence":
                        count = data.evidence
                    else:
                        measure_id = self._index.get((scope, subject, measure))
                        count = data.counts[measure_id] if measure_id is not None else 0
                    if scope == "learners":
                        # A group's size is reported as its share of the district.
                        total = district_total
                    value = count / total if total else None
                    fields.append(
                        {
                            "as_of": as_of,
                            "by": name,
                            "group": group,
                            "scope": scope,
                            "subject": subject,
                            "measure": measure,
                            "count": count,
                            "total": total,
                            "value": value,
                            "low": None,
                            "high": None,
                            "district": district_value,
                            "difference": (
                                value - district_value
                                if value is not None and district_value is not None
                                else None
                            ),
                            "suppressed": False,
                            "small": False,
                        }
                    )
        return fields


def _hidden(
    as_of: dt.date,
    by: str,
    group: str,
    scope: str,
    subject: str,
    measure: str,
    district: float | None,
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "by": by,
        "group": group,
        "scope": scope,
        "subject": subject,
        "measure": measure,
        "count": None,
        "total": None,
        "value": None,
        "low": None,
        "high": None,
        "district": district,
        "difference": None,
        "suppressed": True,
        "small": True,
    }


def _fill_intervals(cells: list[dict[str, Any]]) -> None:
    """Set ``low`` and ``high`` of every shown proportion, in one library call."""
    wanted = [
        cell
        for cell in cells
        if not cell["suppressed"] and cell["scope"] != "evidence" and cell["total"]
    ]
    intervals = wilson_intervals([c["count"] for c in wanted], [c["total"] for c in wanted])
    for cell, (low, high) in zip(wanted, intervals, strict=True):
        # At 0% and 100% the Wilson bound is exactly 0 or 1; floating point can land a hair
        # inside it (0.9999999999999999), which would leave the rate outside its own interval.
        cell["low"] = min(low, cell["value"])
        cell["high"] = max(high, cell["value"])


def group_name(value: object) -> str:
    """The group a learner attribute's value puts the learner in: the value as text, or
    :data:`NOT_RECORDED` when the learner has none (or an empty one).

    >>> group_name(True), group_name(dt.date(2027, 6, 11)), group_name("")
    ('true', '2027-06-11', '(not recorded)')
    """
    return NOT_RECORDED if value is None or value == "" else _text(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def district_report(
    results: Iterable[EvaluationResult],
    *,
    by: Sequence[str] = (),
    policy: Policy | None = None,
    min_group: int = DEFAULT_MIN_GROUP,
    with_learner_ids: bool = False,
) -> DistrictReport:
    """Sum evaluations by group: one :class:`DistrictReport` over every result's date.

    ``results`` may be several evaluations of the same learners as of different dates (a
    trend), or the per-learner results :func:`masterykit.engine.evaluate_stream` yields (they
    are consumed one at a time). See :class:`ReportBuilder` for the arguments.

    Raises:
        ReportError: ``MK701`` when no learner has an attribute of ``by``.
    """
    builder = ReportBuilder(
        by, policy=policy, min_group=min_group, with_learner_ids=with_learner_ids
    )
    for result in results:
        builder.add(result)
    return builder.build()
