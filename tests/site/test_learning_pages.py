"""The sample site's "Similar incidents" sections and its Learning page."""

from __future__ import annotations

import re

from tests.site.conftest import BuiltSite


def _similar_section(html: str) -> str:
    start = html.index('id="similar-incidents"')
    return html[start: html.index("</section>", start)]


def test_recurrence_page_lists_the_earlier_incident_with_shared_terms(sample: BuiltSite) -> None:
    section = _similar_section(sample.article(sample.url_of("INC-2026-021")))
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", section, re.S)
    assert len(rows) == 1  # no other sample pair reaches the floor
    assert "INC-2025-012" in rows[0] and "certificate expiry" in rows[0]
    assert "(earlier)" in rows[0] and "related</span>" in rows[0]
    href = re.search(r'href="([^"]+)"', rows[0]).group(1)
    assert href.startswith("../../2025/")


def test_unrelated_incident_says_none_is_close(sample: BuiltSite) -> None:
    section = _similar_section(sample.article(sample.url_of("INC-2026-008")))
    assert "No other post-mortem has a root cause close to this one" in section
    assert "<table" not in section


def test_learning_page_figures(sample: BuiltSite) -> None:
    html = sample.article("learning")
    text = re.sub(r"<[^>]+>", "", html)
    assert "2 of 9 published incidents (22%)" in text
    assert "edge-cdn" in text and "Monitoring gap" in text
    assert 'id="follow-through-by-owner"' in html and 'id="follow-through-by-quarter"' in html
    assert "2026-Q4" in text
