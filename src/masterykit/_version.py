"""The package version, kept in one place (read by hatchling and ``masterykit --version``)."""

__version__ = "0.1.0"
