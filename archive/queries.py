"""Read-side helpers over the archive: find, history, diff, stats, search, export."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, true
from sqlalchemy.orm import Session

from archive.canonical_urls import canonicalize_url
from archive.errors import ArchiveError
from archive.models import CRAWL, Article, CrawlRun, Snapshot, UrlAlias
from archive.progress import SILENT, Progress


def lookup_article(session: Session, canonical_urls: list[str]) -> Article | None:
    """The article filed under any of these canonical URLs or their aliases."""
    for url in canonical_urls:
        article = session.scalar(select(Article).where(Article.url == url))
        if article is not None:
            return article
    for url in canonical_urls:
        article = session.scalar(select(Article).join(UrlAlias, UrlAlias.article_id == Article.id).where(UrlAlias.url == url))
        if article is not None:
            return article
    return None


def find_article(session: Session, url: str) -> Article | None:
    """The article a user-typed URL names, by its canonical URL or any alias."""
    return lookup_article(session, [canonicalize_url(url)])


def latest_snapshot(session: Session, article_id: int) -> Snapshot | None:
    return session.scalar(select(Snapshot).where(Snapshot.article_id == article_id).order_by(Snapshot.version.desc()).limit(1))


def article_history(session: Session, article: Article) -> list[Snapshot]:
    """Every snapshot of ``article``, oldest first."""
    return list(session.scalars(select(Snapshot).where(Snapshot.article_id == article.id).order_by(Snapshot.version)))


def versions_to_compare(versions: Collection[int], from_version: int | None = None, to_version: int | None = None) -> tuple[int, int]:
    """The (older, newer) version numbers a diff compares: the last two by default, ``from_version`` and the
    version after it, or ``to_version`` and the one before it. Raises :class:`ArchiveError` (to be prefixed
    with the article's URL) unless both are distinct archived versions."""
    if to_version is not None:
        newest = to_version
    elif from_version is not None:
        newest = min((v for v in versions if v > from_version), default=from_version)
    else:
        newest = max(versions)
    oldest = from_version if from_version is not None else newest - 1
    if newest not in versions or oldest not in versions or oldest == newest:
        raise ArchiveError(f"has versions {', '.join(map(str, sorted(versions)))}; cannot compare {oldest} with {newest}")
    return oldest, newest


def _as_lines(snapshot: Snapshot) -> list[str]:
    return [f"# {snapshot.title}", "", *snapshot.body_text.splitlines()]


def snapshot_diff(old: Snapshot, new: Snapshot, context: int = 3) -> str:
    """A unified diff of title and body text from ``old`` to ``new``."""
    lines = difflib.unified_diff(
        _as_lines(old),
        _as_lines(new),
        fromfile=f"version {old.version} ({old.fetched_at.isoformat(timespec='seconds')})",
        tofile=f"version {new.version} ({new.fetched_at.isoformat(timespec='seconds')})",
        n=context,
        lineterm="",
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class SiteStats:
    site: str
    articles: int
    snapshots: int
    changed_articles: int
    last_seen_at: datetime | None
    edits: int
    """Versions the crawler found after each article's first (re-extractions are not edits)."""
    edited_articles: int
    """Articles with at least one edit."""


def is_edit() -> ColumnElement[bool]:
    """True for a snapshot that is an edit: a version after the first, as crawled (not a re-extraction)."""
    return (Snapshot.version > 1) & (Snapshot.source == CRAWL)


def site_stats(session: Session) -> list[SiteStats]:
    """Per site: articles, snapshots, articles with more than one version, last fetch, edits, edited articles.

    Counted from each article's latest version, whose number is the article's count of versions (they are
    numbered 1 to n): read from the index of latest versions (``ix_snapshots_latest_fetched_at``) without a
    snapshot row. An article's edits are its crawled versions but the first (which is always crawled): its
    versions less one and less its re-extractions, the few snapshots not crawled (read from their own index).
    """
    # The predicate of ix_snapshots_not_crawled_article_id written out, not bound: SQLite uses a partial index only
    # for a query that repeats its predicate, and PostgreSQL's plan of a prepared query does not know a bound value.
    crawl = literal(CRAWL, literal_execute=True)
    not_crawled = select(Snapshot.article_id, func.count().label("versions")).where(Snapshot.source != crawl).group_by(Snapshot.article_id).subquery()
    edits = Snapshot.version - 1 - func.coalesce(not_crawled.c.versions, 0)
    # From the latest versions to their articles by a left join (every snapshot has its article), which
    # SQLite keeps in this order: joined the other way, it would look each article's latest version up in
    # the unique index of the marker, which holds no version number, and read its row.
    rows = session.execute(
        select(
            Article.site,
            func.count(),
            func.sum(Snapshot.version),
            func.count().filter(Snapshot.version > 1),
            func.max(Article.last_seen_at),
            func.sum(edits),
            func.count().filter(edits > 0),
        )
        .select_from(Snapshot)
        .outerjoin(Article, Article.id == Snapshot.article_id)
        .outerjoin(not_crawled, not_crawled.c.article_id == Snapshot.article_id)
        .where(is_latest_version())
        .group_by(Article.site)
        .order_by(Article.site)
    )
    return [SiteStats(site, int(a), int(s), int(c), last, int(e), int(ea)) for site, a, s, c, last, e, ea in rows]


def is_latest_version() -> ColumnElement[bool]:
    """True for a snapshot that is its article's newest (the marker the store keeps)."""
    return Snapshot.is_latest == true()


def stored_pages(session: Session, site: str | None = None, since: datetime | None = None) -> list[tuple[int, str, int]]:
    """(snapshot id, site, response id) of each article's latest version that has its raw page, by article."""
    query = (
        select(Snapshot.id, Article.site, Snapshot.response_id)
        .join(Article, Article.id == Snapshot.article_id)
        .where(Snapshot.response_id.is_not(None), is_latest_version())
        .order_by(Article.id)
    )
    if site:
        query = query.where(Article.site == site)
    if since:
        query = query.where(Snapshot.fetched_at >= since)
    return [(snapshot_id, site_name, response_id or 0) for snapshot_id, site_name, response_id in session.execute(query)]


EXPORT_FIELDS = (
    "url",
    "site",
    "version",
    "fetched_at",
    "title",
    "authors",
    "published_at",
    "modified_at",
    "description",
    "language",
    "tags",
    "content_hash",
    "body_text",
)


def export_rows(session: Session, site: str | None = None, all_versions: bool = False, progress: Progress = SILENT) -> Iterator[dict[str, Any]]:
    """Snapshots as plain dicts (latest version of each article unless ``all_versions``)."""
    query = select(Article, Snapshot).join(Snapshot, Snapshot.article_id == Article.id).order_by(Article.id, Snapshot.version)
    if not all_versions:
        query = query.where(is_latest_version())
    if site:
        query = query.where(Article.site == site)
    progress.start(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())))
    for article, snapshot in session.execute(query.execution_options(yield_per=500)):
        progress.advance()
        yield {
            "url": article.url,
            "site": article.site,
            "version": snapshot.version,
            "fetched_at": snapshot.fetched_at.isoformat(),
            "title": snapshot.title,
            "authors": list(snapshot.authors or []),
            "published_at": snapshot.published_at.isoformat() if snapshot.published_at else None,
            "modified_at": snapshot.modified_at.isoformat() if snapshot.modified_at else None,
            "description": snapshot.description,
            "language": snapshot.language,
            "tags": list(snapshot.tags or []),
            "content_hash": snapshot.content_hash,
            "body_text": snapshot.body_text,
        }


def recent_runs(session: Session, limit: int = 20) -> list[CrawlRun]:
    """The last ``limit`` crawl runs, newest first."""
    return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)))
