"""Cron-style re-crawls of the fixture site: what is new is found fast, known articles are re-checked cheaply.

Real ``scrapy crawl`` processes against the fixture site on 127.0.0.1 (with
ETag/Last-Modified support, a feed and sitemaps), checked with SQL.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, update

from archive.db import open_archive
from archive.models import Article, CrawlRun
from archive.site_locks import LockOwner, acquire_site_lock
from tests.crawl import query, run_crawl, start_crawl
from tests.fixture_site import (
    ARTICLES,
    DELETED_SLUG,
    EDITED_BODY_SLUG,
    EDITED_TITLE_SLUG,
    INDEX_PAGES,
    FixtureArticle,
    FixtureSite,
    serve_fixture_site,
)

ARTICLE_PATHS = {f"/{a.slug}/" for a in ARTICLES}


def snapshot_count(database_url: str) -> int:
    return query(database_url, "SELECT COUNT(*) FROM snapshots")[0][0]


def last_run(database_url: str, columns: str) -> tuple[object, ...]:
    return query(database_url, f"SELECT {columns} FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]


def fresh_article(slug: str, title: str) -> FixtureArticle:
    published = datetime.now(UTC).replace(microsecond=0).isoformat()
    paragraphs = tuple(f"{title}: paragraph {n} tells what changed in this release and why readers should care about it." * 2 for n in range(6))
    return FixtureArticle(slug, title, "Ada Lovelace", published, "News", paragraphs)


def test_second_run_right_after_the_first_fetches_few_pages_and_writes_no_snapshot(database_url: str) -> None:
    with serve_fixture_site(sources=True) as site:
        assert run_crawl(database_url, f"start_url={site.url}").returncode == 0
        first_requests = len(site.requests)
        snapshots = snapshot_count(database_url)
        assert snapshots == len(ARTICLES)
        # The first run read the feed and the sitemaps it found on the site.
        assert {"/feed/", "/sitemap_index.xml", "/post-sitemap.xml"} <= set(site.requested_paths())

        site.requests.clear()
        result = run_crawl(database_url, f"start_url={site.url}")
        assert result.returncode == 0, result.output
        # The front page and the next one (the front page links to an unknown page, which is
        # fetched again), the feed and the sitemap index, whose post sitemap did not change.
        paths = site.requested_paths()
        assert set(paths) == {"/robots.txt", "/", "/page/2/", "/moved-to-partner/", "/feed/", "/sitemap_index.xml"}
        assert len(paths) < first_requests / 2
        assert snapshot_count(database_url) == snapshots
        new, changed, unchanged, rechecks, skipped, reason = last_run(
            database_url, "articles_new, articles_changed, articles_unchanged, rechecks, known_skipped, finish_reason"
        )
        assert (new, changed, unchanged, rechecks, reason) == (0, 0, 0, 0, "finished")
        assert skipped >= len(ARTICLES)
        assert "crawl run 2: new 0, changed 0, unchanged 0, not modified 0, gone 0" in result.output


def test_recheck_all_on_an_unchanged_site_is_answered_by_304s(database_url: str) -> None:
    with serve_fixture_site(sources=True) as site:
        assert run_crawl(database_url, f"start_url={site.url}").returncode == 0
        seen_before = dict(query(database_url, "SELECT url, last_seen_at FROM articles"))
        site.answers.clear()
        result = run_crawl(database_url, f"start_url={site.url}", "recheck=all")
        assert result.returncode == 0, result.output
        article_answers = [a.status for a in site.answers if a.path in ARTICLE_PATHS]
        assert article_answers == [304] * len(ARTICLES)
        assert last_run(database_url, "rechecks, not_modified, articles_unchanged, articles_new") == (len(ARTICLES), len(ARTICLES), 0, 0)
        assert snapshot_count(database_url) == len(ARTICLES)
        seen_after = dict(query(database_url, "SELECT url, last_seen_at FROM articles"))
        assert all(seen_after[url] > seen_before[url] for url in seen_before), "a 304 moves last_seen_at"


def test_an_edited_article_is_caught_by_the_sitemap_lastmod(sqlite_url: str) -> None:
    with serve_fixture_site(sources=True) as site:
        assert run_crawl(sqlite_url, f"start_url={site.url}").returncode == 0
        site.set_version(2)
        site.requests.clear()
        result = run_crawl(sqlite_url, f"start_url={site.url}")
        assert result.returncode == 0, result.output
    edited = {f"/{EDITED_BODY_SLUG}/", f"/{EDITED_TITLE_SLUG}/"}
    assert ARTICLE_PATHS & set(site.requested_paths()) == edited
    versions = dict(query(sqlite_url, "SELECT a.url, MAX(s.version) FROM articles a JOIN snapshots s ON s.article_id = a.id GROUP BY a.url"))
    assert {url for url, version in versions.items() if version == 2} == {f"{site.url}{path.lstrip('/')}" for path in edited}


def test_due_rechecks_follow_the_time_since_the_last_check(database_url: str, fixture_site: FixtureSite) -> None:
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    fixture_site.set_version(2)
    # Forty days pass for every article but one, which was checked a moment ago.
    with open_archive(database_url).sessions.begin() as session:
        session.execute(
            update(Article)
            .where(Article.url != f"{fixture_site.url}{EDITED_TITLE_SLUG}/")
            .values(last_checked_at=datetime.now(UTC) - timedelta(days=40))
        )
    result = run_crawl(database_url, f"start_url={fixture_site.url}")
    assert result.returncode == 0, result.output
    versions = dict(query(database_url, "SELECT a.url, MAX(s.version) FROM articles a JOIN snapshots s ON s.article_id = a.id GROUP BY a.url"))
    assert versions[f"{fixture_site.url}{EDITED_BODY_SLUG}/"] == 2
    assert versions[f"{fixture_site.url}{EDITED_TITLE_SLUG}/"] == 1, "not due: its edit waits for a later run"
    assert last_run(database_url, "rechecks, articles_changed, articles_unchanged, gone") == (len(ARTICLES) - 1, 1, 5, 1)


def test_a_new_article_on_the_front_page_is_found_without_walking_all_index_pages(database_url: str, fixture_site: FixtureSite) -> None:
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    fixture_site.add_article(fresh_article("gnome-49-released", "GNOME 49 Released"))
    fixture_site.requests.clear()
    result = run_crawl(database_url, f"start_url={fixture_site.url}")
    assert result.returncode == 0, result.output
    new_url = f"{fixture_site.url}gnome-49-released/"
    assert query(database_url, "SELECT title FROM latest_snapshots WHERE url = :url", url=new_url) == [("GNOME 49 Released",)]
    paths = fixture_site.requested_paths()
    assert f"/page/{len(INDEX_PAGES)}/" not in paths
    assert not ARTICLE_PATHS & set(paths)
    assert "index page 2 lists only archived articles" in result.output


def test_full_walks_every_index_page_again(sqlite_url: str, fixture_site: FixtureSite) -> None:
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "max_pages=2").returncode == 0
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}").returncode == 0
    listed_first = len(INDEX_PAGES[0]) + len(INDEX_PAGES[1])
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(listed_first,)], "an archived index page ends discovery"
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "full=1").returncode == 0
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(len(ARTICLES),)]


def test_a_crawl_after_an_interrupted_one_walks_the_whole_site(sqlite_url: str, fixture_site: FixtureSite) -> None:
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "max_pages=2").returncode == 0
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:  # as a crawl killed after two index pages leaves its run
        connection.execute(update(CrawlRun).values(finished_at=None, finish_reason=None))
    engine.dispose()
    result = run_crawl(sqlite_url, f"start_url={fixture_site.url}")
    assert result.returncode == 0, result.output
    assert "the last crawl of the site stopped before its end; walking every index page and sitemap" in result.output
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(len(ARTICLES),)], "what the interrupted crawl had not reached is archived"
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}").returncode == 0
    assert query(sqlite_url, "SELECT COUNT(*) FROM crawl_runs WHERE finish_reason = 'finished'") == [(2,)]


def test_a_deleted_article_is_marked_gone_keeps_its_history_and_is_rechecked_a_bounded_number_of_times(
    database_url: str, fixture_site: FixtureSite
) -> None:
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    deleted = f"{fixture_site.url}{DELETED_SLUG}/"
    [(seen_before,)] = query(database_url, "SELECT last_seen_at FROM articles WHERE url = :url", url=deleted)
    fixture_site.set_version(2)
    gone_runs = ("ARCHIVE_GONE_RECHECKS=2",)
    for checks in (1, 2):
        result = run_crawl(database_url, f"start_url={fixture_site.url}", "recheck=all", settings=gone_runs)
        assert result.returncode == 0, result.output
        assert last_run(database_url, "gone") == (1,)
        [(gone_at, gone_checks, last_seen)] = query(
            database_url, "SELECT gone_at, gone_checks, last_seen_at FROM articles WHERE url = :url", url=deleted
        )
        assert gone_at is not None and gone_checks == checks and last_seen == seen_before
        if checks == 1:
            first_gone_at = gone_at
    assert gone_at == first_gone_at, "gone_at says when it first went away"
    assert query(database_url, "SELECT COUNT(*) FROM snapshots s JOIN articles a ON a.id = s.article_id WHERE a.url = :url", url=deleted) == [(1,)]

    fixture_site.requests.clear()
    assert run_crawl(database_url, f"start_url={fixture_site.url}", "recheck=all", settings=gone_runs).returncode == 0
    assert f"/{DELETED_SLUG}/" not in fixture_site.requested_paths(), "no more re-checks after the bound"
    assert last_run(database_url, "gone, rechecks") == (0, len(ARTICLES) - 1)


def test_two_overlapping_runs_do_not_both_crawl(database_url: str, fixture_site: FixtureSite) -> None:
    open_archive(database_url).close()
    fixture_site.gate = threading.Event()  # the first crawl waits for its pages until the second has run
    first = start_crawl(database_url, f"start_url={fixture_site.url}")
    try:
        while not query(database_url, "SELECT pid FROM crawl_locks"):
            assert first.poll() is None, "the first crawl ended before it took its lock"
            time.sleep(0.1)
        second = run_crawl(database_url, f"start_url={fixture_site.url}", settings=("USER_AGENT=SecondCrawl/1", "DOWNLOAD_TIMEOUT=5"))
    finally:
        fixture_site.gate.set()
        output, _ = first.communicate(timeout=300)
    assert second.returncode == 0, second.output
    assert f"{fixture_site.site}: not crawled, another crawl is running (host {socket.gethostname()}, pid {first.pid}" in second.output
    assert "SecondCrawl/1" not in fixture_site.user_agents, "the second crawl fetched nothing"
    assert first.returncode == 0, output
    runs = query(database_url, "SELECT finish_reason, requests, sites FROM crawl_runs ORDER BY id")
    assert [reason for reason, *_ in runs] == ["finished", "locked"]
    assert runs[1][1:] == (0, fixture_site.site)
    assert query(database_url, "SELECT COUNT(*) FROM articles") == [(len(ARTICLES),)]
    assert query(database_url, "SELECT COUNT(*) FROM crawl_locks") == [(0,)], "the lock is released at the end"


def test_a_stale_lock_of_a_dead_process_is_taken_over(database_url: str, fixture_site: FixtureSite) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    owner = LockOwner(LockOwner.this_process().host, int(dead.stdout))
    assert acquire_site_lock(open_archive(database_url).sessions, fixture_site.site, owner, timedelta(hours=1)).acquired
    result = run_crawl(database_url, f"start_url={fixture_site.url}")
    assert result.returncode == 0, result.output
    assert f"took over the stale lock of a crawl that stopped (host {owner.host}, pid {owner.pid})" in result.output
    assert query(database_url, "SELECT COUNT(*) FROM articles") == [(len(ARTICLES),)]
    assert query(database_url, "SELECT COUNT(*) FROM crawl_locks") == [(0,)]


def test_a_run_whose_every_request_fails_exits_3(sqlite_url: str) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = run_crawl(sqlite_url, f"start_url=http://127.0.0.1:{port}/", settings=("RETRY_TIMES=0",))
    assert result.returncode == 3, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[-1].endswith("ERROR: crawl run 1 fetched nothing: every request failed (connection-refused 1)"), "the diagnosis is the last line"
    failed = [line for line in lines if "WARNING: failed " in line or "ERROR: " in line]
    assert [line.split("] ", 1)[1] for line in failed[:-1]] == [
        f"WARNING: failed http://127.0.0.1:{port}/robots.txt: connection-refused (Connection was refused by other side: 111: Connection refused.)",
        f"WARNING: failed http://127.0.0.1:{port}/: connection-refused (Connection was refused by other side: 111: Connection refused.)",
    ], "one line per failed robots.txt or page"
    [(errors, pages)] = query(sqlite_url, "SELECT errors, pages_fetched FROM crawl_runs")
    assert errors > 0 and pages == 0


def test_jobdir_resumes_an_interrupted_first_crawl(sqlite_url: str, fixture_site: FixtureSite, tmp_path: Path) -> None:
    jobdir = f"JOBDIR={tmp_path / 'job'}"
    interrupted = run_crawl(sqlite_url, f"start_url={fixture_site.url}", settings=(jobdir, "CLOSESPIDER_PAGECOUNT=4", "CONCURRENT_REQUESTS=1"))
    assert interrupted.returncode == 0, interrupted.output
    [(reason, archived)] = query(sqlite_url, "SELECT finish_reason, articles_new FROM crawl_runs")
    assert reason == "closespider_pagecount" and 0 < archived < len(ARTICLES)
    first_paths = fixture_site.requested_paths()

    fixture_site.requests.clear()
    resumed = run_crawl(sqlite_url, f"start_url={fixture_site.url}", settings=(jobdir,))
    assert resumed.returncode == 0, resumed.output
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(len(ARTICLES),)]
    refetched = set(first_paths) & set(fixture_site.requested_paths()) - {"/robots.txt"}
    assert not refetched, "the resumed crawl goes on from the saved queue"
