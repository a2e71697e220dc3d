"""Learner attributes as learner clauses read them: an attribute compared with the value a
clause names (``learner.grade >= 11``), coerced to the value's type, and an attribute written as
text for explanations. A learner without the attribute never satisfies a comparison.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from masterykit.evidence import as_moment
from masterykit.numbers import format_decimal
from masterykit.policy import LearnerClause

__all__ = ["as_date", "attribute_text", "compare"]


_MISSING = object()


def _coerce(actual: Any, expected: Any) -> Any:
    """``actual`` as a value comparable with ``expected``, or ``_MISSING``."""
    if isinstance(expected, bool):
        if isinstance(actual, bool):
            return actual
        if isinstance(actual, str) and actual.lower() in ("true", "false"):
            return actual.lower() == "true"
        return _MISSING
    if isinstance(expected, Decimal):
        if isinstance(actual, bool):
            return _MISSING
        if isinstance(actual, (Decimal, int)):
            return Decimal(actual)
        if isinstance(actual, str):
            try:
                value = Decimal(actual.strip())
            except ArithmeticError:
                return _MISSING
            return value if value.is_finite() else _MISSING
        return _MISSING
    if isinstance(expected, dt.datetime):
        if isinstance(actual, (dt.date, str)):
            try:
                return as_moment(
                    dt.datetime.fromisoformat(actual) if isinstance(actual, str) else actual
                )
            except ValueError:
                return _MISSING
        return _MISSING
    if isinstance(expected, dt.date):
        day = as_date(actual)
        return _MISSING if day is None else day
    if isinstance(expected, str):
        return actual if isinstance(actual, str) else _MISSING
    return _MISSING


def attribute_text(value: Any) -> str:
    """A learner attribute value as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def compare(clause: LearnerClause, attributes: Mapping[str, Any]) -> bool:
    """Whether the learner's attribute compares as the clause says (missing: never)."""
    if clause.attribute not in attributes:
        return False
    actual = attributes[clause.attribute]
    if clause.op is None:
        return actual is True or (isinstance(actual, str) and actual.lower() == "true")
    expected = clause.value
    if isinstance(expected, dt.datetime):
        expected = as_moment(expected)
    value = _coerce(actual, expected)
    if value is _MISSING:
        return False
    op = clause.op
    if op == "=":
        return bool(value == expected)
    if op == "!=":
        return bool(value != expected)
    if isinstance(expected, bool):
        return False
    try:
        if op == "<":
            return bool(value < expected)
        if op == "<=":
            return bool(value <= expected)
        if op == ">":
            return bool(value > expected)
        return bool(value >= expected)
    except TypeError:
        return False


def as_date(value: Any) -> dt.date | None:
    """A learner attribute read as a date (a date-time by its UTC date, text in ISO form), or
    ``None`` when it is not one."""
    if isinstance(value, dt.datetime):
        return as_moment(value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
