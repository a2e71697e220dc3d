"""What every command shares: no tracebacks unless asked, colour only on terminals, progress only
for long runs on terminals, and counts that always reconcile."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import masterykit.cli._check as check_module
from masterykit.cli._common import use_colour
from masterykit.cli._inputs import PROGRESS_THRESHOLD, progress


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("the checker fell over")


def test_a_bug_is_reported_in_one_message_without_a_traceback(run, monkeypatch, tmp_path):
    monkeypatch.setattr(check_module, "check_paths", broken)
    (tmp_path / "a.mastery").write_text('policy "A"\n', "utf-8")
    result = run(["check", str(tmp_path / "a.mastery")])
    assert result.exit_code == 2
    assert result.stderr == (
        "error[MK449]: masterykit stopped because of a bug (RuntimeError: the checker fell over)\n"
        "  = help: please report it with the output of the same command run with `--debug`\n"
    )


@pytest.mark.parametrize("args", [["--debug", "check"], ["check", "--debug"]])
def test_debug_shows_the_traceback(run, monkeypatch, tmp_path, args):
    monkeypatch.setattr(check_module, "check_paths", broken)
    (tmp_path / "a.mastery").write_text('policy "A"\n', "utf-8")
    result = run([*args, str(tmp_path / "a.mastery")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "RuntimeError: the checker fell over" in result.stderr


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert use_colour(Terminal()) is True
    assert use_colour(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_colour(Terminal()) is False


def test_diagnostics_are_coloured_on_a_terminal(monkeypatch, tmp_path):
    from masterykit.cli._common import emit_diagnostics
    from masterykit.diagnostics import Diagnostic

    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    emit_diagnostics([Diagnostic("MK404", "policy file `x` does not exist")])
    assert terminal.getvalue().startswith("\x1b[1;31merror[MK404]\x1b[0m")


def test_progress_shows_only_for_long_runs_on_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with progress(PROGRESS_THRESHOLD * 10, "evaluating") as advance:
        assert advance is None
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with progress(PROGRESS_THRESHOLD - 1, "evaluating") as advance:
        assert advance is None
    with progress(PROGRESS_THRESHOLD, "evaluating") as advance:
        assert advance is not None
        advance(PROGRESS_THRESHOLD)
    assert "evaluating" in terminal.getvalue()
    with progress(None, "reading evidence") as tick:
        assert tick is not None
        tick(1000)
    assert "reading evidence" in terminal.getvalue()


POLICY = """\
policy "Small" version "1"
scale two { 1 NotYet 2 Yes }
area M "Math" { competency M.1 "Counts" }
calculate highest
proficient at Yes
"""

cells = st.fixed_dictionaries(
    {
        "learner": st.sampled_from(["ana", "bo", "", "cy"]),
        "competency": st.sampled_from(["M.1", "M.2", ""]),
        "score": st.sampled_from(["1", "2", "2.5", "7", "x", "", "-1"]),
        "timestamp": st.sampled_from(
            ["2026-01-10", "2026-02-30", "2026-13-01", "10/01/2026", "2027-01-01", ""]
        ),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(cells, max_size=25))
def test_every_record_read_is_used_or_rejected(run, tmp_path: Path, rows):
    (tmp_path / "p.mastery").write_text(POLICY, "utf-8")
    lines = ["learner,competency,score,timestamp"]
    lines += [f"{r['learner']},{r['competency']},{r['score']},{r['timestamp']}" for r in rows]
    (tmp_path / "e.csv").write_text("\n".join(lines) + "\n", "utf-8")
    (tmp_path / "l.csv").write_text("id\nana\nbo\n", "utf-8")
    result = run(
        [
            "evaluate",
            str(tmp_path / "p.mastery"),
            "--evidence",
            str(tmp_path / "e.csv"),
            "--learners",
            str(tmp_path / "l.csv"),
            "--as-of",
            "2026-06-01",
        ]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    counts = document["counts"]
    assert counts["read"] == len(rows)
    assert counts["read"] == counts["used"] + counts["rejected"]
    assert counts["rejected"] == len(document["rejections"])
    assert counts["used"] == counts["counted"] + counts["not_counted"]
