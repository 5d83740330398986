"""Optional cProfile of the functions a crawl runs in threads and worker processes, for ``bench/throughput.py``.

When the environment variable ``ARCHIVE_PROFILE_DIR`` names a directory,
``profiled(function, role)`` returns a picklable wrapper that runs each call
of ``function`` under a cProfile profiler of its own process and thread,
timed by the thread's CPU clock (time waited is not a cost), and writes what
that profiler gathered to ``DIR/ROLE-PID-THREAD.prof`` (pstats format) after
a call when ``DUMP_SECONDS`` have passed since it last did: a worker process
is stopped, not asked to exit, so the last moments of each may be missing.
Without the variable it returns ``function`` itself: no cost at all.
Standard library only, so that worker processes load nothing more.
"""

from __future__ import annotations

import cProfile
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, ParamSpec, TypeVar

PROFILE_DIR_VARIABLE = "ARCHIVE_PROFILE_DIR"
DUMP_SECONDS = 0.5

P = ParamSpec("P")
R = TypeVar("R")

_profilers = threading.local()


class Profiled(Generic[P, R]):
    """``function``, each call profiled into the files of ``role`` under ``directory``."""

    def __init__(self, function: Callable[P, R], role: str, directory: str) -> None:
        self.function, self.role, self.directory = function, role, directory

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        profiler: cProfile.Profile | None = getattr(_profilers, self.role, None)
        if profiler is None:
            profiler = cProfile.Profile(time.thread_time)
            setattr(_profilers, self.role, profiler)
            setattr(_profilers, f"{self.role}-dumped", time.monotonic())
        try:
            return profiler.runcall(self.function, *args, **kwargs)
        finally:
            if time.monotonic() - getattr(_profilers, f"{self.role}-dumped") >= DUMP_SECONDS:
                self.dump(profiler)

    def dump(self, profiler: cProfile.Profile) -> None:
        path = Path(self.directory) / f"{self.role}-{os.getpid()}-{threading.get_ident()}.prof"
        profiler.dump_stats(path)
        setattr(_profilers, f"{self.role}-dumped", time.monotonic())


def profiled(function: Callable[P, R], role: str) -> Callable[P, R]:
    """``function`` profiled as ``role`` when ``ARCHIVE_PROFILE_DIR`` is set, else ``function`` itself."""
    directory = os.environ.get(PROFILE_DIR_VARIABLE)
    return Profiled(function, role, directory) if directory else function
