"""The item the spider yields for each article page, on its way through the pipelines to the archive."""

from __future__ import annotations

from dataclasses import dataclass

from archive.store import FetchedArticle


@dataclass
class ArticleItem(FetchedArticle):
    """A fetched page that the spider read (metadata and clean body text) and judged an article."""
