"""What the spider reads off a response besides its body: headers, the page kept in the archive, the article item."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from scrapy.http import Response

from archive.canonical_urls import canonicalize_url
from archive.records import FetchedArticle, PackedPage, RawResponse


def header(response: Response, name: str) -> str | None:
    """The header ``name`` of ``response``, stripped; None when it is absent or empty."""
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None


def raw_response(response: Response, packed: PackedPage) -> RawResponse:
    """The page as the server sent it (after transfer decoding, ``packed`` for storage), to be kept with the versions read from it."""
    headers = {str(k): v for k, v in response.headers.to_unicode_dict().items()}
    return RawResponse(response.url, response.status, response.body, headers, packed)


def crawled_article(article: FetchedArticle, response: Response, site: str, packed: PackedPage) -> FetchedArticle:
    """``article`` as read from ``response`` for ``site``: fetch time, the URLs it was reached under, validators, the page."""
    requested = canonicalize_url(response.request.url) if response.request else article.fetched_url
    return replace(
        article,
        site=site,
        fetched_at=datetime.now(UTC),
        aliases=[url for url in dict.fromkeys([article.fetched_url, requested]) if url != article.url],
        etag=header(response, "ETag"),
        last_modified=header(response, "Last-Modified"),
        raw=raw_response(response, packed),
    )
