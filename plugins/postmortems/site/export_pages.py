"""``postmortem pages``: the whole site as plain Markdown, for a generator without this plugin.

The same modules as the MkDocs build make every page: :class:`.pages.Site` the generated
views, :func:`.incident_page.decorate` each post-mortem's page, :mod:`.exports` the JSON, CSV
and Atom files; this module only writes them into a folder with a ``mkdocs.yml`` that names
no plugin of this package.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..pipeline import CheckResult
from ..settings import Settings
from .exports import action_items_csv, atom_feed, incidents_json
from .incident_page import decorate
from .learning import learning_from
from .pages import Site, SiteOptions
from .rollups import build_rollups
from .urls import EXPORTS, SiteUrls, edit_base, edit_url, page_url

ASSETS = ("postmortems.css", "postmortems.js")
ASSET_DIR = "assets/postmortems"
ASSET_PATH = Path(__file__).resolve().parent.parent / "assets"
#: Plugins that need this package (or its variables) at build time: not in the written config.
OWN_PLUGINS = ("postmortems", "macros")


@dataclass(frozen=True)
class Written:
    """What ``write_site`` wrote: the folder, and the pages by kind."""

    out: Path
    generated: list[str]
    incidents: list[str]
    copied: list[str]
    rendered: list[str]


def _plugins(data: Mapping[str, Any]) -> list[Any]:
    plugins = data.get("plugins") or []
    entries = ([{k: v} for k, v in plugins.items()] if isinstance(plugins, Mapping)
               else list(plugins))
    return [e for e in entries
            if (e if isinstance(e, str) else next(iter(e), "")) not in OWN_PLUGINS]


def plain_config(data: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The project's MkDocs settings without this package's plugins, pointing at ``docs``."""
    config = {k: v for k, v in data.items() if k not in ("plugins", "docs_dir", "site_dir")}
    config["docs_dir"] = "docs"
    config["plugins"] = _plugins(data)
    css = [*(config.get("extra_css") or []), f"{ASSET_DIR}/postmortems.css"]
    config["extra_css"] = list(dict.fromkeys(css))
    scripts = [s for s in (config.get("extra_javascript") or [])
               if (s.get("path") if isinstance(s, Mapping) else s) != f"{ASSET_DIR}/postmortems.js"]
    config["extra_javascript"] = [*scripts, {"path": f"{ASSET_DIR}/postmortems.js",
                                             "defer": True}]
    extensions = list(config.get("markdown_extensions") or [])
    names = [e if isinstance(e, str) else next(iter(e), "") for e in extensions]
    for needed in ("attr_list", "md_in_html", "tables"):
        if needed not in names:
            extensions.append(needed)
    config["markdown_extensions"] = extensions
    return config


def write_site(result: CheckResult, settings: Settings, data: Mapping[str, Any],
               options: Mapping[str, Any], out: Path) -> Written:
    """Write the site's Markdown, exports, assets and a plain ``mkdocs.yml`` into ``out``."""
    docs = out / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    source_docs = settings.project_dir / str(data.get("docs_dir") or "docs")
    copied = []
    if source_docs.is_dir() and source_docs.resolve() != docs.resolve():
        for path in sorted(source_docs.rglob("*")):
            if path.is_file():
                target = docs / path.relative_to(source_docs)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                copied.append(target.relative_to(docs).as_posix())
    prefix = str(options.get("url_prefix", "incidents")).strip("/")
    directory_urls = bool(data.get("use_directory_urls", True))
    uris: dict[str, str] = {}
    for pm in result.postmortems:
        if pm.published:
            absolute = pm.source.abs_path or settings.resolve(pm.path)
            rel = absolute.resolve().relative_to(settings.incidents_path.resolve()).as_posix()
            uris[pm.path] = f"{prefix}/{rel}"
    rollups = build_rollups(result.postmortems, settings.effective_today)
    urls = SiteUrls(
        incidents={i.id: page_url(uris[i.source], use_directory_urls=directory_urls)
                   for i in rollups.incidents if i.source in uris},
        use_directory_urls=directory_urls, prefix=prefix, site_url=str(data.get("site_url") or ""),
    )
    site_options = SiteOptions(
        index_page_size=int(options.get("index_page_size", 200)),
        chart_months=int(options.get("chart_months", 24)),
        feed_size=int(options.get("feed_size", 50)),
        site_name=str(data.get("site_name") or "Post-mortems"),
    )
    learning = learning_from(result.postmortems, rollups)
    site = Site(rollups, urls, site_options, learning)
    tags = any((p if isinstance(p, str) else next(iter(p), "")) in ("tags", "material/tags")
               for p in _plugins(data))
    generated = []
    for page in site.pages(tags=tags):
        _write(docs / page.uri, page.markdown)
        generated.append(page.uri)
    for uri, content in {
        EXPORTS["json"]: incidents_json(rollups, urls),
        EXPORTS["csv"]: action_items_csv(rollups, urls),
        EXPORTS["feed"]: atom_feed(rollups, urls, site_name=site_options.site_name,
                                   size=site_options.feed_size),
    }.items():
        _write(docs / uri, content)
    for name in ASSETS:
        (docs / ASSET_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ASSET_PATH / name, docs / ASSET_DIR / name)
    docs_rel = str(data.get("docs_dir") or "docs")
    base = edit_base(data.get("repo_url"), data.get("edit_uri"), docs_rel, options.get("edit_uri"))
    by_id = {i.source: i for i in rollups.incidents}
    written = []
    for pm in result.postmortems:
        incident = by_id.get(pm.path)
        if incident is None or pm.path not in uris or pm.document is None:
            continue
        uri = uris[pm.path]
        body = "\n".join(pm.document.lines).lstrip("\n")
        link = urls.link(urls.page(uri))
        markdown = decorate(body, incident, rollups, link, edit_url(base, pm.path),
                            pm.document, learning.similar.get(incident.id, []))
        front = {"title": incident.title, "search": {"boost": options.get("search_boost", 2)}}
        if incident.tags:
            front["tags"] = list(incident.tags)
        _write(docs / uri, "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True)
               + "---\n\n" + markdown)
        written.append(uri)
    rendered = _render_macro_pages(docs, copied, site, directory_urls)
    config = plain_config(data, options)
    (out / "mkdocs.yml").write_text(
        "# Written by 'postmortem pages': the site without the postmortems plugin.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return Written(out, generated, written, copied, rendered)


def _render_macro_pages(docs: Path, copied: list[str], site: Site,
                        directory_urls: bool) -> list[str]:
    """Hand-written pages that opt in to macros (``render_macros: true``), rendered once
    here with the site's macros and the ``postmortems`` variable, as mkdocs-macros would."""
    import jinja2

    from .macros import SiteMacros

    done = []
    for uri in copied:
        if not uri.endswith(".md"):
            continue
        path = docs / uri
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---") or "render_macros: true" not in text.split("\n---", 1)[0]:
            continue
        url = page_url(uri, use_directory_urls=directory_urls)
        macros = SiteMacros(lambda: site, lambda url=url: url).functions()
        head, body = text.split("\n---", 1)
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
        rendered = env.from_string(body).render(postmortems=site.rollups.summary(), **macros)
        front = head.replace("render_macros: true", "render_macros: false")
        path.write_text(front + "\n---" + rendered, encoding="utf-8")
        done.append(uri)
    return done


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
