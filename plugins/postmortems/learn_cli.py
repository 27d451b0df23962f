"""The ``stats``, ``similar`` and ``pages`` commands: what the collection teaches."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .errors import ConfigurationError
from .settings import Settings, SettingsError
from .source import display_path

if TYPE_CHECKING:  # the commands import the rest when they run (start-up of every command)
    from .model import Postmortem
    from .similar import Match, SimilarityIndex

EXIT_USAGE = 2
_CONFIG = click.option(
    "--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="mkdocs.yml to read the postmortems options from (default: the nearest one).",
)


def _settings(config_file: Path | None) -> Settings:
    from .cli import load_settings

    settings = load_settings(config_file)
    if not settings.incidents_path.is_dir():
        raise SettingsError(f"incidents folder {settings.incidents_path} does not exist")
    return settings


def _fail(exc: Exception) -> None:
    click.echo(f"postmortem: {exc}", err=True)
    sys.exit(EXIT_USAGE)


def read_collection(settings: Settings) -> list[Postmortem]:
    """Every file of the collection, read and parsed once (not checked)."""
    from .model import Postmortem
    from .pipeline import discover
    from .source import read_source

    return [Postmortem(read_source(path, display_path(path, settings.project_dir)))
            for path in discover([settings.incidents_path])]


STATS_EPILOG = """\b
Examples:
  postmortem stats                      tables for the weekly review
  postmortem stats --format json        every figure the site shows, for other tools
  postmortem stats --format markdown    to paste into an issue or a chat
"""
SIMILAR_EPILOG = """\b
Examples:
  postmortem similar incidents/2026/2026-03-14-checkout.md
  postmortem similar --earlier -n 3 incidents/2026/2026-03-14-checkout.md
  postmortem similar --text "replica promoted with the default connection limit"
"""
PAGES_EPILOG = """\b
Examples:
  postmortem pages --out build/pages
  cd build/pages && mkdocs build     (or another generator reading mkdocs.yml)
"""


@click.command(epilog=STATS_EPILOG)
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "csv", "markdown"]),
              help="text tables for people; json carries every figure the site shows.")
@_CONFIG
def stats(output_format: str, config_file: Path | None) -> None:
    """Figures of the published post-mortems: counts, durations, recurrence, follow-through."""
    from .site import report
    from .site.learning import learning_from
    from .site.rollups import build_rollups

    try:
        settings = _settings(config_file)
    except ConfigurationError as exc:
        _fail(exc)
    postmortems = read_collection(settings)
    rollups = build_rollups(postmortems, settings.effective_today)
    learning = learning_from(postmortems, rollups)
    if output_format == "json":
        click.echo(report.as_json(rollups, learning))
        return
    tables = report.tables(rollups, learning)
    render = {"text": report.as_text, "csv": report.as_csv, "markdown": report.as_markdown}
    click.echo(render[output_format](tables).rstrip("\n"))


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _matches_table(matches: list[Match], titles: dict[str, tuple[str, str]]) -> str:
    if not matches:
        return "No similar post-mortem."
    rows = [("id", "score", "started", "title", "shared terms")]
    rows += [(m.id, f"{m.score:.2f}", titles.get(m.id, ("", ""))[1],
              _short(titles.get(m.id, ("", ""))[0]), ", ".join(m.shared_terms))
             for m in matches]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True))
                     + "  " + r[4] for r in rows).rstrip()


@click.command(epilog=SIMILAR_EPILOG)
@click.argument("file", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--text", help="Free text to compare, such as a new incident's cause.")
@click.option("-n", "--limit", default=5, show_default=True, type=click.IntRange(1),
              help="How many post-mortems to list.")
@click.option("--earlier", is_flag=True, help="Only post-mortems that started before FILE's.")
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json"]))
@_CONFIG
def similar(file: Path | None, text: str | None, limit: int, earlier: bool,
            output_format: str, config_file: Path | None) -> None:
    """Post-mortems of the collection whose root cause is most like FILE's or --text's."""
    from .model import Postmortem
    from .recurrence import build_index, case_from_document
    from .source import read_source

    if (file is None) == (text is None):
        _fail(click.UsageError("give a FILE or --text, not both"))
    try:
        settings = _settings(config_file)
    except ConfigurationError as exc:
        _fail(exc)
    collection = [pm for pm in read_collection(settings) if pm.source.readable]
    query_id = None
    if file is not None:
        pm = Postmortem(read_source(file, display_path(file, settings.project_dir)))
        case = case_from_document(pm.meta, pm.document) if pm.source.readable else None
        if case is None:
            _fail(SettingsError(f"{file}: no readable front matter with an id"))
        query_id = case.id
        collection = [other for other in collection if other.id != query_id]
        index: SimilarityIndex = build_index([pm, *collection])
        matches = index.similar(query_id, limit, earlier_only=earlier)
    else:
        index = build_index(collection)
        matches = index.query(text or "", limit)
    titles = {p.id: (p.title, str(p.meta.get("started", ""))[:10]) for p in collection if p.id}
    if output_format == "json":
        click.echo(json.dumps({"query": query_id or text, "matches": [
            {"id": m.id, "score": m.score, "title": titles.get(m.id, ("", ""))[0],
             "started": titles.get(m.id, ("", ""))[1] or None,
             "shared_terms": list(m.shared_terms)} for m in matches]}, indent=2))
        return
    click.echo(_matches_table(matches, titles))


@click.command(epilog=PAGES_EPILOG)
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write docs/ and mkdocs.yml into (created if needed).")
@_CONFIG
def pages(out_dir: Path, config_file: Path | None) -> None:
    """Write the whole site as plain Markdown (generated views, decorated post-mortems,
    exports, assets, the hand-written docs) and a mkdocs.yml without this plugin, for a site
    generator that does not run it. Exit status: 0 written, 1 the collection has errors."""
    from mkdocs.utils.yaml import yaml_load

    from .config import find_mkdocs_yml, plugin_options
    from .findings import Level
    from .pipeline import check_collection_at
    from .site.export_pages import write_site

    try:
        config_file = config_file or find_mkdocs_yml(Path.cwd())
        if config_file is None:
            raise SettingsError(f"no mkdocs.yml in {Path.cwd()} or any folder above it")
        settings = _settings(config_file)
        with config_file.open("rb") as handle:
            data = yaml_load(handle) or {}
        result = check_collection_at(settings)
    except (ConfigurationError, Exception) as exc:  # MkDocs' YAML errors included
        _fail(exc)
    errors = [f for f in result.findings if f.level is Level.ERROR]
    if errors:
        click.echo(f"postmortem: {len(errors)} error(s); run 'postmortem check' for hints",
                   err=True)
        sys.exit(1)
    written = write_site(result, settings, data, plugin_options(data) or {}, out_dir)
    click.echo(f"wrote {len(written.generated)} generated page(s), {len(written.incidents)} "
               f"post-mortem(s) and {len(written.copied)} docs file(s) "
               f"({len(written.rendered)} with macros rendered) to {out_dir}/docs; "
               f"build with: cd {out_dir} && mkdocs build (or zensical build)")


def register(group: click.Group) -> None:
    """Add this module's commands to the ``postmortem`` group."""
    group.add_command(stats)
    group.add_command(similar)
    group.add_command(pages)
