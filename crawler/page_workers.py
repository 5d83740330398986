"""The crawl's page reader: ``read_page`` in worker processes, so that the reactor keeps fetching meanwhile.

A page goes to a worker as the bytes the server sent and is decoded there
(``crawler.page_tasks``): the crawl process neither decodes nor re-encodes it.

The workers are a ``crawler.worker_pool.WorkerPool``, started once per crawl, when
its first page is to be read, in a thread: starting them waits for the fork
server to load the extraction code (some 0.7 s), which the reactor spends
fetching meanwhile, and a crawl that reads no page (a re-crawl that finds
nothing new) starts no worker and no fork server. Workers that cannot be
started (the system refuses new processes) leave the crawl reading its pages
itself, with one error line.

Settings:
- ``ARCHIVE_EXTRACT_WORKERS``: worker processes (default: the machine's cores);
  0 reads pages in the crawl process itself, one at a time, between fetches.
- ``ARCHIVE_EXTRACT_TIMEOUT``: seconds a page may take in a worker; a page that
  takes longer, or whose worker dies, fails with ``WorkerFailed`` (the spider
  logs and counts it and goes on) and the worker is replaced. An exception
  reading a page raises comes back as it is, with the worker's traceback as
  its cause.

At most ``QUEUED_PER_WORKER`` pages per worker wait to be read; further pages
wait in their callbacks, where Scrapy counts them against
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` and stops fetching while that is exceeded.
Pages are handed back in the order they arrived, whatever order the workers
finish them in, so that the archive sees them as it would from one process
(a copy of an article and the article itself, for instance). The workers stop
when the engine stops (and with the spider) at once: a page still in a worker
then fails with ``WorkerFailed``, closing never waits for it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from typing import Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredLock, DeferredSemaphore, succeed
from twisted.internet.threads import deferToThread

from crawler.extraction.rules import BodyRules
from crawler.page_tasks import FetchedPage, read_fetched_page
from crawler.profiling import profiled
from crawler.worker_pool import CLOSED_BEFORE_ANSWERING, WorkerFailed, WorkerPool, WorkersDidNotStart, WorkersStopped

logger = logging.getLogger(__name__)

QUEUED_PER_WORKER = 2


def _hand_to_reactor(deferred: Deferred[Any], outcome: Future[Any]) -> None:
    """Fire ``deferred`` with ``outcome``'s result or error, in the reactor thread."""
    from twisted.internet import reactor

    error = outcome.exception()
    if error is None:
        reactor.callFromThread(deferred.callback, outcome.result())
    else:
        reactor.callFromThread(deferred.errback, error)


class PageReader:
    def __init__(self, workers: int, timeout: float, log_level: int = logging.WARNING) -> None:
        if workers < 0:
            raise ValueError(f"ARCHIVE_EXTRACT_WORKERS={workers}: must not be negative")
        self.workers, self.timeout, self.log_level = workers, timeout, log_level
        self.pool: WorkerPool | None = None
        """The workers, once started."""
        self._starting = DeferredLock()
        self._closing = threading.Lock()
        self._closed = False
        self._cannot_start = False
        """The workers could not be started, or stopped for good: pages are read in this process (still handed back in
        arrival order)."""
        self.queued = DeferredSemaphore(max(1, workers * QUEUED_PER_WORKER))
        self.last_turn: Deferred[None] = succeed(None)
        """Fired once the page that arrived last has been handed back."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        log_level = logging.getLevelName(settings.get("LOG_LEVEL"))
        reader = cls(
            settings.getint("ARCHIVE_EXTRACT_WORKERS"),
            settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT"),
            log_level if isinstance(log_level, int) else logging.WARNING,
        )
        crawler.signals.connect(reader.close, signal=signals.engine_stopped)
        return reader

    async def read(self, body: bytes, content_type: str | None, url: str, rules: BodyRules) -> FetchedPage:
        """The page ``body`` read and packed (``crawler.page_tasks.read_fetched_page``), in a worker when there are
        workers, handed back in arrival order."""
        page = (body, content_type, url, rules)
        if not self.workers:
            return read_fetched_page(*page)
        ahead, self.last_turn = self.last_turn, Deferred()
        mine = self.last_turn
        try:
            return await self._in_worker(page)
        finally:
            await maybe_deferred_to_future(ahead)
            mine.callback(None)

    async def _started_pool(self) -> WorkerPool | None:
        """The workers, started (in a thread) by the first page that asks; None if they could not be."""
        if self.pool is not None:  # started: every page after the first, with no wait on the lock
            return self.pool
        await maybe_deferred_to_future(self._starting.acquire())
        try:
            if self._closed:  # no workers started for a reader that closed meanwhile
                raise WorkerFailed(CLOSED_BEFORE_ANSWERING)
            if self.pool is None and not self._cannot_start:
                try:
                    await maybe_deferred_to_future(deferToThread(self._start_pool))
                except WorkersDidNotStart as error:
                    logger.error("%s: pages are read in the crawl process", error)
                    self._cannot_start = True
            return self.pool
        finally:
            self._starting.release()

    def _start_pool(self) -> None:
        """Start the workers (in a thread: this waits for the fork server); close them at once if the reader closed meanwhile."""
        pool = WorkerPool(profiled(read_fetched_page, "read"), self.workers, self.timeout, self.log_level)
        with self._closing:
            if not self._closed:
                self.pool = pool
                return
        pool.close()
        raise WorkerFailed(CLOSED_BEFORE_ANSWERING)

    async def _in_worker(self, page: tuple[bytes, str | None, str, BodyRules]) -> FetchedPage:
        await maybe_deferred_to_future(self.queued.acquire())
        try:
            pool = await self._started_pool()
            if pool is None:
                return read_fetched_page(*page)
            answer: Deferred[FetchedPage] = Deferred()
            pool.submit(page).add_done_callback(lambda outcome: _hand_to_reactor(answer, outcome))
            try:
                return await maybe_deferred_to_future(answer)
            except WorkersStopped as error:  # every page the stopped workers held, read here in its turn
                if self._closed:
                    raise
                self._stop_using(pool, error)
                return read_fetched_page(*page)
        finally:
            self.queued.release()

    def _stop_using(self, pool: WorkerPool, error: WorkersStopped) -> None:
        """Read pages in this process from now on: the workers stopped and cannot be started again (said once)."""
        if self._cannot_start:
            return
        logger.error("%s: pages are read in the crawl process", error)
        self._cannot_start, self.pool = True, None
        pool.close()

    def close(self) -> None:
        """Stop the workers at once, or as soon as they have started (idempotent)."""
        with self._closing:
            self._closed = True
            pool = self.pool
        if pool is not None:
            pool.close()
