"""Why a page was not archived: one short reason per failed or refused request.

The reasons are what ``crawl_runs.errors`` is made of; each crawl records
them, with how many pages each concerns, in ``crawl_run_errors``. Requests
not fetched on purpose (off the site, disallowed by robots.txt, already
fetched) are not failures and have no reason.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.statscollectors import StatsCollector
from twisted.internet.error import ConnectionLost, TimeoutError
from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

FETCH_ERRORS = "archive/fetch_errors/"
"""Stats key prefix: ``archive/fetch_errors/REASON`` counts the pages that failed for REASON."""
EXCEPTION_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timeout"),
    (TimeoutError, "timeout"),
    (DownloadCancelledError, "too-large"),
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "connection-refused"),
    (ResponseDataLossError, "truncated"),
    (ConnectionLost, "connection-lost"),
)
IGNORE_MESSAGE_REASONS = (
    ("max redirections", "too-many-redirects"),  # scrapy's RedirectMiddleware
    ("DOWNLOAD_MAXSIZE", "too-large"),  # scrapy's HttpCompressionMiddleware: a decompression bomb
)


def failure_reason(failure: Failure) -> str | None:
    """The reason a request failed, or None when it was not fetched on purpose."""
    if isinstance(failure.value, HttpError):
        return f"http-{failure.value.response.status}"
    for kind, reason in EXCEPTION_REASONS:
        if isinstance(failure.value, kind):
            return reason
    if isinstance(failure.value, IgnoreRequest):
        message = str(failure.value)
        return next((reason for text, reason in IGNORE_MESSAGE_REASONS if text in message), None)
    return "download-failed"


class RedirectLoops:
    """Counts redirect loops: a redirect back to a URL of its own chain, which the scheduler drops unseen."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.request_dropped, signal=signals.request_dropped)
        return extension

    def request_dropped(self, request: Request) -> None:
        if request.url in request.meta.get("redirect_urls", ()):
            self.stats.inc_value(f"{FETCH_ERRORS}redirect-loop")
            logger.warning("failed %s: redirect loop", request.meta["redirect_urls"][0])
