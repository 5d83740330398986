"""The processes a process started, as Linux's /proc lists them: for the tests and benches that follow worker processes."""

from __future__ import annotations

import os


def child_pids(pid: int) -> list[int]:
    """The processes that ``pid`` started and that still run (none once it has ended)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:  # the process ended
        return []
    children: list[int] = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as file:
                children += [int(child) for child in file.read().split()]
        except OSError:  # the thread ended meanwhile; the others' children still count
            continue
    return children
