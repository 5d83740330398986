"""The crawl's page reader: ``read_page`` in worker processes, so that the reactor keeps fetching meanwhile.

The workers are a ``pebble.ProcessPool``: one page at a time per worker, a
timeout per page, a worker replaced when it dies (a crash, an out-of-memory
kill) or runs out of time, and after ``TASKS_PER_WORKER`` pages so that
whatever memory it gathers does not outlive that. Workers ignore SIGINT (a
Ctrl-C in a terminal reaches the whole process group: the crawl decides when
they stop) and are started by a fork server with ``crawler.extraction``
preloaded where the platform has one (fast to replace, no fork of a threaded
process), else spawned.

Settings:
- ``ARCHIVE_EXTRACT_WORKERS``: worker processes (default: the machine's cores);
  0 reads pages in the crawl process itself, one at a time, between fetches.
- ``ARCHIVE_EXTRACT_TIMEOUT``: seconds a page may take in a worker; a page that
  takes longer, or whose worker dies, fails with ``WorkerFailed`` (the spider
  logs and counts it and goes on) and the worker is replaced. An exception
  ``read_page`` raises comes back as it is, with the worker's traceback as its
  cause.

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
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as TaskTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any, Self

from pebble import ProcessExpired, ProcessPool
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredSemaphore, succeed

from crawler.extraction import BodyRules, PageReading, read_page

logger = logging.getLogger(__name__)

TASKS_PER_WORKER = 500
"""Pages after which a worker process is replaced by a fresh one."""
QUEUED_PER_WORKER = 2
PRELOADED_MODULES = ["crawler.extraction"]
"""Imported once by the fork server, so that a new worker starts with them loaded."""
WORKER_LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
"""Scrapy's default log format: a worker's log lines read like the crawl's."""


CLOSED_BEFORE_ANSWERING = "the worker pool closed before answering"


class WorkerFailed(Exception):
    """A page (a call) failed because of its worker process: it died, did not answer in time, or the pool closed."""


def _start_worker(log_level: int) -> None:
    """Run in every new worker process: log to the crawl's standard error, and say so."""
    logging.basicConfig(level=log_level, format=WORKER_LOG_FORMAT)
    logger.debug("extraction worker process %d started", os.getpid())


def _context() -> BaseContext:
    return multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")


class WorkerPool:
    """``workers`` processes that run ``function`` (a module-level function) on the arguments given to ``submit``."""

    def __init__(self, function: Callable[..., Any], workers: int, timeout: float, log_level: int = logging.WARNING) -> None:
        if workers < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {workers}")
        self.function, self.timeout = function, timeout
        context = _context()
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(PRELOADED_MODULES)
        self._pool = ProcessPool(workers, TASKS_PER_WORKER, _start_worker, (log_level,), context)
        self._pool.schedule(os.getpid)  # pebble starts its workers at the first call: now, ready for the first page
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self._closed = False

    def submit(self, args: tuple[Any, ...]) -> Future[Any]:
        """Call the function with ``args`` in a worker; the future of its result or of the reason it failed."""
        task = self._pool.schedule(self.function, args, timeout=self.timeout)
        outcome: Future[Any] = Future()
        with self._pending_lock:
            self._pending.add(outcome)
        task.add_done_callback(lambda done: self._settle(outcome, done))
        return outcome

    def _settle(self, outcome: Future[Any], task: Future[Any]) -> None:
        """Hand a finished task's result or error to its outcome, the worker's failures as ``WorkerFailed``."""
        with self._pending_lock:
            self._pending.discard(outcome)
        error = task.exception()
        if error is None:
            outcome.set_result(task.result())
        elif self._closed or isinstance(error, BrokenProcessPool):  # the pool fails what it holds as it stops
            outcome.set_exception(WorkerFailed(CLOSED_BEFORE_ANSWERING))
        elif isinstance(error, TaskTimeout):
            outcome.set_exception(WorkerFailed(f"no answer within {self.timeout:g} seconds"))
        elif isinstance(error, ProcessExpired):
            outcome.set_exception(WorkerFailed(f"the worker process died (exit code {error.exitcode})"))
        else:
            outcome.set_exception(error)

    def close(self) -> None:
        """Stop every worker process at once; calls not answered yet fail with ``WorkerFailed`` (idempotent)."""
        self._closed = True
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()
        with self._pending_lock:
            unanswered, self._pending = self._pending, set()
        for outcome in unanswered:
            outcome.set_exception(WorkerFailed(CLOSED_BEFORE_ANSWERING))


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
        self.pool = WorkerPool(read_page, workers, timeout, log_level) if workers else None
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
            pool.submit((html, url, rules)).add_done_callback(lambda outcome: _hand_to_reactor(answer, outcome))
            return await maybe_deferred_to_future(answer)
        finally:
            self.queued.release()

    def close(self) -> None:
        """Stop the workers at once (idempotent)."""
        if self.pool is not None:
            self.pool.close()
