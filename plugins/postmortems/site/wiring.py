"""The glue between the site modules and MkDocs: the one module here that imports MkDocs.

:class:`Publisher` does, hook by hook, what the plugin delegates: assets and macros at
config time, generated pages and exports with the files, the additions to each post-mortem
page, and the search ranking after the build.
"""

from __future__ import annotations

import copy
import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from markupsafe import escape
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from ..findings import Finding, Level
from ..htmlcheck import readable_markup
from ..markdown import slugify
from ..pipeline import CheckResult
from ..settings import Settings
from ..similar import Match
from .apart import APART_MIN, Pending, can_fork
from .block_file import BlockFile, Key, write_blocks
from .exports import action_items_csv, atom_feed, incidents_json
from .incident_page import decorate, deferred_blocks
from .later_files import LaterExport, LaterPage
from .learning import SIMILAR_SHOWN, learning_from
from .macros import SiteMacros
from .navigation import with_year_pages
from .outlines import CACHE_FILE as OUTLINE_CACHE
from .outlines import OutlineCache
from .pages import GeneratedPage, Site, SiteOptions
from .public import internal_fields, public_postmortem, strip_internal
from .rollups import Incident, build_rollups
from .search import (
    ROOT_CAUSE_SLUGS,
    SectionBoost,
    cause_title,
    escape_markup,
    find_anchor,
    index_entries,
    rewrite_index,
    shape_entries,
    title_entry,
)
from .search_apart import SearchApart, searchable
from .similarity import CACHE_FILE as SIMILAR_CACHE
from .stash import HtmlStash, hold_blocks
from .tag_chips import TAGS_PLUGINS, ChipStyle, chip_style, chips
from .templating import CATEGORY_LABELS, clean_text
from .urls import EXPORTS, Links, SiteUrls, edit_base, edit_url

log = get_plugin_logger(__name__)

ASSETS = ("postmortems.css", "postmortems.js")
ASSET_DIR = "assets/postmortems"
ASSET_PATH = Path(__file__).resolve().parent.parent / "assets"
#: From this many post-mortems the generated pages and the exports are made in a child
#: process, on the second core, while MkDocs reads the post-mortems (about a second of
#: work per 1,000 post-mortems; a fork costs a few milliseconds).
RENDER_APART_MIN = 500


class Publisher:
    """The site side of the plugin for one build."""

    def __init__(self, options: Mapping[str, Any], settings: Settings,
                 config: MkDocsConfig) -> None:
        for name in ("index_page_size", "feed_size", "chart_months"):
            if options[name] < 1:
                raise ValueError(f"{name} must be at least 1, not {options[name]}")
        if options["search_boost"] <= 0 or options["root_cause_boost"] <= 0:
            raise ValueError("search_boost and root_cause_boost must be positive")
        self.options = options
        self.settings = settings
        self.site_options = SiteOptions(
            index_page_size=options["index_page_size"], chart_months=options["chart_months"],
            feed_size=options["feed_size"], site_name=config.site_name or "Post-mortems",
        )
        self.site: Site | None = None
        self.summary: dict[str, Any] = {}
        self.incident_pages: dict[str, Incident] = {}
        self.outlines = OutlineCache(None)
        self.exports_dir: tempfile.TemporaryDirectory[str] | None = None
        #: A large build's generated pages, exports and post-mortem page blocks, made in a
        #: child process: the pages' Markdown, and the file of the blocks.
        self.rendering: Pending[tuple[dict[str, str], BlockFile]] | None = None
        self.blocks: BlockFile | None = None  # once collected
        self.stash = HtmlStash()
        self.generated: set[str] = set()
        self.hidden_uris: set[str] = set()
        self.boosts: dict[str, SectionBoost] = {}
        #: The post-mortems' page URLs (their search entries rank above other pages').
        self.incident_urls: set[str] = set()
        #: The generated pages' one search entry each (the search plugin skips them).
        self.title_entries: list[dict[str, Any]] = []
        #: A large build's search parse of the post-mortem pages, in a child.
        self.search_apart: SearchApart | None = None
        #: The ``search`` metadata of the pages that child parses, while the search plugin
        #: reads them (each is marked excluded for it meanwhile).
        self._search_meta: dict[str, Any] = {}
        self.boosts_applied = False
        self.nav = copy.deepcopy(config.nav)
        docs_dir = os.path.relpath(config.docs_dir, settings.project_dir).replace(os.sep, "/")
        self.edit_base = edit_base(config.repo_url, config.edit_uri, docs_dir,
                                   options["edit_uri"])
        self.macros_plugin: Any = None
        self.public = options.get("profile", "full") == "public"
        #: Under ``mkdocs serve`` only: drafts are previewed, findings shown on their pages.
        self.preview_drafts = False
        self.findings: dict[str, list[Finding]] = {}
        #: A split site's tag pages by tag, as URLs; where the post-mortems' tags link.
        self.tag_urls: dict[str, str] = {}
        self.chip_style: ChipStyle | None = None

    # --- on_config -------------------------------------------------------------------

    def configure(self, config: MkDocsConfig) -> None:
        """Add the stylesheet, the script and attr_list (the views' headings set their ids);
        give mkdocs-macros the variables and macros."""
        if not any(str(ext).endswith("attr_list") for ext in config.markdown_extensions):
            config.markdown_extensions.append("attr_list")
        css, js = (f"{ASSET_DIR}/{name}" for name in ASSETS)
        if css not in config.extra_css:
            config.extra_css.append(css)
        if all(str(script) != js for script in config.extra_javascript):
            script = ExtraScriptValue(js)
            script.defer = True
            config.extra_javascript.append(script)
        macros = config.plugins.get("macros")
        if macros is None or not hasattr(macros, "register_macros"):
            return
        self.macros_plugin = macros
        functions = SiteMacros(lambda: self.site, self._macro_page_url).functions()
        macros.register_variables({"postmortems": self.summary})
        macros.register_macros(functions)

    def _macro_page_url(self) -> str:
        page = getattr(self.macros_plugin, "page", None)
        return page.url if page is not None else ""

    # --- on_files --------------------------------------------------------------------

    def add_site(self, result: CheckResult, published: Mapping[str, File], files: Files,
                 config: MkDocsConfig) -> None:
        """Rollups of the published post-mortems; their views, exports and assets as files."""
        postmortems = result.postmortems
        if self.public:
            postmortems = [public_postmortem(pm) for pm in postmortems]
        rollups = build_rollups(postmortems, self.settings.effective_today,
                                include_drafts=self.preview_drafts)
        urls = SiteUrls(
            incidents={i.id: published[i.source].url for i in rollups.incidents
                       if i.source in published},
            use_directory_urls=config.use_directory_urls,
            prefix=self.options["url_prefix"].strip("/"),
            site_url=config.site_url or "",
        )
        cached = self.settings.cache
        cache = self.settings.project_dir / SIMILAR_CACHE if cached else None
        self.outlines = OutlineCache(self.settings.project_dir / OUTLINE_CACHE if cached
                                     else None)
        # The public copies on a public site (their own cache key).
        learning = learning_from(postmortems, rollups, cache, shown=SIMILAR_SHOWN)
        self.site = site = Site(rollups, urls, self.site_options, learning)
        self.summary.clear()
        self.summary.update(rollups.summary())
        self.incident_pages = {published[i.source].src_uri: i for i in rollups.incidents
                               if i.source in published}
        for pm in postmortems:  # the outlines now: the parsed bodies are not kept for the pages
            if pm.path in published and pm.document is not None:
                self.outlines.prime(pm.document)
        tags = any(name in config.plugins for name in TAGS_PLUGINS)
        self.generated = set()
        pages = site.pages(tags=tags)
        self.tag_urls = {name: urls.page(uri) for name, uri in site.tag_uris.items()
                         } if tags else {}
        self.chip_style = chip_style(config.plugins) if self.tag_urls else None
        self.hidden_uris = {urls.service_uri(g.name) for g in rollups.services}
        self.hidden_uris |= {page.uri for page in pages if not page.in_nav}
        # Large: the pages, the exports and the post-mortem pages' blocks are made in a
        # child, on the second core, while MkDocs reads the post-mortems. Where no child can
        # be forked (``mkdocs serve``: other threads run), pages are rendered as they are
        # read and blocks as their pages are written.
        count = len(rollups.incidents)
        apart = count >= RENDER_APART_MIN and can_fork()

        def make_exports() -> dict[str, bytes]:
            return {
                EXPORTS["json"]: incidents_json(rollups, urls).encode("utf-8"),
                EXPORTS["csv"]: action_items_csv(rollups, urls).encode("utf-8"),
                EXPORTS["feed"]: atom_feed(rollups, urls, site_name=self.site_options.site_name,
                                           size=self.site_options.feed_size).encode("utf-8"),
            }

        self._release()
        written: dict[str, str] = {}
        folder = Path()
        if apart or count >= APART_MIN:  # tens of MB at 10,000: on disk until copied
            self.exports_dir = tempfile.TemporaryDirectory(prefix="postmortems-exports-")
            folder = Path(self.exports_dir.name)
            written = {uri: str(folder / uri.replace("/", "_")) for uri in EXPORTS.values()}

        def write_exports() -> None:
            for uri, content in make_exports().items():
                Path(written[uri]).write_bytes(content)

        urls_by_uri = {published[i.source].src_uri: published[i.source].url
                       for i in rollups.incidents if i.source in published}

        def render_all() -> tuple[dict[str, str], BlockFile]:
            write_exports()
            rendered = {page.uri: page.make() for page in pages}
            path = folder / "page-blocks"
            return rendered, BlockFile(path, write_blocks(path, self._page_blocks(urls_by_uri)))

        if apart:
            self.rendering = Pending(render_all, apart=True)
            # After the rendering child: it must not hold this child's pipe open.
            index = searchable(_search_plugin(config))
            if index is not None:
                self.search_apart = SearchApart(index)
        elif written:
            write_exports()
        for page in pages:
            inclusion = (InclusionLevel.NOT_IN_NAV if page.uri in self.hidden_uris
                         else InclusionLevel.UNDEFINED)
            later = LaterPage.generated(config, page.uri, content="", inclusion=inclusion)
            later.set_source(functools.partial(self._page_text, page))
            self._add(files, later)
        for uri, path in written.items():
            export = LaterExport.generated(config, uri, abs_src_path=path)
            export.set_ready(self._rendered)
            self._add(files, export)
        if not written:
            for uri, content in make_exports().items():
                self._add(files, File.generated(config, uri, content=content))
        if self.findings:
            self._add(files, File.generated(config, FINDINGS_URI,
                                            content=findings_page(self.findings)))
        for name in ASSETS:
            self._add(files, File.generated(config, f"{ASSET_DIR}/{name}",
                                            abs_src_path=str(ASSET_PATH / name)))
        years = [(year, urls.index_uri(year))
                 for year in (g.name for g in rollups.years)] if site.split_by_year else []
        config.nav = with_year_pages(self.nav, urls.index_uri(), years)

    def _rendered(self) -> dict[str, str]:
        """The generated pages' Markdown from the background rendering (waits for it)."""
        return self.rendering.result()[0] if self.rendering is not None else {}

    def _page_text(self, page: GeneratedPage) -> str:
        """A generated page's Markdown as MkDocs reads it (once): rendered, here or in the
        background, with its HTML blocks held."""
        rendered = self._rendered().pop(page.uri, None)
        return hold_blocks(page.make() if rendered is None else rendered, self.stash.hold)

    def _add(self, files: Files, file: File) -> None:
        existing = files.get_file_from_path(file.src_uri)
        if existing is not None and existing.generated_by is None:
            log.info(f"docs/{file.src_uri} exists; it is used instead of the generated page")
            return
        if existing is not None:
            files.remove(existing)
        files.append(file)
        self.generated.add(file.src_uri)

    # --- pages -----------------------------------------------------------------------

    def page_markdown(self, markdown: str, page: Page) -> str | None:
        """Post-mortems get their additions; no generated or incident page runs macros."""
        uri = page.file.src_uri
        incident = self.incident_pages.get(uri)
        if incident is None:
            if uri in self.generated:
                page.meta["render_macros"] = False
            return None
        assert self.site is not None
        page.meta["render_macros"] = False  # text such as {{ in a post-mortem stays text
        if self.public:
            markdown = strip_internal(markdown)
            for name in internal_fields(page.meta):
                page.meta.pop(name, None)
        # (Its search entries rank search_boost times other pages': see site/search.py.)
        # The theme prints the title and tags as they are; they are data here, not markup.
        page.meta["title"] = str(escape(clean_text(incident.title)))
        if incident.tags:
            page.meta["tags"] = [str(escape(clean_text(tag))) for tag in incident.tags]
        link, page.edit_url, similar = self._additions(incident, page.url)

        def defer(kind: str, render: Callable[[], str]) -> str:
            return self.stash.defer(functools.partial(self._block, uri, kind, render))

        decorated = decorate(markdown, incident, self.site.rollups, link, page.edit_url,
                             None, similar, self.outlines.outline(markdown, None),
                             self.stash.hold, defer, cause_in_title=True)
        findings = self.findings.get(incident.source)
        if findings:
            decorated = findings_box(findings) + "\n\n" + decorated
        # A page served despite an html/marked-section error must still build.
        return readable_markup(decorated)

    def _additions(self, incident: Incident, url: str,
                   ) -> tuple[Links, str | None, list[Match] | None]:
        """What a post-mortem page's additions are made from: its links, its edit URL and
        its similar incidents."""
        assert self.site is not None
        # A public site does not link to the source, which holds the internal content.
        edit = None if self.public else edit_url(self.edit_base, incident.source)
        learning = self.site.learning
        similar = learning.similar.get(incident.id, []) if learning is not None else None
        return self.site.urls.link(url), edit, similar

    def _page_blocks(self, urls_by_uri: Mapping[str, str]) -> Iterator[tuple[Key, str]]:
        """Every post-mortem page's blocks that search leaves out, rendered (in the child)."""
        assert self.site is not None
        for uri, incident in self.incident_pages.items():
            link, edit, similar = self._additions(incident, urls_by_uri[uri])
            blocks = deferred_blocks(incident, self.site.rollups, link, edit, similar)
            for kind, render in blocks.items():
                yield (uri, kind), render()

    def _block(self, uri: str, kind: str, render: Callable[[], str]) -> str:
        """A block of a post-mortem page as it is written: rendered in the background if
        it was, here otherwise."""
        if self.rendering is not None:
            if self.blocks is None:
                self.blocks = self.rendering.result()[1]
            found = self.blocks.get((uri, kind))
            if found is not None:
                return found
        return render()

    def page_context(self, context: dict[str, Any], page: Page) -> None:
        """A post-mortem's tags for the theme, linked to the tag pages of a split site; a
        generated page's search entry (its tables are left out of search, so the search
        plugin would parse the whole page for its headings and a few sentences)."""
        if page.file.src_uri in self.generated:
            _exclude_from_search(page)
            self.title_entries.append(title_entry(page.url, page.content or "", page.title
                                                  or ""))
        if self.chip_style is None:
            return
        incident = self.incident_pages.get(page.file.src_uri)
        if incident is not None and incident.tags:
            context[self.chip_style.variable] = chips(incident.tags, self.tag_urls,
                                                      self.chip_style)

    def page_to_index(self, page: Page) -> None:
        """Just before the search plugin reads a post-mortem page: have the child parse it
        when there is one (the search plugin is told the page is excluded)."""
        apart = self.search_apart
        if apart is None or page.file.src_uri not in self.incident_pages:
            return
        if apart.send(page):
            uri = page.file.src_uri
            self._search_meta[uri] = page.meta.get("search", _ABSENT)
            _exclude_from_search(page)

    def page_indexed(self, page: Page) -> None:
        """Once the search plugin has read the page: its own ``search`` metadata back."""
        search = self._search_meta.pop(page.file.src_uri, None)
        if search is _ABSENT:
            page.meta.pop("search", None)
        elif search is not None:
            page.meta["search"] = search

    def page_content(self, html: str, page: Page) -> str:
        """Put the held HTML back; remember where each post-mortem's Root Cause section is,
        for the search boost."""
        html = self.stash.fill(html)  # what search leaves out comes back in page_output
        incident = self.incident_pages.get(page.file.src_uri)
        if incident is None:
            return html
        self.incident_urls.add(page.url)
        anchor = find_anchor(page.toc, ROOT_CAUSE_SLUGS, slugify)
        if anchor:
            self.boosts[f"{page.url}#{anchor}"] = SectionBoost(
                float(self.options["root_cause_boost"]),
                cause_title(incident.root_cause,
                            [CATEGORY_LABELS.get(c, c) for c in incident.categories]))
        return html

    def page_output(self, output: str) -> str:
        """The finished page with the held blocks that search leaves out put back."""
        return self.stash.fill(output, excluded=True)

    def page_written(self, page: Page) -> None:
        """Let go of a post-mortem page's Markdown once every plugin has read the finished
        page: MkDocs otherwise keeps the Markdown of every page until the build ends. (Empty,
        not None: MkDocs has no title for a page whose Markdown is None, and later pages'
        previous and next links read it.)"""
        if page.file.src_uri in self.incident_pages:
            page.markdown = ""

    def boost_search(self, config: MkDocsConfig) -> None:
        """Before the search plugin writes its index: the entries parsed apart in their
        places, then the Root Cause entries boosted."""
        if self.search_apart is not None:
            self.search_apart.fill()
            self.search_apart = None
        entries = index_entries(_search_plugin(config))
        if entries is not None:
            shape_entries(entries, self.boosts, self.incident_urls,
                          float(self.options["search_boost"]), self.title_entries)
            self.boosts_applied = True

    def finish_search(self, config: MkDocsConfig) -> None:
        """After it wrote the index: boost there if that was not possible before; escape."""
        index = Path(config.site_dir) / "search" / "search_index.json"
        if not self.boosts_applied:
            rewrite_index(index, self.boosts, self.incident_urls,
                          float(self.options["search_boost"]), self.title_entries)
        escape_markup(index)
        self.outlines.save()
        self._release()

    def abandon(self) -> None:
        """A build that failed: stop the background rendering, remove what it wrote."""
        self._release()

    def _release(self) -> None:
        """Stop the background rendering if it still runs (a build that failed), close its
        blocks and remove the temporary folder of the exports (copied by now)."""
        if self.rendering is not None:
            self.rendering.cancel()
            self.rendering = None
        if self.search_apart is not None:
            self.search_apart.cancel()
            self.search_apart = None
        if self.blocks is not None:
            self.blocks.close()
            self.blocks = None
        if self.exports_dir is not None:
            self.exports_dir.cleanup()
            self.exports_dir = None


_ABSENT = object()


def _search_plugin(config: MkDocsConfig) -> Any:
    return config.plugins.get("material/search") or config.plugins.get("search")


def _exclude_from_search(page: Page) -> None:
    """Tell the search plugin to skip ``page`` (its other ``search`` settings kept)."""
    page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}


#: The page that lists every finding, generated under ``mkdocs serve`` only.
FINDINGS_URI = "postmortem-findings.md"


def _finding_items(findings: list[Finding]) -> str:
    items = []
    for f in findings:
        hint = f"<br><em>hint: {escape(f.hint)}</em>" if f.hint else ""
        items.append(f"<li><code>{escape(f.location())}</code> <strong>{f.level.value}</strong> "
                     f"{escape(f.message)} <code>[{escape(f.rule)}]</code>{hint}</li>")
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


def _counts(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    warnings = sum(1 for f in findings if f.level is Level.WARNING)
    notes = len(findings) - errors - warnings
    return f"{errors} error(s), {warnings} warning(s), {notes} note(s)"


def findings_box(findings: list[Finding]) -> str:
    """An admonition (raw HTML: no extension needed) with one post-mortem's findings."""
    kind = "failure" if any(f.level is Level.ERROR for f in findings) else "warning"
    return (f'<div class="admonition {kind} pm-findings" data-search-exclude>\n'
            f'<p class="admonition-title">postmortem check: {_counts(findings)} '
            f"(shown by mkdocs serve; a build fails on errors)</p>\n"
            f"{_finding_items(findings)}\n</div>")


def findings_page(findings: Mapping[str, list[Finding]]) -> str:
    """Every finding of the collection, by file: the preview of ``postmortem check``."""
    parts = ["---\ntitle: Post-mortem findings\nrender_macros: false\nsearch:\n  exclude: true"
             "\n---\n", "# Post-mortem findings", "",
             "What `postmortem check` reports; `mkdocs serve` shows this page while there are "
             "findings (a `mkdocs build` fails on errors instead).", ""]
    for path in sorted(findings):
        # Escaped as HTML: a path is text, whatever characters it holds ("`", "<").
        parts += [f"## <code>{escape(path)}</code>", "", '<div class="pm-findings" markdown="0">',
                  _finding_items(findings[path]), "</div>", ""]
    return "\n".join(parts)
