"""Read helpers of the web view beyond ``archive.queries``: latest edits and new articles, a page of latest
versions, new articles and edits per day, the errors of crawl runs, an article's other URLs.

They are written for the archive's indexes: on SQLite a snapshot's row holds
its body before the columns added later (``source``, ``is_latest``), so what
can be decided from an index is decided there. The indexes of snapshots by
fetch time hold the version number, the source and the latest marker: the
edits of a day are counted from them, and a listing finds its page's ids in
them before it reads the page's rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, cast, func, select
from sqlalchemy.orm import Session

from archive.models import Article, CrawlRunError, Snapshot, UrlAlias
from archive.queries import is_edit, is_latest_version


@dataclass(frozen=True)
class ArticleVersion:
    """A version of an article with the article it belongs to."""

    article: Article
    snapshot: Snapshot


LARGE_SITE_SHARE = 0.02
"""A site with more than this share of the articles is read newest version first (see ``_of_site``)."""


def _of_site(session: Session, site: str) -> ColumnElement[bool]:
    """``Article.site == site``, written for the plan that finds a site's newest versions soonest.

    SQLite keeps no statistics: it would take the index of sites for any site, then sort every version of
    the site. For a site with a sizable share of the articles, reading versions newest first (the index of
    fetch times) and passing over other sites' finds a page far sooner; ``site || ''`` keeps SQLite off the
    index of sites for those. PostgreSQL chooses by its statistics.
    """
    condition = Article.site == site
    if session.get_bind().dialect.name != "sqlite":
        return condition
    site_articles = session.scalar(select(func.count()).select_from(Article).where(condition)) or 0
    all_articles = session.scalar(select(func.count()).select_from(Article)) or 0
    return Article.site.concat("") == site if site_articles > all_articles * LARGE_SITE_SHARE else condition


def _versions(session: Session, condition: ColumnElement[bool], site: str | None, limit: int, offset: int = 0) -> list[ArticleVersion]:
    """Versions meeting ``condition`` (of ``site``), most recently fetched first.

    The page's snapshot ids are found first, from indexes alone (however many rows the offset passes
    over), then only the page's rows are read.
    """
    ids = select(Snapshot.id).where(condition)
    if site:
        ids = ids.join(Article, Article.id == Snapshot.article_id).where(_of_site(session, site))
    page = list(session.scalars(ids.order_by(Snapshot.fetched_at.desc(), Snapshot.id.desc()).limit(limit).offset(offset)))
    rows = session.execute(select(Article, Snapshot).join(Article, Article.id == Snapshot.article_id).where(Snapshot.id.in_(page)))
    found = {snapshot.id: ArticleVersion(article, snapshot) for article, snapshot in rows}
    return [found[snapshot_id] for snapshot_id in page]


def latest_edits(session: Session, limit: int, site: str | None = None) -> list[ArticleVersion]:
    """The edits most recently found (versions after an article's first, as crawled), newest first."""
    return _versions(session, is_edit(), site, limit)


def new_articles(session: Session, limit: int, site: str | None = None) -> list[ArticleVersion]:
    """The articles most recently archived, with their first version, newest first."""
    return _versions(session, Snapshot.version == 1, site, limit)


def latest_versions(session: Session, site: str | None, limit: int, offset: int) -> tuple[list[ArticleVersion], int]:
    """One page of each article's latest version, most recently fetched first, and how many there are in all."""
    total = select(func.count()).select_from(Snapshot).where(is_latest_version())
    if site:
        total = total.join(Article, Article.id == Snapshot.article_id).where(Article.site == site)
    return _versions(session, is_latest_version(), site, limit, offset), int(session.scalar(total) or 0)


def _utc_day(session: Session, column: Any) -> ColumnElement[Any]:
    """The UTC day of a stored time, as the backend computes it (SQLite stores UTC without an offset)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


@dataclass(frozen=True)
class DayCounts:
    day: date
    new_articles: int
    edits: int


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def daily_counts(session: Session, first_day: date, last_day: date) -> list[DayCounts]:
    """New articles and edits found on each UTC day from ``first_day`` to ``last_day``, every day listed."""
    since = datetime.combine(first_day, time.min, tzinfo=UTC)
    until = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)
    first_seen_day = _utc_day(session, Article.first_seen_at)
    fetched_day = _utc_day(session, Snapshot.fetched_at)
    new_in_window = (Article.first_seen_at >= since) & (Article.first_seen_at < until)
    new = session.execute(select(first_seen_day, func.count()).where(new_in_window).group_by(first_seen_day))
    edits_in_window = (Snapshot.fetched_at >= since) & (Snapshot.fetched_at < until) & is_edit()
    edits = session.execute(select(fetched_day, func.count()).where(edits_in_window).group_by(fetched_day))
    new_by_day = {_as_date(day): int(count) for day, count in new}
    edits_by_day = {_as_date(day): int(count) for day, count in edits}
    days = [date.fromordinal(ordinal) for ordinal in range(first_day.toordinal(), last_day.toordinal() + 1)]
    return [DayCounts(day, new_by_day.get(day, 0), edits_by_day.get(day, 0)) for day in days]


def run_errors(session: Session, run_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """The errors of these crawl runs by reason, most pages first: run id -> [(reason, pages)]."""
    errors: dict[int, list[tuple[str, int]]] = {run_id: [] for run_id in run_ids}
    rows = session.execute(
        select(CrawlRunError.run_id, CrawlRunError.reason, CrawlRunError.pages)
        .where(CrawlRunError.run_id.in_(run_ids))
        .order_by(CrawlRunError.run_id, CrawlRunError.pages.desc(), CrawlRunError.reason)
    )
    for run_id, reason, pages in rows:
        errors[run_id].append((reason, pages))
    return errors


def article_aliases(session: Session, article_id: int) -> list[str]:
    """The other URLs an article was found under, in the order they were first seen."""
    query = select(UrlAlias.url).where(UrlAlias.article_id == article_id).order_by(UrlAlias.first_seen_at, UrlAlias.url)
    return list(session.scalars(query))
