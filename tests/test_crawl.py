"""End-to-end: real ``scrapy crawl`` runs against the fixture site, checked with real SQL."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.crawler import CrawlerRunner
from scrapy.utils.project import get_project_settings

from archive.canonical_urls import canonicalize_url
from crawler.profiles import load_profiles
from crawler.spider_settings import SWITCHED_OFF_COMPONENTS
from crawler.spiders.news import NewsSpider
from tests.crawl import CrawlResult, query, run_crawl, start_crawl, write_profile
from tests.damaged_archives import MALFORMED, damage_tables
from tests.fixture_site import (
    ADDED_PARAGRAPH,
    AMP_SLUG,
    ARTICLES,
    BAD_PAGES,
    DELETED_SLUG,
    EDITED_BODY_SLUG,
    EDITED_TITLE_SLUG,
    INDEX_PAGES,
    LATIN1_PARAGRAPHS,
    LATIN1_SLUG,
    LATIN1_TITLE,
    MIRRORED_SLUG,
    MISCONFIGURED_SLUG,
    FixtureSite,
    article_paragraphs,
    article_title,
    serve_fixture_site,
)

ARCHIVE_COMMAND = (sys.executable, "-m", "crawler.cli")
"""The ``archive`` command of the code under test, whatever ``archive`` is first on PATH."""
BOILERPLATE_PHRASES = (
    "Share this",
    "Twitter",
    "Related Articles",
    "You may also like",
    "newsletter",
    "Advertisement",
    "Sponsored",
    "Great article",
    "writes about Linux",
    "Image credit",
    "Comments",
    "Trending",
    "Popular posts",
    "All rights reserved",
    "shares",
)


def expected_body(slug: str, version: int) -> str:
    article = next(a for a in ARTICLES if a.slug == slug)
    paragraphs = article_paragraphs(article, version)
    return "\n\n".join([*paragraphs[:2], f"What is new in {article.topic}", *paragraphs[2:]])


@dataclass(frozen=True)
class FirstCrawl:
    """One crawl of the fixture site (version 1) into a new SQLite archive, read by the tests that only read it."""

    site: FixtureSite
    sqlite_url: str
    result: CrawlResult
    started: datetime


@pytest.fixture(scope="module")
def first_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstCrawl]:
    with serve_fixture_site() as site:
        sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('first-crawl') / 'archive.db'}"
        started = datetime.now(UTC)
        yield FirstCrawl(site, sqlite_url, run_crawl(sqlite_url, f"start_url={site.url}"), started)


reads_the_first_crawl = pytest.mark.xdist_group("first-crawl")
"""Tests of the shared first crawl run in one test process, which makes it once."""


def article_urls(site: FixtureSite) -> set[str]:
    return {f"{site.url}{a.slug}/" for a in ARTICLES}


@reads_the_first_crawl
def test_first_crawl_archives_every_article_once_with_clean_bodies(first_crawl: FirstCrawl) -> None:
    fixture_site, sqlite_url, result = first_crawl.site, first_crawl.sqlite_url, first_crawl.result
    assert result.returncode == 0, result.output

    urls = {url for (url,) in query(sqlite_url, "SELECT url FROM articles")}
    assert urls == article_urls(fixture_site)
    assert query(sqlite_url, "SELECT COUNT(*) FROM snapshots") == [(len(ARTICLES),)]

    for url, title, body in query(sqlite_url, "SELECT url, title, body_text FROM latest_snapshots"):
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        assert body == expected_body(slug, 1), url
        assert title == next(a.title for a in ARTICLES if a.slug == slug)
        assert not [phrase for phrase in BOILERPLATE_PHRASES if phrase in body], url

    aliases = dict(query(sqlite_url, "SELECT url_aliases.url, articles.url FROM url_aliases JOIN articles ON articles.id = url_aliases.article_id"))
    assert aliases == {
        f"{fixture_site.url}{AMP_SLUG}/amp/": f"{fixture_site.url}{AMP_SLUG}/",
        f"{fixture_site.url}mirror/{MIRRORED_SLUG}-copy/": f"{fixture_site.url}{MIRRORED_SLUG}/",
    }

    paths = fixture_site.requested_paths()
    assert "/private/secret-article/" not in paths, "robots.txt disallows /private/"
    assert not [host for host, _ in fixture_site.requests if not host.startswith("127.0.0.1")], "left the site"
    assert not {"/about/", "/privacy-policy/", "/tag/linux/", "/category/news/", "/author/arindam/"} & set(paths)
    assert {"/", "/page/2/", "/page/3/"} <= set(paths)


@reads_the_first_crawl
def test_a_clean_crawl_logs_no_warning(first_crawl: FirstCrawl) -> None:
    """A site that answers well gives a log without warnings: a deprecated Scrapy call would print two per run."""
    assert first_crawl.result.returncode == 0
    assert not [line for line in first_crawl.result.output.splitlines() if "WARNING" in line or "Deprecat" in line]


@reads_the_first_crawl
def test_metadata_is_archived_in_utc(first_crawl: FirstCrawl) -> None:
    fixture_site, sqlite_url = first_crawl.site, first_crawl.sqlite_url
    assert first_crawl.result.returncode == 0
    rows = query(
        sqlite_url,
        "SELECT authors, published_at, language, tags FROM latest_snapshots WHERE url = :url",
        url=f"{fixture_site.url}fedora-41-released/",
    )
    authors, published_at, language, tags = rows[0]
    assert authors == '["Arindam Sen"]'
    # 08:15 at +05:30 is 02:45 UTC.
    assert str(published_at).startswith("2026-10-29 02:45:00")
    assert language == "en-US"
    assert "Fedora" in tags


def test_recrawl_of_changed_site_snapshots_only_real_changes(fixture_site: FixtureSite, database_url: str) -> None:
    assert run_crawl(database_url, f"start_url={fixture_site.url}").returncode == 0
    first_seen = dict(query(database_url, "SELECT url, last_seen_at FROM articles"))
    fixture_site.set_version(2)
    result = run_crawl(database_url, f"start_url={fixture_site.url}", "recheck=all")
    assert result.returncode == 0, result.output

    versions = dict(query(database_url, "SELECT a.url, COUNT(s.id) FROM articles a JOIN snapshots s ON s.article_id = a.id GROUP BY a.url"))
    changed = {f"{fixture_site.url}{EDITED_BODY_SLUG}/", f"{fixture_site.url}{EDITED_TITLE_SLUG}/"}
    assert versions == {url: 2 if url in changed else 1 for url in article_urls(fixture_site)}

    body = query(database_url, "SELECT body_text FROM latest_snapshots WHERE url = :url", url=f"{fixture_site.url}{EDITED_BODY_SLUG}/")
    assert body == [(expected_body(EDITED_BODY_SLUG, 2),)] and ADDED_PARAGRAPH in body[0][0]
    title = query(database_url, "SELECT title FROM latest_snapshots WHERE url = :url", url=f"{fixture_site.url}{EDITED_TITLE_SLUG}/")
    edited = next(a for a in ARTICLES if a.slug == EDITED_TITLE_SLUG)
    assert title == [(article_title(edited, 2),)]

    last_seen = dict(query(database_url, "SELECT url, last_seen_at FROM articles"))
    deleted = f"{fixture_site.url}{DELETED_SLUG}/"
    assert last_seen[deleted] == first_seen[deleted], "a deleted article keeps its history, unseen since"
    assert all(last_seen[url] > first_seen[url] for url in last_seen if url != deleted)

    runs = query(
        database_url,
        "SELECT articles_new, articles_changed, articles_unchanged, duplicates, finished_at FROM crawl_runs ORDER BY id",
    )
    # Unchanged in run 2: the five live articles that did not change. The AMP and mirror copies are
    # duplicates in run 1; run 2 re-checks archived articles at their own URLs and does not fetch known copies.
    assert [run[:4] for run in runs] == [(len(ARTICLES), 0, 0, 2), (0, 2, 5, 0)]
    assert all(run[4] is not None for run in runs)


def test_max_pages_bounds_the_index_pages_followed(fixture_site: FixtureSite, sqlite_url: str) -> None:
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "max_pages=1").returncode == 0
    urls = {url for (url,) in query(sqlite_url, "SELECT url FROM articles")}
    assert urls == {f"{fixture_site.url}{slug}/" for slug in INDEX_PAGES[0]}
    assert "/page/2/" not in fixture_site.requested_paths()


@reads_the_first_crawl
def test_tracking_parameters_never_reach_the_archive(first_crawl: FirstCrawl) -> None:
    sqlite_url = first_crawl.sqlite_url
    assert first_crawl.result.returncode == 0
    stored = query(sqlite_url, "SELECT url FROM articles UNION ALL SELECT url FROM url_aliases UNION ALL SELECT fetched_url FROM snapshots")
    assert stored and all("utm_" not in url and "#" not in url and url == canonicalize_url(url) for (url,) in stored)


def test_unusable_database_stops_before_any_fetch(fixture_site: FixtureSite, tmp_path) -> None:
    result = run_crawl(f"sqlite:///{tmp_path}/missing/archive.db", f"start_url={fixture_site.url}")
    assert result.returncode == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert errors == [f"error: archive database '{tmp_path}/missing/archive.db': directory '{tmp_path}/missing' does not exist"]
    assert fixture_site.requests == []


ARCHIVE_DAMAGED = "the file is damaged: `archive check` lists what is wrong, and SQLite's `.recover` saves what can still be read into a new file"


@pytest.mark.parametrize(
    "damaged",
    [
        pytest.param("crawl_locks", id="site locks: taken first"),
        pytest.param("crawl_runs", id="crawl runs: recorded at the start"),
        pytest.param("articles", id="articles: read before the first request"),
    ],
)
def test_an_archive_damaged_where_a_crawl_starts_stops_it_before_any_fetch(fixture_site: FixtureSite, sqlite_url: str, damaged: str) -> None:
    damage_tables(sqlite_url, damaged)
    result = run_crawl(sqlite_url, f"start_url={fixture_site.url}")
    assert result.returncode == 1, result.output
    errors = [line.split("] ", 1)[1] for line in result.output.splitlines() if " ERROR: " in line]
    assert errors == [f"ERROR: archive database {sqlite_url} failed: {MALFORMED}; {ARCHIVE_DAMAGED}"], result.output
    assert "Traceback" not in result.output
    assert fixture_site.requests == []


@pytest.mark.parametrize(
    ("batch_size", "finish_reason"),
    [pytest.param(1, "archive-failed", id="written while crawling: the crawl stops"), pytest.param(100, "finished", id="written at the end")],
)
def test_an_archive_damaged_where_a_crawl_writes_is_one_error_line_and_exit_1(
    fixture_site: FixtureSite, sqlite_url: str, batch_size: int, finish_reason: str
) -> None:
    damage_tables(sqlite_url, "raw_pages")
    result = run_crawl(sqlite_url, f"start_url={fixture_site.url}", settings=(f"ARCHIVE_WRITE_BATCH_SIZE={batch_size}",))
    assert result.returncode == 1, result.output
    errors = [line.split("] ", 1)[1] for line in result.output.splitlines() if " ERROR: " in line]
    assert errors == [f"ERROR: archive database {sqlite_url} failed: {MALFORMED}; {ARCHIVE_DAMAGED}"], result.output
    assert "Traceback" not in result.output
    assert query(sqlite_url, "SELECT finish_reason, articles_new FROM crawl_runs") == [(finish_reason, 0)]
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(0,)]


@pytest.mark.parametrize(
    "damaged",
    [pytest.param("crawl_locks", id="site locks: released at the end"), pytest.param("crawl_runs", id="crawl runs: completed at the end")],
)
def test_an_archive_damaged_where_a_crawl_ends_is_one_error_line_and_keeps_its_articles(
    fixture_site: FixtureSite, sqlite_url: str, damaged: str
) -> None:
    """The crawl has taken its locks and recorded its start; its pages wait until the table it writes last is damaged."""
    fixture_site.gate = threading.Event()
    crawl = start_crawl(sqlite_url, f"start_url={fixture_site.url}")
    try:
        deadline = time.monotonic() + 30
        while not (query(sqlite_url, "SELECT COUNT(*) FROM crawl_locks, crawl_runs") == [(1,)] and fixture_site.requests):
            assert crawl.poll() is None and time.monotonic() < deadline, "the crawl ended before it started"
            time.sleep(0.05)
        damage_tables(sqlite_url, damaged)
    finally:
        fixture_site.gate.set()
        output, _ = crawl.communicate(timeout=300)
    assert crawl.returncode == 1, output
    errors = [line.split("] ", 1)[1] for line in output.splitlines() if " ERROR: " in line]
    assert errors == [f"ERROR: archive database {sqlite_url} failed: {MALFORMED}; {ARCHIVE_DAMAGED}"], output
    assert "Traceback" not in output
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(len(ARTICLES),)]


@pytest.mark.parametrize("recheck", ["due", "all", "none"])
def test_recheck_argument_is_accepted(fixture_site: FixtureSite, sqlite_url: str, recheck: str) -> None:
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", f"recheck={recheck}", "max_pages=1").returncode == 0
    assert query(sqlite_url, "SELECT COUNT(*) FROM articles") == [(len(INDEX_PAGES[0]),)]


def test_invalid_arguments_fail_clearly(fixture_site: FixtureSite, sqlite_url: str) -> None:
    result = run_crawl(sqlite_url, f"start_url={fixture_site.url}", "recheck=sometimes")
    assert result.returncode != 0
    assert "recheck='sometimes': expected one of due, all, none" in result.output
    assert fixture_site.requests == []


@reads_the_first_crawl
def test_crawl_run_is_recorded(first_crawl: FirstCrawl) -> None:
    fixture_site, sqlite_url, before = first_crawl.site, first_crawl.sqlite_url, first_crawl.started
    assert first_crawl.result.returncode == 0
    [(mode, sites, pages, new, duplicates, not_articles, errors, reason)] = query(
        sqlite_url,
        "SELECT mode, sites, pages_fetched, articles_new, duplicates, not_articles, errors, finish_reason FROM crawl_runs",
    )
    assert (mode, sites, new, reason) == ("start_url", fixture_site.site, len(ARTICLES), "finished")
    assert duplicates == 2  # the AMP page (another URL by rel=canonical) and the mirror copy (the same body)
    assert errors == 0 and not_articles == 0
    # Index pages and article pages (the AMP and mirror copies too); not robots.txt, not what was refused.
    assert pages == len(INDEX_PAGES) + len(ARTICLES) + 2
    [(started,)] = query(sqlite_url, "SELECT started_at FROM crawl_runs")
    assert started is not None
    assert datetime.fromisoformat(str(started)).replace(tzinfo=UTC) >= before.replace(microsecond=0)


def test_bad_pages_are_counted_and_skipped_and_the_crawl_goes_on(sqlite_url: str) -> None:
    with serve_fixture_site(bad_pages=True) as site:
        result = run_crawl(sqlite_url, f"start_url={site.url}")
        assert result.returncode == 0, result.output
        urls = {url for (url,) in query(sqlite_url, "SELECT url FROM articles")}
        assert urls == article_urls(site) | {f"{site.url}{LATIN1_SLUG}/", f"{site.url}{MISCONFIGURED_SLUG}/"}
        assert not [path for path in BAD_PAGES if f"{site.url}{path.lstrip('/')}" in urls]

    # The Latin-1 page declares its charset only in <meta>: its accents survive.
    [(title, body)] = query(sqlite_url, "SELECT title, body_text FROM latest_snapshots WHERE url LIKE '%latin1%'")
    assert title == LATIN1_TITLE
    assert body.split("\n\n")[:2] == list(LATIN1_PARAGRAPHS[:2])
    assert query(sqlite_url, "SELECT COUNT(*) FROM snapshots WHERE body_text = ''") == [(0,)]
    [(errors, new)] = query(sqlite_url, "SELECT errors, articles_new FROM crawl_runs")
    assert (errors, new) == (len(BAD_PAGES), len(ARTICLES) + 2)


def test_site_profile_from_the_user_directory(fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path) -> None:
    write_profile(tmp_path, fixture_site.url)
    result = run_crawl(sqlite_url, "site=tuxdaily", settings=(f"ARCHIVE_PROFILES_DIR={tmp_path}",))
    assert result.returncode == 0, result.output
    rows = query(sqlite_url, "SELECT url, site, body_text, extractor FROM latest_snapshots")
    # The profile's article_links skip the AMP and mirror links, which have no entry-title class.
    assert {url for url, *_ in rows} == article_urls(fixture_site)
    for url, site, body, extractor in rows:
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        assert (site, body) == ("tuxdaily", expected_body(slug, 1))
        assert extractor.endswith("/profile")
    assert query(sqlite_url, "SELECT COUNT(*) FROM url_aliases") == [(0,)]


def test_profile_file_and_every_enabled_profile(fixture_site: FixtureSite, sqlite_url: str, tmp_path: Path) -> None:
    profile = write_profile(tmp_path, fixture_site.url)
    assert run_crawl(sqlite_url, f"profile={profile}", "max_pages=1").returncode == 0
    assert query(sqlite_url, "SELECT DISTINCT site FROM articles") == [("tuxdaily",)]

    # A bare `scrapy crawl news` crawls every enabled profile: here the user's, with the
    # built-in ones replaced by disabled copies so that no test ever leaves this machine.
    for builtin in load_profiles():
        write_profile(tmp_path, fixture_site.url, name=builtin, enabled="false")
    # full=1: the first run stopped after one index page, so the archived front page must not end this one.
    result = run_crawl(sqlite_url, "full=1", settings=(f"ARCHIVE_PROFILES_DIR={tmp_path}",))
    assert result.returncode == 0, result.output
    assert query(sqlite_url, "SELECT COUNT(*), COUNT(DISTINCT site) FROM articles") == [(len(ARTICLES), 1)]
    assert query(sqlite_url, "SELECT mode, sites FROM crawl_runs ORDER BY id") == [("profile", "tuxdaily"), ("all", "tuxdaily")]


def test_unknown_site_profile_is_a_clear_error(fixture_site: FixtureSite, sqlite_url: str) -> None:
    result = run_crawl(sqlite_url, "site=no-such-site")
    assert result.returncode != 0
    assert "no site profile named 'no-such-site' (known: 9to5linux, debugpoint, omgubuntu)" in result.output


def test_archive_command_reads_what_the_crawl_wrote(fixture_site: FixtureSite, sqlite_url: str) -> None:
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}").returncode == 0
    fixture_site.set_version(2)
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "recheck=all").returncode == 0
    url = f"{fixture_site.url}{EDITED_BODY_SLUG}/?utm_source=newsletter"

    history = subprocess.run([*ARCHIVE_COMMAND, "--db", sqlite_url, "history", url], capture_output=True, text=True, check=True)
    assert [line.split()[0] for line in history.stdout.splitlines()[2:]] == ["v1", "v2"]
    diff = subprocess.run([*ARCHIVE_COMMAND, "--db", sqlite_url, "diff", url], capture_output=True, text=True, check=True)
    assert f"+{ADDED_PARAGRAPH}" in diff.stdout.splitlines()
    assert not [line for line in diff.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]


def test_user_agent_names_the_crawler_and_its_contact_url(fixture_site: FixtureSite, sqlite_url: str) -> None:
    contact = ("ARCHIVE_CONTACT_URL=https://example.org/about-our-bot",)
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "max_pages=1", settings=contact).returncode == 0
    [agent] = fixture_site.user_agents
    assert agent.startswith("technews-archive/") and agent.endswith("(+https://example.org/about-our-bot)")

    fixture_site.user_agents.clear()
    assert run_crawl(sqlite_url, f"start_url={fixture_site.url}", "max_pages=1", settings=("USER_AGENT=MyBot/2",)).returncode == 0
    assert fixture_site.user_agents == {"MyBot/2"}


@pytest.mark.parametrize("switched_on", [False, True])
def test_scrapy_components_switched_off_are_not_loaded(switched_on: bool) -> None:
    settings = get_project_settings()
    for switch, _, _ in SWITCHED_OFF_COMPONENTS:
        settings.set(switch, switched_on, "cmdline")
    runner = CrawlerRunner(settings)
    crawler = runner.create_crawler(runner.create_crawler(NewsSpider))  # the second call applies the runner's settings again
    loaded = {**crawler.settings.getdict("EXTENSIONS_BASE"), **crawler.settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")}
    assert {component: loaded[component] is not None for _, _, component in SWITCHED_OFF_COMPONENTS} == {
        component: switched_on for _, _, component in SWITCHED_OFF_COMPONENTS
    }
