"""Record a fetched article: a new snapshot only when its content really changed.

``record_article`` is the single write path of the crawler into the archive.
Each call is one transaction: the article row, its snapshot and its aliases
are written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.content import MIN_DUPLICATE_BODY_CHARS, body_hash, content_hash
from archive.models import Article, Snapshot, UrlAlias
from archive.queries import latest_snapshot, lookup_article
from archive.urls import canonicalize_url


@dataclass
class ArticleMetadata:
    """What a page says about its article besides the body."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    description: str | None = None
    language: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None

    def article_metadata(self) -> dict[str, Any]:
        """These fields alone, as keyword arguments for another ArticleMetadata."""
        return {f.name: getattr(self, f.name) for f in fields(ArticleMetadata)}


@dataclass
class FetchedArticle(ArticleMetadata):
    """An article as extracted from one fetched page, ready to be archived."""

    url: str = ""
    """Canonical URL (rel=canonical within the site, else the fetched URL, canonicalised)."""
    site: str = ""
    fetched_url: str = ""
    fetched_at: datetime | None = None
    body_text: str = ""
    extractor: str = ""
    aliases: list[str] = field(default_factory=list)
    """Other canonical URLs this page was reached under (request URL, redirects)."""


SAME_BODY = "same-body"
"""Alias reason of a URL that showed the same body as the article without naming it canonical."""


class Outcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Recorded:
    outcome: Outcome
    article_id: int
    version: int


def _add_aliases(session: Session, article: Article, urls: list[str], reason: str, when: datetime) -> None:
    for url in dict.fromkeys(urls):
        if url == article.url or session.get(UrlAlias, url) is not None:
            continue
        if session.scalar(select(Article.id).where(Article.url == url)) is not None:
            continue
        session.add(UrlAlias(url=url, article_id=article.id, reason=reason, first_seen_at=when))


def _article_with_body(session: Session, site: str, digest: str) -> Article | None:
    return session.scalar(
        select(Article)
        .join(Snapshot, Snapshot.article_id == Article.id)
        .where(Snapshot.body_hash == digest, Article.site == site)
        .order_by(Article.id)
        .limit(1)
    )


def _names_itself_canonical(page: FetchedArticle | Snapshot, url: str | None = None) -> bool:
    """The page's rel=canonical (or og:url) names the URL it is filed under."""
    filed_under = url if url is not None else getattr(page, "url")
    return bool(page.canonical_url) and canonicalize_url(page.canonical_url or "") == filed_under


def _rename_article(session: Session, article: Article, url: str, when: datetime) -> None:
    old_url = article.url
    article.url = url
    session.flush()
    session.add(UrlAlias(url=old_url, article_id=article.id, reason=SAME_BODY, first_seen_at=when))


def _new_snapshot(article: Article, version: int, fetched: FetchedArticle, digests: tuple[str, str]) -> Snapshot:
    assert fetched.fetched_at is not None
    return Snapshot(
        article_id=article.id,
        version=version,
        fetched_at=fetched.fetched_at,
        fetched_url=fetched.fetched_url or fetched.url,
        content_hash=digests[0],
        body_hash=digests[1],
        title=fetched.title,
        body_text=fetched.body_text,
        authors=list(fetched.authors),
        published_at=fetched.published_at,
        modified_at=fetched.modified_at,
        description=fetched.description,
        language=fetched.language,
        tags=list(fetched.tags),
        canonical_url=fetched.canonical_url,
        extractor=fetched.extractor,
    )


def _record(session: Session, fetched: FetchedArticle) -> Recorded:
    when = fetched.fetched_at
    assert when is not None, "fetched_at is required"
    digests = (content_hash(fetched.title, fetched.body_text), body_hash(fetched.body_text))
    other_urls = [u for u in [fetched.fetched_url, *fetched.aliases] if u and u != fetched.url]

    article = lookup_article(session, [fetched.url, *other_urls])
    if article is None and len(fetched.body_text) >= MIN_DUPLICATE_BODY_CHARS:
        duplicate_of = _article_with_body(session, fetched.site, digests[1])
        if duplicate_of is not None:
            latest = latest_snapshot(session, duplicate_of.id)
            duplicate_of.last_seen_at = max(duplicate_of.last_seen_at, when)
            if _names_itself_canonical(fetched) and not (latest and _names_itself_canonical(latest, duplicate_of.url)):
                # The copy was archived first; this page is the original: file the article under it.
                _rename_article(session, duplicate_of, fetched.url, when)
            _add_aliases(session, duplicate_of, [fetched.url, *other_urls], SAME_BODY, when)
            return Recorded(Outcome.DUPLICATE, duplicate_of.id, latest.version if latest else 0)

    if article is None:
        article = Article(url=fetched.url, site=fetched.site, first_seen_at=when, last_seen_at=when)
        session.add(article)
        session.flush()
        session.add(_new_snapshot(article, 1, fetched, digests))
        _add_aliases(session, article, other_urls, "fetched", when)
        return Recorded(Outcome.NEW, article.id, 1)

    latest = latest_snapshot(session, article.id)
    copy = session.get(UrlAlias, fetched.url) if fetched.url != article.url else None
    if copy is not None and copy.reason == SAME_BODY:
        # A known copy of the article: it may lag behind or differ, it never makes a version.
        return Recorded(Outcome.DUPLICATE, article.id, latest.version if latest else 0)
    article.last_seen_at = max(article.last_seen_at, when)
    _add_aliases(session, article, [fetched.url, *other_urls], "fetched", when)
    if latest is not None and latest.content_hash == digests[0]:
        return Recorded(Outcome.UNCHANGED, article.id, latest.version)
    version = (latest.version if latest else 0) + 1
    session.add(_new_snapshot(article, version, fetched, digests))
    return Recorded(Outcome.CHANGED if latest else Outcome.NEW, article.id, version)


def record_article(sessions: sessionmaker[Session], fetched: FetchedArticle, attempts: int = 3) -> Recorded:
    """Archive ``fetched`` in one transaction and say what happened.

    A concurrent writer that filed the same article first makes the insert
    fail on a unique constraint; the transaction is then retried and finds it.
    """
    for _ in range(attempts - 1):
        try:
            with sessions.begin() as session:
                return _record(session, fetched)
        except IntegrityError:
            continue
    with sessions.begin() as session:
        return _record(session, fetched)
