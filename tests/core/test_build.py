"""Real MkDocs builds in a temporary project: what gets published, what stops the build."""

from __future__ import annotations

import logging

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError
from tests.conftest import VALID_POSTMORTEM, Project, run_mkdocs


def _second(status: str = "final") -> str:
    return (
        VALID_POSTMORTEM.replace("INC-2026-001", "INC-2026-002")
        .replace("status: final", f"status: {status}")
        .replace("Checkout errors after replica failover", "Search outage during reindex")
    )


def test_valid_collection_builds_every_page(project: Project) -> None:
    project.incident("2026/2026-03-14-checkout.md", VALID_POSTMORTEM)
    project.incident("2026/2026-04-01-search.md", _second("review"))
    project.incident(
        "2025/2025-12-01-draft.md", _second("draft").replace("INC-2026-002", "INC-2025-009")
    )
    proc = run_mkdocs("build", "--strict", cwd=project.root)
    assert proc.returncode == 0, proc.stderr
    site = project.root / "site"
    checkout = site / "incidents/2026/2026-03-14-checkout/index.html"
    assert "Checkout errors after replica failover" in checkout.read_text(encoding="utf-8")
    assert (site / "incidents/2026/2026-04-01-search/index.html").is_file()
    # Drafts are checked but never published.
    assert not (site / "incidents/2025/2025-12-01-draft/index.html").exists()
    assert "2025-12-01-draft" not in (site / "search/search_index.json").read_text()
    assert "checked 3 post-mortem(s): 2 published, 1 drafts, 0 failed, 0 ignored" in proc.stderr


def test_incident_pages_stay_out_of_the_sidebar(project: Project) -> None:
    project.incident("2026/2026-03-14-checkout.md", VALID_POSTMORTEM)
    proc = run_mkdocs("build", cwd=project.root)
    assert proc.returncode == 0, proc.stderr
    home = (project.root / "site/index.html").read_text(encoding="utf-8")
    nav = home.split('class="md-nav md-nav--primary"', 1)[1].split("</nav>", 1)[0]
    assert "2026-03-14-checkout" not in nav


def test_invalid_file_fails_the_build_with_path_and_line(project: Project) -> None:
    project.incident("2026/ok.md", VALID_POSTMORTEM)
    project.incident("2026/bad.md", _second().replace("severity: SEV2", "severity: SEV9"))
    proc = run_mkdocs("build", cwd=project.root)  # not --strict: errors always fail
    assert proc.returncode != 0
    assert "incidents/2026/bad.md:5:1: severity: 'SEV9' is not one of" in proc.stderr
    assert "Aborted" in proc.stdout + proc.stderr


def test_draft_completeness_findings_are_notes(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    draft = (
        _second("draft")
        .replace("## Prevention Measures", "## Later")
        .replace("resolved: 2026-03-14T10:45:00Z\n", "")
    )
    project.incident("2026/draft.md", draft)
    config = load_config(
        str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"), strict=True
    )
    with caplog.at_level(logging.INFO):
        build(config)
    notes = [r.getMessage() for r in caplog.records if "section-missing" in r.getMessage()]
    assert notes and all("incidents/2026/draft.md" in n for n in notes)
    assert all(
        r.levelno == logging.INFO for r in caplog.records if "section-missing" in r.getMessage()
    )


def test_draft_structural_errors_still_fail(project: Project) -> None:
    project.incident(
        "2026/draft.md",
        _second("draft").replace("severity: SEV2\n", "severity: SEV2\nsevrity: x\n"),
    )
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"))
    with pytest.raises((Abort, PluginError)):
        build(config)


def test_warnings_fail_only_strict_builds(project: Project) -> None:
    text = VALID_POSTMORTEM.replace("| 09:30 | Connection", "| soon after | Connection")
    project.incident("2026/a.md", text)
    assert run_mkdocs("build", cwd=project.root).returncode == 0
    strict = run_mkdocs("build", "--strict", cwd=project.root)
    assert strict.returncode != 0
    assert "incidents/2026/a.md:50:1: timeline time 'soon after' cannot be read" in strict.stderr
