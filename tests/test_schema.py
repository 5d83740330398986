"""Schema revisions: archives of the released version and of older revisions upgrade with every row intact."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from archive.cli import main
from archive.db import ArchiveError, create_archive_engine, open_archive
from archive.models import Base
from archive.schema import (
    HEAD_REVISION,
    RELEASED_REVISION,
    alembic_config,
    check_schema,
    head_revision,
    include_in_comparison,
)
from tests.crawl import PROJECT_ROOT, query
from tests.forks import Forked

TABLES = ("articles", "snapshots", "url_aliases", "crawl_runs")
RELEASED_ROWS = [
    (
        "INSERT INTO articles (id, url, site, first_seen_at, last_seen_at) VALUES "
        "(1, 'https://news.example/a/', 'example', '2026-11-23 09:00:00.000000', '2026-11-24 09:00:00.000000'), "
        "(2, 'https://news.example/b/', 'example', '2026-11-23 10:00:00.000000', '2026-11-23 10:00:00.000000')"
    ),
    (
        "INSERT INTO snapshots (id, article_id, version, fetched_at, fetched_url, content_hash, body_hash, title, "
        "body_text, authors, published_at, modified_at, description, language, tags, canonical_url, extractor) VALUES "
        "(1, 1, 1, '2026-11-23 09:00:00.000000', 'https://news.example/a/', 'c1', 'b1', 'Kernel 6.12 released', "
        "'Linux 6.12 brings real-time scheduling.', '[\"Ada\"]', '2026-11-22 18:00:00.000000', NULL, 'd', 'en', "
        "'[\"Linux\"]', 'https://news.example/a/', 'x/trafilatura'), "
        "(2, 1, 2, '2026-11-24 09:00:00.123456', 'https://news.example/a/', 'c2', 'b2', 'Kernel 6.12 released', "
        "'Linux 6.12 brings real-time scheduling and Rust drivers.', '[\"Ada\"]', NULL, NULL, NULL, NULL, '[]', NULL, "
        "'x/profile'), "
        "(3, 2, 1, '2026-11-23 10:00:00.000000', 'https://news.example/b/', 'c3', 'b3', 'GNOME 48', "
        "'GNOME 48 arrives with triple buffering.', '[]', NULL, NULL, NULL, NULL, '[]', NULL, 'x/profile')"
    ),
    (
        "INSERT INTO url_aliases (url, article_id, reason, first_seen_at) VALUES "
        "('https://news.example/a/amp/', 1, 'fetched', '2026-11-23 09:00:00.000000')"
    ),
    (
        "INSERT INTO crawl_runs (id, started_at, finished_at, finish_reason, mode, sites, pages_fetched, articles_new, "
        "articles_changed, articles_unchanged, duplicates, not_articles, errors) VALUES "
        "(1, '2026-11-23 09:00:00.000000', '2026-11-23 09:05:00.000000', 'finished', 'site', 'example', 4, 2, 0, 0, 1, 0, 0)"
    ),
]


def build_released_archive(url: str, keep_revision_table: bool) -> None:
    """Revision 0001 filled with rows; without its alembic_version table it is what the released version made."""
    engine = create_archive_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), RELEASED_REVISION)
        for statement in RELEASED_ROWS:
            connection.execute(text(statement))
        if not keep_revision_table:
            connection.execute(text("DROP TABLE alembic_version"))
    engine.dispose()


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the released tables, in the released columns, through the models' types."""
    archive = open_archive(url, upgrade=False)
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with archive.engine.connect() as connection:
        for name in TABLES:
            table = Base.metadata.tables[name]
            columns = [table.c[c] for c in released_columns(name)]
            rows[name] = [tuple(r) for r in connection.execute(table.select().with_only_columns(*columns).order_by(*table.primary_key))]
    archive.close()
    return rows


def released_columns(table: str) -> list[str]:
    statement = next(s for s in RELEASED_ROWS if s.startswith(f"INSERT INTO {table} "))
    return [c.strip() for c in statement.split("(", 1)[1].split(")", 1)[0].split(",")]


def revision_of(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


@pytest.mark.parametrize("keep_revision_table", [True, False], ids=["revision-0001", "released-version"])
def test_upgrade_to_head_keeps_every_row(empty_database_url: str, keep_revision_table: bool) -> None:
    build_released_archive(empty_database_url, keep_revision_table)
    assert revision_of(empty_database_url) == (RELEASED_REVISION if keep_revision_table else None)

    open_archive(empty_database_url).close()  # what the crawler does on start

    assert revision_of(empty_database_url) == head_revision() != RELEASED_REVISION
    rows = table_rows(empty_database_url)
    assert [len(rows[t]) for t in TABLES] == [2, 3, 1, 1]
    article = rows["articles"][0]
    assert article[:3] == (1, "https://news.example/a/", "example")
    assert article[3].isoformat() == "2026-11-23T09:00:00+00:00" and article[4].isoformat() == "2026-11-24T09:00:00+00:00"
    second = rows["snapshots"][1]
    assert second[:3] == (2, 1, 2) and second[3].isoformat() == "2026-11-24T09:00:00.123456+00:00"
    assert second[8] == "Linux 6.12 brings real-time scheduling and Rust drivers."
    assert rows["snapshots"][0][9] == ["Ada"] and rows["snapshots"][0][14] == ["Linux"]
    assert rows["url_aliases"] == [("https://news.example/a/amp/", 1, "fetched", article[3])]
    assert rows["crawl_runs"][0][4:] == ("site", "example", 4, 2, 0, 0, 1, 0, 0)
    latest = query(empty_database_url, "SELECT article_id, version, body_text FROM latest_snapshots ORDER BY article_id")
    assert [r[:2] for r in latest] == [(1, 2), (2, 1)]
    assert query(empty_database_url, "SELECT id FROM snapshots WHERE is_latest ORDER BY id") == [(2,), (3,)]  # marked on upgrade


def test_models_and_head_revision_agree(empty_database_url: str) -> None:
    open_archive(empty_database_url).close()
    engine = create_engine(empty_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_in_comparison})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_the_newest_revision_named_in_code_is_the_newest_shipped() -> None:
    assert HEAD_REVISION == head_revision()


def test_an_archive_at_the_newest_revision_opens_without_loading_alembic(database_url: str) -> None:
    open_archive(database_url).close()
    opened = subprocess.run(
        [sys.executable, "-c", f"import sys; from archive.db import open_archive; open_archive({database_url!r}); print('alembic' in sys.modules)"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert opened.stdout == "False\n", opened.stderr


def test_read_commands_refuse_an_old_archive_and_name_the_command(empty_database_url: str) -> None:
    build_released_archive(empty_database_url, keep_revision_table=False)
    with pytest.raises(ArchiveError, match=r"schema revision 0001, this version needs .*run `archive --db URL migrate`"):
        open_archive(empty_database_url, upgrade=False)
    result = CliRunner().invoke(main, ["--db", empty_database_url, "stats"])
    assert result.exit_code != 0 and "archive --db URL migrate" in result.output
    assert revision_of(empty_database_url) is None  # reading changed nothing

    migrated = CliRunner().invoke(main, ["--db", empty_database_url, "migrate"])
    assert migrated.exit_code == 0, migrated.output
    assert migrated.output == f"archive at schema revision {head_revision()}\n"
    stats = CliRunner().invoke(main, ["--db", empty_database_url, "stats"])
    assert stats.exit_code == 0 and stats.output.splitlines()[1].split()[:3] == ["example", "2", "3"]


def test_an_archive_from_a_newer_version_is_refused_untouched(empty_database_url: str) -> None:
    open_archive(empty_database_url).close()
    engine = create_engine(empty_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    for upgrade in (True, False):
        with pytest.raises(ArchiveError, match="schema revision 9999_from_the_future, newer than this version"):
            open_archive(empty_database_url, upgrade=upgrade)
    assert revision_of(empty_database_url) == "9999_from_the_future"


SIMULTANEOUS_OPENS = 10


def _open_when_told(database_url: str, go: tuple[int, int]) -> int:
    """A process that opens the archive (as every crawl does first) once the pipe ``go`` closes, so that all of them open it at once."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    go_read, go_write = go
    os.close(go_write)
    os.read(go_read, 1)
    open_archive(database_url).close()
    return 0


def test_simultaneous_first_opens_all_succeed_and_create_the_schema_once(empty_database_url: str) -> None:
    go = os.pipe()
    openers = [Forked(partial(_open_when_told, empty_database_url, go)) for _ in range(SIMULTANEOUS_OPENS)]
    for end in go:
        os.close(end)  # the last writer gone: every opener's read returns at once
    outputs = [opener.communicate(timeout=120)[0] for opener in openers]
    assert [opener.returncode for opener in openers] == [0] * SIMULTANEOUS_OPENS, "\n".join(outputs)
    creators = [output for output in outputs if "Running upgrade  -> 0001" in output]
    assert len(creators) == 1, "one process created the schema, the others found it made"
    assert query(empty_database_url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    check_schema(create_archive_engine(empty_database_url))


def test_a_first_open_waits_for_another_process_switching_the_new_file_to_wal(empty_sqlite_url: str, tmp_path: Path) -> None:
    """The moment two first opens collide at: one holds the new file's write lock (rollback mode) to switch it to WAL.

    SQLite answers the other's switch "database is locked" at once, without its busy timeout: the open must wait instead.
    """
    switching = sqlite3.connect(tmp_path / "archive.db", isolation_level=None, check_same_thread=False)
    switching.execute("BEGIN IMMEDIATE")
    switching.execute("CREATE TABLE being_switched (x)")
    threading.Timer(1.0, switching.execute, ("COMMIT",)).start()
    started = time.monotonic()
    open_archive(empty_sqlite_url).close()
    assert time.monotonic() - started >= 0.9, "the open waited for the lock"
    assert query(empty_sqlite_url, "PRAGMA journal_mode") == [("wal",)]
    switching.close()
