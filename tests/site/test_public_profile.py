"""Internal content: present in the default build, absent from every file of a public one."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from tests.site.conftest import BuiltSite, add_plugin_options, build_project, copy_repo_project

from postmortems.site.public import public_meta, strip_internal

SOURCE = "incidents/2026/2026-01-19-search-showed-unavailable-items.md"
MARKERS = {
    "section": "Zqsection internal note",
    "subsection": "Zqsubsection internal detail",
    "block": "Zqblock marked region",
    "inline": "Zqinline marked words",
    "action": "Zqaction internal follow-up with the vendor",
    "author": "Zqauthor Internalname",
    "summary": "Zqsummary internal cause detail",
    "tag": "zqtag-internal",
}


def _with_internal(text: str) -> str:
    text = text.replace("authors: [Tomasz Nowak]",
                        f"authors: [{MARKERS['author']}]\n"
                        "internal: [authors, root_cause.summary, tags]")
    text = text.replace("tags: [elasticsearch,", f"tags: [{MARKERS['tag']}, elasticsearch,")
    text = text.replace("after three retries.", f"after three retries. {MARKERS['summary']}.")
    text = text.replace("action_items:\n", f"""action_items:
  - action: {MARKERS['action']}
    owner: search-team
    due: 2026-12-30
    status: open
    kind: process
    internal: true
""", 1)
    head, sep, tail = text.partition("\n## Timeline")
    assert sep, "the sample has no Timeline section"
    return (head + f"""
The public part stays. <!-- internal -->{MARKERS['inline']}<!-- /internal --> This stays too.

<!-- internal -->
{MARKERS['block']} in a paragraph of its own.
<!-- /internal -->

## Internal: customer contacts

{MARKERS['section']} for the account team.

### Contacts

{MARKERS['subsection']}.
""" + sep + tail)


def _build(root: Path, profile: str) -> BuiltSite:
    project = copy_repo_project(root)
    add_plugin_options(project / "mkdocs.yml", today="2026-11-26", profile=profile)
    path = project / SOURCE
    path.write_text(_with_internal(path.read_text(encoding="utf-8")), encoding="utf-8")
    return build_project(project)


def _found(site: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {name: [] for name in MARKERS}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        for name, marker in MARKERS.items():
            if marker in text or marker.lower() in text.lower():
                found[name].append(path.relative_to(site).as_posix())
    return found


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BuiltSite]:
    root = tmp_path_factory.mktemp("profiles")
    return {profile: _build(root / profile, profile) for profile in ("full", "public")}


def test_the_default_build_shows_internal_content(builds: dict[str, BuiltSite]) -> None:
    found = _found(builds["full"].site)
    assert all(found.values()), {name: files for name, files in found.items() if not files}
    page = "incidents/2026/2026-01-19-search-showed-unavailable-items/index.html"
    for name in ("section", "subsection", "block", "inline", "action", "author", "summary"):
        assert page in found[name], name
    assert "incidents.json" in found["action"] and "action-items.csv" in found["action"]


def test_the_public_build_leaves_it_out_of_every_file(builds: dict[str, BuiltSite]) -> None:
    site = builds["public"].site
    assert _found(site) == {name: [] for name in MARKERS}
    page = (site / "incidents/2026/2026-01-19-search-showed-unavailable-items/index.html"
            ).read_text(encoding="utf-8")
    assert "The public part stays." in page and "This stays too." in page
    assert "Timeline" in page and "Root Cause" in page
    assert "disk usage on the search cluster" not in page  # the summary is internal
    full = (builds["full"].site / "incidents/2026/2026-01-19-search-showed-unavailable-items"
            / "index.html").read_text(encoding="utf-8")
    edit = f"edit/main/{SOURCE}"  # the source holds the internal content: no link to it
    assert edit in full and edit not in page
    assert len(list(site.rglob("*.html"))) == len(list(builds["full"].site.rglob("*.html")))


def test_markers_in_code_are_text() -> None:
    text = "a\n```\n<!-- internal -->\n## Internal: x\n```\nb\n<!-- internal -->\nc"
    assert strip_internal(text) == "a\n```\n<!-- internal -->\n## Internal: x\n```\nb"


def test_public_meta_keeps_the_rest() -> None:
    meta = {"id": "INC-2026-001", "internal": ["authors", "root_cause.summary"],
            "authors": ["a"], "root_cause": {"category": "capacity", "summary": "s"},
            "action_items": [{"action": "x", "internal": True}, {"action": "y"}]}
    assert public_meta(meta) == {"id": "INC-2026-001", "root_cause": {"category": "capacity"},
                                 "action_items": [{"action": "y"}]}
    assert meta["authors"] == ["a"]  # the original is not changed
