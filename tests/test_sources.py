"""Feeds and sitemaps as article sources (``crawler.sources``) and the decisions discovery makes with them."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest
from parsel import Selector

from archive.rechecks import KnownArticle
from crawler.discovery import Action, SiteKnowledge
from crawler.sources import (
    Entry,
    SourceKind,
    UnusableSource,
    feed_links,
    parse_source,
    sitemaps_from_robots,
)

BASE = "https://news.example/"
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>
<item><title>A</title><link>/gnome-48-released/</link><pubDate>Wed, 25 Nov 2026 10:00:00 +0100</pubDate></item>
<item><title>B</title><link>https://news.example/kernel-6-12/</link></item>
<item><title>No link</title></item></channel></rss>"""
ATOM = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>
<entry><title>A</title><link href="https://news.example/a-story/"/><updated>2026-11-20T08:00:00Z</updated></entry></feed>"""
SITEMAP_INDEX = b"""<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/post-sitemap.xml</loc><lastmod>2026-11-24T10:00:00+00:00</lastmod></sitemap>
<sitemap><loc>https://news.example/page-sitemap.xml</loc></sitemap></sitemapindex>"""
NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/gnome-48-released/</loc><lastmod>2026-11-25</lastmod>
<news:news><news:publication_date>2026-11-25T09:00:00Z</news:publication_date><news:title>A</news:title></news:news></url>
<url><loc>https://news.example/kernel-6-12/</loc><lastmod>not a date</lastmod></url></urlset>"""


def test_rss_entries_with_absolute_urls_and_dates_in_utc() -> None:
    source = parse_source(RSS, f"{BASE}feed/")
    assert source.kind is SourceKind.FEED
    assert source.entries == [
        Entry(f"{BASE}gnome-48-released/", datetime(2026, 11, 25, 9, 0, tzinfo=UTC)),
        Entry(f"{BASE}kernel-6-12/", None),
    ]


def test_atom_entries() -> None:
    assert parse_source(ATOM, f"{BASE}feed/atom/").entries == [Entry(f"{BASE}a-story/", datetime(2026, 11, 20, 8, 0, tzinfo=UTC))]


def test_sitemap_index_and_news_sitemap_gzipped_or_not() -> None:
    index = parse_source(SITEMAP_INDEX, f"{BASE}sitemap_index.xml")
    assert index.kind is SourceKind.SITEMAP_INDEX
    assert index.entries == [
        Entry(f"{BASE}post-sitemap.xml", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        Entry(f"{BASE}page-sitemap.xml", None),
    ]
    for body in (NEWS_SITEMAP, gzip.compress(NEWS_SITEMAP)):
        urlset = parse_source(body, f"{BASE}news-sitemap.xml.gz")
        assert urlset.kind is SourceKind.URLSET
        assert urlset.entries == [
            Entry(f"{BASE}gnome-48-released/", datetime(2026, 11, 25, tzinfo=UTC)),
            Entry(f"{BASE}kernel-6-12/", None),
        ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"<html><body><h1>Not a feed</h1></body></html>", "neither an RSS/Atom feed nor a sitemap"),
        (b"\x1f\x8b\x08 broken gzip", "cannot decompress"),
    ],
)
def test_anything_else_is_unusable(body: bytes, reason: str) -> None:
    with pytest.raises(UnusableSource, match=reason):
        parse_source(body, f"{BASE}feed/")


def test_feed_links_of_a_page_leave_comment_feeds_out() -> None:
    page = Selector(
        text="""<html><head>
    <link rel="alternate" type="application/rss+xml" title="News Feed" href="/feed/">
    <link rel="alternate" type="application/rss+xml" title="News Comments Feed" href="/comments/feed/">
    <link rel="alternate" type="application/atom+xml" href="https://news.example/feed/atom/">
    <link rel="alternate" hreflang="de" href="/de/">
    <link rel="stylesheet" type="text/css" href="/style.css"></head></html>"""
    )
    assert feed_links(page, BASE) == [f"{BASE}feed/", f"{BASE}feed/atom/"]


def test_sitemaps_from_robots() -> None:
    robots = b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap_index.xml\nsitemap: https://cdn.example/news.xml\n"
    assert sitemaps_from_robots(robots, f"{BASE}robots.txt") == [f"{BASE}sitemap_index.xml", "https://cdn.example/news.xml"]


CHECKED = datetime(2026, 11, 20, tzinfo=UTC)


def knowledge(full: bool = False) -> SiteKnowledge:
    known = KnownArticle(1, f"{BASE}known/", CHECKED, CHECKED - timedelta(days=30))
    return SiteKnowledge({known.url: known}, {f"{BASE}known/amp/": 1}, last_crawl_at=CHECKED, full=full)


@pytest.mark.parametrize(
    ("entry", "action"),
    [
        (Entry(f"{BASE}new/", None), Action.FETCH),
        (Entry(f"{BASE}new/", CHECKED - timedelta(days=9)), Action.FETCH),
        (Entry(f"{BASE}known/", None), Action.SKIP),
        (Entry(f"{BASE}known/", CHECKED), Action.SKIP),
        (Entry(f"{BASE}known/", CHECKED + timedelta(seconds=1)), Action.RECHECK),
        (Entry(f"{BASE}known/amp/", CHECKED + timedelta(days=1)), Action.SKIP),
    ],
)
def test_feed_and_sitemap_entries(entry: Entry, action: Action) -> None:
    assert knowledge().entry_action(entry) is action


def test_index_pages_are_followed_while_they_list_articles_not_archived() -> None:
    site = knowledge()
    assert site.follow_older([f"{BASE}new/", f"{BASE}known/", f"{BASE}sidebar-story/"])
    # The sidebar story is on every page: seen once, it no longer counts as new.
    assert not site.follow_older([f"{BASE}known/", f"{BASE}known/amp/", f"{BASE}sidebar-story/"])
    assert knowledge(full=True).follow_older([f"{BASE}known/"]), "full=1 walks every index page"
    assert SiteKnowledge({}).follow_older([]), "a first crawl walks every index page"


def test_child_sitemaps_unchanged_since_the_last_crawl_are_skipped() -> None:
    site = knowledge()
    assert not site.wants_sitemap(Entry(f"{BASE}post-sitemap.xml", CHECKED))
    assert site.wants_sitemap(Entry(f"{BASE}post-sitemap.xml", CHECKED + timedelta(minutes=1)))
    assert site.wants_sitemap(Entry(f"{BASE}post-sitemap.xml", None))
    assert knowledge(full=True).wants_sitemap(Entry(f"{BASE}post-sitemap.xml", CHECKED))
