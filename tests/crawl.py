"""Run real ``scrapy crawl news`` processes from the project root and read their archive with SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCAL_SITE_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO")
"""A local site needs no politeness."""


@dataclass(frozen=True)
class CrawlResult:
    returncode: int
    output: str


def crawl_command(database_url: str, *arguments: str, settings: tuple[str, ...] = ()) -> list[str]:
    """``scrapy crawl news`` with ``-a`` arguments (``name=value``) and ``-s`` settings against a local site."""
    command = [sys.executable, "-m", "scrapy", "crawl", "news"]
    for argument in arguments:
        command += ["-a", argument]
    for setting in (*LOCAL_SITE_SETTINGS, f"ARCHIVE_DATABASE_URL={database_url}", *settings):
        command += ["-s", setting]
    return command


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
    process = start_crawl(database_url, *arguments, settings=settings, env=env)
    output, _ = process.communicate(timeout=300)
    return CrawlResult(process.returncode, output)


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
