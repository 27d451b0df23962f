"""Where every page of the site lives, and relative links between them.

Generated HTML is not rewritten by MkDocs (raw HTML blocks skip its link processing), so
links are computed here the way MkDocs computes page URLs, and made relative to the page
they appear on; the site then works from any base path and from ``file://``.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

SAFE_SEGMENT = re.compile(r"[^a-z0-9-]+")

#: Generated views, by name: the source path of each page in the site.
VIEWS = {
    "severity": "severity.md",
    "action-items": "action-items.md",
    "root-causes": "root-causes.md",
    "services": "services/index.md",
    "tags": "tags.md",
    "learning": "learning.md",
}
EXPORTS = {"json": "incidents.json", "csv": "action-items.csv", "feed": "feed.xml"}


def page_url(src_uri: str, *, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives the Markdown page at ``src_uri`` (``a/b.md`` -> ``a/b/``)."""
    stem, _ = posixpath.splitext(src_uri)
    folder, name = posixpath.split(stem)
    if name in ("index", "README"):
        if use_directory_urls:
            url = f"{folder}/" if folder else "./"
        else:
            url = posixpath.join(folder, "index.html")
    elif use_directory_urls:
        url = f"{stem}/"
    else:
        url = f"{stem}.html"
    return quote(url)


@functools.lru_cache(maxsize=1 << 16)  # the views link each service, view and year per row
def relative_url(target: str, page: str) -> str:
    """``target`` (a site URL such as ``incidents/2026/x/``) as seen from the page ``page``."""
    target, _, fragment = target.partition("#")
    base = page if page.endswith("/") else posixpath.dirname(page)
    base = "" if base in ("./", ".") else base
    relative = posixpath.relpath("/" + (target if target != "./" else ""), "/" + base)
    if target.endswith("/") and not relative.endswith("/"):
        relative = "./" if relative == "." else relative + "/"
    return relative + (f"#{fragment}" if fragment else "")


def slug(name: str) -> str:
    """A safe path segment for a service or owner name."""
    return SAFE_SEGMENT.sub("-", name.lower()).strip("-") or "x"


@dataclass
class SiteUrls:
    """Site URLs of post-mortems (by id) and generated pages; ``link`` makes them relative."""

    incidents: Mapping[str, str]
    use_directory_urls: bool = True
    prefix: str = "incidents"
    site_url: str = ""

    def page(self, src_uri: str) -> str:
        return page_url(src_uri, use_directory_urls=self.use_directory_urls)

    def index_uri(self, year: str | None = None) -> str:
        return f"{self.prefix}/{year}/index.md" if year else f"{self.prefix}/index.md"

    def service_uri(self, name: str) -> str:
        return f"services/{slug(name)}.md"

    def view(self, name: str) -> str:
        if name == "incidents":
            return self.page(self.index_uri())
        if name in EXPORTS:
            return EXPORTS[name]
        return self.page(VIEWS[name])

    def service(self, name: str) -> str:
        return self.page(self.service_uri(name))

    def year(self, year: str) -> str:
        return self.page(self.index_uri(year))

    def incident(self, incident_id: str) -> str | None:
        return self.incidents.get(incident_id)

    def absolute(self, url: str) -> str:
        """``url`` under ``site_url``, or unchanged when the site URL is not configured."""
        if not self.site_url:
            return url
        return self.site_url.rstrip("/") + "/" + ("" if url == "./" else url)

    def link(self, page: str) -> Links:
        return Links(self, page)


@dataclass(frozen=True)
class Links:
    """The site's URLs as relative links from one page; what templates call."""

    urls: SiteUrls
    page: str

    def to(self, url: str) -> str:
        return relative_url(url, self.page)

    def view(self, name: str) -> str:
        return self.to(self.urls.view(name))

    def year(self, year: str) -> str:
        return self.to(self.urls.year(year))

    def service(self, name: str) -> str:
        return self.to(self.urls.service(name))

    def incident(self, incident_id: str) -> str | None:
        url = self.urls.incident(incident_id)
        return self.to(url) if url is not None else None

    def asset(self, path: str) -> str:
        return self.to(path)


def edit_base(repo_url: str | None, edit_uri: str | None, docs_dir: str,
              override: str | None = None) -> str | None:
    """The URL that, followed by a path from the repository root, edits that file.

    MkDocs' ``edit_uri`` points at the docs folder (``edit/main/docs/``); post-mortems live
    outside it, so the docs folder is dropped from its end. ``override`` (the plugin's
    ``edit_uri`` option) is used as is, relative to ``repo_url`` unless absolute.
    """
    if override is None and (not repo_url or not edit_uri):
        return None
    uri = override if override is not None else edit_uri or ""
    if override is None:
        docs = docs_dir.strip("/")
        stripped = uri.rstrip("/")
        if docs and stripped.endswith("/" + docs):
            uri = stripped[: -len(docs)]
    if "://" in uri:
        return uri if uri.endswith("/") else uri + "/"
    if not repo_url:
        return None
    base = repo_url if repo_url.endswith("/") else repo_url + "/"
    uri = uri.lstrip("/")
    return base + (uri if not uri or uri.endswith("/") else uri + "/")


def edit_url(base: str | None, path: str) -> str | None:
    """The edit link of ``path`` (relative to the repository root), if there is a base."""
    if base is None or path.startswith(("/", "..")) or ":" in path.split("/")[0]:
        return None
    return base + quote(path)
