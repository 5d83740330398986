"""Parse the dates pages give (ISO 8601, RFC 2822, plain days) into aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dateutil import parser as date_parser

URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
PARTIAL_DATE_DEFAULT = datetime(1, 1, 1)


def parse_date(value: str | None, now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from a page's date string, or None if it is not a plausible date.

    A date without an offset is taken as UTC; a date in the future (beyond a
    day of clock skew) or before 1990 is rejected rather than trusted.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        try:
            # A date missing its year or month takes them from PARTIAL_DATE_DEFAULT, out of range.
            parsed = date_parser.parse(text, fuzzy=False, default=PARTIAL_DATE_DEFAULT)
        except (ValueError, OverflowError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # 9999-12-31T23:00-05:00 is past datetime.max; +25:00 is no offset
        return None
    if parsed < EARLIEST or parsed > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        return None
    return parsed


def date_from_url(url: str) -> datetime | None:
    """The day a URL such as ``/2024/05/17/slug/`` names, at midnight UTC."""
    match = URL_DATE.search(url)
    if not match:
        return None
    return parse_date("-".join(match.groups()))
