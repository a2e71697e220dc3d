"""``masterykit schema``: the published JSON Schemas, exactly as shipped."""

from __future__ import annotations

import json

import jsonschema
import pytest

from masterykit.schemas import SCHEMAS, load_schema


def test_without_a_name_every_schema_is_listed_with_its_id(run):
    result = run(["schema"])
    assert result.exit_code == 0
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["calibration", "masterykit/calibration/v1"],
        ["diagnostics", "masterykit/diagnostics/v1"],
        ["diff", "masterykit/diff/v1"],
        ["explain", "masterykit/explain/v1"],
        ["groups", "masterykit/groups/v1"],
        ["impact", "masterykit/impact/v1"],
        ["report", "masterykit/report/v1"],
        ["result", "masterykit/result/v1"],
        ["test", "masterykit/test/v1"],
    ]


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_schema_is_printed_and_is_a_valid_json_schema(run, name):
    result = run(["schema", name])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document == load_schema(name)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["properties"]["schema"]["const"] == f"masterykit/{name}/v1"
