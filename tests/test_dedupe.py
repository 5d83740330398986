"""One article, one row: a short article mirrored under another URL is the same article when its title and body are."""

from __future__ import annotations

from archive.db import open_archive
from archive.store import Outcome, record_article
from tests.test_store import fetched, rows

SHORT_BODY = "Apple shipped macOS 15.2 with a fix for the Wi-Fi bug."


def test_same_title_and_same_short_body_under_another_url_is_an_alias(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    original = record_article(sessions, fetched(url="https://news.example/a/", title="macOS 15.2 is out", body_text=SHORT_BODY))
    mirror = record_article(sessions, fetched(url="https://news.example/mirror/a/", title="macOS  15.2 is out ", body_text=SHORT_BODY))
    assert (mirror.outcome, mirror.article_id) == (Outcome.DUPLICATE, original.article_id)
    assert rows(sessions, "SELECT url FROM url_aliases") == [("https://news.example/mirror/a/",)]


def test_same_short_body_under_another_title_is_another_article(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched(url="https://news.example/a/", title="macOS 15.2 is out", body_text=SHORT_BODY))
    other = record_article(sessions, fetched(url="https://news.example/b/", title="Wi-Fi bug fixed", body_text=SHORT_BODY))
    assert other.outcome is Outcome.NEW
    assert rows(sessions, "SELECT COUNT(*) FROM articles") == [(2,)]
