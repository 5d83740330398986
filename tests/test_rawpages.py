"""Raw pages: kept for every version, compressed, stored once; re-extraction and WARC export read them back."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from archive.compression import ZSTD_MAGIC, CorruptPage, decompress_page
from archive.db import open_archive
from archive.records import FetchedArticle, RawResponse
from archive.store import record_article
from crawler.cli import main
from crawler.extraction.page import EXTRACTOR_VERSION
from tests.crawl import PROJECT_ROOT, query, run_crawl
from tests.fixture_site import ARTICLES, EDITED_BODY_SLUG, FixtureSite, build_site
from tests.no_worker_processes import with_a_worker_that_dies, without_worker_processes
from tests.stored_pages import OLD_EXTRACTOR, old_reading

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STORAGE = (
    "SELECT (SELECT COUNT(*) FROM snapshots), (SELECT COUNT(*) FROM responses), (SELECT COUNT(*) FROM raw_pages), "
    "(SELECT SUM(LENGTH(data)) FROM raw_pages), (SELECT SUM(LENGTH(body_text)) FROM snapshots)"
)
PAGE = (
    "<html><head><title>Kernel 6.12 released</title>"
    '<meta property="og:type" content="article"></head><body><nav>Home | News</nav>'
    "<article><h1>Kernel 6.12 released</h1><div class='entry-content'>"
    + "".join(f"<p>Paragraph {n}: Linux 6.12 brings real-time scheduling to mainline, after twenty years.</p>" for n in range(6))
    + "<div class='share'>Share this on Twitter</div></div></article></body></html>"
)


def as_json(value: object) -> object:
    """A JSON column read with plain SQL: text on SQLite, decoded already on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else value


def test_a_crawl_keeps_each_page_as_fetched_and_an_unchanged_recrawl_writes_nothing(fixture_site: FixtureSite, database_url: str) -> None:
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    rows = query(
        database_url,
        "SELECT a.url, r.url, r.status, r.headers, p.size, p.data, p.sha256 FROM snapshots s "
        "JOIN articles a ON a.id = s.article_id JOIN responses r ON r.id = s.response_id "
        "JOIN raw_pages p ON p.sha256 = r.raw_sha256",
    )
    assert len(rows) == len(ARTICLES) == query(database_url, "SELECT COUNT(*) FROM snapshots")[0][0]
    served = build_site(1, fixture_site.port)
    # A version comes from the article's own URL or from a page naming it canonical (then an alias).
    fetched_under = set(
        query(
            database_url,
            "SELECT url, url FROM articles UNION SELECT a.url, u.url FROM url_aliases u JOIN articles a ON a.id = u.article_id",
        )
    )
    for url, fetched_url, status, headers, size, data, digest in rows:
        page = served[fetched_url.removeprefix(fixture_site.url.rstrip("/"))].body
        raw = decompress_page(data)
        assert data.startswith(ZSTD_MAGIC) and raw == page and size == len(page) and digest == hashlib.sha256(page).hexdigest()
        assert (url, fetched_url) in fetched_under and status == 200
        kept = as_json(headers)
        assert isinstance(kept, dict) and kept["content-type"] == "text/html; charset=utf-8" and "date" in kept
        assert "content-length" not in kept and len(data) < len(page) / 2

    before = query(database_url, STORAGE)
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    assert query(database_url, STORAGE) == before

    fixture_site.set_version(2)  # every page's chrome changes, two articles change
    assert run_crawl(database_url, f"start_url={fixture_site.url}", "recheck=all").returncode == 0
    after = query(database_url, STORAGE)[0]
    assert after[:3] == (before[0][0] + 2, before[0][1] + 2, before[0][2] + 2)


def raw(html: str, url: str = "https://news.example/kernel/") -> RawResponse:
    return RawResponse(url=url, status=200, body=html.encode(), headers={"Content-Type": "text/html", "X-Other": "x"})


def fetched(body: str, when: datetime, html: str = PAGE, extractor: str = OLD_EXTRACTOR) -> FetchedArticle:
    return FetchedArticle(
        url="https://news.example/kernel/",
        site="example",
        fetched_url="https://news.example/kernel/",
        fetched_at=when,
        title="Kernel 6.12 released",
        body_text=body,
        extractor=extractor,
        raw=raw(html),
    )


def test_identical_pages_are_stored_once(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched("Version one of the story.", MONDAY))
    record_article(sessions, fetched("Version two of the story.", MONDAY + timedelta(days=1)))  # same page bytes
    assert query(database_url, "SELECT COUNT(*) FROM snapshots WHERE response_id IS NOT NULL") == [(2,)]
    assert query(database_url, "SELECT COUNT(*), COUNT(DISTINCT raw_sha256) FROM responses") == [(2, 1)]
    assert query(database_url, "SELECT COUNT(*) FROM raw_pages") == [(1,)]
    [(headers,)] = query(database_url, "SELECT headers FROM responses LIMIT 1")
    assert as_json(headers) == {"content-type": "text/html"}


def test_pages_stored_as_zlib_streams_by_earlier_versions_still_read_back(database_url: str, tmp_path: Path) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched("Paragraph 0: Linux 6.12 brings real-time scheduling.", MONDAY))
    with open_archive(database_url).engine.begin() as connection:
        connection.execute(text("UPDATE raw_pages SET data = :data"), {"data": zlib.compress(PAGE.encode())})
    assert query(database_url, "SELECT SUBSTR(data, 1, 1) FROM raw_pages") == [(b"\x78",)]
    check = run(database_url, "check")
    assert check.exit_code == 0, check.output
    warc = tmp_path / "page.warc"
    assert run(database_url, "export", "--format", "warc", "-o", str(warc)).exit_code == 0
    with warc.open("rb") as stream:
        assert [r.content_stream().read() for r in ArchiveIterator(stream) if r.rec_type == "response"] == [PAGE.encode()]
    result = run(database_url, "reextract")
    assert result.output == "re-extracted 1 pages: 1 new versions, 0 unchanged, 0 skipped\n"


def test_a_stored_page_that_does_not_decompress_is_reported_and_skipped_never_read_as_empty(database_url: str, tmp_path: Path) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched("Version one of the story.", MONDAY))
    other = "https://news.example/other/"
    record_article(
        sessions,
        FetchedArticle(
            url=other,
            site="example",
            fetched_url=other,
            fetched_at=MONDAY,
            title="Another story",
            body_text="Another body.",
            raw=raw(PAGE.replace("Kernel 6.12", "Kernel 6.13"), other),
        ),
    )
    with open_archive(database_url).engine.begin() as connection:
        connection.execute(
            text("UPDATE raw_pages SET data = :data WHERE sha256 = :digest"),
            {"data": ZSTD_MAGIC + b"not a frame", "digest": hashlib.sha256(PAGE.encode()).hexdigest()},
        )
    check = run(database_url, "check")
    assert check.exit_code != 0 and "does not decompress" in check.output
    with pytest.raises(CorruptPage):
        decompress_page(ZSTD_MAGIC + b"not a frame")

    reextracted = run(database_url, "reextract")
    assert reextracted.exit_code == 0 and reextracted.output.endswith("1 skipped\n"), reextracted.output
    warc = tmp_path / "pages.warc"
    exported = CliRunner().invoke(main, ["--db", database_url, "export", "--format", "warc", "-o", str(warc)])
    assert exported.exit_code == 0 and "left out https://news.example/kernel/" in exported.stderr
    with warc.open("rb") as stream:
        assert [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream) if r.rec_type == "response"] == [other]
    assert not list(tmp_path.glob("pages.warc.partial*"))


def run(db: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--db", db, *args])


def test_reextract_records_a_better_extraction_as_a_marked_version_once(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    old_body = "Home | News\n\n" + "Paragraph 0: Linux 6.12 brings real-time scheduling to mainline, after twenty years."
    record_article(sessions, fetched(old_body, MONDAY))
    storage = query(database_url, "SELECT (SELECT COUNT(*) FROM raw_pages), (SELECT COUNT(*) FROM responses)")

    result = run(database_url, "reextract")
    assert result.exit_code == 0, result.output
    assert result.output == "re-extracted 1 pages: 1 new versions, 0 unchanged, 0 skipped\n"
    [v1, v2] = query(
        database_url,
        "SELECT version, source, fetched_at, response_id, extractor, body_text, content_hash FROM snapshots ORDER BY version",
    )
    assert v1[:2] == (1, "crawl") and v2[:2] == (2, "reextract")
    assert v2[2] == v1[2] and v2[3] == v1[3]  # the same fetch: its time and its page
    assert v2[4].startswith(EXTRACTOR_VERSION) and v1[4] == OLD_EXTRACTOR
    assert "Home | News" not in v2[5] and "Share this" not in v2[5] and v2[5].count("Paragraph") == 6
    assert query(database_url, "SELECT (SELECT COUNT(*) FROM raw_pages), (SELECT COUNT(*) FROM responses)") == storage

    again = run(database_url, "reextract")
    assert again.output == "re-extracted 1 pages: 0 new versions, 1 unchanged, 0 skipped\n"
    assert query(database_url, "SELECT COUNT(*) FROM snapshots") == [(2,)]
    history = run(database_url, "history", "https://news.example/kernel/")
    assert history.output.splitlines()[-1].endswith(f"[reextract: {v2[4]}]")
    assert not history.output.splitlines()[-2].endswith("]")


def test_reextract_filters_by_site_and_time_and_skips_pages_without_an_article(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched("Old extraction.", MONDAY))
    empty = FetchedArticle(
        url="https://other.example/a/",
        site="other",
        fetched_url="https://other.example/a/",
        fetched_at=MONDAY,
        title="Empty",
        body_text="Was once a body.",
        extractor="old",
        raw=raw("<html><body></body></html>", "https://other.example/a/"),
    )
    record_article(sessions, empty)
    assert run(database_url, "reextract", "--site", "none").output == "re-extracted 0 pages: 0 new versions, 0 unchanged, 0 skipped\n"
    assert run(database_url, "reextract", "--since", "2026-11-24").output.startswith("re-extracted 0 pages")
    assert run(database_url, "reextract", "--site", "other").output == ("re-extracted 1 pages: 0 new versions, 0 unchanged, 1 skipped\n")
    assert run(database_url, "reextract", "--since", "2026-11-23").output == ("re-extracted 2 pages: 1 new versions, 0 unchanged, 1 skipped\n")
    assert query(database_url, "SELECT COUNT(*) FROM snapshots") == [(3,)]


def test_warc_export_holds_one_response_record_per_stored_page(fixture_site: FixtureSite, database_url: str, tmp_path: Path) -> None:
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    fixture_site.set_version(2)
    assert run_crawl(database_url, f"start_url={fixture_site.url}", "recheck=all").returncode == 0
    served = {f"v{version}{path}": page for version in (1, 2) for path, page in build_site(version, fixture_site.port).items()}
    edited = f"{fixture_site.url}{EDITED_BODY_SLUG}/"

    compressed, plain = tmp_path / "site.warc.gz", tmp_path / "site.warc"
    assert run(database_url, "export", "--format", "warc", "--all-versions", "-o", str(compressed)).exit_code == 0
    assert run(database_url, "export", "--format", "warc", "-o", str(plain)).exit_code == 0
    assert compressed.read_bytes()[:2] == b"\x1f\x8b" and plain.read_bytes().startswith(b"WARC/1.1")

    def responses(path: Path) -> list[tuple[str, str, bytes, str]]:
        with path.open("rb") as stream:
            return [
                (
                    r.rec_headers.get_header("WARC-Target-URI"),
                    r.http_headers.get_statuscode(),
                    r.content_stream().read(),
                    r.http_headers.get_header("Content-Type"),
                )
                for r in ArchiveIterator(stream)
                if r.rec_type == "response"
            ]

    every = responses(compressed)
    assert len(every) == len(ARTICLES) + 2  # every version's page: two articles changed in version 2
    assert all(status == "200" and ctype == "text/html; charset=utf-8" for _, status, _, ctype in every)
    path_of = {url: url.removeprefix(fixture_site.url.rstrip("/")) for url, *_ in every}
    assert [body for url, _, body, _ in every if url == edited] == [served[f"v1{path_of[edited]}"].body, served[f"v2{path_of[edited]}"].body]
    latest = responses(plain)
    assert len(latest) == len(ARTICLES) and [body for url, _, body, _ in latest if url == edited] == [served[f"v2{path_of[edited]}"].body]
    to_stdout = CliRunner().invoke(main, ["--db", database_url, "export", "--format", "warc", "--site", "nothing"])
    assert to_stdout.exit_code == 0 and to_stdout.stdout_bytes.startswith(b"WARC/1.1") and b"response" not in to_stdout.stdout_bytes


def _stored_fixture_pages(tmp_path: Path, *names: str) -> tuple[dict[str, bytes], list[str]]:
    """The fixture site's article pages and a page that cannot be read, each stored as an old extraction in archives of
    these names: the pages, and the archives' URLs."""
    site = build_site(1, 8000)
    pages = {f"http://127.0.0.1:8000/{article.slug}/": site[f"/{article.slug}/"].body for article in ARTICLES}
    pages["http://127.0.0.1:8000/binary/"] = bytes(range(256)) * 64  # cannot be read: skipped
    databases = [f"sqlite:///{tmp_path / name}" for name in names]
    for database in databases:
        sessions = open_archive(database).sessions
        for number, (url, body) in enumerate(pages.items()):
            record_article(sessions, old_reading(url, "fixture", number, MONDAY + timedelta(minutes=number), body))
    return pages, databases


VERSIONS = (
    "SELECT a.url, s.version, s.source, s.fetched_at, s.title, s.body_text, s.authors, s.published_at, s.tags, "
    "s.extractor, s.content_hash, s.is_latest FROM snapshots s JOIN articles a ON a.id = s.article_id ORDER BY a.url, s.version"
)


def test_reextract_in_worker_processes_archives_what_one_process_archives(tmp_path: Path) -> None:
    pages, (in_process, in_workers) = _stored_fixture_pages(tmp_path, "in-process.db", "workers.db")

    one_process = run(in_process, "reextract", "--workers", "0")
    workers = run(in_workers, "reextract", "--workers", "2")
    assert one_process.exit_code == 0 and workers.exit_code == 0, workers.output
    assert one_process.output == workers.output == f"re-extracted {len(pages)} pages: {len(ARTICLES)} new versions, 0 unchanged, 1 skipped\n"
    assert query(in_workers, VERSIONS) == query(in_process, VERSIONS)
    assert len(query(in_workers, VERSIONS)) == len(pages) + len(ARTICLES)


@pytest.mark.parametrize(
    ("environment", "error"),
    [
        (without_worker_processes, "extraction worker processes could not start ([Errno "),
        (with_a_worker_that_dies, "extraction worker processes stopped for good"),
    ],
    ids=["refused", "dead-and-not-replaced"],
)
def test_reextract_whose_workers_are_refused_reads_the_pages_itself(
    tmp_path: Path, environment: Callable[[Path], dict[str, str]], error: str
) -> None:
    pages, (in_process, without_workers) = _stored_fixture_pages(tmp_path, "in-process.db", "without-workers.db")
    assert run(in_process, "reextract", "--workers", "0").exit_code == 0
    command = [sys.executable, "-m", "crawler.cli", "--db", without_workers, "reextract", "--workers", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env={**os.environ, **environment(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"re-extracted {len(pages)} pages: {len(ARTICLES)} new versions, 0 unchanged, 1 skipped\n"
    assert done.stderr.count(error) == 1, done.stderr
    assert f'File "{PROJECT_ROOT}' not in done.stderr  # no traceback through the project (the fork server may print its own)
    assert query(without_workers, VERSIONS) == query(in_process, VERSIONS)
