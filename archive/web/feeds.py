"""Atom feeds of the archive (feedgen): the edits found (one entry per version after an article's first,
linking to its diff) and the new articles (one entry per article, linking to its page).

Entry ids are made of the article's id and the version number, never of the
address the app is served at, so that a feed reader shows each edit once
however the feed is reached.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote, urljoin

from feedgen.feed import FeedGenerator
from starlette.requests import Request
from starlette.responses import Response

from archive.web.queries import ArticleVersion
from archive.web.render import displayable, link

FeedKind = Literal["edits", "new"]
ID_PREFIX = "urn:technews-archive"
TITLES = {"edits": "Edits found in the archive", "new": "New articles in the archive"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def entry_id(kind: FeedKind, found: ArticleVersion) -> str:
    """The entry's stable id: the article and, for an edit, the version."""
    article_id = f"{ID_PREFIX}:article:{found.article.id}"
    return f"{article_id}:version:{found.snapshot.version}" if kind == "edits" else article_id


def _summary(kind: FeedKind, found: ArticleVersion) -> str:
    snapshot = found.snapshot
    fetched = snapshot.fetched_at.strftime("%Y-%m-%d %H:%M UTC")
    if kind == "edits":
        return f"Version {snapshot.version} of {found.article.url}, found {fetched}: changed since version {snapshot.version - 1}."
    return f"{snapshot.description or ' '.join(snapshot.body_text.split()[:60])} ({found.article.url}, archived {fetched})"


def atom_feed(kind: FeedKind, site: str | None, rows: list[ArticleVersion], base_url: str, feed_url: str) -> bytes:
    """The Atom document of ``rows`` (newest first); links are absolute, under ``base_url``."""
    feed = FeedGenerator()
    feed.id(f"{ID_PREFIX}:feed:{kind}" + (f":site:{quote(site, safe='')}" if site else ""))
    feed.title(displayable(TITLES[kind] + (f": {site}" if site else "")))
    feed.author({"name": "technews-archive"})
    feed.link(href=feed_url, rel="self")
    feed.link(href=base_url, rel="alternate")
    feed.updated(rows[0].snapshot.fetched_at if rows else EPOCH)
    for found in rows:
        article, snapshot = found.article, found.snapshot
        entry = feed.add_entry(order="append")
        entry.id(entry_id(kind, found))
        entry.title(displayable(snapshot.title if kind == "new" else f"{snapshot.title} (version {snapshot.version})"))
        page = link("/diff", url=article.url, to=snapshot.version) if kind == "edits" else link("/article", url=article.url)
        entry.link(href=urljoin(base_url, page))
        entry.updated(snapshot.fetched_at)
        entry.published(snapshot.fetched_at)
        entry.summary(displayable(_summary(kind, found)))
    return bytes(feed.atom_str(pretty=True))


def atom_response(request: Request, kind: FeedKind, site: str | None, rows: list[ArticleVersion]) -> Response:
    return Response(atom_feed(kind, site, rows, str(request.base_url), str(request.url)), media_type="application/atom+xml")
