"""Processes forked from the test process, with what it has imported: a new process without a new interpreter's start-up.

``Forked`` runs a function in a child process as a new interpreter would
run it (stdin empty, stdout and stderr one pipe to the test, the logging
handlers, warning filters, SIGINT handler and event loop policy a new
interpreter has) and offers the part of ``subprocess.Popen`` the tests use.
The child leaves by ``os._exit``: none of the test process's clean-ups run
in it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import signal
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Mapping

INTERPRETER_WARNING_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)
"""The warning filters of a new interpreter, in place of those the test runner set."""


class Forked:
    """``target`` run in a child process, with ``variables`` added to its environment; its return value is the exit status.

    Like ``subprocess.Popen``: ``pid``, ``poll``, ``send_signal``, ``kill``,
    ``communicate`` (the output, stdout and stderr together) and ``returncode``.
    """

    def __init__(self, target: Callable[[], int], variables: Mapping[str, str] | None = None) -> None:
        output_read, output_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(output_read)
            os.environ.update(variables or {})
            os._exit(_run_as_new_process(target, output_write))
        os.close(output_write)
        self.returncode: int | None = None
        self._output: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(output_read,), daemon=True)
        self._reader.start()

    def _read(self, output_read: int) -> None:
        with os.fdopen(output_read, encoding="utf-8", errors="replace") as output:
            self._output.append(output.read())

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, number: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, number)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[str, None]:
        """The whole output once the child has closed it; its exit status is then in ``returncode``."""
        self._reader.join(timeout)
        if self._reader.is_alive():
            raise subprocess.TimeoutExpired(f"forked process {self.pid}", timeout or 0)
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return "".join(self._output), None


def _run_as_new_process(target: Callable[[], int], output: int) -> int:
    """In the child: stdio, logging, warnings, SIGINT and the event loop policy as a new interpreter has them, then ``target``."""
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True)
        logging.root.handlers.clear()
        warnings.resetwarnings()
        for action, category, module in reversed(INTERPRETER_WARNING_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)  # type: ignore[arg-type]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        asyncio.set_event_loop_policy(None)  # no event loop of the test process
        status = target()
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return status
