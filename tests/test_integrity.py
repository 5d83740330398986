"""``archive check`` on real archives (SQLite file and PostgreSQL): clean ones pass, each kind of damage is listed."""

from __future__ import annotations

import sqlite3
import zlib
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from archive.cli import main
from archive.db import open_archive
from archive.integrity import CHECKS, check_archive
from archive.models import CrawlRun, CrawlRunError
from archive.records import FetchedArticle, RawResponse
from archive.store import record_article
from tests.crawl import query

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
BODY = "A body long enough to be an article of its own, about the archive's integrity checks. " * 8


def _archive(database_url: str) -> None:
    """Three articles, one with two versions and an alias, and a finished crawl run with an error count."""
    archive = open_archive(database_url)
    sessions = archive.sessions
    for number in range(3):
        url = f"https://news.example/story-{number}/"
        record_article(
            sessions,
            FetchedArticle(
                url=url,
                site="example",
                fetched_url=url,
                fetched_at=MONDAY,
                title=f"Story {number}",
                body_text=f"{number} {BODY}",
                extractor="test",
                aliases=[f"{url}amp/"] if number == 0 else [],
            ),
        )
    url = "https://news.example/story-0/"
    record_article(
        sessions,
        FetchedArticle(
            url=url,
            site="example",
            fetched_url=url,
            fetched_at=MONDAY + timedelta(days=1),
            title="Story 0, edited",
            body_text=f"0 {BODY} Edited.",
            extractor="test",
        ),
    )
    with sessions.begin() as session:
        run = CrawlRun(started_at=MONDAY, finished_at=MONDAY, mode="site", sites="example", errors=1)
        session.add(run)
        session.flush()
        session.add(CrawlRunError(run_id=run.id, reason="timeout", pages=1))
    archive.close()


def _check(database_url: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--db", database_url, "check"])
    return result.exit_code, result.output.splitlines()


def test_a_sound_archive_checks_clean(database_url: str) -> None:
    _archive(database_url)
    code, lines = _check(database_url)
    assert (code, lines) == (0, ["ok: 3 articles, 4 snapshots, 1 aliases, 1 crawl runs (0 unfinished: running or killed)"])


def test_every_problem_is_listed_and_the_check_fails(database_url: str) -> None:
    _archive(database_url)
    ids = dict(query(database_url, "SELECT url, id FROM articles"))
    first, second, third = (ids[f"https://news.example/story-{n}/"] for n in range(3))
    # Damage that a crash cannot leave, but another tool writing without foreign keys can.
    engine = create_engine(database_url)  # on SQLite, foreign keys are off unless asked for
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        statements = [
            # A snapshot and an alias of an article that does not exist; an error count of no run.
            ("UPDATE url_aliases SET article_id = 999", {}),
            ("INSERT INTO crawl_run_errors (run_id, reason, pages) VALUES (77, 'http-500', 2)", {}),
            (
                "INSERT INTO snapshots (article_id, version, fetched_at, fetched_url, content_hash, body_hash, title, body_text, "
                "authors, tags, extractor) SELECT 999, 1, fetched_at, fetched_url, content_hash, body_hash, title, body_text, "
                "authors, tags, extractor FROM snapshots WHERE article_id = :third",
                {"third": third},
            ),
            # Text changed behind the hashes' back; a body emptied.
            ("UPDATE snapshots SET body_text = body_text || ' Tampered.' WHERE article_id = :first AND version = 1", {"first": first}),
            ("UPDATE snapshots SET body_text = '' WHERE article_id = :second", {"second": second}),
            # Version 2 of the first article renumbered 3: a gap.
            ("UPDATE snapshots SET version = 3 WHERE article_id = :first AND version = 2", {"first": first}),
            # The latest-version marker moved back to version 1.
            ("UPDATE snapshots SET is_latest = FALSE WHERE article_id = :first", {"first": first}),
            ("UPDATE snapshots SET is_latest = TRUE WHERE article_id = :first AND version = 1", {"first": first}),
            # An article without any snapshot.
            (
                "INSERT INTO articles (url, site, first_seen_at, last_seen_at) SELECT 'https://news.example/empty/', site, "
                "first_seen_at, last_seen_at FROM articles WHERE id = :third",
                {"third": third},
            ),
            # An article seen last before it was first seen.
            (
                "UPDATE articles SET last_seen_at = first_seen_at - INTERVAL '1 day' WHERE id = :third"
                if engine.dialect.name == "postgresql"
                else "UPDATE articles SET last_seen_at = datetime(first_seen_at, '-1 day') WHERE id = :third",
                {"third": third},
            ),
            # An alias that is also an article's URL.
            (
                "INSERT INTO url_aliases (url, article_id, reason, first_seen_at) SELECT url, :first, 'fetched', first_seen_at "
                "FROM articles WHERE id = :third",
                {"first": first, "third": third},
            ),
        ]
        for sql, parameters in statements:
            connection.execute(text(sql), parameters)
    engine.dispose()
    [(empty,)] = query(database_url, "SELECT id FROM articles WHERE url = 'https://news.example/empty/'")
    code, lines = _check(database_url)
    assert code == 1
    problems = lines[:-1]
    assert problems == [
        "foreign-keys: snapshot 5 belongs to article 999, which does not exist",
        "foreign-keys: alias https://news.example/story-0/amp/ belongs to article 999, which does not exist",
        "foreign-keys: error count http-500 belongs to crawl run 77, which does not exist",
        f"content: article {empty} (https://news.example/empty/) has no snapshot",
        f"content: snapshot 2 of article {second} has an empty body",
        "hashes: snapshot 1: content_hash does not match its title and body",
        "hashes: snapshot 1: body_hash does not match its body",
        "hashes: snapshot 2: content_hash does not match its title and body",
        "hashes: snapshot 2: body_hash does not match its body",
        f"aliases: alias https://news.example/story-2/ of article {first} is also the URL of an article",
        f"versions: article {first}: 2 snapshots numbered 1 to 3, not 1 to 2",
        f"latest-versions: article {first}: version 1 is marked latest, not version 3",
        "latest-versions: article 999: no version is marked latest, not version 1",
        f"times: article {third} (https://news.example/story-2/) was first seen after it was last seen",
    ]
    assert lines[-1].startswith("Error: 14 problems in 4 articles, 5 snapshots, 2 aliases, 1 crawl runs")


def test_a_damaged_sqlite_file_is_reported(sqlite_url: str, tmp_path: Path) -> None:
    _archive(sqlite_url)
    path = tmp_path / "archive.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")  # every page in the file itself, none in a WAL
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 2 + 8 : page_size * 2 + 40] = b"\xff" * 32  # scribble over a b-tree page
    path.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["--db", sqlite_url, "check"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    lines = result.output.splitlines()
    assert lines[0].startswith(("database: SQLite integrity check: ", "database: cannot be checked: ")), lines
    assert lines[-1].startswith("Error: "), lines


def test_other_indexes_register_their_own_check(sqlite_url: str) -> None:
    _archive(sqlite_url)
    CHECKS["example-index"] = lambda session: iter(["out of sync with the archive"])
    try:
        with open_archive(sqlite_url).sessions() as session:
            assert [str(problem) for problem in check_archive(session)] == ["example-index: out of sync with the archive"]
    finally:
        del CHECKS["example-index"]


def test_stored_pages_and_the_full_text_index_are_checked(database_url: str) -> None:
    page = b"<html><body><p>The page as fetched.</p></body></html>"
    url = "https://news.example/with-page/"
    archive = open_archive(database_url)
    record_article(
        archive.sessions,
        FetchedArticle(
            url=url,
            site="example",
            fetched_url=url,
            fetched_at=MONDAY,
            title="With its page",
            body_text=BODY,
            extractor="test",
            raw=RawResponse(url=url, status=200, body=page, headers={"Content-Type": "text/html"}),
        ),
    )
    archive.close()
    with closing(create_engine(database_url).connect()) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")  # as another tool might
        connection.execute(text("UPDATE raw_pages SET data = :data"), {"data": zlib.compress(b"<html>Other bytes</html>")})
        connection.execute(
            text(
                "INSERT INTO responses (url, status, headers, fetched_at, raw_sha256) "
                "SELECT url, status, headers, fetched_at, :missing FROM responses"
            ),
            {"missing": "0" * 64},
        )
        if connection.dialect.name == "sqlite":  # the index loses the snapshot's row behind the archive's back
            connection.execute(
                text("INSERT INTO snapshots_fts (snapshots_fts, rowid, title, body_text) SELECT 'delete', id, title, body_text FROM snapshots")
            )
    [(digest,)] = query(database_url, "SELECT sha256 FROM raw_pages")
    [(missing_response,)] = query(database_url, "SELECT id FROM responses WHERE raw_sha256 = :missing", missing="0" * 64)
    code, lines = _check(database_url)
    expected = [
        f"raw-pages: response {missing_response} points to stored page {'0' * 64}, which does not exist",
        f"raw-pages: stored page {digest}: its bytes do not match its size and SHA-256",
    ]
    if database_url.startswith("sqlite"):
        assert lines[2].startswith("full-text-index: the full-text index does not match the snapshots: "), lines
        expected.append(lines[2])
    assert (code, lines[:-1]) == (1, expected)
