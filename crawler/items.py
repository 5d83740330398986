"""The items the spider yields, on their way through the pipelines to the archive.

- ``ArticleItem``: an article page, read (metadata and clean body text) and
  judged an article (``archive.records.FetchedArticle``);
- ``NotModified``: a re-check answered 304, the article was seen unchanged;
- ``Gone``: a re-check answered 404 or 410.

Only the pipelines write them; the spider never touches the archive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from archive.records import FetchedArticle

ArticleItem: TypeAlias = FetchedArticle


@dataclass(frozen=True)
class NotModified:
    """A conditional re-check of an archived article answered 304."""

    article_id: int
    url: str
    checked_at: datetime


@dataclass(frozen=True)
class Gone:
    """A re-check of an archived article answered 404 or 410."""

    article_id: int
    url: str
    status: int
    checked_at: datetime


CrawlItem: TypeAlias = ArticleItem | NotModified | Gone
