"""Plugin options of the site, and a docs page taking the place of a generated one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, PluginError
from tests.conftest import VALID_POSTMORTEM, Project

from postmortems.site.search import (
    SectionBoost,
    boost_entries,
    cause_title,
    escape_markup,
    index_entries,
    rewrite_index,
    tags_on_articles,
    title_entry,
)

CONFIG = """\
site_name: Options
docs_dir: docs
theme:
  name: material
plugins:
  - search
  - postmortems:
      today: 2026-11-26
      language: false
{options}
"""


def _build(project: Project, options: str = "") -> Path:
    project.write("mkdocs.yml", CONFIG.format(options=options))
    project.incident("2026/2026-03-14-checkout.md", VALID_POSTMORTEM)
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"))
    build(config)
    return project.root / "site"


def test_site_false_publishes_only_the_postmortems(project: Project) -> None:
    site = _build(project, "      site: false")
    assert (site / "incidents/2026/2026-03-14-checkout/index.html").is_file()
    for generated in ("severity", "action-items", "root-causes", "services", "incidents.json",
                      "feed.xml", "assets/postmortems"):
        assert not (site / generated).exists(), generated


def test_a_docs_page_replaces_the_generated_one(project: Project) -> None:
    project.write("docs/severity.md", "# Our own severity page\n")
    site = _build(project)
    assert "Our own severity page" in (site / "severity/index.html").read_text("utf-8")
    # Without attr_list in mkdocs.yml, the plugin adds it for the views' heading ids.
    causes = (site / "root-causes/index.html").read_text("utf-8")
    assert 'id="config-change"' in causes and "{ #" not in causes


def test_options_are_checked(project: Project) -> None:
    with pytest.raises((Abort, PluginError)):
        _build(project, "      index_page_size: 0")


def test_edit_uri_option_and_boosts(project: Project) -> None:
    options = ("      edit_uri: https://git.example/r/-/edit/trunk/\n"
               "      search_boost: 3\n      root_cause_boost: 9")
    site = _build(project, options)
    page = (site / "incidents/2026/2026-03-14-checkout/index.html").read_text("utf-8")
    assert "https://git.example/r/-/edit/trunk/incidents/2026/2026-03-14-checkout.md" in page
    index = json.loads((site / "search/search_index.json").read_text("utf-8"))
    boosts = {d["location"]: d.get("boost", 1) for d in index["docs"]}
    # Relative to the post-mortem's other entries: its Root Cause 9 / 3, other pages 1 / 3.
    assert boosts["incidents/2026/2026-03-14-checkout/#root-cause"] == 3
    assert boosts["incidents/2026/2026-03-14-checkout/#summary"] == 1
    others = [b for loc, b in boosts.items() if not loc.startswith("incidents/")]
    assert others and all(b == 0.3333 for b in others)


def test_boost_entries_retitles_with_escaped_summary() -> None:
    index = {"docs": [{"location": "a/#root-cause", "title": "Root Cause", "text": ""},
                      {"location": "a/", "title": "A", "text": ""}]}
    changed = boost_entries(index["docs"], {"a/#root-cause": SectionBoost(4, "x < y & z")})
    assert changed == 1
    assert index["docs"][0] == {"location": "a/#root-cause", "boost": 4,
                                "title": "Root Cause: x &lt; y &amp; z", "text": ""}
    assert "boost" not in index["docs"][1]


def test_boosts_rank_as_if_every_post_mortem_entry_were_boosted() -> None:
    docs = [{"location": "pm/#root-cause", "title": "Root Cause", "text": ""},
            {"location": "pm/", "title": "PM", "text": "", "boost": 7},
            {"location": "pm/#timeline", "title": "Timeline", "text": ""},
            {"location": "view/", "title": "View", "text": ""},
            {"location": "guide/#x", "title": "X", "text": "", "boost": 3}]
    boost_entries(docs, {"pm/#root-cause": SectionBoost(4, "")}, ["pm/"], 2)
    boosts = [d.get("boost", 1) for d in docs]
    # As root cause 4, post-mortem entries 2 and other pages as they are, divided by 2.
    assert boosts == [2, 1, 1, 0.5, 1.5]
    assert "boost" not in docs[1] and "boost" not in docs[2]


def test_tags_stay_on_the_entry_each_page_is_grouped_under() -> None:
    docs = [{"location": "pm/#summary", "title": "S", "text": "", "tags": ["db"]},
            {"location": "pm/#root-cause", "title": "R", "text": "", "tags": ["db"]},
            {"location": "other/", "title": "O", "text": "", "tags": ["x"]},
            {"location": "other/#a", "title": "A", "text": "", "tags": ["x"]}]
    tags_on_articles(docs)
    # The theme's worker makes a page's first entry its article, whatever its location.
    assert [d.get("tags") for d in docs] == [["db"], None, ["x"], None]


def test_a_generated_pages_entry_is_its_first_heading_as_search_writes_it() -> None:
    content = ('<p>x</p><h1 id="s">Service: a &lt;b&gt; <code>c</code>'
               '<a class="headerlink" href="#s" title="Permanent link">&para;</a></h1><h2>B</h2>')
    assert title_entry("services/a/", content, "fallback") == {
        "location": "services/a/", "title": "Service: a &lt;b&gt; c", "text": ""}
    assert title_entry("x/", "<p>no heading</p>", "A < B")["title"] == "A &lt; B"


def test_cause_title_names_the_categories() -> None:
    assert cause_title("A cause.", ["Capacity", "Deployment"]) == "A cause. (Capacity, Deployment)"
    assert cause_title("A cause.", []) == "A cause."
    assert cause_title("", ["Capacity"]) == "Capacity"


def test_index_file_fallback_and_escaping(tmp_path: Path) -> None:
    path = tmp_path / "search_index.json"
    docs = [{"location": "a/#root-cause", "title": "Root Cause", "text": "<p>x &amp; y</p>"}]
    path.write_text(json.dumps({"config": {}, "docs": docs}), encoding="utf-8")
    assert index_entries(object()) is None
    added = [{"location": "v/", "title": "View", "text": ""}]
    assert rewrite_index(path, {"a/#root-cause": SectionBoost(4, "cause")}, added=added) == 1
    escape_markup(path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text)["docs"] == [{**docs[0], "boost": 4, "title": "Root Cause: cause"},
                                        added[0]]
    assert "<p>x &amp; y</p>" in text  # the theme's bare tags and entities stay as they are


def test_escaping_leaves_only_the_bare_kept_tags(tmp_path: Path) -> None:
    path = tmp_path / "search_index.json"
    text = '<p>a</p> <script>x</script> <p class="y">b</p> <li>c</li> 1 > 0 <pre>d</pre>'
    path.write_text(json.dumps({"docs": [{"location": "a/", "title": "<b>", "text": text}]}),
                    encoding="utf-8")
    escape_markup(path)
    raw = path.read_text(encoding="utf-8")
    assert raw.count("<") == raw.count(">") == 7  # the bare <p>, </p>, <li>... only
    for tag in ("<p>", "</p>", "<li>", "</li>", "<pre>", "</pre>"):
        assert tag in raw
    assert "script" in raw and "<script" not in raw and '<p class' not in raw
    assert json.loads(raw)["docs"][0] == {"location": "a/", "title": "<b>", "text": text}


def test_pages_built_later_still_read_a_post_mortems_title(project: Project) -> None:
    # The plugin lets go of a post-mortem's Markdown once its page is written; a page built
    # after it (here: its next page in an explicit nav) still links it by its title.
    project.write("docs/zz-after.md", "# After\n\nText.\n")
    options = "nav:\n  - incidents/2026/2026-03-14-checkout.md\n  - zz-after.md\n"
    footer = CONFIG.replace("  name: material\n",
                            "  name: material\n  features: [navigation.footer]\n")
    project.write("mkdocs.yml", footer.format(options="") + options)
    project.incident("2026/2026-03-14-checkout.md", VALID_POSTMORTEM)
    config = load_config(str(project.root / "mkdocs.yml"), site_dir=str(project.root / "site"))
    build(config)
    after = (project.root / "site/zz-after/index.html").read_text("utf-8")
    footer = after[after.index('<footer class="md-footer"'):]
    assert "None" not in footer
    title = next(line.split(":", 1)[1].strip().strip('"') for line in
                 VALID_POSTMORTEM.splitlines() if line.startswith("title:"))
    assert title in footer
