"""``masterykit check FILE…``: read and check policy files, their overlay chains included, and
district files with every policy they route to."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import click

from masterykit.cli._common import (
    EXIT_OK,
    EXIT_PROBLEM,
    count_severities,
    debug_option,
    emit_diagnostics,
    format_option,
    plural,
    policy_files,
)
from masterykit.diagnostics import Diagnostic, Source, render_json, sort_key
from masterykit.district import District
from masterykit.policy import Policy
from masterykit.registry import Registry

__all__ = [
    "DIAGNOSTICS_SCHEMA",
    "FileReport",
    "check",
    "check_paths",
    "diagnostics_document",
    "summary_line",
]

#: The ``schema`` value of ``masterykit check --format json`` output.
DIAGNOSTICS_SCHEMA = "masterykit/diagnostics/v1"


@attrs.frozen(slots=True)
class FileReport:
    """What checking one file found: its diagnostics (some may point into the files it extends,
    or, for a district file, into the policies it routes to), the texts needed to quote them, the
    policy's name and the resolved policy (when it loaded); for a district file, the resolved
    ``district`` (when it loaded) and no policy."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, Source]
    policy: str | None = None
    resolved: Policy | None = attrs.field(default=None, eq=False, repr=False)
    district: District | None = attrs.field(default=None, eq=False, repr=False)


def _check_one(path: Path, registry: Registry | None) -> FileReport:
    from masterykit.loader import check_file

    result = check_file(path, registry=registry)
    policy = result.policy.name if result.policy is not None else None
    return FileReport(
        str(path),
        result.diagnostics,
        dict(result.sources),
        policy,
        result.policy,
        result.district,
    )


def check_paths(paths: Iterable[Path], registry: Registry | None = None) -> list[FileReport]:
    """Check each file with the chain it extends; a diagnostic found through two files (a shared
    base) is kept once. ``registry`` defaults to the built-in and installed plugins."""
    if registry is None:
        from masterykit.loader import default_registry

        registry = default_registry()
    reports: list[FileReport] = []
    seen: set[tuple[object, ...]] = set()
    for path in paths:
        report = _check_one(path, registry)
        kept = []
        for diagnostic in sorted(report.diagnostics, key=sort_key):
            key = (diagnostic.code, diagnostic.message, diagnostic.span, diagnostic.location)
            if key not in seen:
                seen.add(key)
                kept.append(diagnostic)
        reports.append(attrs.evolve(report, diagnostics=tuple(kept)))
    return reports


def diagnostics_document(reports: list[FileReport]) -> dict[str, Any]:
    """The JSON document of ``check --format json`` (schema ``masterykit/diagnostics/v1``)."""
    diagnostics = [d for report in reports for d in report.diagnostics]
    errors, warnings = count_severities(diagnostics)
    files = []
    for report in reports:
        file_errors, file_warnings = count_severities(report.diagnostics)
        files.append(
            {
                "path": report.path,
                "policy": report.policy,
                "ok": file_errors == 0,
                "errors": file_errors,
                "warnings": file_warnings,
            }
        )
    return {
        "schema": DIAGNOSTICS_SCHEMA,
        "ok": errors == 0,
        "summary": {
            "files": len(reports),
            "files_with_errors": sum(1 for f in files if not f["ok"]),
            "errors": errors,
            "warnings": warnings,
        },
        "files": files,
        "diagnostics": [render_json(d) for d in diagnostics],
    }


def summary_line(reports: list[FileReport]) -> str:
    """``2 errors in 1 file`` (``, 1 warning`` when there are warnings); '' when all is clean."""
    diagnostics = [d for report in reports for d in report.diagnostics]
    errors, warnings = count_severities(diagnostics)
    if not errors and not warnings:
        return ""
    failing = sum(1 for r in reports if count_severities(r.diagnostics) != (0, 0))
    counts = []
    if errors:
        counts.append(plural(errors, "error"))
    if warnings:
        counts.append(plural(warnings, "warning"))
    return f"{' and '.join(counts)} in {plural(failing, 'file')}"


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@format_option("text", "json")
@debug_option
def check(files: tuple[str, ...], output_format: str) -> int:
    """Check policy files (and the files they extend) for mistakes.

    A folder stands for every `.mastery` file in it. Prints nothing when every file is
    clean; otherwise each problem with its place in the file, then a summary line.
    Exit status: 0 clean, 1 problems found, 2 usage error.
    """
    reports = check_paths(policy_files(files))
    diagnostics = [d for report in reports for d in report.diagnostics]
    errors, _warnings = count_severities(diagnostics)
    if output_format == "json":
        click.echo(json.dumps(diagnostics_document(reports), indent=2, ensure_ascii=False))
    elif diagnostics:
        sources: dict[str, Source] = {}
        for report in reports:
            sources.update(report.sources)
        emit_diagnostics(diagnostics, sources)
        click.echo("")
        click.echo(summary_line(reports))
    return EXIT_PROBLEM if errors else EXIT_OK
