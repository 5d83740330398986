"""Article sources besides index pages: RSS/Atom feeds and sitemaps, and where a site names them.

Parsing is left to feedparser (feeds) and Scrapy's own sitemap support
(``scrapy.utils.sitemap``: sitemap indexes, url sets, news sitemaps, robots.txt
``Sitemap:`` lines); this module turns their output into entries, each an
article URL with the date the source says it last changed.
"""

from __future__ import annotations

import calendar
import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import urljoin

import feedparser
import lxml.etree
from parsel import Selector
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from crawler.extraction.dates import parse_date

FEED_TYPES = ("application/rss+xml", "application/atom+xml")
FEED_LINK_XPATH = "//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"
GUESSED_FEED_PATH = "/feed/"
GUESSED_SITEMAP_PATH = "/sitemap.xml"
GZIP_MAGIC = b"\x1f\x8b"


class SourceKind(StrEnum):
    FEED = "feed"
    SITEMAP_INDEX = "sitemapindex"
    URLSET = "urlset"


@dataclass(frozen=True)
class Entry:
    """One URL a feed or sitemap lists, with when the source says it last changed (None if it does not)."""

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    entries: list[Entry]
    """Articles (feed, url set) or further sitemaps (sitemap index)."""


class UnusableSource(ValueError):
    """The document is neither a feed nor a sitemap, or cannot be read."""


def feed_links(page: Selector, page_url: str) -> list[str]:
    """The RSS/Atom feeds a page names with ``<link rel="alternate">``, comment feeds left out."""
    urls = []
    for link in page.xpath(FEED_LINK_XPATH):
        kind = (link.attrib.get("type") or "").split(";")[0].strip().lower()
        href = link.attrib.get("href", "").strip()
        label = f"{link.attrib.get('title', '')} {href}".lower()
        if kind in FEED_TYPES and href and "comments" not in label:
            urls.append(urljoin(page_url, href))
    return list(dict.fromkeys(urls))


def sitemaps_from_robots(body: bytes, robots_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt."""
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=robots_url)))


def _struct_time_utc(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def _feed(body: bytes, url: str) -> Source | None:
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.get("version"):
        return None
    entries = []
    for item in parsed.entries:
        link = item.get("link")
        if link:
            # Plain dict look-ups: feedparser's own maps one date onto the other with a warning.
            dates = [dict.get(item, key) for key in ("updated_parsed", "published_parsed")]
            lastmod = _struct_time_utc(next((date for date in dates if date), None))
            entries.append(Entry(urljoin(url, link), lastmod))
    return Source(SourceKind.FEED, entries)


def _sitemap(body: bytes, url: str) -> Source | None:
    try:
        sitemap = Sitemap(body)
    except (lxml.etree.XMLSyntaxError, StopIteration):
        return None
    if sitemap.type not in (SourceKind.SITEMAP_INDEX, SourceKind.URLSET):
        return None
    entries = [Entry(urljoin(url, item["loc"]), parse_date(item.get("lastmod"))) for item in sitemap if item.get("loc")]
    return Source(SourceKind(sitemap.type), entries)


def parse_source(body: bytes, url: str, max_size: int = 0) -> Source:
    """Read a feed or a sitemap (gzipped or not); raises :class:`UnusableSource` for anything else."""
    if body.startswith(GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=max_size)
        except (OSError, EOFError, ValueError, struct.error, zlib.error) as error:
            raise UnusableSource(f"cannot decompress ({error})") from None
    if not body.strip():
        raise UnusableSource("empty document")
    source = _sitemap(body, url) or _feed(body, url)
    if source is None:
        raise UnusableSource("neither an RSS/Atom feed nor a sitemap")
    return source
