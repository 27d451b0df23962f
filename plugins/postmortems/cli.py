"""The ``postmortem`` command: the same pipeline as the MkDocs build, for terminals and CI."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from .errors import ConfigurationError
from .pipeline import Checker
from .render.json import render_json
from .render.text import render_text
from .settings import Settings, SettingsError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def load_settings(config_file: Path | None) -> Settings:
    """Settings from ``--config``, else the nearest ``mkdocs.yml``, else the defaults."""
    from .config import find_mkdocs_yml
    from .config import load_settings as from_mkdocs_yml

    if config_file is None:
        config_file = find_mkdocs_yml(Path.cwd())
    if config_file is None:
        return Settings(project_dir=Path.cwd())
    return from_mkdocs_yml(config_file)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Post-mortems as code: check incident post-mortems against the team's policy."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option(
    "--rules",
    type=click.Choice(["all", "schema", "language"]),
    default="all",
    show_default=True,
    help="Which checks: all, only the schema and structure checks, or only the "
    "blameless-language rules (works on any Markdown file).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="mkdocs.yml to read the postmortems options from (default: the nearest one).",
)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    strict: bool,
    rules: str,
    config_file: Path | None,
) -> None:
    """Check post-mortems. PATHS are files or folders (default: the configured collection).

    Exit status: 0 clean, 1 findings that fail, 2 usage or configuration error, 3 the
    checker itself failed on a file (reported as an internal-error finding).
    """
    try:
        settings = load_settings(config_file)
        if rules == "schema":
            settings = dataclasses.replace(settings, language=False)
        targets = list(paths) or [settings.incidents_path]
        if not paths and not settings.incidents_path.is_dir():
            raise SettingsError(f"incidents folder {settings.incidents_path} does not exist")
        checker = Checker(settings, only_language=rules == "language")
        result = checker.check_paths(targets)
    except ConfigurationError as exc:
        click.echo(f"postmortem: configuration error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if output_format == "json":
        click.echo(render_json(result, strict=strict))
    else:
        # Colour only on a terminal (click strips it elsewhere), and never with NO_COLOR set.
        colour = False if os.environ.get("NO_COLOR") else None
        click.echo(render_text(result, strict=strict), color=colour)
    if result.internal_errors:
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_FINDINGS if result.fails(strict=strict) else EXIT_OK)
