"""Every generated table shows its columns at desktop and phone widths; screenshots of both."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PAGES = ("incidents/", "severity/", "action-items/", "root-causes/", "services/",
         "services/checkout/", "learning/",
         "incidents/2026/2026-03-14-checkout-errors-after-failover-recurrence/")
WIDTHS = (1280, 390)

#: For each table of the article: the cells a reader must see (the header row, or the first
#: body row when the table is stacked on a phone) that end past the article's right edge or
#: the viewport, and whether the table scrolls sideways in its own box.
CUT_CELLS = """() => {
  const article = document.querySelector("article").getBoundingClientRect();
  return [...document.querySelectorAll("article table")].map((table) => {
    const head = table.tHead;
    const stacked = head && getComputedStyle(head).position === "absolute";
    const cells = stacked ? [...(table.tBodies[0]?.rows[0]?.cells || [])]
                          : [...table.querySelectorAll("thead th")];
    const cut = cells.filter((cell) => {
      const box = cell.getBoundingClientRect();
      return box.right > Math.min(article.right, innerWidth) + 1;
    }).map((cell) => cell.textContent.trim() || cell.getAttribute("data-label"));
    const first = (table.tHead?.rows[0]?.cells[0]?.textContent || "").trim();
    return {first, cut, scrolls: table.scrollWidth > table.clientWidth + 1};
  });
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_column_is_cut(browser, site_url: str, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = []
    tables = 0
    try:
        for url in PAGES:
            page.goto(site_url + url)
            for table in page.evaluate(CUT_CELLS):
                tables += 1
                if table["cut"] or table["scrolls"]:
                    problems.append(f"{url} table '{table['first']}': cut {table['cut']}")
    finally:
        context.close()
    assert tables >= 20
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_stacked_cells_carry_their_column_name(browser, site_url: str, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(site_url + "action-items/")
        cell = page.locator("table.pm-table tbody tr td").nth(0)
        assert cell.get_attribute("data-label") == "Action"
        incident = page.locator("table.pm-table tbody tr").nth(0).locator("td").last
        assert incident.get_attribute("data-label") == "Incident"
        box = incident.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
        display = incident.evaluate("cell => getComputedStyle(cell).display")
        assert display == ("block" if width < 720 else "table-cell")
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_screenshots(browser, site_url: str, width: int, artefacts: Path) -> None:  # type: ignore[no-untyped-def]
    """The images of docs/site.md (copied from test-artefacts/ when the pages change)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    images = artefacts
    try:
        for url, name in (("action-items/", "action-items"), ("severity/", "severity"),
                          ("learning/", "learning")):
            page.goto(site_url + url)
            path: Path = images / f"layout-{name}-{width}.png"
            page.screenshot(path=str(path), full_page=False)
            assert path.stat().st_size > 5_000
        if width == WIDTHS[0]:
            page.goto(site_url + "severity/")
            chart = page.locator("svg.pm-chart", has=page.locator("title",
                                 has_text="Time to resolve by severity"))
            chart.screenshot(path=str(images / "chart-time-to-resolve.png"))
    finally:
        context.close()
