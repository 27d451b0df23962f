"""Generated pages stay bounded however many items an owner has; every item stays listed."""

from __future__ import annotations

import re
from pathlib import Path

from tests.site.conftest import owner_site

from postmortems.site.pages import ROWS_PER_PAGE_FACTOR, Site


def _site(tmp_path: Path, open_items: int, closed_items: int, size: int) -> Site:
    items = [{"action": f"Open step {n}", "owner": "db-team", "due": f"2026-{1 + n % 12:02d}-01",
              "status": "open"} for n in range(open_items)]
    items += [{"action": f"Closed step {n}", "owner": "db-team", "due": "2025-02-01",
               "status": "done"} for n in range(closed_items)]
    return owner_site(tmp_path, [items[0::2], items[1::2]], size)


def _cells(markdown: str) -> list[str]:
    return re.findall(r'<td class="pm-action">(.*?)</td>', markdown)


def test_open_items_past_a_page_go_on_numbered_pages(tmp_path: Path) -> None:
    size = 1
    per_page = ROWS_PER_PAGE_FACTOR * size
    site = _site(tmp_path, 2 * per_page + 2, 3, size)
    pages = {p.uri: p for p in site.pages()}
    owner = pages["action-items/owner-db-team.md"]
    parts = [pages["action-items/owner-db-team/open-2.md"],
             pages["action-items/owner-db-team/open-3.md"]]
    assert "action-items/owner-db-team/open-4.md" not in pages
    assert not owner.in_nav and not any(p.in_nav for p in parts)
    first = _cells(owner.markdown)
    assert len([c for c in first if c.startswith("Open")]) == per_page
    assert len([c for c in first if c.startswith("Closed")]) == 3  # only on the first page
    listed = [c for page in (owner, *parts) for c in _cells(page.markdown)
              if c.startswith("Open")]
    assert sorted(listed) == sorted(f"Open step {n}" for n in range(2 * per_page + 2))
    assert [len(_cells(p.markdown)) for p in parts] == [per_page, 2]
    assert "open items 11–12" in parts[1].markdown.split("\n\n")[1]
    for page in (owner, *parts):  # each part links to the others
        links = re.findall(r'<a href="([^"]+)">\d+–\d+</a>', page.markdown)
        assert len(links) == 2


def test_an_owner_within_a_page_has_one_page(tmp_path: Path) -> None:
    site = _site(tmp_path, ROWS_PER_PAGE_FACTOR, 1, 1)
    uris = [p.uri for p in site.pages() if p.uri.startswith("action-items/owner-db-team")]
    assert uris == ["action-items/owner-db-team.md"]
    owner = next(p for p in site.pages() if p.uri == uris[0])
    assert len(_cells(owner.markdown)) == ROWS_PER_PAGE_FACTOR + 1
    assert "open-2" not in owner.markdown
