"""Searching past root causes in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_search_finds_incident_by_root_cause_words(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").fill("max_connections replica")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15_000)
    first = results.first.inner_text()
    assert "failover" in first.lower(), first
