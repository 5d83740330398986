"""Item pipelines, in order: drop repeats, archive.

The spider reads each article page itself (metadata and clean body text, in a
worker process, see ``crawler.reader``) and yields only articles with a body.

- ``DedupePipeline`` drops a page already handled in this run under the same
  URLs; a copy under another URL goes on so the archive records the alias. It
  remembers the last ``SEEN_PAGES`` pages, by a 16-byte digest each: a repeat
  after that many is recorded again, which the archive takes for an unchanged
  visit.
- ``ArchivePipeline`` writes articles through ``archive.store``: a snapshot
  only when its content changed, an alias when it is a known article under
  another URL. It writes in batches, one transaction each, in a thread so that
  the reactor keeps fetching: a batch is written when it has
  ``ARCHIVE_WRITE_BATCH_SIZE`` articles, every ``ARCHIVE_WRITE_BATCH_SECONDS``
  and when the spider closes; in a batch, pages fetched at their own URL go
  before copies. A batch that fails is written again article by article, so
  that one article that cannot be written costs only itself.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from sqlalchemy.exc import SQLAlchemyError
from twisted.internet.defer import DeferredLock
from twisted.internet.threads import deferToThread

from archive.db import error_reason, open_archive
from archive.store import Outcome, Recorded, record_article, record_articles
from crawler.items import ArticleItem

logger = logging.getLogger(__name__)

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

    def process_item(self, item: ArticleItem) -> ArticleItem:
        key = hashlib.blake2b(f"{item.url}\n{item.fetched_url}".encode(), digest_size=16).digest()
        if key in self.seen:
            self.seen.move_to_end(key)
            self.stats.inc_value(f"archive/{Outcome.DUPLICATE.value}")
            raise DropItem(f"already archived in this run: {item.fetched_url}", log_level="DEBUG")
        self.seen[key] = None
        if len(self.seen) > self.remember:
            self.seen.popitem(last=False)
        return item


class ArchivePipeline:
    def __init__(self, database_url: str, stats: StatsCollector, batch_size: int, batch_seconds: float) -> None:
        self.archive = open_archive(database_url)
        self.stats = stats
        self.batch_size, self.batch_seconds = max(1, batch_size), batch_seconds
        self.pending: list[ArticleItem] = []
        self.writing = DeferredLock()
        self.timer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        settings = crawler.settings
        return cls(
            settings.get("ARCHIVE_DATABASE_URL"),
            crawler.stats,
            settings.getint("ARCHIVE_WRITE_BATCH_SIZE"),
            settings.getfloat("ARCHIVE_WRITE_BATCH_SECONDS"),
        )

    def open_spider(self) -> None:
        if self.batch_seconds > 0:
            self.timer = create_looping_call(self._write_due)
            self.timer.start(self.batch_seconds, now=False)

    async def process_item(self, item: ArticleItem) -> ArticleItem:
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            await self._write_pending()
        return item

    async def close_spider(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        await self._write_pending()
        self.archive.close()

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
        batch, self.pending = sorted(self.pending, key=lambda item: item.fetched_url != item.url), []
        outcomes = await maybe_deferred_to_future(self.writing.run(deferToThread, self._write, batch))
        for item, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Recorded):
                self.stats.inc_value(f"archive/{outcome.outcome.value}")
                logger.info("%s v%d %s", outcome.outcome.value, outcome.version, item.url)
            else:
                self.stats.inc_value("archive/store_errors")
                logger.error("could not archive %s: %s", item.url, outcome)

    def _write(self, batch: list[ArticleItem]) -> list[Recorded | str]:
        """In a thread: the batch in one transaction, else each article alone; a Recorded or an error per article."""
        if not batch:
            return []
        try:
            return list(record_articles(self.archive.sessions, batch))
        except Exception as error:
            reason = error_reason(error) if isinstance(error, SQLAlchemyError) else f"{type(error).__name__}: {error}"
            logger.debug("a batch of %d articles failed (%s); writing them one by one", len(batch), reason)
        return [self._write_one(item) for item in batch]

    def _write_one(self, item: ArticleItem) -> Recorded | str:
        try:
            return record_article(self.archive.sessions, item)
        except SQLAlchemyError as error:
            return error_reason(error)
        except Exception as error:
            return f"{type(error).__name__}: {error}"
