"""The crawl_runs record: one row per ``scrapy crawl``, opened at start, completed at the end.

Errors are counted by reason: the spider and the pipelines count each page
that is not archived under a stats key, and ``error_reasons`` turns those
keys into the reasons stored in ``crawl_run_errors``.

The end of each run also logs a one-line summary and decides the exit status
of ``scrapy crawl`` (see ``crawler.commands.crawl``): a run that got no usable
answer at all because every request failed exits with ``EXIT_ALL_FAILED``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from archive.db import open_archive
from archive.models import CrawlRun, CrawlRunError, utc_now
from crawler.failures import FETCH_ERRORS

ERROR_STATS = {
    "archive/not_html": "not-html",
    "archive/unparsable": "unparsable",
    "archive/empty_body": "no-body",
    "archive/store_errors": "store-error",
    "archive/item_errors": "item-error",
    "archive/bad_sources": "bad-source",
    "archive/extract_errors": "extract-error",
    "spider_exceptions/count": "spider-exception",
    "urllength/request_ignored_count": "url-too-long",
    "depth/request_ignored_count": "depth-limit",
}
"""Stats keys of pages not archived, and their reason; besides these, ``archive/fetch_errors/REASON``."""
ANSWER_STATS = ("archive/pages_fetched", "archive/not_modified", "archive/gone", "archive/sources")
"""Responses the crawl could use: pages, 304s, 404/410s of re-checks, feeds, sitemaps and robots.txt."""
EXIT_STATUS_STAT = "archive/exit_status"
EXIT_ALL_FAILED = 3


def error_reasons(stats: Mapping[str, Any]) -> dict[str, int]:
    """How many pages were not archived, by reason, from a crawl's stats."""
    reasons: dict[str, int] = {}
    for key, value in stats.items():
        reason = key.removeprefix(FETCH_ERRORS) if key.startswith(FETCH_ERRORS) else ERROR_STATS.get(key)
        if reason and value:
            reasons[reason] = reasons.get(reason, 0) + int(value)
    return reasons


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
        errors = error_reasons(self.stats.get_stats())
        with self.archive.sessions.begin() as session:
            run = session.get(CrawlRun, self.run_id)
            assert run is not None
            run.finished_at = utc_now()
            run.finish_reason = reason
            run.requests = count("downloader/request_count", 0)
            run.pages_fetched = count("archive/pages_fetched", 0)
            run.articles_new = count("archive/new", 0)
            run.articles_changed = count("archive/changed", 0)
            run.articles_unchanged = count("archive/unchanged", 0)
            run.duplicates = count("archive/duplicate", 0)
            run.not_articles = count("archive/not_article", 0)
            run.rechecks = count("archive/rechecks", 0)
            run.not_modified = count("archive/not_modified", 0)
            run.gone = count("archive/gone", 0)
            run.known_skipped = count("archive/known_skipped", 0)
            run.errors = sum(errors.values())
            session.add_all(CrawlRunError(run_id=run.id, reason=name, pages=pages) for name, pages in sorted(errors.items()))
        if run.errors and not sum(count(name, 0) for name in ANSWER_STATS):
            self.stats.set_value(EXIT_STATUS_STAT, EXIT_ALL_FAILED)
            spider.logger.error("crawl run %s fetched nothing: every request failed", self.run_id)
        seconds = (run.finished_at - run.started_at).total_seconds()
        spider.logger.info(
            "crawl run %s: new %d, changed %d, unchanged %d, not modified %d, gone %d, duplicates %d, "
            "not articles %d, errors %d, requests %d, %.1f seconds (%s)%s",
            self.run_id,
            run.articles_new,
            run.articles_changed,
            run.articles_unchanged,
            run.not_modified,
            run.gone,
            run.duplicates,
            run.not_articles,
            run.errors,
            run.requests,
            seconds,
            reason,
            f" errors by reason: {', '.join(f'{name} {pages}' for name, pages in sorted(errors.items()))}" if errors else "",
        )
        self.archive.close()
