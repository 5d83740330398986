"""Run real ``scrapy crawl news`` processes from the project root and read their archive with SQL.

``run_crawl`` runs the command line through Scrapy's own entry point
(``scrapy.cmdline.execute``) in a process of its own, forked from the test
process with Scrapy and the project already imported: the crawl is the one a
user starts, without the two seconds of CPU that importing them anew costs.
A crawl given environment variables or worker processes, a crawl while this
process has a Twisted reactor installed, and ``start_crawl`` (a crawl a test
interrupts) run in a new interpreter, as does every test of start-up itself
(arguments, cron, the environment).
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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import scrapy.cmdline
from scrapy.settings import Settings
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.misc import load_object
from sqlalchemy import create_engine, text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCAL_SITE_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO")
"""A local site needs no politeness."""


@dataclass(frozen=True)
class CrawlResult:
    returncode: int
    output: str


def _crawl_arguments(database_url: str, arguments: tuple[str, ...], settings: tuple[str, ...]) -> list[str]:
    """What follows ``scrapy`` on the command line: ``crawl news``, the ``-a`` arguments and the ``-s`` settings."""
    command = ["crawl", "news"]
    for argument in arguments:
        command += ["-a", argument]
    for setting in (*LOCAL_SITE_SETTINGS, f"ARCHIVE_DATABASE_URL={database_url}", *settings):
        command += ["-s", setting]
    return command


def crawl_command(database_url: str, *arguments: str, settings: tuple[str, ...] = ()) -> list[str]:
    """``scrapy crawl news`` with ``-a`` arguments (``name=value``) and ``-s`` settings against a local site."""
    return [sys.executable, "-m", "scrapy", *_crawl_arguments(database_url, arguments, settings)]


def start_crawl(database_url: str, *arguments: str, settings: tuple[str, ...] = (), env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """The crawl of ``run_crawl``, started in the background; its output is read from ``stdout``."""
    return subprocess.Popen(
        crawl_command(database_url, *arguments, settings=settings),
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def run_crawl(database_url: str, *arguments: str, settings: tuple[str, ...] = (), env: Mapping[str, str] | None = None) -> CrawlResult:
    """``scrapy crawl news`` with ``-a`` arguments (``name=value``) against a local site; ``env`` adds variables."""
    if env or _with_workers(settings) or "twisted.internet.reactor" in sys.modules:
        process = start_crawl(database_url, *arguments, settings=settings, env=env)
        output, _ = process.communicate(timeout=CRAWL_TIMEOUT_SECONDS)
        return CrawlResult(process.returncode, output)
    return _forked_run(["scrapy", *_crawl_arguments(database_url, arguments, settings)])


CRAWL_TIMEOUT_SECONDS = 300
COMPONENT_SETTINGS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES")
CLASS_SETTINGS = ("SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE", "SCHEDULER_DISK_QUEUE", "DUPEFILTER_CLASS", "STATS_CLASS")
INTERPRETER_WARNING_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
)
"""The warning filters of a new interpreter, in place of those the test runner set."""


@cache
def _project_settings() -> Settings:
    """The project's settings as a crawl from this process reads them (the environment included)."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def _with_workers(settings: tuple[str, ...]) -> bool:
    """The crawl starts worker processes: the multiprocessing state of this process is no child's to share."""
    crawl_settings = _project_settings().copy()
    crawl_settings.setdict(arglist_to_dict(list(settings)), priority="cmdline")
    return crawl_settings.getint("ARCHIVE_EXTRACT_WORKERS") != 0


@cache
def _import_crawl_components() -> None:
    """Import, once in the test process, what every crawl loads: the crawl command and the components in the settings."""
    settings = _project_settings()
    load_object(settings["COMMANDS_MODULE"] + ".crawl.Command")
    for name in COMPONENT_SETTINGS:
        for path in settings.getwithbase(name):
            load_object(path)
    for name in CLASS_SETTINGS:
        load_object(settings[name])
    load_object(settings.getwithbase("DOWNLOAD_HANDLERS")["http"])


def _forked_run(argv: list[str]) -> CrawlResult:
    """``argv`` run by Scrapy's entry point in a child process, its output (stdout and stderr) and exit status."""
    _import_crawl_components()
    output_read, output_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child never returns: it leaves by os._exit, running none of the test process's clean-ups
        os.close(output_read)
        os._exit(_execute(argv, output_write))
    os.close(output_write)
    killer = threading.Timer(CRAWL_TIMEOUT_SECONDS, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        with os.fdopen(output_read, encoding="utf-8", errors="replace") as output:
            printed = output.read()
        _, status = os.waitpid(pid, 0)
    finally:
        killer.cancel()
    return CrawlResult(os.waitstatus_to_exitcode(status), printed)


def _execute(argv: list[str], output: int) -> int:
    """In the child: stdin, stdout and stderr as a new ``scrapy`` process has them, then the command; its exit status."""
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True)
        logging.root.handlers.clear()
        warnings.resetwarnings()
        for action, category, module in reversed(INTERPRETER_WARNING_FILTERS):
            warnings.filterwarnings(action, category=category, module=module)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        asyncio.set_event_loop_policy(None)  # no event loop of the test process: the crawl makes its own
        os.chdir(PROJECT_ROOT)
        try:
            scrapy.cmdline.execute(argv)
            status = 0
        except SystemExit as stop:
            status = _exit_status(stop.code)
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    return status


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` gives a process; a message is printed, as the interpreter prints it."""
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)
    return 1


def write_profile(directory: Path, site_url: str, name: str = "tuxdaily", **extra: str) -> Path:
    """A user profile ``name`` of the site at ``site_url`` (the fixture site's selectors), with ``extra`` TOML keys."""
    lines = [f'name = "{name}"', f'start_urls = ["{site_url}"]', *(f"{key} = {value}" for key, value in extra.items())]
    lines += [
        "[selectors]",
        'article_links = "article h2.entry-title a"',
        'body = "article .entry-content"',
        'remove = [".code-block"]',
    ]
    path = directory / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def query(database_url: str, sql: str, **parameters: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), parameters)]
    finally:
        engine.dispose()
