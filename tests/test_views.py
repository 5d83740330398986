"""The reader views: edited articles and daily counts per site, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from archive.db import open_archive
from archive.records import FetchedArticle
from archive.store import Outcome, record_article, record_reextraction
from tests.crawl import query

MONDAY = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)


def story(url: str, body: str, when: datetime, published: datetime | None = None) -> FetchedArticle:
    return FetchedArticle(
        url=url,
        site=url.split("/")[2],
        fetched_url=url,
        fetched_at=when,
        title=url,
        body_text=body,
        published_at=published,
        extractor="test",
    )


def as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def test_edited_articles_and_daily_counts(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    edited, quiet = "https://a.example/edited/", "https://a.example/quiet/"
    published, quiet_published = MONDAY - timedelta(hours=1), MONDAY - timedelta(days=1)
    record_article(sessions, story(edited, "First text.", MONDAY, published))
    record_article(sessions, story(edited, "Second text.", MONDAY + timedelta(hours=1), published))  # Tuesday 00:30 UTC
    record_article(sessions, story(edited, "Third text.", MONDAY + timedelta(days=1), published))
    record_article(sessions, story(quiet, "Quiet text.", MONDAY, quiet_published))
    record_article(sessions, story("https://b.example/other/", "Other site.", MONDAY + timedelta(days=2)))
    [(quiet_snapshot,)] = query(database_url, "SELECT snapshot_id FROM latest_snapshots WHERE url = :url", url=quiet)
    assert record_reextraction(sessions, quiet_snapshot, story(quiet, "Quiet text, better.", MONDAY, quiet_published)) is Outcome.CHANGED

    [row] = query(database_url, "SELECT url, site, edits, first_fetched_at, last_edit_seen_at FROM edited_articles")
    assert row[:3] == (edited, "a.example", 2)  # the re-extraction of the quiet article is no edit
    assert str(row[3]).startswith("2026-11-23 23:30") and str(row[4]).startswith("2026-11-24 23:30")

    counts = {
        (site, as_date(day)): (int(p), int(f), int(e))
        for site, day, p, f, e in query(database_url, "SELECT site, day, published, first_seen, edits FROM daily_site_counts")
    }
    assert counts == {
        ("a.example", date(2026, 11, 22)): (1, 0, 0),
        ("a.example", date(2026, 11, 23)): (1, 2, 0),
        ("a.example", date(2026, 11, 24)): (0, 0, 2),
        ("b.example", date(2026, 11, 25)): (0, 1, 0),
    }
