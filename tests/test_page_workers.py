"""Extraction in worker processes: the pool survives crashes, hangs and errors; real crawls read pages in workers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from pebble.common.types import RemoteTraceback

from archive.db import open_archive
from crawler.worker_pool import TASKS_PER_WORKER, WORKERS_STOPPED, WorkerFailed, WorkerPool, WorkersStopped, start_fork_server
from tests.crawl import PROJECT_ROOT, query, run_crawl, start_crawl
from tests.fixture_site import ARTICLES, FixtureSite
from tests.no_worker_processes import with_a_worker_that_dies, with_one_worker_at_most, without_worker_processes
from tests.processes import child_pids

WORKER_STARTED = re.compile(r"extraction worker process (\d+) started")
ARCHIVED_FIELDS = "SELECT url, title, body_text, authors, published_at, tags, extractor FROM latest_snapshots ORDER BY url"


class Unreadable(Exception):
    """An error that pickles but does not unpickle: its ``__init__`` takes two arguments, its ``args`` hold one."""

    def __init__(self, page: str, reason: str) -> None:
        super().__init__(page)
        self.reason = reason


def misbehave(action: str, value: Any) -> Any:
    """Run in a worker: answer, or crash, hang or raise as told."""
    if action == "crash":
        os._exit(3)
    if action == "hang":
        time.sleep(600)
    if action == "raise":
        raise ValueError(f"bad page {value}")
    if action == "unreadable":
        raise Unreadable(value, "its answer cannot be read")
    if action == "pid":
        return os.getpid()
    if action == "parent":
        return os.getppid()
    return value


def call(pool: WorkerPool, *args: Any) -> Future[Any]:
    return pool.submit(args)


def is_running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_crash_a_hang_or_an_error_fails_only_its_own_call() -> None:
    pool = WorkerPool(misbehave, workers=1, timeout=2)
    try:
        first_pid = call(pool, "pid", None).result()
        crashed = call(pool, "crash", None)
        after_crash = call(pool, "echo", "still reading")
        hung = call(pool, "hang", None)
        after_hang = call(pool, "echo", "reading again")
        raised = call(pool, "raise", 7)
        last_pid = call(pool, "pid", None).result()

        with pytest.raises(WorkerFailed, match=r"died \(exit code 3\)"):
            crashed.result()
        assert after_crash.result() == "still reading"
        with pytest.raises(WorkerFailed, match="no answer within 2 seconds"):
            hung.result()
        assert after_hang.result() == "reading again"
        with pytest.raises(ValueError, match="bad page 7") as error:
            raised.result()
        assert isinstance(error.value.__cause__, RemoteTraceback) and "misbehave" in str(error.value.__cause__)
        assert last_pid != first_pid, "the crashed and the hung worker were replaced"
        assert not is_running(first_pid)
    finally:
        pool.close()
    assert not is_running(last_pid), "closing the pool stops its workers"


def test_a_worker_killed_between_calls_is_replaced_and_every_call_answered(caplog: pytest.LogCaptureFixture) -> None:
    """pebble stops its whole pool when a worker dies between calls (the out-of-memory killer, a ``kill``): new workers
    take over the calls not answered, whether handed to pebble before it saw the death or after."""
    pool = WorkerPool(misbehave, workers=2, timeout=60)
    try:
        killed = call(pool, "pid", None).result()
        os.kill(killed, signal.SIGKILL)
        before_seen = [call(pool, "echo", number) for number in range(5)]
        time.sleep(1)  # pebble has seen it by now and stopped its pool
        after_seen = [call(pool, "echo", number) for number in range(5, 10)]
        assert [answer.result(timeout=30) for answer in before_seen + after_seen] == list(range(10))
        assert killed not in {call(pool, "pid", None).result() for _ in range(10)}
    finally:
        pool.close()
    assert [record.getMessage() for record in caplog.records if record.name == "crawler.worker_pool"] == [
        "extraction worker processes stopped (one ended between pages): started new ones"
    ]


def test_an_answer_that_cannot_be_read_stops_the_workers_for_good() -> None:
    """pebble stops its pool when an answer cannot be unpickled: new workers would be stopped by the same call again, so
    the calls fail as stopped (their owner reads them itself), not handed to new workers over and over."""
    pool = WorkerPool(misbehave, workers=2, timeout=60)
    try:
        assert call(pool, "echo", 1).result(timeout=30) == 1
        with pytest.raises(WorkersStopped, match="missing 1 required positional argument"):
            call(pool, "unreadable", "a page").result(timeout=30)
    finally:
        pool.close()


def test_calls_run_in_several_workers_at_once() -> None:
    pool = WorkerPool(misbehave, workers=2, timeout=60)  # the hung call outlives the test; close() fails it
    try:
        hung = call(pool, "hang", None)  # one worker is busy...
        assert call(pool, "echo", 1).result() == 1  # ...the other answers meanwhile
        assert not hung.done()
    finally:
        pool.close()
    with pytest.raises(WorkerFailed):
        hung.result(timeout=0)


def test_closing_never_waits_for_a_page_stuck_in_a_worker() -> None:
    pool = WorkerPool(misbehave, workers=1, timeout=60)
    stuck_pid = call(pool, "pid", None).result()
    stuck = call(pool, "hang", None)
    time.sleep(0.5)  # the worker is inside the call
    started = time.monotonic()
    pool.close()
    took = time.monotonic() - started
    assert took < 30, f"close took {took:.1f} s with a call stuck in a worker: it waited for the call's 60-second timeout"
    with pytest.raises(WorkerFailed, match="closed before answering"):
        stuck.result(timeout=0)
    assert not is_running(stuck_pid)


def test_a_worker_is_replaced_after_its_share_of_calls() -> None:
    pool = WorkerPool(misbehave, workers=1, timeout=60)
    try:
        pids = [call(pool, "pid", None).result() for _ in range(TASKS_PER_WORKER + 1)]
    finally:
        pool.close()
    served = Counter(pids)
    assert len(served) == 2, "one worker answered its share of calls, then a fresh one took over"
    assert max(served.values()) <= TASKS_PER_WORKER
    assert pids == sorted(pids, key=pids.index)  # the first worker's calls, then the second's


def test_workers_ignore_sigint_and_are_forked_by_a_server_that_preloaded_extraction() -> None:
    start_fork_server()  # as `archive reextract` does before loading its own extractor; the pool uses that server
    pool = WorkerPool(misbehave, workers=1, timeout=60)
    try:
        pid = call(pool, "pid", None).result()
        os.kill(pid, signal.SIGINT)  # what a Ctrl-C in a terminal sends the whole process group
        assert call(pool, "pid", None).result() == pid, "the worker ignored SIGINT"
        with open(f"/proc/{call(pool, 'parent', None).result()}/cmdline", "rb") as file:
            parent = file.read().decode()
    finally:
        pool.close()
    assert "forkserver" in parent and "crawler.extraction" in parent and "crawler.worker_preload" in parent


MAIN_MODULE = """
import os
import sys

with open(sys.argv[1], "a") as runs:  # every process that runs this module says so
    runs.write(f"{os.getpid()}\\n")

if __name__ == "__main__":
    from crawler.worker_pool import WorkerPool

    pool = WorkerPool(os.getpid, workers=1, timeout=60)
    try:
        print(pool.submit(()).result())
    finally:
        pool.close()
"""


@pytest.mark.parametrize("run_as", [["main_module.py"], ["-m", "main_module"]], ids=["script", "module"])
def test_workers_do_not_run_their_parents_main_module_again(tmp_path: Path, run_as: list[str]) -> None:
    """As the `scrapy` and `archive` commands' workers do not import Scrapy or the archive's commands."""
    (tmp_path / "main_module.py").write_text(MAIN_MODULE)
    runs = tmp_path / "runs"
    done = subprocess.run([sys.executable, *run_as, str(runs)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ran_in, worker = runs.read_text().split(), done.stdout.strip()
    assert worker not in ran_in, "the worker ran its parent's main module again"
    assert len(ran_in) == 1  # the parent, once


def test_a_pool_refuses_a_function_of_the_main_module(tmp_path: Path) -> None:
    """Workers do not run the main module, so they could not find such a function: a clear error, not dead workers."""
    (tmp_path / "script.py").write_text(
        "from crawler.worker_pool import WorkerPool\n\n"
        "def double(number):\n    return 2 * number\n\n"
        "try:\n    WorkerPool(double, workers=1, timeout=60)\nexcept ValueError as error:\n    print(error)\n"
    )
    done = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "double is defined in the main module, which workers do not run: define it in a module", done.stderr


def test_workers_start_with_the_language_model_loaded() -> None:
    pool = WorkerPool(eval, workers=1, timeout=60)
    try:
        loaded = pool.submit(("__import__('crawler.extraction.language', fromlist=['']).language_identifier.cache_info().currsize",))
        assert loaded.result() == 1, "the fork server loaded it once: a new worker does not read the model again"
    finally:
        pool.close()


def test_workers_start_with_no_database_scrapy_or_twisted_code_loaded() -> None:
    pool = WorkerPool(eval, workers=1, timeout=60)
    try:
        loaded = pool.submit(("[m for m in ('crawler.page_tasks', 'sqlalchemy', 'scrapy', 'twisted') if m in __import__('sys').modules]",))
        assert loaded.result() == ["crawler.page_tasks"]
    finally:
        pool.close()


def _worker_pids(output: str) -> set[int]:
    return {int(pid) for pid in WORKER_STARTED.findall(output)}


def _archived(database_url: str, site: FixtureSite) -> list[tuple[Any, ...]]:
    """What the archive holds of the fixture site, its URLs relative to the site."""
    return [(row[0].replace(site.url, "/"), *row[1:]) for row in query(database_url, ARCHIVED_FIELDS)]


def test_a_crawl_with_workers_archives_what_one_without_archives(fixture_site: FixtureSite, tmp_path: Any) -> None:
    in_process, in_workers = f"sqlite:///{tmp_path / 'in-process.db'}", f"sqlite:///{tmp_path / 'workers.db'}"
    assert run_crawl(in_process, f"start_url={fixture_site.url}", settings=("ARCHIVE_EXTRACT_WORKERS=0",)).returncode == 0
    result = run_crawl(in_workers, f"start_url={fixture_site.url}", settings=("ARCHIVE_EXTRACT_WORKERS=2", "LOG_LEVEL=DEBUG"))
    assert result.returncode == 0, result.output
    assert len(_archived(in_workers, fixture_site)) == len(ARTICLES)
    assert _archived(in_workers, fixture_site) == _archived(in_process, fixture_site)
    assert query(in_workers, "SELECT articles_new, duplicates, errors FROM crawl_runs") == [(len(ARTICLES), 2, 0)]
    pids = _worker_pids(result.output)
    assert len(pids) == 2
    assert not [pid for pid in pids if is_running(pid)], "no worker outlives the crawl"


def _is_fork_server(pid: int) -> bool:
    try:
        return "forkserver" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except FileNotFoundError:
        return False


def _started_workers(crawl_pid: int) -> int:
    """How many worker processes the crawl's fork server has started so far."""
    return sum(len(child_pids(server)) for server in child_pids(crawl_pid) if _is_fork_server(server))


def test_ctrl_c_stops_the_crawl_and_its_workers(fixture_site: FixtureSite, sqlite_url: str) -> None:
    open_archive(sqlite_url).close()
    fixture_site.gate = threading.Event()  # pages wait until the crawl has been interrupted, but for the first article
    fixture_site.ungated = frozenset({"/robots.txt", "/", f"/{ARTICLES[0].slug}/"})
    crawl = start_crawl(sqlite_url, f"start_url={fixture_site.url}", settings=("ARCHIVE_EXTRACT_WORKERS=2", "LOG_LEVEL=DEBUG"))
    try:
        # Interrupted while it fetches (not while Scrapy still starts) and its workers read pages (they start with the
        # first), further pages waiting at the gate.
        while not (fixture_site.requests and query(sqlite_url, "SELECT pid FROM crawl_locks") and _started_workers(crawl.pid) == 2):
            assert crawl.poll() is None, "the crawl ended before its workers started"
            time.sleep(0.1)
        crawl.send_signal(signal.SIGINT)
    finally:
        fixture_site.gate.set()
        output, _ = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, output
    assert query(sqlite_url, "SELECT finish_reason FROM crawl_runs") == [("shutdown",)]
    pids = _worker_pids(output)
    assert len(pids) == 2
    assert not [pid for pid in pids if is_running(pid)], "no worker outlives an interrupted crawl"


def test_a_crawl_that_reads_no_page_starts_no_worker(fixture_site: FixtureSite, sqlite_url: str) -> None:
    """A re-crawl that finds nothing new, the common cron run, spends nothing on worker processes."""
    settings = ("ARCHIVE_EXTRACT_WORKERS=2", "LOG_LEVEL=DEBUG")
    first = run_crawl(sqlite_url, f"start_url={fixture_site.url}", settings=settings)
    assert first.returncode == 0, first.output
    assert len(_worker_pids(first.output)) == 2
    again = run_crawl(sqlite_url, f"start_url={fixture_site.url}", "recheck=none", settings=settings)
    assert again.returncode == 0, again.output
    assert query(sqlite_url, "SELECT articles_new FROM crawl_runs ORDER BY id") == [(len(ARTICLES),), (0,)]
    assert not _worker_pids(again.output)


@pytest.mark.parametrize(
    ("environment", "error"),
    [
        (without_worker_processes, "extraction worker processes could not start ([Errno "),
        (with_a_worker_that_dies, "extraction worker processes stopped for good"),
    ],
    ids=["refused", "dead-and-not-replaced"],
)
def test_a_crawl_whose_workers_are_refused_reads_its_pages_itself(
    fixture_site: FixtureSite, tmp_path: Path, environment: Callable[[Path], dict[str, str]], error: str
) -> None:
    """Worker processes that the system does not start, or does not replace, cost one error line, not the crawl nor
    its pages."""
    database, in_process = f"sqlite:///{tmp_path / 'archive.db'}", f"sqlite:///{tmp_path / 'in-process.db'}"
    result = run_crawl(database, f"start_url={fixture_site.url}", settings=("ARCHIVE_EXTRACT_WORKERS=2",), env=environment(tmp_path))
    assert result.returncode == 0, result.output
    assert result.output.count(error) == 1, result.output
    assert "'log_count/ERROR': 1," in result.output  # that line alone, no error per page
    assert f'File "{PROJECT_ROOT}' not in result.output  # no traceback through the project (the fork server may print its own)
    assert query(database, "SELECT articles_new, duplicates, errors FROM crawl_runs") == [(len(ARTICLES), 2, 0)]
    assert run_crawl(in_process, f"start_url={fixture_site.url}", settings=("ARCHIVE_EXTRACT_WORKERS=0",)).returncode == 0
    assert _archived(database, fixture_site) == _archived(in_process, fixture_site)  # pages handed back in arrival order


STOPPED_POOL = """
from crawler.worker_pool import WorkerPool
from tests.test_page_workers import misbehave

pool = WorkerPool(misbehave, workers=1, timeout=60)
calls = [pool.submit(("crash", None))] + [pool.submit(("echo", b"x" * 300_000)) for _ in range(4)]
for call in calls:  # a pipe's worth and more each: these wait in pebble's queue, for a worker that never comes
    error = call.exception(timeout=10)
    print(type(error).__name__, error)
pool.close()
"""


def test_calls_waiting_for_a_worker_that_cannot_be_replaced_fail_as_stopped(tmp_path: Path) -> None:
    """The pool's only worker dies on a call and the system starts no other: every call waiting fails, none hangs."""
    environment = {**os.environ, **with_one_worker_at_most(tmp_path)}
    done = subprocess.run([sys.executable, "-c", STOPPED_POOL], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr
    crashed, *waiting = done.stdout.splitlines()
    assert crashed == "WorkerFailed the worker process died (exit code 3)"
    assert len(waiting) == 4 and all(line.startswith(f"WorkersStopped {WORKERS_STOPPED}") for line in waiting), done.stdout


def test_workers_start_with_the_comparison_stop_words_merged() -> None:
    pool = WorkerPool(eval, workers=1, timeout=60)
    try:
        merged = pool.submit(("len(__import__('trafilatura.external', fromlist=['']).JT_STOPLIST or ())",))
        assert merged.result() > 0, "the fork server's warm-up page ran the comparison with jusText: no worker merges the stop words again"
    finally:
        pool.close()


def test_workers_start_with_what_the_fork_server_loaded_out_of_the_garbage_collectors_reach() -> None:
    pool = WorkerPool(eval, workers=1, timeout=60)
    try:
        assert pool.submit(("__import__('gc').get_freeze_count()",)).result() > 10_000
    finally:
        pool.close()
