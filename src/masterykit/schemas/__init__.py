"""The JSON Schemas of masterykit's JSON output, shipped inside the package.

Each document the command line prints in JSON carries a ``schema`` key naming its schema and
version (``masterykit/result/v1``); :func:`load_schema` returns the matching JSON Schema
(draft 2020-12), which ``masterykit schema NAME`` prints. Within a version, keys are only ever
added, never removed or changed in meaning.

>>> sorted(SCHEMAS)
['calibration', 'diagnostics', 'diff', 'explain', 'groups', 'impact', 'report', 'result', 'test']
>>> load_schema("diagnostics")["properties"]["schema"]["const"]
'masterykit/diagnostics/v1'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Final

__all__ = ["SCHEMAS", "load_schema", "schema_text"]

#: Schema names, with the file each is stored in and what it describes.
SCHEMAS: Final[dict[str, tuple[str, str]]] = {
    "calibration": (
        "calibration-v1.schema.json",
        "classroom evidence against common assessments from `masterykit calibrate --format json`",
    ),
    "diagnostics": (
        "diagnostics-v1.schema.json",
        "problems found by `masterykit check --format json`",
    ),
    "diff": (
        "diff-v1.schema.json",
        "what changes between two policies from `masterykit diff --format json`",
    ),
    "explain": (
        "explain-v1.schema.json",
        "one learner's explanation from `masterykit explain --format json`",
    ),
    "groups": (
        "groups-v1.schema.json",
        "learners grouped by next learning target from `masterykit groups --format json`",
    ),
    "impact": (
        "impact-v1.schema.json",
        "what changes for learners between two policies from `masterykit impact --format json`",
    ),
    "report": (
        "report-v1.schema.json",
        "a district report by school and group from `masterykit report --format json`",
    ),
    "result": (
        "result-v1.schema.json",
        "learners' results from `masterykit evaluate --format json` (and `jsonl` lines)",
    ),
    "test": (
        "test-v1.schema.json",
        "worked examples run by `masterykit test --format json`",
    ),
}


def schema_text(name: str) -> str:
    """The text of schema ``name`` (a key of :data:`SCHEMAS`), exactly as shipped."""
    filename = SCHEMAS[name][0]
    return resources.files(__name__).joinpath(filename).read_text("utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """Schema ``name`` as a dictionary, for validators such as ``jsonschema``."""
    loaded: dict[str, Any] = json.loads(schema_text(name))
    return loaded
