"""Numbers as a person would write them: scores are decimals, rounded half away from zero.

A calculated score is rounded to two decimals, half away from zero, starting from the number's
shortest decimal form (so a float such as ``3.6500000000000004`` from a power-law fit is read as
``3.65`` first). The rounded value is what levels and cuts compare.

>>> round_score(Decimal("4.125"))
Decimal('4.13')
>>> round_score(Decimal("1.005"))
Decimal('1.01')
>>> round_score(3.6500000000000004)
Decimal('3.65')
>>> round_score(Decimal("-2.345"))
Decimal('-2.35')
>>> format_decimal(Decimal("3.50"))
'3.5'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["as_decimal", "format_decimal", "round_score"]

_CENT = Decimal("0.01")


def as_decimal(value: Decimal | float | int | str) -> Decimal:
    """``value`` as a Decimal; a float is taken from its shortest decimal form (``repr``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def round_score(value: Decimal | float | int) -> Decimal:
    """Round to two decimals, half away from zero, from the shortest decimal form."""
    # ROUND_HALF_UP in the decimal module rounds ties away from zero, for negatives too.
    return as_decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: ``3.50`` → ``3.5``, ``4.00`` → ``4``."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"
