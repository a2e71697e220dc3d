"""Put this folder on ``sys.path`` so tests import ``strategies_valid``."""

from __future__ import annotations

import sys
from pathlib import Path

__all__: list[str] = []

sys.path.insert(0, str(Path(__file__).resolve().parent))
