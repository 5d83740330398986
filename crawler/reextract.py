"""Re-run the current extractor over the pages the archive kept, without fetching anything.

For each article (optionally of one site, or whose latest version was fetched
since a time), the raw page of its latest version is decoded as the crawler
decodes a response, extracted with the site profile's rules and cleaned, and
handed to ``archive.store.record_reextraction``: a different result becomes a
version marked ``reextract``, an equal one writes nothing. No Scrapy: the
``archive reextract`` command (``crawler.cli``) runs it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session, sessionmaker

from archive.models import PageResponse
from archive.progress import SILENT, Progress
from archive.queries import stored_pages
from archive.rawpages import WITH_PAGE, page_bytes
from archive.records import FetchedArticle
from archive.store import Outcome, record_reextraction
from crawler.articles import article_from_reading
from crawler.extraction import read_page
from crawler.extraction.encoding import decode_html
from crawler.profiles import SiteProfile

logger = logging.getLogger(__name__)

SKIPPED = "skipped"
"""A page the current extractor finds no article on, or whose article has a newer version by now."""


def reextract_page(html: str, url: str, profile: SiteProfile | None) -> FetchedArticle | None:
    """What the current extractor makes of a stored page (None: no article on it)."""
    reading = read_page(html, url, profile.body_rules if profile else None)
    if not reading.is_article:
        return None
    return article_from_reading(reading, url, profile.allowed_domains if profile else (urlsplit(url).hostname or "",))


def reextract_archive(
    sessions: sessionmaker[Session],
    profiles: Mapping[str, SiteProfile],
    site: str | None = None,
    since: datetime | None = None,
    progress: Progress = SILENT,
) -> Counter[str]:
    """Re-extract the latest stored page of every selected article; count the outcomes."""
    counts: Counter[str] = Counter()
    with sessions() as session:
        pages = stored_pages(session, site, since)
    progress.start(len(pages))
    for snapshot_id, site_name, response_id in pages:
        progress.advance()
        with sessions() as session:
            response = session.get_one(PageResponse, response_id, options=[WITH_PAGE])
            url, content_type = response.url, response.headers.get("content-type")
        try:
            fetched = reextract_page(decode_html(page_bytes(response), content_type), url, profiles.get(site_name))
        except ValueError as error:  # UnparsablePage and CorruptPage included
            fetched = None
            logger.warning("skipped %s: %s", url, error)
        outcome = record_reextraction(sessions, snapshot_id, fetched) if fetched else None
        counts[outcome.value if outcome else SKIPPED] += 1
        if outcome is Outcome.CHANGED:
            logger.info("re-extracted %s: new version", url)
    return counts
