"""A WordPress-like tech-news site served by a real HTTP server on 127.0.0.1.

Version 1 is the site as first crawled. Version 2 is the same site later: two
articles really changed (one body, one title), one article was deleted, and
every piece of page chrome changed (trending bar, sidebar, related articles,
share counts, comment counts, ads, footer), which must not count as a change.

With ``sources``, the site also has an RSS feed (named by
``<link rel="alternate">`` on its index pages, beside a comments feed) and a
sitemap index named by robots.txt, listing a sitemap of posts (``lastmod``:
when each article's content last changed) and one of pages. Every page
answers conditional requests: an ``ETag`` and a ``Last-Modified`` that move
only when the page's bytes change, and 304 when ``If-None-Match`` or
``If-Modified-Since`` says the client has the current page. Articles can be
added to the top of the front page (``add_article``), and answers can be held
back (``gate``) to keep a crawl running.

Besides articles the site has what a crawler must not archive or follow:
navigation, tag, category, author, about and privacy pages, a path that
robots.txt disallows, a link to another host, links with tracking parameters,
an AMP copy naming its original with rel=canonical and a mirror copy of an
article under another URL.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass(frozen=True)
class FixtureArticle:
    slug: str
    title: str
    author: str
    published: str
    topic: str
    paragraphs: tuple[str, ...]
    metadata: str = "jsonld"
    """How the page says it is an article: "jsonld", "og" or "none" (long text and a date)."""


def _paragraphs(topic: str, detail: str, number: int) -> tuple[str, ...]:
    return (
        f"{topic} {number} is now available for download, and this release focuses on {detail}. "
        f"The developers spent the last six months polishing the installer and the default desktop.",
        f"Under the hood, {topic} {number} ships a newer kernel with better support for recent laptops, "
        f"including improved power management and fixes for suspend on machines with hybrid graphics.",
        f"The package manager learned to resume interrupted downloads, and the software centre now shows "
        f"which applications come from {topic}'s own repositories and which come from third parties.",
        f"Users upgrading from the previous release should back up their home directory first; the "
        f"upgrade tool of {topic} {number} migrates most settings but not every customised theme.",
        f"You can download the ISO images of {topic} {number} from the official website, where the "
        f"release notes list every known issue and the checksums needed to verify the images.",
        f"As always, the {topic} community forums and chat rooms are the best place to ask for help "
        f"if something goes wrong during the installation or the first boot.",
    )


ARTICLES: tuple[FixtureArticle, ...] = (
    FixtureArticle(
        "fedora-41-released",
        "Fedora 41 Released with GNOME 47",
        "Arindam Sen",
        "2026-10-29T08:15:00+05:30",
        "Fedora",
        _paragraphs("Fedora", "GNOME 47 and DNF 5", 41),
    ),
    FixtureArticle(
        "ubuntu-24-10-review",
        "Ubuntu 24.10 Review: Oracular Oriole",
        "Marius Nestor",
        "2026-10-12T10:00:00+00:00",
        "Ubuntu",
        _paragraphs("Ubuntu", "a new installer", 24),
        "og",
    ),
    FixtureArticle(
        "linux-mint-22-beta",
        "Linux Mint 22 Beta Is Out",
        "Joey Sneddon",
        "2026-09-30T17:45:00-04:00",
        "Mint",
        _paragraphs("Linux Mint", "Cinnamon 6.2", 22),
    ),
    FixtureArticle(
        "kde-plasma-6-2",
        "KDE Plasma 6.2 Brings Better HDR",
        "Arindam Sen",
        "2026-09-20T06:00:00+00:00",
        "KDE",
        _paragraphs("KDE Plasma", "HDR and colour management", 6),
    ),
    FixtureArticle(
        "debian-13-trixie",
        "Debian 13 Trixie Is Now Frozen",
        "Marius Nestor",
        "2026-09-01T12:30:00+02:00",
        "Debian",
        _paragraphs("Debian", "the freeze of its next stable release", 13),
        "none",
    ),
    FixtureArticle(
        "firefox-132-features",
        "Firefox 132: What Is New",
        "Joey Sneddon",
        "2026-08-27T09:00:00+00:00",
        "Firefox",
        _paragraphs("Firefox", "privacy and tab groups", 132),
    ),
    FixtureArticle(
        "arch-linux-iso-update",
        "Arch Linux Refreshes Its Install ISO",
        "Arindam Sen",
        "2026-08-14T21:10:00+00:00",
        "Arch",
        _paragraphs("Arch Linux", "the archinstall guided installer", 2026),
    ),
    FixtureArticle(
        "gimp-3-0-rc",
        "GIMP 3.0 Release Candidate Arrives",
        "Marius Nestor",
        "2026-08-02T15:00:00+00:00",
        "GIMP",
        _paragraphs("GIMP", "non-destructive editing", 3),
    ),
)
INDEX_PAGES: tuple[tuple[str, ...], ...] = (
    ("fedora-41-released", "ubuntu-24-10-review", "linux-mint-22-beta"),
    ("kde-plasma-6-2", "debian-13-trixie", "firefox-132-features"),
    ("arch-linux-iso-update", "gimp-3-0-rc"),
)
MIRRORED_SLUG = "kde-plasma-6-2"
AMP_SLUG = "fedora-41-released"
TRACKED_SLUG = "linux-mint-22-beta"
EDITED_BODY_SLUG = "ubuntu-24-10-review"
EDITED_TITLE_SLUG = "firefox-132-features"
DELETED_SLUG = "gimp-3-0-rc"
OFFSITE_REDIRECT_SLUG = "moved-to-partner"
ADDED_PARAGRAPH = (
    "Update: Canonical has since published a point release that fixes the installer crash reported "
    "by several readers on machines with encrypted disks."
)
ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"
NON_ARTICLE_PATHS = ("/about/", "/privacy-policy/", "/tag/linux/", "/category/news/", "/author/arindam/", "/contact/")


def article_paragraphs(article: FixtureArticle, version: int) -> tuple[str, ...]:
    if version >= 2 and article.slug == EDITED_BODY_SLUG:
        return (*article.paragraphs, ADDED_PARAGRAPH)
    return article.paragraphs


def article_title(article: FixtureArticle, version: int) -> str:
    if version >= 2 and article.slug == EDITED_TITLE_SLUG:
        return article.title + " (Updated)"
    return article.title


def live_articles(version: int) -> list[FixtureArticle]:
    return [a for a in ARTICLES if not (version >= 2 and a.slug == DELETED_SLUG)]


def _chrome(version: int) -> dict[str, str]:
    """Everything around the article that changes between versions without changing any article."""
    trending = ["Why Wayland won", "Top 10 distros"] if version == 1 else ["Kernel 6.13 lands", "Best laptops for Linux", "Pop!_OS update"]
    return {
        "trending": "".join(f'<li><a href="/trending-{i}/">{escape(t)}</a></li>' for i, t in enumerate(trending)),
        "ad": "Advertisement: Try CloudHost free for 30 days" if version == 1 else "Sponsored: The best VPN deals of the week",
        "shares": "128 shares" if version == 1 else "1.2K shares",
        "comments": "3 Comments" if version == 1 else "17 Comments",
        "footer": "© 2025 Tux Daily. All rights reserved." if version == 1 else "© 2026 Tux Daily Media. Made with love.",
        "newsletter": "Subscribe to our newsletter for weekly Linux news!" if version == 1 else "Join 50,000 readers: get our free newsletter.",
        "related_title": "Related Articles" if version == 1 else "You may also like",
    }


def _layout(title: str, body: str, version: int, head: str = "") -> str:
    chrome = _chrome(version)
    nav = "".join(f'<li><a href="{path}">{path.strip("/").split("/")[-1].title()}</a></li>' for path in NON_ARTICLE_PATHS)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head><meta charset="utf-8"><title>{escape(title)} - Tux Daily</title>
<meta property="og:site_name" content="Tux Daily">{head}</head>
<body class="wordpress">
<header class="site-header"><a class="logo" href="/">Tux Daily</a><nav class="main-nav"><ul>{nav}</ul></nav>
<div class="trending-bar"><span>Trending:</span><ul>{chrome["trending"]}</ul></div></header>
<div class="site-content"><main id="main">{body}</main>
<aside class="sidebar"><div class="widget"><h3>Popular posts</h3><ul>{chrome["trending"]}</ul></div>
<div class="widget ad">{chrome["ad"]}</div></aside></div>
<footer class="site-footer"><p>{chrome["footer"]}</p><a href="http://localhost:{{port}}/partner-article/">Partner site</a></footer>
</body></html>"""


def article_page(article: FixtureArticle, version: int, canonical: str | None) -> str:
    chrome = _chrome(version)
    title = article_title(article, version)
    paragraphs = article_paragraphs(article, version)
    body_parts = [f"<p>{escape(p)}</p>" for p in paragraphs[:2]]
    body_parts.append(
        f'<figure class="wp-block-image"><img src="/img/{article.slug}.png" alt="">'
        f"<figcaption>Image credit: {escape(article.topic)} project</figcaption></figure>"
    )
    if paragraphs:
        body_parts.append(f"<h2>What is new in {escape(article.topic)}</h2>")
    body_parts.append(f'<div class="code-block ad">{chrome["ad"]}</div>')
    body_parts.extend(f"<p>{escape(p)}</p>" for p in paragraphs[2:])
    body_parts.append(
        f'<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Share this:</h3>'
        f'<ul><li><a href="https://twitter.com/share">Twitter</a></li><li><a href="https://facebook.com/share">Facebook</a></li>'
        f"<li>{chrome['shares']}</li></ul></div>"
    )
    related = [a for a in ARTICLES if a.slug != article.slug][: 3 if version == 1 else 2]
    body_parts.append(
        f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">{chrome["related_title"]}</h3>'
        + "".join(f'<p><a href="/{a.slug}/">{escape(article_title(a, version))}</a></p>' for a in related)
        + "</div>"
    )
    body_parts.append(f'<div class="newsletter-box"><p>{chrome["newsletter"]}</p><form><input type="email"></form></div>')
    head = ""
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if article.metadata in ("jsonld", "og"):
        head += '<meta property="og:type" content="article">'
        head += f'<meta property="article:published_time" content="{article.published}">'
        head += f'<meta property="article:tag" content="{escape(article.topic)}">'
    if article.metadata == "jsonld":
        data = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebSite", "name": "Tux Daily"},
                {
                    "@type": "NewsArticle",
                    "headline": title,
                    "datePublished": article.published,
                    "author": {"@type": "Person", "name": article.author},
                    "keywords": [article.topic, "Linux"],
                },
            ],
        }
        head += f'<script type="application/ld+json">{json.dumps(data)}</script>'
    head += f'<meta name="author" content="{escape(article.author)}">'
    body = f"""<article class="post type-post">
<header class="entry-header"><h1 class="entry-title">{escape(title)}</h1>
<div class="entry-meta">By <a href="/author/{article.author.split()[0].lower()}/">{escape(article.author)}</a>
<time class="entry-date published" datetime="{article.published}">{article.published[:10]}</time>
<a href="#comments">{chrome["comments"]}</a></div></header>
<div class="entry-content">{"".join(body_parts)}</div>
<div class="author-box"><h4>About {escape(article.author)}</h4><p>{escape(article.author)} writes about Linux and open source every day.</p></div>
</article>
<div id="comments" class="comments-area"><h2>{chrome["comments"]}</h2>
<ol class="comment-list"><li class="comment"><p>Great article, thanks! I upgraded yesterday and everything works.</p></li></ol></div>"""
    return _layout(title, body, version, head)


def _index_page(number: int, version: int, added: tuple[FixtureArticle, ...] = ()) -> str:
    slugs = [s for s in INDEX_PAGES[number - 1] if not (version >= 2 and s == DELETED_SLUG)]
    if number == 1:
        slugs = [a.slug for a in added] + slugs
    by_slug = {a.slug: a for a in (*ARTICLES, *added)}
    items = []
    for slug in slugs:
        href = f"/{slug}/?utm_source=feed&utm_medium=rss" if slug == TRACKED_SLUG else f"/{slug}/"
        article = by_slug[slug]
        items.append(
            f'<article class="post"><h2 class="entry-title"><a href="{href}" rel="bookmark">'
            f"{escape(article_title(article, version))}</a></h2>"
            f'<div class="entry-summary"><p>{escape(article.paragraphs[0][:90])}…</p></div>'
            f'<a class="more-link" href="/{slug}/#more">Read more</a>'
            f'<a class="comments-link" href="/{slug}/#comments">Comments</a></article>'
        )
    if number == 2:
        items.append(f'<article class="post"><h2><a href="/{AMP_SLUG}/amp/">{escape(by_slug[AMP_SLUG].title)} (AMP)</a></h2></article>')
        items.append(f'<article class="post"><h2><a href="/mirror/{MIRRORED_SLUG}-copy/">{escape(by_slug[MIRRORED_SLUG].title)}</a></h2></article>')
    if number == 1:
        # Links that look like articles but lead off the site, directly or by a redirect.
        items.append('<article class="post"><h2><a href="http://localhost:{port}/offsite-story/">Partner story</a></h2></article>')
        items.append(f'<article class="post"><h2><a href="/{OFFSITE_REDIRECT_SLUG}/">Moved story</a></h2></article>')
    if number == len(INDEX_PAGES):
        items.append('<article class="post"><h2><a href="/private/secret-article/">Members only</a></h2></article>')
    pagination = ['<nav class="pagination">']
    if number > 1:
        previous = "/" if number == 2 else f"/page/{number - 1}/"
        pagination.append(f'<a class="prev page-numbers" href="{previous}">Newer posts</a>')
    pagination.extend(f'<a class="page-numbers" href="{"/" if n == 1 else f"/page/{n}/"}">{n}</a>' for n in range(1, len(INDEX_PAGES) + 1))
    head = ""
    if number < len(INDEX_PAGES):
        if number == 1:
            head = '<link rel="next" href="/page/2/">'
            pagination.append('<a class="next page-numbers" href="/page/2/">Older posts</a>')
        # Page 2 has no rel=next and no labelled link: only the page numbers lead on.
    pagination.append("</nav>")
    return _layout("Tux Daily" if number == 1 else f"Page {number}", "".join(items) + "".join(pagination), version, head)


def _plain_page(title: str, text: str, version: int) -> str:
    return _layout(title, f'<h1>{escape(title)}</h1><div class="page-content"><p>{escape(text)}</p></div>', version)


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    """Where a redirect (3xx) points."""


BAD_PAGES = {
    "/pdf-article/": "a PDF file",
    "/empty-article/": "an article page with no body",
    "/error-article/": "a server error",
    "/binary-article/": "binary data served as text/html",
}
LATIN1_SLUG = "cafe-linux-latin1"
MISCONFIGURED_SLUG = "canonical-points-home"
"""An article whose rel=canonical names the home page: it must still be filed under its own URL."""
LATIN1_TITLE = "Café Linux: à la découverte de Debian"
LATIN1_PARAGRAPHS = tuple(
    f"Paragraphe {n} : les développeurs de Debian ont présenté à Paris les nouveautés de la version "
    f"stable, dont un installateur repensé, une meilleure prise en charge des écrans HiDPI et des "
    f"paquets plus récents pour les développeurs."
    for n in range(1, 7)
)


def _bad_pages(version: int, base: str) -> dict[str, Page]:
    """Pages that must be counted and skipped, plus one in Latin-1 whose HTTP header says UTF-8."""
    empty = FixtureArticle("empty-article", "An Empty Article", "Nobody", "2026-07-01T10:00:00+00:00", "Nothing", ())
    latin1 = FixtureArticle(LATIN1_SLUG, LATIN1_TITLE, "Jean Dupont", "2026-07-02T10:00:00+02:00", "Debian", LATIN1_PARAGRAPHS)
    latin1_html = article_page(latin1, version, f"{base}/{LATIN1_SLUG}/").replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    misconfigured = FixtureArticle(
        MISCONFIGURED_SLUG,
        "Canonical Points Home",
        "Jo Doe",
        "2026-07-03T10:00:00+00:00",
        "Kernel",
        _paragraphs("Linux", "a misconfigured canonical tag", 7),
    )
    return {
        "/pdf-article/": Page(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", content_type="application/pdf"),
        "/empty-article/": Page(article_page(empty, version, f"{base}/empty-article/").encode()),
        "/error-article/": Page(b"<html><body>Internal Server Error</body></html>", status=500),
        "/binary-article/": Page(bytes(range(256)) * 64, content_type="text/html"),
        # The server claims UTF-8; the page and its <meta> say Latin-1, as the bytes are.
        f"/{LATIN1_SLUG}/": Page(latin1_html.encode("iso-8859-1"), content_type="text/html; charset=utf-8"),
        f"/{MISCONFIGURED_SLUG}/": Page(article_page(misconfigured, version, f"{base}/").encode()),
    }


FEED_LINKS = (
    '<link rel="alternate" type="application/rss+xml" title="Tux Daily Feed" href="/feed/">'
    '<link rel="alternate" type="application/rss+xml" title="Tux Daily Comments Feed" href="/comments/feed/">'
)
GATE_TIMEOUT = 60
PAGES_SITEMAP_LASTMOD = "2025-01-01T00:00:00+00:00"


def feed_page(base: str, articles: list[FixtureArticle], version: int) -> Page:
    items = "".join(
        f"<item><title>{escape(article_title(a, version))}</title><link>{base}/{a.slug}/</link>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(a.published).astimezone(UTC))}</pubDate></item>"
        for a in articles[:5]
    )
    rss = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tux Daily</title><link>{base}/</link>{items}</channel></rss>'
    return Page(rss.encode(), content_type="application/rss+xml; charset=UTF-8")


def sitemap_page(tag: str, entries: list[tuple[str, str]]) -> Page:
    kind = "sitemapindex" if tag == "sitemap" else "urlset"
    body = "".join(f"<{tag}><loc>{loc}</loc><lastmod>{lastmod}</lastmod></{tag}>" for loc, lastmod in entries)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><{kind} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{kind}>'
    return Page(xml.encode(), content_type="application/xml")


def _sources(base: str, articles: list[FixtureArticle], version: int, changed: dict[str, str]) -> dict[str, Page]:
    """The feed, the sitemap index, its sitemaps of posts and of pages, and robots.txt naming the index."""
    posts = [(f"{base}/{a.slug}/", changed.get(a.slug, a.published)) for a in articles]
    return {
        "/feed/": feed_page(base, articles, version),
        "/sitemap_index.xml": sitemap_page(
            "sitemap",
            [
                (f"{base}/post-sitemap.xml", max((lastmod for _, lastmod in posts), key=datetime.fromisoformat)),
                (f"{base}/page-sitemap.xml", PAGES_SITEMAP_LASTMOD),
            ],
        ),
        "/post-sitemap.xml": sitemap_page("url", posts),
        "/page-sitemap.xml": sitemap_page("url", [(f"{base}{path}", PAGES_SITEMAP_LASTMOD) for path in NON_ARTICLE_PATHS]),
        "/robots.txt": Page(f"{ROBOTS_TXT}Sitemap: {base}/sitemap_index.xml\n".encode(), content_type="text/plain"),
    }


def build_site(
    version: int,
    port: int,
    bad_pages: bool = False,
    sources: bool = False,
    added: tuple[FixtureArticle, ...] = (),
    changed: dict[str, str] | None = None,
) -> dict[str, Page]:
    """Every path of the site at ``version``, with absolute links on ``port`` filled in.

    With ``bad_pages``, the first index page also links to BAD_PAGES and the Latin-1 article.
    With ``sources``, the site has a feed and sitemaps; ``changed`` gives the sitemap ``lastmod``
    of articles whose content changed after publication. ``added`` articles top the front page.
    """
    pages: dict[str, Page] = {}

    def html(path: str, text: str) -> None:
        pages[path] = Page(text.replace("{port}", str(port)).encode("utf-8"))

    for number in range(1, len(INDEX_PAGES) + 1):
        page = _index_page(number, version, added)
        html("/" if number == 1 else f"/page/{number}/", page.replace("</head>", FEED_LINKS + "</head>", 1) if sources else page)
    base = f"http://127.0.0.1:{port}"
    listed = [*added, *live_articles(version)]
    for article in listed:
        # Like WordPress, every article names itself canonical, except one page built by hand.
        canonical = None if article.metadata == "none" else f"{base}/{article.slug}/"
        html(f"/{article.slug}/", article_page(article, version, canonical))
    by_slug = {a.slug: a for a in ARTICLES}
    html(f"/{AMP_SLUG}/amp/", article_page(by_slug[AMP_SLUG], version, f"{base}/{AMP_SLUG}/"))
    # The mirror copy names no canonical URL: only its body shows it is the same article.
    html(f"/mirror/{MIRRORED_SLUG}-copy/", article_page(by_slug[MIRRORED_SLUG], version + 10, None))
    html("/private/secret-article/", article_page(by_slug[DELETED_SLUG], version, None))
    about = "Tux Daily is an independent site about Linux and open source. " * 30
    for path in NON_ARTICLE_PATHS:
        html(path, _plain_page(path.strip("/").split("/")[-1].replace("-", " ").title(), about, version))
    html("/partner-article/", article_page(by_slug[AMP_SLUG], version, None))
    pages[f"/{OFFSITE_REDIRECT_SLUG}/"] = Page(b"", status=301, location=f"http://localhost:{port}/partner-article/")
    pages["/robots.txt"] = Page(ROBOTS_TXT.encode(), content_type="text/plain")
    if sources:
        pages.update(_sources(base, listed, version, changed or {}))
    if bad_pages:
        pages.update(_bad_pages(version, base))
        paths = [*BAD_PAGES, f"/{LATIN1_SLUG}/", f"/{MISCONFIGURED_SLUG}/"]
        links = "".join(f'<article class="post"><h2><a href="{path}">Story</a></h2></article>' for path in paths)
        pages["/"] = Page(pages["/"].body.replace(b'<nav class="pagination">', links.encode() + b'<nav class="pagination">', 1))
    return pages


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class Answer:
    path: str
    status: int
    user_agent: str


@dataclass
class FixtureSite:
    """A running fixture site: its base URL, its version, and the paths requested so far."""

    server: ThreadingHTTPServer
    version: int = 1
    bad_pages: bool = False
    sources: bool = False
    added: tuple[FixtureArticle, ...] = ()
    gate: threading.Event | None = None
    """When set, every answer waits until this event is set (at most a minute), but for the ``ungated`` paths'."""
    ungated: frozenset[str] = frozenset()
    """The paths answered at once even while the ``gate`` is closed."""
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(Host header, path with query) of every request, in order."""
    answers: list[Answer] = field(default_factory=list)
    """The status of every answer, in order."""
    user_agents: set[str] = field(default_factory=set)
    validators: dict[str, Validators] = field(default_factory=dict)
    content: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)
    """When each article's title or body last changed after publication (ISO 8601)."""

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def site(self) -> str:
        """The name of the site a zero-configuration crawl of ``url`` archives: its origin."""
        return f"127.0.0.1:{self.port}"

    def set_version(self, version: int) -> None:
        self.version = version
        self.rebuild()

    def add_article(self, article: FixtureArticle) -> None:
        """Publish ``article`` at the top of the front page."""
        self.added = (article, *self.added)
        self.rebuild()

    def rebuild(self) -> None:
        for article in (*self.added, *ARTICLES):
            content = (article_title(article, self.version), article_paragraphs(article, self.version))
            if self.content.setdefault(article.slug, content) != content:
                self.content[article.slug] = content
                self.changed[article.slug] = datetime.now(UTC).isoformat()  # W3C datetimes may have fractions
        self.publish(build_site(self.version, self.port, self.bad_pages, self.sources, self.added, self.changed))

    def publish(self, pages: dict[str, Page]) -> None:
        """Serve ``pages`` from now on; a page whose bytes changed gets a new ETag and Last-Modified."""
        now = datetime.now(UTC).replace(microsecond=0)
        for path, page in pages.items():
            etag = f'"{hashlib.sha256(page.body).hexdigest()[:16]}"'
            old = self.validators.get(path)
            if old is None or old.etag != etag:
                self.validators[path] = Validators(etag, now)
        self.server.pages = pages  # type: ignore[attr-defined]

    def requested_paths(self) -> list[str]:
        return [urlsplit(path).path for _host, path in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer
    protocol_version = "HTTP/1.1"  # persistent connections, like real servers

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        site: FixtureSite = self.server.site  # type: ignore[attr-defined]
        site.requests.append((self.headers.get("Host", ""), self.path))
        site.user_agents.add(self.headers.get("User-Agent", ""))
        if site.gate is not None and urlsplit(self.path).path not in site.ungated:
            site.gate.wait(GATE_TIMEOUT)
        pages: dict[str, Page] = self.server.pages  # type: ignore[attr-defined]
        host = self.headers.get("Host", "").split(":")[0]
        path = urlsplit(self.path).path
        page = pages.get(path) if host == "127.0.0.1" else None
        if page is None:
            page = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
        validators = site.validators.get(path) if page.status == 200 else None
        status = 304 if validators and self._client_has(validators) else page.status
        site.answers.append(Answer(path, status, self.headers.get("User-Agent", "")))
        self.send_response(status)
        if validators:
            self.send_header("ETag", validators.etag)
            self.send_header("Last-Modified", format_datetime(validators.last_modified, usegmt=True))
        if status == 304:
            self.end_headers()
            return
        if page.location:
            self.send_header("Location", page.location)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        self.end_headers()
        self.wfile.write(page.body)

    def _client_has(self, validators: Validators) -> bool:
        """RFC 9110: If-None-Match decides when present, else If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return validators.etag in [tag.strip() for tag in if_none_match.split(",")]
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                return validators.last_modified <= parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
        return False

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextmanager
def serve_fixture_site(version: int = 1, bad_pages: bool = False, sources: bool = False) -> Iterator[FixtureSite]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    site = FixtureSite(server, bad_pages=bad_pages, sources=sources)
    server.site = site  # type: ignore[attr-defined]
    site.set_version(version)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
