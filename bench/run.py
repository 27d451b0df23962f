"""Measure the checker and the site build on generated collections, against plain Material.

    python bench/run.py --sizes 1000 10000 [--runs 3] [--keep DIR] [--json FILE] [--seed S]

For each size: generate the project and its baseline (``bench/generate.py``), then run each
command as a separate process and record wall time and peak RSS (from ``wait4``, which
includes the process's own children): ``postmortem check`` of the collection, first cold
(its results cache removed, once, after an untimed check of one file that compiles the
checker's byte-code) and then warm (nothing changed since the last check),
``postmortem check FILE`` of one post-mortem inside it (warm, then with its root cause
edited: the pre-commit case, put back afterwards), and ``mkdocs build -q`` with the
plugin and of the baseline, alternately (A B A B ...) so that drift of a shared machine
affects both sides of each pair. Prints Markdown tables and the targets; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import plain_dir, write_projects

MIB = 1024 * 1024
#: The checker's results cache in a project (removed before the cold check).
CACHE_DIR = Path(".cache") / "postmortems"
# Byte-code caching on, as on an author's machine (a start-up compiling every module it
# imports would be measured otherwise).
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}


@dataclass
class Sample:
    """One run of one command."""

    seconds: float
    peak_rss: int  # bytes
    exit_code: int


@dataclass
class Measure:
    """All runs of one command, and their medians."""

    command: list[str]
    cwd: str
    runs: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.runs)

    @property
    def peak_rss(self) -> int:
        return int(statistics.median(s.peak_rss for s in self.runs))

    def as_dict(self) -> dict[str, Any]:
        return {"command": self.command, "cwd": self.cwd, "median_seconds": self.seconds,
                "median_peak_rss": self.peak_rss, "runs": [asdict(s) for s in self.runs]}


@dataclass
class SiteStats:
    """Figures of one built ``site/`` folder."""

    pages: int
    site_bytes: int
    search_index_bytes: int
    largest_page: str
    largest_page_bytes: int


def run_once(command: list[str], cwd: Path) -> Sample:
    """Run ``command`` in ``cwd``; its wall time, peak RSS and exit code.

    Output is discarded; on failure the end of it goes to stderr.
    """
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            log.seek(0)
            tail = log.read()[-3000:].decode("utf-8", "replace")
            sys.stderr.write(f"{' '.join(command)} exited with {code} in {cwd}:\n{tail}\n")
    return Sample(seconds, usage.ru_maxrss * 1024, code)  # ru_maxrss is in KiB on Linux


def site_stats(site: Path) -> SiteStats:
    """Pages (HTML files), total bytes, search index bytes and the largest page of ``site``."""
    total, pages, largest, largest_bytes = 0, 0, "", 0
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if path.suffix == ".html":
            pages += 1
            if size > largest_bytes:
                largest, largest_bytes = path.relative_to(site).as_posix(), size
    index = site / "search" / "search_index.json"
    return SiteStats(pages, total, index.stat().st_size if index.is_file() else 0, largest,
                     largest_bytes)


def _tool(name: str) -> list[str]:
    """The console script next to this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name(name)
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", {"postmortem": "postmortems"}.get(name, name)]


def measure_size(size: int, root: Path, runs: int, seed: int) -> dict[str, Any]:
    """Generate ``size`` post-mortems under ``root`` and measure every command ``runs`` times."""
    project = root / f"n{size}"
    began = time.perf_counter()
    generated = write_projects(size, project, seed)
    generate_seconds = time.perf_counter() - began
    plain = plain_dir(project)
    published = [inc for inc in generated if inc.status != "draft"]
    one = (published or generated)[len(published or generated) // 2]
    one_file = f"incidents/{one.path}"

    postmortem, mkdocs = _tool("postmortem"), _tool("mkdocs")
    check_cold = Measure([*postmortem, "check"], str(project))
    check = Measure([*postmortem, "check"], str(project))
    check_one = Measure([*postmortem, "check", one_file], str(project))
    check_changed = Measure([*postmortem, "check", one_file], str(project))
    build = Measure([*mkdocs, "build", "-q"], str(project))
    baseline = Measure([*mkdocs, "build", "-q"], str(plain))
    # Untimed: the checker's modules are compiled to byte-code once, so that the cold check
    # measures checking rather than the first start after an install or an edit.
    run_once([*postmortem, "check", "--no-cache", one_file], project)
    shutil.rmtree(project / CACHE_DIR, ignore_errors=True)  # cold: every file is checked
    check_cold.runs.append(run_once(check_cold.command, project))
    for measure in (check, check_one):  # warm: the cache holds every unchanged result
        for _ in range(runs):
            measure.runs.append(run_once(measure.command, Path(measure.cwd)))
    # The pre-commit case: the staged file was edited (its root cause: its case changes, so
    # it is ranked against the collection again). Put back afterwards.
    edited = project / one_file
    original = edited.read_bytes()
    try:
        for number in range(runs):
            edited.write_bytes(original.replace(
                b"## Root Cause\n", f"## Root Cause\n\nEdit {number}: a detail added.\n".encode(),
                1))
            check_changed.runs.append(run_once(check_changed.command, project))
    finally:
        edited.write_bytes(original)
    # Not timed: the builds start, like the warm checks, from the cache of the collection as
    # it is (the put-back file would otherwise be checked and ranked again by the first build).
    run_once(check.command, project)
    ratios = []
    for _ in range(runs):  # A B A B: each pair shares the machine's state of the moment
        build.runs.append(run_once(build.command, project))
        baseline.runs.append(run_once(baseline.command, plain))
        ratios.append(build.runs[-1].seconds / baseline.runs[-1].seconds)
    failed = [m.command for m in (check_cold, check, check_one, check_changed, build, baseline)
              if any(s.exit_code for s in m.runs)]
    plugin_site, plain_site = site_stats(project / "site"), site_stats(plain / "site")
    return {
        "size": size, "published": len(published), "drafts": len(generated) - len(published),
        "markdown_bytes": sum(len(inc.text.encode()) for inc in generated),
        "generate_seconds": generate_seconds, "one_file": one_file,
        "check_cold": check_cold.as_dict(), "check": check.as_dict(),
        "check_one": check_one.as_dict(), "check_changed": check_changed.as_dict(),
        "build": build.as_dict(),
        "baseline": baseline.as_dict(), "build_ratios": ratios,
        "build_ratio": statistics.median(ratios), "failed": failed,
        "site": asdict(plugin_site), "baseline_site": asdict(plain_site),
        "search_index_per_postmortem": plugin_site.search_index_bytes / max(1, len(published)),
        "baseline_search_index_per_postmortem":
            plain_site.search_index_bytes / max(1, len(published)),
    }


def _mib(value: float) -> str:
    return f"{value / MIB:,.1f} MiB"


def size_table(fig: dict[str, Any]) -> str:
    """The Markdown tables of one size."""
    n = fig["size"]
    lines = [f"### {n:,} post-mortems ({fig['published']:,} published, {fig['drafts']:,} "
             f"drafts, {_mib(fig['markdown_bytes'])} of Markdown)", "",
             "| Command | Median s | Runs (s) | Peak RSS |", "|---|---:|---|---:|"]
    for key, label in (("check_cold", "`postmortem check` (collection, cold: no cache)"),
                       ("check", "`postmortem check` (collection, warm)"),
                       ("check_one", "`postmortem check FILE` (one file, warm)"),
                       ("check_changed", "`postmortem check FILE` (that file edited)"),
                       ("build", "`mkdocs build` with the plugin"),
                       ("baseline", "`mkdocs build` plain Material (baseline)")):
        m = fig[key]
        runs = ", ".join(f"{r['seconds']:.2f}" for r in m["runs"])
        lines.append(f"| {label} | {m['median_seconds']:.2f} | {runs} | "
                     f"{_mib(m['median_peak_rss'])} |")
    pairs = ", ".join(f"{r:.2f}" for r in fig["build_ratios"])
    lines += [f"| build ratio plugin / plain (median of pairs) | {fig['build_ratio']:.2f} | "
              f"{pairs} | |", "",
              "| Site | With the plugin | Baseline |", "|---|---:|---:|"]
    site, base = fig["site"], fig["baseline_site"]
    lines += [
        f"| pages (HTML files) | {site['pages']:,} | {base['pages']:,} |",
        f"| site size | {_mib(site['site_bytes'])} | {_mib(base['site_bytes'])} |",
        f"| search index | {_mib(site['search_index_bytes'])} | "
        f"{_mib(base['search_index_bytes'])} |",
        f"| search index per post-mortem | {fig['search_index_per_postmortem']:,.0f} B | "
        f"{fig['baseline_search_index_per_postmortem']:,.0f} B |",
        f"| largest page | `{site['largest_page']}` {site['largest_page_bytes']:,} B | "
        f"`{base['largest_page']}` {base['largest_page_bytes']:,} B |",
    ]
    if fig["failed"]:
        lines += ["", "Failed commands: " + "; ".join(" ".join(c) for c in fig["failed"])]
    return "\n".join(lines)


def targets(figures: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target with its measured value and whether it is met (None: not measured)."""
    sizes = sorted(figures)
    big, small = figures[sizes[-1]], figures[sizes[0]]
    at_10k = figures.get(10_000)
    rows: list[dict[str, Any]] = []

    def add(target: str, value: str, met: bool | None) -> None:
        rows.append({"target": target, "value": value, "met": met})

    for n in sizes:
        ratio = figures[n]["build_ratio"]
        add(f"build with the plugin <= 1.15 x plain Material at {n:,}", f"{ratio:.2f} x",
            ratio <= 1.15)
    if len(sizes) > 1:
        factor = big["build"]["median_seconds"] / small["build"]["median_seconds"]
        limit = 1.1 * big["size"] / small["size"]
        add(f"build at {big['size']:,} <= {limit:.1f} x build at {small['size']:,}",
            f"{factor:.2f} x", factor <= limit)
    else:
        add("build at 10,000 <= 11 x build at 1,000", "needs two sizes", None)
    ref = at_10k or big
    where = "" if at_10k else f" (measured at {big['size']:,}; target is for 10,000)"
    check_s, build_s = ref["check"]["median_seconds"], ref["build"]["median_seconds"]
    add("check of 10,000 (warm) <= 4 s", f"{check_s:.2f} s{where}",
        check_s <= 4 if at_10k else None)
    add("check of 10,000 >= 8 x faster than the build", f"{build_s / check_s:.1f} x{where}",
        build_s / check_s >= 8 if at_10k else None)
    one_s = ref["check_one"]["median_seconds"]
    add("check of one file inside 10,000 <= 0.3 s", f"{one_s:.2f} s{where}",
        one_s <= 0.3 if at_10k else None)
    rss = ref["build"]["median_peak_rss"]
    add("build peak memory at 10,000 <= 1 GiB", f"{_mib(rss)}{where}",
        rss <= 1024 * MIB if at_10k else None)
    largest = max(sizes, key=lambda n: figures[n]["site"]["largest_page_bytes"])
    page = figures[largest]["site"]
    add("no generated page over 2 MiB",
        f"{page['largest_page_bytes']:,} B (`{page['largest_page']}` at {largest:,})",
        page["largest_page_bytes"] <= 2 * MIB)
    for n in sizes:
        ours = figures[n]["search_index_per_postmortem"]
        theirs = figures[n]["baseline_search_index_per_postmortem"]
        add(f"search index per post-mortem <= baseline at {n:,}",
            f"{ours:,.0f} B vs {theirs:,.0f} B", ours <= theirs)
    return rows


def targets_table(rows: list[dict[str, Any]]) -> str:
    """The targets as a Markdown table."""
    lines = ["### Targets", "", "| Target | Measured | Status |", "|---|---|---|"]
    for row in rows:
        status = {True: "met", False: "not met", None: "not measured"}[row["met"]]
        lines.append(f"| {row['target']} | {row['value']} | {status} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3, help="runs per command (median)")
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--seed", type=int, default=0, help="generator seed")
    args = parser.parse_args(argv)
    if args.runs < 1 or min(args.sizes) < 1:
        parser.error("--runs and --sizes must be at least 1")
    root = args.keep or Path(tempfile.mkdtemp(prefix="pm-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    figures: dict[int, dict[str, Any]] = {}
    try:
        for size in sorted(set(args.sizes)):
            figures[size] = measure_size(size, root, args.runs, args.seed)
            print(size_table(figures[size]) + "\n", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    rows = targets(figures)
    print(targets_table(rows))
    if args.json:
        args.json.write_text(json.dumps({
            "machine": {"python": sys.version.split()[0], "platform": platform.platform(),
                        "cpus": os.cpu_count()},
            "runs": args.runs, "seed": args.seed,
            "sizes": {str(n): fig for n, fig in figures.items()}, "targets": rows,
        }, indent=2) + "\n", encoding="utf-8")
    return 1 if any(fig["failed"] for fig in figures.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
