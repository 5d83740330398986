"""The article a read page holds, as a record for the archive: one function for the crawl and for re-extraction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.canonical_urls import canonicalize_url
from archive.records import FetchedArticle
from crawler.links import absolute_url, is_candidate_article

if TYPE_CHECKING:
    from crawler.extraction import PageReading


def article_from_reading(reading: PageReading, page_url: str, allowed_domains: tuple[str, ...]) -> FetchedArticle:
    """The article of the page read from ``page_url``, filed under the URL it names canonical when that can be one.

    Only a canonical URL that can itself be an article of the site counts: one
    naming the home page or a listing (a common misconfiguration) would merge
    articles, so such a page is filed under its own URL.
    """
    metadata = reading.metadata
    fetched_url = canonicalize_url(page_url)
    canonical = absolute_url(page_url, metadata.canonical_url or "")
    url = canonical if canonical and is_candidate_article(canonical, allowed_domains) else fetched_url
    return FetchedArticle(
        **(metadata.article_metadata() | {"canonical_url": canonical}),
        url=url,
        fetched_url=fetched_url,
        body_text=reading.body_text,
        extractor=reading.extractor,
    )
