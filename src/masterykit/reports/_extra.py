"""Whether the optional ``reports`` extra is installed, asked without importing any of it.

``masterykit.reports`` needs numpy, statsmodels, scikit-learn, krippendorff, Jinja2,
vl-convert and Babel; the core install does not carry them. :func:`missing_modules` looks them
up with :func:`importlib.util.find_spec` (which imports nothing), so the command line can say
which extra to install (``MK700``) instead of failing with an ``ImportError``.
"""

from __future__ import annotations

import importlib.util
from typing import Final

from masterykit.diagnostics import Diagnostic

__all__ = ["EXTRA", "REQUIRED_MODULES", "missing_extra", "missing_modules"]

#: The name of the optional extra, as ``pip install 'masterykit[reports]'`` spells it.
EXTRA: Final = "reports"

#: Importable module → the distribution that provides it.
REQUIRED_MODULES: Final[dict[str, str]] = {
    "numpy": "numpy",
    "statsmodels": "statsmodels",
    "sklearn": "scikit-learn",
    "krippendorff": "krippendorff",
    "jinja2": "jinja2",
    "vl_convert": "vl-convert-python",
    "babel": "babel",
}


def missing_modules() -> tuple[str, ...]:
    """The distributions of the ``reports`` extra that cannot be imported, in a fixed order."""
    missing: list[str] = []
    for module, distribution in REQUIRED_MODULES.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a module set to None in sys.modules, or half-gone
            found = False
        if not found:
            missing.append(distribution)
    return tuple(missing)


def missing_extra(what: str = "`masterykit report`") -> Diagnostic | None:
    """``MK700`` when part of the ``reports`` extra is missing, else ``None``.

    ``what`` names the feature in the message (the command, or the Python module).
    """
    missing = missing_modules()
    if not missing:
        return None
    names = ", ".join(f"`{name}`" for name in missing)
    return Diagnostic(
        "MK700",
        f"{what} needs the optional `{EXTRA}` extra, which is not installed (missing {names})",
        help=f"install it with `pip install 'masterykit[{EXTRA}]'`",
    )
