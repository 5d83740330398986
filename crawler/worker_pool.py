"""A pool of worker processes that run one module-level function: a timeout per call, failures as ``WorkerFailed``.

A ``pebble.ProcessPool``: one call at a time per worker, a worker replaced when
it dies (a crash, an out-of-memory kill) or runs out of time, and after
``TASKS_PER_WORKER`` calls so that whatever memory it gathers does not outlive
that. Workers ignore SIGINT (a Ctrl-C in a terminal reaches the whole process
group: their owner decides when they stop) and are started by a fork server
with ``crawler.page_tasks`` (and so ``crawler.extraction``) and the language
model preloaded where the platform has one (fast to replace, no fork of a
threaded process), else spawned. ``start_fork_server`` starts it ahead of the
pool, so that it loads them while its owner starts. No Scrapy and no Twisted:
the crawl (``crawler.page_workers``) and ``archive reextract``
(``crawler.reextract``) both use it.

Workers that the system does not start make the pool raise ``WorkersDidNotStart``;
a worker that it does not replace stops the pool, and every call not answered
then fails with ``WorkersStopped``: either way the owner reads its pages itself.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.forkserver
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as TaskTimeout
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from typing import Any

from pebble import ProcessExpired, ProcessPool

logger = logging.getLogger(__name__)

TASKS_PER_WORKER = 2000
"""Pages after which a worker process is replaced by a fresh one: a guard against what a page may leave in its memory,
not so often that the fresh workers' cold caches and start-up cost much (``bench/throughput.py --pages 1000 10000``
shows its memory stay flat)."""
PRELOADED_MODULES = ["crawler.extraction.reading", "crawler.page_tasks", "crawler.worker_preload"]
"""Imported once by the fork server, so that a new worker starts with them (and what ``crawler.worker_preload`` loads) loaded."""
WORKER_LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
"""Scrapy's default log format: a worker's log lines read like the crawl's."""


CLOSED_BEFORE_ANSWERING = "the worker pool closed before answering"
WORKERS_STOPPED = "extraction worker processes stopped and could not be started again"
WATCH_SECONDS = 0.2
"""How often a pool looks whether its workers stopped for good."""


class WorkerFailed(Exception):
    """A page (a call) failed because of its worker process: it died, did not answer in time, or the pool closed."""


class WorkersStopped(WorkerFailed):
    """The pool's worker processes stopped and could not be started again (the system refuses new processes): no call
    will be answered any more, and the pool's owner reads its pages itself."""


class WorkersDidNotStart(Exception):
    """The system did not start a pool's worker processes (the user's process limit reached, no Python where
    multiprocessing looks for one): the pool is not made, and its owner reads its pages itself."""


def _start_worker(log_level: int) -> None:
    """Run in every new worker process: log to the crawl's standard error, and say so."""
    logging.basicConfig(level=log_level, format=WORKER_LOG_FORMAT)
    logger.debug("extraction worker process %d started", os.getpid())


def available_cores() -> int:
    """The processors this process may run on: the default number of workers."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _context() -> BaseContext:
    """The fork server's context, that preloads ``PRELOADED_MODULES``, where the platform has one; else spawn's."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED_MODULES)
    return context


def start_fork_server() -> None:
    """Start the fork server now, where there is one: it loads the extraction code while this process goes on,
    and a ``WorkerPool`` made later starts its workers at once instead of waiting for that."""
    if _context().get_start_method() == "forkserver":
        try:
            multiprocessing.forkserver.ensure_running()
        except OSError:  # no process for it now: the pool's own start says so (WorkersDidNotStart)
            pass


class WorkerPool:
    """``workers`` processes that run ``function`` (a module-level function) on the arguments given to ``submit``."""

    def __init__(self, function: Callable[..., Any], workers: int, timeout: float, log_level: int = logging.WARNING) -> None:
        """Start the workers now; raises ``WorkersDidNotStart`` (and leaves none running) if the system does not."""
        if workers < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {workers}")
        if getattr(function, "__module__", None) == "__main__":
            raise ValueError(f"{function.__qualname__} is defined in the main module, which workers do not run: define it in a module")
        self.function, self.timeout = function, timeout
        self._pool = ProcessPool(workers, TASKS_PER_WORKER, _start_worker, (log_level,), _context())
        try:
            self._pool.schedule(os.getpid)  # pebble starts its workers at the first call: now, ready for the first page
        except (OSError, BrokenProcessPool) as error:  # pebble's word for a worker it could not start, the cause attached
            self._pool.stop()  # type: ignore[no-untyped-call]
            self._pool.join()  # the workers that did start stop too
            raise WorkersDidNotStart(f"extraction worker processes could not start ({error.__cause__ or error})") from None
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self._closed = False
        self._stopped: str | None = None
        """Why pebble's pool stopped by itself (a worker it could not replace), once that is seen."""
        threading.Thread(target=self._watch, name="worker-pool-watch", daemon=True).start()

    def submit(self, args: tuple[Any, ...]) -> Future[Any]:
        """Call the function with ``args`` in a worker; the future of its result or of the reason it failed."""
        outcome: Future[Any] = Future()
        with self._pending_lock:  # pending before pebble has it: whatever stops the pool next answers it
            self._pending.add(outcome)
        try:
            task = self._pool.schedule(self.function, args, timeout=self.timeout)
        except RuntimeError:  # pebble's pool stopped: closed, or its workers could not be replaced
            self._note_stop(WORKERS_STOPPED)
            self._fail_pending(self._pool_failure, [outcome])
            return outcome
        task.add_done_callback(lambda done: self._settle(outcome, done))
        return outcome

    def _settle(self, outcome: Future[Any], task: Future[Any]) -> None:
        """Hand a finished task's result or error to its outcome, the worker's failures as ``WorkerFailed``."""
        with self._pending_lock:
            if outcome not in self._pending:  # failed already, by close() or _watch()
                return
            self._pending.discard(outcome)
        error = task.exception()
        if isinstance(error, BrokenProcessPool):  # the pool fails what it holds as it stops: closed, or by itself
            self._note_stop(f"{WORKERS_STOPPED} ({error.__cause__ or error})")
            outcome.set_exception(self._pool_failure())
        elif error is None:
            outcome.set_result(task.result())
        elif self._closed:
            outcome.set_exception(WorkerFailed(CLOSED_BEFORE_ANSWERING))
        elif isinstance(error, TaskTimeout):
            outcome.set_exception(WorkerFailed(f"no answer within {self.timeout:g} seconds"))
        elif isinstance(error, ProcessExpired):
            outcome.set_exception(WorkerFailed(f"the worker process died (exit code {error.exitcode})"))
        else:
            outcome.set_exception(error)

    def close(self) -> None:
        """Stop every worker process at once; calls not answered yet fail with ``WorkerFailed``, or with
        ``WorkersStopped`` if the pool had stopped by itself before (idempotent)."""
        if not self._closed and not self._pool.active:
            self._note_stop(WORKERS_STOPPED)
        self._closed = True
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()
        self._fail_pending(self._pool_failure)

    def _note_stop(self, reason: str) -> None:
        """Remember that pebble's pool stopped by itself, and why, unless this pool was closed first."""
        if not self._closed and self._stopped is None:
            self._stopped = reason

    def _pool_failure(self) -> WorkerFailed:
        """What a call not answered fails with once the pool has stopped: by itself, or closed by its owner."""
        return WorkersStopped(self._stopped) if self._stopped else WorkerFailed(CLOSED_BEFORE_ANSWERING)

    def _watch(self) -> None:
        """Fail every call not answered yet once pebble's pool has stopped by itself (a worker that could not be
        replaced): pebble fails the calls its workers had taken, but leaves those still waiting for one unanswered."""
        while not self._closed and self._pool.active:
            time.sleep(WATCH_SECONDS)
        if not self._closed:
            self._note_stop(WORKERS_STOPPED)
            self._fail_pending(self._pool_failure)

    def _fail_pending(self, error: Callable[[], WorkerFailed], only: list[Future[Any]] | None = None) -> None:
        """Fail the calls not answered yet (or those of ``only`` still unanswered) with a fresh ``error()`` each."""
        with self._pending_lock:
            if only is None:
                unanswered, self._pending = self._pending, set()
            else:
                unanswered = {outcome for outcome in only if outcome in self._pending}
                self._pending -= unanswered
        for outcome in unanswered:
            outcome.set_exception(error())
