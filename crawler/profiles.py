"""Site profiles: TOML files that tell the spider where a site's articles are.

A profile names the site, where to start, which domains belong to it and,
optionally, its RSS/Atom feeds and sitemaps, CSS selectors for article links, the next index page, the article
body and elements to remove. Built-in profiles live in ``crawler/sites``;
users add their own in the directory named by ``ARCHIVE_PROFILES_DIR`` (a user
profile with a built-in's name replaces it). Profiles that share their
selectors say so once: ``extends = "wordpress"`` takes every key of the base
``bases/wordpress.toml`` (beside the profile, else built in:
``crawler/sites/bases``), and the profile's own keys override or add to them
(``selectors`` key by key). A base is not a site of its own and may extend
another base. Every file is validated on load: an error names the file and the
key (the base's file for a key that came from the base).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError

from archive.canonical_urls import DEFAULT_PORTS
from crawler.durations import parse_duration
from crawler.extraction.rules import BodyRules, compiled_selector
from crawler.links import ascii_domain

BUILTIN_PROFILES_DIR = Path(__file__).parent / "sites"
BASES_DIR_NAME = "bases"
"""The folder, beside the profiles, of the bases they extend."""
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TOP_LEVEL_KEYS = {"name", "title", "enabled", "start_urls", "allowed_domains", "feeds", "sitemaps", "selectors", "extends", "every"}
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
    every: timedelta | None = None
    """How often the queue's beat enqueues this site (None: the ARCHIVE_QUEUE_EVERY setting)."""
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


def _every(path: Path, value: Any) -> timedelta:
    text = _string(path, "every", value)
    try:
        return parse_duration(text)
    except ValueError as error:
        raise _fail(path, "every", str(error)) from None


KeyFile = Callable[[str], Path]
"""The file a key (``name``, ``selectors.body``, ...) of a profile was read from: the profile's own or a base's."""


def _selectors(file_of: KeyFile, value: Any) -> Selectors:
    if not isinstance(value, dict):
        raise _fail(file_of("selectors"), "selectors", "expected a table")
    unknown = sorted(set(value) - SELECTOR_KEYS)
    if unknown:
        key = f"selectors.{unknown[0]}"
        raise _fail(file_of(key), key, f"unknown key (known: {', '.join(sorted(SELECTOR_KEYS))})")
    single = {k: _selector(file_of(f"selectors.{k}"), f"selectors.{k}", value[k]) for k in ("article_links", "next_page", "body") if k in value}
    remove_file = file_of("selectors.remove")
    remove = tuple(
        _selector(remove_file, f"selectors.remove[{i}]", s) for i, s in enumerate(_strings(remove_file, "selectors.remove", value.get("remove", [])))
    )
    return Selectors(**single, remove=remove)


def parse_profile(path: Path, data: dict[str, Any], key_files: dict[str, Path] | None = None) -> SiteProfile:
    """Validate the TOML table ``data`` read from ``path`` (its keys from ``key_files``, when bases gave some) into a profile."""

    def file_of(key: str) -> Path:
        return (key_files or {}).get(key, path)

    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise _fail(file_of(unknown[0]), unknown[0], f"unknown key (known: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    for required in ("name", "start_urls"):
        if required not in data:
            raise _fail(path, required, "missing required key")
    name = _string(file_of("name"), "name", data["name"])
    if not NAME_PATTERN.match(name):
        raise _fail(file_of("name"), "name", f"{name!r} must be lower-case letters, digits, '-' or '_'")
    start_urls = _urls(file_of("start_urls"), "start_urls", data["start_urls"])
    if not start_urls:
        raise _fail(file_of("start_urls"), "start_urls", "needs at least one URL")
    domains = _strings(file_of("allowed_domains"), "allowed_domains", data.get("allowed_domains", []))
    if not domains:
        domains = tuple(dict.fromkeys(SiteProfile.from_start_url(url).allowed_domains[0] for url in start_urls))
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _fail(file_of("enabled"), "enabled", f"expected true or false, got {enabled!r}")
    return SiteProfile(
        name=name,
        title=_string(file_of("title"), "title", data["title"]) if "title" in data else name,
        enabled=enabled,
        start_urls=start_urls,
        allowed_domains=tuple(ascii_domain(d) for d in domains),
        feeds=_urls(file_of("feeds"), "feeds", data.get("feeds", [])),
        sitemaps=_urls(file_of("sitemaps"), "sitemaps", data.get("sitemaps", [])),
        selectors=_selectors(file_of, data.get("selectors", {})),
        every=_every(file_of("every"), data["every"]) if "every" in data else None,
        source=str(path),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except OSError as error:
        raise ProfileError(f"{path}: cannot read ({error.strerror or error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{path}: invalid TOML ({error})") from None


def _base_path(path: Path, name: str) -> Path:
    """The base ``name`` that the profile or base at ``path`` extends: from its own folder's bases, else built in."""
    directory = path.parent if path.parent.name == BASES_DIR_NAME else path.parent / BASES_DIR_NAME
    folders = dict.fromkeys((directory, BUILTIN_PROFILES_DIR / BASES_DIR_NAME))
    for folder in folders:
        if (folder / f"{name}.toml").is_file():
            return folder / f"{name}.toml"
    known = sorted({base.stem for folder in folders for base in folder.glob("*.toml")})
    raise _fail(path, "extends", f"no base named {name!r} (known: {', '.join(known) or 'none'})")


def _keys_of(path: Path, data: dict[str, Any]) -> dict[str, Path]:
    keys = {key: path for key in data}
    if isinstance(data.get("selectors"), dict):
        keys.update({f"selectors.{key}": path for key in data["selectors"]})
    return keys


def _extended(path: Path, data: dict[str, Any], extending: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, Path]]:
    """``data`` over every base it extends (``extends`` resolved and removed), and the file each key came from."""
    if "extends" not in data:
        return data, _keys_of(path, data)
    name = _string(path, "extends", data["extends"])
    base = _base_path(path, name)
    if base in (*extending, path):
        cycle = " -> ".join(p.stem for p in (*extending, path, base))
        raise _fail(path, "extends", f"{name!r} extends itself ({cycle})")
    base_data, key_files = _extended(base, _read_toml(base), (*extending, path))
    own = {key: value for key, value in data.items() if key != "extends"}
    merged = {**base_data, **own}
    if isinstance(base_data.get("selectors"), dict) and isinstance(own.get("selectors"), dict):
        merged["selectors"] = {**base_data["selectors"], **own["selectors"]}
    key_files.update(_keys_of(path, own))
    return merged, key_files


def load_profile(path: Path) -> SiteProfile:
    """Read and validate one profile file, with the bases it extends."""
    data, key_files = _extended(path, _read_toml(path))
    return parse_profile(path, data, key_files)


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
