"""The evaluation engine."""
