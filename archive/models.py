"""The archive's SQL schema: articles, their snapshots, URL aliases and crawl runs.

Column names of ``articles``, ``snapshots``, ``url_aliases`` and ``crawl_runs``
and the views (``latest_snapshots``, ``edited_articles``, ``daily_site_counts``,
made by the revisions in ``archive/migrations``) are a public contract: users query them with
plain SQL. Every timestamp is stored in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offsets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the archive stores only aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


CRAWL = "crawl"
REEXTRACT = "reextract"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def row_key(columns: Iterable[Column[Any]], values: Iterable[Any]) -> str:
    """A row named by its primary key's ``columns`` and their ``values``, as messages name it: ``id=2``."""
    return " ".join(f"{column.name}={value}" for column, value in zip(columns, values, strict=True))


def table(model: type[Base]) -> Table:
    """The table of ``model``, for Core statements that write many rows at once past the ORM's unit of work."""
    return Base.metadata.tables[model.__tablename__]


class Article(Base):
    """One article, whatever URLs it was found under; ``url`` is its canonical URL."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    site: Mapped[str] = mapped_column(String(200), index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When the article's own URL last answered (200, 304, 404 or 410)."""
    etag: Mapped[str | None] = mapped_column(Text)
    """The ``ETag`` its own URL last answered with, sent back as ``If-None-Match``."""
    last_modified: Mapped[str | None] = mapped_column(String(100))
    """The ``Last-Modified`` its own URL last answered with, sent back as ``If-Modified-Since``."""
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """When a re-check first found the article gone (404 or 410); None while it is online."""
    gone_checks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Re-checks in a row that found it gone; re-checking stops at ``ARCHIVE_GONE_RECHECKS``."""

    snapshots: Mapped[list[Snapshot]] = relationship(back_populates="article", order_by="Snapshot.version")


class Snapshot(Base):
    """What an article said when fetched; a new one is written only on a real change."""

    __tablename__ = "snapshots"
    __table_args__ = (
        UniqueConstraint("article_id", "version"),
        Index("ix_snapshots_body_hash", "body_hash"),
        Index("ix_snapshots_article_id_source", "article_id", "source"),
        # The predicate as each dialect writes ``Snapshot.is_latest == true()``: SQLite uses a partial index
        # only for a query that repeats its predicate.
        Index(
            "ix_snapshots_latest_article_id",
            "article_id",
            unique=True,
            sqlite_where=text("is_latest = 1"),
            postgresql_where=text("is_latest"),
        ),
        # Covering indexes (revision 0011): the latest versions by fetch time with their article and version
        # number, every version by fetch time with its number and source, and the versions not crawled (the
        # re-extractions) by article, each read without a snapshot row.
        Index(
            "ix_snapshots_latest_fetched_at",
            "fetched_at",
            "id",
            "article_id",
            "version",
            "is_latest",
            sqlite_where=text("is_latest = 1"),
            postgresql_where=text("is_latest"),
        ),
        Index("ix_snapshots_fetched_at_version_source", "fetched_at", "id", "version", "source"),
        Index(
            "ix_snapshots_not_crawled_article_id",
            "article_id",
            "source",
            sqlite_where=text(f"source != '{CRAWL}'"),
            postgresql_where=text(f"source != '{CRAWL}'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    fetched_url: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    body_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(35))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    extractor: Mapped[str] = mapped_column(String(100))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id"), index=True)
    """The fetched page this version was extracted from (none for versions archived before raw pages were kept)."""
    source: Mapped[str] = mapped_column(String(20), default=CRAWL, server_default=CRAWL)
    """``crawl``: the article as fetched; ``reextract``: the same page run through a newer extractor."""
    is_latest: Mapped[bool] = mapped_column(Boolean, server_default=false())
    """True on the article's newest version (its highest ``version``) alone; the store moves it as it adds versions."""

    article: Mapped[Article] = relationship(back_populates="snapshots")
    response: Mapped[PageResponse | None] = relationship()


class RawPage(Base):
    """The bytes of a fetched page, compressed (``archive.rawpages``), stored once however often they were fetched."""

    __tablename__ = "raw_pages"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    """SHA-256 of the uncompressed bytes: the page's address."""
    size: Mapped[int] = mapped_column(Integer)
    """Length of the uncompressed bytes."""
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    """The compressed bytes (loaded only when read)."""


class PageResponse(Base):
    """One fetch of an article page: final URL, status, the headers that matter and the raw page."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    """The URL the page was finally fetched from (after redirects), as the server had it."""
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw_sha256: Mapped[str] = mapped_column(ForeignKey("raw_pages.sha256"), index=True)

    raw: Mapped[RawPage] = relationship()


class UrlAlias(Base):
    """Another URL under which an archived article was found."""

    __tablename__ = "url_aliases"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlRun(Base):
    """One ``scrapy crawl`` run: when, what it crawled and what came of it."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(20))
    sites: Mapped[str] = mapped_column(Text)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_changed: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    not_articles: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rechecks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    not_modified: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gone: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    known_skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    host: Mapped[str | None] = mapped_column(String(255))
    """The machine the crawl ran on."""
    pid: Mapped[int | None] = mapped_column(Integer)
    """The crawl's process id on that machine."""
    worker: Mapped[str | None] = mapped_column(String(255))
    """The queue worker that ran the crawl as a job (its Celery node name); none for a crawl started by hand or cron."""
    job: Mapped[str | None] = mapped_column(String(255))
    """The id of the queue job the crawl ran for."""


class CrawlLock(Base):
    """A site being crawled into this archive right now, by which process; kept fresh by a heartbeat."""

    __tablename__ = "crawl_locks"

    site: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CrawlRunError(Base):
    """Why pages of a crawl run were not archived: one row per reason, with how many pages it concerns.

    The pages of a run's rows add up to its ``crawl_runs.errors``.
    """

    __tablename__ = "crawl_run_errors"

    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(100), primary_key=True)
    pages: Mapped[int] = mapped_column(Integer)
