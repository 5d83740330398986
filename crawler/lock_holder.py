"""One crawl of a site at a time: the extension that holds the archive's site locks during a crawl.

When the spider opens, it takes the lock of every site it is about to crawl
(``archive.site_locks``; the sites of ``crawler.site_selection``). A site whose
lock a live crawl holds is left out of the selection and the reason logged; when every site is held, the crawl closes at once with reason
``locked``, fetches nothing and exits 0, so that overlapping cron runs are not
errors. An archive whose database fails to take a lock stops the crawl before
anything is fetched (``crawler.shared_archive.archive_failed``). The locks are
refreshed every ``ARCHIVE_LOCK_HEARTBEAT_SECONDS`` and
released at the end (a database that fails there is the crawl's one error
line and exit status 1, the same way); ``ARCHIVE_LOCK_STALE_SECONDS`` says
when the lock of a crawl that stopped refreshing it is taken over.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call
from sqlalchemy.exc import DatabaseError, SQLAlchemyError

from archive.db import error_reason
from archive.site_locks import LOCKED, LockOwner, acquire_site_lock, refresh_site_locks, release_site_locks
from crawler.shared_archive import archive_failed, crawl_archive
from crawler.site_selection import site_selection
from crawler.stats import Stat

logger = logging.getLogger(__name__)


class SiteLockHolder:
    def __init__(self, crawler: Crawler, stats: StatsCollector, heartbeat_seconds: float, stale_after: timedelta) -> None:
        self.crawler = crawler
        self.stats = stats
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after = stale_after
        self.me = LockOwner.this_process()
        self.archive = crawl_archive(crawler)
        self.sites: list[str] = []
        self.heartbeat: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        extension = cls(
            crawler,
            crawler.stats,
            settings.getfloat("ARCHIVE_LOCK_HEARTBEAT_SECONDS"),
            timedelta(seconds=settings.getfloat("ARCHIVE_LOCK_STALE_SECONDS")),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        selection = site_selection(self.crawler)
        held = []
        for site in list(selection.profiles):
            try:
                result = acquire_site_lock(self.archive.sessions, site, self.me, self.stale_after)
            except DatabaseError as error:
                raise archive_failed(self.crawler, error) from None
            if result.taken_over:
                logger.warning(
                    "%s: took over the stale lock of a crawl that stopped (host %s, pid %d)",
                    site,
                    result.taken_over.host,
                    result.taken_over.pid,
                )
            if result.acquired:
                self.sites.append(site)
            else:
                held.append(site)
                logger.info(
                    "%s: not crawled, another crawl is running (host %s, pid %d, alive at %s)",
                    site,
                    result.holder.host,
                    result.holder.pid,
                    result.heartbeat_at.isoformat(timespec="seconds"),
                )
        self.stats.set_value(Stat.LOCKED_SITES, len(held))
        if held and not self.sites:
            raise CloseSpider(LOCKED)
        for site in held:
            selection.leave_out(site)
        self.heartbeat = create_looping_call(self.beat)
        self.heartbeat.start(self.heartbeat_seconds, now=False)

    def beat(self) -> None:
        try:
            held = refresh_site_locks(self.archive.sessions, self.sites, self.me)
        except SQLAlchemyError as error:
            logger.warning("could not refresh the site locks: %s", error_reason(error))
            return
        if held < len(self.sites):
            logger.error("a site lock of this crawl was taken over by another crawl (heartbeat too late?)")

    def spider_closed(self) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.sites:
            try:
                release_site_locks(self.archive.sessions, self.sites, self.me)
            except DatabaseError as error:  # the crawl has ended: its locks go stale, and are taken over
                archive_failed(self.crawler, error)
