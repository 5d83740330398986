"""Re-checks of archived articles: which are due, and what a 304 or a 404/410 answer records.

A re-check asks an article's own URL again, conditionally (``If-None-Match`` /
``If-Modified-Since`` from the stored ``ETag`` / ``Last-Modified``). An
article is *due* when the time since its last check exceeds an interval that
grows with the time since it last changed, bounded below and above: a story
edited an hour ago is asked again soon, one unchanged for a year rarely. An
article found gone (404 or 410) keeps its history; it is asked again a
bounded number of times, then no more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, not_, select, update
from sqlalchemy.orm import Session, sessionmaker

from archive.models import Article, CrawlRun, Snapshot, UrlAlias
from archive.queries import is_latest_version
from archive.site_locks import LOCKED, LockOwner

FINISHED = "finished"
"""Scrapy's finish reason of a crawl that ran to its end."""


class RecheckMode(StrEnum):
    DUE = "due"
    ALL = "all"
    NONE = "none"


@dataclass(frozen=True)
class RecheckPolicy:
    """When an archived article is due for a re-check."""

    min_interval: timedelta = timedelta(hours=1)
    max_interval: timedelta = timedelta(days=30)
    factor: float = 0.25
    """The interval is this fraction of the time since the article last changed, within the bounds."""
    gone_rechecks: int = 3
    """Re-checks in a row that found an article gone after which it is not asked again."""

    def interval(self, unchanged_for: timedelta) -> timedelta:
        return min(self.max_interval, max(self.min_interval, unchanged_for * self.factor))

    def wants(self, article: KnownArticle, mode: RecheckMode, now: datetime) -> bool:
        """Whether ``article`` is re-checked in a run of ``mode`` at ``now``."""
        if mode is RecheckMode.NONE or article.gone_checks >= self.gone_rechecks:
            return False
        if mode is RecheckMode.ALL:
            return True
        unchanged_for = max(timedelta(0), now - article.last_changed_at)
        return now - article.last_checked_at >= self.interval(unchanged_for)


@dataclass(frozen=True)
class KnownArticle:
    """What a re-check of an archived article needs to know about it."""

    id: int
    url: str
    last_checked_at: datetime
    last_changed_at: datetime
    """When its latest version was seen, or for a first version, when the page says it was modified or published."""
    etag: str | None = None
    last_modified: str | None = None
    gone_checks: int = 0

    def conditional_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def known_articles(session: Session, site: str) -> list[KnownArticle]:
    """Every archived article of ``site`` with its check state and the date of its latest change."""
    rows = session.execute(
        select(
            Article.id,
            Article.url,
            Article.last_checked_at,
            Article.last_seen_at,
            Article.etag,
            Article.last_modified,
            Article.gone_checks,
            Snapshot.version,
            Snapshot.fetched_at,
            Snapshot.modified_at,
            Snapshot.published_at,
        )
        .join(Snapshot, Snapshot.article_id == Article.id)
        .where(Article.site == site, is_latest_version())
        .order_by(Article.id)
    )
    known = []
    for row in rows:
        if row.version > 1:
            changed = row.fetched_at
        else:
            changed = row.modified_at or row.published_at or row.fetched_at
        known.append(
            KnownArticle(
                id=row.id,
                url=row.url,
                last_checked_at=row.last_checked_at or row.last_seen_at,
                last_changed_at=changed,
                etag=row.etag,
                last_modified=row.last_modified,
                gone_checks=row.gone_checks,
            )
        )
    return known


def alias_urls(session: Session, site: str) -> dict[str, int]:
    """Every alias URL of an article of ``site``, with the article's id."""
    rows = session.execute(select(UrlAlias.url, UrlAlias.article_id).join(Article, Article.id == UrlAlias.article_id).where(Article.site == site))
    return {url: article_id for url, article_id in rows}


def _crawls_of(site: str) -> ColumnElement[bool]:
    padded = " " + CrawlRun.sites + " "
    return padded.contains(f" {site} ", autoescape=True)


def last_finished_crawl(session: Session, site: str) -> datetime | None:
    """When the last crawl of ``site`` that ran to its end started."""
    return session.scalar(
        select(CrawlRun.started_at).where(CrawlRun.finish_reason == FINISHED, _crawls_of(site)).order_by(CrawlRun.started_at.desc()).limit(1)
    )


def last_crawl_was_interrupted(session: Session, site: str, me: LockOwner) -> bool:
    """Whether the last crawl of ``site`` before the one of process ``me`` stopped before its end (killed, or shut down).

    What it had not reached yet may be missing from the archive, so that the
    next crawl walks the site whole. Runs that found the site locked, and
    crawled nothing, do not count.
    """
    last = session.execute(
        select(CrawlRun.finish_reason)
        .where(
            _crawls_of(site),
            CrawlRun.finish_reason.is_distinct_from(LOCKED),
            not_(and_(CrawlRun.host == me.host, CrawlRun.pid == me.pid, CrawlRun.finished_at.is_(None))),
        )
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(1)
    ).first()
    return last is not None and last.finish_reason != FINISHED


def record_not_modified(sessions: sessionmaker[Session], article_ids: list[int], when: datetime) -> None:
    """304 answers, in one transaction: the articles were seen and checked, nothing else changes."""
    with sessions.begin() as session:
        session.execute(
            update(Article).where(Article.id.in_(article_ids)).values(last_seen_at=when, last_checked_at=when, gone_at=None, gone_checks=0)
        )


def record_gone(sessions: sessionmaker[Session], article_id: int, when: datetime) -> int:
    """A 404 or 410 answer: when the article first went away, and how many checks found it gone (returned)."""
    with sessions.begin() as session:
        article = session.get(Article, article_id, with_for_update=True)
        if article is None:
            return 0
        article.gone_at = article.gone_at or when
        article.gone_checks += 1
        article.last_checked_at = when
        return article.gone_checks
