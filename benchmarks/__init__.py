"""masterykit's benchmark suite: ``python -m benchmarks`` (``make bench``).

See :mod:`benchmarks.__main__` for what is measured, :mod:`benchmarks.generate` for the data,
and :mod:`benchmarks.baseline_python` and :mod:`benchmarks.baseline_pandas` for the baselines.
Results are appended to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

__all__: list[str] = []
