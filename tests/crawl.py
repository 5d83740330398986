"""Run real ``scrapy crawl news`` processes from the project root and read their archive with SQL.

``start_crawl`` runs the command line through Scrapy's own entry point
(``scrapy.cmdline.execute``) in a process of its own, forked from the test
process with Scrapy and the project already imported: the crawl is the one a
user starts, without the two seconds of CPU that importing them anew costs;
``run_crawl`` waits for it. A crawl given project settings by environment
variables (read when the settings module is imported) or worker processes,
and a crawl while this process has a Twisted reactor installed, run in a new
interpreter, as does every test of start-up itself (arguments, cron, the
environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, partial
from importlib import import_module
from pathlib import Path
from typing import Any

import scrapy.cmdline
from scrapy.settings import Settings
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.misc import load_object
from sqlalchemy import create_engine, text

from tests.forks import Forked

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


def start_crawl(
    database_url: str, *arguments: str, settings: tuple[str, ...] = (), env: Mapping[str, str] | None = None
) -> Forked | subprocess.Popen[str]:
    """The crawl of ``run_crawl``, started in the background: ``communicate`` waits for its output, ``send_signal`` interrupts it."""
    variables = dict(env or {})
    if any(name.startswith(SETTINGS_VARIABLE_PREFIXES) for name in variables) or _with_workers(settings) or "twisted.internet.reactor" in sys.modules:
        return subprocess.Popen(
            crawl_command(database_url, *arguments, settings=settings),
            cwd=PROJECT_ROOT,
            env={**os.environ, **variables},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    _import_crawl_components()
    return Forked(partial(_scrapy, ["scrapy", *_crawl_arguments(database_url, arguments, settings)]), variables)


def run_crawl(database_url: str, *arguments: str, settings: tuple[str, ...] = (), env: Mapping[str, str] | None = None) -> CrawlResult:
    """``scrapy crawl news`` with ``-a`` arguments (``name=value``) against a local site; ``env`` adds variables."""
    crawl = start_crawl(database_url, *arguments, settings=settings, env=env)
    try:
        output, _ = crawl.communicate(timeout=CRAWL_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        crawl.kill()
        raise
    assert crawl.returncode is not None
    return CrawlResult(crawl.returncode, output)


CRAWL_TIMEOUT_SECONDS = 300
SETTINGS_VARIABLE_PREFIXES = ("ARCHIVE_", "SCRAPY_")
"""Environment variables that ``crawler.settings`` (imported once, here) or Scrapy's project set-up read: a new interpreter's to read."""
COMPONENT_SETTINGS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES")
CLASS_SETTINGS = ("SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE", "SCHEDULER_DISK_QUEUE", "DUPEFILTER_CLASS", "STATS_CLASS")


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
    """Import, once in the test process, what every crawl loads: the crawl command, the components in the settings
    and the extractor that reads its pages in process."""
    settings = _project_settings()
    load_object(settings["COMMANDS_MODULE"] + ".crawl.Command")
    for name in COMPONENT_SETTINGS:
        for path in settings.getwithbase(name):
            load_object(path)
    for name in CLASS_SETTINGS:
        load_object(settings[name])
    load_object(settings.getwithbase("DOWNLOAD_HANDLERS")["http"])
    import_module("crawler.extraction.reading")


def _scrapy(argv: list[str]) -> int:
    """In a forked child: ``argv`` run by Scrapy's entry point from the project root; its exit status."""
    os.chdir(PROJECT_ROOT)
    try:
        scrapy.cmdline.execute(argv)
    except SystemExit as stop:
        return _exit_status(stop.code)
    return 0


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
