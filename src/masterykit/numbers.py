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

__all__ = ["as_decimal", "format_decimal", "round_score", "short_decimal", "short_text"]

#: The most characters a number or a value echoed in a message takes (plus an ellipsis).
SHORT = 20

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


def short_decimal(value: Decimal) -> str:
    """``value`` as :func:`format_decimal` writes it when that is short, else in scientific
    form with at most 17 significant digits and an ellipsis when digits were left out, so a
    message never echoes a million digits.

    >>> short_decimal(Decimal("3.50"))
    '3.5'
    >>> short_decimal(Decimal("1e999999999"))
    '1e+999999999'
    >>> short_decimal(Decimal("-123456789.0123456789012345"))
    '-1.2345678901234567…e+8'
    """
    if not value.is_finite():
        return str(value)
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    # INVARIANT: the plain form is only worked out when it is short (it may be huge).
    if len(digits) <= SHORT and -SHORT <= exponent <= SHORT - len(digits):
        text = format_decimal(value)
        if len(text) <= SHORT + 1:
            return text
    significant = "".join(map(str, digits)).rstrip("0") or "0"
    power = exponent + len(digits) - 1
    mantissa = significant[0]
    rest = significant[1:17]
    if rest:
        mantissa += "." + rest
    if len(significant) > 17:
        mantissa += "…"
    return f"{'-' if sign else ''}{mantissa}e{power:+d}"


def short_text(value: object) -> str:
    """``value`` as text for a message: a Decimal by :func:`short_decimal`, anything else by
    ``str``, cut to about 20 characters with an ellipsis.

    >>> short_text("x" * 30)
    'xxxxxxxxxxxxxxxxxxxx…'
    """
    if isinstance(value, Decimal):
        return short_decimal(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) >= 10**SHORT:
        return short_decimal(as_decimal(value))
    text = str(value)
    return text if len(text) <= SHORT else text[:SHORT] + "…"
