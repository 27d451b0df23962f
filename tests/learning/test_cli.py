"""``postmortem check`` (similar-not-related), ``postmortem stats`` and ``postmortem similar``."""

from __future__ import annotations

import json

from tests.conftest import VALID_POSTMORTEM, Project, run_cli

EARLIER = "The TLS certificate of the auth endpoint expired because its renewal job was disabled."
LATER = "The wildcard TLS certificate expired, as the renewal job for it had been disabled."


def _postmortem(incident_id: str, started: str, summary: str, related: str = "[]") -> str:
    text = VALID_POSTMORTEM.replace("id: INC-2026-001", f"id: {incident_id}")
    text = text.replace("2026-03-14T", f"{started}T")
    text = text.replace("The promoted replica kept the default limit of 100 connections.",
                        summary)
    text = text.replace("Replica provisioning used the database default for max_connections.",
                        summary)
    return text.replace("related: []", f"related: {related}")


def _write(project: Project, related: str = "[]") -> None:
    project.incident("2026/a.md", _postmortem("INC-2026-001", "2026-03-14", EARLIER))
    project.incident("2026/b.md", _postmortem("INC-2026-002", "2026-05-20", LATER, related))
    project.incident("2026/c.md", _postmortem(
        "INC-2026-003", "2026-06-01", "A feature flag default flipped during a deploy."))


def _similar_findings(result: object) -> list[dict]:
    return [f for f in result.json["findings"] if f["rule"] == "similar-not-related"]


def test_check_reports_a_very_similar_earlier_postmortem(project: Project) -> None:
    _write(project)
    result = run_cli("check", "--format", "json", cwd=project.root)
    found = _similar_findings(result)
    assert [(f["path"], f["level"]) for f in found] == [("incidents/2026/b.md", "info")]
    assert "INC-2026-001" in found[0]["message"]
    assert "related: [INC-2026-001]" in found[0]["hint"]
    assert result.exit_code == 0  # info never fails a check


def test_named_file_is_compared_with_the_collection(project: Project) -> None:
    _write(project)
    later = run_cli("check", "--format", "json", "incidents/2026/b.md", cwd=project.root)
    assert len(_similar_findings(later)) == 1
    # The earlier one has no earlier match: nothing to report.
    earlier = run_cli("check", "--format", "json", "incidents/2026/a.md", cwd=project.root)
    assert _similar_findings(earlier) == []


def test_no_finding_once_related(project: Project) -> None:
    _write(project, related="[INC-2026-001]")
    result = run_cli("check", "--format", "json", cwd=project.root)
    assert _similar_findings(result) == []


def test_stats_json_and_text(project: Project) -> None:
    _write(project, related="[INC-2026-001]")
    data = json.loads(run_cli("stats", "--format", "json", cwd=project.root).stdout)
    assert data["summary"]["total"] == 3
    assert data["recurrence"]["with_earlier"] == 1
    assert data["recurrence"]["recurring"][0]["related_earlier"] == ["INC-2026-001"]
    assert data["follow_through"]["overall"]["overdue"] == 3  # due 2026-04-15, open
    text = run_cli("stats", cwd=project.root)
    assert text.exit_code == 0
    assert "Action-item follow-through by owner" in text.stdout
    assert "### Recurrence" in run_cli("stats", "--format", "markdown", cwd=project.root).stdout
    csv_out = run_cli("stats", "--format", "csv", cwd=project.root).stdout
    assert "recurrence,share,33%" in csv_out.splitlines()


def test_similar_file_and_text(project: Project) -> None:
    _write(project)
    result = run_cli("similar", "incidents/2026/b.md", "--format", "json", cwd=project.root)
    data = json.loads(result.stdout)
    assert data["query"] == "INC-2026-002"
    assert data["matches"][0]["id"] == "INC-2026-001"
    assert data["matches"][0]["score"] >= 0.30
    assert all(m["id"] != "INC-2026-002" for m in data["matches"])
    text = run_cli("similar", "--text", "certificate renewal disabled", "-n", "1",
                   cwd=project.root)
    lines = text.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "score", "started"]
    assert len(lines) == 2 and lines[1].split()[0] in ("INC-2026-001", "INC-2026-002")
    assert run_cli("similar", cwd=project.root).exit_code == 2
