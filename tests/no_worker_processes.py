"""An environment in which Python's multiprocessing cannot start a process, for the tests of what a crawl or a
re-extraction does when the system does not start its worker processes."""

from __future__ import annotations

import os
from pathlib import Path

SITECUSTOMIZE = "import multiprocessing\nmultiprocessing.set_executable('/nonexistent/python')\n"


def without_worker_processes(directory: Path) -> dict[str, str]:
    """Environment variables under which a new Python process finds no Python for multiprocessing to start
    (a ``sitecustomize`` module written to ``directory``)."""
    (directory / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(directory), os.environ.get("PYTHONPATH")]))}
