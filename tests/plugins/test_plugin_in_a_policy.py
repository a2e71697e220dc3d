"""An installed plugin's calculation method works from a policy file, end to end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import masterykit
from masterykit.cli import cli

POLICY = """\
policy "Trimmed" version "1"
scale four_point { 1 Beginning 2 Developing 3 Proficient 4 Advanced }
area M "Mathematics" { competency M.1 "Number sense" }
calculate trimmed_mean
proficient at Proficient

example "the extremes do not count" {
  as of 2026-06-01
  learner ana
  evidence {
    ana M.1 1 on 2026-01-10
    ana M.1 3 on 2026-02-10
    ana M.1 4 on 2026-03-10
    ana M.1 4 on 2026-04-10
  }
  expect ana M.1 score 3.5
  expect ana M.1 proficient
}
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "trimmed.mastery"
    path.write_text(POLICY, encoding="utf-8")
    return path


def test_a_policy_uses_the_installed_plugins_method(example_plugin: str, policy_file: Path):
    policy = masterykit.load(policy_file)
    assert policy.rules["M.1"].calculate.method == "trimmed_mean"
    evidence = [
        masterykit.Evidence("ana", "M.1", Decimal(score), dt.date(2026, month, 10))
        for month, score in ((1, 1), (2, 3), (3, 4), (4, 4))
    ]
    result = masterykit.evaluate(
        policy, masterykit.Learner("ana"), evidence, as_of=dt.date(2026, 6, 1)
    )
    competency = result.learner("ana").competencies["M.1"]
    assert competency.score == Decimal("3.5")
    assert competency.status is masterykit.Status.PROFICIENT


def test_the_policys_examples_pass_with_the_plugin_installed(
    example_plugin: str, policy_file: Path
):
    outcomes = masterykit.run_examples(masterykit.load(policy_file))
    assert [outcome.passed for outcome in outcomes] == [True]
    runner = CliRunner()
    result = runner.invoke(cli, ["test", str(policy_file)], prog_name="masterykit")
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed" in result.output


def test_without_the_plugin_the_method_is_unknown(policy_file: Path):
    masterykit.plugins.clear_registry_cache()
    checked = masterykit.check_file(policy_file)
    assert checked.policy is None
    assert [d.code for d in checked.diagnostics] == ["MK240"]
    assert checked.diagnostics[0].message == "unknown calculation method `trimmed_mean`"
