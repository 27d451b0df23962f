"""The Jinja environment of the site: package templates, autoescape on, escaping filters."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from .learning import SIMILAR_SHOWN
from .rollups import ACTION_STATES, DURATIONS, SEVERITIES
from .stats import format_duration
from .urls import slug

#: Characters XML 1.0 forbids (and HTML treats as errors): C0 controls but tab/LF/CR,
#: lone surrogates, U+FFFE and U+FFFF.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Bidirectional embeddings, overrides and isolates: they can make a title read other than it
#: is written ("Trojan Source"); pages and the feed leave them out (JSON and CSV keep them).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: In the text of an HTML fragment: an entity (kept), or an ASCII character that Markdown or
#: one of its extensions could read as syntax (links, images, emphasis, code, attr_list,
#: emoji, footnotes, abbreviations, autolinks, math), written as a character reference instead;
#: ``-``, ``.``, ``,``, ``/``, ``;``, ``?``, ``%`` and ``'`` mean nothing inside a line.
_FRAGMENT_TEXT = re.compile(
    r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);|[!\"#$&()*+:<=>@\[\\\]^_`{|}~]"
)
_TEXT_NODE = re.compile(r">([^<]+)<")
#: Python-Markdown's escapable characters (``Markdown.ESCAPED_CHARS`` with the tables
#: extension) but ``>``: a backslash makes each literal; ``<``, ``>``, ``&`` are HTML-escaped.
_MARKDOWN_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")

#: How many other incidents a cell of a rollup table names before "and N more" (very similar
#: earlier ones: as many as an incident page shows).
REFS_SHOWN = 5

STATE_LABELS = {"overdue": "Overdue", "open": "Open", "done": "Done", "wont-do": "Won't do"}
CATEGORY_LABELS = {
    "config-change": "Configuration change", "code-change": "Code change",
    "deployment": "Deployment", "dependency": "Dependency", "capacity": "Capacity",
    "infrastructure": "Infrastructure", "data-integrity": "Data integrity",
    "security": "Security", "monitoring-gap": "Monitoring gap", "process-gap": "Process gap",
    "third-party": "Third party", "unknown": "Unknown",
}


def clean_text(value: str) -> str:
    """``value`` without the characters XML and HTML cannot carry."""
    if value.isprintable():  # no control, surrogate, non-character or bidi control at all
        return value
    return _BIDI_CONTROLS.sub("", _INVALID_XML.sub("", value))


def _reference(match: re.Match[str]) -> str:
    token = match.group(0)
    return token if len(token) > 1 else f"&#{ord(token)};"


def inert_html(fragment: str) -> Markup:
    """An HTML fragment of ours that lands in Markdown, with its text out of Markdown's reach.

    Python-Markdown stashes a tag with its attributes but parses the text between tags, so a
    title such as ``[x](javascript:…)`` inside an inline ``<a>`` would become a live link.
    Every punctuation character of every text node is written as a character reference,
    which Markdown keeps as it is and the browser shows as the character. Attribute values
    are already escaped and never parsed. The fragment must come from the autoescaping
    templates (no ``<`` or ``>`` outside tags).
    """
    return Markup(_TEXT_NODE.sub(
        lambda m: ">" + _FRAGMENT_TEXT.sub(_reference, m.group(1)) + "<", "<>" + fragment + "<>"
    )[2:-2])


def markdown_text(value: Any) -> Markup:
    """Text for a Markdown context (a heading): Markdown syntax made literal, HTML escaped."""
    text = " ".join(clean_text(str(value)).split())
    return Markup(escape(_MARKDOWN_SYNTAX.sub(r"\\\1", text)))


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(clean_text(value))
    if isinstance(value, str):
        return clean_text(value)
    return value


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d")
    return value.isoformat()


def _datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _iso(value: dt.datetime | None) -> str:
    """RFC 3339 in UTC, as Atom wants it."""
    if value is None:
        return ""
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _seconds(value: dt.timedelta | None) -> str:
    return "" if value is None else str(int(value.total_seconds()))


def _union(groups: Iterable[Iterable[str]]) -> list[str]:
    """The sorted union of several lists (the services of many incidents), in linear time."""
    return sorted({item for group in groups for item in group})


def _label(value: str) -> str:
    return CATEGORY_LABELS.get(value) or STATE_LABELS.get(value) or value


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    """The one environment; every template is autoescaped, whatever its extension."""
    env = Environment(
        loader=PackageLoader("postmortems", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        finalize=_finalize,
    )
    env.filters.update(
        md=markdown_text,
        duration=format_duration,
        date=_date,
        datetime=_datetime,
        iso=_iso,
        seconds=_seconds,
        label=_label,
        slug=slug,
        union=_union,
    )
    env.globals.update(
        SEVERITIES=SEVERITIES, ACTION_STATES=ACTION_STATES, DURATIONS=DURATIONS,
        STATE_LABELS=STATE_LABELS, REFS_SHOWN=REFS_SHOWN, SIMILAR_SHOWN=SIMILAR_SHOWN,
    )
    return env


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)
