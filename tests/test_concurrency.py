"""Several processes writing one archive at once: nothing lost, no article filed twice."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing import Manager
from pathlib import Path
from threading import Barrier

import pytest
from sqlalchemy import text

from archive import FetchedArticle, Outcome, open_archive, record_article
from tests.crawl import query, run_crawl
from tests.fixture_site import ARTICLES, serve_fixture_site
from tests.test_crawl import _write_profile

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
                url=url, site="example", fetched_url=url, fetched_at=datetime.now(UTC), title=url, body_text=body,
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
        counts = session.execute(text(
            "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM snapshots), (SELECT COUNT(*) FROM url_aliases)"
        )).one()
    assert tuple(counts) == (expected_articles, expected_articles, ROUNDS * (WRITERS - 1))


@pytest.mark.postgres
def test_two_crawls_of_different_sites_at_once_on_postgresql_lose_nothing(postgres_url: str, tmp_path: Path) -> None:
    with serve_fixture_site() as first, serve_fixture_site() as second:
        profiles = [_write_profile(tmp_path, site, name) for site, name in ((first, "first"), (second, "second"))]
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda path: run_crawl(postgres_url, f"profile={path}"), profiles))
    assert [r.returncode for r in results] == [0, 0], results[0].output + results[1].output
    counts = query(
        postgres_url,
        "SELECT a.site, COUNT(DISTINCT a.id), COUNT(s.id), COUNT(s.response_id) FROM articles a "
        "JOIN snapshots s ON s.article_id = a.id GROUP BY a.site ORDER BY a.site",
    )
    assert counts == [("first", len(ARTICLES), len(ARTICLES), len(ARTICLES)), ("second", len(ARTICLES), len(ARTICLES), len(ARTICLES))]
    assert query(postgres_url, "SELECT sites, articles_new, errors FROM crawl_runs ORDER BY sites") == [
        ("first", len(ARTICLES), 0), ("second", len(ARTICLES), 0)
    ]
