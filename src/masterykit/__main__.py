"""``python -m masterykit``: the same command line as the ``masterykit`` executable."""

from __future__ import annotations

import sys

from masterykit.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
