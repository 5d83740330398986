"""The real ``archive serve`` command, started on a free port for tests and benchmarks."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tests.crawl import PROJECT_ROOT

STARTED = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


@contextmanager
def serve_archive(database_url: str, *options: str, log: list[str] | None = None) -> Iterator[str]:
    """``archive --db URL serve --port 0 OPTIONS`` running: its base URL once it listens.

    Its output (the access log and the errors) is read on in a thread, so that the server never waits on a full
    pipe, into ``log`` when one is given: every line of it once the block has ended.
    """
    command = [sys.executable, "-m", "archive.cli", "--db", database_url, "serve", "--port", "0", *options]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    output = process.stdout
    lines = [] if log is None else log
    reader: threading.Thread | None = None
    try:
        for line in output:
            lines.append(line)
            started = STARTED.search(line)
            if started:
                reader = threading.Thread(target=lines.extend, args=(output,), daemon=True)
                reader.start()
                yield started.group(1)
                return
        raise AssertionError("archive serve did not start:\n" + "".join(lines))
    finally:
        process.terminate()
        process.wait(timeout=30)
        if reader is not None:
            reader.join(timeout=30)
