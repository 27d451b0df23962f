"""The incident page, the action-items page and the root-causes page show the format's
severity reason, several root causes, and action items still to be agreed."""

from __future__ import annotations

from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config
from tests.conftest import VALID_POSTMORTEM, Project


def test_pages_show_the_reason_the_causes_and_items_to_be_agreed(project: Project) -> None:
    start, end = VALID_POSTMORTEM.index("action_items:"), VALID_POSTMORTEM.index("related:")
    text = (VALID_POSTMORTEM[:start] + "action_items: to-be-agreed\n" + VALID_POSTMORTEM[end:])
    text = text.replace("status: final", "status: review").replace(
        "severity: SEV2", "severity: SEV1\nseverity_reason: Raised because it hit the yearly peak.")
    text = text.replace(
        "root_cause:\n  category: config-change\n"
        "  summary: The promoted replica kept the default limit of 100 connections.\n",
        "root_cause:\n  - category: config-change\n"
        "    summary: The promoted replica kept the default limit of 100 connections.\n"
        "  - category: monitoring-gap\n"
        "    summary: No alert watched replica connection saturation before a failover.\n")
    project.incident("2026/review.md", text)
    config = load_config(str(project.root / "mkdocs.yml"))
    build(config)
    site = Path(config.site_dir)
    page = (site / "incidents/2026/review/index.html").read_text(encoding="utf-8")
    assert "<dt>Severity reason</dt><dd>Raised because it hit the yearly peak.</dd>" in page
    assert "Action items: to be agreed." in page
    assert "Monitoring gap" in page and "No alert watched replica" in page
    actions = (site / "action-items/index.html").read_text(encoding="utf-8")
    agreed = actions[actions.index('id="to-be-agreed"'):]
    assert "INC-2026-001" in agreed.split("</ul>")[0]
    causes = (site / "root-causes/index.html").read_text(encoding="utf-8")
    for slug, summary in (("config-change", "default limit"), ("monitoring-gap", "No alert")):
        section = causes[causes.index(f'id="{slug}"'):]
        assert summary in section.split("</ul>")[0]
