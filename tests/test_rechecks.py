"""Re-check state in the archive (``archive.rechecks``): due policy, validators, 304 and gone records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from archive.db import open_archive
from archive.models import Article
from archive.rechecks import (
    KnownArticle,
    RecheckMode,
    RecheckPolicy,
    known_articles,
    record_gone,
    record_not_modified,
)
from archive.records import FetchedArticle
from archive.store import record_article

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
URL = "https://news.example/gnome-48/"
BODY = "GNOME 48 arrives with a rewritten file chooser and triple buffering for smoother animations. " * 8
POLICY = RecheckPolicy(min_interval=timedelta(hours=1), max_interval=timedelta(days=30), factor=0.25, gone_rechecks=3)


def known(checked_ago: timedelta, changed_ago: timedelta, gone_checks: int = 0) -> KnownArticle:
    return KnownArticle(1, URL, NOW - checked_ago, NOW - changed_ago, gone_checks=gone_checks)


@pytest.mark.parametrize(
    ("unchanged_for", "interval"),
    [
        (timedelta(0), timedelta(hours=1)),  # just changed: the lower bound
        (timedelta(days=1), timedelta(hours=6)),
        (timedelta(days=8), timedelta(days=2)),
        (timedelta(days=400), timedelta(days=30)),  # the upper bound
    ],
)
def test_the_interval_grows_with_the_time_since_the_last_change_within_bounds(unchanged_for: timedelta, interval: timedelta) -> None:
    assert POLICY.interval(unchanged_for) == interval


@pytest.mark.parametrize(
    ("article", "mode", "wanted"),
    [
        (known(timedelta(hours=7), timedelta(days=1)), RecheckMode.DUE, True),
        (known(timedelta(hours=5), timedelta(days=1)), RecheckMode.DUE, False),
        (known(timedelta(days=20), timedelta(days=365)), RecheckMode.DUE, False),
        (known(timedelta(days=31), timedelta(days=365)), RecheckMode.DUE, True),
        (known(timedelta(0), timedelta(0)), RecheckMode.ALL, True),
        (known(timedelta(days=99), timedelta(days=99)), RecheckMode.NONE, False),
        (known(timedelta(days=99), timedelta(days=99), gone_checks=2), RecheckMode.DUE, True),
        (known(timedelta(days=99), timedelta(days=99), gone_checks=3), RecheckMode.ALL, False),
    ],
)
def test_which_articles_a_run_rechecks(article: KnownArticle, mode: RecheckMode, wanted: bool) -> None:
    assert POLICY.wants(article, mode, NOW) is wanted


def record(database_url: str, fetched_at: datetime, body: str = BODY, **extra: object) -> None:
    fetched = FetchedArticle(
        url=URL,
        site="example",
        fetched_url=URL,
        fetched_at=fetched_at,
        title="GNOME 48",
        body_text=body,
        published_at=NOW - timedelta(days=10),
        extractor="test",
        **extra,  # type: ignore[arg-type]
    )
    record_article(open_archive(database_url).sessions, fetched)


def state(database_url: str) -> KnownArticle:
    with open_archive(database_url).sessions() as session:
        [article] = known_articles(session, "example")
        return article


def test_validators_and_last_change_come_from_the_fetches(database_url: str) -> None:
    record(database_url, NOW, etag='"v1"', last_modified="Thu, 26 Nov 2026 11:00:00 GMT")
    article = state(database_url)
    assert article.conditional_headers() == {"If-None-Match": '"v1"', "If-Modified-Since": "Thu, 26 Nov 2026 11:00:00 GMT"}
    assert (article.last_checked_at, article.last_changed_at) == (NOW, NOW - timedelta(days=10)), "a first version changed when published"

    later = NOW + timedelta(days=1)
    record(database_url, later, body=BODY + " Update.", etag='"v2"')
    article = state(database_url)
    assert (article.last_checked_at, article.last_changed_at, article.etag, article.last_modified) == (later, later, '"v2"', None)


def gone_state(database_url: str) -> tuple[datetime | None, int, datetime, datetime | None]:
    with open_archive(database_url).sessions() as session:
        row = session.execute(select(Article.gone_at, Article.gone_checks, Article.last_seen_at, Article.last_checked_at)).one()
        return row[0], row[1], row[2], row[3]


def test_gone_records_when_it_went_away_and_a_304_brings_it_back(database_url: str) -> None:
    record(database_url, NOW)
    sessions = open_archive(database_url).sessions
    article_id = state(database_url).id
    assert [record_gone(sessions, article_id, NOW + timedelta(days=n)) for n in (1, 2)] == [1, 2]
    assert gone_state(database_url) == (NOW + timedelta(days=1), 2, NOW, NOW + timedelta(days=2))

    back = NOW + timedelta(days=3)
    record_not_modified(sessions, [article_id], back)
    assert gone_state(database_url) == (None, 0, back, back)


def test_a_page_fetched_again_at_its_url_is_no_longer_gone(database_url: str) -> None:
    record(database_url, NOW)
    record_gone(open_archive(database_url).sessions, state(database_url).id, NOW + timedelta(days=1))
    record(database_url, NOW + timedelta(days=2))
    assert gone_state(database_url)[:2] == (None, 0)
