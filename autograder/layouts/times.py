"""Times in the exports, and the due date they are compared with.

An LMS writes a submission time in its own way: nbgrader's ``timestamp.txt`` as
``2026-11-30 14:03:05.123456 UTC`` (its ``Exchange.timestamp_format``, in the zone of its
``Exchange.timezone``), Blackboard as a stamp in a file name with the zone in the attempt's
.txt. Every time is made timezone-aware here, so that it can be compared with ``--due``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

from autograder.coursedir import SetupError

# Zone abbreviations as hours from UTC (an ambiguous one, such as IST, is left out; CST is
# North America's). Other names are looked up in the time zone database (Europe/Berlin).
ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
         "EET": 2, "EEST": 3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
         "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AWST": 8,
         "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13}
NUMERIC_ZONE = re.compile(
    r"(?:UTC|GMT)?(?P<sign>[+-])(?P<hours>[0-9]{1,2}):?(?P<minutes>[0-9]{2})?")
NBGRADER_TIMESTAMP = re.compile(
    r"(?P<moment>[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?)"
    r"(?: (?P<zone>\S+))?")


def zone_named(word: str) -> tzinfo | None:
    """The time zone that ``word`` names (``UTC``, ``CET``, ``+01:00``, ``Europe/Berlin``),
    or None if it names none that is known without doubt."""
    if word.upper() in ZONES:
        return timezone(timedelta(hours=ZONES[word.upper()]))
    match = NUMERIC_ZONE.fullmatch(word)
    if match is not None:
        offset = timedelta(hours=int(match["hours"]), minutes=int(match["minutes"] or 0))
        return timezone(-offset if match["sign"] == "-" else offset)
    if "/" in word:
        from dateutil.tz import gettz  # nbgrader's own dependency, for zone names

        return gettz(word)
    return None


def nbgrader_time(text: str) -> datetime | None:
    """The time in an nbgrader ``timestamp.txt``, or None if it holds none. No zone means
    UTC, as nbgrader reads it."""
    match = NBGRADER_TIMESTAMP.fullmatch(text.strip())
    if match is None:
        return None
    zone = zone_named(match["zone"]) if match["zone"] else timezone.utc
    if zone is None:
        return None
    moment, _, fraction = match["moment"].partition(".")
    try:  # six digits of fraction, as Python 3.10 needs
        return datetime.fromisoformat(f"{moment}.{fraction:0<6}").replace(tzinfo=zone)
    except ValueError:  # a month 13
        return None


def parse_due(text: str) -> datetime:
    """The due date given with ``--due``, in ISO 8601 (``2026-11-30T23:59:00+01:00``);
    without a zone it is this machine's local time. A date without a time of day is refused
    (midnight at its start or its end? say which)."""
    value = text.strip()
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise SetupError(f"--due {text!r} has no time of day: give one, e.g. "
                         f"{value}T23:59:00 (local time) or {value}T23:59:00+01:00")
    try:
        due = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        raise SetupError(f"--due {text!r} is not a date and time in ISO 8601: give it as "
                         "2026-11-30T23:59:00+01:00 (or without the +01:00 for local time)"
                         ) from None
    return due if due.tzinfo is not None else due.astimezone()
