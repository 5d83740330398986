"""Scale-out: 1, 2 and 4 queue workers crawling 8 sites that answer like remote ones, with the default politeness.

Serves ``--sites`` generated sites of ``--articles`` articles each on
127.0.0.1 under public names (``remote-0.example``, ...; the server is the
crawls' proxy), every answer after ``--delay`` seconds, as a remote site's
would be. For each number of workers it starts that many ``celery -A
crawler.queue worker --concurrency 1`` processes (as many machines) on a
Redis queue of their own, puts one job per site on the queue and waits until
every job is done, into a fresh archive each time. The crawls keep the
project's politeness settings (``DOWNLOAD_DELAY``, AutoThrottle), so one site
is fetched no faster than the settings allow, however many workers there are.

Prints, for each number of workers, the wall time from queueing to the last
job done, the pages fetched per second, the CPU time per page (every process
of the workers and their crawls) and the speed-up over one worker; checks
that every article is archived once (``archive check`` clean). Exits 1 if a
check fails.

Needs Redis (``ARCHIVE_TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/0``).
Usage, from the project root::

    python bench/distributed.py [--workers 1 2 4] [--sites 8] [--articles 20] [--delay 0.1]

Each run writes a fresh SQLite archive (several workers of one machine share
one SQLite file; the crawls' CPU, not the archive, is what is measured).
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from archive.db import open_archive  # noqa: E402
from archive.integrity import check_archive  # noqa: E402
from crawler.jobs import check_job  # noqa: E402
from crawler.queue import CRAWL_TASK, queue_app  # noqa: E402
from tests.crawl import query  # noqa: E402
from tests.local_server import Server, serve  # noqa: E402
from tests.queue_workers import QueueSetup, RemoteSite, redis_unreachable, wait_for  # noqa: E402


def children_cpu_seconds() -> float:
    """CPU time of every descendant process that has ended and been waited for (workers wait for their crawls)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(workers: int, sites: list[str], articles: int, server: Server, directory: Path) -> dict[str, float]:
    """One measurement: ``workers`` workers crawl ``sites`` into a fresh SQLite archive; returns its figures (none if a check failed)."""
    run_directory = Path(tempfile.mkdtemp(dir=directory))
    database_url = f"sqlite:///{run_directory / 'archive.db'}"
    open_archive(database_url).close()
    setup = QueueSetup(run_directory, {"ARCHIVE_DATABASE_URL": database_url}, proxy=server.proxy)
    cpu_before = children_cpu_seconds()
    try:
        for number in range(workers):
            setup.start_worker(f"bench{number}")
        app = queue_app(setup.scrapy_settings())
        started = time.monotonic()
        jobs = {app.send_task(CRAWL_TASK, kwargs=check_job({"start_url": f"http://{site}/", "max_pages": "0"}, {}).message()).id for site in sites}
        wait_for(lambda: set(re.findall(r"crawl_site\[([\w-]+)\] succeeded", setup.logs())) >= jobs, "every job", timeout=3600, every=0.5)
        wall = time.monotonic() - started
    finally:
        setup.stop()
    cpu = children_cpu_seconds() - cpu_before
    [(pages, new)] = query(database_url, "SELECT SUM(pages_fetched), SUM(articles_new) FROM crawl_runs")
    [(stored, versions)] = query(database_url, "SELECT COUNT(*), (SELECT COUNT(*) FROM snapshots) FROM articles")
    with open_archive(database_url).sessions() as session:
        problems = check_archive(session)
    expected = len(sites) * articles
    if (new, stored, versions) != (expected, expected, expected) or problems:
        print(f"  check failed: {new} new, {stored} articles, {versions} snapshots of {expected} articles; {len(problems)} problems", file=sys.stderr)
        return {}
    return {"wall": wall, "pages": float(pages), "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--articles", type=int, default=20, help="articles per site")
    parser.add_argument("--delay", type=float, default=0.1, help="seconds each answer takes")
    options = parser.parse_args()
    unreachable = redis_unreachable()
    if unreachable:
        print(f"error: {unreachable}", file=sys.stderr)
        return 1
    sites = [f"remote-{number}.example" for number in range(options.sites)]
    print(f"{options.sites} sites x {options.articles} articles, {options.delay * 1000:.0f} ms per answer, default politeness")
    print(f"{'workers':>7} {'wall s':>8} {'pages':>6} {'pages/s':>8} {'CPU ms/page':>12} {'speed-up':>9}")
    failed = False
    first_wall = 0.0
    with tempfile.TemporaryDirectory() as directory, serve(RemoteSite(articles=options.articles, per_page=10, delay=options.delay)) as server:
        for workers in options.workers:
            figures = run(workers, sites, options.articles, server, Path(directory))
            if not figures:
                failed = True
                continue
            first_wall = first_wall or figures["wall"]
            print(
                f"{workers:>7} {figures['wall']:>8.1f} {figures['pages']:>6.0f} {figures['pages'] / figures['wall']:>8.2f} "
                f"{figures['cpu'] / figures['pages'] * 1000:>12.1f} {first_wall / figures['wall']:>8.2f}x",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
