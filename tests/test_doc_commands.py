"""Every ``$ masterykit …`` command shown in the documentation runs, and succeeds.

The commands are read from the ``console`` code blocks of every page (continuation lines ending
in ``\\`` joined) and run in-process from the project root, or, when the files they name live
beside a page (the tutorial's ``district.mastery``), from that page's folder.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from masterykit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BLOCK = re.compile(r"^\.\. code-block:: console\n\n((?:   .*\n|\n)+)", re.MULTILINE)


def documented_commands() -> list[tuple[str, str]]:
    """(page, command line) for every ``$ masterykit`` line of a console block."""
    found: list[tuple[str, str]] = []
    for page in sorted(DOCS.rglob("*.rst")):
        if "_build" in page.parts:
            continue
        for block in BLOCK.findall(page.read_text("utf-8")):
            text = re.sub(r"\\\n\s*", " ", block)
            for line in text.splitlines():
                line = line.strip()
                if line.startswith("$ masterykit "):
                    found.append((str(page.relative_to(DOCS)), line.removeprefix("$ ")))
    return found


COMMANDS = documented_commands()


OUTPUT_FLAGS = ("--output", "-o", "--out")


def outputs_into(args: list[str], folder: Path) -> list[str]:
    """``args`` with each ``--output FILE`` (or ``--out DIR``) moved into ``folder``, so the
    project stays clean."""
    return [
        str(folder / Path(arg).name) if i and args[i - 1] in OUTPUT_FLAGS else arg
        for i, arg in enumerate(args)
    ]


def folder_for(page: str, args: list[str]) -> Path:
    """The project root, unless the files the command reads are beside the page."""
    named = [
        a
        for i, a in enumerate(args)
        if not a.startswith("-")
        and ("/" in a or "." in a)
        and not (i and args[i - 1] in OUTPUT_FLAGS)
    ]
    if all((ROOT / a).exists() for a in named):
        return ROOT
    return DOCS / Path(page).with_suffix("")


def test_the_documentation_shows_commands_of_every_kind() -> None:
    shown = {shlex.split(command)[1] for _, command in COMMANDS}
    assert {"check", "test", "fmt", "evaluate", "explain", "demo", "schema"} <= shown


@pytest.mark.parametrize(("page", "command"), COMMANDS, ids=[f"{p}: {c}" for p, c in COMMANDS])
def test_documented_command_runs_and_succeeds(
    page: str, command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    args = shlex.split(command)[1:]
    monkeypatch.chdir(folder_for(page, args))
    result = CliRunner().invoke(cli, outputs_into(args, tmp_path), prog_name="masterykit")
    assert result.exit_code == 0, f"{command}\n{result.output}\n{result.stderr}"
    for i, arg in enumerate(args):
        if i and args[i - 1] in OUTPUT_FLAGS:
            assert (tmp_path / Path(arg).name).stat().st_size > 0
