"""masterykit: run competency-based (mastery) education policies."""

from masterykit._version import __version__

__all__ = ["__version__"]
