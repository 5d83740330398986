"""Crawl throughput: the project's full crawl next to plain Scrapy on the same local site of real pages.

Builds a news site of N unique article pages (default 1,000) from the pages of
``../shared/extraction-dev`` (read from there, each made unique by a sentence
added to a paragraph of its article; the dev pages where no article paragraph
can be found are left out), with index pages of 20 links chained by
``rel=next``. A threaded HTTP/1.1 server with keep-alive (``bench/pageserver.py``)
serves it on 127.0.0.1 from its own process, so that it does not compete with the crawler
for a GIL; ``--no-keep-alive`` makes it answer over HTTP/1.0, a connection per
request, as Python's ``http.server`` does (its backlog of 5 then refuses some
connections, which are tried again a second later), and ``--answer-delay MS``
answers each request that late, as a remote site would: the site then limits
plain Scrapy. Then, in the same run, with the same local-site settings (no delay,
AutoThrottle off, robots.txt obeyed, the same concurrency and queue order):

(a) plain Scrapy (``bench/plain_spider.py``) follows the index pages and
    fetches every article, processing nothing;
(b) the project's ``scrapy crawl news -a start_url=... -a max_pages=0`` into a
    fresh SQLite archive.

For each it prints article pages per second (over the crawl, spider opened to
closed; and over the whole process, start to exit), CPU seconds of the crawl's
process tree (worker processes included: this script adopts the crawl's orphans), the peak memory of that tree (the
sum of the RSS of its processes, sampled every 0.1 s), and for (b) the CPU
time per page of the crawl process and of its workers (the rates these allow at
most: on this machine's cores, and with any number of cores, when the
single crawl process is the limit), what it archived and the archive's size, and the share of the machine's CPU
time left idle while it ran; then the ratio (b)/(a) against the target
(≥ 0.5). Several ``--pages`` values compare the peak memory of the largest
crawl with the smallest's (target ≤ 1.3×).

``--profile`` runs (b) once more, under cProfile timed by each thread's CPU
clock: the crawl process's main thread (``PROFILED_CRAWL``) and its write
thread and the workers' page function (``ARCHIVE_PROFILE_DIR``, see
``crawler.profiling``); it prints the
ten largest costs of the crawl process and of the workers, in CPU
milliseconds per archived page spent in each function itself (the profiler
slows both down, so these are shares, not the figures above).

Usage, from the project root::

    python bench/throughput.py [--pages 1000 [10000 ...]] [--workers N] [--concurrency 16]
                               [--no-keep-alive] [--answer-delay MS]
                               [--news-only] [--profile] [--set NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import multiprocessing
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench.pageserver import page_server  # noqa: E402
from bench.realsite import DEFAULT_DATA, PAGE_SIZE, Site, edit_point  # noqa: E402
from crawler.profiling import PROFILE_DIR_VARIABLE  # noqa: E402
from tests.crawl import crawl_command, query  # noqa: E402
from tests.processes import child_pids  # noqa: E402

SAMPLE_SECONDS = 0.1
RATIO_TARGET = 0.5
MEMORY_TARGET = 1.3
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"
PR_SET_CHILD_SUBREAPER = 36
TOP_COSTS = 10
CRAWL_PROFILES = ("crawl-main.prof", "write-*.prof")
"""The crawl process's profiles: its main (reactor) thread, its write thread."""
WORKER_PROFILES = ("read-*.prof",)
PROFILED_CRAWL = """
import cProfile, runpy, sys, time
output, sys.argv = sys.argv[1], sys.argv[1:]
profiler = cProfile.Profile(time.thread_time)
try:
    profiler.runcall(runpy.run_module, "scrapy", run_name="__main__", alter_sys=True)
finally:
    profiler.dump_stats(output)
"""
"""``python -c PROFILED_CRAWL OUTPUT -m scrapy ...``: ``python -m scrapy ...`` with its main thread profiled into OUTPUT."""


def local_site_settings(concurrency: int) -> tuple[str, ...]:
    """What both crawls run with: a local site, so no delay; the project's queue order for both."""
    return (
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=False",
        "ROBOTSTXT_OBEY=True",
        "LOG_LEVEL=INFO",
        f"CONCURRENT_REQUESTS={concurrency}",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "DEPTH_PRIORITY=1",
        "SCHEDULER_DISK_QUEUE=scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE=scrapy.squeues.FifoMemoryQueue",
        "COOKIES_ENABLED=False",
        "TELNETCONSOLE_ENABLED=False",
    )


class GeneratedSite:
    """N article pages made from dev-set pages, and the index pages listing them; every page is built on request."""

    def __init__(self, data: Path, pages: int) -> None:
        dev = Site(data, edit_every=1)
        self.templates: list[tuple[bytes, bytes]] = []
        for page_id in dev.ids:
            html = dev.raw[page_id]
            point = edit_point(html, dev.truth[page_id]["articleBody"])
            if point is not None:
                self.templates.append((html[:point], html[point:]))
        self.pages = pages
        self.index_pages = (pages + PAGE_SIZE - 1) // PAGE_SIZE

    def article(self, number: int) -> bytes:
        head, tail = self.templates[number % len(self.templates)]
        return head + f" Story {number} of the benchmark site, told here once and nowhere else.".encode() + tail

    def index(self, number: int) -> bytes:
        first = (number - 1) * PAGE_SIZE
        links = "".join(
            f'<article><h2><a href="/news/story-{n}/" rel="bookmark">Story {n}</a></h2></article>'
            for n in range(first, min(first + PAGE_SIZE, self.pages))
        )
        older = f'<link rel="next" href="/page/{number + 1}/">' if number < self.index_pages else ""
        return f"<html><head><title>News, page {number}</title>{older}</head><body><main>{links}</main></body></html>".encode()

    def page(self, path: str) -> tuple[bytes, str] | None:
        """The body and content type at ``path``, or None for a 404."""
        parts = [part for part in path.split("/") if part]
        if not parts:
            return self.index(1), "text/html"
        if parts == ["robots.txt"]:
            return ROBOTS_TXT, "text/plain"
        if len(parts) == 2 and parts[0] == "page" and parts[1].isdigit() and 1 <= int(parts[1]) <= self.index_pages:
            return self.index(int(parts[1])), "text/html"
        if len(parts) == 2 and parts[0] == "news" and parts[1].startswith("story-"):
            number = parts[1].removeprefix("story-")
            if number.isdigit() and int(number) < self.pages:
                return self.article(int(number)), "text/html"
        return None


def serve_site(data: Path, pages: int, ready: Connection, keep_alive: bool = True, delay: float = 0.0) -> None:
    """Serve a GeneratedSite on a free port of 127.0.0.1 until killed (see ``page_server``); sends the port, then the
    number of templates."""
    site = GeneratedSite(data, pages)
    server = page_server(site.page, keep_alive, delay)
    ready.send((server.server_address[1], len(site.templates)))
    server.serve_forever()


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process ``pid`` alone (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree(root: int) -> list[int]:
    """A process and all its descendants."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending += child_pids(pid)
    return found


@dataclass(frozen=True)
class Measured:
    wall_seconds: float
    cpu_seconds: float
    """Of the whole process tree."""
    own_cpu_seconds: float
    """Of the root process alone, as last sampled (at most a sample interval before its exit)."""
    peak_rss: int


def adopt_orphans() -> None:
    """Become the reaper of orphaned descendants (Linux), so that the CPU time of a crawl's worker processes,
    which may outlive the crawl process by a moment, is counted in this process's RUSAGE_CHILDREN."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"cannot become a child subreaper: errno {ctypes.get_errno()}")


def reap_descendants(pids: set[int]) -> None:
    """Wait for every process of ``pids`` that is gone or going (orphans reparented to this process included)."""
    while any(os.path.exists(f"/proc/{pid}") for pid in pids):
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.01)


def run_measured(command: list[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Run ``command`` to its end; its wall time, the CPU time of its process tree and the tree's peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    own_cpu = 0.0
    seen: set[int] = set()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, own_cpu
        while not done.wait(SAMPLE_SECONDS):
            pids = tree(process.pid)
            seen.update(pids)
            peak = max(peak, sum(_rss_bytes(pid) for pid in pids))
            own_cpu = max(own_cpu, _cpu_seconds(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{command[:6]}... exited with {process.returncode}:\n{errors[-3000:]}")
    reap_descendants(seen - {process.pid})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, own_cpu, peak)


@dataclass(frozen=True)
class Result:
    pages: int
    crawl_seconds: float
    measured: Measured

    @property
    def rate(self) -> float:
        return self.pages / self.crawl_seconds

    @property
    def process_rate(self) -> float:
        return self.pages / self.measured.wall_seconds

    def line(self, name: str) -> str:
        m = self.measured
        return (
            f"{name}: {self.pages} article pages in {self.crawl_seconds:.1f} s = {self.rate:.1f} pages/s "
            f"(process start to exit {m.wall_seconds:.1f} s = {self.process_rate:.1f} pages/s), "
            f"CPU {m.cpu_seconds:.1f} s, peak memory {m.peak_rss / 2**20:.0f} MiB"
        )

    def cpu_line(self) -> str:
        """CPU per page, of the crawl process and of the rest (its workers), and the rates they allow at most."""
        m = self.measured
        total, own = 1000 * m.cpu_seconds / self.pages, 1000 * m.own_cpu_seconds / self.pages
        cores = os.cpu_count() or 1
        if not (total and own):
            return "    CPU per article page: not measured (no page, or the crawl process ended before the first sample)"
        return (
            f"    CPU per article page {total:.1f} ms (crawl process {own:.1f} ms, workers {total - own:.1f} ms): "
            f"at most {1000 * cores / total:.0f} pages/s on {cores} cores, {1000 / own:.0f} pages/s with more cores "
            "(the crawl process is one Python interpreter)"
        )


def plain_crawl(url: str, directory: Path, settings: tuple[str, ...]) -> Result:
    """(a): plain Scrapy, run outside the project so that none of its settings or components apply."""
    report = directory / "plain.json"
    command = [
        sys.executable,
        "-m",
        "scrapy",
        "runspider",
        str(PROJECT_ROOT / "bench" / "plain_spider.py"),
        "-a",
        f"start_url={url}",
        "-a",
        f"report={report}",
    ]
    for setting in settings:
        command += ["-s", setting]
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    measured = run_measured(command, directory, env)
    data = json.loads(report.read_text())
    return Result(data["articles"], data["seconds"], measured)


def idle_cpu_time() -> tuple[int, int]:
    """The machine's idle CPU time so far and all its CPU time, in clock ticks (Linux's ``/proc/stat``; zeros elsewhere)."""
    try:
        with open("/proc/stat") as file:
            ticks = [int(field) for field in file.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return ticks[3] + ticks[4], sum(ticks)  # idle and waiting for I/O


def share_of(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the CPU time between two ``idle_cpu_time()`` readings that was idle."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def archive_bytes(database: Path) -> int:
    return sum(path.stat().st_size for path in database.parent.glob(database.name + "*"))


def news_crawl(url: str, directory: Path, settings: tuple[str, ...], profiles: Path | None = None) -> tuple[Result, str]:
    """(b): the project's crawl into a fresh SQLite archive; the result and a line on what it archived.

    With ``profiles``, a directory, the crawl runs under cProfile and leaves its profiles there.
    """
    database = directory / "archive.db"
    database_url = f"sqlite:///{database}"
    command = crawl_command(database_url, f"start_url={url}", "max_pages=0", settings=settings)
    env = dict(os.environ)
    if profiles is not None:
        command[1:3] = ["-c", PROFILED_CRAWL, str(profiles / "crawl-main.prof")]
        env[PROFILE_DIR_VARIABLE] = str(profiles)
    measured = run_measured(command, PROJECT_ROOT, env)
    [(started, finished, new, duplicates, not_articles, errors, fetched)] = query(
        database_url,
        "SELECT started_at, finished_at, articles_new, duplicates, not_articles, errors, pages_fetched FROM crawl_runs",
    )
    seconds = (datetime.fromisoformat(str(finished)) - datetime.fromisoformat(str(started))).total_seconds()
    articles = new + duplicates + not_articles
    archived = (
        f"    archived {new} new articles ({duplicates} duplicates, {not_articles} not articles, {errors} errors, "
        f"{fetched} pages fetched); archive {archive_bytes(database) / 2**20:.1f} MiB"
    )
    return Result(articles, seconds, measured), archived


def top_costs(directory: Path, patterns: tuple[str, ...], pages: int) -> list[str]:
    """The ``TOP_COSTS`` functions with the most time spent in themselves in the profiles ``patterns`` match, per page."""
    files = [str(path) for pattern in patterns for path in sorted(directory.glob(pattern))]
    if not files:
        return ["      (no profile written)"]
    costs = pstats.Stats(*files).stats  # type: ignore[attr-defined]
    largest = sorted(costs.items(), key=lambda cost: cost[1][2], reverse=True)[:TOP_COSTS]
    return [
        f"      {1000 * own / pages:6.2f} ms  {calls / pages:6.1f} calls  {name} ({Path(file).name}:{line})"
        for (file, line, name), (_, calls, own, _, _) in largest
    ]


def print_profile(url: str, directory: Path, settings: tuple[str, ...]) -> None:
    """(b) again under cProfile; the ten largest costs of the crawl process and of the workers."""
    run = directory / "profiled"
    profiles = run / "profiles"
    profiles.mkdir(parents=True)
    news, _ = news_crawl(url, run, settings, profiles)
    print(f"(b) under cProfile: {news.pages} article pages; own CPU time per archived page of the largest costs")
    for name, patterns in (("crawl process", CRAWL_PROFILES), ("workers", WORKER_PROFILES)):
        print(f"    {name}:")
        print("\n".join(top_costs(profiles, patterns, news.pages)))


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[1000], help="article pages of the site (several: one run each)")
    parser.add_argument("--workers", type=int, help="ARCHIVE_EXTRACT_WORKERS of (b) (default: the project's)")
    parser.add_argument("--concurrency", type=int, default=16, help="CONCURRENT_REQUESTS(_PER_DOMAIN) of both crawls")
    parser.add_argument("--no-keep-alive", action="store_true", help="serve over HTTP/1.0, a connection per request")
    parser.add_argument("--answer-delay", type=float, default=0.0, metavar="MS", help="answer each request this late")
    parser.add_argument("--news-only", action="store_true", help="run (b) only")
    parser.add_argument("--profile", action="store_true", help="then run (b) under cProfile and print its largest costs")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="another -s setting of (b)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    adopt_orphans()
    settings = local_site_settings(args.concurrency)
    news_settings = (*settings, *([f"ARCHIVE_EXTRACT_WORKERS={args.workers}"] if args.workers is not None else []), *args.set)
    print(f"{os.cpu_count()} cores; settings of both crawls: {' '.join(settings)}; (b) also: {' '.join(news_settings[len(settings) :])}")
    peaks: dict[int, int] = {}
    context = multiprocessing.get_context("spawn")
    for pages in args.pages:
        receiving, sending = context.Pipe(duplex=False)
        serving = (args.data, pages, sending, not args.no_keep_alive, args.answer_delay / 1000)
        server = context.Process(target=serve_site, args=serving, daemon=True)
        server.start()
        port, templates = receiving.recv()
        url = f"http://127.0.0.1:{port}/"
        print(
            f"\nsite of {pages} article pages (from {templates} dev pages) and {(pages + PAGE_SIZE - 1) // PAGE_SIZE} index pages at {url}, "
            f"over {'HTTP/1.0, a connection per request' if args.no_keep_alive else 'HTTP/1.1 with keep-alive'}"
            + (f", each answer {args.answer_delay:g} ms late" if args.answer_delay else "")
        )
        try:
            with tempfile.TemporaryDirectory() as name:
                directory = Path(name)
                plain = None if args.news_only else plain_crawl(url, directory, settings)
                if plain:
                    print(plain.line("(a) plain Scrapy"))
                idle_before = idle_cpu_time()
                news, archived = news_crawl(url, directory, news_settings)
                idle = share_of(idle_before, idle_cpu_time())
                print(news.line("(b) scrapy crawl news"))
                print(news.cpu_line())
                print(archived)
                print(f"    the machine's CPU time left idle while (b) ran: {100 * idle:.0f} %")
                peaks[pages] = news.measured.peak_rss
                if plain:
                    ratio = news.rate / plain.rate
                    print(
                        f"ratio (b)/(a): {ratio:.2f} over the crawl (target >= {RATIO_TARGET}: {verdict(ratio >= RATIO_TARGET)}), "
                        f"{news.process_rate / plain.process_rate:.2f} process start to exit"
                    )
                if args.profile:
                    print_profile(url, directory, news_settings)
        finally:
            server.kill()
            server.join()
    if len(peaks) > 1:
        smallest, largest = min(peaks), max(peaks)
        growth = peaks[largest] / peaks[smallest]
        print(
            f"\npeak memory of (b) at {largest} pages: {growth:.2f}x that at {smallest} pages "
            f"(target <= {MEMORY_TARGET}x: {verdict(growth <= MEMORY_TARGET)})"
        )


if __name__ == "__main__":
    main()
