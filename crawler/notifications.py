"""Notifications after each crawl run (``ARCHIVE_NOTIFY``): a Scrapy extension that hands the run's record to
``archive.notify`` once ``CrawlRunRecorder`` has written it.

Settings: ``ARCHIVE_NOTIFY`` (apprise URLs; empty switches the extension
off), ``ARCHIVE_NOTIFY_ON`` (``edits``, ``new`` or both, comma-separated) and
``ARCHIVE_WEB_URL`` (where ``archive serve`` is reachable, for links to the
diffs). The message is sent in a thread while the crawl closes; its outcome
is counted in the stats (``archive/notify/sent``, ``archive/notify/failed``)
and a failure is logged, never raised, so that the crawl and its run record
are never lost to it.
"""

from __future__ import annotations

from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from archive.db import open_archive
from archive.notify import Notified, notify_run, parse_events
from crawler.runs import CrawlRunRecorder

STATS_PREFIX = "archive/notify/"


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
            raise NotConfigured("ARCHIVE_NOTIFY is empty")
        try:
            events = parse_events(crawler.settings.get("ARCHIVE_NOTIFY_ON", "") or "")
        except ValueError as error:
            raise NotConfigured(f"ARCHIVE_NOTIFY_ON: {error}") from None
        extension = cls(crawler, urls, events, crawler.settings.get("ARCHIVE_WEB_URL") or None)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _run_id(self) -> int | None:
        """The id of this crawl's run record, as the recorder (which writes it before this runs) has it."""
        assert self.crawler.extensions is not None
        recorders = [extension for extension in self.crawler.extensions.middlewares if isinstance(extension, CrawlRunRecorder)]
        return recorders[0].run_id if recorders else None

    def _notify(self, run_id: int) -> Notified:
        archive = open_archive(self.crawler.settings.get("ARCHIVE_DATABASE_URL"), read_only=True)
        try:
            return notify_run(archive.sessions, run_id, self.urls, self.events, self.web_url)
        finally:
            archive.close()

    def _count(self, outcome: Notified) -> None:
        if outcome != Notified.NOTHING:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(STATS_PREFIX + outcome.value)

    def _failed(self, failure: object, spider: Spider) -> None:
        spider.logger.error("notification failed: %s", failure)
        self._count(Notified.FAILED)

    def spider_closed(self, spider: Spider) -> Deferred[None] | None:
        run_id = self._run_id()
        if run_id is None:
            spider.logger.error("notification not sent: this crawl has no run record")
            return None
        notified: Deferred[None] = deferToThread(self._notify, run_id).addCallback(self._count)
        return notified.addErrback(self._failed, spider)
