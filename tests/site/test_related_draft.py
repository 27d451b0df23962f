"""A published post-mortem may name a draft in ``related``: the draft has no page, only its id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.site.conftest import make_postmortem

from postmortems.site.incident_page import header_card
from postmortems.site.rollups import build_rollups
from postmortems.site.urls import SiteUrls


def test_header_card_names_a_related_draft_without_a_link(tmp_path: Path) -> None:
    pms = [
        make_postmortem(tmp_path, "INC-2026-001", status="draft"),
        make_postmortem(tmp_path, "INC-2026-002", started="2026-03-15T09:00:00Z",
                        related=["INC-2026-001"]),
        make_postmortem(tmp_path, "INC-2026-003", started="2026-03-16T09:00:00Z",
                        related=["INC-2026-002", "INC-2026-001"]),
    ]
    rollups = build_rollups(pms, dt.date(2026, 11, 26))
    link = SiteUrls({i.id: f"incidents/{i.id}/" for i in rollups.incidents}).link(
        "incidents/INC-2026-003/")
    html = header_card(rollups.by_id["INC-2026-003"], rollups, link)
    assert 'title="Incident INC-2026-002">INC-2026-002</a>' in html
    assert "INC-2026-001" in html and 'title="Incident INC-2026-001"' not in html
