"""``archive copy``: SQLite to PostgreSQL and back, every row and timestamp intact, ids and sequences right."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from archive.cli import main
from archive.db import open_archive
from archive.models import Base
from archive.store import record_article
from tests.crawl import PROJECT_ROOT, query, run_crawl
from tests.fixture_site import FixtureSite
from tests.test_views import MONDAY, story

TABLES = ("articles", "snapshots", "url_aliases", "crawl_runs", "responses", "raw_pages")


def contents(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row through the models' types (UTC datetimes, JSON, bytes), as the archive reads them."""
    archive = open_archive(url, upgrade=False)
    with archive.engine.connect() as connection:
        rows = {
            table.name: [tuple(r) for r in connection.execute(table.select().order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }
    archive.close()
    return rows


@pytest.mark.postgres
def test_copy_sqlite_to_postgresql_and_back(fixture_site: FixtureSite, sqlite_url: str, postgres_url: str, tmp_path: Path) -> None:
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}").returncode == 0
    fixture_site.set_version(2)
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "recheck=all").returncode == 0
    original = contents(sqlite_url)
    assert all(original[t] for t in TABLES)

    open_archive(postgres_url).close()
    indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"
    created = query(postgres_url, indexes)
    result = CliRunner().invoke(main, ["copy", sqlite_url, postgres_url])
    assert result.exit_code == 0, result.output
    assert f"snapshots    {len(original['snapshots']):>9} rows copied and checked" in result.output.splitlines()
    assert contents(postgres_url) == original
    assert query(postgres_url, indexes) == created  # the full-text indexes, dropped while filling, are back as made

    # Ids go on after the copied ones, and full-text search works on the copy.
    next_crawl = run_crawl(postgres_url, f"start_url={fixture_site.url}")
    assert next_crawl.returncode == 0, next_crawl.output
    [(run_id,)] = query(postgres_url, "SELECT MAX(id) FROM crawl_runs")
    assert run_id == len(original["crawl_runs"]) + 1
    searched = CliRunner().invoke(main, ["--db", postgres_url, "search", "linux"])
    assert searched.exit_code == 0 and searched.output

    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert CliRunner().invoke(main, ["copy", postgres_url, back]).exit_code == 0
    assert contents(back) == contents(postgres_url)
    found_back = CliRunner().invoke(main, ["--db", back, "search", "linux"]).output
    assert {line.split()[2] for line in found_back.splitlines() if not line.startswith(" ")} == {
        line.split()[2] for line in searched.output.splitlines() if not line.startswith(" ")
    }


def test_copy_refuses_a_destination_that_is_not_empty(database_url: str, tmp_path: Path) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    record_article(open_archive(source).sessions, story("https://a.example/one/", "Text.", MONDAY))
    record_article(open_archive(database_url).sessions, story("https://a.example/two/", "Other.", MONDAY))
    result = CliRunner().invoke(main, ["copy", source, database_url])
    assert result.exit_code != 0 and "the destination archive is not empty (articles has rows)" in result.output
    assert query(database_url, "SELECT url FROM articles") == [("https://a.example/two/",)]


def test_a_copy_from_an_archive_with_a_value_that_cannot_be_read_is_one_error_line_and_copies_nothing(database_url: str, tmp_path: Path) -> None:
    source_path = tmp_path / "source.db"
    source = f"sqlite:///{source_path}"
    sessions = open_archive(source).sessions
    for number in range(3):
        record_article(sessions, story(f"https://a.example/{number}/", f"Text {number}.", MONDAY))
    with closing(sqlite3.connect(source_path)) as connection, connection:
        connection.execute("UPDATE snapshots SET authors = 'Ada Lovelace' WHERE id = 2")  # not JSON
    result = CliRunner().invoke(main, ["copy", source, database_url])
    assert result.exit_code == 1 and not isinstance(result.exception, ValueError), result.output
    assert result.output == (
        f"Error: archive {source}: the authors of snapshots id=2 cannot be read (Expecting value: line 1 column 1 (char 0)); "
        "correct it with SQL, then run the copy again (nothing was copied)\n"
    )
    assert query(database_url, "SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM snapshots)") == [(0,)]


MANY_ARTICLES = 200_000
"""Rows enough for the COPY's data to fill the socket's buffers while the server waits: the copy is stopped while it writes."""


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("ending", "reason", "advice"),
    [
        pytest.param(
            "pg_terminate_backend",
            "(terminating connection due to administrator command|.* server closed the connection unexpectedly)",  # as the driver sees it
            "the connection to the database server was lost: check that the server runs, then run the command again",
            id="connection lost",
        ),
        pytest.param(
            "pg_cancel_backend",
            "canceling statement due to user request",
            "another process (a crawl, a copy?) held a lock on it too long: run the command again once that is done",
            id="statement cancelled",
        ),
    ],
)
def test_a_copy_into_postgresql_stopped_by_the_server_is_one_error_line(
    postgres_url: str, tmp_path: Path, ending: str, reason: str, advice: str
) -> None:
    """The COPY of ``articles`` waits on a row that another transaction holds (the same id, not committed); meanwhile the server ends it."""
    source_path = tmp_path / "source.db"
    open_archive(f"sqlite:///{source_path}").close()
    with closing(sqlite3.connect(source_path)) as connection, connection:
        connection.execute(
            "WITH RECURSIVE n(id) AS (SELECT 1 UNION ALL SELECT id + 1 FROM n WHERE id < ?) "
            "INSERT INTO articles (id, url, site, first_seen_at, last_seen_at, gone_checks) "
            "SELECT id, 'https://a.example/' || id || '/', 'a.example', '2026-11-23 09:00:00.000000', '2026-11-23 09:00:00.000000', 0 FROM n",
            (MANY_ARTICLES,),
        )
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as holder, server.connect() as admin:
            holder.execute(text("BEGIN"))
            holder.execute(text("INSERT INTO articles (id, url, site, first_seen_at, last_seen_at, gone_checks) VALUES (1, '', '', now(), now(), 0)"))
            command = [sys.executable, "-m", "crawler.cli", "copy", f"sqlite:///{source_path}", postgres_url]
            copy = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            waiting = text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'COPY articles %'"
            )
            deadline = time.monotonic() + 30
            while (pid := admin.scalar(waiting)) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # the client writes on until the socket's buffers are full
            admin.execute(text(f"SELECT {ending}(:pid)"), {"pid": pid})
            _, errors = copy.communicate(timeout=60)
            holder.execute(text("ROLLBACK"))
    finally:
        server.dispose()
    assert copy.returncode == 1
    shown = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    assert len(errors.splitlines()) == 1, errors
    line = errors.strip()
    assert re.fullmatch(f"Error: archive database {re.escape(shown)} failed: {reason}; {re.escape(advice)}", line), line
    assert query(postgres_url, "SELECT COUNT(*) FROM articles") == [(0,)]
