"""A policy's fingerprint follows what it does, not how or where it is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from masterykit import fingerprint, format_text, load, load_text, semantic_form

TEXT = """\
policy "Fingerprints"

scale four_point {
  1 Beginning
  2 Developing
  3 Proficient
  4 Advanced
}

area MATH "Mathematics" {
  competency MATH.1 "Fractions"
  competency MATH.2 "Ratios"
}

calculate decaying_average(65%)
proficient at Proficient
evidence at least 2

requirement core {
  all of MATH proficient
}
"""


def test_fingerprint_is_a_sha256_of_the_semantic_form() -> None:
    policy = load_text(TEXT)
    value = fingerprint(policy)
    assert value.startswith("sha256:") and len(value) == len("sha256:") + 64
    assert policy.fingerprint == value
    json.dumps(semantic_form(policy))  # plain JSON, nothing the encoder must guess


@pytest.mark.parametrize(
    "edited",
    [
        "# the district's policy, revised in June\n" + TEXT,
        TEXT.replace("competency MATH.2", "\n\n# ratios come second\ncompetency MATH.2"),
        TEXT.replace('policy "Fingerprints"', 'policy "Renamed" version "2027"'),
        format_text(TEXT),
    ],
    ids=["comment", "moved-lines", "renamed", "formatted"],
)
def test_writing_changes_keep_the_fingerprint(edited: str) -> None:
    assert fingerprint(load_text(edited, "other.mastery")) == fingerprint(load_text(TEXT))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("65%", "75%"),
        ("at least 2", "at least 3"),
        ("proficient at Proficient", "proficient at Advanced"),
        ('"Ratios"', '"Ratios and rates"'),
        ("all of MATH proficient", "any of MATH proficient"),
        ("decaying_average(65%)", "mean"),
    ],
)
def test_every_rule_change_changes_the_fingerprint(old: str, new: str) -> None:
    assert old in TEXT
    assert fingerprint(load_text(TEXT.replace(old, new))) != fingerprint(load_text(TEXT))


def test_the_same_file_in_another_folder_has_the_same_fingerprint(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "policy.mastery").write_text(TEXT, encoding="utf-8")
    first = load(tmp_path / "a" / "policy.mastery")
    second = load(tmp_path / "b" / "policy.mastery")
    assert first.fingerprint == second.fingerprint
