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

pebble stops its whole pool when a worker dies between calls: new workers are started
and take over the calls not answered. Workers that the system does not start make the
pool raise ``WorkersDidNotStart``; workers that stop for good (pebble could not replace
one, or could not read an answer; new ones cannot start; the last ones answered no call)
fail every call not answered with ``WorkersStopped``: either way the owner reads its
pages itself.
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
from dataclasses import dataclass
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
WORKERS_STOPPED = "extraction worker processes stopped for good"
WATCH_SECONDS = 0.2
"""How often a pool looks whether its workers stopped for good."""


class WorkerFailed(Exception):
    """A page (a call) failed because of its worker process: it died, did not answer in time, or the pool closed."""


class WorkersStopped(WorkerFailed):
    """The pool's worker processes stopped for good (the system refuses new processes, an answer could not be read,
    the last ones answered nothing): no call will be answered any more, and the pool's owner reads its pages itself."""


class WorkersDidNotStart(Exception):
    """The system did not start a pool's worker processes (the user's process limit reached, no Python where
    multiprocessing looks for one): the pool is not made, and its owner reads its pages itself."""

    def __init__(self, cause: str) -> None:
        super().__init__(f"extraction worker processes could not start ({cause})")
        self.cause = cause


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


@dataclass
class _Call:
    """A call not answered yet: its arguments, and pebble's task running it (None while it waits for new workers)."""

    args: tuple[Any, ...]
    task: Future[Any] | None = None


class WorkerPool:
    """``workers`` processes that run ``function`` (a module-level function) on the arguments given to ``submit``."""

    def __init__(self, function: Callable[..., Any], workers: int, timeout: float, log_level: int = logging.WARNING) -> None:
        """Start the workers now; raises ``WorkersDidNotStart`` (and leaves none running) if the system does not."""
        if workers < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {workers}")
        if getattr(function, "__module__", None) == "__main__":
            raise ValueError(f"{function.__qualname__} is defined in the main module, which workers do not run: define it in a module")
        self.function, self.timeout = function, timeout
        self._workers, self._log_level = workers, log_level
        self._lock = threading.RLock()
        """Held to change the calls not answered, the pebble pool in use and whether this pool is closed."""
        self._calls: dict[Future[Any], _Call] = {}
        self._answered = 0
        """Calls the pebble pool in use has answered: one that stops by itself after answering none is not replaced."""
        self._broken_by: BaseException | None = None
        """What stopped the pebble pool in use, where it was not a worker's death between calls (an answer that cannot be
        unpickled, a worker that could not be replaced): not replaced, since the same would stop the new one."""
        self._stopping = threading.Lock()
        """Held to stop and join a pebble pool: pebble's join is not safe from two threads at once (the watch and close())."""
        self._closed = False
        self._stopped: str | None = None
        """Why the workers stopped for good (see ``WorkersStopped``), once that is seen."""
        self._pool = self._start_pebble_pool()
        threading.Thread(target=self._watch, name="worker-pool-watch", daemon=True).start()

    def _start_pebble_pool(self) -> ProcessPool:
        """A pebble pool whose workers are started; raises ``WorkersDidNotStart`` (and leaves none running) if the system does not."""
        pool = ProcessPool(self._workers, TASKS_PER_WORKER, _start_worker, (self._log_level,), _context())
        try:
            pool.schedule(os.getpid)  # pebble starts its workers at the first call: now, ready for the first page
        except (OSError, BrokenProcessPool) as error:  # pebble's word for a worker it could not start, the cause attached
            pool.stop()  # type: ignore[no-untyped-call]
            pool.join()  # the workers that did start stop too
            raise WorkersDidNotStart(str(error.__cause__ or error)) from None
        return pool

    def submit(self, args: tuple[Any, ...]) -> Future[Any]:
        """Call the function with ``args`` in a worker; the future of its result or of the reason it failed."""
        outcome: Future[Any] = Future()
        with self._lock:
            if self._closed or self._stopped:
                outcome.set_exception(self._pool_failure())
                return outcome
            self._calls[outcome] = _Call(args)
            self._schedule(outcome)
        return outcome

    def _schedule(self, outcome: Future[Any]) -> None:
        """Hand a call to the pebble pool in use; one that has stopped by itself leaves it to the watch (holding the lock)."""
        call = self._calls[outcome]
        try:
            call.task = self._pool.schedule(self.function, call.args, timeout=self.timeout)
        except RuntimeError:  # pebble's pool stopped by itself: the watch starts new workers and hands them the call
            call.task = None
            return
        call.task.add_done_callback(lambda task: self._settle(outcome, task))

    def _settle(self, outcome: Future[Any], task: Future[Any]) -> None:
        """Hand a finished task's result or error to its outcome, the worker's failures as ``WorkerFailed``."""
        error = task.exception()
        with self._lock:
            call = self._calls.get(outcome)
            if call is None or call.task is not task:  # failed already by close() or the watch, or handed to new workers
                return
            if isinstance(error, BrokenProcessPool) and not self._closed:  # pebble's pool stopped by itself: see _watch
                if error.__cause__ is not None:  # not pebble's "All workers expired"
                    self._broken_by = error.__cause__
                return
            del self._calls[outcome]
            self._answered += 1
        if isinstance(error, BrokenProcessPool):  # the pool fails what it holds as it is closed
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
        ``WorkersStopped`` if the workers had stopped for good before (idempotent)."""
        with self._lock:  # workers stopped by themselves but not yet replaced by the watch: closed, not stopped for good
            self._closed = True
            pool = self._pool
        self._stop_pebble_pool(pool)
        self._fail_calls()

    def _stop_pebble_pool(self, pool: ProcessPool) -> None:
        """Stop ``pool``'s workers and wait for its threads (one thread at a time; not holding the lock, which its threads take)."""
        with self._stopping:
            pool.stop()  # type: ignore[no-untyped-call]
            pool.join()

    def _pool_failure(self) -> WorkerFailed:
        """What a call not answered fails with once the workers have stopped for good, or the pool is closed."""
        return WorkersStopped(self._stopped) if self._stopped else WorkerFailed(CLOSED_BEFORE_ANSWERING)

    def _watch(self) -> None:
        """Start new workers when pebble's pool stops by itself, and hand them the calls not answered yet; fail those
        calls once new workers cannot be started.

        pebble stops its pool when a worker dies between calls (it cannot tell whether the worker left their shared
        queue broken: the out-of-memory killer, a ``kill``), or dies and cannot be replaced; it fails the calls its
        workers had taken then, and leaves those still waiting for one unanswered.
        """
        while True:
            time.sleep(WATCH_SECONDS)
            with self._lock:
                if self._closed or self._stopped:
                    return
                stopped = None if self._pool.active else self._pool
            if stopped is None:
                continue
            self._stop_pebble_pool(stopped)
            with self._lock:
                if self._closed:
                    return
                replaced = self._replace_stopped_pool()
            if not replaced:
                self._fail_calls()
                return

    def _replace_stopped_pool(self) -> bool:
        """A new pebble pool in place of the one that stopped, given every call not answered (holding the lock);
        False, and why noted, where the stopped one was stopped by something else than a worker's death between calls
        (an answer it could not read, a worker it could not replace: the same would stop the new one) or answered no
        call, or where none can start."""
        if self._broken_by is not None:
            self._stopped = f"{WORKERS_STOPPED} ({self._broken_by})"
            return False
        if not self._answered:
            self._stopped = f"{WORKERS_STOPPED} (they stopped before answering any page)"
            return False
        try:
            self._pool = self._start_pebble_pool()
        except WorkersDidNotStart as error:
            self._stopped = f"{WORKERS_STOPPED} (new ones could not start: {error.cause})"
            return False
        self._answered = 0
        logger.warning("extraction worker processes stopped (one ended between pages): started new ones")
        for outcome in list(self._calls):
            self._schedule(outcome)
        return True

    def _fail_calls(self) -> None:
        """Fail every call not answered yet with a fresh ``_pool_failure()`` each."""
        with self._lock:
            unanswered, self._calls = self._calls, {}
        for outcome in unanswered:
            outcome.set_exception(self._pool_failure())
