"""What the build would break, overwrite or mangle is found by the check first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, VALID_POSTMORTEM, Project, run_cli


def _second(number: int, old: str = "", new: str = "") -> str:
    text = VALID_POSTMORTEM.replace("INC-2026-001", f"INC-2026-00{number}")
    return text.replace(old, new, 1) if old else text


def _findings(project: Project) -> list[tuple[str, str, str]]:
    run = run_cli("check", "--format", "json", cwd=project.root)
    return sorted((f["rule"], f["level"], f["path"].rsplit("/", 1)[-1])
                  for f in run.json["findings"])


def test_services_that_share_a_page(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM)
    project.incident("b.md", _second(2, "services: [checkout,", "services: [checkout-,"))
    assert _findings(project) == [("name-collision", "error", "b.md")]


def test_tags_that_differ_in_case_or_by_a_homoglyph(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM)
    project.incident("b.md", _second(2, "tags: [database,", "tags: [Database,"))
    project.incident("c.md", _second(3, "tags: [database,", "tags: [d\u0430tabase,"))
    assert _findings(project) == [("name-collision", "warning", "b.md"),
                                  ("name-collision", "warning", "c.md")]


def test_reserved_page_paths(project: Project) -> None:
    project.incident("index.md", VALID_POSTMORTEM)
    project.incident("2026/README.md", _second(2))
    project.incident("2025/index.md", _second(3))
    assert _findings(project) == [("reserved-path", "error", name)
                                  for name in ("README.md", "index.md", "index.md")]


def test_upper_case_suffix_is_refused(project: Project) -> None:
    project.incident("a.MD", VALID_POSTMORTEM)
    assert _findings(project) == [("markdown-extension", "error", "a.MD")]


def test_symlinks_are_refused(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.md").write_text(_second(2), encoding="utf-8")
    project.incident("a.md", VALID_POSTMORTEM)
    (project.incidents / "b.md").symlink_to(outside / "x.md")
    (project.incidents / "linked").symlink_to(outside)
    assert _findings(project) == [("symlink", "error", "b.md"), ("symlink", "error", "linked")]


def test_other_files_are_accounted_for(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM)
    project.incident("graph.txt", "not a post-mortem")
    project.incident("b.txt", _second(2))
    assert _findings(project) == [("ignored-file", "info", "graph.txt"),
                                  ("not-markdown", "error", "b.txt")]


def test_crlf_copy_of_a_sample_has_no_findings(project: Project) -> None:
    sample = REPO / "incidents/2026/2026-03-14-checkout-errors-after-failover-recurrence.md"
    for path in sorted((REPO / "incidents").rglob("*.md")):
        project.incident(path.relative_to(REPO / "incidents").as_posix(),
                         path.read_bytes())
    name = sample.relative_to(REPO / "incidents").as_posix()
    as_written = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    project.incident(name, sample.read_bytes().replace(b"\n", b"\r\n"))
    assert b"\r\n" in (project.incidents / name).read_bytes()
    run = run_cli("check", "--format", "json", "--no-cache", cwd=project.root)
    assert run.json["findings"] == as_written.json["findings"]
    assert all(f["level"] == "info" for f in run.json["findings"])


def test_utf16_is_an_encoding_problem(project: Project) -> None:
    project.incident("a.md", VALID_POSTMORTEM.encode("utf-16"))
    project.incident("b.md", _second(2).encode("utf-16-le"))
    assert _findings(project) == [("encoding", "error", "a.md"), ("encoding", "error", "b.md")]


def test_terminal_escapes_are_not_printed_raw(project: Project) -> None:
    project.incident("a\x1b[2J.md", VALID_POSTMORTEM.replace("severity: SEV2", "sevrity: SEV2"))
    run = run_cli("check", cwd=project.root)
    assert "\x1b" not in run.stdout
    assert "a\\x1b[2J.md:5:1" in run.stdout


_OVERDUE = """
import sys, time
from pathlib import Path
from postmortems.config import load_settings
from postmortems.pipeline import Checker
from postmortems.site.rollups import build_rollups
time.tzset()
settings = load_settings(Path(sys.argv[1]) / "mkdocs.yml")
result = Checker(settings).check_paths([settings.incidents_path])
rollups = build_rollups(result.postmortems, settings.effective_today)
overdue = sorted(r.action for r in rollups.action_items if r.state == "overdue")
print(settings.effective_today, overdue)
"""


def test_time_zone_does_not_change_the_overdue_set(project: Project) -> None:
    for path in sorted((REPO / "incidents").rglob("*.md")):
        project.incident(path.relative_to(REPO / "incidents").as_posix(), path.read_bytes())
    (project.root / "mkdocs.yml").write_text(
        (project.root / "mkdocs.yml").read_text().replace("      today: 2026-11-26\n", ""))
    outputs = []
    for zone in ("UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"):
        proc = subprocess.run([sys.executable, "-c", _OVERDUE, str(project.root)],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, "TZ": zone})
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] == outputs[2]
    assert "[]" not in outputs[0]  # the samples have overdue items: the set is compared


def test_the_site_groups_tag_spellings_under_the_first(project: Project) -> None:
    from postmortems.config import load_settings
    from postmortems.pipeline import Checker
    from postmortems.site.rollups import build_rollups

    project.incident("a.md", VALID_POSTMORTEM)
    project.incident("b.md", _second(2, "tags: [database,", "tags: [D\u0430tabase, database,"))
    settings = load_settings(project.root / "mkdocs.yml")
    result = Checker(settings).check_paths([settings.incidents_path])
    rollups = build_rollups(result.postmortems, settings.effective_today)
    assert [(g.name, len(g.incidents)) for g in rollups.tags] == [("database", 2),
                                                                  ("failover", 2)]
    assert [i.tags for i in rollups.incidents] == [("database", "failover")] * 2


def test_pages_at_the_address_of_a_generated_page(project: Project) -> None:
    project.incident("2026.md", VALID_POSTMORTEM)
    project.incident("2025/2025-01-01-x.md", _second(2))
    project.incident("2025/2025-01-01-x/2025-01-02-y.md", _second(3))
    project.incident("2025/2025-02-01-z.md", _second(4, "services: [checkout,",
                                                     "services: [index,"))
    assert _findings(project) == [("reserved-path", "error", "2025-01-01-x.md"),
                                  ("reserved-path", "error", "2025-02-01-z.md"),
                                  ("reserved-path", "error", "2026.md")]


def test_the_deepest_nesting_the_check_accepts_builds(project: Project) -> None:
    """100 levels pass the check and render with the project's extensions; 101 do not pass."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    extensions = config[config.index("markdown_extensions:"):config.index("\nnav:")]
    (project.root / "mkdocs.yml").write_text(
        (project.root / "mkdocs.yml").read_text() + extensions, encoding="utf-8")
    deep = "".join("\t" * level + "- step\n" for level in range(100))
    text = VALID_POSTMORTEM.replace("No alert on connection",
                                    deep + "\nNo alert on connection")
    project.incident("2026/2026-03-14-deep.md", text)
    assert _findings(project) == []
    build(load_config(str(project.root / "mkdocs.yml")))
    page = project.root / "site/incidents/2026/2026-03-14-deep/index.html"
    assert page.read_text(encoding="utf-8").count("<ul>") >= 100
    project.incident("2026/2026-03-14-deep.md", text.replace(deep, deep + "\t" * 100 + "- x\n"))
    assert _findings(project) == [("markdown-too-deep", "error", "2026-03-14-deep.md")]
