"""``postmortem actions``: the published action items for weekly reviews, by owner.

Expected values are computed from the sample post-mortems' front matter with PyYAML, not
with the package's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from tests.conftest import VALID_POSTMORTEM, Project, run_cli
from tests.site.conftest import TODAY, add_plugin_options, copy_repo_project, front_matter


@pytest.fixture(scope="module")
def repo_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = copy_repo_project(tmp_path_factory.mktemp("actions") / "project")
    add_plugin_options(project / "mkdocs.yml", today=TODAY.isoformat())
    return project


def published_items(project: Path) -> list[dict]:
    items = []
    for path in sorted((project / "incidents").rglob("*.md")):
        meta = front_matter(path)
        if meta["status"] not in ("review", "final") or not isinstance(meta["action_items"], list):
            continue
        for item in meta["action_items"]:
            due = dt.date.fromisoformat(str(item["due"]))
            overdue = item["status"] in ("open", "in-progress") and due < TODAY
            items.append({**item, "incident_id": meta["id"], "due": due.isoformat(),
                          "overdue": overdue})
    return items


def keys(items: list[dict]) -> set[tuple[str, str]]:
    return {(i["incident_id"], i["action"]) for i in items}


def test_json_lists_every_published_item_grouped_by_owner(repo_project: Path) -> None:
    data = run_cli("actions", "--format", "json", cwd=repo_project).json
    assert data["today"] == TODAY.isoformat()
    listed = [item for group in data["owners"] for item in group["items"]]
    assert keys(listed) == keys(published_items(repo_project))
    for group in data["owners"]:
        assert {item["owner"] for item in group["items"]} == {group["owner"]}
    # Owners with the most overdue items first, as on the site.
    overdue = [group["counts"]["overdue"] for group in data["owners"]]
    assert overdue == sorted(overdue, reverse=True)


def test_filters(repo_project: Path) -> None:
    expected = published_items(repo_project)
    late = run_cli("actions", "--overdue", "--format", "json", cwd=repo_project).json
    assert keys([i for g in late["owners"] for i in g["items"]]) == keys(
        [i for i in expected if i["overdue"]])
    assert keys([i for i in expected if i["overdue"]])  # the samples have overdue items
    owner = expected[0]["owner"]
    mine = run_cli("actions", "--owner", owner.upper(), "--format", "json", cwd=repo_project).json
    assert [g["owner"] for g in mine["owners"]] == [owner]
    assert keys(mine["owners"][0]["items"]) == keys([i for i in expected if i["owner"] == owner])
    rows = list(csv.DictReader(io.StringIO(run_cli(
        "actions", "--due-before", "2026-07-01", "--status", "done", "--format", "csv",
        cwd=repo_project).stdout)))
    assert keys(rows) == keys([i for i in expected
                               if i["due"] < "2026-07-01" and i["status"] == "done"])
    assert rows and all(r["status"] == "done" for r in rows)


def test_text_and_markdown_are_grouped_by_owner(repo_project: Path) -> None:
    expected = [i for i in published_items(repo_project) if i["overdue"]]
    text = run_cli("actions", "--overdue", cwd=repo_project)
    assert text.exit_code == 0
    for item in expected:
        assert f"{item['owner']}  (" in text.stdout and item["incident_id"] in text.stdout
    assert text.stdout.rstrip().endswith(f"{len(expected)} action items as of {TODAY}")
    md = run_cli("actions", "--overdue", "--format", "markdown", cwd=repo_project).stdout
    assert md.startswith(f"# Action items as of {TODAY}")
    for owner in {i["owner"] for i in expected}:
        count = sum(1 for i in expected if i["owner"] == owner)
        assert f"\n## {owner} ({count})\n" in md
    assert md.count("| overdue |") == len(expected)


def test_to_be_agreed_is_listed_and_nothing_matching_says_so(
    repo_project: Path, project: Project
) -> None:
    none = run_cli("actions", "--owner", "nobody", cwd=repo_project)
    assert none.exit_code == 0 and "No action items match" in none.stdout
    start = VALID_POSTMORTEM.index("action_items:")
    end = VALID_POSTMORTEM.index("related:")
    review = (VALID_POSTMORTEM[:start].replace("status: final", "status: review")
              + "action_items: to-be-agreed\n" + VALID_POSTMORTEM[end:])
    project.incident("2026/a.md", review)
    md = run_cli("actions", "--format", "markdown", cwd=project.root).stdout
    assert md.endswith("## Action items to be agreed\n\n"
                       "- INC-2026-001: Checkout errors after replica failover\n")
    data = run_cli("actions", "--format", "json", cwd=project.root).json
    assert data["owners"] == [] and data["to_be_agreed"][0]["incident_id"] == "INC-2026-001"
