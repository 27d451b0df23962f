"""Write a realistic project of N synthetic post-mortems, and the same pages as plain Material.

    python bench/generate.py N OUT_DIR [--seed S]

``OUT_DIR`` gets ``mkdocs.yml`` (the repository's, with its theme and plugins), ``docs/``,
``schemas/`` and ``incidents/<YYYY>/<date>-<slug>.md``. ``OUT_DIR-plain`` gets the baseline:
the published post-mortems under ``docs/incidents/`` and a ``mkdocs.yml`` with the same theme
and Markdown extensions but without the postmortems and macros plugins, the incident pages
kept out of the nav with ``not_in_nav`` as the plugin does. The output depends only on N and
the seed; every post-mortem passes ``postmortem check --strict``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import phrases as P

REPO = Path(__file__).resolve().parents[1]
FIRST_START = datetime(2018, 1, 1, tzinfo=timezone.utc)
LAST_START = datetime(2026, 10, 15, tzinfo=timezone.utc)
# Fixed "today" for choosing action-item statuses, so the output does not depend on the day.
REFERENCE_DAY = date(2026, 11, 1)
DETECT_DELAY = {  # minutes from first impact to detection, per detection kind
    "monitoring": (1, 15), "user-report": (5, 90), "failed-run": (10, 600),
    "audit": (600, 14000), "routine-check": (120, 6000),
}
DETECTION_WEIGHTS = {"monitoring": 60, "user-report": 18, "failed-run": 10, "audit": 5,
                     "routine-check": 7}
GENERIC_ACTIONS = [
    ("Add the {svc} failure mode and its diagnosis steps to the on-call runbook", "process",
     "sre-team"),
    ("Review the alert thresholds of {svc} against the last 90 days of traffic", "detect",
     "sre-team"),
    ("Add a panel for `{metric}` to the {svc} overview dashboard", "detect", "sre-team"),
    ("Schedule a game day that exercises the {svc} degradation path", "process",
     "sre-team"),
    ("Document the dependency of {svc} on {svc2} in the service catalogue", "process",
     "platform-team"),
]
_PLAIN = re.compile(r"[A-Za-z0-9][^:#\"'`]*")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Incident:
    """One synthetic post-mortem: where it goes and what it says."""

    id: str
    path: str  # relative to the incidents folder
    status: str
    text: str
    services: list[str] = field(default_factory=list)


def severity_of(flags: dict[str, bool]) -> str:
    """The protocol's decision tree over the impact flags."""
    if flags["production"]:
        return "SEV1" if flags["data_loss"] or flags["security"] else "SEV2"
    if flags["users_blocked"]:
        return "SEV2"
    return "SEV3" if flags["correctness"] else "SEV4"


def _scalar(value: str) -> str:
    """A YAML scalar: plain when that is unambiguous, else a JSON string (valid YAML)."""
    if _PLAIN.fullmatch(value) and not value.endswith(" ") and value.lower() not in (
        "yes", "no", "true", "false", "null", "on", "off"
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")


def _long_date(moment: datetime) -> str:
    return f"{moment.day} {P.MONTHS[moment.month - 1]} {moment.year}"


class Writer:
    """Composes post-mortems from the phrase pools with one seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ticket = {team: 100 for team in P.TEAMS}
        self.by_service: dict[str, list[str]] = {}
        self.earlier: list[str] = []
        self.slugs: set[str] = set()

    # --- helpers -------------------------------------------------------------------
    def pick(self, pool: list[Any]) -> Any:
        return pool[self.rng.randrange(len(pool))]

    def sample(self, pool: list[Any], k: int) -> list[Any]:
        return self.rng.sample(pool, min(k, len(pool)))

    def fill(self, template: str, slots: dict[str, Any]) -> str:
        return template.format_map(slots)

    def _time(self, moment: datetime, day0: date) -> str:
        """A timeline time: ``09:12`` on the first day, with the date on later days."""
        if moment.date() == day0:
            return moment.strftime("%H:%M")
        return moment.strftime("%Y-%m-%d %H:%M")

    def _when(self, moment: datetime, day0: date) -> str:
        """A time in prose, with the day when it is not the first day."""
        if moment.date() == day0:
            return moment.strftime("%H:%M")
        return f"{moment.strftime('%H:%M')} on {moment.day} {P.MONTHS[moment.month - 1]}"

    # --- one incident ----------------------------------------------------------------
    def incident(self, number: int, started: datetime, status: str | None = None) -> Incident:
        """The post-mortem of the ``number``-th incident of its year, first impact ``started``.

        ``status`` forces the status instead of drawing it.
        """
        rng = self.rng
        kind = self.pick(P.ARCHETYPES)
        services = self.sample(P.SERVICES, rng.choice((1, 1, 2, 2, 2, 3, 3, 4)))
        svc = services[0]
        others = [s for s in P.SERVICES if s != svc]
        svc2 = services[1] if len(services) > 1 else self.pick(others)
        flags = {k: rng.random() < p for k, p in kind["flags"].items()}
        severity = severity_of(flags)
        detection = rng.choices(list(DETECTION_WEIGHTS), list(DETECTION_WEIGHTS.values()))[0]
        detected = started + timedelta(minutes=rng.randint(*DETECT_DELAY[detection]))
        contained = detected + timedelta(minutes=rng.randint(6, 240))
        resolved = contained + timedelta(minutes=rng.choice((
            rng.randint(10, 120), rng.randint(30, 600), rng.randint(120, 2880))))
        day0 = started.date()
        year = started.year
        inc_id = f"INC-{year}-{number:03d}"
        people = self.sample([f"{f} {s}" for f in self.sample(P.FIRST, 6)
                              for s in self.sample(P.LAST, 2)], 5)
        ver_major, ver_minor = rng.randint(1, 9), rng.randint(0, 40)
        slots: dict[str, Any] = {
            "svc": svc, "svc_cap": svc[:1].upper() + svc[1:], "svc2": svc2,
            "dep": services[-1] if len(services) > 1 else f"{svc}-db",
            "host": f"{svc}-{rng.randint(1, 12):02d}", "host2": f"{svc}-{rng.randint(13, 24)}",
            "limit": rng.choice((100, 128, 200, 256)), "pool": rng.choice((300, 360, 480)),
            "waiting": rng.randint(40, 900), "peak": rng.randint(3, 60),
            "pct": rng.randint(2, 80), "days": rng.randint(2, 21),
            "ver": f"{ver_major}.{ver_minor}.{rng.randint(1, 9)}",
            "ver_prev": f"{ver_major}.{ver_minor}.0",
            "field": self.pick(P.FIELDS), "verb": self.pick(P.VERBS),
            "event": self.pick(P.EVENTS), "mult": rng.randint(2, 6),
            "replicas": rng.choice((12, 16, 24, 32, 48)), "latency": rng.randint(800, 9000),
            "vendor": (vendor := self.pick(P.VENDORS)), "vendor_slug": vendor.lower(),
            "rows": f"{rng.randint(120, 90000):,}", "restored": f"{rng.randint(100, 900):,}",
            "lag": rng.randint(20, 400), "partition": rng.randint(0, 23),
            "region": (region := self.pick(P.REGIONS)),
            "region2": self.pick([r for r in P.REGIONS if r != region]),
            "alert": self.pick(P.ALERTS), "job": self.pick(P.JOBS),
            "metric": self.pick(P.METRICS), "team": self.pick(P.TEAMS),
            "severity": severity, "weekday": P.DAYS[started.weekday()],
            "long_date": _long_date(started), "start": started.strftime("%H:%M"),
            "det": self._when(detected, day0), "cont": self._when(contained, day0),
            "res": self._when(resolved, day0),
            "detect_delay": _duration(detected - started),
            "impact_minutes": _duration(contained - started),
            "customers": f"{rng.randint(40, 60000):,}", "failed": f"{rng.randint(100, 90000):,}",
            "orders": f"{rng.randint(10, 9000):,}", "lost": rng.randint(0, 400),
            "tickets": rng.randint(0, 300), "ticket_window": rng.randint(10, 60),
            "partners": rng.randint(1, 12), "wrong_pct": rng.randint(1, 30),
            "pd": f"R{rng.randint(100000, 999999)}", "deploy_id": f"d-{rng.getrandbits(28):07x}",
            "trace": f"{rng.getrandbits(48):012x}", "change": rng.randint(1000, 9999),
            "sentry": f"{svc.upper()}-{rng.randint(100, 999)}",
            "cert_date": (started - timedelta(days=1)).strftime("%b %d %H:%M:%S %Y GMT"),
            "accessor": f"{rng.getrandbits(40):010x}", "svc_table": svc.replace("-", "_"),
            "diff": self.pick(P.DIFFS), "detection": detection,
            "stamp_start": _stamp(started), "stamp_cont": _stamp(contained),
            "failed_plain": rng.randint(100, 9000), "deploy_short": f"{rng.getrandbits(28):07x}",
        }
        slots["trigger"] = self.fill(self.pick(kind["trigger"]), slots)
        slots["trigger_cap"] = slots["trigger"][:1].upper() + slots["trigger"][1:]
        slots["symptom"] = self.fill(self.pick(kind["symptom"]), slots)
        slots["mitigation_short"] = self.fill(self.pick(kind["mitigation"]), slots)
        slots["mitigation_cap"] = (slots["mitigation_short"][:1].upper()
                                   + slots["mitigation_short"][1:])
        title = self.fill(self.pick(kind["titles"]), slots)
        root = self.fill(self.pick(kind["root"]), slots)
        drawn = rng.choices(("final", "review", "draft"), (80, 14, 6))[0]
        status = status or drawn

        actions = self._actions(kind, slots, started)
        related = self._related(svc)
        tags = self.sample(kind["tags"], rng.randint(2, len(kind["tags"])))
        if rng.random() < 0.3:
            tags.append(self.pick(("customer-facing", "recurrence", "peak-season", "mobile",
                                   "internal", "weekend")))
        authors = self.sample(people[:3], rng.randint(1, 2))
        if rng.random() < 0.2:
            authors.append(self.pick(P.TEAMS))

        fm = [
            "---", f"id: {inc_id}", f"title: {_scalar(title)}", f"status: {status}",
            f"severity: {severity}", "impact_flags:",
            *(f"  {k}: {'true' if v else 'false'}" for k, v in flags.items()),
            f"services: [{', '.join(services)}]", f"tags: [{', '.join(dict.fromkeys(tags))}]",
            f"detection: {detection}", f"started: {_stamp(started)}",
            f"detected: {_stamp(detected)}", f"contained: {_stamp(contained)}",
            f"resolved: {_stamp(resolved)}", f"fix_type: {self.pick(kind['fix'])}",
            "root_cause:", f"  category: {kind['category']}", f"  summary: {_scalar(root)}",
            f"authors: [{', '.join(authors)}]", "action_items:",
        ]
        for item in actions:
            fm += [f"  - action: {_scalar(item['action'])}", f"    owner: {item['owner']}",
                   f"    due: {item['due']}", f"    status: {item['status']}",
                   f"    kind: {item['kind']}", f"    ticket: {item['ticket']}"]
        fm.append(f"related: [{', '.join(related)}]")
        fm.append("internal: []")  # every field the schema allows; none hidden
        fm.append("---")

        body = self._body(kind, slots, title, root, flags, detection,
                          (started, detected, contained, resolved), actions, people)
        slug = _SLUG.sub("-", title.lower()).strip("-")[:70].rstrip("-")
        name = f"{day0.isoformat()}-{slug}"
        while name in self.slugs:
            name += f"-{rng.randint(2, 99)}"
        self.slugs.add(name)
        self.earlier.append(inc_id)
        for s in services:
            self.by_service.setdefault(s, []).append(inc_id)
        return Incident(inc_id, f"{year}/{name}.md", status, "\n".join(fm) + "\n\n" + body,
                        services)

    def _actions(self, kind: dict, slots: dict, started: datetime) -> list[dict[str, str]]:
        rng = self.rng
        count = rng.choices((1, 2, 3, 4, 5, 6), (5, 12, 25, 28, 18, 12))[0]
        chosen = self.sample(kind["actions"], count)
        chosen += self.sample(GENERIC_ACTIONS, count - len(chosen))
        items = []
        for text, kind_name, owner in chosen:
            due = started.date() + timedelta(days=rng.randint(3, 150))
            if due < REFERENCE_DAY:
                status = rng.choices(("done", "wont-do", "in-progress", "open"),
                                     (70, 7, 10, 13))[0]
            else:
                status = rng.choices(("open", "in-progress", "done"), (50, 40, 10))[0]
            self.ticket[owner] += 1
            items.append({
                "action": self.fill(text + (self.pick(P.ACTION_SUFFIX) if rng.random() < 0.5
                                            else ""), slots),
                "owner": owner, "due": due.isoformat(),
                "status": status, "kind": kind_name,
                "ticket": f"https://tracker.basketly.example/{P.TICKET_PREFIX[owner]}-"
                          f"{self.ticket[owner]}",
            })
        return items

    def _related(self, svc: str) -> list[str]:
        rng = self.rng
        if not self.earlier or rng.random() > 0.35:
            return []
        pool = self.by_service.get(svc, [])[-20:]
        picked = self.sample(pool, rng.randint(1, 2))
        if rng.random() < 0.4:
            picked.append(self.pick(self.earlier))
        return list(dict.fromkeys(picked))

    def _body(self, kind: dict, slots: dict, title: str, root: str, flags: dict[str, bool],
              detection: str, times: tuple[datetime, ...], actions: list[dict[str, str]],
              people: list[str]) -> str:
        rng, fill, pick = self.rng, self.fill, self.pick
        started = times[0]
        out = [f"# {title}", ""]

        summary = [fill(pick(P.SUMMARY_OPEN), slots), fill(pick(P.SUMMARY_EFFECT), slots),
                   fill(pick(P.DETECTION_TEXT[detection]), slots),
                   fill(pick(kind["proximate"]), slots), fill(pick(P.SUMMARY_CLOSE), slots)]
        if rng.random() < 0.8:
            summary.insert(4, root)
        out += ["## Summary", "", *_wrap(" ".join(summary)), ""]
        if rng.random() < 0.85:
            out += [*_wrap(" ".join(fill(x, slots) for x in self.sample(
                P.SUMMARY_RESPONSE, rng.randint(1, 3)))), ""]

        impact = self.sample(P.IMPACT_LINES, rng.randint(3, 6)) if flags["production"] else [
            pick(P.IMPACT_NO_PROD)]
        impact.append(P.IMPACT_DATA[(flags["data_loss"], flags["security"])])
        if flags["correctness"]:
            impact.append(pick(P.IMPACT_CORRECTNESS))
        out += ["## Impact", "", *(fill(line, slots) for line in impact), ""]
        if rng.random() < 0.7:
            out += [*_wrap(fill(pick(P.IMPACT_CLOSE), slots)), ""]

        out += ["## Timeline", "", "All times UTC.", "", "| Time | Event | Evidence |",
                "|------|-------|----------|"]
        for moment, event in self._timeline(kind, slots, times):
            evidence = fill(pick(P.EVIDENCE), slots)
            if rng.random() < 0.4:
                evidence += "; " + fill(pick(P.EVIDENCE), slots)
            out.append(f"| {self._time(moment, started.date())} | {event} | {evidence} |")
        out.append("")

        levels = [("Symptom", slots["symptom"][:1].upper() + slots["symptom"][1:] + "."),
                  ("Proximate cause", fill(pick(kind["proximate"]), slots)),
                  ("Contributing factor", fill(pick(kind["factors"]), slots)),
                  ("Root cause", root), ("Systemic issue", fill(pick(kind["systemic"]), slots))]
        out += ["## Root Cause", ""]
        if rng.random() < 0.75:
            out += ["| Level | Finding |", "|-------|---------|",
                    *(f"| {level} | {text} |" for level, text in levels), ""]
        if rng.random() < 0.8:
            prose = {**slots, "proximate": levels[1][1], "root": root, "systemic": levels[4][1],
                     "root_lc": _lower_first(root),
                     "detect_gap_lc": _lower_first(fill(pick(kind["detect_gap"]), slots))}
            out += [*_wrap(fill(pick(P.ROOT_PROSE), prose)), ""]
        whys = [f"Why did {slots['svc']} degrade? {levels[0][1]}",
                f"Why did that happen? {levels[1][1]}", f"Why was that possible? {root}",
                f"Why did the first signal come late? {fill(pick(kind['detect_gap']), slots)}",
                f"Why did the process allow it? {levels[4][1]}"]
        out += ["**5 Whys**", "", *(f"{i}. {w}" for i, w in enumerate(whys, 1)), ""]

        factors = self.sample(kind["factors"], rng.randint(3, 5))
        out += ["## Contributing Factors", "", *(
            f"- {fill(f, slots)}" + (f" {pick(P.FACTOR_DETAIL)}" if rng.random() < 0.7 else "")
            for f in factors), ""]

        done = sum(1 for a in actions if a["status"] == "done")
        out += ["## Action Items", "",
                *_wrap(fill(pick(P.ACTION_SENTENCE), {"done": done, "total": len(actions)})),
                ""]
        if rng.random() < 0.7:
            out += [*_wrap(fill(pick(P.ACTION_DETAIL), slots)), ""]
        prevention = self.sample(kind["prevention"], rng.randint(3, 4))
        out += ["## Prevention Measures", "", *(
            f"- {fill(p, slots)}" + (f" {pick(P.PREVENTION_DETAIL)}" if rng.random() < 0.7
                                     else "") for p in prevention), ""]
        if rng.random() < 0.6:
            out += ["## Detection and Response", "", *_wrap(fill(pick(P.DETECTION_RESPONSE), {
                **slots, "detect_gap": fill(pick(kind["detect_gap"]), slots)})), ""]

        if rng.random() < 0.85:
            blocks = (self.sample(kind["commands"], rng.randint(1, 2))
                      + self.sample(P.GENERIC_COMMANDS, rng.randint(1, 3)))
            out += ["## Commands Run", "", "```bash", *(
                line for b in blocks for line in (fill(b, slots), "")), "```", ""]
            out[-3:-2] = []  # no blank line before the closing fence
        if rng.random() < 0.7:
            rows = self.sample(P.DECISIONS, rng.randint(2, 4))
            out += ["## Decisions Made", "", "| Decision | Rationale | Alternative Considered |",
                    "|----------|-----------|------------------------|",
                    *("| " + " | ".join(fill(c, slots) for c in row) + " |" for row in rows), ""]
        if rng.random() < 0.95:
            roles = self.sample(P.ROLES, rng.randint(3, 5))
            out += ["## Who Was Involved", "", "| Role | Person | Contribution |",
                    "|------|--------|--------------|",
                    *(f"| {r} | {p} | {c} |" for (r, c), p in zip(roles, people, strict=False)),
                    ""]
        if rng.random() < 0.7:
            out += ["## Lessons Learned", "",
                    *(fill(x, slots) for x in self.sample(P.LESSONS, rng.randint(2, 5))), ""]
        if rng.random() < 0.5:
            out += ["## Customer Communication", "", *_wrap(" ".join(
                fill(x, slots) for x in self.sample(P.COMMUNICATION, rng.randint(1, 2)))), ""]
        if rng.random() < 0.5:
            out += ["## Supporting Information", "", *(
                fill(x, slots) for x in self.sample(P.SUPPORTING, rng.randint(2, 5))), ""]
        return "\n".join(out)

    def _timeline(self, kind: dict, slots: dict,
                  times: tuple[datetime, ...]) -> list[tuple[datetime, str]]:
        rng, fill, pick = self.rng, self.fill, self.pick
        started, detected, contained, resolved = times
        ack = min(detected + timedelta(minutes=rng.randint(0, 6)), contained)
        rows = [(started, fill(pick(P.TIMELINE_START), slots)),
                (detected, fill(pick(P.TIMELINE_DETECT_BY[slots["detection"]]), slots)),
                (ack, fill(pick(P.TIMELINE_ACK), slots)),
                (contained, fill(pick(P.TIMELINE_CONTAINED), slots)),
                (resolved, fill(pick(P.TIMELINE_RESOLVED), slots))]
        extra = rng.randint(1, 10)
        window = max(1, int((contained - ack).total_seconds() // 60))
        after = max(1, int((resolved - contained).total_seconds() // 60))
        pool = ([fill(x, slots) for x in kind["diagnosis"]]
                + [fill(x, slots) for x in P.TIMELINE_STATUS]
                + [f"Mitigation started: {fill(x, slots)}" for x in kind["mitigation"]])
        for event in self.sample(pool, extra):
            rows.append((ack + timedelta(minutes=rng.randint(0, window)), event))
        if rng.random() < 0.6:
            rows.append((contained + timedelta(minutes=rng.randint(0, after)),
                         pick(P.TIMELINE_VERIFY)))
        rows.sort(key=lambda row: row[0])
        return rows


def _duration(delta: timedelta) -> str:
    """``43 minutes``, ``2 hours 10 minutes``, ``3 days``."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} hours {rest} minutes" if rest else f"{hours} hours"
    return f"{round(minutes / 1440)} days"


def _lower_first(text: str) -> str:
    """``The alert`` -> ``the alert``, leaving a leading code span or acronym alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _wrap(text: str, width: int = 92) -> list[str]:
    """Hard-wrap a paragraph at ``width`` characters, as the hand-written samples are."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def incidents(count: int, seed: int = 0) -> list[Incident]:
    """``count`` post-mortems in order of first impact; the same list for the same seed."""
    writer = Writer(seed)
    span = int((LAST_START - FIRST_START).total_seconds() // 60)
    starts = sorted(FIRST_START + timedelta(minutes=writer.rng.randrange(span))
                    for _ in range(count))
    numbers: dict[int, int] = {}
    result: list[Incident] = []
    for index, started in enumerate(starts):
        numbers[started.year] = numbers.get(started.year, 0) + 1
        # The site's pages and macros (docs/macros.md) expect both published statuses to
        # occur, as they do in any real collection; small collections get one of each.
        forced = None
        seen = {inc.status for inc in result}
        if count >= 2 and index == count - 1 and "review" not in seen:
            forced = "review"
        elif count >= 2 and index >= count - 2 and "final" not in seen:
            forced = "final"
        result.append(writer.incident(numbers[started.year], started, forced))
    return result


def _filtered_nav(nav: list[Any], docs: Path) -> list[Any]:
    """The nav entries whose page exists in ``docs`` (the plugin's generated pages do not)."""
    kept: list[Any] = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            children = _filtered_nav(value, docs)
            if children:
                kept.append({next(iter(entry)): children})
        elif isinstance(value, str) and (docs / value).is_file():
            kept.append(entry)
    return kept


def _copy_docs(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for page in sorted((REPO / "docs").glob("*.md")):
        shutil.copy(page, target / page.name)
    if (REPO / "docs" / "images").is_dir():
        shutil.copytree(REPO / "docs" / "images", target / "images", dirs_exist_ok=True)


def plain_dir(out: Path) -> Path:
    """Where :func:`write_projects` puts the baseline project for ``out``."""
    return out.with_name(out.name + "-plain")


def write_projects(count: int, out: Path, seed: int = 0) -> list[Incident]:
    """Write the plugin project to ``out`` and the baseline to ``plain_dir(out)``.

    Both folders are replaced if they exist. Returns the generated post-mortems.
    """
    plain = plain_dir(out)
    for folder in (out, plain):
        if folder.exists():
            shutil.rmtree(folder)
    generated = incidents(count, seed)
    config_text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config_text = re.sub(r"(?m)^(\s*incidents_dir:).*$", r"\1 incidents", config_text)
    out.mkdir(parents=True)
    (out / "mkdocs.yml").write_text(config_text, encoding="utf-8")
    shutil.copytree(REPO / "schemas", out / "schemas")
    _copy_docs(out / "docs")
    _copy_docs(plain / "docs")
    folders: set[Path] = set()
    for inc in generated:
        targets = [out / "incidents" / inc.path]
        if inc.status != "draft":  # the plugin does not publish drafts
            targets.append(plain / "docs" / "incidents" / inc.path)
        for target in targets:
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            target.write_text(inc.text, encoding="utf-8")

    config = yaml.safe_load(config_text)
    baseline = {key: config[key] for key in (
        "site_name", "site_description", "site_url", "repo_url", "edit_uri", "docs_dir",
        "theme", "markdown_extensions") if key in config}
    baseline["plugins"] = [p for p in config.get("plugins", [])
                           if (p if isinstance(p, str) else next(iter(p)))
                           not in ("postmortems", "macros")]
    baseline["not_in_nav"] = "/incidents/\n"
    baseline["nav"] = _filtered_nav(config.get("nav", []), plain / "docs")
    (plain / "mkdocs.yml").write_text(
        "# Baseline: the same pages, plain MkDocs Material without the postmortems plugin.\n"
        + yaml.safe_dump(baseline, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return generated


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate.py N OUT_DIR [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, metavar="N", help="number of post-mortems")
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="project folder to write")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("N must be at least 1")
    generated = write_projects(args.count, args.out, args.seed)
    drafts = sum(1 for inc in generated if inc.status == "draft")
    print(f"wrote {len(generated)} post-mortems ({drafts} drafts) to {args.out}/incidents "
          f"and the baseline to {plain_dir(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
