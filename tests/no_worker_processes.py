"""An environment in which Python's multiprocessing cannot start a process, for the tests of what a crawl or a
re-extraction does when the system does not start its worker processes."""

from __future__ import annotations

import os
from pathlib import Path

SITECUSTOMIZE = """\
import errno
import multiprocessing.util


def refused(*args, **kwargs):
    raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")


multiprocessing.util.spawnv_passfds = refused  # as fork() fails when the user's process limit is reached
"""


def without_worker_processes(directory: Path) -> dict[str, str]:
    """Environment variables under which a new Python process is refused every process that multiprocessing starts, as
    when the user's process limit is reached (a ``sitecustomize`` module written to ``directory``: root is not held to
    that limit, so the tests cannot reach it for real)."""
    (directory / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")]))}
