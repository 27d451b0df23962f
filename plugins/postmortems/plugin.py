"""The MkDocs plugin: a thin shell over the pipeline that publishes the checked collection.

Checking is the pipeline's job, the site (rollups, pages, charts, exports) the job of
:mod:`postmortems.site`; the hooks here only hand MkDocs what those modules produce.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from .config import (
    OPTION_NAMES,
    PostmortemsConfig,
    settings_from_config,
    unknown_option_error,
)
from .errors import ConfigurationError
from .findings import Finding, Level, printable
from .pipeline import CheckResult, check_collection_at
from .settings import Settings, SettingsError
from .site import wiring

log = get_plugin_logger(__name__)


def log_finding(finding: Finding) -> None:
    """One finding as ``path:line: message`` at the matching log level."""
    text = f"{finding.location()}: {finding.message} [{finding.rule}]"
    if finding.hint:
        text += f" (hint: {finding.hint})"
    text = printable(text)  # a title or key may hold terminal escape sequences
    {Level.ERROR: log.error, Level.WARNING: log.warning, Level.INFO: log.info}[finding.level](text)


class PostmortemsPlugin(BasePlugin[PostmortemsConfig]):
    """Checks every post-mortem, fails the build on errors, publishes them and the site views."""

    def load_config(
        self, options: dict[str, Any], config_file_path: str | None = None
    ) -> tuple[list[Any], list[Any]]:
        """As MkDocs does, but an unknown option is an error (the CLI says the same)."""
        errors, warnings = super().load_config(options, config_file_path)
        errors += [(name, unknown_option_error(name)) for name in options
                   if name not in OPTION_NAMES]
        warnings = [(name, w) for name, w in warnings if name in OPTION_NAMES]
        return errors, warnings

    def __init__(self) -> None:
        self.result: CheckResult | None = None
        self.settings: Settings | None = None
        self.incident_uris: set[str] = set()
        self.publisher: wiring.Publisher | None = None
        self.serving = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Remember whether this is ``mkdocs serve`` (MkDocs keeps this instance for its
        rebuilds): a preview keeps serving through errors and may show drafts."""
        self.serving = command == "serve"

    @property
    def preview_drafts(self) -> bool:
        """Drafts are published only by ``mkdocs serve`` with ``preview_drafts: true``."""
        return self.serving and self.config.preview_drafts

    @event_priority(50)  # before mkdocs-macros reads the macros other plugins register
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # With on_startup, MkDocs keeps one instance for every build of the process.
        self.publisher, self.result, self.incident_uris = None, None, set()
        if not self.config.enabled:
            return None
        project_dir = Path(config.config_file_path or ".").resolve().parent
        try:
            self.settings = settings_from_config(self.config, project_dir)
        except SettingsError as exc:
            raise PluginError(f"postmortems: {exc}") from exc
        if not self.settings.incidents_path.is_dir():
            raise PluginError(
                f"postmortems: incidents folder {self.settings.incidents_path} does not exist"
            )
        if self.config.site:
            try:
                self.publisher = wiring.Publisher(self.config, self.settings, config)
            except ValueError as exc:
                raise PluginError(f"postmortems: {exc}") from exc
            self.publisher.configure(config)
        return None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.settings is None:
            return None
        try:
            self.result = check_collection_at(self.settings)
        except ConfigurationError as exc:  # unreadable schema or rules data
            raise PluginError(f"postmortems: {exc}") from exc
        for finding in self.result.findings:
            log_finding(finding)
        errors = sum(1 for f in self.result.findings if f.level is Level.ERROR)
        if errors and self.serving:
            log.warning(f"postmortems: {errors} error(s); serving anyway, the findings are "
                        "shown on the pages and on postmortem-findings/ ('mkdocs build' fails)")
        elif errors:
            files_with = len({f.path for f in self.result.findings if f.level is Level.ERROR})
            raise PluginError(
                f"postmortems: {errors} error(s) in {files_with} post-mortem(s); "
                "run 'postmortem check' for hints"
            )
        self.incident_uris = set()
        incidents = self.settings.incidents_path
        prefix = self.config.url_prefix.strip("/")
        published: dict[str, File] = {}
        for pm in self.result.postmortems:
            absolute = pm.source.abs_path or self.settings.resolve(pm.source.path)
            src_uri = f"{prefix}/{absolute.relative_to(incidents).as_posix()}"
            existing = files.get_file_from_path(src_uri)
            previewed = self.preview_drafts and pm.is_draft and pm.source.readable
            if not (pm.published or previewed):
                if existing is not None:
                    files.remove(existing)  # drafts inside docs_dir are not published either
                continue
            if existing is None:
                existing = File.generated(config, src_uri, abs_src_path=str(absolute))
                files.append(existing)
            existing.inclusion = InclusionLevel.NOT_IN_NAV  # reachable from the views
            self.incident_uris.add(src_uri)
            published[pm.path] = existing
        log.info(self.result.accounting())
        if self.publisher is not None:
            self.publisher.preview_drafts = self.preview_drafts
            self.publisher.findings = {}
            for finding in self.result.findings if self.serving else ():
                self.publisher.findings.setdefault(finding.path, []).append(finding)
            self.publisher.add_site(self.result, published, files, config)
        # The pages need only what the publisher keeps: the checked collection (front matter
        # with positions, parsed bodies) is not held through the build.
        self.result = None
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        """Keep post-mortems out of the sidebar: each page would otherwise carry all of them."""
        if self.config.enabled:
            hidden = self.incident_uris | (self.publisher.hidden_uris if self.publisher else set())
            nav.items = _without_incidents(nav.items, hidden)
        return nav

    @event_priority(50)  # before mkdocs-macros and the tags plugin read the page
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str | None:
        if self.publisher is None:
            return None
        return self.publisher.page_markdown(markdown, page)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig,
                        files: Files) -> str | None:
        if self.publisher is not None:
            return self.publisher.page_content(html, page)
        return None

    @event_priority(50)  # before the tags plugin: it leaves tags already in the context
    def _page_context(self, context: Any, *, page: Page, config: MkDocsConfig,
                      nav: Navigation) -> Any:
        if self.publisher is not None:
            self.publisher.page_context(context, page)
        return context

    @event_priority(1)  # just before the search plugin reads the page
    def _page_to_index(self, context: Any, *, page: Page, config: MkDocsConfig,
                       nav: Navigation) -> Any:
        if self.publisher is not None:
            self.publisher.page_to_index(page)
        return context

    @event_priority(-100)  # once every plugin has read it
    def _page_indexed(self, context: Any, *, page: Page, config: MkDocsConfig,
                      nav: Navigation) -> Any:
        if self.publisher is not None:
            self.publisher.page_indexed(page)
        return context

    on_page_context = CombinedEvent(_page_context, _page_to_index, _page_indexed)

    @event_priority(100)  # before other plugins read the finished page
    def _page_output(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.publisher is not None:
            return self.publisher.page_output(output)
        return None

    @event_priority(-100)  # after every plugin has read the finished page
    def _page_written(self, output: str, *, page: Page, config: MkDocsConfig) -> None:
        if self.publisher is not None:
            self.publisher.page_written(page)

    on_post_page = CombinedEvent(_page_output, _page_written)

    @event_priority(100)  # before the search plugin writes its index
    def _boost_search(self, *, config: MkDocsConfig) -> None:
        if self.publisher is not None:
            self.publisher.boost_search(config)

    @event_priority(-100)  # after it has written the index
    def _finish_search(self, *, config: MkDocsConfig) -> None:
        if self.publisher is not None:
            self.publisher.finish_search(config)

    on_post_build = CombinedEvent(_boost_search, _finish_search)

    def on_build_error(self, *, error: Exception) -> None:
        if self.publisher is not None:
            self.publisher.abandon()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.settings is not None:
            server.watch(str(self.settings.incidents_path))
            server.watch(str(self.settings.schema_path))
            if self.settings.language_rules_path.exists():
                server.watch(str(self.settings.language_rules_path))
        return server


def _without_incidents(items: list[Any], uris: set[str]) -> list[Any]:
    kept = []
    for item in items:
        if isinstance(item, Page) and item.file.src_uri in uris:
            continue
        if isinstance(item, Section):
            item.children = _without_incidents(item.children, uris)
            if not item.children:
                continue
        kept.append(item)
    return kept
