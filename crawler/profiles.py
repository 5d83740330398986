"""Site profiles: TOML files that tell the spider where a site's articles are.

A profile names the site, where to start, which domains belong to it and,
optionally, its RSS/Atom feeds and sitemaps, CSS selectors for article links, the next index page, the article
body and elements to remove. Built-in profiles live in ``crawler/sites``;
users add their own in the directory named by ``ARCHIVE_PROFILES_DIR`` (a user
profile with a built-in's name replaces it). Every file is validated on load:
an error names the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError

from archive.urls import DEFAULT_PORTS
from crawler.extraction import BodyRules
from crawler.extraction.body import compiled_selector
from crawler.urls import ascii_domain

BUILTIN_PROFILES_DIR = Path(__file__).parent / "sites"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TOP_LEVEL_KEYS = {"name", "title", "enabled", "start_urls", "allowed_domains", "feeds", "sitemaps", "selectors"}
SELECTOR_KEYS = {"article_links", "next_page", "body", "remove"}


class ProfileError(ValueError):
    """A profile file is missing, unreadable or invalid; the message names the file and key."""


@dataclass(frozen=True)
class Selectors:
    article_links: str | None = None
    next_page: str | None = None
    body: str | None = None
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteProfile:
    name: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    title: str = ""
    enabled: bool = True
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    selectors: Selectors = field(default_factory=Selectors)
    source: str = ""
    """The file the profile was loaded from ("" for one made from a start URL)."""

    @property
    def body_rules(self) -> BodyRules:
        return BodyRules(body=self.selectors.body, remove=self.selectors.remove)

    @classmethod
    def from_start_url(cls, url: str) -> SiteProfile:
        """The zero-configuration profile of a site known only by one URL (named by :func:`site_name`)."""
        name = site_name(url)
        return cls(name=name, start_urls=(url,), allowed_domains=(ascii_domain(_domain(url)),), title=name)


def _domain(url: str) -> str:
    """The domain of a site: the URL's host without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def site_name(url: str) -> str:
    """The name of the site at ``url``'s origin; :class:`ProfileError` unless it is an http(s) URL with a valid port.

    A site is an origin: named by its domain (without ``www.``) and, unless it
    is the scheme's default, its port (``127.0.0.1:8042``), so that sites on one
    host at different ports are different sites, with their own locks and
    articles. Its allowed domain is the domain alone (Scrapy's allowed domains
    have no ports).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"start_url {url!r} is not an http(s) URL")
    try:
        port = parts.port
    except ValueError:
        raise ProfileError(f"start_url {url!r} has an invalid port") from None
    domain = _domain(url)
    if port in (None, DEFAULT_PORTS[parts.scheme]):
        return domain
    return f"[{domain}]:{port}" if ":" in domain else f"{domain}:{port}"  # an IPv6 literal in brackets


def _fail(path: Path, key: str, problem: str) -> ProfileError:
    return ProfileError(f"{path}: {key}: {problem}")


def _string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"expected a non-empty string, got {value!r}")
    return value.strip()


def _strings(path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(path, key, f"expected a list of strings, got {value!r}")
    return tuple(_string(path, f"{key}[{i}]", item) for i, item in enumerate(value))


def _urls(path: Path, key: str, value: Any) -> tuple[str, ...]:
    urls = _strings(path, key, value)
    for i, url in enumerate(urls):
        try:
            site_name(url)
        except ProfileError:
            raise _fail(path, f"{key}[{i}]", f"{url!r} is not an http(s) URL with a valid port") from None
    return urls


def _selector(path: Path, key: str, value: Any) -> str:
    text = _string(path, key, value)
    try:
        compiled_selector(text)
    except SelectorError as error:
        raise _fail(path, key, f"invalid CSS selector {text!r} ({error})") from None
    return text


def _selectors(path: Path, value: Any) -> Selectors:
    if not isinstance(value, dict):
        raise _fail(path, "selectors", "expected a table")
    unknown = set(value) - SELECTOR_KEYS
    if unknown:
        raise _fail(path, f"selectors.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(SELECTOR_KEYS))})")
    single = {k: _selector(path, f"selectors.{k}", value[k]) for k in ("article_links", "next_page", "body") if k in value}
    remove = tuple(_selector(path, f"selectors.remove[{i}]", s) for i, s in enumerate(_strings(path, "selectors.remove", value.get("remove", []))))
    return Selectors(**single, remove=remove)


def parse_profile(path: Path, data: dict[str, Any]) -> SiteProfile:
    """Validate the TOML table ``data`` read from ``path`` into a profile."""
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise _fail(path, sorted(unknown)[0], f"unknown key (known: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    for required in ("name", "start_urls"):
        if required not in data:
            raise _fail(path, required, "missing required key")
    name = _string(path, "name", data["name"])
    if not NAME_PATTERN.match(name):
        raise _fail(path, "name", f"{name!r} must be lower-case letters, digits, '-' or '_'")
    start_urls = _urls(path, "start_urls", data["start_urls"])
    if not start_urls:
        raise _fail(path, "start_urls", "needs at least one URL")
    domains = _strings(path, "allowed_domains", data.get("allowed_domains", []))
    if not domains:
        domains = tuple(dict.fromkeys(SiteProfile.from_start_url(url).allowed_domains[0] for url in start_urls))
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _fail(path, "enabled", f"expected true or false, got {enabled!r}")
    return SiteProfile(
        name=name,
        title=_string(path, "title", data["title"]) if "title" in data else name,
        enabled=enabled,
        start_urls=start_urls,
        allowed_domains=tuple(ascii_domain(d) for d in domains),
        feeds=_urls(path, "feeds", data.get("feeds", [])),
        sitemaps=_urls(path, "sitemaps", data.get("sitemaps", [])),
        selectors=_selectors(path, data.get("selectors", {})),
        source=str(path),
    )


def load_profile(path: Path) -> SiteProfile:
    """Read and validate one profile file."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise ProfileError(f"{path}: cannot read ({error.strerror or error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: invalid TOML ({error})") from None
    return parse_profile(path, data)


def load_profiles(user_dir: str | Path | None = None) -> dict[str, SiteProfile]:
    """Built-in profiles, then the user's (which replace built-ins of the same name)."""
    directories = [BUILTIN_PROFILES_DIR]
    if user_dir:
        user_path = Path(user_dir).expanduser()
        if not user_path.is_dir():
            raise ProfileError(f"{user_path}: ARCHIVE_PROFILES_DIR is not a directory")
        directories.append(user_path)
    profiles: dict[str, SiteProfile] = {}
    for directory in directories:
        for path in sorted(directory.glob("*.toml")):
            profile = load_profile(path)
            profiles[profile.name] = profile
    return profiles
