"""Shared fixtures for the command-line tests: a runner and the acceptance examples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from masterykit.cli import cli

#: The acceptance examples (``shared/spec/examples`` next to the project root).
SPEC_EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "examples"


class Run:
    """Runs ``masterykit`` in-process with click's runner (stdout and stderr kept apart)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, args: Sequence[str], input: str | None = None) -> Result:
        return self.runner.invoke(cli, list(args), input=input, prog_name="masterykit")


@pytest.fixture
def run() -> Run:
    """Call as ``run(["check", "a.mastery"])``; returns click's ``Result``."""
    return Run()


@pytest.fixture
def spec_examples() -> Path:
    """The folder of acceptance examples (skips when the shared folder is not there)."""
    if not SPEC_EXAMPLES.is_dir():
        pytest.skip("the shared acceptance examples are not available")
    return SPEC_EXAMPLES
