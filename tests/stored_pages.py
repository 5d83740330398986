"""Pages stored as an older extractor read them: the archive ``archive reextract`` starts from, in tests and benchmarks."""

from __future__ import annotations

from datetime import datetime

from archive.records import FetchedArticle, RawResponse

OLD_EXTRACTOR = "old-extractor"


def old_reading(url: str, site: str, number: int, fetched_at: datetime, page: bytes) -> FetchedArticle:
    """Story ``number`` at ``url``, fetched as ``page`` (HTML) at ``fetched_at``, as an older extractor made it: a stub of a body."""
    return FetchedArticle(
        url=url,
        site=site,
        fetched_url=url,
        fetched_at=fetched_at,
        title=f"Story {number}",
        body_text=f"What an old extractor made of story {number}.",
        extractor=OLD_EXTRACTOR,
        raw=RawResponse(url, 200, page, {"Content-Type": "text/html; charset=utf-8"}),
    )
