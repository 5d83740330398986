"""Run a pure function in worker processes: one call at a time per worker, a timeout per call, crash recovery.

``WorkerPool`` keeps N worker processes, each driven by a thread of the
calling process that hands it one call over a pipe and waits for the answer at
most ``timeout`` seconds. A call whose worker dies (a crash, an out-of-memory
kill) or runs out of time fails with ``WorkerFailed`` and that worker is
replaced; the other calls go on. An exception the function raises is handed
back as it is, with the worker's traceback as its cause. A worker is also
replaced after ``TASKS_PER_WORKER`` calls, so that whatever memory it gathers
does not outlive that.

Workers ignore SIGINT (a Ctrl-C in a terminal reaches the whole process group:
the caller decides when they stop), exit when their pipe closes (so they never
outlive the calling process), and are started by a fork server where the
platform has one (fast to replace, no fork of a threaded process), else
spawned. Nothing here knows Scrapy or Twisted.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

logger = logging.getLogger(__name__)

TASKS_PER_WORKER = 500
"""Calls after which a worker process is replaced by a fresh one."""
STOP_SECONDS = 5.0
"""How long a worker asked to stop may take before it is killed."""

Done = Callable[[Any, BaseException | None], None]
"""Called, in a thread of the pool, with the call's result and None, or None and the exception."""


class WorkerFailed(Exception):
    """A call failed because of its worker process: it died or did not answer in time."""


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker process."""

    def __str__(self) -> str:
        return str(self.args[0])


def _serve(function: Callable[..., Any], connection: Connection) -> None:
    """A worker process: answer calls until the pipe closes or says stop (None)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            args = connection.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return
        try:
            reply: tuple[bool, Any, str | None] = (True, function(*args), None)
        except Exception as error:
            reply = (False, error, traceback.format_exc())
        try:
            connection.send(reply)
        except OSError:
            return
        except Exception:  # the result or the exception cannot be pickled
            connection.send((False, WorkerFailed(f"unpicklable answer: {traceback.format_exc(limit=1)}"), None))


@dataclass
class _Call:
    args: tuple[Any, ...]
    done: Done


class _Worker:
    """One worker process and the calling process's end of its pipe."""

    def __init__(self, context: BaseContext, function: Callable[..., Any]) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(function, child), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()
        self.calls = 0
        logger.debug("extraction worker process %d started", self.process.pid)

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(STOP_SECONDS)
        self.kill()

    def kill(self) -> int | None:
        """Kill the process if it still runs; its exit code."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()
        return self.process.exitcode


def _context() -> BaseContext:
    return multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")


class WorkerPool:
    """``workers`` processes that run ``function`` (a module-level function) on the arguments given to ``submit``."""

    def __init__(self, function: Callable[..., Any], workers: int, timeout: float) -> None:
        if workers < 1:
            raise ValueError(f"a worker pool needs at least one worker, not {workers}")
        self.function, self.timeout = function, timeout
        self._context = _context()
        if self._context.get_start_method() == "forkserver":
            self._context.set_forkserver_preload([function.__module__])  # type: ignore[attr-defined]
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._starting = threading.Lock()
        self._closed = False
        self._threads = [threading.Thread(target=self._drive, name=f"worker-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, args: tuple[Any, ...], done: Done) -> None:
        """Queue a call of the function with ``args``; ``done`` gets its outcome."""
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        self._calls.put(_Call(args, done))

    def close(self) -> None:
        """Let the queued calls finish, then stop every worker process (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for _ in self._threads:
            self._calls.put(None)
        for thread in self._threads:
            thread.join()

    def _start(self) -> _Worker | None:
        with self._starting:
            try:
                return _Worker(self._context, self.function)
            except Exception as error:
                logger.error("cannot start a worker process: %s", error)
                return None

    def _drive(self) -> None:
        """One thread per worker: hand it calls one at a time, replace it when it failed or has served enough."""
        worker = self._start()
        try:
            while (call := self._calls.get()) is not None:
                if worker is not None and worker.calls >= TASKS_PER_WORKER:
                    worker.stop()
                    worker = None
                worker = worker or self._start()
                if worker is None:
                    call.done(None, WorkerFailed("no worker process could be started"))
                    continue
                worker, result, error = self._call(worker, call)
                call.done(result, error)
        finally:
            if worker is not None:
                worker.stop()

    def _call(self, worker: _Worker, call: _Call) -> tuple[_Worker | None, Any, BaseException | None]:
        """Run one call; the worker to go on with (None if it had to go), the result and the error."""
        worker.calls += 1
        try:
            worker.connection.send(call.args)
        except OSError:
            return None, None, WorkerFailed(f"the worker process died (exit code {worker.kill()})")
        except Exception as error:  # arguments that cannot be pickled
            return worker, None, error
        if not worker.connection.poll(self.timeout):
            worker.kill()
            return None, None, WorkerFailed(f"no answer within {self.timeout:g} seconds")
        try:
            ok, value, remote_traceback = worker.connection.recv()
        except (EOFError, OSError):
            return None, None, WorkerFailed(f"the worker process died (exit code {worker.kill()})")
        if ok:
            return worker, value, None
        if remote_traceback:
            value.__cause__ = RemoteTraceback(remote_traceback)
        return worker, None, value
