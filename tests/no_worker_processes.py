"""Environments in which Python's multiprocessing cannot start a process, or a worker process dies and no other can
be started, for the tests of what a crawl or a re-extraction does when the system refuses its worker processes.

Root, which runs the tests, is not held to the process limit that refuses them for real: a ``sitecustomize`` module
refuses them the way ``fork`` does when that limit is reached (EAGAIN).
"""

from __future__ import annotations

import os
from pathlib import Path

LIMITED_FORKS = """\
import errno
import multiprocessing.util
import os

_fork, _spawn, _forks = os.fork, multiprocessing.util.spawnv_passfds, []
LIMIT_REACHED = {limit_reached!r}
\"\"\"A file that says the process limit was reached: from then on no process can start, in any process.\"\"\"


def refused():
    open(LIMIT_REACHED, "w").close()
    raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")


def limited_fork():
    \"\"\"The fork server's fork: {allowed} workers at most, the first of them dying at once if {first_dies}.\"\"\"
    if len(_forks) == {allowed} or os.path.exists(LIMIT_REACHED):
        refused()
    _forks.append(None)
    pid = _fork()
    if pid == 0 and {first_dies} and len(_forks) == 1:
        os._exit(1)
    return pid


def limited_spawn(*args, **kwargs):
    \"\"\"A new fork server, say, once the limit was reached: refused.\"\"\"
    if os.path.exists(LIMIT_REACHED):
        refused()
    return _spawn(*args, **kwargs)


os.fork = limited_fork
multiprocessing.util.spawnv_passfds = limited_spawn
"""


def _with_limited_forks(directory: Path, allowed: int, first_dies: bool = False) -> dict[str, str]:
    """Environment variables under which ``LIMITED_FORKS`` holds in every Python process (files written to ``directory``)."""
    module = LIMITED_FORKS.format(allowed=allowed, first_dies=first_dies, limit_reached=str(directory / "limit-reached"))
    (directory / "sitecustomize.py").write_text(module)
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")]))}


def without_worker_processes(directory: Path) -> dict[str, str]:
    """Environment variables under which every process multiprocessing starts is refused: the limit is reached already
    (files written to ``directory``)."""
    environment = _with_limited_forks(directory, allowed=0)
    (directory / "limit-reached").touch()
    return environment


def with_a_worker_that_dies(directory: Path) -> dict[str, str]:
    """Environment variables under which of two workers one dies at once and none can replace it (files written to
    ``directory``)."""
    return _with_limited_forks(directory, allowed=2, first_dies=True)


def with_one_worker_at_most(directory: Path) -> dict[str, str]:
    """Environment variables under which a pool's first worker starts and none can replace it (files written to
    ``directory``)."""
    return _with_limited_forks(directory, allowed=1)
