"""Downloader middlewares that keep a crawl safe and polite on hostile sites.

- ``PrivateAddressGuard`` refuses requests to private, loopback and link-local
  addresses made on behalf of a public site (links and redirects alike), so a
  page cannot steer the crawler into the network it runs in.
- ``RetryAfterMiddleware`` waits as long as a 429 or 503 response's
  ``Retry-After`` asks before Scrapy's RetryMiddleware retries it, and gives
  up at once when the server asks for longer than ``ARCHIVE_RETRY_AFTER_MAX``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import sleep

from crawler.addresses import is_refused
from crawler.site_selection import site_selection
from crawler.stats import Stat, fetch_error_stat

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = (429, 503)


class PrivateAddressGuard:
    """Refuses a request whose host is private when the hosts of its site's start URLs are public.

    The site of a request is ``request.meta["site"]``, a profile name of the
    crawl's ``crawler.site_selection``; a request without one is judged against every profile.
    Requests are judged when scheduled (redirects included: Scrapy drops what a
    ``request_scheduled`` handler refuses, like OffsiteMiddleware does) and
    again before download, for those never scheduled (robots.txt). Each refusal
    is counted as the error "private-address". Off with
    ``ARCHIVE_BLOCK_PRIVATE_ADDRESSES = False``.
    """

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVE_BLOCK_PRIVATE_ADDRESSES"):
            raise NotConfigured("ARCHIVE_BLOCK_PRIVATE_ADDRESSES is off")
        assert crawler.stats is not None
        guard = cls(crawler, crawler.stats)
        crawler.signals.connect(guard.process_request, signal=signals.request_scheduled)
        return guard

    def _site_hosts(self, request: Request) -> list[str]:
        profiles = site_selection(self.crawler).chosen
        site = profiles.get(request.meta.get("site", ""))
        chosen = [site] if site is not None else list(profiles.values())
        return [urlsplit(url).hostname or "" for profile in chosen for url in profile.start_urls]

    def process_request(self, request: Request) -> None:
        if is_refused(request.url, self._site_hosts(request)):
            self.stats.inc_value(fetch_error_stat("private-address"))
            logger.warning("refused %s: a private address reached from a public site", request.url)
            raise IgnoreRequest(f"private address refused: {request.url}")


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for (seconds or an HTTP date), or None if it says nothing usable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Honours ``Retry-After`` on 429 and 503 responses that RetryMiddleware is going to retry.

    Sits between the downloader and RetryMiddleware: it sees the response
    first, waits, then lets RetryMiddleware schedule the retry. A wait longer
    than ``ARCHIVE_RETRY_AFTER_MAX`` seconds is not waited for: the request is
    not retried and fails as the response says.
    """

    def __init__(self, stats: StatsCollector, max_wait: float, retry_times: int) -> None:
        self.stats = stats
        self.max_wait = max_wait
        self.retry_times = retry_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured("RETRY_ENABLED is off")
        assert crawler.stats is not None
        return cls(crawler.stats, settings.getfloat("ARCHIVE_RETRY_AFTER_MAX"), settings.getint("RETRY_TIMES"))

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("dont_retry"):
            return response
        if request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.retry_times):
            return response  # RetryMiddleware gives up on this one: no point in waiting
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        if wait > self.max_wait:
            request.meta["dont_retry"] = True
            logger.warning("not retrying %s: Retry-After %.0f s is longer than ARCHIVE_RETRY_AFTER_MAX", request.url, wait)
            return response
        self.stats.inc_value(Stat.RETRY_AFTER_WAITS)
        logger.info("waiting %.1f s before retrying %s, as its Retry-After asks", wait, request.url)
        await sleep(wait)
        return response
