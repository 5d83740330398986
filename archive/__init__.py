"""The archive: SQLAlchemy storage of articles and their snapshots, independent of Scrapy."""

from archive.db import DEFAULT_DATABASE_URL, Archive, ArchiveError, open_archive
from archive.store import FetchedArticle, Outcome, Recorded, record_article, record_articles
from archive.urls import canonicalize_url

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Archive",
    "ArchiveError",
    "FetchedArticle",
    "Outcome",
    "Recorded",
    "canonicalize_url",
    "open_archive",
    "record_article",
    "record_articles",
]
