"""Why a page was not archived: one short reason per failed or refused request.

The reasons are what ``crawl_runs.errors`` is made of; each crawl records
them, with how many pages each concerns, in ``crawl_run_errors``. Requests
not fetched on purpose (off the site, disallowed by robots.txt, already
fetched) are not failures and have no reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Self
from urllib.parse import urljoin

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

from crawler.stats import Stat, fetch_error_stat

logger = logging.getLogger(__name__)

EXCEPTION_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timeout"),
    (TimeoutError, "timeout"),
    (DownloadCancelledError, "too-large"),
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "connection-refused"),
    (ResponseDataLossError, "truncated"),
    (ConnectionLost, "connection-lost"),
)
RETRY_LOGGER = "scrapy.downloadermiddlewares.retry"
ROBOTS_LOGGER = "scrapy.downloadermiddlewares.robotstxt"
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


def record_failure(failure: Failure, stats: StatsCollector) -> None:
    """Log and count a request that failed (a guessed feed or sitemap that does not exist is no failure)."""
    request = getattr(failure, "request", None)
    url = request.url if request else "?"
    if request is not None and request.meta.get("guessed"):
        logger.debug("no feed or sitemap at %s: %s", url, failure.getErrorMessage())
        return
    reason = failure_reason(failure)
    if reason is None:
        stats.inc_value(Stat.IGNORED)
        logger.debug("not fetched %s: %s", url, failure.getErrorMessage())
        return
    stats.inc_value(fetch_error_stat(reason))
    logger.warning("failed %s: %s (%s)", url, reason, failure.getErrorMessage())


class OneLinePerFailure(logging.Filter):
    """Scrapy's own log records of failed requests, made one line per failure.

    - RetryMiddleware's "Gave up retrying" goes down to DEBUG: the spider's
      errback logs the same failure with its reason (``record_failure``);
    - RobotsTxtMiddleware's "Error downloading" (a traceback of some 40 lines)
      becomes one warning naming the robots.txt and the reason.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == RETRY_LOGGER and str(record.msg).startswith("Gave up retrying"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        elif record.name == ROBOTS_LOGGER and record.exc_info and isinstance(record.args, Mapping):
            request, error = record.args.get("request"), record.exc_info[1]
            robots_url = urljoin(getattr(request, "url", ""), "/robots.txt")
            reason = failure_reason(Failure(error)) if error is not None else "download-failed"  # type: ignore[no-untyped-call]
            record.msg, record.args = "failed %s: %s (%s)", (robots_url, reason, error)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


class FailureLogging:
    """Installs ``OneLinePerFailure`` on the loggers of Scrapy's retry and robots.txt middlewares."""

    def __init__(self) -> None:
        for name in (RETRY_LOGGER, ROBOTS_LOGGER):
            scrapy_logger = logging.getLogger(name)
            if not any(isinstance(f, OneLinePerFailure) for f in scrapy_logger.filters):
                scrapy_logger.addFilter(OneLinePerFailure())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()


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
            self.stats.inc_value(fetch_error_stat("redirect-loop"))
            logger.warning("failed %s: redirect loop", request.meta["redirect_urls"][0])
