"""The crawl queue: ``scrapy enqueue``, Celery workers running crawls as jobs, beat, on the real Redis into the real PostgreSQL.

Workers, beat and ``scrapy enqueue`` run as real processes on a queue of
their own (``tests.queue_workers``); the sites are generated ones on
127.0.0.1, reached as public host names through the test server as proxy.
Tests that need Redis skip where it is unreachable, and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.db import open_archive
from archive.integrity import check_archive
from archive.site_locks import LOCKED
from crawler.arguments import ArgumentError
from crawler.durations import parse_duration
from crawler.jobs import JobError, check_job, crawl_command
from crawler.profiles import ProfileError, load_profile, load_profiles
from crawler.queue import CRAWL_TASK, queue_app
from tests.crawl import query
from tests.local_server import Server, serve
from tests.queue_workers import RABBITMQ_URL, QueueSetup, RemoteSite, rabbitmq_unreachable, redis_unreachable, wait_for

pytestmark = pytest.mark.xdist_group("queue-workers")  # its tests share module fixtures: one worker runs them all

ARTICLES = 12
SITE = RemoteSite(articles=ARTICLES, per_page=6)
FAST_CRAWLS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "ARCHIVE_EXTRACT_WORKERS": 0,
    "ARCHIVE_QUEUE_RETRIES": 2,
    "ARCHIVE_QUEUE_RETRY_SECONDS": 1.0,
}
SLACK = timedelta(seconds=1)
"""How far a crawl's recorded start and end may be from when it took and gave up its site's lock."""


@pytest.fixture(scope="module")
def redis_available() -> None:
    reason = redis_unreachable()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def site_server() -> Iterator[Server]:
    with serve(SITE) as server:
        yield server


@pytest.fixture(scope="module")
def workers(redis_available: None, site_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueSetup]:
    """Two workers of one crawl at a time each, on a queue of their own, shared by the tests of this module."""
    setup = QueueSetup(tmp_path_factory.mktemp("queue"), {**FAST_CRAWLS, "ARCHIVE_QUEUE_REDELIVER_SECONDS": 20.0}, proxy=site_server.proxy)
    try:
        setup.start_worker("alpha")
        setup.start_worker("beta")
        yield setup
    finally:
        setup.stop()


def runs_of(database_url: str, site: str) -> list[tuple[Any, ...]]:
    return query(
        database_url,
        "SELECT id, finish_reason, articles_new, requests, host, pid, worker, job, started_at, finished_at "
        "FROM crawl_runs WHERE sites = :site ORDER BY id",
        site=site,
    )


def job_ids(enqueued: str) -> list[str]:
    return re.findall(r"^queued \S+: job (\S+)$", enqueued, re.MULTILINE)


def logged(setup: QueueSetup, pattern: str) -> Callable[[], re.Match[str] | None]:
    """Whether the workers' logs have a match of ``pattern`` yet (for ``wait_for``)."""
    return lambda: re.search(pattern, setup.logs())


def articles_of(database_url: str, site: str) -> int:
    [(count,)] = query(database_url, "SELECT COUNT(*) FROM articles WHERE site = :site", site=site)
    return int(count)


def assert_archived_once(database_url: str, sites: list[str]) -> None:
    for site in sites:
        counts = query(database_url, "SELECT COUNT(*), COUNT(DISTINCT url) FROM latest_snapshots WHERE site = :site", site=site)
        assert counts == [(ARTICLES, ARTICLES)], site
    assert query(database_url, "SELECT COUNT(*) FROM snapshots") == [(ARTICLES * len(sites),)]
    with open_archive(database_url).sessions() as session:
        assert check_archive(session) == []


def test_a_job_is_checked_before_it_becomes_a_command_line() -> None:
    job = check_job({"start_url": "https://news.example/a b", "max_pages": " 3"}, {"USER_AGENT": "--help; rm -rf ~", "DOWNLOAD_DELAY": "-1"})
    command = crawl_command(job, {"ARCHIVE_JOB_ID": "j-1"})
    words = command[command.index("news") + 1 :]
    assert words == [
        "-a",
        "start_url=https://news.example/a b",
        "-a",
        "max_pages=3",
        "-s",
        "USER_AGENT=--help; rm -rf ~",
        "-s",
        "DOWNLOAD_DELAY=-1",
        "-s",
        "ARCHIVE_JOB_ID=j-1",
    ]
    for arguments, settings, error in [
        ({"site": "x", "--set": "LOG_FILE=/tmp/x"}, {}, r"unknown argument -a --set"),
        ({"site": "x", "max_pages": "1 --pdb"}, {}, r"max_pages='1 --pdb': expected a whole number"),
        ({"site": ["x"]}, {}, r"not a mapping of names to strings"),
        ({"site": "x"}, {"--logfile": "x"}, r"a setting name is UPPER_SNAKE"),
        ({"site": "x"}, {"log_file": "x"}, r"a setting name is UPPER_SNAKE"),
        ({"site": "x"}, {"USER_AGENT": "a\nb"}, r"control characters"),
        ({"site": "x"}, {"ARCHIVE_JOB_WORKER": "me"}, r"set by the worker"),
        ({"site": "x"}, "DOWNLOAD_DELAY=0", r"not a mapping"),
    ]:
        with pytest.raises((ArgumentError, JobError), match=error):
            check_job(arguments, settings)


def test_every_is_a_duration_checked_on_load(tmp_path: Path) -> None:
    assert parse_duration("30m") == timedelta(minutes=30)
    assert parse_duration(" 1H30m ") == timedelta(hours=1, minutes=30)
    assert parse_duration("2d") == timedelta(days=2)
    path = tmp_path / "site.toml"
    path.write_text('name = "site"\nstart_urls = ["https://site.example/"]\nevery = "2h"\n')
    assert load_profile(path).every == timedelta(hours=2)
    for every in ('"soon"', '"0m"', '"30"', "30"):
        path.write_text(f'name = "site"\nstart_urls = ["https://site.example/"]\nevery = {every}\n')
        with pytest.raises(ProfileError, match=rf"^{re.escape(str(path))}: every: "):
            load_profile(path)


def test_enqueue_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    setup = QueueSetup(tmp_path, {})
    cases = [
        (("strat_url=https://a.example/",), (), "error: unknown argument -a strat_url (did you mean -a start_url?)"),
        (("site=no-such-site",), (), "error: no site profile named 'no-such-site'"),
        (("site=debugpoint",), ("download_delay=1",), "error: -s 'download_delay': a setting name is UPPER_SNAKE"),
        (("site=debugpoint",), ("ARCHIVE_QUEUE_URL=redis://127.0.0.1:1/0",), "error: cannot queue on redis://127.0.0.1:1/0: "),
    ]
    with ThreadPoolExecutor(len(cases)) as pool:
        results = list(pool.map(lambda case: setup.enqueue(*case[0], settings=case[1]), cases))
    for result, (*_, error) in zip(results, cases, strict=True):
        assert result.returncode == 1, result
        assert result.stderr.startswith(error) and len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stdout == ""


def test_enqueue_puts_one_job_per_site_on_the_queue(redis_available: None, tmp_path: Path) -> None:
    setup = QueueSetup(tmp_path, {})
    try:
        result = setup.enqueue("max_pages=3", "full=1", settings=("DOWNLOAD_DELAY=2",))
        assert result.returncode == 0, result.stderr
        enabled = sorted(name for name, profile in load_profiles().items() if profile.enabled)
        assert [line.split(":")[0] for line in result.stdout.splitlines()] == [f"queued {name}" for name in enabled]
        assert len(set(job_ids(result.stdout))) == len(enabled)
        assert sorted(setup.queued_jobs(), key=lambda job: job["arguments"]["site"]) == [
            {"arguments": {"site": name, "max_pages": "3", "full": "1"}, "settings": {"DOWNLOAD_DELAY": "2"}} for name in enabled
        ]
    finally:
        setup.stop()


def test_a_second_job_for_a_site_being_crawled_is_dropped_and_counted(workers: QueueSetup, postgres_url: str) -> None:
    """Two jobs for one site: the first crawls it end to end, the second finds it locked and is dropped."""
    open_archive(postgres_url).close()
    SITE.held["twice.example"] = gate = threading.Event()  # the first crawl waits for its pages until the second has run
    try:
        with ThreadPoolExecutor(2) as pool:
            jobs = list(
                pool.map(lambda _: workers.enqueue("start_url=http://twice.example/", settings=(f"ARCHIVE_DATABASE_URL={postgres_url}",)), range(2))
            )
        wait_for(lambda: any(run[1] == "locked" for run in runs_of(postgres_url, "twice.example")), "the second crawl to find the site locked")
    finally:
        gate.set()
    wait_for(lambda: all(run[1] for run in runs_of(postgres_url, "twice.example")), "the first crawl to finish")
    [finished, dropped] = sorted(runs_of(postgres_url, "twice.example"), key=lambda run: run[1])
    assert (finished[1], finished[2], dropped[1], dropped[3]) == ("finished", ARTICLES, "locked", 0)
    assert {finished[7], dropped[7]} == {job_id for result in jobs for job_id in job_ids(result.stdout)}
    assert {finished[6].split("@")[0], dropped[6].split("@")[0]} == {"alpha", "beta"}, "two workers ran them at once"
    assert finished[4] == os.uname().nodename and finished[5] > 0
    for job, result in [
        (dropped[7], "'run': \\d+, 'finish_reason': 'locked', 'articles_new': 0, 'dropped': True"),
        (finished[7], f"'finish_reason': 'finished', 'articles_new': {ARTICLES}, 'dropped': False"),
    ]:
        wait_for(
            logged(workers, rf"crawl_site\[{job}\] succeeded in [\d.]+s: {{'site': 'twice.example', 'exit_status': 0, .*{result}}}"), "its result"
        )
    assert workers.logs().count("twice.example: job dropped, another crawl of the site is running") == 1
    assert_archived_once(postgres_url, ["twice.example"])
    shown = CliRunner().invoke(main, ["--db", postgres_url, "runs"])
    assert shown.exit_code == 0 and f"{finished[4]}:{finished[5]} ({finished[6]})" in shown.output, shown.output


def test_a_job_that_can_never_run_fails_once(workers: QueueSetup) -> None:
    app = queue_app(workers.scrapy_settings())
    unknown = app.send_task(CRAWL_TASK, kwargs={"arguments": {"site": "no-such-site"}, "settings": {}})
    injected = app.send_task(CRAWL_TASK, kwargs={"arguments": {"site": "debugpoint"}, "settings": {"--pdb": "1"}})
    for job in (unknown.id, injected.id):
        wait_for(logged(workers, re.escape(f"crawl_site[{job}] raised expected: JobRefused")), "the job to be refused")
    logs = workers.logs()
    assert (
        logs.count(f"error: no site profile named 'no-such-site' (known: 9to5linux, debugpoint, omgubuntu) (job {unknown.id} refused, not retried)")
        == 1
    )
    assert logs.count(f"error: -s '--pdb': a setting name is UPPER_SNAKE, such as DOWNLOAD_DELAY (job {injected.id} refused, not retried)") == 1
    assert f"job {unknown.id}, try" not in logs and f"job {injected.id}, try" not in logs, "no crawl started"


def first_logged(logs: str, pattern: str) -> datetime:
    """When a worker first logged a line that matches ``pattern``."""
    stamps = re.findall(rf"^\[(\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d,\d+): [^\n]*{pattern}", logs, re.MULTILINE)
    return min(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f") for stamp in stamps)


def test_a_failing_crawl_is_retried_with_backoff_then_fails(workers: QueueSetup) -> None:
    unusable = "ARCHIVE_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:1/archive"  # the crawl exits 1: no archive there
    [job] = job_ids(workers.enqueue("start_url=http://no-archive.example/", settings=(unusable,)).stdout)
    wait_for(lambda: f"crawl_site[{job}] raised expected: CrawlFailed" in workers.logs(), "the job to fail", timeout=180)
    logs = workers.logs()
    # A try that waits for its turn and runs longer than the fixture's 20 s redelivery is delivered a
    # second time (README: a crawl longer than ARCHIVE_QUEUE_REDELIVER_SECONDS); the tries are what count.
    tries = re.findall(rf"no-archive\.example: crawl started, pid \d+ \(job {job}, try (\d) of 3\)", logs)
    assert sorted(set(tries)) == ["1", "2", "3"], "the crawl and two retries"
    assert logs.count("error: cannot open archive database postgresql+psycopg://postgres@127.0.0.1:1/archive") >= 3
    for attempt in (1, 2):
        failed = first_logged(logs, re.escape(f"no-archive.example: crawl failed, exit status 1 (job {job}, try {attempt} of 3)"))
        started = first_logged(logs, rf"no-archive\.example: crawl started, pid \d+ \(job {job}, try {attempt + 1} of 3\)")
        assert (started - failed).total_seconds() >= 2 ** (attempt - 1), "a longer wait before each retry"
    assert f"no-archive.example: crawl failed, exit status 1 (job {job}, try 3 of 3)" in logs


def test_two_workers_four_sites_one_crawl_and_one_worker_killed(workers: QueueSetup, postgres_url: str) -> None:
    """Four sites, one enqueued twice; one crawl process is killed with SIGKILL, then a worker, which is started again."""
    open_archive(postgres_url).close()
    sites = [f"many-{n}.example" for n in range(4)]
    slow = ("DOWNLOAD_DELAY=0.2", "ARCHIVE_WRITE_BATCH_SIZE=1", f"ARCHIVE_DATABASE_URL={postgres_url}")
    with ThreadPoolExecutor(5) as pool:
        enqueued = list(pool.map(lambda site: workers.enqueue(f"start_url=http://{site}/", settings=slow), [sites[0], *sites]))
    jobs = {job for result in enqueued for job in job_ids(result.stdout)}
    assert len(jobs) == 5, [result.stderr for result in enqueued]

    def crawling(dead: int = 0) -> tuple[str, int, str] | None:
        """A crawl holding its site's lock (not the ``dead`` process) that has archived articles: its site, pid and worker."""
        for site, pid in query(postgres_url, "SELECT site, pid FROM crawl_locks WHERE pid != :dead ORDER BY site", dead=dead):
            running = query(postgres_url, "SELECT worker FROM crawl_runs WHERE pid = :pid AND finished_at IS NULL ORDER BY id DESC", pid=pid)
            if running and articles_of(postgres_url, site) >= 2:
                return site, pid, running[0][0]
        return None

    crawl_killed, pid, _ = wait_for(crawling, "a crawl in progress")
    os.kill(pid, signal.SIGKILL)
    worker_killed, _, worker = wait_for(lambda: crawling(dead=pid), "another crawl in progress")
    name = worker.split("@")[0]
    [running] = [each for each in workers.workers if each.name == name and each.process.poll() is None]
    running.kill()
    workers.start_worker(name)

    def all_done() -> bool:
        done = set(re.findall(r"crawl_site\[([\w-]+)\] succeeded", workers.logs()))
        return done >= jobs and not query(postgres_url, "SELECT site FROM crawl_locks")

    wait_for(all_done, "every job to be done", timeout=300, every=1)
    assert_archived_once(postgres_url, sites)
    for site in sites:
        crawls = [run for run in runs_of(postgres_url, site) if run[1] != "locked"]
        unfinished = [run for run in crawls if run[1] is None]
        assert len(unfinished) == [crawl_killed, worker_killed].count(site), f"only the killed crawls are unfinished ({site})"
        finished = [run for run in crawls if run[1] is not None]
        for earlier, later in zip(finished, finished[1:], strict=False):
            assert earlier[9] <= later[8], f"two crawls of {site} overlapped"
        runs = runs_of(postgres_url, site)
        for killed in unfinished:
            again = [run for run in runs if run[7] == killed[7] and run[8] > killed[8]]
            assert again, f"the killed job of {site} ran again"
            if all(run[1] == LOCKED for run in again):
                # Its retries met the lock of the site's other job, then crawling (README: dropped, never retried). A crawl
                # takes its lock before it records its start and gives it up before it records its end: a second of slack.
                for locked in again:
                    assert any(
                        other[7] != killed[7] and other[1] != LOCKED and other[8] - SLACK <= locked[8] <= (other[9] or locked[8]) + SLACK
                        for other in runs
                    ), f"another job of {site} was crawling when a retry met its lock"
    assert f"{crawl_killed}: crawl failed, killed by signal 9" in workers.logs()


def test_a_job_runs_on_rabbitmq_too(site_server: Server, tmp_path: Path) -> None:
    reason = rabbitmq_unreachable()
    if reason:
        pytest.skip(reason)
    database_url = f"sqlite:///{tmp_path / 'archive.db'}"
    setup = QueueSetup(tmp_path, {**FAST_CRAWLS, "ARCHIVE_QUEUE_URL": RABBITMQ_URL, "ARCHIVE_DATABASE_URL": database_url}, proxy=site_server.proxy)
    try:
        setup.start_worker("rabbit")
        job = check_job({"start_url": "http://rabbit.example/"}, {})
        queued = queue_app(setup.scrapy_settings()).send_task(CRAWL_TASK, kwargs=job.message())
        wait_for(
            logged(setup, rf"crawl_site\[{queued.id}\] succeeded in [\d.]+s: .*'finish_reason': 'finished', 'articles_new': {ARTICLES}"), "the job"
        )
    finally:
        setup.stop()
    assert runs_of(database_url, "rabbit.example")[0][1:3] == ("finished", ARTICLES)


def test_beat_enqueues_each_enabled_profile_every_its_every(redis_available: None, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for name, extra in [("fast", 'every = "1s"'), ("slow", 'every = "1h"'), ("plain", ""), ("off", 'every = "1s"\nenabled = false')]:
        (profiles / f"{name}.toml").write_text(f'name = "{name}"\nstart_urls = ["https://{name}.example/"]\n{extra}\n')
    setup = QueueSetup(tmp_path, {"ARCHIVE_PROFILES_DIR": str(profiles), "ARCHIVE_QUEUE_EVERY": "2s"})
    beat = setup.start_beat()
    try:
        wait_for(lambda: "crawl fast every 0:00:01" in (tmp_path / "beat.log").read_text(), "beat to start")
        time.sleep(6)
    finally:
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=30)
    try:
        jobs = setup.queued_jobs()
    finally:
        setup.stop()
    assert {job["settings"] == {} for job in jobs} == {True}
    sites = [job["arguments"]["site"] for job in jobs]
    assert sites.count("fast") >= 4, sites
    assert 2 <= sites.count("plain") < sites.count("fast"), sites
    assert sites.count("plain") == sites.count("debugpoint"), "built-in profiles have no every: ARCHIVE_QUEUE_EVERY"
    assert "slow" not in sites and "off" not in sites
