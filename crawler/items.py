"""The item the spider yields for each article page and the pipelines complete."""

from __future__ import annotations

from dataclasses import dataclass

from archive.store import FetchedArticle


@dataclass
class ArticleItem(FetchedArticle):
    """A fetched article page: archive fields plus what the pipelines still need.

    The spider fills the metadata and ``body_html``; ``CleanPipeline`` fills
    ``body_text`` from it and decides, with ``article_markup``, whether the
    page is an article at all.
    """

    body_html: str = ""
    article_markup: str = ""
    """How the page marks itself as an article: "json-ld", "og", or "" for none."""
