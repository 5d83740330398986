"""Several processes writing one archive at once: nothing lost, no article filed twice."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import Manager
from threading import Barrier

from sqlalchemy import text

from archive import FetchedArticle, Outcome, open_archive, record_article

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
