"""The ``postmortem`` command: the same pipeline as the MkDocs build, for terminals and CI."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

import click

from .errors import ConfigurationError
from .pipeline import Checker, CheckResult
from .render.github import render_github
from .render.json import render_json
from .render.sarif import render_sarif
from .render.text import render_text
from .rulebook import core_rulebook, with_language_rules
from .settings import Settings, SettingsError, find_mkdocs_yml, settings_from_mkdocs_yml

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def load_settings(config_file: Path | None) -> Settings:
    """Settings from ``--config``, else the nearest ``mkdocs.yml``, else the defaults."""
    if config_file is None:
        config_file = find_mkdocs_yml(Path.cwd())
    if config_file is None:
        return Settings(project_dir=Path.cwd())
    return settings_from_mkdocs_yml(config_file)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Post-mortems as code: check incident post-mortems against the team's policy."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Output format: text for people, json for tools, github for GitHub Actions "
    "annotations, sarif for code scanning.",
)
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to this file instead of standard output.",
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
    output_file: Path | None,
    strict: bool,
    rules: str,
    config_file: Path | None,
) -> None:
    """Check post-mortems. PATHS are files or folders (default: the configured collection).

    Exit status: 0 clean, 1 findings that fail, 2 usage or configuration error.
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
    if output_format == "text" and output_file is None:
        # Colour only on a terminal (click strips it elsewhere), and never with NO_COLOR set.
        colour = False if os.environ.get("NO_COLOR") else None
        click.echo(render_text(result, strict=strict), color=colour)
    else:
        report = render_report(result, checker, output_format, strict=strict)
        if output_file is None:
            if report:
                click.echo(report)
        else:
            try:
                output_file.write_text(report + "\n" if report else "", encoding="utf-8")
            except OSError as exc:
                click.echo(f"postmortem: cannot write {output_file}: {exc.strerror}", err=True)
                sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FINDINGS if result.fails(strict=strict) else EXIT_OK)


def render_report(
    result: CheckResult, checker: Checker, output_format: str, *, strict: bool
) -> str:
    """The report in ``output_format``, uncoloured (for a file or a pipe)."""
    if output_format == "json":
        return render_json(result, strict=strict)
    if output_format == "github":
        return render_github(result.findings)
    if output_format == "sarif":
        language = checker.language
        rulebook = with_language_rules(language.rules) if language else core_rulebook()
        return render_sarif(
            result.findings, rulebook=rulebook, source_root=checker.settings.project_dir
        )
    return click.unstyle(render_text(result, strict=strict))
