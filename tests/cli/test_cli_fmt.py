"""``masterykit fmt``: rewrite in place, ``--check`` lists what would change, ``-`` is a filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from masterykit.dsl.format import format_text

MESSY = 'policy "Demo" version "1" scale two{1 NotYet 2 Yes} calculate mean\n'
TIDY = format_text(MESSY)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_fmt_rewrites_a_file_in_place_and_says_so_on_stderr(run, tmp_path):
    path = write(tmp_path, "demo.mastery", MESSY)
    result = run(["fmt", str(path)])
    assert result.exit_code == 0
    assert path.read_text("utf-8") == TIDY
    assert result.stdout == ""
    assert result.stderr == f"reformatted {path}\n"


def test_fmt_is_quiet_when_nothing_changes(run, tmp_path):
    path = write(tmp_path, "demo.mastery", TIDY)
    result = run(["fmt", str(path)])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_fmt_check_lists_files_that_would_change_and_changes_nothing(run, tmp_path):
    messy = write(tmp_path, "messy.mastery", MESSY)
    tidy = write(tmp_path, "tidy.mastery", TIDY)
    result = run(["fmt", "--check", str(messy), str(tidy)])
    assert result.exit_code == 1
    assert result.stdout == f"would reformat {messy}\n"
    assert result.stderr == "1 file would be reformatted\n"
    assert messy.read_text("utf-8") == MESSY


def test_fmt_check_passes_on_tidy_files(run, tmp_path):
    tidy = write(tmp_path, "tidy.mastery", TIDY)
    result = run(["fmt", "--check", str(tidy)])
    assert (result.exit_code, result.stdout) == (0, "")


def test_fmt_dash_filters_standard_input_to_standard_output(run):
    result = run(["fmt", "-"], input=MESSY)
    assert result.exit_code == 0
    assert result.stdout == TIDY


def test_fmt_check_dash_reports_standard_input(run):
    result = run(["fmt", "--check", "-"], input=MESSY)
    assert result.exit_code == 1
    assert result.stdout == "would reformat <stdin>\n"


def test_fmt_leaves_a_file_with_syntax_errors_alone_and_shows_them(run, tmp_path):
    text = 'policy "Typo" version "1"\nproficent at 3\n'
    path = write(tmp_path, "typo.mastery", text)
    result = run(["fmt", str(path)])
    assert result.exit_code == 1
    assert path.read_text("utf-8") == text
    assert result.stderr.startswith("error[MK114]: unexpected word `proficent`")
    assert f"--> {path}:2:1" in result.stderr


def test_fmt_dash_rejects_input_that_is_not_utf8(run):
    result = run(["fmt", "-"], input=b"policy \xff")
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK416]: standard input is not UTF-8 text\n"
        "  = help: policy files are UTF-8 text; save the file as UTF-8 in your editor\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["fmt", "-", "a.mastery"],
            "error[MK408]: `-` (standard input) cannot be combined with file names\n"
            "  = help: format standard input on its own: `masterykit fmt - < policy.mastery`\n",
        ),
        (
            ["fmt", "missing.mastery"],
            "error[MK404]: policy file `missing.mastery` does not exist\n"
            "  = help: check the path; relative paths start from the current folder\n",
        ),
    ],
)
def test_fmt_usage_errors(run, args, expected):
    result = run(args)
    assert result.exit_code == 2
    assert result.stderr == expected


# --- links, and writing safely -----------------------------------------------------------------


def test_fmt_of_a_folder_never_rewrites_a_file_a_link_leads_to_outside_it(run, tmp_path):
    outside = write(tmp_path, "outside.mastery", MESSY)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link.mastery").symlink_to(outside)
    own = write(folder, "own.mastery", MESSY)
    result = run(["fmt", str(folder)])
    assert result.exit_code == 0
    assert outside.read_text("utf-8") == MESSY
    assert own.read_text("utf-8") == TIDY
    assert result.stderr == (
        f"warning[MK440]: skipped `{folder / 'link.mastery'}`: it is a link to `{outside}`, "
        f"outside `{folder}`\n"
        "  = help: fmt changes only files inside the folders it is given; format that file "
        "where it is, or name the link itself\n"
        f"reformatted {own}\n"
    )


def test_fmt_of_a_folder_skips_a_file_reached_through_a_linked_folder_outside_it(run, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    outside = write(shared, "base.mastery", MESSY)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "shared").symlink_to(shared, target_is_directory=True)
    (folder / "base.mastery").symlink_to(folder / "shared" / "base.mastery")
    write(folder, "own.mastery", TIDY)
    result = run(["fmt", "--check", str(folder)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith(f"warning[MK440]: skipped `{folder / 'base.mastery'}`")
    assert outside.read_text("utf-8") == MESSY


def test_links_inside_the_folder_format_their_file_once_and_stay_links(run, tmp_path):
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    own = write(folder, "own.mastery", MESSY)
    (folder / "sub" / "again.mastery").symlink_to("../own.mastery")
    result = run(["fmt", str(folder)])
    assert (result.exit_code, result.stderr) == (0, f"reformatted {own}\n")
    assert (folder / "sub" / "again.mastery").is_symlink()
    assert own.read_text("utf-8") == TIDY


def test_a_link_named_on_the_command_line_formats_its_file_and_stays_a_link(run, tmp_path):
    target = write(tmp_path, "target.mastery", MESSY)
    link = tmp_path / "link.mastery"
    link.symlink_to(target)
    result = run(["fmt", str(link)])
    assert (result.exit_code, result.stderr) == (0, f"reformatted {link}\n")
    assert link.is_symlink()
    assert target.read_text("utf-8") == TIDY


def test_a_formatted_file_keeps_its_permissions_and_leaves_no_temporary_file(run, tmp_path):
    path = write(tmp_path, "demo.mastery", MESSY)
    path.chmod(0o640)
    assert run(["fmt", str(path)]).exit_code == 0
    assert (path.read_text("utf-8"), path.stat().st_mode & 0o777) == (TIDY, 0o640)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.mastery"]


def test_a_failed_write_leaves_the_file_whole_and_the_other_files_are_formatted(
    run, tmp_path, monkeypatch
):
    import errno
    import os

    full = write(tmp_path, "a-full.mastery", MESSY)
    fine = write(tmp_path, "b-fine.mastery", MESSY)
    replace = os.replace

    def disk_full(source, destination):
        if Path(destination).name == "a-full.mastery":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        replace(source, destination)

    monkeypatch.setattr(os, "replace", disk_full)
    result = run(["fmt", str(full), str(fine)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error[MK441]: cannot write `{full}`: No space left on device\n"
        "  = help: the file is left as it was; check that you may write to it and its folder, "
        "and that the disk has room\n"
        f"reformatted {fine}\n"
    )
    assert (full.read_text("utf-8"), fine.read_text("utf-8")) == (MESSY, TIDY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-full.mastery", "b-fine.mastery"]


def test_a_read_only_file_is_not_replaced(run, tmp_path, monkeypatch):
    import os

    path = write(tmp_path, "demo.mastery", MESSY)
    path.chmod(0o444)
    access = os.access
    # Root may write to any file, so ask as an ordinary account would be answered.
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK and access(p, mode))
    result = run(["fmt", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error[MK441]: cannot write `{path}`: the file is read-only\n")
    assert path.read_text("utf-8") == MESSY


def test_fmt_refuses_a_file_over_the_size_limit_without_reading_it(run, tmp_path):
    huge = tmp_path / "huge.mastery"
    with huge.open("wb") as stream:
        stream.truncate(2 * 1024**3)
    result = run(["fmt", str(huge)])
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK103]: the policy file is 2,147,483,648 bytes; the limit is 4,194,304\n"
        f"  --> {huge}\n"
        "  = help: split it into a district file and overlays that `extends` it\n"
    )


def test_fmt_reads_standard_input_only_up_to_the_size_limit(run):
    result = run(["fmt", "-"], input=b"#" * (4 * 1024 * 1024 + 10))
    assert result.exit_code == 1
    assert result.stderr == (
        "error[MK103]: the policy file is more than 4,194,304 bytes; the limit is 4,194,304\n"
        "  --> <stdin>\n"
        "  = help: split it into a district file and overlays that `extends` it\n"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'policy "X"\n\xff\n',
            "error[MK101]: this file is not UTF-8 text\n --> {path}:2:1\n"
            "  = help: save the file as UTF-8 in your editor\n",
        ),
        (
            b'policy "X"\x00\n',
            "error[MK102]: this file is not text (it contains NUL bytes)\n --> {path}:1:11\n"
            "  = help: policy files are UTF-8 text files ending in `.mastery`\n",
        ),
    ],
    ids=["not-utf8", "nul"],
)
def test_fmt_leaves_a_file_that_is_not_text_alone(run, tmp_path, data, expected):
    path = tmp_path / "bad.mastery"
    path.write_bytes(data)
    result = run(["fmt", str(path)])
    assert (result.exit_code, result.stderr) == (1, expected.format(path=path))
    assert path.read_bytes() == data


def test_a_link_pointed_outside_while_its_file_is_formatted_is_not_followed(
    run, tmp_path, monkeypatch
):
    from masterykit.cli import _fmt

    folder = tmp_path / "folder"
    folder.mkdir()
    inside = write(folder, "inside.mastery", MESSY)
    outside = write(tmp_path, "outside.mastery", MESSY)
    link = folder / "link.mastery"
    link.symlink_to(inside)
    real_format = _fmt._format

    def relink_then_format(text: str, name: str) -> str:
        link.unlink()
        link.symlink_to(outside)
        return real_format(text, name)

    monkeypatch.setattr(_fmt, "_format", relink_then_format)
    result = run(["fmt", str(link)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error[MK441]: cannot write `{link}`: it changed while it was being formatted\n"
    )
    assert (inside.read_text("utf-8"), outside.read_text("utf-8")) == (MESSY, MESSY)


def test_a_file_with_the_longest_name_a_file_system_allows_is_formatted(run, tmp_path):
    path = write(tmp_path, "n" * (255 - len(".mastery")) + ".mastery", MESSY)
    result = run(["fmt", str(path)])
    assert (result.exit_code, path.read_text("utf-8")) == (0, TIDY)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


DISTRICT_MESSY = (
    'district "D"{when learner.school="north" use "north.mastery" # the north\n'
    'otherwise use "d.mastery"}\n'
)
DISTRICT_TIDY = (
    'district "D" {\n'
    '  when learner.school = "north" use "north.mastery"  # the north\n'
    '  otherwise use "d.mastery"\n'
    "}\n"
)


def test_fmt_lays_out_a_district_file_one_route_per_line(run, tmp_path):
    path = write(tmp_path, "district.mastery", DISTRICT_MESSY)
    result = run(["fmt", str(path)])
    assert result.exit_code == 0
    assert path.read_text("utf-8") == DISTRICT_TIDY
    assert run(["fmt", "--check", str(path)]).exit_code == 0
