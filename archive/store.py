"""Record a fetched article: a new snapshot only when its content really changed.

``record_article`` is the write path of the crawler into the archive, and
``record_articles`` the same for a batch of pages. Each call is one
transaction: the article rows, their snapshots and their aliases are written
together or not at all. Each article's newest snapshot carries the
``is_latest`` marker; adding a version moves it in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.canonical_urls import canonicalize_url
from archive.content import MIN_DUPLICATE_BODY_CHARS, normalise_text, page_hashes, storable_text
from archive.db import serialize_on
from archive.models import REEXTRACT, Article, Snapshot, UrlAlias
from archive.queries import latest_snapshot, lookup_article
from archive.rawpages import store_response
from archive.records import FetchedArticle

T = TypeVar("T")

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


def _checked_at_own_url(article: Article, fetched: FetchedArticle, fetched_url: str, when: datetime) -> None:
    """The article's own URL answered: keep its validators for conditional re-checks; it is not gone."""
    if fetched_url != article.url:
        return
    article.last_checked_at = when
    article.etag = fetched.etag
    article.last_modified = fetched.last_modified
    article.gone_at = None
    article.gone_checks = 0


def _article_with_body(session: Session, site: str, digests: tuple[str, str], same_title: bool) -> Article | None:
    """The site's first article with a version of this body (and, with ``same_title``, of this title too)."""
    query = select(Article).join(Snapshot, Snapshot.article_id == Article.id).where(Snapshot.body_hash == digests[1], Article.site == site)
    if same_title:
        query = query.where(Snapshot.content_hash == digests[0])
    return session.scalar(query.order_by(Article.id).limit(1))


def _names_itself_canonical(page: FetchedArticle | Snapshot, url: str) -> bool:
    """The page's rel=canonical (or og:url) names ``url``."""
    return bool(page.canonical_url) and canonicalize_url(page.canonical_url or "") == url


def _rename_article(session: Session, article: Article, url: str, when: datetime) -> None:
    """File ``article`` under ``url``; its old URL becomes an alias."""
    old_url = article.url
    article.url = url
    session.flush()
    session.add(UrlAlias(url=old_url, article_id=article.id, reason=SAME_BODY, first_seen_at=when))


def _new_snapshot(session: Session, article: Article, version: int, fetched: FetchedArticle, digests: tuple[str, str]) -> Snapshot:
    """A version from ``fetched``, with its raw page when the crawler passed one."""
    assert fetched.fetched_at is not None
    response = store_response(session, fetched.raw, fetched.fetched_at) if fetched.raw else None
    return Snapshot(
        article_id=article.id,
        version=version,
        fetched_at=fetched.fetched_at,
        fetched_url=fetched.fetched_url or fetched.url,
        content_hash=digests[0],
        body_hash=digests[1],
        title=storable_text(fetched.title),
        body_text=storable_text(fetched.body_text),
        authors=[storable_text(a) for a in fetched.authors],
        published_at=fetched.published_at,
        modified_at=fetched.modified_at,
        description=storable_text(fetched.description) if fetched.description else None,
        language=fetched.language,
        tags=[storable_text(t) for t in fetched.tags],
        canonical_url=fetched.canonical_url,
        extractor=fetched.extractor,
        response=response,
    )


def _add_latest(session: Session, snapshot: Snapshot, previous: Snapshot | None) -> None:
    """Add ``snapshot`` as its article's newest version, after ``previous``, the newest until now."""
    if previous is not None:
        previous.is_latest = False  # a flush updates before it inserts: never two marked versions of an article
    snapshot.is_latest = True
    session.add(snapshot)


def _add_version(session: Session, article: Article, latest: Snapshot | None, fetched: FetchedArticle, digests: tuple[str, str]) -> Recorded:
    """A new snapshot if the content differs from ``latest``; UNCHANGED otherwise."""
    if latest is not None and latest.content_hash == digests[0]:
        return Recorded(Outcome.UNCHANGED, article.id, latest.version)
    version = (latest.version if latest else 0) + 1
    _add_latest(session, _new_snapshot(session, article, version, fetched, digests), latest)
    return Recorded(Outcome.CHANGED if latest else Outcome.NEW, article.id, version)


def _record_unknown_url(
    session: Session, fetched: FetchedArticle, digests: tuple[str, str], fetched_url: str, redirected_from: list[str]
) -> Recorded:
    """A page under a URL the archive does not know: the same body as an article, or a new article.

    A body of some length is the article's whatever the title; a shorter one only with the same title.
    """
    when = fetched.fetched_at
    assert when is not None
    long_body = len(fetched.body_text) >= MIN_DUPLICATE_BODY_CHARS
    if long_body or normalise_text(fetched.title):
        # Two writers filing the same body under two new URLs must not both find it unknown.
        serialize_on(session, f"body:{fetched.site}:{digests[1]}")
        original = _article_with_body(session, fetched.site, digests, same_title=not long_body)
        if original is not None:
            latest = latest_snapshot(session, original.id)
            original.last_seen_at = max(original.last_seen_at, when)
            authoritative = fetched_url == fetched.url and _names_itself_canonical(fetched, fetched.url)
            moved = original.url in redirected_from
            if authoritative and (moved or not (latest and _names_itself_canonical(latest, original.url))):
                # The article moved here (its URL redirects to this page), or a copy of it
                # was archived first: this page is the original, file the article under it.
                _rename_article(session, original, fetched.url, when)
                _checked_at_own_url(original, fetched, fetched_url, when)
                _add_aliases(session, original, redirected_from, "fetched", when)
                recorded = _add_version(session, original, latest, fetched, digests)
                return Recorded(Outcome.DUPLICATE, original.id, recorded.version)
            _add_aliases(session, original, [fetched.url, fetched_url, *redirected_from], SAME_BODY, when)
            return Recorded(Outcome.DUPLICATE, original.id, latest.version if latest else 0)
    article = Article(url=fetched.url, site=fetched.site, first_seen_at=when, last_seen_at=when)
    session.add(article)
    session.flush()
    _add_latest(session, _new_snapshot(session, article, 1, fetched, digests), None)
    _checked_at_own_url(article, fetched, fetched_url, when)
    _add_aliases(session, article, [fetched_url, *redirected_from], "fetched", when)
    return Recorded(Outcome.NEW, article.id, 1)


def _split_off(session: Session, fetched: FetchedArticle, digests: tuple[str, str]) -> Recorded:
    """A URL filed as a copy now shows its own, different article: it becomes an article of its own."""
    alias = session.get(UrlAlias, fetched.url)
    assert alias is not None and fetched.fetched_at is not None
    session.delete(alias)
    session.flush()
    article = Article(url=fetched.url, site=fetched.site, first_seen_at=alias.first_seen_at, last_seen_at=fetched.fetched_at)
    _checked_at_own_url(article, fetched, fetched.fetched_url or fetched.url, fetched.fetched_at)
    session.add(article)
    session.flush()
    _add_latest(session, _new_snapshot(session, article, 1, fetched, digests), None)
    return Recorded(Outcome.NEW, article.id, 1)


def _record(session: Session, fetched: FetchedArticle) -> Recorded:
    """Archive one page; see ``record_article``."""
    when = fetched.fetched_at
    assert when is not None, "fetched_at is required"
    digests = page_hashes(fetched.title, fetched.body_text)
    fetched_url = fetched.fetched_url or fetched.url
    redirected_from = [u for u in fetched.aliases if u not in (fetched.url, fetched_url)]

    article = lookup_article(session, list(dict.fromkeys([fetched.url, fetched_url])))
    if article is None:
        return _record_unknown_url(session, fetched, digests, fetched_url, redirected_from)
    latest = latest_snapshot(session, article.id)
    if fetched_url != article.url:
        # Fetched under another URL of the article (AMP, print, mirror, tracking variant):
        # it may lag behind or differ, so it never makes a version of the article...
        alias = session.get(UrlAlias, fetched.url)
        differs = latest is None or latest.content_hash != digests[0]
        if differs and alias is not None and alias.reason == SAME_BODY and _names_itself_canonical(fetched, fetched_url):
            # ...unless it is a page of its own, once taken for a copy, that has now changed.
            return _split_off(session, fetched, digests)
        article.last_seen_at = max(article.last_seen_at, when)
        _add_aliases(session, article, [fetched.url, fetched_url, *redirected_from], "fetched", when)
        return Recorded(Outcome.DUPLICATE, article.id, latest.version if latest else 0)
    article.last_seen_at = max(article.last_seen_at, when)
    _checked_at_own_url(article, fetched, fetched_url, when)
    _add_aliases(session, article, redirected_from, "fetched", when)
    return _add_version(session, article, latest, fetched, digests)


def _in_transaction(sessions: sessionmaker[Session], write: Callable[[Session], T], attempts: int) -> T:
    """``write`` in one transaction, retried when a concurrent writer made it fail on a unique constraint."""
    for _ in range(attempts - 1):
        try:
            with sessions.begin() as session:
                return write(session)
        except IntegrityError:
            continue
    with sessions.begin() as session:
        return write(session)


def record_article(sessions: sessionmaker[Session], fetched: FetchedArticle, attempts: int = 3) -> Recorded:
    """Archive ``fetched`` in one transaction and say what happened.

    Identity: the page is looked up by the URL it is filed under (its
    canonical URL) and the URL it was fetched from. Only a page fetched at its
    article's own URL writes versions; one fetched under another URL of the
    article (an AMP copy, a mirror) records that URL as an alias. A page under
    an unknown URL whose body equals an archived article's is that article
    (an alias), unless it names itself canonical and the article's URL
    redirected to it or never named itself canonical: then the article is
    filed under this page's URL.

    A concurrent writer that filed the same article first makes the insert
    fail on a unique constraint; the transaction is then retried and finds it.
    """
    return _in_transaction(sessions, lambda session: _record(session, fetched), attempts)


def _record_each(session: Session, batch: Sequence[FetchedArticle]) -> list[Recorded]:
    recorded = []
    for fetched in batch:
        recorded.append(_record(session, fetched))
        session.flush()  # the next page sees this one as a later transaction would
    return recorded


def record_articles(sessions: sessionmaker[Session], batch: Sequence[FetchedArticle], attempts: int = 3) -> list[Recorded]:
    """Archive the pages of ``batch`` in order, all in one transaction, and say what happened to each.

    Each page is recorded as ``record_article`` records it, with the same
    identity rules and the same retry of the whole transaction on a unique
    constraint; the batch commits once. If it fails, nothing of it is written
    and the error is raised: the caller can then write its pages one by one.
    """
    return _in_transaction(sessions, lambda session: _record_each(session, batch), attempts)


EXTRACTED_FIELDS = (
    "title",
    "body_text",
    "authors",
    "published_at",
    "modified_at",
    "description",
    "language",
    "tags",
    "canonical_url",
)
"""What an extractor makes of a page: a re-extraction is recorded when any of it differs."""


def record_reextraction(sessions: sessionmaker[Session], snapshot_id: int, fetched: FetchedArticle) -> Outcome | None:
    """Record what the current extractor makes of the page of snapshot ``snapshot_id``.

    The page is the one the article's latest version was extracted from. If
    the result differs in any extracted field, it becomes the next version,
    marked ``source = 'reextract'``, with the fetch time and raw page of the
    version it re-reads: history stays true (nothing is rewritten, and a
    re-extraction is not an edit of the article). An equal result writes
    nothing (UNCHANGED). None: the article has a newer version by now.
    """
    with sessions.begin() as session:
        stored = session.get(Snapshot, snapshot_id)
        assert stored is not None, f"no snapshot {snapshot_id}"
        article = stored.article
        latest = latest_snapshot(session, article.id)
        if latest is None or latest.id != stored.id:
            return None
        rerun = replace(fetched, fetched_at=stored.fetched_at, fetched_url=stored.fetched_url, raw=None)
        digests = page_hashes(rerun.title, rerun.body_text)
        candidate = _new_snapshot(session, article, stored.version + 1, rerun, digests)
        if all(getattr(candidate, name) == getattr(stored, name) for name in EXTRACTED_FIELDS):
            return Outcome.UNCHANGED
        candidate.response = stored.response
        candidate.source = REEXTRACT
        _add_latest(session, candidate, stored)
        return Outcome.CHANGED
