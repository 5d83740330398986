"""Run real ``scrapy crawl news`` processes from the project root and read their archive with SQL."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LOCAL_SITE_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO")


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


def run_crawl(database_url: str, *arguments: str, settings: tuple[str, ...] = ()) -> CrawlResult:
    """Run a crawl (see ``crawl_command``) to its end."""
    command = crawl_command(database_url, *arguments, settings=settings)
    process = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    return CrawlResult(process.returncode, process.stdout + process.stderr)


def start_crawl(database_url: str, *arguments: str, settings: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """Start a crawl (see ``crawl_command``) in the background."""
    command = crawl_command(database_url, *arguments, settings=settings)
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def query(database_url: str, sql: str, **parameters: Any) -> list[tuple[Any, ...]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), parameters)]
    finally:
        engine.dispose()
