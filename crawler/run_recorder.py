"""The crawl_runs record: one row per ``scrapy crawl``, opened at start, completed at the end.

The row says which process ran the crawl (host and pid) and, for a crawl run
as a queue job (``crawler.queue``), which worker and job: the worker passes
them as the settings ``ARCHIVE_JOB_WORKER`` and ``ARCHIVE_JOB_ID``.

Errors are counted by reason: the spider and the pipelines count each page
that is not archived under a stats key (``crawler.stats``), and
``error_reasons`` turns those keys into the reasons stored in
``crawl_run_errors``.

The end of each run also logs a one-line summary, the last line of the crawl's
log (after Scrapy's stats dump), and decides the exit status
of ``scrapy crawl`` (see ``crawler.commands.crawl``): a run that got no usable
answer at all because every request failed exits with ``EXIT_ALL_FAILED``. A
run that cannot be recorded at its start stops the crawl before anything is
fetched (``crawler.shared_archive.archive_failed``); one that cannot be
completed at the end is the crawl's one error line and exit status 1 the same
way, the articles it archived kept.
"""

from __future__ import annotations

import logging
from typing import Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import DatabaseError

from archive.models import CrawlRun, CrawlRunError, utc_now
from archive.site_locks import LockOwner
from crawler.shared_archive import archive_failed, crawl_archive
from crawler.site_selection import site_selection
from crawler.stats import ANSWERS, Stat, error_reasons

logger = logging.getLogger(__name__)

run_recorded = object()
"""Signal sent once a run's record is complete, with ``run_id``; its handlers may be coroutines."""

EXIT_ALL_FAILED = 3


class CrawlRunRecorder:
    """Writes the ``crawl_runs`` row of this crawl from the crawl's stats."""

    def __init__(self, crawler: Crawler, stats: StatsCollector, worker: str | None, job: str | None) -> None:
        self.crawler = crawler
        self.stats = stats
        self.worker = worker
        self.job = job
        self.run_id: int | None = None
        self.summary = ""
        """The run's counts in one line, logged when the engine has stopped."""
        self.failure = ""
        """Why the run achieved nothing, if it did not: logged after the summary."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        recorder = cls(crawler, crawler.stats, crawler.settings.get("ARCHIVE_JOB_WORKER") or None, crawler.settings.get("ARCHIVE_JOB_ID") or None)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(recorder.item_error, signal=signals.item_error)
        crawler.signals.connect(recorder.engine_stopped, signal=signals.engine_stopped)
        return recorder

    def item_error(self) -> None:
        """A pipeline raised on an item (the item is lost to this run, the crawl goes on)."""
        self.stats.inc_value(Stat.ITEM_ERRORS)

    def spider_opened(self) -> None:
        try:
            self.run_id = self._record_start()
        except DatabaseError as error:
            raise archive_failed(self.crawler, error) from None

    def _record_start(self) -> int:
        """The new row of this run: its start, what it crawls and which process runs it."""
        sites = site_selection(self.crawler)
        with crawl_archive(self.crawler).sessions.begin() as session:
            me = LockOwner.this_process()
            run = CrawlRun(
                started_at=utc_now(),
                mode=sites.arguments.mode.value,
                sites=" ".join(sorted(sites.chosen)),
                host=me.host,
                pid=me.pid,
                worker=self.worker,
                job=self.job,
            )
            session.add(run)
            session.flush()
            return run.id

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:  # the archive failed before the run could be recorded
            return
        errors = error_reasons(self.stats.get_stats())
        try:
            run = self._record_end(self.run_id, reason, errors)
        except DatabaseError as error:  # what the crawl archived is committed already: only the end of its record is lost
            archive_failed(self.crawler, error)
            return
        by_reason = ", ".join(f"{name} {pages}" for name, pages in sorted(errors.items()))
        assert run.finished_at is not None
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.summary = (
            f"crawl run {self.run_id}: new {run.articles_new}, changed {run.articles_changed}, unchanged {run.articles_unchanged}, "
            f"not modified {run.not_modified}, gone {run.gone}, duplicates {run.duplicates}, not articles {run.not_articles}, "
            f"errors {run.errors}, requests {run.requests}, {seconds:.1f} seconds ({reason})" + (f" errors by reason: {by_reason}" if errors else "")
        )
        if run.errors and not sum(self.stats.get_value(name, 0) for name in ANSWERS):
            self.stats.set_value(Stat.EXIT_STATUS, EXIT_ALL_FAILED)
            self.failure = f"crawl run {self.run_id} fetched nothing: every request failed ({by_reason})"
        await self.crawler.signals.send_catch_log_async(run_recorded, run_id=self.run_id)

    def _record_end(self, run_id: int, reason: str, errors: dict[str, int]) -> CrawlRun:
        """The row of this run completed from the crawl's stats: its end, how it ended, its counts and its ``errors`` by reason."""
        count = self.stats.get_value
        with crawl_archive(self.crawler).sessions.begin() as session:
            run = session.get(CrawlRun, run_id)
            assert run is not None
            run.finished_at = utc_now()
            run.finish_reason = reason
            run.requests = count(Stat.REQUESTS, 0)
            run.pages_fetched = count(Stat.PAGES_FETCHED, 0)
            run.articles_new = count(Stat.NEW, 0)
            run.articles_changed = count(Stat.CHANGED, 0)
            run.articles_unchanged = count(Stat.UNCHANGED, 0)
            run.duplicates = count(Stat.DUPLICATE, 0)
            run.not_articles = count(Stat.NOT_ARTICLE, 0)
            run.rechecks = count(Stat.RECHECKS, 0)
            run.not_modified = count(Stat.NOT_MODIFIED, 0)
            run.gone = count(Stat.GONE, 0)
            run.known_skipped = count(Stat.KNOWN_SKIPPED, 0)
            run.errors = sum(errors.values())
            session.add_all(CrawlRunError(run_id=run.id, reason=name, pages=pages) for name, pages in sorted(errors.items()))
        return run

    def engine_stopped(self) -> None:
        """The summary, once Scrapy has dumped its stats: the last line a reader of the log sees."""
        if self.summary:
            logger.info(self.summary)
        if self.failure:
            logger.error(self.failure)
