"""Durations written the way crontabs and systemd timers are read: ``"30m"``, ``"2h"``, ``"1d"``, ``"1h30m"``.

A duration is one or more whole numbers, each followed by its unit: ``s``
seconds, ``m`` minutes, ``h`` hours, ``d`` days. ``parse_duration`` raises
``ValueError`` naming what it expected.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
DURATION_PATTERN = re.compile(r"^(?:\d+[smhd])+$")
PART_PATTERN = re.compile(r"(\d+)([smhd])")


def parse_duration(text: str) -> timedelta:
    """The duration ``text`` says; never zero."""
    compact = text.strip().lower()
    if not DURATION_PATTERN.match(compact):
        raise ValueError(f"{text!r} is not a duration such as 30m, 2h or 1d (units s, m, h, d)")
    duration = sum((timedelta(**{UNITS[unit]: int(number)}) for number, unit in PART_PATTERN.findall(compact)), timedelta())
    if not duration:
        raise ValueError(f"{text!r} is no time at all")
    return duration
