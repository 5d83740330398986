"""Parse the dates pages give (ISO 8601, RFC 2822, plain days) and choose the most precise one a page states.

``read_date`` turns one date string into a ``DateReading``: an aware datetime in the offset
the page gave (UTC where it gave none) and how precise the string was: a day only, a time
of day, seconds, an offset. ``most_precise`` takes a page's readings in the order its
sources are trusted and returns the first one refined by the most precise reading that
states the same moment: a page whose JSON-LD says ``2024-05-17T18:11:01`` and whose
``<meta>`` says ``2024-05-17T18:11:01+02:00`` is dated with the offset, and one that gives
a day in one place and the time in another is dated with the time. A time the page gives
without an offset is its country's clock time (``page_time_zone``, ``in_time_zone``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:/|-|$)")
FUTURE_TOLERANCE = timedelta(days=1)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
PARTIAL_DATE_DEFAULT = datetime(1, 1, 1)
TIME_OF_DAY = re.compile(r"\d{1,2}:\d\d")
SECONDS = re.compile(r"\d{1,2}:\d\d:\d\d")
SHOWN_CLOCK_TIME = re.compile(r"(?<!\d)(?=0?(\d{1,2})[:.h](\d\d)(?!\d))")
"""Every clock time a text shows ("08:52", "8.52", "20h56"), found at each place it may start (overlapping ones too)."""
MAX_DATE_CHARS = 64
TIME_ZONE_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 3600,
    "BST": 3600,
    "CET": 3600,
    "CEST": 7200,
    "MEZ": 3600,
    "MESZ": 7200,
    "EET": 7200,
    "EEST": 10800,
    "MSK": 10800,
    "JST": 32400,
    "KST": 32400,
    "EST": -18000,
    "EDT": -14400,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "AEST": 36000,
    "AEDT": 39600,
}
"""Offsets of the time-zone abbreviations pages print ("Fri Apr 28 19:20:36 CEST 2023"); ambiguous ones (IST, CST) are left out."""
ZONE_NAME = re.compile(r"\s*\(([A-Za-z][A-Za-z .'-]*)\)\s*$")
"""Words in parentheses at the end of a date: the time zone's name that JavaScript's date strings end with ("... GMT+0200
(Central European Summer Time)"), an abbreviation ("12:00 (CEST)"), a label ("(updated)")."""
NAMED_OFFSET = re.compile(r"\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d\d))?\b")
"""An offset from UTC as pages print it ("GMT+2", "UTC-05:00", "GMT+0200"): east of Greenwich for a plus, as ISO 8601
has it (dateutil reads such a name by POSIX's rule, the other way round)."""
COUNTRY_TIME_ZONES = {
    "at": "Europe/Vienna",
    "be": "Europe/Brussels",
    "bg": "Europe/Sofia",
    "ch": "Europe/Zurich",
    "cz": "Europe/Prague",
    "de": "Europe/Berlin",
    "dk": "Europe/Copenhagen",
    "ee": "Europe/Tallinn",
    "es": "Europe/Madrid",
    "fi": "Europe/Helsinki",
    "fr": "Europe/Paris",
    "gb": "Europe/London",
    "gr": "Europe/Athens",
    "hr": "Europe/Zagreb",
    "hu": "Europe/Budapest",
    "ie": "Europe/Dublin",
    "it": "Europe/Rome",
    "lt": "Europe/Vilnius",
    "lu": "Europe/Luxembourg",
    "lv": "Europe/Riga",
    "nl": "Europe/Amsterdam",
    "no": "Europe/Oslo",
    "pl": "Europe/Warsaw",
    "pt": "Europe/Lisbon",
    "ro": "Europe/Bucharest",
    "rs": "Europe/Belgrade",
    "se": "Europe/Stockholm",
    "si": "Europe/Ljubljana",
    "sk": "Europe/Bratislava",
    "tr": "Europe/Istanbul",
    "uk": "Europe/London",
    "il": "Asia/Jerusalem",
    "in": "Asia/Kolkata",
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "cn": "Asia/Shanghai",
    "tw": "Asia/Taipei",
    "hk": "Asia/Hong_Kong",
    "sg": "Asia/Singapore",
    "ph": "Asia/Manila",
    "th": "Asia/Bangkok",
    "za": "Africa/Johannesburg",
    "ng": "Africa/Lagos",
    "eg": "Africa/Cairo",
    "ke": "Africa/Nairobi",
    "nz": "Pacific/Auckland",
    "ar": "America/Argentina/Buenos_Aires",
}
"""The time zone of countries where (nearly) everyone keeps one, by their code as a top-level domain and as the
region of a language tag ("de-AT", "ja_JP"); countries of several zones (the United States, Russia, Brazil, ...)
are left out, and so are codes used as generic domains (.co, .me, .tv, .io)."""
MAX_UTC_OFFSET = timedelta(hours=14)
OFFSET_STEP = timedelta(minutes=15)
"""Every UTC offset in use is a whole number of quarter hours, and at most 14 hours."""


@dataclass(frozen=True)
class DateReading:
    """A date a page states: aware (in the page's offset, UTC where it gave none) and how precise it was."""

    value: datetime
    has_time: bool
    has_seconds: bool
    has_offset: bool

    @property
    def precision(self) -> tuple[bool, bool, bool, bool]:
        """Orders readings: a time beats a day, an offset beats none, seconds beat minutes, a fraction of a second beats none."""
        return (self.has_time, self.has_offset, self.has_seconds, self.value.microsecond != 0)

    def states_same_moment(self, other: DateReading) -> bool:
        """Whether ``other`` can be this date told more or less precisely.

        A day agrees with any time on that day (in that time's own offset); a time without
        an offset agrees with a time a whole number of quarter hours away, at most 14 hours
        (the same wall clock in another offset); two times with offsets agree when they are
        the same minute.
        """
        if not (self.has_time and other.has_time):
            return self.value.date() == other.value.date()
        difference = abs(self.value - other.value).total_seconds() // 60 * 60
        if self.has_offset and other.has_offset:
            return difference == 0
        return timedelta(seconds=difference) <= MAX_UTC_OFFSET and difference % OFFSET_STEP.total_seconds() == 0


def _stated_offset(abbreviation: str | None, offset: int | None) -> int | None:
    """The offset in seconds a date string states, by an abbreviation of ``TIME_ZONE_ABBREVIATIONS`` or by number;
    None for none or an abbreviation left out there (the time is then read without offset, as no time zone named)."""
    return TIME_ZONE_ABBREVIATIONS.get(abbreviation or "", offset)


def _parse(text: str) -> datetime | None:
    parsed: datetime
    try:
        parsed = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        try:
            # A date missing its year or month takes them from PARTIAL_DATE_DEFAULT, out of range.
            iso_offsets = NAMED_OFFSET.sub(lambda match: f"{match[1]}{int(match[2]):02d}:{match[3] or '00'}", text)
            parsed = date_parser.parse(iso_offsets, fuzzy=False, default=PARTIAL_DATE_DEFAULT, tzinfos=_stated_offset)
        except (ValueError, OverflowError):
            return None
    return parsed


def _without_zone_name(text: str) -> str:
    """``text`` without the words in parentheses at its end, but for a time-zone abbreviation, kept without them."""
    match = ZONE_NAME.search(text)
    if match is None:
        return text
    return text[: match.start()] + (f" {match[1]}" if match[1] in TIME_ZONE_ABBREVIATIONS else "")


def read_date(value: str | None, now: datetime | None = None) -> DateReading | None:
    """A page's date string read with its precision, or None if it is not a plausible date.

    A date without an offset is taken as UTC; a date in the future (beyond a day of clock
    skew) or before 1990 is rejected rather than trusted. A time of exactly midnight
    (``2024-11-29T00:00:00+01:00``) is how systems write a day they know no time for: it is
    read as that day.
    """
    if not value or not isinstance(value, str):
        return None
    text = _without_zone_name(value).strip()
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    parsed = _parse(text)
    if parsed is None:
        return None
    has_offset = parsed.tzinfo is not None
    if not has_offset:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        in_utc = parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # 9999-12-31T23:00-05:00 is past datetime.max; +25:00 is no offset
        return None
    if in_utc < EARLIEST or in_utc > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        return None
    if parsed.time() == time(0):
        return DateReading(value=datetime.combine(parsed.date(), time(0), UTC), has_time=False, has_seconds=False, has_offset=False)
    has_time = bool(TIME_OF_DAY.search(text))
    return DateReading(value=parsed, has_time=has_time, has_seconds=bool(SECONDS.search(text)), has_offset=has_time and has_offset)


def parse_date(value: str | None, now: datetime | None = None) -> datetime | None:
    """An aware datetime from a page's date string (see ``read_date``), or None."""
    reading = read_date(value, now)
    return reading.value if reading else None


def most_precise(readings: Iterable[DateReading | None]) -> DateReading | None:
    """The first reading, told as precisely as any later reading that states the same moment."""
    found = [reading for reading in readings if reading]
    if not found:
        return None
    first = found[0]
    return max((reading for reading in found if first.states_same_moment(reading)), key=lambda reading: reading.precision)


def page_time_zone(host: str | None, language_tags: Iterable[str]) -> ZoneInfo | None:
    """The time zone of the country a page is from: its domain's (``.de``, ``.co.uk``), else its language tags' region
    (BCP 47 tags such as "de-AT").

    None where neither names a country of one time zone (:data:`COUNTRY_TIME_ZONES`).
    """
    regions = [tag.split("-")[1:2] for tag in language_tags]
    countries = [(host or "").rsplit(".", 1)[-1], *(region[0] for region in regions if region)]
    name = next((COUNTRY_TIME_ZONES[country.lower()] for country in countries if country.lower() in COUNTRY_TIME_ZONES), None)
    try:
        return ZoneInfo(name) if name else None
    except ZoneInfoNotFoundError:  # a system without the time-zone database
        return None


def _on_clock_of(zone: ZoneInfo, clock: datetime) -> datetime:
    """The moment ``clock``'s date and time of day (whatever its offset) name in ``zone``, with that zone's offset then."""
    local = clock.replace(tzinfo=zone)
    return local.astimezone(timezone(local.utcoffset() or timedelta(0)))


def as_shown(reading: DateReading | None, shown: str, zone: ZoneInfo | None) -> DateReading | None:
    """A reading of a ``<time>`` element, told by the text it shows: a time said to be UTC whose clock time the text
    shows, on a page of a country whose clock was not UTC then, is that country's clock time with a wrong offset.

    ``<time datetime="2024-04-28T08:52:55+00:00">28.04.2024 um 08:52 Uhr</time>`` on a German page was
    published at 08:52 in Germany; ``<time datetime="2024-12-02T19:56:56Z">20:56h</time>`` is told right.
    """
    if reading is None or zone is None or not reading.has_offset or reading.value.utcoffset() != timedelta(0):
        return reading
    clock = reading.value.replace(tzinfo=None)
    shown_times = {(int(hour), int(minute)) for hour, minute in SHOWN_CLOCK_TIME.findall(shown)}
    if zone.utcoffset(clock) == timedelta(0) or (clock.hour, clock.minute) not in shown_times:
        return reading
    return replace(reading, value=_on_clock_of(zone, clock))


def in_time_zone(reading: DateReading | None, zone: ZoneInfo | None) -> datetime | None:
    """The moment a reading states; a time the page gave without an offset is a time of ``zone`` where one is known.

    Pages that leave the offset out give their own country's clock time ("2023-04-28 18:16"
    on a German page is 16:16 UTC), not UTC.
    """
    if reading is None:
        return None
    if not reading.has_time or reading.has_offset or zone is None:
        return reading.value
    return _on_clock_of(zone, reading.value)


def date_from_url(url: str) -> DateReading | None:
    """The day a URL such as ``/2024/05/17/slug/`` names, at midnight UTC."""
    match = URL_DATE.search(url)
    if not match:
        return None
    return read_date("-".join(match.groups()))
