"""Several processes writing one archive at once (writers, then whole crawls): nothing lost, no article filed twice."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from multiprocessing import Manager
from threading import Barrier

from sqlalchemy import text

from archive.db import open_archive
from archive.integrity import check_archive
from archive.records import FetchedArticle
from archive.store import Outcome, record_article
from tests.crawl import query, start_crawl
from tests.generated_site import GeneratedSite, article_slug, article_title
from tests.local_server import serve

WRITERS = 4
ROUNDS = 15


def write_articles(database_url: str, writer: int, start: Barrier) -> list[str]:
    """Each round: a story of this writer's own, the same press release under this writer's URL, one shared URL."""
    sessions = open_archive(database_url).sessions
    start.wait()
    outcomes = []
    for number in range(ROUNDS):
        for url, body in (
            (f"https://news.example/w{writer}/release-{number}/", f"Press release {number}, the same everywhere. " * 15),
            (f"https://news.example/w{writer}/story-{number}/", f"Story {number} of writer {writer}. " * 30),
            (f"https://news.example/everyone-{number}/", f"One article all writers fetch at once, number {number}. " * 15),
        ):
            fetched = FetchedArticle(
                url=url,
                site="example",
                fetched_url=url,
                fetched_at=datetime.now(UTC),
                title=url,
                body_text=body,
                extractor="test",
            )
            outcomes.append(record_article(sessions, fetched).outcome.value)
    return outcomes


def test_concurrent_writers_lose_nothing_and_merge_same_bodies(database_url: str) -> None:
    open_archive(database_url)  # the schema exists before the writers start
    with Manager() as manager, ProcessPoolExecutor(WRITERS) as pool:
        start = manager.Barrier(WRITERS)
        results = list(pool.map(write_articles, [database_url] * WRITERS, range(WRITERS), [start] * WRITERS))
    outcomes = [outcome for result in results for outcome in result]
    expected_articles = ROUNDS * (WRITERS + 2)  # every writer's stories, one press release, one shared URL per round
    assert outcomes.count(Outcome.NEW.value) == expected_articles

    with open_archive(database_url).sessions() as session:
        counts = session.execute(
            text("SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM snapshots), (SELECT COUNT(*) FROM url_aliases)")
        ).one()
    assert tuple(counts) == (expected_articles, expected_articles, ROUNDS * (WRITERS - 1))


SITES = 4
ARTICLES_PER_SITE = 60


def test_concurrent_crawls_of_different_sites_lose_nothing(database_url: str) -> None:
    """Four ``scrapy crawl`` processes, four sites, one archive, all at once."""
    open_archive(database_url).close()
    with serve(GeneratedSite(articles=ARTICLES_PER_SITE, per_page=10)) as server:
        crawls = [start_crawl(database_url, f"start_url=http://site-{n}.example/", "max_pages=0", env=server.proxy) for n in range(SITES)]
        outputs = [crawl.communicate(timeout=300)[0] for crawl in crawls]
    for crawl, output in zip(crawls, outputs, strict=True):
        assert crawl.returncode == 0, output
        assert "database is locked" not in output and "could not archive" not in output
    runs = query(database_url, "SELECT sites, articles_new, errors, finish_reason FROM crawl_runs ORDER BY sites")
    assert runs == [(f"site-{n}.example", ARTICLES_PER_SITE, 0, "finished") for n in range(SITES)]
    per_site = query(database_url, "SELECT site, COUNT(*), COUNT(DISTINCT url) FROM latest_snapshots GROUP BY site ORDER BY site")
    assert per_site == [(f"site-{n}.example", ARTICLES_PER_SITE, ARTICLES_PER_SITE) for n in range(SITES)]
    assert query(database_url, "SELECT COUNT(*) FROM snapshots") == [(SITES * ARTICLES_PER_SITE,)]
    for host, number in [(f"site-{n}.example", k) for n in range(SITES) for k in (1, ARTICLES_PER_SITE)]:
        [(title,)] = query(database_url, "SELECT title FROM latest_snapshots WHERE url = :url", url=f"http://{host}/{article_slug(number)}/")
        assert title == article_title(host, number)
    with open_archive(database_url).sessions() as session:
        assert check_archive(session) == []


def test_concurrent_zero_configuration_crawls_of_four_origins_on_one_host_lose_nothing(sqlite_url: str) -> None:
    """Four sites on 127.0.0.1 at four ports are four sites: each crawl takes its own lock and archives its own articles."""
    open_archive(sqlite_url).close()
    articles = 12
    with ExitStack() as servers:
        ports = [servers.enter_context(serve(GeneratedSite(articles=articles, per_page=6))).port for _ in range(SITES)]
        crawls = [start_crawl(sqlite_url, f"start_url=http://127.0.0.1:{port}/", "max_pages=0") for port in ports]
        outputs = [crawl.communicate(timeout=300)[0] for crawl in crawls]
    for crawl, output in zip(crawls, outputs, strict=True):
        assert crawl.returncode == 0, output
        assert "not crawled, another crawl is running" not in output
    sites = sorted(f"127.0.0.1:{port}" for port in ports)
    runs = query(sqlite_url, "SELECT sites, articles_new, errors, finish_reason FROM crawl_runs ORDER BY sites")
    assert runs == [(site, articles, 0, "finished") for site in sites]
    # Every site serves the same text (it depends on the host name alone): each is archived under its own site all the same.
    per_site = query(
        sqlite_url, "SELECT site, COUNT(*), COUNT(DISTINCT url), MIN(url) LIKE 'http://' || site || '/%' FROM articles GROUP BY site ORDER BY site"
    )
    assert per_site == [(site, articles, articles, 1) for site in sites]
    assert query(sqlite_url, "SELECT COUNT(*) FROM url_aliases") == [(0,)]
