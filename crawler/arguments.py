"""The ``-a NAME=VALUE`` arguments of ``scrapy crawl news`` (and ``scrapy enqueue news``), parsed into one typed object.

Every argument is checked before anything is fetched: an unknown name (a
misspelt ``-a strat_url=``), a value of the wrong kind, an empty value or two
arguments that exclude each other raise ``ArgumentError``, whose message is the
one line the command prints after ``error:``. ``chosen_profiles`` turns the
arguments into the site profiles to crawl.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from archive.rechecks import RecheckMode
from crawler.profiles import ProfileError, SiteProfile, load_profile, load_profiles

FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
SITE_CHOICES = ("start_url", "site", "profile")
"""Arguments that each choose what to crawl; at most one may be given."""


class ArgumentError(ValueError):
    """An ``-a`` argument of the crawl is unknown or has a bad value; the message names it."""


class CrawlMode(StrEnum):
    """What a crawl was asked to crawl (recorded in ``crawl_runs.mode``)."""

    START_URL = "start_url"
    SITE = "site"
    PROFILE = "profile"
    ALL = "all"


@dataclass(frozen=True)
class CrawlArguments:
    start_url: str | None = None
    """Zero configuration: the URL to start from."""
    site: str | None = None
    """A built-in or user profile, by name."""
    profile: str | None = None
    """A profile file's path."""
    max_pages: int | None = None
    """Index pages followed per site (0: no bound; None: the ARCHIVE_MAX_PAGES setting)."""
    recheck: RecheckMode = RecheckMode.DUE
    full: bool = False
    """Walk every index page and sitemap again, even where the archive says nothing there is new."""

    @property
    def mode(self) -> CrawlMode:
        for name in SITE_CHOICES:
            if getattr(self, name) is not None:
                return CrawlMode(name)
        return CrawlMode.ALL

    def as_strings(self) -> dict[str, str]:
        """The arguments that differ from their defaults, as ``-a`` values that parse back to these arguments."""
        values: dict[str, str] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value == item.default:
                continue
            values[item.name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return values


ARGUMENT_NAMES = tuple(item.name for item in fields(CrawlArguments))


def _unknown(name: str) -> ArgumentError:
    close = difflib.get_close_matches(name, ARGUMENT_NAMES, n=1)
    hint = f" (did you mean -a {close[0]}?)" if close else ""
    return ArgumentError(f"unknown argument -a {name}{hint}; the arguments are {', '.join(ARGUMENT_NAMES)}")


def _text(name: str, value: object) -> str:
    text = str(value).strip()
    if not text:
        raise ArgumentError(f"-a {name}= is empty (a crontab variable that is not set?)")
    return text


def _start_url(value: object) -> str:
    url = _text("start_url", value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(f"-a start_url={url!r}: expected an http(s) URL such as https://example.com/")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number or out of range
    except ValueError as error:
        raise ArgumentError(f"-a start_url={url!r}: {error}") from None
    return url


def _non_negative_int(name: str, value: object) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r}: expected a whole number") from None
    if number < 0:
        raise ArgumentError(f"-a {name}={value!r}: must not be negative")
    return number


def _recheck(value: object) -> RecheckMode:
    try:
        return RecheckMode(str(value).strip().lower())
    except ValueError:
        raise ArgumentError(f"-a recheck={value!r}: expected one of {', '.join(RecheckMode)}") from None


def _flag(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in FLAGS:
        raise ArgumentError(f"-a {name}={value!r}: expected 1 or 0")
    return FLAGS[text]


def parse_arguments(values: Mapping[str, object]) -> CrawlArguments:
    """The crawl's arguments from ``-a`` values (strings, or already typed values as given in Python)."""
    for name in values:
        if name not in ARGUMENT_NAMES:
            raise _unknown(name)
    given = [name for name in SITE_CHOICES if values.get(name) is not None]
    if len(given) > 1:
        raise ArgumentError(f"give at most one of -a start_url, -a site and -a profile, not {' and '.join(given)}")
    start_url, site, profile = (values.get(name) for name in SITE_CHOICES)
    max_pages, recheck, full = values.get("max_pages"), values.get("recheck"), values.get("full")
    return CrawlArguments(
        start_url=None if start_url is None else _start_url(start_url),
        site=None if site is None else _text("site", site),
        profile=None if profile is None else _text("profile", profile),
        max_pages=None if max_pages is None else _non_negative_int("max_pages", max_pages),
        recheck=RecheckMode.DUE if recheck is None else _recheck(recheck),
        full=False if full is None else _flag("full", full),
    )


def chosen_profiles(arguments: CrawlArguments, user_dir: str | Path | None) -> dict[str, SiteProfile]:
    """The profiles the arguments ask for, by site name: one, or every enabled one. Raises ``ProfileError``."""
    if arguments.start_url is not None:
        chosen = [SiteProfile.from_start_url(arguments.start_url)]
    elif arguments.profile is not None:
        chosen = [load_profile(Path(arguments.profile))]
    else:
        available = load_profiles(user_dir)
        if arguments.site is None:
            chosen = [profile for profile in available.values() if profile.enabled]
        elif arguments.site in available:
            chosen = [available[arguments.site]]
        else:
            raise ProfileError(f"no site profile named {arguments.site!r} (known: {', '.join(sorted(available))})")
    return {profile.name: profile for profile in chosen}
