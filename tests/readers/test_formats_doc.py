"""docs/formats.rst documents every code the readers and the CASE importer can give."""

from __future__ import annotations

import re
from pathlib import Path

from masterykit.readers import CODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.rst"


def test_every_reader_code_is_in_the_formats_page() -> None:
    documented = set(re.findall(r"^(MK3\d\d) ", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    assert documented == set(CODES)
