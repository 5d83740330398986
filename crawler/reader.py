"""The crawl's page reader: ``read_page`` in worker processes, so that the reactor keeps fetching meanwhile.

Settings:
- ``ARCHIVE_EXTRACT_WORKERS``: worker processes (default: the machine's cores);
  0 reads pages in the crawl process itself, one at a time, between fetches.
- ``ARCHIVE_EXTRACT_TIMEOUT``: seconds a page may take in a worker; a page that
  takes longer, or whose worker dies, fails with ``WorkerFailed`` (the spider
  logs and counts it and goes on) and the worker is replaced.

At most ``QUEUED_PER_WORKER`` pages per worker wait to be read; further pages
wait in their callbacks, where Scrapy counts them against
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` and stops fetching while that is exceeded.
Pages are handed back in the order they arrived, whatever order the workers
finish them in, so that the archive sees them as it would from one process
(a copy of an article and the article itself, for instance). The workers stop
when the engine stops (and with the spider).
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredSemaphore, succeed

from crawler.extraction import BodyRules, PageReading, read_page
from crawler.workers import WorkerPool

QUEUED_PER_WORKER = 2


def _answer(deferred: Deferred[Any], result: Any, error: BaseException | None) -> None:
    """Hand a worker's answer to the reactor thread, which fires ``deferred`` with it."""
    from twisted.internet import reactor

    if error is None:
        reactor.callFromThread(deferred.callback, result)  # type: ignore[attr-defined]
    else:
        reactor.callFromThread(deferred.errback, error)  # type: ignore[attr-defined]


class PageReader:
    def __init__(self, workers: int, timeout: float) -> None:
        if workers < 0:
            raise ValueError(f"ARCHIVE_EXTRACT_WORKERS={workers}: must not be negative")
        self.pool = WorkerPool(read_page, workers, timeout) if workers else None
        self.queued = DeferredSemaphore(max(1, workers * QUEUED_PER_WORKER))
        self.last_turn: Deferred[None] = succeed(None)
        """Fired once the page that arrived last has been handed back."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        reader = cls(settings.getint("ARCHIVE_EXTRACT_WORKERS"), settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT"))
        crawler.signals.connect(reader.close, signal=signals.engine_stopped)
        return reader

    async def read(self, html: str, url: str, rules: BodyRules) -> PageReading:
        """``read_page(html, url, rules)``, in a worker when there are workers, handed back in arrival order."""
        if self.pool is None:
            return read_page(html, url, rules)
        ahead, self.last_turn = self.last_turn, Deferred()
        mine = self.last_turn
        try:
            return await self._in_worker(self.pool, html, url, rules)
        finally:
            await maybe_deferred_to_future(ahead)
            mine.callback(None)

    async def _in_worker(self, pool: WorkerPool, html: str, url: str, rules: BodyRules) -> PageReading:
        await maybe_deferred_to_future(self.queued.acquire())
        try:
            answer: Deferred[PageReading] = Deferred()
            pool.submit((html, url, rules), lambda result, error: _answer(answer, result, error))
            return await maybe_deferred_to_future(answer)
        finally:
            self.queued.release()

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        if self.pool is not None:
            self.pool.close()
