"""The processes a process started, as Linux's /proc lists them: for the tests and benches that follow worker processes."""

from __future__ import annotations

import os


def child_pids(pid: int) -> list[int]:
    """The processes that ``pid`` started and that still run (none once it has ended)."""
    children: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as file:
                children += [int(child) for child in file.read().split()]
    except OSError:  # the process or one of its threads ended meanwhile
        pass
    return children
