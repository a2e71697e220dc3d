"""The fuzz target is a program run by ``make fuzz``, not a test module: pytest skips it."""

from __future__ import annotations

__all__ = ["collect_ignore"]

collect_ignore = ["fuzz_parser.py"]
