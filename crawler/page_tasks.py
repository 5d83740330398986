"""What worker processes run on a page: its bytes in, its reading (or its article) out.

A page crosses to a worker as bytes and its ``Content-Type``: a fetched page
as the server sent it, a stored one compressed. The worker decompresses and
decodes it (``crawler.extraction.encoding``) and packs a fetched page for
storage (hashes and compresses it, ``archive.compression``), so that the
crawl process does none of it. The crawl reads fetched pages with ``read_fetched_page``;
``archive reextract`` reads stored ones with ``reextract_page``. This module
imports no Scrapy and no database code, so that a worker that unpickles one of
these functions loads only the extraction code its fork server preloaded; the
extractor itself is loaded at the first page read here (``crawler.extraction``
imports its modules when first asked), so that a crawl whose pages are read
in workers does not load it in the crawl process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.compression import decompress_page, pack_page
from archive.records import FetchedArticle, PackedPage
from crawler import extraction
from crawler.articles import article_from_reading
from crawler.extraction.encoding import decode_html
from crawler.extraction.rules import BodyRules

if TYPE_CHECKING:
    from crawler.extraction import PageReading


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page read, and its bytes packed for the archive."""

    reading: PageReading
    packed: PackedPage


def read_fetched_page(body: bytes, content_type: str | None, url: str, rules: BodyRules | None) -> FetchedPage:
    """The page ``body`` read, decoded by its bytes and ``content_type``, and packed; raises ``ValueError`` on a page that cannot be read."""
    return FetchedPage(_read(body, content_type, url, rules), pack_page(body))


def _read(body: bytes, content_type: str | None, url: str, rules: BodyRules | None) -> PageReading:
    return extraction.read_page(decode_html(body, content_type), url, rules)


def reextract_page(
    data: bytes, content_type: str | None, url: str, rules: BodyRules | None, allowed_domains: tuple[str, ...]
) -> FetchedArticle | None:
    """What the current extractor makes of a page stored (compressed, ``data``) from ``url`` (None: no article on it).

    Raises ``ValueError`` on a page that cannot be read (``CorruptPage`` and ``UnparsablePage`` included).
    """
    reading = _read(decompress_page(data), content_type, url, rules)
    if not reading.is_article:
        return None
    return article_from_reading(reading, url, allowed_domains)
