"""Machine-readable exports: ``incidents.json``, ``action-items.csv`` and an Atom feed.

JSON and CSV are written by their serializers (never by hand); the feed by an autoescaped
template. The JSON escapes ``<``, ``>`` and ``&`` as ``\\u003c`` etc., so its text is also safe
to paste into HTML; the CSV neutralizes spreadsheet formulas (see :func:`csv_cell`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from .rollups import DURATIONS, Rollups
from .templating import render
from .urls import SiteUrls

#: Cells starting with these are formulas to a spreadsheet; OWASP's "CSV injection" advice.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
CSV_COLUMNS = (
    "incident_id", "incident_title", "incident_url", "severity", "index", "action", "owner",
    "due", "status", "state", "kind", "ticket",
)


def html_safe_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON whose ``<``, ``>`` and ``&`` are ``\\u`` escapes: same data, inert in HTML."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(data, indent=indent, separators=separators, ensure_ascii=False, default=str)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _duration(value: dt.timedelta | None) -> dict[str, float] | None:
    if value is None:
        return None
    seconds = value.total_seconds()
    return {"seconds": int(seconds), "minutes": round(seconds / 60, 2)}


def incidents_json(rollups: Rollups, urls: SiteUrls) -> str:
    """Every published post-mortem: its front matter, durations and page URL, newest first."""
    incidents = []
    for incident in rollups.incidents:
        url = urls.incident(incident.id) or ""
        incidents.append({
            **incident.meta,
            "root_causes": [
                {"category": cause.category, "summary": cause.summary}
                for cause in incident.root_causes
            ],
            "durations": {key: _duration(incident.durations[key]) for _, key, _ in DURATIONS},
            "url": urls.absolute(url),
            "path": url,
            "source": incident.source,
        })
    return html_safe_json({
        "version": 1,
        "today": rollups.today.isoformat(),
        "count": len(incidents),
        "incidents": incidents,
    }) + "\n"


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading formula character gets a ``'`` prefix."""
    return "'" + value if value.startswith(FORMULA_START) else value


def action_items_csv(rollups: Rollups, urls: SiteUrls) -> str:
    """Every action item in the site's order (overdue, open, closed), one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rollups.action_items:
        incident = row.incident
        values = (
            incident.id, incident.title, urls.absolute(urls.incident(incident.id) or ""),
            incident.severity, str(row.index), row.action, row.owner,
            row.due.isoformat() if row.due else "", row.status, row.state, row.kind, row.ticket,
        )
        writer.writerow([csv_cell(v) for v in values])
    return out.getvalue()


def _entry_id(incident_id: str, site_url: str, year: int) -> str:
    host = urlsplit(site_url).hostname if site_url else None
    if host:
        return f"tag:{host},{year:04d}:{incident_id}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'postmortem:' + incident_id)}"


def atom_feed(rollups: Rollups, urls: SiteUrls, *, site_name: str, size: int = 50) -> str:
    """An Atom feed of the newest ``size`` post-mortems (newest incident first)."""
    entries = []
    for incident in rollups.incidents[:size]:
        # The post-mortem is written once the incident is resolved: that is its date.
        when = incident.resolved or incident.started or EPOCH
        entries.append({
            "incident": incident,
            "id": _entry_id(incident.id, urls.site_url, (incident.started or when).year),
            "url": urls.absolute(urls.incident(incident.id) or ""),
            "published": _rfc3339(when),
            "updated": _rfc3339(when),
        })
    newest = max((e["updated"] for e in entries), default=_rfc3339(
        dt.datetime.combine(rollups.today, dt.time(), dt.timezone.utc)))
    return render(
        "exports/feed.xml.j2",
        site_name=site_name,
        feed_id=_feed_id(urls.site_url),
        self_url=urls.absolute("feed.xml") if urls.site_url else "",
        home_url=urls.absolute(urls.view("incidents")) if urls.site_url else "",
        updated=newest,
        entries=entries,
    )


def _feed_id(site_url: str) -> str:
    if site_url:
        return site_url.rstrip("/") + "/feed.xml"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'postmortems:feed')}"


def _rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
