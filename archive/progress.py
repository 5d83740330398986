"""Progress of the archive's long commands (copy, check, export to a file, re-extraction): count, rate and time left.

A long function takes a ``Progress`` and tells it the total, once known, and
each step done; ``SILENT`` (the default) does nothing. ``terminal_progress``
draws a bar with tqdm on standard error, and only when standard error is a
terminal: a command run from cron or into a pipe writes nothing extra, so its
log stays what it was. The bar is cleared when the command ends, leaving the
command's own summary as its last line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Never, Protocol

from tqdm import tqdm


class Progress(Protocol):
    def start(self, total: int | None) -> None:
        """The number of steps to come (None: unknown)."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more are done."""


class _Silent:
    def start(self, total: int | None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


SILENT: Progress = _Silent()


class _Bar:
    def __init__(self, bar: tqdm[Never]) -> None:
        self.bar = bar

    def start(self, total: int | None) -> None:
        self.bar.reset(total=total)

    def advance(self, steps: int = 1) -> None:
        self.bar.update(steps)


@contextmanager
def terminal_progress(unit: str) -> Iterator[Progress]:
    """A progress bar counting ``unit``s on standard error if it is a terminal; else ``SILENT``."""
    if not sys.stderr.isatty():
        yield SILENT
        return
    with tqdm(unit=f" {unit}", file=sys.stderr, dynamic_ncols=True, leave=False, mininterval=0.25) as bar:
        yield _Bar(bar)
