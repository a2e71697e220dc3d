"""The fuzz targets are programs run by ``make fuzz``, not test modules: pytest skips them
(``test_fuzz_targets.py`` runs each on its seeds)."""

from __future__ import annotations

__all__ = ["collect_ignore"]

collect_ignore = ["fuzz_parser.py", "fuzz_readers.py"]
