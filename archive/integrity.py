"""Verify an archive's integrity: list every problem found, repair nothing.

``check_archive`` runs every registered check and returns the problems, one
line each. The checks: the database file itself (SQLite), rows that point to
nothing (snapshots and aliases of missing articles, error counts of missing
crawl runs), articles without content, stored hashes against hashes
recomputed from the stored text, values of JSON columns that are not JSON
(SQLite: PostgreSQL refuses them as they are written), aliases that shadow
an article, version numbers that are not 1, 2, ... n per article, a
latest-version marker not on an article's newest version, and first/last
seen times out of order.

Stored pages are checked too: every response points to a stored page, and
every stored page decompresses to bytes of its recorded size and SHA-256.
On SQLite, the full-text index is checked against the snapshots it indexes
(on PostgreSQL it is a generated column, in sync by construction).

Another index kept beside the archive adds its own check with
``@archive_check("name")``: a function of a session that yields one line per
problem.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, case, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from archive.compression import CorruptPage, decompress_page
from archive.content import page_hashes
from archive.db import error_reason
from archive.models import Article, Base, CrawlRun, CrawlRunError, PageResponse, RawPage, Snapshot, UrlAlias, row_key
from archive.progress import SILENT, Progress
from archive.queries import is_latest_version
from archive.search import FTS_TABLE

Check = Callable[[Session], Iterator[str]]
CHECKS: dict[str, Check] = {}
"""Every registered check, by name, in the order they run."""
HASH_BATCH = 500


def archive_check(name: str) -> Callable[[Check], Check]:
    """Register ``check`` under ``name``: ``check_archive`` runs it."""

    def register(check: Check) -> Check:
        CHECKS[name] = check
        return check

    return register


@dataclass(frozen=True)
class Problem:
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.detail}"


@archive_check("database")
def _database_file(session: Session) -> Iterator[str]:
    if session.get_bind().dialect.name != "sqlite":
        return
    for (line,) in session.execute(text("PRAGMA integrity_check")):
        if line != "ok":
            yield f"SQLite integrity check: {line}"


ORPHANS: tuple[tuple[str, Any, Any, type[Article] | type[CrawlRun] | type[PageResponse], str], ...] = (
    ("snapshot", Snapshot.id, Snapshot.article_id, Article, "article"),
    ("snapshot", Snapshot.id, Snapshot.response_id, PageResponse, "response"),
    ("alias", UrlAlias.url, UrlAlias.article_id, Article, "article"),
    ("error count", CrawlRunError.reason, CrawlRunError.run_id, CrawlRun, "crawl run"),
)
"""(what, its key, its reference, the table referred to, what that is): every reference the schema has."""


@archive_check("foreign-keys")
def _orphans(session: Session) -> Iterator[str]:
    for child, key, reference, table, parent in ORPHANS:
        orphans = (
            select(key, reference).outerjoin(table, table.id == reference).where(reference.is_not(None), table.id.is_(None)).order_by(reference, key)
        )
        for child_key, parent_id in session.execute(orphans):
            yield f"{child} {child_key} belongs to {parent} {parent_id}, which does not exist"


@archive_check("content")
def _content(session: Session) -> Iterator[str]:
    empty = select(Article.id, Article.url).outerjoin(Snapshot, Snapshot.article_id == Article.id).where(Snapshot.id.is_(None)).order_by(Article.id)
    for article_id, url in session.execute(empty):
        yield f"article {article_id} ({url}) has no snapshot"
    blank = select(Snapshot.id, Snapshot.article_id).where(Snapshot.body_text == "").order_by(Snapshot.id)
    for snapshot_id, article_id in session.execute(blank):
        yield f"snapshot {snapshot_id} of article {article_id} has an empty body"


@archive_check("json-values")
def _json_values(session: Session) -> Iterator[str]:
    if session.get_bind().dialect.name != "sqlite":
        return
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        for column in (column for column in table.columns if isinstance(column.type, JSON)):
            for key in session.execute(select(*keys).where(column.is_not(None), func.json_valid(column) == 0).order_by(*keys)):
                yield f"{table.name} {row_key(keys, key)}: {column.name} is not JSON"


@archive_check("hashes")
def _hashes(session: Session) -> Iterator[str]:
    rows = session.execute(
        select(Snapshot.id, Snapshot.title, Snapshot.body_text, Snapshot.content_hash, Snapshot.body_hash)
        .order_by(Snapshot.id)
        .execution_options(yield_per=HASH_BATCH)
    )
    for snapshot_id, title, body, stored_content, stored_body in rows:
        expected_content, expected_body = page_hashes(title, body)
        if expected_content != stored_content:
            yield f"snapshot {snapshot_id}: content_hash does not match its title and body"
        if expected_body != stored_body:
            yield f"snapshot {snapshot_id}: body_hash does not match its body"


@archive_check("raw-pages")
def _raw_pages(session: Session) -> Iterator[str]:
    missing = (
        select(PageResponse.id, PageResponse.raw_sha256)
        .outerjoin(RawPage, RawPage.sha256 == PageResponse.raw_sha256)
        .where(RawPage.sha256.is_(None))
        .order_by(PageResponse.id)
    )
    for response_id, digest in session.execute(missing):
        yield f"response {response_id} points to stored page {digest}, which does not exist"
    pages = session.execute(select(RawPage.sha256, RawPage.size, RawPage.data).order_by(RawPage.sha256).execution_options(yield_per=HASH_BATCH))
    for digest, size, data in pages:
        try:
            page = decompress_page(data)
        except CorruptPage as error:
            yield f"stored page {digest} does not decompress: {error}"
            continue
        if len(page) != size or hashlib.sha256(page).hexdigest() != digest:
            yield f"stored page {digest}: its bytes do not match its size and SHA-256"


@archive_check("full-text-index")
def _full_text_index(session: Session) -> Iterator[str]:
    if session.get_bind().dialect.name != "sqlite":
        return
    try:
        # FTS5's own check; with rank 1 it also compares the index with the snapshots' text.
        session.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))
    except SQLAlchemyError as error:
        yield f"the full-text index does not match the snapshots: {error_reason(error)}"


@archive_check("aliases")
def _aliases(session: Session) -> Iterator[str]:
    shadowing = select(UrlAlias.url, UrlAlias.article_id).join(Article, Article.url == UrlAlias.url).order_by(UrlAlias.url)
    for url, article_id in session.execute(shadowing):
        yield f"alias {url} of article {article_id} is also the URL of an article"


@archive_check("versions")
def _versions(session: Session) -> Iterator[str]:
    gaps = (
        select(Snapshot.article_id, func.min(Snapshot.version), func.max(Snapshot.version), func.count())
        .group_by(Snapshot.article_id)
        .having(or_(func.min(Snapshot.version) != 1, func.max(Snapshot.version) != func.count()))
        .order_by(Snapshot.article_id)
    )
    for article_id, lowest, highest, count in session.execute(gaps):
        yield f"article {article_id}: {count} snapshots numbered {lowest} to {highest}, not 1 to {count}"


@archive_check("latest-versions")
def _latest_versions(session: Session) -> Iterator[str]:
    highest, marked = func.max(Snapshot.version), func.max(case((is_latest_version(), Snapshot.version)))
    misplaced = (
        select(Snapshot.article_id, highest, marked)
        .group_by(Snapshot.article_id)
        .having(or_(marked.is_(None), marked != highest))
        .order_by(Snapshot.article_id)
    )
    for article_id, newest, version in session.execute(misplaced):
        yield f"article {article_id}: {f'version {version}' if version else 'no version'} is marked latest, not version {newest}"


@archive_check("times")
def _times(session: Session) -> Iterator[str]:
    backwards = select(Article.id, Article.url).where(Article.first_seen_at > Article.last_seen_at).order_by(Article.id)
    for article_id, url in session.execute(backwards):
        yield f"article {article_id} ({url}) was first seen after it was last seen"


def check_archive(session: Session, progress: Progress = SILENT) -> list[Problem]:
    """Every problem every registered check finds, in check order; a check the database fails is a problem too."""
    problems: list[Problem] = []
    progress.start(len(CHECKS))
    for name, check in CHECKS.items():
        try:
            problems.extend(Problem(name, detail) for detail in check(session))
        except SQLAlchemyError as error:
            session.rollback()
            problems.append(Problem(name, f"cannot be checked: {error_reason(error)}"))
        progress.advance()
    return problems


@dataclass(frozen=True)
class Totals:
    articles: int
    snapshots: int
    aliases: int
    crawl_runs: int
    unfinished_runs: int
    """Crawl runs without an end: still running, or killed."""


def archive_totals(session: Session) -> Totals:
    """What ``check_archive`` looked at."""
    count = session.scalar
    return Totals(
        articles=count(select(func.count()).select_from(Article)) or 0,
        snapshots=count(select(func.count()).select_from(Snapshot)) or 0,
        aliases=count(select(func.count()).select_from(UrlAlias)) or 0,
        crawl_runs=count(select(func.count()).select_from(CrawlRun)) or 0,
        unfinished_runs=count(select(func.count()).select_from(CrawlRun).where(CrawlRun.finished_at.is_(None))) or 0,
    )
