"""Item pipelines, in order: drop repeats, archive. The only components of a crawl that write to the archive.

The spider yields articles (read in a worker process, see ``crawler.page_workers``,
with a body) and the answers of re-checks (``NotModified``, ``Gone``).

- ``DedupePipeline`` drops a page already handled in this run under the same
  URLs; a copy under another URL goes on so the archive records the alias. It
  remembers the last ``SEEN_PAGES`` pages, by a 16-byte digest each: a repeat
  after that many is recorded again, which the archive takes for an unchanged
  visit.
- ``ArchivePipeline`` writes articles through ``archive.store``: a snapshot
  only when its content changed, an alias when it is a known article under
  another URL; and re-check answers through ``archive.rechecks``: a 304 moves
  the article's seen and checked times, a 404 or 410 records it gone. It
  writes in batches, one transaction each, in a thread so that
  the reactor keeps fetching: a batch is written when it has
  ``ARCHIVE_WRITE_BATCH_SIZE`` articles, every ``ARCHIVE_WRITE_BATCH_SECONDS``
  and when the spider closes; in a batch, pages fetched at their own URL go
  before copies. A batch that fails is written again article by article, so
  that one article that cannot be written costs only itself. An archive that
  cannot be written until someone acts (a damaged file, a full disk:
  ``archive.db.lasting_failure``) stops the crawl instead, with one error
  line (``crawler.shared_archive.archive_failed``): nothing more is written
  to it, and the articles not written are counted as store errors. The
  archive is the crawl's one shared archive (``crawler.shared_archive``).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Self, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.defer import DeferredLock
from twisted.internet.threads import deferToThread

from archive.db import Archive, error_reason, lasting_failure
from archive.rechecks import record_gone, record_not_modified
from archive.store import Recorded, record_article, record_articles
from crawler.items import ArticleItem, CrawlItem, Gone, NotModified
from crawler.profiling import profiled
from crawler.shared_archive import archive_failed, crawl_archive
from crawler.stats import Stat, outcome_stat

logger = logging.getLogger(__name__)

T = TypeVar("T")

SEEN_PAGES = 100_000
"""How many (URL, fetched URL) pairs DedupePipeline remembers."""


class DedupePipeline:
    def __init__(self, stats: StatsCollector, remember: int = SEEN_PAGES) -> None:
        self.stats = stats
        self.remember = remember
        self.seen: OrderedDict[bytes, None] = OrderedDict()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: CrawlItem) -> CrawlItem:
        if not isinstance(item, ArticleItem):
            return item
        key = hashlib.blake2b(f"{item.url}\n{item.fetched_url}".encode(), digest_size=16).digest()
        if key in self.seen:
            self.seen.move_to_end(key)
            self.stats.inc_value(Stat.DUPLICATE)
            raise DropItem(f"already archived in this run: {item.fetched_url}", log_level="DEBUG")
        self.seen[key] = None
        if len(self.seen) > self.remember:
            self.seen.popitem(last=False)
        return item


class ArchivePipeline:
    def __init__(self, crawler: Crawler, archive: Archive, stats: StatsCollector, batch_size: int, batch_seconds: float) -> None:
        self.crawler = crawler
        self.archive = archive
        self.stats = stats
        self.batch_size, self.batch_seconds = max(1, batch_size), batch_seconds
        self.pending: list[CrawlItem] = []
        self.writing = DeferredLock()
        self.write_batch = profiled(self._write, "write")
        self.timer: Any = None
        self.failure: SQLAlchemyError | None = None
        """The error that left the archive unusable for the rest of the crawl: nothing is written after it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        return cls(
            crawler,
            crawl_archive(crawler),
            crawler.stats,
            settings.getint("ARCHIVE_WRITE_BATCH_SIZE"),
            settings.getfloat("ARCHIVE_WRITE_BATCH_SECONDS"),
        )

    def open_spider(self) -> None:
        if self.batch_seconds > 0:
            self.timer = create_looping_call(self._write_due)
            self.timer.start(self.batch_seconds, now=False)

    async def process_item(self, item: CrawlItem) -> CrawlItem:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            await self._write_pending()
        return item

    async def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        await self._write_pending()

    def _write_due(self) -> None:
        """Every BATCH_SECONDS: start writing what is pending."""
        if self.pending:
            deferred_from_coro(self._write_pending())

    async def _write_pending(self) -> None:
        """Write what is pending, after the writes already under way.

        Pages fetched at their own URL go first, copies fetched under another URL
        (that named it canonical) after them: an article whose page and copy are
        both at hand is filed from its own page, whichever arrived first.
        """
        pending, self.pending = self.pending, []
        articles = sorted((item for item in pending if isinstance(item, ArticleItem)), key=lambda item: item.fetched_url != item.url)
        answers = [item for item in pending if not isinstance(item, ArticleItem)]
        outcomes = await maybe_deferred_to_future(self.writing.run(deferToThread, self.write_batch, articles, answers))
        for item, outcome in zip(articles, outcomes, strict=True):
            if isinstance(outcome, Recorded):
                self.stats.inc_value(outcome_stat(outcome.outcome))
                logger.info("%s v%d %s", outcome.outcome.value, outcome.version, item.url)
            else:
                self.stats.inc_value(Stat.STORE_ERRORS)
                if self.failure is None:  # else archive_failed says why, once
                    logger.error("could not archive %s: %s", item.url, outcome)
        if self.failure is not None:
            closing = archive_failed(self.crawler, self.failure)
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=closing.reason))

    def _write(self, articles: list[ArticleItem], answers: list[NotModified | Gone]) -> list[Recorded | str]:
        """In a thread: the re-check answers, then the articles in one transaction, else each alone; a Recorded or an error per article.

        Once the archive has failed for good, nothing is written: the answers count as store errors, each article gets the reason.
        """
        if self.failure is None:
            self._write_answers(answers)
        elif answers:
            self.stats.inc_value(Stat.STORE_ERRORS, len(answers))
        if self.failure is None and articles:
            try:
                return list(record_articles(self.archive.sessions, articles))
            except Exception as error:
                if lasting_failure(error):
                    self.failure = error
                else:
                    logger.debug("a batch of %d articles failed (%s); writing them one by one", len(articles), _reason(error))
        if self.failure is not None:
            return [_reason(self.failure)] * len(articles)
        return [self._write_one(item) for item in articles]

    def _write_answers(self, answers: list[NotModified | Gone]) -> None:
        """304s in one transaction; each 404 or 410 in its own. An answer that cannot be written is logged and counted."""
        unchanged = [answer for answer in answers if isinstance(answer, NotModified)]
        if unchanged:
            self._write_answer(f"{len(unchanged)} answers 304", record_not_modified, [a.article_id for a in unchanged], unchanged[-1].checked_at)
        for gone in (answer for answer in answers if isinstance(answer, Gone)):
            checks = self._write_answer(f"the {gone.status} of {gone.url}", record_gone, gone.article_id, gone.checked_at)
            if checks is not None:
                logger.info("gone (%d, %d checks in a row): %s", gone.status, checks, gone.url)

    def _write_answer(self, what: str, write: Callable[..., T], *args: Any) -> T | None:
        try:
            return write(self.archive.sessions, *args)
        except Exception as error:
            self.stats.inc_value(Stat.STORE_ERRORS)
            logger.error("could not record %s: %s", what, _reason(error))
            return None

    def _write_one(self, item: ArticleItem) -> Recorded | str:
        try:
            return record_article(self.archive.sessions, item)
        except Exception as error:
            return _reason(error)


def _reason(error: Exception) -> str:
    """One line saying why a write failed."""
    return error_reason(error) if isinstance(error, SQLAlchemyError) else f"{type(error).__name__}: {error}"
