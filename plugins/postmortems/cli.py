"""The ``postmortem`` command: the same pipeline as the MkDocs build, for terminals and CI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .errors import ConfigurationError
from .settings import Settings, SettingsError, cached_settings, find_mkdocs_yml, keep_settings

if TYPE_CHECKING:
    from .pipeline import Checker, CheckResult

# The commands import what they use when they run: ``postmortem check FILE`` in a pre-commit
# hook should not pay for the scaffolding templates, the views or the SARIF renderer.

#: ``postmortem actions --format`` choices: the keys of ``views.RENDERERS`` (a test keeps
#: them equal) spelt out so that the views are not imported to build the command line.
VIEW_FORMATS = ("text", "json", "csv", "markdown")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def load_settings(config_file: Path | None) -> Settings:
    """Settings from ``--config``, else the nearest ``mkdocs.yml``, else the defaults.

    The settings of an unchanged ``mkdocs.yml`` are taken from the cache (no MkDocs import).
    """
    if config_file is None:
        config_file = find_mkdocs_yml(Path.cwd())
    if config_file is None:
        return Settings(project_dir=Path.cwd())
    settings, key = cached_settings(config_file)
    if settings is not None:
        return settings
    from .config import load_settings as from_mkdocs_yml

    settings = from_mkdocs_yml(config_file)
    if key is not None:
        keep_settings(settings, key)
    return settings


def _without_gc(command: Callable[..., None]) -> Callable[..., None]:
    """Run ``command`` with the cyclic garbage collector off. A check builds many small objects
    that live until it ends (the cache index, a result per file): the collector would only walk
    them again and again (seconds at 10,000). Workers checking files run with it (see
    ``pipeline._check_misses``)."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        enabled = gc.isenabled()
        gc.disable()
        try:
            command(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


MAIN_EPILOG = """\b
Examples:
  postmortem new "Checkout errors after failover" --production --users-blocked
  postmortem check --strict
  postmortem check incidents/2026/2026-03-14-checkout.md
  postmortem actions --overdue --format markdown

Options are read from the postmortems plugin in the nearest mkdocs.yml.
Run 'postmortem COMMAND --help' for a command's options.
"""


#: ``--config``, as every sub-command takes it.
CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="mkdocs.yml to read the postmortems options from (default: the nearest one).",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]}, epilog=MAIN_EPILOG
)
@click.version_option(package_name="mkdocs-postmortems")
def main() -> None:
    """Post-mortems as code: check incident post-mortems against the team's policy."""


CHECK_EPILOG = """\b
Examples:
  postmortem check                      the whole collection
  postmortem check --strict             warnings fail too (CI, pre-commit)
  postmortem check incidents/2026/a.md  one file; ids are resolved against the rest
  postmortem check --format github      annotations on a pull request
  postmortem check --format sarif --output findings.sarif
"""


@main.command(epilog=CHECK_EPILOG)
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
@CONFIG_OPTION
@click.option(
    "--no-cache",
    is_flag=True,
    help="Check every file again instead of reusing the results of unchanged ones.",
)
@_without_gc
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output_file: Path | None,
    strict: bool,
    rules: str,
    config_file: Path | None,
    no_cache: bool,
) -> None:
    """Check post-mortems. PATHS are files or folders (default: the configured collection).

    Exit status: 0 clean, 1 findings that fail, 2 usage or configuration error, 3 the
    checker itself failed on a file (reported as an internal-error finding).
    """
    from .pipeline import Checker
    from .render.text import render_text

    try:
        settings = load_settings(config_file)
        if rules == "schema":
            settings = dataclasses.replace(settings, language=False)
        if no_cache:
            settings = dataclasses.replace(settings, cache=False)
        targets = list(paths) or [settings.incidents_path]
        if not paths and not settings.incidents_path.is_dir():
            raise SettingsError(f"incidents folder {settings.incidents_path} does not exist")
        checker = Checker(settings, only_language=rules == "language", full_meta=False)
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
    if result.internal_errors:
        sys.exit(EXIT_INTERNAL)
    sys.exit(EXIT_FINDINGS if result.fails(strict=strict) else EXIT_OK)


def render_report(
    result: CheckResult, checker: Checker, output_format: str, *, strict: bool
) -> str:
    """The report in ``output_format``, uncoloured (for a file or a pipe)."""
    if output_format == "json":
        from .render.json import render_json

        return render_json(result, strict=strict)
    if output_format == "github":
        from .render.github import render_github

        return render_github(result.findings)
    if output_format == "sarif":
        from .render.sarif import render_sarif
        from .rulebook import core_rulebook, with_language_rules

        language = checker.language
        rulebook = with_language_rules(language.rules) if language else core_rulebook()
        return render_sarif(
            result.findings, rulebook=rulebook, source_root=checker.settings.project_dir
        )
    from .render.text import render_text

    return click.unstyle(render_text(result, strict=strict))


def interactive() -> bool:
    """Whether ``postmortem new`` may ask questions (a terminal on both ends)."""
    from .scaffold import interactive as on_a_terminal

    return on_a_terminal()


NEW_EPILOG = """\b
Examples:
  postmortem new "Checkout errors after replica failover"
  postmortem new "Search showed unavailable items" --date 2026-01-19 \\
      --no-production --correctness --service search --author search-team --no-input
"""


@main.command(epilog=NEW_EPILOG, short_help="Start a post-mortem with the next free id.")
@click.argument("title")
@click.option(
    "--severity",
    type=click.Choice(["SEV1", "SEV2", "SEV3", "SEV4"], case_sensitive=False),
    help="The severity, if known (else it follows from the decision-tree answers).",
)
@click.option("--production/--no-production", default=None, help="Is production affected?")
@click.option("--data-loss/--no-data-loss", default=None, help="Is data lost?")
@click.option("--security/--no-security", default=None, help="Is security compromised?")
@click.option("--users-blocked/--no-users-blocked", default=None, help="Are users blocked?")
@click.option(
    "--correctness/--no-correctness", default=None, help="Is it affecting correctness?"
)
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The day the incident started (default: today, UTC).",
)
@click.option("--service", "services", multiple=True, help="An affected service (repeatable).")
@click.option("--author", "authors", multiple=True, help="An author (repeatable).")
@click.option("--status", default="draft", show_default=True, help="draft, review or final.")
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The team's own template (Jinja) instead of the packaged one.",
)
@click.option("--no-input", is_flag=True, help="Never ask; leave what is missing to fill in.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="mkdocs.yml of the project (default: the nearest one above the current folder).",
)
def new(
    title: str,
    severity: str | None,
    day: dt.datetime | None,
    services: tuple[str, ...],
    authors: tuple[str, ...],
    status: str,
    template: Path | None,
    no_input: bool,
    config_file: Path | None,
    **answers: bool | None,
) -> None:
    """Start a post-mortem titled TITLE in the incidents folder, with the next free id.

    Prints the new file's path. Exit status: 0 created, 2 usage error or the file exists.
    """
    from .scaffold import (
        NewPostmortem,
        SchemaFacts,
        ask_missing,
        create_postmortem,
        impact_flags_from_answers,
        validate_spec,
    )

    try:
        config_file = config_file or find_mkdocs_yml(Path.cwd())
        if config_file is None:
            raise SettingsError(f"no mkdocs.yml in {Path.cwd()} or any folder above it")
        settings = load_settings(config_file)
        facts = SchemaFacts.load(settings.schema_path)
        questions = facts.questions()
        spec = NewPostmortem(
            title=" ".join(title.split()),
            date=day.date() if day else dt.datetime.now(dt.timezone.utc).date(),
            status=status,
            severity=severity.upper() if severity else None,
            impact_flags=impact_flags_from_answers(answers, list(questions)),
            services=services,
            authors=authors,
        )
        if not no_input and interactive():
            spec = ask_missing(spec, questions)
        spec = validate_spec(spec, facts)
        path = create_postmortem(settings.incidents_path, spec, facts, template)
    except ConfigurationError as exc:
        click.echo(f"postmortem: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(os.path.relpath(path))


ACTIONS_EPILOG = """\b
Examples:
  postmortem actions                          every published action item, by owner
  postmortem actions --overdue                what is late, for the weekly review
  postmortem actions --owner db-team --status open --status in-progress
  postmortem actions --due-before 2026-12-31 --format csv --output due.csv
  postmortem actions --overdue --format markdown    a digest for an issue or a chat
"""


@main.command(epilog=ACTIONS_EPILOG, short_help="List the action items by owner, for reviews.")
@click.option("--owner", help="Only this owner's items (case-insensitive).")
@click.option("--overdue", is_flag=True, help="Only open items whose due date has passed.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["open", "in-progress", "done", "wont-do", "overdue"]),
    help="Only items with this status (repeatable).",
)
@click.option(
    "--due-before",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Only items due before this day (YYYY-MM-DD).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(VIEW_FORMATS)),
    default="text",
    show_default=True,
    help="text: a table per owner; json, csv; markdown: a digest for an issue.",
)
@click.option(
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
@CONFIG_OPTION
def actions(
    owner: str | None,
    overdue: bool,
    statuses: tuple[str, ...],
    due_before: dt.datetime | None,
    output_format: str,
    output_file: Path | None,
    config_file: Path | None,
) -> None:
    """List the action items of the published post-mortems, grouped by owner.

    The same items, states and order as the site's action-items page; "overdue" is
    measured against the configured 'today' or else today (UTC). Exit status: 0 listed,
    2 usage or configuration error.
    """
    from .pipeline import Checker
    from .views import RENDERERS, ActionFilter, actions_view

    try:
        settings = load_settings(config_file)
        if not settings.incidents_path.is_dir():
            raise SettingsError(f"incidents folder {settings.incidents_path} does not exist")
        result = Checker(settings).check_paths([settings.incidents_path])
    except ConfigurationError as exc:
        click.echo(f"postmortem: configuration error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    keep = ActionFilter(
        owner=owner,
        overdue=overdue,
        status=statuses,
        due_before=due_before.date() if due_before else None,
    )
    view = actions_view(result.postmortems, settings.effective_today, keep)
    text = RENDERERS[output_format](view)
    if output_file is None:
        click.echo(text)
        return
    try:
        output_file.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        click.echo(f"postmortem: cannot write {output_file}: {exc.strerror}", err=True)
        sys.exit(EXIT_USAGE)


def _register_learning() -> None:
    from .learn_cli import register

    register(main)


RULES_EPILOG = """\b
Examples:
  postmortem rules                     every rule id, its category and default level
  postmortem rules --format json       the same for other tools
  postmortem rules --test              run every language rule's examples (after editing rules)
  postmortem rules --test --format github   failing examples as pull-request annotations
"""


@main.command(epilog=RULES_EPILOG, short_help="List the rule ids and categories.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "github"]),
              default="text", show_default=True,
              help="text: a table; json: a list; github: annotations (with --test only).")
@click.option("--test", "run_tests", is_flag=True,
              help="Instead of listing, run each language rule's examples (flag and pass) "
              "and report, at its line in the rules file, every example that fails.")
@CONFIG_OPTION
def rules(output_format: str, run_tests: bool, config_file: Path | None) -> None:
    """List every rule id with its category, default level and what it means: the names
    that rule_levels and draft_rules accept.

    With --test: exit status 0 when every example behaves, 1 when one fails, 2 for a usage
    or configuration error (invalid rules data among them).
    """
    from . import secretscan
    from .pipeline import Checker
    from .rulebook import core_rulebook, with_language_rules

    try:
        settings = load_settings(config_file)
        if run_tests:
            _report_rule_examples(settings, output_format)
        checker = Checker(settings)
        language = checker.language
    except ConfigurationError as exc:
        click.echo(f"postmortem: configuration error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if output_format == "github":
        click.echo("postmortem: --format github needs --test", err=True)
        sys.exit(EXIT_USAGE)
    book = with_language_rules(language.rules) if language else core_rulebook()
    entries = [(i.id, i.category, i.level.value, i.description) for i in book.rules.values()]
    entries += [(rule, "security", "error", "A secret in the text (see docs/security.md).")
                for rule in secretscan.rule_ids()]
    if output_format == "json":
        keys = ("id", "category", "level", "description")
        click.echo(json.dumps([dict(zip(keys, e, strict=True)) for e in entries], indent=2))
        return
    width = max(len(e[0]) for e in entries)
    for rule_id, category, level, description in entries:
        click.echo(f"{rule_id:<{width}}  {category:<14} {level:<8} {description}")


def _report_rule_examples(settings: Settings, output_format: str) -> NoReturn:
    """Run the configured rules data's examples, print what failed in ``output_format`` and
    exit. The data is tested by itself: the project's ``allowed_phrases`` and
    ``extra_role_nouns`` change what is flagged in post-mortems, not what the rules' own
    examples must show. Nothing is tested when the language rules are off or the packaged
    rules are used (nothing of the project's to test)."""
    from .language import LanguageChecker, LanguageSettings
    from .language.rules import default_rules_path
    from .language.selftest import run_examples
    from .render.github import render_github
    from .render.text import render_finding
    from .source import display_path

    path = settings.language_rules_path
    skipped = None
    if not settings.language:
        skipped = "the language rules are turned off (language: false)"
    elif path.resolve() == default_rules_path().resolve():
        skipped = f"the packaged rules are used ({display_path(path)})"
    if skipped is not None:
        click.echo(f"postmortem: nothing to test: {skipped}", err=True)
        if output_format == "json":
            click.echo(json.dumps({"rules": 0, "examples": 0, "findings": []}, indent=2))
        sys.exit(EXIT_OK)
    language = LanguageChecker(LanguageSettings(rules_path=path))  # RulesError: exit 2
    report = run_examples(language)
    if output_format == "json":
        click.echo(json.dumps({
            "rules": report.rules, "examples": report.examples,
            "findings": [f.to_dict() for f in report.findings],
        }, indent=2))
    elif output_format == "github":
        if report.findings:
            click.echo(render_github(report.findings))
    else:
        colour = False if os.environ.get("NO_COLOR") else None
        for finding in report.findings:
            click.echo("\n".join(render_finding(finding)), color=colour)
        failed = len(report.findings)
        verdict = f"{failed} failed" if failed else "all behave"
        click.echo(f"tested {report.examples} examples of {report.rules} rules in "
                   f"{display_path(language.rules.path)}: {verdict}")
    sys.exit(EXIT_FINDINGS if report.findings else EXIT_OK)


_register_learning()
