"""Puts this folder on ``sys.path`` so tests can import the ``engine_kit`` builders under any
pytest import mode."""

from __future__ import annotations

import sys
from pathlib import Path

__all__: list[str] = []

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
