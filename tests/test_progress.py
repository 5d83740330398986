"""Long commands show count, rate and time left on a terminal, and nothing extra when their output is not one."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.records import FetchedArticle, RawResponse
from archive.store import record_articles
from tests.crawl import PROJECT_ROOT

pytestmark = pytest.mark.xdist_group("progress-archive")  # its tests share module fixtures: one worker runs them all

ARTICLES = 30
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
BAR = re.compile(r"\| *(\d+)/(\d+) \[[0-9:]+<(?:[0-9:]+|\?), +(?:[0-9.]+|\?) ?(rows|checks|pages)/s\]")
"""tqdm's bar: count done of the total, elapsed time < time left, rate (left and rate are "?" until known)."""


def page(number: int) -> RawResponse:
    body = f"""<html><head><title>Story {number}</title><meta property="og:type" content="article"></head>
<body><article><h1>Story {number}</h1><p>Paragraph of story {number}, long enough to be an article body.</p></article></body></html>"""
    return RawResponse(f"https://news.example/story-{number}/", 200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})


@pytest.fixture(scope="module")
def archive_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('progress') / 'archive.db'}"
    archive = open_archive(url)
    stories = [
        FetchedArticle(
            url=f"https://news.example/story-{n}/",
            site="example",
            fetched_url=f"https://news.example/story-{n}/",
            fetched_at=START + timedelta(minutes=n),
            title=f"Story {n}",
            body_text=f"Paragraph of story {n}.",
            extractor="old-extractor",
            raw=page(n),
        )
        for n in range(ARTICLES)
    ]
    list(record_articles(archive.sessions, stories))
    archive.close()
    return url


def archive_command(url: str, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "--db", url, *arguments]


def on_a_terminal(command: list[str]) -> tuple[int, str, str]:
    """Run ``command`` with its standard error on a terminal; its exit status, standard output and what the terminal showed."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new terminal has no size: give it one
    chunks = []
    try:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=secondary, text=True)
        # The terminal stays open on this side until everything is read: a terminal whose every end is closed loses what it held.
        while process.poll() is None or select.select([primary], [], [], 0)[0]:
            if select.select([primary], [], [], 0.1)[0]:
                chunks.append(os.read(primary, 65536))
        output = process.stdout.read() if process.stdout else ""
    finally:
        os.close(primary)
        os.close(secondary)
    shown = b"".join(chunks)
    return process.returncode, output, shown.decode(errors="replace")


@pytest.mark.parametrize(
    ("arguments", "unit", "total"),
    [
        (("check",), "checks", None),
        (("export", "-o", "{dir}/articles.jsonl"), "rows", ARTICLES),
        (("export", "--format", "warc", "-o", "{dir}/pages.warc.gz"), "pages", ARTICLES),
        (("copy", "{db}", "sqlite:///{dir}/copy.db"), "rows", None),
        (("reextract",), "pages", ARTICLES),
    ],
    ids=["check", "export", "warc", "copy", "reextract"],
)
def test_a_long_command_shows_its_progress_on_a_terminal(
    archive_url: str, tmp_path: Path, arguments: tuple[str, ...], unit: str, total: int | None
) -> None:
    command = archive_command(archive_url, *(a.format(dir=tmp_path, db=archive_url) for a in arguments))
    status, output, shown = on_a_terminal(command)
    assert status == 0, (output, shown)
    bars = BAR.findall(shown)
    assert bars, f"no progress bar in {shown!r}"
    assert {unit for *_, unit in bars} == {unit}
    if total is not None:
        assert {int(of) for _, of, _ in bars} == {total}
    assert shown.endswith(" \r"), "the bar is cleared at the end, leaving the command's own output last"


@pytest.mark.parametrize("arguments", [("check",), ("export", "-o", "{dir}/articles.jsonl"), ("reextract",)], ids=["check", "export", "reextract"])
def test_without_a_terminal_a_long_command_prints_nothing_extra(archive_url: str, tmp_path: Path, arguments: tuple[str, ...]) -> None:
    command = archive_command(archive_url, *(a.format(dir=tmp_path) for a in arguments))
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "%|" not in result.stdout
