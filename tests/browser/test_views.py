"""The generated views in a real browser: filtering the index, and screenshots for people."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_index_filters_by_severity(page, site_url: str, sample_site: Path) -> None:  # type: ignore[no-untyped-def]
    incidents = json.loads((sample_site / "incidents.json").read_text(encoding="utf-8"))
    records = incidents["incidents"] if isinstance(incidents, dict) else incidents
    expected_sev2 = sorted(r["id"] for r in records if r["severity"] == "SEV2")
    assert expected_sev2, "the samples have SEV2 incidents"

    page.goto(site_url + "incidents/")
    rows = page.locator("tr[data-severity]")
    assert rows.count() == len(records)
    page.select_option("select[data-pm-field=severity]", "SEV2")
    visible = page.locator("tr[data-severity]:visible")
    assert visible.count() == len(expected_sev2)
    shown = sorted(
        next(i for i in expected_sev2 if i in visible.nth(n).inner_text())
        for n in range(visible.count())
    )
    assert shown == expected_sev2
    for n in range(visible.count()):
        assert visible.nth(n).get_attribute("data-severity") == "SEV2"

    page.fill("input[data-pm-text]", "certificate")
    assert 0 < page.locator("tr[data-severity]:visible").count() < len(expected_sev2)
    page.select_option("select[data-pm-field=severity]", "")
    page.fill("input[data-pm-text]", "")
    assert page.locator("tr[data-severity]:visible").count() == len(records)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("home", ""),
        ("index", "incidents/"),
        ("action-items", "action-items/"),
        ("severity", "severity/"),
        ("postmortem", "incidents/2026/2026-03-14-checkout-errors-after-failover-recurrence/"),
    ],
)
def test_screenshots(page, site_url: str, artefacts: Path, name: str, path: str) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(site_url + path)
    assert response is not None and response.ok, path
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.is_visible()
    target = artefacts / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
