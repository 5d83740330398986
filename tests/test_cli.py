"""The ``archive`` command (``archive.cli``) run with click's CliRunner on a real SQLite archive."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from archive.db import open_archive
from archive.models import CrawlRun
from archive.records import FetchedArticle
from archive.store import record_article
from crawler.cli import main
from tests.crawl import PROJECT_ROOT, query
from tests.damaged_archives import MALFORMED, damage_tables
from tests.stored_pages import old_reading

GNOME_URL = "https://news.example/gnome-48/"
KERNEL_URL = "https://linux.example/kernel-6-12/"
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY = MONDAY + timedelta(days=1)
GNOME_V1 = "GNOME 48 arrives with a rewritten file chooser.\n\nTriple buffering is not included in this release.\n\nFiles gets faster search."
GNOME_V2 = GNOME_V1.replace("is not included in", "finally lands in")
KERNEL_BODY = "Linux 6.12 brings real-time scheduling to mainline.\n\nRust drivers keep growing."


def article(url: str, site: str, title: str, body: str, fetched_at: datetime, **extra: object) -> FetchedArticle:
    values: dict[str, object] = dict(url=url, site=site, fetched_url=url, fetched_at=fetched_at, title=title, body_text=body, extractor="test")
    values.update(extra)
    return FetchedArticle(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(database_url: str) -> str:
    """An archive with GNOME 48 in two versions (first seen under its AMP URL) and one kernel article."""
    sessions = open_archive(database_url).sessions
    record_article(
        sessions,
        article(
            GNOME_URL,
            "example",
            "GNOME 48 released",
            GNOME_V1,
            MONDAY,
            fetched_url="https://news.example/gnome-48/amp/",
            authors=["Ada Lovelace"],
            tags=["GNOME", "Desktop"],
            published_at=datetime(2026, 11, 22, 18, 0, tzinfo=UTC),
            language="en",
        ),
    )
    record_article(
        sessions,
        article(
            GNOME_URL,
            "example",
            "GNOME 48 released with triple buffering",
            GNOME_V2,
            TUESDAY,
            authors=["Ada Lovelace", "Linus Torvalds"],
            tags=["GNOME", "Desktop"],
            language="en",
        ),
    )
    record_article(sessions, article(KERNEL_URL, "linux", "Linux 6.12 is out", KERNEL_BODY, MONDAY, authors=["Linus"]))
    return database_url


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", db, *args])


def lines_starting(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


def test_history_lists_versions_with_timestamps_and_titles(db: str) -> None:
    result = run(db, "history", GNOME_URL)
    assert result.exit_code == 0, result.output
    versions = lines_starting(result.output, "v")
    assert len(versions) == 2
    assert versions[0].startswith("v1  2026-11-23T09:00:00+00:00") and versions[0].endswith("GNOME 48 released")
    assert versions[1].startswith("v2  2026-11-24T09:00:00+00:00")
    assert versions[1].endswith("GNOME 48 released with triple buffering")


@pytest.mark.parametrize(
    "typed_url",
    [
        "https://news.example/gnome-48/?utm_source=rss&fbclid=x",
        "HTTPS://NEWS.example:443/gnome-48/#comments",
        "https://news.example/gnome-48/amp/",
    ],
)
def test_history_finds_the_article_under_url_variants_and_aliases(db: str, typed_url: str) -> None:
    result = run(db, "history", typed_url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"{GNOME_URL}  site=example")
    assert len(lines_starting(result.output, "v")) == 2


def test_history_strips_control_characters_from_titles(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, article(GNOME_URL, "example", "Evil \x1b[31mred\x07 title\x9b", GNOME_V1, MONDAY))
    result = run(database_url, "history", GNOME_URL)
    assert result.exit_code == 0, result.output
    assert not any(c in result.output for c in "\x1b\x07\x9b")
    assert "Evil [31mred title" in result.output


def test_diff_shows_changed_paragraph_and_version_headers(db: str) -> None:
    result = run(db, "diff", GNOME_URL)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "--- version 1 (2026-11-23T09:00:00+00:00)" in lines
    assert "+++ version 2 (2026-11-24T09:00:00+00:00)" in lines
    assert "-Triple buffering is not included in this release." in lines
    assert "+Triple buffering finally lands in this release." in lines
    assert "-# GNOME 48 released" in lines
    assert " Files gets faster search." in lines  # unchanged context, not marked


def test_diff_between_chosen_versions(db: str) -> None:
    result = run(db, "diff", GNOME_URL, "--from", "2", "--to", "1")
    assert result.exit_code == 0, result.output
    assert "--- version 2 (2026-11-24T09:00:00+00:00)" in result.output
    assert "-Triple buffering finally lands in this release." in result.output


def test_diff_with_a_missing_version_fails(db: str) -> None:
    result = run(db, "diff", GNOME_URL, "--from", "1", "--to", "3")
    assert result.exit_code != 0
    assert "has versions 1, 2; cannot compare 1 with 3" in result.output


def test_diff_of_single_version_article_has_nothing_to_compare(db: str) -> None:
    result = run(db, "diff", KERNEL_URL)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{KERNEL_URL} has a single version: nothing to compare"


@pytest.mark.parametrize("command", ["diff", "history"])
def test_unknown_url_exits_non_zero_with_clear_message(db: str, command: str) -> None:
    result = run(db, command, "https://news.example/never-archived/")
    assert result.exit_code != 0
    assert "no archived article under https://news.example/never-archived/" in result.output


def test_stats_shows_per_site_counts_and_changed_articles(db: str) -> None:
    result = run(db, "stats")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:4] for line in result.output.splitlines()[1:]}
    assert rows["example"] == ["1", "2", "1"]
    assert rows["linux"] == ["1", "1", "0"]
    assert rows["total"] == ["2", "3", "1"]


def results(output: str) -> list[str]:
    """The result lines of ``archive search`` (each is followed by its indented snippet)."""
    return [line for line in output.splitlines() if not line.startswith(" ")]


def test_search_finds_body_text_in_latest_versions_with_a_snippet(db: str) -> None:
    result = run(db, "search", "FINALLY LANDS")
    assert result.exit_code == 0, result.output
    found, snippet = result.output.splitlines()
    assert found == f"2026-11-24T09:00:00+00:00  v2  {GNOME_URL}  GNOME 48 released with triple buffering"
    assert snippet.startswith("    GNOME 48 arrives with a rewritten file chooser. Triple buffering [finally] [lands] in this")


def test_search_ignores_older_versions_by_default(db: str) -> None:
    result = run(db, "search", "not included")
    assert result.exit_code == 0 and result.output == ""


def test_search_all_versions_finds_text_edited_away(db: str) -> None:
    result = run(db, "search", "not included", "--all-versions")
    assert result.exit_code == 0, result.output
    assert results(result.output) == [f"2026-11-23T09:00:00+00:00  v1  {GNOME_URL}  GNOME 48 released"]
    assert "[not] [included]" in result.output or "[included]" in result.output


def test_search_site_and_since_filters(db: str) -> None:
    everywhere = run(db, "search", "release")
    only_linux = run(db, "search", "release", "--site", "linux")
    assert [line.split()[2] for line in results(everywhere.output)] == [GNOME_URL]  # "released", "release": stemmed
    assert only_linux.exit_code == 0 and only_linux.output == ""
    assert KERNEL_URL in run(db, "search", "rust drivers", "--site", "linux").output
    assert sorted(line.split()[1] for line in results(run(db, "search", "GNOME", "--all-versions").output)) == ["v1", "v2"]
    since_tuesday = run(db, "search", "GNOME", "--all-versions", "--since", "2026-11-24")
    assert [line.split()[1] for line in results(since_tuesday.output)] == ["v2"]
    assert run(db, "search", "GNOME", "--since", "2026-11-24T09:00:01").output == ""


def test_search_ranks_title_matches_above_body_matches(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    body = "A long report about desktops, schedulers and file systems. " * 5
    record_article(sessions, article("https://a.example/body/", "a", "Weekly report", body + "Wayland is mentioned.", MONDAY))
    record_article(sessions, article("https://a.example/title/", "a", "Wayland everywhere", body, MONDAY))
    assert [line.split()[2] for line in results(run(database_url, "search", "wayland").output)] == [
        "https://a.example/title/",
        "https://a.example/body/",
    ]


def test_search_phrases_exclusions_and_alternatives(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, article("https://a.example/one/", "a", "One", "The kernel scheduler got faster.", MONDAY))
    record_article(sessions, article("https://a.example/two/", "a", "Two", "The scheduler of the kernel got faster.", MONDAY))
    record_article(sessions, article("https://a.example/three/", "a", "Three", "Now 100% open source firmware.", MONDAY))
    record_article(sessions, article("https://a.example/four/", "a", "Four", "Over 1000 downloads of the firmware.", MONDAY))
    record_article(sessions, article("https://a.example/five/", "a", "Firmware 2.0", "Over 500 downloads in a day.", MONDAY))

    def urls(*query: str) -> list[str]:
        result = run(database_url, "search", *query)
        assert result.exit_code == 0, result.output
        return sorted(line.split()[2].rsplit("/", 2)[1] for line in results(result.output))

    assert urls("kernel scheduler") == ["one", "two"]
    assert urls('"kernel scheduler"') == ["one"]
    assert urls("firmware -downloads") == ["three"]  # an excluded word in the body excludes a title match
    assert urls("100% or downloads") == ["five", "four", "three"]  # "%" is no wildcard: 100 does not find 1000
    # Operators of the engines are plain text here: no query a user types is a syntax error.
    assert urls('kernel AND NEAR(scheduler) title: "faster*') == []
    assert urls("kernel* ^faster (scheduler") == ["one", "two"]


@pytest.mark.parametrize("query", ["-kernel", "%%%", '""'])
def test_search_with_nothing_to_find_is_a_clear_error(db: str, query: str) -> None:
    result = run(db, "search", "--", query)
    assert result.exit_code != 0
    assert result.output.startswith("Error: nothing to search for in")


def test_export_jsonl_to_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "articles.jsonl"
    result = run(db, "export", "--format", "jsonl", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["url"], r["version"]) for r in rows] == [(GNOME_URL, 2), (KERNEL_URL, 1)]
    gnome = rows[0]
    assert gnome["site"] == "example" and gnome["title"] == "GNOME 48 released with triple buffering"
    assert gnome["authors"] == ["Ada Lovelace", "Linus Torvalds"] and gnome["tags"] == ["GNOME", "Desktop"]
    assert gnome["body_text"] == GNOME_V2 and gnome["fetched_at"] == "2026-11-24T09:00:00+00:00"
    assert gnome["language"] == "en" and len(gnome["content_hash"]) == 64


def test_export_jsonl_to_stdout_with_all_versions_and_site(db: str) -> None:
    result = run(db, "export", "--all-versions", "--site", "example")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["url"], r["version"], r["body_text"]) for r in rows] == [(GNOME_URL, 1, GNOME_V1), (GNOME_URL, 2, GNOME_V2)]
    assert rows[0]["published_at"] == "2026-11-22T18:00:00+00:00"


def test_export_csv_to_stdout(db: str) -> None:
    result = run(db, "export", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert list(rows[0]) == [
        "url",
        "site",
        "version",
        "fetched_at",
        "title",
        "authors",
        "published_at",
        "modified_at",
        "description",
        "language",
        "tags",
        "content_hash",
        "body_text",
    ]
    assert [(r["url"], r["site"], r["version"]) for r in rows] == [(GNOME_URL, "example", "2"), (KERNEL_URL, "linux", "1")]
    assert rows[0]["authors"] == "Ada Lovelace; Linus Torvalds" and rows[0]["tags"] == "GNOME; Desktop"
    assert rows[0]["body_text"] == GNOME_V2


def test_export_csv_to_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "articles.csv"
    result = run(db, "export", "--format", "csv", "--site", "linux", "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["url"], r["title"], r["authors"], r["body_text"]) for r in rows] == [(KERNEL_URL, "Linux 6.12 is out", "Linus", KERNEL_BODY)]


def test_db_in_missing_directory_gives_one_line_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "archive.db"
    result = run(f"sqlite:///{missing}", "stats")
    assert result.exit_code != 0
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: ") and "does not exist" in result.output and str(missing.parent) in result.output
    assert not missing.parent.exists()


def test_diff_from_the_latest_version_alone_is_an_error_not_an_empty_diff(db: str) -> None:
    result = run(db, "diff", GNOME_URL, "--from", "2")
    assert result.exit_code != 0
    assert "cannot compare 2 with 2" in result.output


def test_a_mistyped_database_path_is_not_created(tmp_path) -> None:
    missing = tmp_path / "typo.db"
    result = run(f"sqlite:///{missing}", "stats")
    assert result.exit_code != 0 and "no archive at" in result.output
    assert not missing.exists()


def test_runs_lists_the_last_crawls_with_their_counts(sqlite_url: str) -> None:
    archive = open_archive(sqlite_url)
    with archive.sessions.begin() as session:
        session.add_all(
            [
                CrawlRun(
                    started_at=MONDAY,
                    finished_at=MONDAY + timedelta(seconds=42.5),
                    finish_reason="finished",
                    mode="site",
                    sites="debugpoint",
                    requests=120,
                    articles_new=100,
                    rechecks=0,
                    not_modified=0,
                    gone=0,
                    errors=2,
                ),
                CrawlRun(
                    started_at=TUESDAY,
                    finished_at=TUESDAY + timedelta(seconds=3),
                    finish_reason="finished",
                    mode="site",
                    sites="debugpoint",
                    requests=30,
                    articles_new=1,
                    articles_changed=2,
                    articles_unchanged=3,
                    rechecks=25,
                    not_modified=20,
                    gone=1,
                    errors=0,
                ),
                CrawlRun(started_at=TUESDAY, mode="all", sites="debugpoint omgubuntu", host="box-2", pid=4242, worker="celery@box-2"),
            ]
        )
    result = run(sqlite_url, "runs", "--limit", "2")
    assert result.exit_code == 0, result.output
    header, newest, older = result.output.splitlines()
    assert header.split() == "run started seconds finish requests new changed unchanged 304 gone errors process sites".split()
    assert newest.split() == "3 2026-11-24 09:00:00 - unfinished 0 0 0 0 0 0 0 box-2:4242 (celery@box-2) debugpoint omgubuntu".split()
    assert older.split() == ["2", "2026-11-24", "09:00:00", "3.0", "finished", "30", "1", "2", "3", "20", "1", "0", "-", "debugpoint"]


CONTROL = "\x1b[2J\x1b]0;owned\x07\x9b31m\x00"


def test_no_command_prints_control_characters_from_scraped_text(sqlite_url: str) -> None:
    sessions = open_archive(sqlite_url).sessions
    url = "https://news.example/evil/"
    record_article(sessions, article(url, f"evil{CONTROL}site", f"Evil {CONTROL}title", f"Body {CONTROL}one", MONDAY))
    record_article(sessions, article(url, f"evil{CONTROL}site", f"Evil {CONTROL}title", f"Body {CONTROL}two", TUESDAY))
    for command in (["history", url], ["diff", url], ["stats"], ["search", "Evil"], ["export"], ["check"]):
        result = run(sqlite_url, *command)
        assert result.exit_code == 0, (command, result.output)
        assert result.output and not set("\x00\x07\x1b\x9b") & set(result.output), command
    # JSON lines keep the text whole (without NUL, which the archive never stores), escaped.
    exported = json.loads(run(sqlite_url, "export").output.splitlines()[0])
    assert exported["title"] == f"Evil {CONTROL.replace(chr(0), '')}title"
    # CSV to a file keeps the text as it is; to a terminal, see below.
    assert f"Body {CONTROL.replace(chr(0), '')}two" in run(sqlite_url, "export", "--format", "csv").output


def test_csv_export_to_a_terminal_drops_control_characters(sqlite_url: str) -> None:
    sessions = open_archive(sqlite_url).sessions
    record_article(sessions, article(KERNEL_URL, "linux", f"Kernel {CONTROL}news", KERNEL_BODY, MONDAY))
    primary, secondary = pty.openpty()
    try:
        result = run(sqlite_url, "export", "--format", "csv", "-o", os.ttyname(secondary))
        assert result.exit_code == 0, result.output
        # A terminal is written line by line: read every line the export wrote, not only the first.
        chunks = []
        while select.select([primary], [], [], 0)[0]:
            chunks.append(os.read(primary, 65536))
        written = b"".join(chunks).decode()
    finally:
        os.close(primary)
        os.close(secondary)
    assert "Kernel [2J]0;owned31mnews" in written and not set("\x07\x1b\x9b") & set(written)


DAMAGED_FILE = "the file is damaged: `archive check` lists what is wrong, and SQLite's `.recover` saves what can still be read into a new file"


@pytest.fixture
def damaged_db(sqlite_url: str) -> str:
    """An archive of two articles, their pages stored, whose snapshots table and crawl runs are damaged."""
    archive = open_archive(sqlite_url)
    for number, (url, body) in enumerate(((GNOME_URL, GNOME_V1), (KERNEL_URL, KERNEL_BODY))):
        page = f"<html><body><article><h1>Story {number}</h1><p>{body}</p></article></body></html>".encode()
        record_article(archive.sessions, old_reading(url, "example", number, MONDAY, page))
    archive.close()
    damage_tables(sqlite_url, "snapshots", "crawl_runs")
    return sqlite_url


@pytest.mark.parametrize(
    "command",
    [
        ("stats",),
        ("runs",),
        ("history", GNOME_URL),
        ("diff", GNOME_URL),
        ("search", "extractor"),
        ("export",),
        ("export", "--format", "warc"),
        ("reextract", "--workers", "0"),
        ("reextract", "--workers", "1"),
    ],
    ids=" ".join,
)
def test_a_damaged_archive_ends_every_command_with_one_error_line(damaged_db: str, command: tuple[str, ...]) -> None:
    result = run(damaged_db, *command)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output  # click's error, not a traceback
    assert result.output.splitlines()[-1] == f"Error: archive database {damaged_db} failed: {MALFORMED}; {DAMAGED_FILE}"
    assert result.output.count("Error:") == 1


@pytest.fixture
def db_with_a_value_not_json(sqlite_url: str) -> str:
    """GNOME 48 in two versions, the second's authors overwritten, as by hand, with text that is not JSON."""
    sessions = open_archive(sqlite_url).sessions
    for version, (body, fetched_at) in enumerate(((GNOME_V1, MONDAY), (GNOME_V2, TUESDAY)), start=1):
        record_article(sessions, article(GNOME_URL, "example", f"GNOME 48, version {version}", body, fetched_at, authors=["Ada Lovelace"]))
    with create_engine(sqlite_url).begin() as connection:
        connection.execute(text("UPDATE snapshots SET authors = 'Ada Lovelace' WHERE id = 2"))
    return sqlite_url


@pytest.mark.parametrize("command", [("history", GNOME_URL), ("diff", GNOME_URL), ("export",)], ids=" ".join)
def test_a_value_stored_as_json_that_is_not_json_is_one_error_line_and_check_lists_it(
    db_with_a_value_not_json: str, command: tuple[str, ...]
) -> None:
    result = run(db_with_a_value_not_json, *command)
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output  # click's error, not a traceback
    assert result.output.splitlines()[-1] == (
        f"Error: archive {db_with_a_value_not_json}: a value stored as JSON cannot be read as JSON (Expecting value: line 1 column 1 (char 0)); "
        "`archive check` lists where, correct it with SQL"
    )
    checked = run(db_with_a_value_not_json, "check")
    assert checked.exit_code == 1 and lines_starting(checked.output, "json-values: ") == ["json-values: snapshots id=2: authors is not JSON"]


def test_a_value_stored_as_json_nested_too_deep_for_python_is_one_error_line(db_with_a_value_not_json: str) -> None:
    with create_engine(db_with_a_value_not_json).begin() as connection:
        connection.execute(text("UPDATE snapshots SET authors = :nested WHERE id = 2"), {"nested": "[" * 100_000 + "]" * 100_000})
    result = run(db_with_a_value_not_json, "export")
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.output
    assert result.output.splitlines()[-1].startswith(
        f"Error: archive {db_with_a_value_not_json}: a value stored as JSON cannot be read as JSON (maximum recursion depth exceeded"
    )


def test_a_file_that_is_no_database_is_one_error_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Not an archive, but long enough for SQLite to read its header and say so.\n" * 2)
    result = run(f"sqlite:///{notes}", "stats")
    assert result.output == (
        f"Error: cannot open archive database sqlite:///{notes}: file is not a database; "
        "if the URL names the right file, it is damaged: SQLite's `.recover` saves what can still be read into a new file\n"
    )


def test_an_export_to_a_file_from_a_damaged_archive_writes_no_file(damaged_db: str, tmp_path: Path) -> None:
    result = run(damaged_db, "export", "-o", str(tmp_path / "articles.jsonl"))
    assert result.output == f"Error: archive database {damaged_db} failed: {MALFORMED}; {DAMAGED_FILE}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["archive.db", "archive.db-shm", "archive.db-wal"]


def test_a_copy_of_a_damaged_archive_names_the_damaged_one_and_copies_nothing(damaged_db: str, tmp_path: Path) -> None:
    copy_url = f"sqlite:///{tmp_path / 'copy.db'}"
    result = run("sqlite:///elsewhere.db", "copy", damaged_db, copy_url)
    assert result.exit_code == 1
    assert result.output == f"Error: archive database {damaged_db} failed: {MALFORMED}; {DAMAGED_FILE}\n"
    assert query(copy_url, "SELECT (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM raw_pages)") == [(0,)]


@pytest.mark.postgres
def test_a_lost_postgresql_connection_ends_a_command_with_one_error_line(postgres_url: str) -> None:
    """``archive stats`` waits for a table another session locked; its connection is ended by the server meanwhile."""
    server = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as locker, server.connect() as admin:
            locker.execute(text("BEGIN; LOCK TABLE snapshots IN ACCESS EXCLUSIVE MODE"))
            command = [sys.executable, "-m", "crawler.cli", "--db", postgres_url, "stats"]
            stats = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            waiting = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            deadline = time.monotonic() + 30
            while (pid := admin.scalar(waiting)) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            _, errors = stats.communicate(timeout=30)
    finally:
        server.dispose()
    assert stats.returncode == 1
    shown = postgres_url.replace("postgresql://", "postgresql+psycopg://")
    [line] = errors.splitlines()
    assert line.startswith(f"Error: archive database {shown} failed: ") and "terminating connection due to administrator command" in line
    assert line.endswith("; the connection to the database server was lost: check that the server runs, then run the command again")
