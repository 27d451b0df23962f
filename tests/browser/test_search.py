"""Searching past root causes in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def search(page, site_url: str, query: str):  # type: ignore[no-untyped-def]
    """Type ``query`` into Material's search as a person would; return the result items."""
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    # Material runs a search on key events; typing (not fill) works whether or not the
    # search index has finished loading.
    box.press_sequentially(query, delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=20_000)
    return results


def test_search_finds_incident_by_root_cause_words(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    results = search(page, site_url, "replica max_connections")
    first = results.first.inner_text().lower()
    assert "failover" in first, first
    assert "root cause" in first, first


def test_search_ranks_the_root_cause_of_the_certificate_incidents(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    results = search(page, site_url, "certificate expiry")
    first = results.first
    text = first.inner_text().lower()
    assert "certificate" in text, text
    first.locator("a").first.click()
    page.wait_for_load_state()
    assert "/incidents/" in page.url


def test_drafts_are_not_found(page, site_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(site_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("double settlement", delay=20)
    meta = page.locator(".md-search-result__meta")
    meta.wait_for(timeout=20_000)
    page.wait_for_timeout(500)
    assert "refund-reconciliation" not in page.content()
