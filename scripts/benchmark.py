"""Benchmark the pipeline and the site build on a synthetic collection of N post-mortems.

Prints figures, asserts nothing: machines are shared and noisy, so compare the ratios
printed by one run (ours vs plain MkDocs Material on the same pages, and per-file times at
two sizes to see that time grows linearly).

    python scripts/benchmark.py --sizes 500 2000 [--build]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ID = re.compile(r"INC-(\d{4})-(\d{3,})")


def make_collection(root: Path, size: int) -> None:
    """Copy the samples into ``root/incidents`` until there are ``size`` files, ids renumbered."""
    samples = sorted((REPO / "incidents").rglob("*.md"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    out = root / "incidents"
    for n in range(size):
        copy, text = divmod(n, len(texts))
        # Renumber ids so they stay unique and related ids still point inside the same copy.
        body = ID.sub(
            lambda m, c=copy: f"INC-{m.group(1)}-{int(m.group(2)) + 1000 * (c + 1)}", texts[text]
        )
        year = samples[text].parent.name
        target = out / year / f"{copy:05d}-{samples[text].name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, int]:
    """Wall seconds, peak RSS of that one child in MiB, and its exit code."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            log.seek(0)
            sys.stderr.write(log.read()[-3000:].decode("utf-8", "replace"))
    return seconds, usage.ru_maxrss // 1024, proc.returncode


def plain_material_project(root: Path, plain: Path) -> None:
    """The same pages as a plain MkDocs Material site: no plugin, incidents inside docs/."""
    shutil.copytree(root / "docs", plain / "docs")
    shutil.copytree(root / "incidents", plain / "docs" / "incidents")
    (plain / "mkdocs.yml").write_text(
        "site_name: plain\ntheme:\n  name: material\nplugins:\n  - search\n"
        "markdown_extensions:\n  - tables\n  - attr_list\n  - md_in_html\n"
        "  - pymdownx.superfences\n",
        encoding="utf-8",
    )
    # Plain MkDocs would put every page in the sidebar; give it the same small nav as ours.
    with (plain / "mkdocs.yml").open("a", encoding="utf-8") as handle:
        handle.write("nav:\n  - index.md\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--build", action="store_true", help="also time mkdocs build")
    args = parser.parse_args()
    python = sys.executable
    print(f"{'files':>7} {'step':<28} {'seconds':>8} {'ms/file':>8} {'peak MiB':>9}")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "project"
            make_collection(root, size)
            rows = [
                (
                    "postmortem check",
                    [python, "-m", "postmortems", "check", "--format", "json"],
                    root,
                )
            ]
            if args.build:
                plain = Path(tmp) / "plain"
                plain_material_project(root, plain)
                rows += [
                    ("mkdocs build (postmortems)", [python, "-m", "mkdocs", "build", "-q"], root),
                    (
                        "mkdocs build (plain Material)",
                        [python, "-m", "mkdocs", "build", "-q"],
                        plain,
                    ),
                ]
            results = {}
            for label, cmd, cwd in rows:
                seconds, peak, code = timed(cmd, cwd)
                results[label] = seconds
                status = "" if code in (0, 1) else f"  (exit {code})"
                print(
                    f"{size:>7} {label:<28} {seconds:>8.2f} {1000 * seconds / size:>8.2f} "
                    f"{peak:>9}{status}"
                )
            if args.build:
                ratio = (
                    results["mkdocs build (postmortems)"] / results["mkdocs build (plain Material)"]
                )
                print(f"{size:>7} {'ratio ours / plain':<28} {ratio:>8.2f}")


if __name__ == "__main__":
    main()
