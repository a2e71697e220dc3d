"""Make the project's ``benchmarks`` package importable from its tests.

``make bench`` runs ``python -m benchmarks`` from the project root, where the package is found on
the path; pytest (in importlib mode) does not put the root on ``sys.path``, so this does.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.append(ROOT)
