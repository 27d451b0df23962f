"""The sample site makes no request to another host: no repository widget, no web fonts."""

from __future__ import annotations

import re

from tests.site.conftest import BuiltSite


def test_no_page_loads_or_calls_another_host(sample: BuiltSite) -> None:
    for page in sample.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "md-source" not in html, f"{page}: repository widget (calls the GitHub API)"
        # Loaded, not mentioned: the security page names the font host in its text.
        assert not re.search(r'(?:src|href)="[^"]*fonts\.googleapis', html), page
        external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        assert [u for u in external if not u.startswith("https://postmortems.basketly")] == [], (
            page)


def test_edit_links_stay(sample: BuiltSite) -> None:
    url = sample.url_of("INC-2026-007")
    source = sample.source_of("INC-2026-007").relative_to(sample.project).as_posix()
    assert f'href="https://github.com/basketly/postmortems/edit/main/{source}"' in sample.page(
        url)
    assert 'href="https://github.com/basketly/postmortems/edit/main/docs/writing.md"' in (
        sample.page("writing"))
