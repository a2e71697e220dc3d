"""``masterykit schema [NAME]``: print the JSON Schemas that JSON output follows."""

from __future__ import annotations

import click

from masterykit.cli._common import EXIT_OK, debug_option
from masterykit.schemas import SCHEMAS, load_schema, schema_text

__all__ = ["schema"]


@click.command()
@click.argument("name", required=False, type=click.Choice(sorted(SCHEMAS)), metavar="[NAME]")
@debug_option
def schema(name: str | None) -> int:
    """Print the JSON Schema that a JSON output follows.

    Without NAME, list the schemas. NAME is one of:
    """
    if name is None:
        width = max(len(n) for n in SCHEMAS)
        for key in sorted(SCHEMAS):
            document = load_schema(key)
            const = document["properties"]["schema"]["const"]
            click.echo(f"{key:<{width}}  {const:<28}  {SCHEMAS[key][1]}")
        return EXIT_OK
    click.echo(schema_text(name).rstrip("\n"))
    return EXIT_OK


schema.help = (schema.help or "").rstrip() + " " + ", ".join(sorted(SCHEMAS)) + "."
