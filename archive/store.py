"""Record a fetched article: a new snapshot only when its content really changed.

``record_article`` is the write path of the crawler into the archive, and
``record_articles`` the same for a batch of pages. Each call is one
transaction: the article rows, their snapshots and their aliases are written
together or not at all. Each article's newest snapshot carries the
``is_latest`` marker; adding a version moves it in the same transaction.

A batch is looked up with a few queries first: its plainly new pages and its
plainly unchanged ones (sharing no URL and no body with another page of the
batch) are written with one statement per table for each run of them, the
others page by page through the session, in batch order, with the same result.

``record_reextractions`` records what a newer extractor makes of stored pages
(``archive reextract``), a batch with one query and two statements, as
``record_reextraction`` would record them one by one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, NamedTuple, TypeVar

from sqlalchemy import insert, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from archive.canonical_urls import canonicalize_url
from archive.content import MIN_DUPLICATE_BODY_CHARS, normalise_text, page_hashes, storable_text
from archive.db import serialize_on
from archive.models import REEXTRACT, Article, Snapshot, UrlAlias, table
from archive.queries import latest_snapshot, lookup_article
from archive.rawpages import insert_responses, store_response
from archive.records import FetchedArticle

T = TypeVar("T")

SAME_BODY = "same-body"
"""Alias reason of a URL that showed the same body as the article without naming it canonical."""
FETCHED = "fetched"
"""Alias reason of a URL the article was fetched or reached under (a redirect, an AMP or print copy naming it canonical)."""


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


def _checked_values(fetched: FetchedArticle, when: datetime) -> dict[str, Any]:
    """An article's columns once its own URL answered with ``fetched``: its validators for conditional re-checks; it is not gone."""
    return {"last_checked_at": when, "etag": fetched.etag, "last_modified": fetched.last_modified, "gone_at": None, "gone_checks": 0}


NOT_CHECKED: dict[str, Any] = {"last_checked_at": None, "etag": None, "last_modified": None, "gone_at": None, "gone_checks": 0}
"""The same columns of an article whose own URL never answered."""


def _checked_at_own_url(article: Article, fetched: FetchedArticle, fetched_url: str, when: datetime) -> None:
    """The article's own URL answered: see ``_checked_values``."""
    if fetched_url == article.url:
        for name, value in _checked_values(fetched, when).items():
            setattr(article, name, value)


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


def _snapshot_values(fetched: FetchedArticle, digests: tuple[str, str]) -> dict[str, Any]:
    """The columns of a version from ``fetched`` but its article, number and response."""
    return dict(
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
    )


def _new_snapshot(session: Session, article: Article, version: int, fetched: FetchedArticle, digests: tuple[str, str]) -> Snapshot:
    """A version from ``fetched``, with its raw page when the crawler passed one."""
    assert fetched.fetched_at is not None
    response = store_response(session, fetched.raw, fetched.fetched_at) if fetched.raw else None
    return Snapshot(article_id=article.id, version=version, response=response, **_snapshot_values(fetched, digests))


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
                _add_aliases(session, original, redirected_from, FETCHED, when)
                recorded = _add_version(session, original, latest, fetched, digests)
                return Recorded(Outcome.DUPLICATE, original.id, recorded.version)
            _add_aliases(session, original, [fetched.url, fetched_url, *redirected_from], SAME_BODY, when)
            return Recorded(Outcome.DUPLICATE, original.id, latest.version if latest else 0)
    article = Article(url=fetched.url, site=fetched.site, first_seen_at=when, last_seen_at=when)
    session.add(article)
    session.flush()
    _add_latest(session, _new_snapshot(session, article, 1, fetched, digests), None)
    _checked_at_own_url(article, fetched, fetched_url, when)
    _add_aliases(session, article, [fetched_url, *redirected_from], FETCHED, when)
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


class _Page(NamedTuple):
    """A fetched page with what recording it looks at: its fetch time, hashes, the URL it was fetched from, the URLs it was reached under."""

    fetched: FetchedArticle
    when: datetime
    digests: tuple[str, str]
    fetched_url: str
    redirected_from: list[str]

    @classmethod
    def of(cls, fetched: FetchedArticle) -> _Page:
        assert fetched.fetched_at is not None, "fetched_at is required"
        fetched_url = fetched.fetched_url or fetched.url
        redirected_from = [u for u in fetched.aliases if u not in (fetched.url, fetched_url)]
        return cls(fetched, fetched.fetched_at, page_hashes(fetched.title, fetched.body_text), fetched_url, redirected_from)

    @property
    def urls(self) -> list[str]:
        """Every URL the page names or was reached under, each once."""
        return list(dict.fromkeys([self.fetched.url, self.fetched_url, *self.redirected_from]))


def _record(session: Session, page: _Page) -> Recorded:
    """Archive one page; see ``record_article``."""
    fetched, when, digests, fetched_url, redirected_from = page
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
        _add_aliases(session, article, [fetched.url, fetched_url, *redirected_from], FETCHED, when)
        return Recorded(Outcome.DUPLICATE, article.id, latest.version if latest else 0)
    article.last_seen_at = max(article.last_seen_at, when)
    _checked_at_own_url(article, fetched, fetched_url, when)
    _add_aliases(session, article, redirected_from, FETCHED, when)
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
    page = _Page.of(fetched)
    return _in_transaction(sessions, lambda session: _record(session, page), attempts)


@dataclass(frozen=True)
class _Unchanged:
    """A known article that a page fetched at its URL shows unchanged: its row and newest version as the page finds them."""

    article_id: int
    last_seen_at: datetime
    version: int
    new_aliases: list[str]


_Plain = _Unchanged | Literal[Outcome.NEW] | None
"""What a page of a batch plainly is: an unchanged article, a new one, or neither (recorded page by page)."""


def _plain_pages(session: Session, pages: Sequence[_Page]) -> list[_Plain]:
    """Which pages of a batch are plainly new or plainly unchanged, found with a few queries for the whole batch.

    Only a page that shares no URL and no body with another page of the batch
    can be: no page before it in the batch can then change what it finds,
    except by recording a page of its article, which ``_record_each`` checks.
    A new page is one none of whose URLs the archive knows, with a body that
    no version of the site's articles has; an unchanged one is fetched at the
    URL of an article whose newest version has its title and body.
    """
    urls_seen = Counter(url for page in pages for url in page.urls)
    bodies_seen = Counter(page.digests[1] for page in pages)
    alone = [page for page in pages if bodies_seen[page.digests[1]] == 1 and all(urls_seen[url] == 1 for url in page.urls)]
    urls = [url for page in alone for url in page.urls]
    articles = {row.url: row for row in session.execute(select(Article.url, Article.id, Article.last_seen_at).where(Article.url.in_(urls)))}
    known = set(articles) | set(session.scalars(select(UrlAlias.url).where(UrlAlias.url.in_(urls))))
    unknown = [page for page in alone if known.isdisjoint(page.urls)]
    # Two writers filing the same body under two new URLs must not both find it unknown.
    serialize_on(session, *(f"body:{page.fetched.site}:{page.digests[1]}" for page in unknown))
    query = select(Article.site, Snapshot.body_hash).join(Snapshot.article).where(Snapshot.body_hash.in_([page.digests[1] for page in unknown]))
    archived_bodies = {(row.site, row.body_hash) for row in session.execute(query)}
    found = [articles[page.fetched.url].id for page in alone if page.fetched_url == page.fetched.url and page.fetched.url in articles]
    latest = {
        row.article_id: row
        for row in session.execute(
            select(Snapshot.article_id, Snapshot.version, Snapshot.content_hash).where(Snapshot.is_latest == true(), Snapshot.article_id.in_(found))
        )
    }
    plain: dict[int, _Plain] = {id(page): Outcome.NEW for page in unknown if (page.fetched.site, page.digests[1]) not in archived_bodies}
    for page in alone:
        article = articles.get(page.fetched.url)
        newest = latest.get(article.id) if article is not None and page.fetched_url == page.fetched.url else None
        if article is not None and newest is not None and newest.content_hash == page.digests[0]:
            plain[id(page)] = _Unchanged(article.id, article.last_seen_at, newest.version, [url for url in page.redirected_from if url not in known])
    return [plain.get(id(page)) for page in pages]


def _write_plain(session: Session, pages: Sequence[_Page], plain: Sequence[_Plain]) -> list[Recorded]:
    """Record plainly new and unchanged pages (``_plain_pages``) with a statement per table, as ``_record`` would."""
    new = [page for page, what in zip(pages, plain, strict=True) if what is Outcome.NEW]
    rows = [
        {"url": page.fetched.url, "site": page.fetched.site, "first_seen_at": page.when, "last_seen_at": page.when}
        | (_checked_values(page.fetched, page.when) if page.fetched_url == page.fetched.url else NOT_CHECKED)
        for page in new
    ]
    article_ids = list(session.scalars(insert(table(Article)).returning(Article.id, sort_by_parameter_order=True), rows)) if rows else []
    new_ids = {id(page): article_id for page, article_id in zip(new, article_ids, strict=True)}
    with_raw = [(page, page.fetched.raw) for page in new if page.fetched.raw]
    fetches = [(raw, page.when) for page, raw in with_raw]
    response_ids = {
        id(page): response_id for (page, _), response_id in zip(with_raw, insert_responses(session, fetches) if fetches else [], strict=True)
    }
    snapshots = [
        {"article_id": new_ids[id(page)], "version": 1, "response_id": response_ids.get(id(page)), "is_latest": True}
        | _snapshot_values(page.fetched, page.digests)
        for page in new
    ]
    aliases = [(new_ids[id(page)], page.when, page.urls[1:]) for page in new]
    updates = []
    recorded = []
    for page, what in zip(pages, plain, strict=True):
        if isinstance(what, _Unchanged):
            updates.append({"id": what.article_id, "last_seen_at": max(what.last_seen_at, page.when)} | _checked_values(page.fetched, page.when))
            aliases.append((what.article_id, page.when, what.new_aliases))
            recorded.append(Recorded(Outcome.UNCHANGED, what.article_id, what.version))
        else:
            recorded.append(Recorded(Outcome.NEW, new_ids[id(page)], 1))
    alias_rows = [
        {"url": url, "article_id": article_id, "reason": FETCHED, "first_seen_at": when} for article_id, when, urls in aliases for url in urls
    ]
    for statement, values in ((insert(table(Snapshot)), snapshots), (update(Article), updates), (insert(table(UrlAlias)), alias_rows)):
        if values:
            session.execute(statement, values)
    return recorded


def _record_each(session: Session, batch: Sequence[FetchedArticle]) -> list[Recorded]:
    """Record the pages of ``batch`` in order: runs of plain pages together, the others one by one."""
    pages = [_Page.of(fetched) for fetched in batch]
    plain = _plain_pages(session, pages)
    recorded: list[Recorded] = []
    while len(recorded) < len(pages):
        start = len(recorded)
        if plain[start] is not None:
            end = next((i for i in range(start, len(pages)) if plain[i] is None), len(pages))
            recorded += _write_plain(session, pages[start:end], plain[start:end])
            continue
        done = _record(session, pages[start])
        session.flush()  # the next page sees this one as a later transaction would
        # A later page that found this page's article plainly unchanged may find it otherwise now.
        plain = [None if isinstance(what, _Unchanged) and what.article_id == done.article_id else what for what in plain]
        recorded.append(done)
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


REREAD_COLUMNS = (
    Snapshot.id,
    Snapshot.article_id,
    Snapshot.version,
    Snapshot.is_latest,
    Snapshot.fetched_at,
    Snapshot.fetched_url,
    Snapshot.response_id,
)
"""What recording a re-extraction reads of the version it re-reads, besides its ``EXTRACTED_FIELDS``."""


def _record_reextractions(session: Session, results: Sequence[tuple[int, FetchedArticle]]) -> list[Outcome | None]:
    """Record the re-extractions of ``results`` in order with a query and two statements; see ``record_reextractions``."""
    query = select(*REREAD_COLUMNS, *(getattr(Snapshot, name) for name in EXTRACTED_FIELDS))
    stored = {row.id: row for row in session.execute(query.where(Snapshot.id.in_({snapshot_id for snapshot_id, _ in results})))}
    renewed: dict[int, int] = {}  # article id: the snapshot id of its latest version until this batch gave it a new one
    outcomes: list[Outcome | None] = []
    versions: list[dict[str, Any]] = []
    for snapshot_id, fetched in results:
        row = stored.get(snapshot_id)
        assert row is not None, f"no snapshot {snapshot_id}"
        if not row.is_latest or row.article_id in renewed:
            outcomes.append(None)
            continue
        rerun = replace(fetched, fetched_at=row.fetched_at, fetched_url=row.fetched_url)
        values = _snapshot_values(rerun, page_hashes(rerun.title, rerun.body_text))
        if all(values[name] == getattr(row, name) for name in EXTRACTED_FIELDS):
            outcomes.append(Outcome.UNCHANGED)
            continue
        renewed[row.article_id] = row.id
        versions.append(
            {"article_id": row.article_id, "version": row.version + 1, "response_id": row.response_id, "source": REEXTRACT, "is_latest": True}
            | values
        )
        outcomes.append(Outcome.CHANGED)
    if versions:
        # The marker leaves the old versions first: never two marked versions of an article.
        session.execute(update(table(Snapshot)).where(table(Snapshot).c.id.in_(renewed.values())).values(is_latest=False))
        session.execute(insert(table(Snapshot)), versions)
    return outcomes


def record_reextractions(sessions: sessionmaker[Session], results: Sequence[tuple[int, FetchedArticle]], attempts: int = 3) -> list[Outcome | None]:
    """Record what the current extractor makes of the pages of many snapshots, in order and in one transaction.

    Each (snapshot id, result) is recorded as ``record_reextraction`` records
    it, one after the other: a snapshot whose article was given a new version
    by an earlier result of the batch is no longer the latest (None). A
    concurrent writer that gave one of the articles a new version first makes
    the insert fail on a unique constraint; the transaction is then retried
    and finds that version.
    """
    return _in_transaction(sessions, lambda session: _record_reextractions(session, results), attempts)


def record_reextraction(sessions: sessionmaker[Session], snapshot_id: int, fetched: FetchedArticle) -> Outcome | None:
    """Record what the current extractor makes of the page of snapshot ``snapshot_id``.

    The page is the one the article's latest version was extracted from. If
    the result differs in any extracted field, it becomes the next version,
    marked ``source = 'reextract'``, with the fetch time and raw page of the
    version it re-reads: history stays true (nothing is rewritten, and a
    re-extraction is not an edit of the article). An equal result writes
    nothing (UNCHANGED). None: the article has a newer version by now.
    """
    [outcome] = record_reextractions(sessions, [(snapshot_id, fetched)])
    return outcome
