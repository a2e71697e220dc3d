"""Shared data for the report tests: the Lake County example and generated district data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAKE = ROOT / "examples" / "lake-county"
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

pytest.importorskip("statsmodels", reason="the `reports` extra is not installed")


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Learners with schools, evidence and double-scored ratings for 40 generated learners."""
    from benchmarks.generate import write_report_csv

    return write_report_csv(tmp_path_factory.mktemp("district"), 40, seed=2026)
