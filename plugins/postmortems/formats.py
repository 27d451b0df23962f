"""The string formats the schema uses, checked without the heavy optional validators.

``jsonschema`` checks ``date``, ``date-time`` and ``uri`` only when extra packages are
installed, and one of them costs more start-up than a whole check of one file. These three
checks are all a post-mortem schema needs; a team that uses another format gets
``jsonschema``'s own checker for it.
"""

from __future__ import annotations

import datetime as dt
import re

from jsonschema import FormatChecker

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.\d+)?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})$"
)
# RFC 3986: scheme ":" hier-part, no spaces or control characters, well-formed escapes.
_URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*:"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]]|%[0-9A-Fa-f]{2})*$"
)


def is_date(value: object) -> bool:
    """A full calendar date, ``YYYY-MM-DD``, that exists."""
    if not isinstance(value, str):
        return True  # the schema's "type" reports other kinds
    if not _DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_time(value: object) -> bool:
    """An RFC 3339 timestamp with a time zone, whose date and time exist."""
    if not isinstance(value, str):
        return True
    m = _DATE_TIME.match(value)
    if not m or not is_date(m.group("date")):
        return False
    hour, minute, second = int(m.group("h")), int(m.group("m")), int(m.group("s"))
    zone = m.group("zone")
    if zone not in ("Z", "z") and (int(zone[1:3]) > 23 or int(zone[4:6]) > 59):
        return False
    return hour <= 23 and minute <= 59 and second <= 60


def is_uri(value: object) -> bool:
    """An absolute URI (a scheme, then RFC 3986 characters)."""
    return not isinstance(value, str) or _URI.match(value) is not None


def format_checker() -> FormatChecker:
    """jsonschema's checker with ``date``, ``date-time`` and ``uri`` checked here."""
    checker = FormatChecker()
    checker.checks("date")(is_date)
    checker.checks("date-time")(is_date_time)
    checker.checks("uri")(is_uri)
    return checker
