"""Change tracking in the archive store, on SQLite and PostgreSQL, checked with real SQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from archive.db import open_archive
from archive.records import FetchedArticle, RawResponse
from archive.store import Outcome, record_article, record_articles, record_reextraction, record_reextractions

BODY = (
    "GNOME 48 arrives with a rewritten file chooser and triple buffering.\n\n"
    "The release also brings HDR support to the compositor and faster search in Files."
)
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fetched(url: str = "https://news.example/gnome-48/", **changes: object) -> FetchedArticle:
    values: dict[str, object] = dict(
        url=url,
        site="example",
        fetched_url=url,
        fetched_at=MONDAY,
        title="GNOME 48 released",
        body_text=BODY * 4,
        authors=["Ada Lovelace"],
        published_at=datetime(2026, 11, 22, 18, 30, tzinfo=timezone(timedelta(hours=2))),
        extractor="test",
    )
    values.update(changes)
    return FetchedArticle(**values)  # type: ignore[arg-type]


def rows(sessions, sql: str) -> list[tuple]:
    with sessions() as session:
        return [tuple(row) for row in session.execute(text(sql))]


def test_unchanged_refetch_writes_no_snapshot_only_last_seen(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    assert record_article(sessions, fetched()).outcome is Outcome.NEW
    later = MONDAY + timedelta(hours=1)
    # Whitespace and invisible characters are not changes of the article.
    same = fetched(fetched_at=later, body_text=BODY.replace(" ", "  \u200b") * 4)
    assert record_article(sessions, same).outcome is Outcome.UNCHANGED

    assert rows(sessions, "SELECT COUNT(*) FROM snapshots") == [(1,)]
    with sessions() as session:
        first_seen, last_seen = session.execute(text("SELECT first_seen_at, last_seen_at FROM articles")).one()
    assert str(first_seen).startswith("2026-11-23 09:00")
    assert str(last_seen).startswith("2026-11-23 10:00")


def test_changed_body_adds_one_version_and_latest_view_shows_it(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched())
    edited = fetched(fetched_at=MONDAY + timedelta(days=1), body_text=BODY + "\n\nUpdate: GNOME 48.1 is out.")
    result = record_article(sessions, edited)
    assert (result.outcome, result.version) == (Outcome.CHANGED, 2)

    assert rows(sessions, "SELECT version FROM snapshots ORDER BY version") == [(1,), (2,)]
    latest = rows(sessions, "SELECT url, version, body_text FROM latest_snapshots")
    assert len(latest) == 1 and latest[0][1] == 2 and latest[0][2].endswith("GNOME 48.1 is out.")


def test_timestamps_are_stored_in_utc(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched())
    with sessions() as session:
        published = session.execute(text("SELECT published_at FROM snapshots")).scalar_one()
    # 18:30 at +02:00 is 16:30 UTC.
    assert "16:30" in str(published)


def test_same_body_under_other_url_becomes_an_alias(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    original = record_article(sessions, fetched())
    mirror = fetched(url="https://news.example/mirror/gnome-48/", title="Mirror: GNOME 48")
    result = record_article(sessions, mirror)
    assert result.outcome is Outcome.DUPLICATE and result.article_id == original.article_id

    assert rows(sessions, "SELECT COUNT(*) FROM articles") == [(1,)]
    assert rows(sessions, "SELECT url, article_id FROM url_aliases") == [("https://news.example/mirror/gnome-48/", original.article_id)]
    # Next time the mirror URL is fetched, it resolves through its alias.
    again = record_article(sessions, mirror)
    assert again.article_id == original.article_id


def test_a_known_copy_that_drifts_never_makes_a_version(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched())
    mirror_url = "https://news.example/mirror/gnome-48/"
    record_article(sessions, fetched(url=mirror_url))
    stale = record_article(sessions, fetched(url=mirror_url, body_text=BODY + "\n\nStale sidebar text."))
    assert stale.outcome is Outcome.DUPLICATE
    assert rows(sessions, "SELECT COUNT(*) FROM snapshots") == [(1,)]


def test_original_found_after_its_copy_takes_over_the_article(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    copy = record_article(sessions, fetched(url="https://news.example/mirror/gnome-48/"))
    original = fetched(canonical_url="https://news.example/gnome-48/?utm_source=x")
    result = record_article(sessions, original)
    assert result.outcome is Outcome.DUPLICATE and result.article_id == copy.article_id

    assert rows(sessions, "SELECT url FROM articles") == [("https://news.example/gnome-48/",)]
    assert rows(sessions, "SELECT url FROM url_aliases") == [("https://news.example/mirror/gnome-48/",)]
    assert rows(sessions, "SELECT COUNT(*) FROM snapshots") == [(1,)]


def test_alias_of_canonical_page_is_recorded(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    amp = fetched(fetched_url="https://news.example/gnome-48/amp/")
    record_article(sessions, amp)
    assert rows(sessions, "SELECT url FROM url_aliases") == [("https://news.example/gnome-48/amp/",)]
    assert rows(sessions, "SELECT url FROM articles") == [("https://news.example/gnome-48/",)]


def test_short_identical_bodies_are_not_merged(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched(url="https://news.example/a/", title="Launch video", body_text="Video only."))
    record_article(sessions, fetched(url="https://news.example/b/", title="Keynote video", body_text="Video only."))
    assert rows(sessions, "SELECT COUNT(*) FROM articles") == [(2,)]


def test_naive_datetimes_are_refused(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    with pytest.raises(Exception, match="naive datetime"):
        record_article(sessions, fetched(fetched_at=datetime(2026, 1, 1)))
    assert rows(sessions, "SELECT COUNT(*) FROM articles") == [(0,)]


def test_a_page_fetched_under_another_url_never_makes_a_version(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched())
    amp = fetched(fetched_url="https://news.example/gnome-48/amp/", body_text=BODY, title="GNOME 48 (AMP)")
    for _ in range(2):
        assert record_article(sessions, amp).outcome is Outcome.DUPLICATE
    assert rows(sessions, "SELECT COUNT(*) FROM snapshots") == [(1,)]
    assert rows(sessions, "SELECT url FROM url_aliases") == [("https://news.example/gnome-48/amp/",)]


def test_redirect_to_another_article_does_not_merge_them(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    deleted = record_article(sessions, fetched(url="https://news.example/old-story/"))
    target = fetched(
        url="https://news.example/new-story/",
        aliases=["https://news.example/old-story/"],
        title="Another story",
        body_text="A different article entirely. " * 30,
    )
    result = record_article(sessions, target)
    assert result.outcome is Outcome.NEW and result.article_id != deleted.article_id
    assert rows(sessions, "SELECT a.url, COUNT(*) FROM articles a JOIN snapshots s ON s.article_id = a.id GROUP BY a.url ORDER BY a.url") == [
        ("https://news.example/new-story/", 1),
        ("https://news.example/old-story/", 1),
    ]
    assert rows(sessions, "SELECT COUNT(*) FROM url_aliases") == [(0,)]


def test_an_article_that_moved_keeps_its_history_under_the_new_url(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    old, new = "https://news.example/gnome-48/", "https://news.example/2026/gnome-48-released/"
    first = record_article(sessions, fetched(canonical_url=old))
    moved = fetched(url=new, canonical_url=new, aliases=[old], fetched_at=MONDAY + timedelta(days=1))
    assert record_article(sessions, moved).article_id == first.article_id
    assert rows(sessions, "SELECT url FROM articles") == [(new,)]
    assert rows(sessions, "SELECT url FROM url_aliases") == [(old,)]
    edit = fetched(url=new, canonical_url=new, body_text=BODY * 4 + "\n\nUpdate.", fetched_at=MONDAY + timedelta(days=2))
    assert record_article(sessions, edit).outcome is Outcome.CHANGED


def test_original_taking_over_from_its_copy_records_its_own_title(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched(url="https://news.example/mirror/gnome-48/", title="Mirror: GNOME 48"))
    original = fetched(canonical_url="https://news.example/gnome-48/")
    record_article(sessions, original)
    assert rows(sessions, "SELECT url, version, title FROM latest_snapshots") == [("https://news.example/gnome-48/", 2, "GNOME 48 released")]
    assert record_article(sessions, original).outcome is Outcome.UNCHANGED


def test_a_page_taken_for_a_copy_splits_off_when_it_changes(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched(canonical_url="https://news.example/gnome-48/"))
    other_url = "https://news.example/gnome-48-preview/"
    assert record_article(sessions, fetched(url=other_url, canonical_url=other_url)).outcome is Outcome.DUPLICATE
    changed = fetched(url=other_url, canonical_url=other_url, body_text="The preview is now its own story. " * 20)
    assert record_article(sessions, changed).outcome is Outcome.NEW
    assert rows(sessions, "SELECT url FROM articles ORDER BY id") == [("https://news.example/gnome-48/",), (other_url,)]
    assert rows(sessions, "SELECT COUNT(*) FROM url_aliases") == [(0,)]


def test_nul_bytes_and_lone_surrogates_are_not_stored(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    record_article(sessions, fetched(title="GNOME\x00 48\ud800", authors=["Ada\x00"]))
    assert rows(sessions, "SELECT title FROM snapshots") == [("GNOME 48",)]


def _story_sequence() -> list[FetchedArticle]:
    """Pages in the order a crawl meets them: new, a mirror, the original after its copy, a drift, an edit, a split-off."""
    other = "https://news.example/gnome-48-preview/"
    return [
        fetched(url="https://news.example/kde/", title="KDE 7", body_text="KDE 7 is out with a new shell. " * 30),
        fetched(url="https://news.example/mirror/gnome-48/"),
        fetched(canonical_url="https://news.example/gnome-48/"),
        fetched(fetched_url="https://news.example/gnome-48/amp/", title="GNOME 48 (AMP)"),
        fetched(fetched_at=MONDAY + timedelta(hours=1)),
        fetched(url=other, canonical_url=other, body_text=BODY * 4),
        fetched(url=other, canonical_url=other, body_text="The preview is now its own story. " * 20),
        fetched(body_text=BODY * 4 + "\n\nUpdate: 48.1.", fetched_at=MONDAY + timedelta(days=1)),
    ]


ARCHIVE_STATE = (
    "SELECT a.url, s.version, s.is_latest, s.fetched_url, s.title, s.body_text FROM articles a JOIN snapshots s ON s.article_id = a.id"
    " ORDER BY a.url, s.version"
)


def test_a_batch_in_one_transaction_records_what_one_by_one_records(database_url: str, sqlite_url: str) -> None:
    one_by_one, batched = open_archive(sqlite_url).sessions, open_archive(database_url).sessions
    if database_url == sqlite_url:
        one_by_one = open_archive(sqlite_url.replace("archive.db", "one-by-one.db")).sessions
    expected = [(r.outcome, r.version) for r in (record_article(one_by_one, page) for page in _story_sequence())]
    recorded = record_articles(batched, _story_sequence())
    assert [(r.outcome, r.version) for r in recorded] == expected
    assert {r.outcome for r in recorded} == set(Outcome)
    assert rows(batched, ARCHIVE_STATE) == rows(one_by_one, ARCHIVE_STATE)
    assert rows(batched, "SELECT url, reason FROM url_aliases ORDER BY url") == rows(one_by_one, "SELECT url, reason FROM url_aliases ORDER BY url")


MARKED_LATEST = "SELECT article_id, version FROM snapshots WHERE is_latest ORDER BY article_id"
HIGHEST_VERSIONS = "SELECT article_id, MAX(version) FROM snapshots GROUP BY article_id ORDER BY article_id"


def test_the_latest_version_marker_follows_new_versions_reextraction_and_split_off(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    gnome, preview, kde = "https://news.example/gnome-48/", "https://news.example/gnome-48-preview/", "https://news.example/kde/"
    kde_body = "KDE 7 is out with a new shell. " * 30
    pages = [
        (fetched(canonical_url=gnome), Outcome.NEW),
        (fetched(canonical_url=gnome, body_text=BODY * 4 + "\n\nUpdate: 48.1.", fetched_at=MONDAY + timedelta(days=1)), Outcome.CHANGED),
        (fetched(url=preview, canonical_url=preview, body_text=BODY * 4 + "\n\nUpdate: 48.1."), Outcome.DUPLICATE),
        (fetched(url=preview, canonical_url=preview, body_text="The preview is now its own story. " * 20), Outcome.NEW),
        (fetched(url="https://news.example/mirror/kde/", title="Mirror: KDE 7", body_text=kde_body), Outcome.NEW),
        (fetched(url=kde, canonical_url=kde, title="KDE 7", body_text=kde_body), Outcome.DUPLICATE),  # the original takes over
    ]
    for page, outcome in pages:
        assert record_article(sessions, page).outcome is outcome
        assert rows(sessions, MARKED_LATEST) == rows(sessions, HIGHEST_VERSIONS)
    assert rows(sessions, MARKED_LATEST) == [(1, 2), (2, 1), (3, 2)]
    [(gnome_latest,)] = rows(sessions, "SELECT id FROM snapshots WHERE article_id = 1 AND version = 2")
    reread = fetched(canonical_url=gnome, body_text=BODY * 4 + "\n\nUpdate: 48.1 is out.")
    assert record_reextraction(sessions, gnome_latest, reread) is Outcome.CHANGED
    assert rows(sessions, MARKED_LATEST) == [(1, 3), (2, 1), (3, 2)]
    assert rows(sessions, "SELECT COUNT(*) FROM snapshots") == [(6,)]


ARCHIVE_CONTENTS = (
    "SELECT * FROM articles ORDER BY id",
    "SELECT * FROM snapshots ORDER BY id",
    "SELECT * FROM url_aliases ORDER BY url",
    "SELECT * FROM responses ORDER BY id",
    "SELECT * FROM raw_pages ORDER BY sha256",
)


def _page(url: str, title: str, body: str, **changes: object) -> FetchedArticle:
    """A page fetched at ``url`` on Tuesday with its raw page (the same bytes for the same ``page_bytes``)."""
    page_bytes = changes.pop("page_bytes", f"<html>{title}</html>")
    raw = RawResponse(url, 200, str(page_bytes).encode(), {"Content-Type": "text/html", "ETag": '"v1"'})
    values: dict[str, object] = dict(fetched_at=MONDAY + timedelta(days=1), raw=raw, etag='"v1"')
    return fetched(url=url, title=title, body_text=body, **(values | changes))


def test_a_mixed_batch_records_what_page_by_page_records(database_url: str, twin_database_url: str) -> None:
    site = "https://news.example"
    known = [
        fetched(url=f"{site}/kept/", title="Kept", body_text="A story nobody edits. " * 30),
        fetched(url=f"{site}/edited/", title="Edited", body_text="A story about to be edited. " * 30),
        fetched(url=f"{site}/moved/", title="Moved", body_text="The first version of a story that moves. " * 30),
        fetched(url=f"{site}/moved/", title="Moved", body_text="The story that moves, edited. " * 30, fetched_at=MONDAY + timedelta(hours=1)),
    ]
    moved_first = known[2].body_text
    batch = [
        _page(f"{site}/new/", "New", "A story first seen today. " * 30, aliases=[f"{site}/new-old-slug/"]),
        _page(f"{site}/new-amp/", "New (AMP)", "An AMP page first seen today. " * 30, fetched_url=f"{site}/new-amp/amp/"),
        _page(f"{site}/kept/", "Kept", known[0].body_text, aliases=[f"{site}/kept-redirect/"]),
        _page(f"{site}/original/", "Original", "A story and its copy. " * 30, canonical_url=f"{site}/original/"),
        _page(f"{site}/copy/", "Copy", "A story and its copy. " * 30, page_bytes="<html>Original</html>"),
        _page(f"{site}/short-a/", "Launch video", "Video only."),
        _page(f"{site}/short-b/", "Keynote video", "Video only."),
        _page(f"{site}/edited/", "Edited", known[1].body_text + "\n\nUpdate: edited.", etag='"v2"'),
        # The first version of "moved" at a new URL that names itself canonical, where "moved" never did: the article moves there...
        _page(f"{site}/moved-here/", "Moved", moved_first, canonical_url=f"{site}/moved-here/"),
        # ...so its old URL, fetched later in the batch, is a copy now, however unchanged it is.
        _page(f"{site}/moved/", "Moved", known[3].body_text),
        _page(f"{site}/stored-page/", "Stored page", "A new story whose page bytes are stored already. " * 30, page_bytes="<html>Kept</html>"),
    ]
    batched, one_by_one = open_archive(database_url).sessions, open_archive(twin_database_url).sessions
    for sessions in (batched, one_by_one):
        for page in known:
            record_article(sessions, replace(page, raw=_page(page.url, page.title, page.body_text).raw))

    recorded = record_articles(batched, batch)
    assert recorded == [record_article(one_by_one, page) for page in batch]
    assert {r.outcome for r in recorded} == set(Outcome)
    for query in ARCHIVE_CONTENTS:
        assert rows(batched, query) == rows(one_by_one, query), query


def test_a_batch_that_fails_writes_nothing(database_url: str) -> None:
    sessions = open_archive(database_url).sessions
    naive = datetime(2026, 1, 1)
    batch = [fetched(url="https://news.example/a/"), fetched(url="https://news.example/b/", body_text="Another story. " * 30, fetched_at=naive)]
    with pytest.raises(Exception, match="naive datetime"):
        record_articles(sessions, batch)
    assert rows(sessions, "SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM snapshots)") == [(0, 0)]


def test_a_batch_of_reextractions_records_what_one_by_one_records(database_url: str, twin_database_url: str) -> None:
    site = "https://news.example"
    kept, improved, edited, twice, unchanged_first = (f"{site}/{name}/" for name in ("kept", "improved", "edited", "twice", "unchanged-first"))
    crawled = [_page(url, url.split("/")[-2].title(), f"The story at {url}. " * 30) for url in (kept, improved, edited, twice, unchanged_first)]
    crawled.append(_page(edited, "Edited", "The story, edited. " * 30, fetched_at=MONDAY + timedelta(days=2)))
    batched, one_by_one = open_archive(database_url).sessions, open_archive(twin_database_url).sessions
    for sessions in (batched, one_by_one):
        record_articles(sessions, crawled)
    version_ids = {
        (url, version): snapshot_id
        for snapshot_id, url, version in rows(batched, "SELECT s.id, a.url, s.version FROM snapshots s JOIN articles a ON a.id = s.article_id")
    }
    reread_later = MONDAY + timedelta(days=30)  # the time the current extractor says, not the stored page's: not kept

    def reread(page: FetchedArticle, **changes: object) -> FetchedArticle:
        return replace(page, raw=None, fetched_at=reread_later, **changes)

    batch = [
        (version_ids[kept, 1], reread(crawled[0])),
        (version_ids[improved, 1], reread(crawled[1], authors=["Grace Hopper"])),
        (version_ids[edited, 1], reread(crawled[2], title="Edited, better")),  # its article has a newer version
        (version_ids[twice, 1], reread(crawled[3], title="Twice, better")),
        (version_ids[twice, 1], reread(crawled[3], title="Twice, better still")),  # a version of its article came before it
        (version_ids[unchanged_first, 1], reread(crawled[4])),
        (version_ids[unchanged_first, 1], reread(crawled[4], tags=["gnome"])),
    ]
    outcomes = record_reextractions(batched, batch)
    assert outcomes == [record_reextraction(one_by_one, snapshot_id, result) for snapshot_id, result in batch]
    assert outcomes == [Outcome.UNCHANGED, Outcome.CHANGED, None, Outcome.CHANGED, None, Outcome.UNCHANGED, Outcome.CHANGED]
    for query in ARCHIVE_CONTENTS:
        assert rows(batched, query) == rows(one_by_one, query), query
    new_versions = (
        "SELECT a.url, s.version, s.is_latest, s.source, s.title, s.fetched_at = o.fetched_at, s.response_id = o.response_id"
        " FROM snapshots s JOIN articles a ON a.id = s.article_id JOIN snapshots o ON o.article_id = s.article_id AND o.version = s.version - 1"
        " WHERE s.source = 'reextract' ORDER BY a.url"
    )
    assert rows(batched, new_versions) == [
        (improved, 2, True, "reextract", "Improved", True, True),
        (twice, 2, True, "reextract", "Twice, better", True, True),
        (unchanged_first, 2, True, "reextract", "Unchanged-First", True, True),
    ]
    assert rows(batched, MARKED_LATEST) == rows(batched, HIGHEST_VERSIONS)
