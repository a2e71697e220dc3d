"""Agreement between raters who scored the same pieces of work.

A *rating* is one rater's score of one piece of work (an ``artifact``) on one competency; work
scored by two or more raters is what agreement is measured on. Ratings come from the evidence
file's ``rater`` and ``artifact`` columns (:func:`read_ratings`; the evidence readers keep
``rater`` but have no ``artifact`` field, so the ratings are read from the same file here).

:func:`rater_agreement` gives:

* exact agreement (two raters gave the same score) and adjacent agreement (scores at most one
  point apart), over every pair of ratings of the same work;
* quadratic-weighted Cohen's kappa for each pair of raters who scored the same work;
* Krippendorff's alpha (ordinal) overall and per group of a learner attribute (school);
* each rater's severity: the mean of (their score − the mean of the other raters' scores of the
  same work), with a 95% t interval. A rater is flagged ``severe`` or ``lenient`` when the
  Holm-adjusted p-value of that mean is below 0.05 *and* the mean is at least ``margin``
  (half a point by default) from zero. Holm's correction keeps the chance of flagging any
  unbiased rater at most 5% however many raters there are; the margin is there because the
  measure is relative: a rater who shares work with a severe colleague looks lenient by part of
  that colleague's severity (a third of it with four raters sharing work evenly), and with a
  district's thousands of ratings such a small difference is "significant" without mattering.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from masterykit.diagnostics import Diagnostic, EvidenceError
from masterykit.evidence import Learner, Origin, Rejection
from masterykit.reports._district import NOT_RECORDED, _text
from masterykit.reports._stats import holm, krippendorff_alpha, mean_interval, quadratic_kappa

if TYPE_CHECKING:
    import pandas
    import pyarrow

__all__ = [
    "ALPHA",
    "MARGIN",
    "RATING_COLUMNS",
    "AgreementSummary",
    "PairAgreement",
    "RaterAgreement",
    "RaterSeverity",
    "Rating",
    "rater_agreement",
    "read_ratings",
]

#: The family-wise error rate of the severity flags.
ALPHA: Final = 0.05

#: The smallest mean difference from the other raters (in score points) that is flagged.
MARGIN: Final = 0.5

#: The columns :func:`read_ratings` needs.
RATING_COLUMNS: Final = ("learner", "competency", "score", "rater", "artifact")


@attrs.frozen(slots=True)
class Rating:
    """One rater's score of one piece of work on one competency, and where it was read."""

    artifact: str
    rater: str
    learner: str
    competency: str
    score: Decimal
    origin: Origin | None = attrs.field(default=None, eq=False)


def _unreadable(path: Path, why: str) -> Diagnostic:
    return Diagnostic(
        "MK706",
        f"cannot read ratings from `{path.name}`: {why}",
        help="give the evidence file as CSV with `rater` and `artifact` columns",
        location=path.name,
    )


def read_ratings(
    path: str | Path, *, artifact_column: str = "artifact"
) -> tuple[tuple[Rating, ...], tuple[Rejection, ...], int]:
    """Read the ratings in a CSV evidence file: rows with a rater and an artifact.

    Rows without a rater or an artifact are not ratings and are passed over (counted in the
    third value, rows read). A row whose score is not a number is rejected (``MK703``); a
    rater's second score of the same work on the same competency is rejected (``MK705``).

    Raises:
        EvidenceError: ``MK704`` when the file lacks a column ratings need; ``MK706`` when it
            is not a CSV file or cannot be read.
    """
    path = Path(path)
    name = path.name
    ratings: list[Rating] = []
    rejections: list[Rejection] = []
    first: dict[tuple[str, str, str], int] = {}
    read = 0
    columns = {c: (artifact_column if c == "artifact" else c) for c in RATING_COLUMNS}
    for line, row in _rows(path, columns):
        read += 1
        cells = {field: str(row.get(column) or "").strip() for field, column in columns.items()}
        if not cells["rater"] or not cells["artifact"]:
            continue
        try:
            score = Decimal(cells["score"])
            if not score.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            rejections.append(
                Rejection(
                    "MK703",
                    f"score `{cells['score']}` of rater `{cells['rater']}` is not a number",
                    Origin(name, line),
                )
            )
            continue
        key = (cells["artifact"], cells["competency"], cells["rater"])
        if key in first:
            rejections.append(
                Rejection(
                    "MK705",
                    f"rater `{cells['rater']}` scored artifact `{cells['artifact']}` on "
                    f"`{cells['competency']}` twice (first on line {first[key]})",
                    Origin(name, line),
                )
            )
            continue
        first[key] = line
        ratings.append(
            Rating(
                cells["artifact"],
                cells["rater"],
                cells["learner"],
                cells["competency"],
                score,
                Origin(name, line),
            )
        )
    return tuple(ratings), tuple(rejections), read


def _rows(path: Path, columns: Mapping[str, str]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if path.suffix.lower() != ".csv":
        raise EvidenceError([_unreadable(path, "rater agreement reads CSV files")])
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise EvidenceError([_unreadable(path, str(error.strerror or error))]) from None
    try:
        with stream:
            yield from _csv_rows(path, stream, columns)
    except (UnicodeDecodeError, csv.Error) as error:
        raise EvidenceError([_unreadable(path, f"it is not CSV text ({error})")]) from None


def _csv_rows(
    path: Path, stream: Any, columns: Mapping[str, str]
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    reader = csv.DictReader(stream)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    absent = [column for column in columns.values() if column not in header]
    if absent:
        raise EvidenceError(
            [
                Diagnostic(
                    "MK704",
                    f"`{path.name}` has no `{absent[0]}` column, which rater agreement needs",
                    help="ratings are rows with the columns "
                    + ", ".join(f"`{c}`" for c in columns.values())
                    + "; a piece of work scored by two raters is two rows with one "
                    "`artifact` id",
                    location=path.name,
                )
            ]
        )
    for row in reader:
        yield reader.line_num, row


@attrs.frozen(slots=True)
class AgreementSummary:
    """Agreement over the double-scored work of one group (``by``/``group``, or the district).

    ``artifacts`` pieces of work (per competency) were scored by two or more raters, giving
    ``pairs`` pairs of ratings; ``exact`` and ``adjacent`` are the shares of those pairs that
    agree exactly and within one point. ``alpha`` is Krippendorff's alpha (ordinal); ``None``
    when undefined or ``suppressed`` (fewer than ``min_group`` pieces of work).
    """

    by: str
    group: str
    artifacts: int
    pairs: int
    exact: float | None
    adjacent: float | None
    alpha: float | None
    suppressed: bool = False


@attrs.frozen(slots=True)
class PairAgreement:
    """Two raters who scored ``artifacts`` pieces of work in common: exact and adjacent
    agreement and quadratic-weighted Cohen's kappa (``None`` when undefined)."""

    first: str
    second: str
    artifacts: int
    exact: float
    adjacent: float
    kappa: float | None


@attrs.frozen(slots=True)
class RaterSeverity:
    """One rater against the others on the same work.

    ``difference`` is the mean of (this rater's score − the other raters' mean score) over the
    ``artifacts`` pieces of work they shared, ``low``–``high`` its 95% t interval, ``p_value``
    the Holm-adjusted p-value of a test that it is zero, and ``flag`` ``severe`` (scores lower),
    ``lenient`` (higher) or ``None`` (see the module's description for when a rater is flagged).
    """

    rater: str
    artifacts: int
    difference: float
    low: float | None
    high: float | None
    p_value: float | None
    flag: str | None


@attrs.frozen(slots=True)
class RaterAgreement:
    """Rater agreement: per group (the first is the district), per pair and per rater."""

    summaries: tuple[AgreementSummary, ...]
    pairs: tuple[PairAgreement, ...]
    raters: tuple[RaterSeverity, ...]
    ratings: int
    min_group: int

    @property
    def district(self) -> AgreementSummary:
        """Agreement over all the double-scored work."""
        return self.summaries[0]

    def flagged(self, flag: str) -> tuple[str, ...]:
        """The raters flagged ``severe`` or ``lenient``."""
        return tuple(r.rater for r in self.raters if r.flag == flag)

    def to_rows(self, part: str = "raters") -> list[dict[str, Any]]:
        """``part`` (``summaries``, ``pairs`` or ``raters``) as plain mappings."""
        rows: tuple[Any, ...] = getattr(self, part)
        return [attrs.asdict(row) for row in rows]

    def to_pandas(self, part: str = "raters") -> pandas.DataFrame:
        """``part`` as a pandas ``DataFrame`` (see :meth:`to_rows`)."""
        import pandas

        return pandas.DataFrame(self.to_rows(part))

    def to_arrow(self, part: str = "raters") -> pyarrow.Table:
        """``part`` as a pyarrow ``Table`` (see :meth:`to_rows`)."""
        import pyarrow

        return pyarrow.Table.from_pylist(self.to_rows(part))


def rater_agreement(
    ratings: Iterable[Rating],
    *,
    learners: Iterable[Learner] = (),
    by: Sequence[str] = (),
    min_group: int = 10,
    margin: float = MARGIN,
) -> RaterAgreement:
    """Measure agreement between raters of the same work (see the module's description).

    Args:
        ratings: the ratings, such as :func:`read_ratings` gives.
        learners: learners with attributes, to group work by ``by`` (the learner's school).
        by: learner attributes to report alpha and agreement per group of.
        min_group: groups with fewer pieces of double-scored work show no figures.
        margin: the smallest mean difference (in points) a rater is flagged for.
    """
    attributes = {learner.id: learner.attributes for learner in learners}
    units: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    owner: dict[tuple[str, str], str] = {}
    for rating in ratings:
        key = (rating.artifact, rating.competency)
        units[key][rating.rater] = float(rating.score)
        owner[key] = rating.learner
    shared = {key: scores for key, scores in units.items() if len(scores) >= 2}
    domain = sorted({score for scores in shared.values() for score in scores.values()})
    summaries = [_summary("district", "all", list(shared.values()), domain, min_group)]
    for name in by:
        grouped: dict[str, list[dict[str, float]]] = defaultdict(list)
        for key, scores in shared.items():
            value = attributes.get(owner[key], {}).get(name)
            grouped[NOT_RECORDED if value is None or value == "" else _text(value)].append(scores)
        for group in sorted(grouped):
            summaries.append(_summary(name, group, grouped[group], domain, min_group))
    return RaterAgreement(
        tuple(summaries),
        _pairs(shared, domain),
        _severities(shared, margin),
        sum(len(scores) for scores in shared.values()),
        min_group,
    )


def _pair_scores(units: list[dict[str, float]]) -> list[tuple[float, float]]:
    return [
        (scores[a], scores[b])
        for scores in units
        for a, b in itertools.combinations(sorted(scores), 2)
    ]


def _summary(
    by: str, group: str, units: list[dict[str, float]], domain: list[float], min_group: int
) -> AgreementSummary:
    pairs = _pair_scores(units)
    if len(units) < min_group or not pairs:
        return AgreementSummary(by, group, len(units), len(pairs), None, None, None, True)
    exact = sum(1 for a, b in pairs if a == b) / len(pairs)
    adjacent = sum(1 for a, b in pairs if abs(a - b) <= 1) / len(pairs)
    raters = sorted({rater for scores in units for rater in scores})
    table = [[scores.get(rater) for scores in units] for rater in raters]
    alpha = krippendorff_alpha(table, domain)
    return AgreementSummary(by, group, len(units), len(pairs), exact, adjacent, alpha)


def _pairs(
    shared: Mapping[tuple[str, str], dict[str, float]], domain: list[float]
) -> tuple[PairAgreement, ...]:
    together: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for scores in shared.values():
        for a, b in itertools.combinations(sorted(scores), 2):
            together[(a, b)].append((scores[a], scores[b]))
    found: list[PairAgreement] = []
    for (a, b), pairs in sorted(together.items()):
        first, second = [p[0] for p in pairs], [p[1] for p in pairs]
        found.append(
            PairAgreement(
                a,
                b,
                len(pairs),
                sum(1 for x, y in pairs if x == y) / len(pairs),
                sum(1 for x, y in pairs if abs(x - y) <= 1) / len(pairs),
                quadratic_kappa(first, second, domain) if len(pairs) >= 2 else None,
            )
        )
    return tuple(found)


def _severities(
    shared: Mapping[tuple[str, str], dict[str, float]], margin: float
) -> tuple[RaterSeverity, ...]:
    differences: dict[str, list[float]] = defaultdict(list)
    for scores in shared.values():
        for rater, score in scores.items():
            others = [s for r, s in scores.items() if r != rater]
            differences[rater].append(score - sum(others) / len(others))
    raters = sorted(differences)
    stats = [mean_interval(differences[rater]) for rater in raters]
    adjusted = holm([p for *_, p in stats])
    found: list[RaterSeverity] = []
    for rater, (mean, low, high, _), p_value in zip(raters, stats, adjusted, strict=True):
        flag = None
        if not math.isnan(p_value) and p_value < ALPHA and abs(mean) >= margin:
            flag = "severe" if mean < 0 else "lenient"
        found.append(
            RaterSeverity(
                rater,
                len(differences[rater]),
                mean,
                None if math.isnan(low) else low,
                None if math.isnan(high) else high,
                None if math.isnan(p_value) else p_value,
                flag,
            )
        )
    return tuple(found)
