"""The crawl_runs record: one row per ``scrapy crawl``, opened at start, completed at the end."""

from __future__ import annotations

from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from archive.db import open_archive
from archive.models import CrawlRun, utc_now

ERROR_STATS = (
    "archive/fetch_errors", "archive/not_html", "archive/unparsable", "archive/empty_body",
    "archive/store_errors", "archive/item_errors", "spider_exceptions/count",
)


class CrawlRunRecorder:
    """Writes the ``crawl_runs`` row of this crawl from the crawl's stats."""

    def __init__(self, database_url: str, stats: StatsCollector) -> None:
        self.archive = open_archive(database_url)
        self.stats = stats
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        recorder = cls(crawler.settings.get("ARCHIVE_DATABASE_URL"), crawler.stats)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.item_error, signal=signals.item_error)
        return recorder

    def item_error(self) -> None:
        """A pipeline raised on an item (the item is lost to this run, the crawl goes on)."""
        self.stats.inc_value("archive/item_errors")

    def spider_opened(self, spider: Spider) -> None:
        with self.archive.sessions.begin() as session:
            run = CrawlRun(
                started_at=utc_now(),
                mode=getattr(spider, "mode", ""),
                sites=" ".join(sorted(getattr(spider, "profiles", {}))),
            )
            session.add(run)
            session.flush()
            self.run_id = run.id

    def spider_closed(self, spider: Spider, reason: str) -> None:
        count = self.stats.get_value
        with self.archive.sessions.begin() as session:
            run = session.get(CrawlRun, self.run_id)
            assert run is not None
            run.finished_at = utc_now()
            run.finish_reason = reason
            run.pages_fetched = count("archive/pages_fetched", 0)
            run.articles_new = count("archive/new", 0)
            run.articles_changed = count("archive/changed", 0)
            run.articles_unchanged = count("archive/unchanged", 0)
            run.duplicates = count("archive/duplicate", 0)
            run.not_articles = count("archive/not_article", 0)
            run.errors = sum(count(name, 0) for name in ERROR_STATS)
        spider.logger.info(
            "crawl run %s: new %d, changed %d, unchanged %d, duplicates %d, not articles %d, errors %d",
            self.run_id, run.articles_new, run.articles_changed, run.articles_unchanged,
            run.duplicates, run.not_articles, run.errors,
        )
        self.archive.close()
