"""Fixtures of the site tests: the repository's own site built once, and helpers to read it.

Expected values are computed here from the post-mortems' front matter with PyYAML, not with
the plugin's code, so the tests compare two independent readings of the same files.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import REPO, run_mkdocs

from postmortems.model import Postmortem
from postmortems.site.pages import Site, SiteOptions
from postmortems.site.rollups import build_rollups
from postmortems.site.urls import SiteUrls
from postmortems.source import read_source

TODAY = dt.date(2026, 11, 26)
PUBLISHED = ("review", "final")
#: Docs pages of this feature; warnings about other docs pages are not these tests' concern.
OWN_DOCS = ("index.md", "site.md", "macros.md")


class _StringDates(yaml.SafeLoader):
    """Leaves timestamps as the strings written in the file (as the JSON export does)."""


_StringDates.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    _, front, _ = text.split("---\n", 2)
    return yaml.load(front, Loader=_StringDates)


def causes(meta: dict[str, Any]) -> list[dict[str, str]]:
    """The root causes of a front matter: one mapping or a list of them."""
    value = meta["root_cause"]
    return value if isinstance(value, list) else [value]


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def add_plugin_options(mkdocs_yml: Path, **options: Any) -> None:
    """Set options under ``- postmortems:`` of a copied mkdocs.yml (a text edit: comments and
    tags stay as they are); an option already there is replaced."""
    text = mkdocs_yml.read_text(encoding="utf-8")
    marker = "  - postmortems:\n"
    assert marker in text, "mkdocs.yml has no postmortems plugin entry"
    head, tail = text.split(marker, 1)
    block, rest = re.match(r"((?:      .*\n|\s*#.*\n)*)(.*)", tail, re.S).groups()
    block = "".join(line for line in block.splitlines(keepends=True)
                    if line.strip().split(":", 1)[0] not in options)
    text = head + marker + block + rest
    lines = "".join(f"      {key}: {value}\n" for key, value in options.items())
    mkdocs_yml.write_text(text.replace(marker, marker + lines, 1), encoding="utf-8")


def copy_repo_project(root: Path) -> Path:
    """mkdocs.yml, docs/, incidents/ and schemas/ of the repository, copied under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("docs", "incidents", "schemas"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


@dataclass
class BuiltSite:
    """A built site and the front matter of the post-mortems it was built from."""

    project: Path
    output: str
    incidents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def site(self) -> Path:
        return self.project / "site"

    @property
    def published(self) -> list[dict[str, Any]]:
        items = [m for m in self.incidents if m["status"] in PUBLISHED]
        return sorted(items, key=lambda m: (when(m["started"]), m["id"]), reverse=True)

    @property
    def drafts(self) -> list[dict[str, Any]]:
        return [m for m in self.incidents if m["status"] not in PUBLISHED]

    def by_id(self, incident_id: str) -> dict[str, Any]:
        return next(m for m in self.incidents if m["id"] == incident_id)

    def page(self, url: str) -> str:
        """The HTML of the page at ``url`` (``severity/``)."""
        return (self.site / url / "index.html").read_text(encoding="utf-8")

    def article(self, url: str) -> str:
        """The content of the page at ``url``, without the theme around it."""
        text = self.page(url)
        return text[text.index("<article"): text.index("</article>")]

    def url_of(self, incident_id: str) -> str:
        path = self.source_of(incident_id).relative_to(self.project)
        return path.with_suffix("").as_posix() + "/"

    def source_of(self, incident_id: str) -> Path:
        for path in sorted((self.project / "incidents").rglob("*.md")):
            if front_matter(path)["id"] == incident_id:
                return path
        raise KeyError(incident_id)

    def warnings(self) -> list[str]:
        """Build warnings, except those about docs pages that belong to other features."""
        out = []
        for line in self.output.splitlines():
            if not line.startswith("WARNING"):
                continue
            doc = re.search(r"Doc file '([^']+)'", line)
            if doc and doc.group(1) not in OWN_DOCS:
                continue
            out.append(line)
        return out


def build_project(project: Path, *extra: str) -> BuiltSite:
    proc = run_mkdocs("build", "--site-dir", str(project / "site"), *extra, cwd=project)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    incidents = [front_matter(p) for p in sorted((project / "incidents").rglob("*.md"))
                 if not p.name.startswith(("_", "."))]
    return BuiltSite(project, output, incidents)


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The repository's site, built once with ``today: 2026-11-26``."""
    project = copy_repo_project(tmp_path_factory.mktemp("sample") / "project")
    add_plugin_options(project / "mkdocs.yml", today=TODAY.isoformat())
    return build_project(project)


_LINK = re.compile(r'\s(?:href|src)="([^"]*)"')


def internal_links(page_html: str) -> Iterator[str]:
    for raw in _LINK.findall(page_html):
        url = html.unescape(raw)
        if url.startswith(("#", "http://", "https://", "mailto:", "data:", "//")):
            continue
        yield url


def broken_links(project: Path) -> list[str]:
    """Relative links in pages' content that lead to no file of the site.

    Pages of docs that belong to other features (not in ``OWN_DOCS``) are not checked.
    """
    site = project / "site"
    others = {p.stem for p in (project / "docs").glob("*.md") if p.name not in OWN_DOCS}
    broken = []
    for page in sorted(site.rglob("*.html")):
        if page.relative_to(site).parts[0].removesuffix(".html") in others:
            continue
        text = page.read_text(encoding="utf-8")
        if "<article" not in text:
            continue
        content = text[text.index("<article"): text.index("</article>")]
        folder = page.parent.relative_to(site).as_posix()
        for url in internal_links(content):
            path = url.split("#", 1)[0].split("?", 1)[0]
            if not path:
                continue
            target = posixpath.normpath(posixpath.join(folder, path))
            resolved = site / target
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.is_file():
                broken.append(f"{page.relative_to(site)} -> {url}")
    return broken


BODY = """# {title}

## Summary

Something happened and was fixed.

## Root Cause

The cause, in words.

## Action Items

The items are tracked.

## Prevention Measures

Checks were added.
"""


def make_postmortem(folder: Path, incident_id: str, **meta: Any) -> Postmortem:
    """A post-mortem read from a file, with defaults for every field not given."""
    data: dict[str, Any] = {
        "id": incident_id, "title": f"Incident {incident_id}", "status": "final",
        "severity": "SEV3", "services": ["checkout"], "detection": "monitoring",
        "started": "2026-03-14T09:00:00Z", "detected": "2026-03-14T09:10:00Z",
        "contained": "2026-03-14T09:30:00Z", "resolved": "2026-03-14T10:00:00Z",
        "fix_type": "revert", "authors": ["sre-team"],
        "root_cause": {"category": "config-change", "summary": "A limit was left at default."},
        "action_items": [],
    }
    data.update(meta)
    path = folder / f"{incident_id}.md"
    text = "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + BODY.format(
        title=data["title"])
    path.write_text(text, encoding="utf-8")
    return Postmortem(read_source(path))


def owner_site(folder: Path, items: list[list[dict[str, Any]]], index_page_size: int) -> Site:
    """The site of one post-mortem a month from January 2025, the n-th holding ``items[n]``."""
    pms = [make_postmortem(folder, f"INC-2025-00{n}", action_items=held,
                           started=f"2025-0{1 + n}-01T10:00:00Z",
                           detected=f"2025-0{1 + n}-01T10:05:00Z",
                           contained=f"2025-0{1 + n}-01T10:10:00Z",
                           resolved=f"2025-0{1 + n}-01T11:00:00Z")
           for n, held in enumerate(items)]
    rollups = build_rollups(pms, TODAY)
    urls = SiteUrls({i.id: f"incidents/{i.id}/" for i in rollups.incidents})
    return Site(rollups, urls, SiteOptions(index_page_size=index_page_size))
