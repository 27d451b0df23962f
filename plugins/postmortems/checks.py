"""Checks that JSON Schema cannot express: order of times, the severity decision tree,
placeholders, timeline order, and the collection-wide ids."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .findings import Finding, Level
from .model import MILESTONES, Postmortem
from .source import split_front_matter

if TYPE_CHECKING:  # a check of cached files needs neither the Markdown parser nor the schema
    from .markdown import Section
    from .policy import Policy

_DECORATION = re.compile(r"[*_`]")
_CLOCK = re.compile(r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\s*(?:UTC|Z))?$", re.I)
_STAMP = re.compile(
    r"^(?P<d>\d{4}-\d{2}-\d{2})[T ](?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\s*(?:UTC|Z))?$",
    re.I,
)
_DATE = re.compile(r"^(?P<d>\d{4}-\d{2}-\d{2})$")
#: ``~12:15``, ``about 12:15``, ``approx. 12:15``, ``ca. 12:15``: an approximate time.
_APPROXIMATE = re.compile(r"^(?:~|≈|about\s+|around\s+|approx(?:\.|imately)?\s+|ca\.?\s+)\s*", re.I)


def expected_severity(flags: dict[str, Any]) -> str:
    """The protocol's severity decision tree over ``impact_flags``."""
    if flags.get("production"):
        return "SEV1" if flags.get("data_loss") or flags.get("security") else "SEV2"
    if flags.get("users_blocked"):
        return "SEV2"
    return "SEV3" if flags.get("correctness") else "SEV4"


def _line(pm: Postmortem, *path: str | int) -> tuple[int, int]:
    position = pm.source.front_matter.position_of(path)
    return (position.line, position.column) if position else (1, 0)


def related_line(pm: Postmortem) -> tuple[int, int]:
    """Where to report about ``related``: the key if present, else the id."""
    return _line(pm, "related") if "related" in pm.meta else _line(pm, "id")


def check_severity(pm: Postmortem) -> Iterator[Finding]:
    flags, declared = pm.meta.get("impact_flags"), pm.meta.get("severity")
    if not isinstance(flags, dict) or declared not in ("SEV1", "SEV2", "SEV3", "SEV4"):
        return  # the schema reports a missing or unknown severity
    if not all(
        isinstance(flags.get(k), bool)
        for k in ("production", "data_loss", "security", "users_blocked", "correctness")
    ):
        return  # the schema reports the missing or mistyped answers
    expected = expected_severity(flags)
    if declared != expected:
        answered = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in flags.items())
        line, column = _line(pm, "severity")
        if pm.severity_reason:
            yield Finding(
                pm.path,
                line,
                "severity-mismatch",
                Level.INFO,
                f"severity {declared} deliberately differs from the decision tree ({expected}): "
                f"{pm.severity_reason!r}",
                "the severity_reason is shown on the incident page; remove it to use "
                f"the decision tree's {expected}",
                column,
            )
            return
        yield Finding(
            pm.path,
            line,
            "severity-mismatch",
            Level.ERROR,
            f"severity {declared} disagrees with the decision tree, which gives {expected} "
            f"for impact_flags ({answered})",
            f"set severity: {expected}, or correct the impact_flags answers, or say why in "
            "severity_reason",
            column,
        )


def check_time_order(pm: Postmortem) -> Iterator[Finding]:
    previous: tuple[str, dt.datetime] | None = None
    for name in MILESTONES:
        value = pm.time(name)
        if value is None:
            continue
        if previous and value < previous[1]:
            line, column = _line(pm, name)
            yield Finding(
                pm.path,
                line,
                "time-order",
                Level.ERROR,
                f"{name} ({pm.meta[name]}) is before {previous[0]} ({pm.meta[previous[0]]})",
                "times must follow started <= detected <= contained <= resolved; check the date "
                "and the time zone",
                column,
            )
        previous = (name, value) if previous is None or value >= previous[1] else previous


def check_placeholders(pm: Postmortem, policy: Policy) -> Iterator[Finding]:
    """Template placeholders left in the body or in front-matter text."""
    if pm.document is None:
        return
    for line_no, line in pm.document.visible_lines():
        for placeholder in policy.placeholders:
            match = placeholder.pattern.search(line)
            if match:
                yield Finding(
                    pm.path,
                    line_no,
                    "placeholder",
                    Level.ERROR,
                    f"template placeholder {match.group().strip() or '...'!r} left in",
                    placeholder.hint,
                    match.start() + 1,
                    match.end() + 1,
                    match=match.group(),
                )
                break
    yield from _front_matter_placeholders(pm, policy, pm.meta, ())


def _front_matter_placeholders(
    pm: Postmortem, policy: Policy, value: Any, path: tuple[str | int, ...]
) -> Iterator[Finding]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _front_matter_placeholders(pm, policy, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _front_matter_placeholders(pm, policy, item, (*path, index))
    elif isinstance(value, str):
        for placeholder in policy.placeholders:
            match = placeholder.pattern.search(value)
            if match:
                line, column = _line(pm, *path)
                field = ".".join(str(p) for p in path)
                yield Finding(
                    pm.path,
                    line,
                    "placeholder",
                    Level.ERROR,
                    f"{field}: template placeholder {match.group().strip()!r} left in",
                    placeholder.hint,
                    column,
                    match=match.group(),
                )
                return


def _time_cell(cells: dict[str, str]) -> str | None:
    for header, value in cells.items():
        if header.strip().lower() in ("time", "time (utc)", "when", "timestamp"):
            return value
    return next(iter(cells.values()), None)


def _is_placeholder(text: str, policy: Policy | None) -> bool:
    return policy is not None and any(p.pattern.search(text) for p in policy.placeholders)


def check_timeline(pm: Postmortem, policy: Policy | None = None) -> Iterator[Finding]:
    """Timeline rows in chronological order; ``HH:MM`` inherits the date of the row above.

    A row may give a date alone (``2022-04-08``: at the start of that day for ordering) or
    an approximate time (``~12:15``, ``about 12:15``). A cell that is a template placeholder
    is reported once, by the placeholder check, not also as an unreadable time.
    """
    section: Section | None = pm.document.section("timeline") if pm.document else None
    if section is None:
        return
    started = pm.time("started")
    day = started.date() if started else None
    previous: tuple[dt.datetime, str] | None = None
    for table in section.tables:
        for row in table.rows:
            raw = _time_cell(row.cells)
            if raw is None:
                continue
            read = _read_time(raw)
            if read is None:
                if not _is_placeholder(raw, policy):
                    yield Finding(
                        pm.path,
                        row.line,
                        "timeline-time",
                        Level.WARNING,
                        f"timeline time {raw!r} cannot be read",
                        "write times as 09:12, 2026-03-15 01:10 for another day, 2026-03-15 "
                        "for a day only, or ~09:12 for an approximate time",
                        1,
                    )
                continue
            row_day, clock_time = read
            day = row_day or day
            if day is None:
                continue
            when = dt.datetime.combine(day, clock_time or dt.time())
            # A date alone means some time that day: only an earlier day is out of order.
            if previous is not None and (
                day < previous[0].date() if clock_time is None else when < previous[0]
            ):
                yield Finding(
                    pm.path,
                    row.line,
                    "timeline-order",
                    Level.ERROR,
                    f"timeline row {raw!r} comes before the row above ({previous[1]!r})",
                    "order rows by time; after midnight write the date, as 2026-03-15 01:10",
                    1,
                )
            previous = (when, raw) if previous is None or when >= previous[0] else previous


def _read_time(raw: str) -> tuple[dt.date | None, dt.time | None] | None:
    """A timeline cell as (its date if written, its time if written); None if unreadable.

    ``~`` or ``about`` in front (an approximate time) is read as the time itself.
    """
    text = _APPROXIMATE.sub("", _DECORATION.sub("", raw).strip(), count=1).strip()
    stamp, clock, date = _STAMP.match(text), _CLOCK.match(text), _DATE.match(text)
    match = stamp or clock
    try:
        day = dt.date.fromisoformat((stamp or date).group("d")) if stamp or date else None
        when = (
            dt.time(int(match.group("h")) % 24, int(match.group("m")), int(match.group("s") or 0))
            if match
            else None
        )
    except ValueError:  # 2026-02-30, 09:75
        return None
    return (day, when) if day or when else None


def _plain_heading(text: str) -> str:
    return " ".join(_DECORATION.sub("", text).split()).casefold()


def check_title(pm: Postmortem) -> Iterator[Finding]:
    """The front-matter ``title`` and the body's ``# `` heading say the same thing."""
    title, document = pm.meta.get("title"), pm.document
    if not isinstance(title, str) or document is None or not document.title:
        return
    if _plain_heading(title) == _plain_heading(document.title):
        return
    yield Finding(
        pm.path,
        document.title_line,
        "title-mismatch",
        Level.WARNING,
        f"the heading '# {document.title}' differs from the front-matter title {title!r}",
        "make them the same: the site lists the title and shows the heading",
        1,
    )


def check_postmortem(pm: Postmortem, policy: Policy) -> list[Finding]:
    """All per-file checks beyond the schema."""
    return [
        *check_severity(pm),
        *check_time_order(pm),
        *check_placeholders(pm, policy),
        *check_timeline(pm, policy),
        *check_title(pm),
    ]


class IdRef(NamedTuple):
    """Where a post-mortem that is not being checked declares its id (a tuple: a check of
    one file makes one for every other file of the collection)."""

    path: str
    id: str
    line: int


_ID_LINE = re.compile(r"""^id:[ \t]*(["']?)(?P<id>[^\s"'#]+)\1[ \t]*(?:#.*)?$""", re.M)


def id_ref(path: Path, shown: str) -> IdRef | None:
    """The id of the post-mortem at ``path`` from its front matter, read cheaply."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            head = handle.read(MAX_ID_SCAN)
    except OSError:
        return None
    front, _, _, _ = split_front_matter(head)
    if front is None:
        return None
    m = _ID_LINE.search(front)
    return IdRef(shown, m.group("id"), front.count("\n", 0, m.start()) + 2) if m else None


#: The id is read from the first bytes of a file that is only context (front matter).
MAX_ID_SCAN = 16_384


def check_collection(
    postmortems: Iterable[Postmortem], context: Iterable[IdRef] = ()
) -> list[Finding]:
    """Ids unique across the collection; every related id exists.

    ``context`` are the collection's other post-mortems when only some are checked: their
    ids count, but only ``postmortems`` get findings, so checking one file gives that
    file the findings a check of the whole collection gives it.
    """
    findings: list[Finding] = []
    readable = [pm for pm in postmortems if pm.source.readable]
    places: dict[str, list[tuple[str, int]]] = {}
    for ref in context:
        places.setdefault(ref.id, []).append((ref.path, ref.line))
    for pm in readable:
        if pm.id is not None:
            places.setdefault(pm.id, []).append((pm.path, _line(pm, "id")[0]))
    for pm in readable:
        if pm.id is None or len(places[pm.id]) < 2:
            continue
        others = [f"{path}:{line}" for path, line in places[pm.id] if path != pm.path]
        line, column = _line(pm, "id")
        findings.append(
            Finding(
                pm.path,
                line,
                "duplicate-id",
                Level.ERROR,
                f"id {pm.id} is also used by {', '.join(others)}",
                "give each post-mortem its own id (the next free number of the year)",
                column,
            )
        )
    for pm in readable:
        related = pm.meta.get("related")
        if not isinstance(related, list):
            continue
        for index, rid in enumerate(related):
            if rid == pm.id:
                message, hint = f"post-mortem {rid} lists itself as related", "remove it"
            elif isinstance(rid, str) and rid not in places:
                message = f"related id {rid} does not match any post-mortem"
                hint = "check the id, or remove it from related"
            else:
                continue
            line, column = _line(pm, "related", index)
            findings.append(
                Finding(pm.path, line, "unknown-related", Level.ERROR, message, hint, column)
            )
    return findings
