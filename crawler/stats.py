"""The crawl's stats keys, as one enumeration, and the error reason each key of a page not archived stands for.

Every component counts under these names (``crawler.stats.inc_value(Stat.X)``);
the run recorder turns them into the ``crawl_runs`` counts and, through
``ERROR_REASONS`` and the ``FETCH_ERRORS`` prefix, into ``crawl_run_errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from archive.store import Outcome

PREFIX = "archive/"
FETCH_ERRORS = f"{PREFIX}fetch_errors/"
"""``archive/fetch_errors/REASON`` counts the pages that failed to download for REASON (see ``crawler.failures``)."""


class Stat(StrEnum):
    """A stats key (shown as the plain string in Scrapy's stats dump)."""

    __repr__ = str.__repr__

    PAGES_FETCHED = f"{PREFIX}pages_fetched"
    NEW = f"{PREFIX}{Outcome.NEW}"
    CHANGED = f"{PREFIX}{Outcome.CHANGED}"
    UNCHANGED = f"{PREFIX}{Outcome.UNCHANGED}"
    DUPLICATE = f"{PREFIX}{Outcome.DUPLICATE}"
    NOT_ARTICLE = f"{PREFIX}not_article"
    RECHECKS = f"{PREFIX}rechecks"
    NOT_MODIFIED = f"{PREFIX}not_modified"
    GONE = f"{PREFIX}gone"
    KNOWN_SKIPPED = f"{PREFIX}known_skipped"
    SOURCES = f"{PREFIX}sources"
    IGNORED = f"{PREFIX}ignored"
    LOCKED_SITES = f"{PREFIX}locked_sites"
    RETRY_AFTER_WAITS = f"{PREFIX}retry_after_waits"
    EXIT_STATUS = f"{PREFIX}exit_status"
    NOTIFY_SENT = f"{PREFIX}notify/sent"
    NOTIFY_FAILED = f"{PREFIX}notify/failed"
    NOT_HTML = f"{PREFIX}not_html"
    UNPARSABLE = f"{PREFIX}unparsable"
    EMPTY_BODY = f"{PREFIX}empty_body"
    STORE_ERRORS = f"{PREFIX}store_errors"
    ITEM_ERRORS = f"{PREFIX}item_errors"
    BAD_SOURCES = f"{PREFIX}bad_sources"
    EXTRACT_ERRORS = f"{PREFIX}extract_errors"
    SPIDER_EXCEPTIONS = "spider_exceptions/count"
    """Scrapy's own count of exceptions raised in callbacks."""
    URL_TOO_LONG = "urllength/request_ignored_count"
    """Scrapy's UrlLengthMiddleware's count."""
    DEPTH_LIMIT = "depth/request_ignored_count"
    """Scrapy's DepthMiddleware's count."""
    REQUESTS = "downloader/request_count"
    """Scrapy's count of requests sent."""


def outcome_stat(outcome: Outcome) -> Stat:
    """The key that counts articles archived with ``outcome``."""
    return Stat(f"{PREFIX}{outcome}")


def fetch_error_stat(reason: str) -> str:
    """The key that counts pages that failed to download for ``reason``."""
    return f"{FETCH_ERRORS}{reason}"


ERROR_REASONS: Mapping[str, str] = {
    Stat.NOT_HTML: "not-html",
    Stat.UNPARSABLE: "unparsable",
    Stat.EMPTY_BODY: "no-body",
    Stat.STORE_ERRORS: "store-error",
    Stat.ITEM_ERRORS: "item-error",
    Stat.BAD_SOURCES: "bad-source",
    Stat.EXTRACT_ERRORS: "extract-error",
    Stat.SPIDER_EXCEPTIONS: "spider-exception",
    Stat.URL_TOO_LONG: "url-too-long",
    Stat.DEPTH_LIMIT: "depth-limit",
}
"""Keys of pages not archived, and their reason; besides these, ``archive/fetch_errors/REASON``. A ``Stat`` is
its key's string, so plain string keys of a stats dump find their reason here too."""
ANSWERS = (Stat.PAGES_FETCHED, Stat.NOT_MODIFIED, Stat.GONE, Stat.SOURCES)
"""Responses the crawl could use: pages, 304s, 404/410s of re-checks, feeds, sitemaps and robots.txt."""


def error_reasons(stats: Mapping[str, Any]) -> dict[str, int]:
    """How many pages were not archived, by reason, from a crawl's stats."""
    reasons: dict[str, int] = {}
    for key, value in stats.items():
        reason = key.removeprefix(FETCH_ERRORS) if key.startswith(FETCH_ERRORS) else ERROR_REASONS.get(key)
        if reason and value:
            reasons[reason] = reasons.get(reason, 0) + int(value)
    return reasons
