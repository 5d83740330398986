"""Notifications after each crawl run (``ARCHIVE_NOTIFY``): a Scrapy extension that hands the run's record to
``archive.notify`` once the run recorder has written it (its ``run_recorded`` signal).

Settings: ``ARCHIVE_NOTIFY`` (apprise URLs; empty switches the extension
off), ``ARCHIVE_NOTIFY_ON`` (``edits``, ``new`` or both, comma-separated) and
``ARCHIVE_WEB_URL`` (where ``archive serve`` is reachable, for links to the
diffs). The message is sent in a thread while the crawl closes; its outcome
is counted in the stats (``Stat.NOTIFY_SENT``, ``Stat.NOTIFY_FAILED``)
and a failure is logged, never raised, so that the crawl and its run record
are never lost to it.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.notify import Notified, notify_run, parse_events
from crawler.run_recorder import run_recorded
from crawler.shared_archive import crawl_archive
from crawler.stats import Stat

logger = logging.getLogger(__name__)


class RunNotifications:
    def __init__(self, crawler: Crawler, urls: str, events: frozenset[str], web_url: str | None) -> None:
        self.crawler = crawler
        self.urls = urls
        self.events = events
        self.web_url = web_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        urls = crawler.settings.get("ARCHIVE_NOTIFY", "") or ""
        if not urls.strip():
            raise NotConfigured  # off unless asked for: said without a message, which Scrapy would log as a warning
        try:
            events = parse_events(crawler.settings.get("ARCHIVE_NOTIFY_ON", "") or "")
        except ValueError as error:
            raise NotConfigured(f"ARCHIVE_NOTIFY_ON: {error}") from None
        extension = cls(crawler, urls, events, crawler.settings.get("ARCHIVE_WEB_URL") or None)
        crawler.signals.connect(extension.run_recorded, signal=run_recorded)
        return extension

    def _notify(self, run_id: int) -> Notified:
        return notify_run(crawl_archive(self.crawler).sessions, run_id, self.urls, self.events, self.web_url)

    def _count(self, outcome: Notified) -> None:
        if outcome != Notified.NOTHING:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(Stat.NOTIFY_SENT if outcome == Notified.SENT else Stat.NOTIFY_FAILED)

    async def run_recorded(self, run_id: int) -> None:
        try:
            outcome = await maybe_deferred_to_future(deferToThread(self._notify, run_id))
        except Exception as error:
            logger.error("notification failed: %s", error)
            outcome = Notified.FAILED
        self._count(outcome)
