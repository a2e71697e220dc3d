"""What ships with masterykit: the built-in calculation methods, readers and importers."""
