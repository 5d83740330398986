"""Records shared by the crawler and the archive: what a page says about its article, and the fetched article.

Plain dataclasses with no dependency beyond the standard library, so that the
pure extraction code and worker processes use them without loading the
database layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


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


@dataclass(frozen=True)
class PackedPage:
    """A page's bytes as the archive stores them (``archive.compression.pack_page``)."""

    sha256: str
    """Of the uncompressed bytes."""
    data: bytes
    """Compressed."""


@dataclass
class RawResponse:
    """A fetched page as the server sent it (after transfer decoding)."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    packed: PackedPage | None = None
    """``body`` packed for storage already, when the worker that read it did so."""


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
    etag: str | None = None
    """The response's ``ETag`` header, kept for conditional re-checks."""
    last_modified: str | None = None
    """The response's ``Last-Modified`` header, kept for conditional re-checks."""
    raw: RawResponse | None = None
    """The page as fetched, kept with each version extracted from it."""
