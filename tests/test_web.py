"""``archive serve``: the real command serving a crawled archive (SQLite and PostgreSQL), read by Chromium
through Playwright and by plain HTTP requests; feeds parsed with feedparser.

The archive is two crawls of the fixture site (version 1, then version 2
with an edited body and an edited title) plus a hostile article written by
the storage library, whose title, byline and body hold script, an
``<img onerror>`` and terminal escapes, in two versions.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import feedparser
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from archive.db import open_archive
from archive.models import CRAWL, Article, CrawlRun, CrawlRunError, Snapshot
from archive.queries import SiteStats, find_article, latest_snapshot, site_stats
from archive.records import FetchedArticle
from archive.store import Outcome, record_article, record_reextraction
from archive.web import queries as web_queries
from archive.web.app import DATABASE_FAILED, UNREADABLE_VALUE
from archive.web.queries import daily_counts
from tests.conftest import POSTGRES_ADMIN_URL, fresh_postgres_database
from tests.crawl import PROJECT_ROOT, run_crawl
from tests.damaged_archives import MALFORMED, damage_tables
from tests.fixture_site import ADDED_PARAGRAPH, AMP_SLUG, EDITED_BODY_SLUG, EDITED_TITLE_SLUG, serve_fixture_site
from tests.web_server import serve_archive

pytestmark = pytest.mark.xdist_group("served-archive")  # its tests share module fixtures: one worker runs them all

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = PROJECT_ROOT / "docs" / "diff.png"
"""README's screenshot of a diff page: made again by the browser test when ARCHIVE_UPDATE_SCREENSHOTS=1."""
REEXTRACTED_SLUG = "kde-plasma-6-2"
HOSTILE_URL = "https://hostile.example/owned/"
HOSTILE_TITLE = "<script>window.hostileRan = 1; alert('title')</script> Kernel \x1b[31m6.13\x1b[0m <img src=x onerror=\"window.hostileRan = 2\">"
HOSTILE_BODY = (
    "Rust drivers keep growing. <script>window.hostileRan = 3; alert('body')</script>\n\n"
    "<img src=x onerror=\"window.hostileRan = 4; alert('img')\"> \x1b]0;owned\x07 Terminal escapes too."
)
HOSTILE_AUTHOR = '<b onmouseover="window.hostileRan = 5">Mallory</b>'


@dataclass(frozen=True)
class Served:
    backend: str
    database_url: str
    base: str
    site: str
    """The fixture site's name in the archive (its host)."""
    site_url: str


def _hostile(title: str, body: str, when: datetime) -> FetchedArticle:
    return FetchedArticle(
        url=HOSTILE_URL,
        site="hostile.example",
        fetched_url=HOSTILE_URL,
        fetched_at=when,
        title=title,
        body_text=body,
        authors=[HOSTILE_AUTHOR],
        extractor="test",
    )


def _fill(database_url: str) -> str:
    """Two crawls of the fixture site and the hostile article; the fixture site's URL."""
    with serve_fixture_site() as site:
        first = run_crawl(database_url, f"start_url={site.url}")
        assert first.returncode == 0, first.output[-3000:]
        site.set_version(2)
        second = run_crawl(database_url, f"start_url={site.url}", "recheck=all")
        assert second.returncode == 0, second.output[-3000:]
        site_url = site.url
    archive = open_archive(database_url)
    sessions = archive.sessions
    now = datetime.now(UTC)
    record_article(sessions, _hostile(HOSTILE_TITLE, HOSTILE_BODY, now - timedelta(minutes=1)))
    record_article(sessions, _hostile(HOSTILE_TITLE + " <script>alert('v2')</script>", HOSTILE_BODY + "\n\n<script>alert('new')</script>", now))
    with sessions() as session:
        plasma = find_article(session, f"{site_url}{REEXTRACTED_SLUG}/")
        assert plasma is not None
        read = latest_snapshot(session, plasma.id)
        assert read is not None
    rerun = FetchedArticle(
        url=plasma.url,
        site=plasma.site,
        fetched_url=read.fetched_url,
        title=read.title,
        body_text=read.body_text,
        tags=[*read.tags, "Plasma"],
        extractor="test-2",
    )
    assert record_reextraction(sessions, read.id, rerun) == Outcome.CHANGED  # a new version, not an edit
    with sessions.begin() as session:  # a run that failed, as crawler.run_recorder records one
        run = CrawlRun(started_at=now, finished_at=now, finish_reason="finished", mode="site", sites="down.example", errors=5)
        session.add(run)
        session.flush()
        session.add_all([CrawlRunError(run_id=run.id, reason="timeout", pages=2), CrawlRunError(run_id=run.id, reason="http-503", pages=3)])
    archive.close()
    return site_url


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The crawled archive on one backend, served by ``archive serve``."""
    with archive_database(request.param, tmp_path_factory) as database_url:
        site_url = _fill(database_url)
        with serve_archive(database_url) as base:
            yield Served(request.param, database_url, base, urlsplit(site_url).netloc, site_url)


@contextmanager
def archive_database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new, empty archive database on ``backend``."""
    if backend == "postgresql":
        with fresh_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('web') / 'archive.db'}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not CHROMIUM.exists():
        reason = f"the browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser page that records every dialog that opens (and dismisses it) and every page error."""
    context = browser.new_context()
    opened = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.dialogs = dialogs  # type: ignore[attr-defined]
    opened.errors = errors  # type: ignore[attr-defined]
    yield opened
    context.close()


def article_url(served: Served, slug: str) -> str:
    return f"{served.site_url}{slug}/"


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """Status, headers (lower-case names) and text of a GET of ``url``, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read().decode()


def fetch_json(served: Served, path: str, **parameters: Any) -> Any:
    status, headers, body = fetch(f"{served.base}{path}?{urlencode({**parameters, 'format': 'json'})}")
    assert status == 200, body
    assert headers["content-type"].startswith("application/json")
    return json.loads(body)


def test_home_shows_every_site_with_counts_the_latest_edits_and_a_chart(served: Served, page: Page) -> None:
    page.goto(served.base + "/")
    row = page.locator("table.sites tr", has_text=served.site)
    assert row.locator("td").all_inner_texts()[:5] == [served.site, "8", "11", "2", "2"]  # one of the versions a re-extraction
    edits = page.locator("table.versions tbody tr").all_inner_texts()
    assert any("Firefox 132: What Is New (Updated)" in edit for edit in edits)
    assert any("Ubuntu 24.10 Review" in edit for edit in edits)
    assert page.locator("svg rect.new").count() == 90 and page.locator("svg rect.edits").count() == 90
    data = fetch_json(served, "/")
    today = next(day for day in data["days"] if day["day"] == datetime.now(UTC).date().isoformat())
    assert today == {"day": today["day"], "new_articles": 9, "edits": 3}
    assert {site["site"]: site["edits"] for site in data["sites"]} == {served.site: 2, "hostile.example": 1}


def test_articles_lists_latest_versions_newest_first_by_page(served: Served, page: Page) -> None:
    page.goto(f"{served.base}/articles?site={served.site}")
    titles = page.locator("table.versions tbody tr td:nth-child(2) a").all_inner_texts()
    assert len(titles) == 8 and "Firefox 132: What Is New (Updated)" in titles
    data = fetch_json(served, "/articles")
    assert data["total"] == 9 and data["pages"] == 1 and data["next_page"] is None
    fetched = [row["fetched_at"] for row in data["articles"]]
    assert fetched == sorted(fetched, reverse=True)
    assert fetch(f"{served.base}/articles?page=2")[0] == 404
    assert fetch(f"{served.base}/articles?site=nowhere")[0] == 200


def test_article_page_resolves_the_url_and_lists_every_version(served: Served, page: Page) -> None:
    amp = f"{served.site_url}{AMP_SLUG}/amp/?utm_source=feed"
    page.goto(f"{served.base}/article?{urlencode({'url': amp})}")
    assert page.locator("h1").inner_text() == "Fedora 41 Released with GNOME 47"
    edited = article_url(served, EDITED_BODY_SLUG)
    page.goto(f"{served.base}/article?{urlencode({'url': edited + '?utm_campaign=x'})}")
    rows = page.locator("table.versions tbody tr").all_inner_texts()
    assert len(rows) == 2 and all("\tcrawl\t" in row for row in rows)
    page.click("text=diff with version 1")
    assert page.url.startswith(f"{served.base}/diff?") and page.locator("article.diff ins").count() >= 1
    data = fetch_json(served, "/article", url=edited)
    assert [v["version"] for v in data["versions"]] == [1, 2] and data["article"]["url"] == edited
    assert data["versions"][1]["diff_page"] == f"/diff?{urlencode({'url': edited, 'to': 2})}"


def test_diff_marks_insertions_and_deletions_word_by_word(served: Served, page: Page, tmp_path: Path) -> None:
    page.goto(f"{served.base}/diff?{urlencode({'url': article_url(served, EDITED_BODY_SLUG)})}")
    assert page.locator("article.diff ins").all_inner_texts() == [ADDED_PARAGRAPH]
    assert page.locator("article.diff del").count() == 0
    # Seven unchanged paragraphs (six and a heading) before the insertion, the two next to it kept.
    assert page.locator("p.collapsed").inner_text() == "… 5 unchanged paragraphs …"
    if served.backend == "sqlite":
        screenshot = SCREENSHOT if os.environ.get("ARCHIVE_UPDATE_SCREENSHOTS") == "1" else tmp_path / SCREENSHOT.name
        page.set_viewport_size({"width": 1000, "height": 640})
        page.screenshot(path=str(screenshot), full_page=True)
        assert screenshot.read_bytes().startswith(b"\x89PNG")
    page.goto(f"{served.base}/diff?{urlencode({'url': article_url(served, EDITED_TITLE_SLUG)})}")
    assert page.locator("article.diff h1 ins").all_inner_texts() == ["(Updated)"]
    data = fetch_json(served, "/diff", url=article_url(served, EDITED_TITLE_SLUG), **{"from": 1, "to": 2})
    assert data["inserted_words"] == 1 and data["deleted_words"] == 0
    assert [piece["kind"] for piece in data["title"]] == ["same", "ins"]


def test_a_re_extraction_is_a_version_but_not_an_edit(served: Served, page: Page) -> None:
    plasma = article_url(served, REEXTRACTED_SLUG)
    page.goto(f"{served.base}/article?{urlencode({'url': plasma})}")
    rows = page.locator("table.versions tbody tr").all_inner_texts()
    assert len(rows) == 2 and "\treextract (test-2)\t" in rows[1] and "diff with version 1" in rows[1]
    assert fetch_json(served, "/diff", url=plasma)["to"]["source"] == "reextract"
    edits = feedparser.parse(fetch(served.base + "/feeds/edits.atom")[2])
    assert all(plasma not in entry.link for entry in edits.entries)
    archive = open_archive(served.database_url, read_only=True)
    today = datetime.now(UTC).date()
    with archive.sessions() as session:
        days = daily_counts(session, today - timedelta(days=1), today)
    archive.close()
    assert sum(day.edits for day in days) == 3


def test_site_counts_equal_a_count_of_every_version(served: Served) -> None:
    """The counts of the home page (from each article's latest version) are those of every snapshot counted one by one."""
    archive = open_archive(served.database_url, read_only=True)
    with archive.sessions() as session:
        counted = site_stats(session)
        every_version = session.execute(select(Article.site, Article.id, Article.last_seen_at, Snapshot.source).join(Snapshot))
        sources: dict[str, dict[int, list[str]]] = {}
        last_seen: dict[str, datetime] = {}
        for site, article_id, seen, source in every_version:
            sources.setdefault(site, {}).setdefault(article_id, []).append(source)
            last_seen[site] = max(last_seen.get(site, seen), seen)
    archive.close()
    expected = [
        SiteStats(
            site=site,
            articles=len(articles),
            snapshots=sum(len(versions) for versions in articles.values()),
            changed_articles=sum(len(versions) > 1 for versions in articles.values()),
            last_seen_at=last_seen[site],
            edits=sum(versions.count(CRAWL) - 1 for versions in articles.values()),
            edited_articles=sum(versions.count(CRAWL) > 1 for versions in articles.values()),
        )
        for site, articles in sorted(sources.items())
    ]
    assert counted == expected
    assert any(site.edits < site.snapshots - site.articles for site in counted)  # a re-extraction is among them


def test_every_page_of_latest_versions_is_its_slice_of_all_of_them(served: Served) -> None:
    archive = open_archive(served.database_url, read_only=True)
    with archive.sessions() as session:
        for site in (None, served.site):
            newest_first, total = web_queries.latest_versions(session, site, 100, 0)
            assert total == len(newest_first) >= 8
            keys = [(found.snapshot.fetched_at, found.snapshot.id) for found in newest_first]
            assert keys == sorted(keys, reverse=True) and all(found.snapshot.is_latest for found in newest_first)
            pages = [web_queries.latest_versions(session, site, 3, offset)[0] for offset in range(0, total, 3)]
            assert [found.snapshot.id for page in pages for found in page] == [found.snapshot.id for found in newest_first]
    archive.close()


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"url": "https://nowhere.example/story/"}, 404, "no archived article under https://nowhere.example/story/"),
        ({}, 400, "give the article's URL"),
        ({"from": "one"}, 400, "from must be a whole number"),
        ({"to": "3"}, 404, "has versions 1, 2; cannot compare 2 with 3"),
        ({"from": "2"}, 404, "cannot compare 2 with 2"),
    ],
)
def test_bad_diff_requests_get_a_clear_4xx_page(served: Served, query: dict[str, str], status: int, message: str) -> None:
    parameters = {"url": article_url(served, EDITED_BODY_SLUG), **query} if query else {}
    code, headers, body = fetch(f"{served.base}/diff?{urlencode(parameters)}")
    assert code == status and message in body.replace("&#39;", "'") and "Traceback" not in body
    assert headers["content-type"].startswith("text/html")


def test_single_version_article_has_nothing_to_compare(served: Served) -> None:
    code, _, body = fetch(f"{served.base}/diff?{urlencode({'url': article_url(served, 'debian-13-trixie'), 'format': 'json'})}")
    assert code == 404 and json.loads(body)["error"].endswith("has a single version: nothing to compare")


def test_search_is_archive_search(served: Served, page: Page) -> None:
    page.goto(f"{served.base}/search?{urlencode({'q': 'point release canonical'})}")
    results = page.locator("table.versions tbody tr")
    assert results.count() == 1 and "Ubuntu 24.10 Review" in results.inner_text() and "[" in results.inner_text()
    data = fetch_json(served, "/search", q='"Firefox 132" -GIMP', site=served.site)
    assert [hit["title"] for hit in data["results"]] == ["Firefox 132: What Is New (Updated)"]
    latest = fetch_json(served, "/search", q="Firefox 132 What Is New")
    every = fetch_json(served, "/search", q="Firefox 132 What Is New", all_versions=1)
    assert [hit["version"] for hit in latest["results"]] == [2] and sorted(hit["version"] for hit in every["results"]) == [1, 2]
    assert fetch_json(served, "/search", q="Firefox", since="2999-01-01")["results"] == []
    assert fetch(f"{served.base}/search?q=-firefox")[0] == 400
    assert fetch(f"{served.base}/search?q=firefox&since=yesterday")[0] == 400


def test_runs_show_counts_and_errors_by_reason(served: Served, page: Page) -> None:
    page.goto(served.base + "/runs")
    rows = page.locator("table.runs tbody tr")
    assert rows.count() == 3 and "http-503 3" in rows.first.inner_text() and "timeout 2" in rows.first.inner_text()
    runs = fetch_json(served, "/runs")["runs"]
    assert [(run["articles_new"], run["articles_changed"], run["errors"]) for run in runs] == [(0, 0, 5), (0, 2, 0), (8, 0, 0)]
    assert runs[0]["errors_by_reason"] == {"http-503": 3, "timeout": 2} and runs[1]["finish_reason"] == "finished"
    assert len(fetch_json(served, "/runs", limit=1)["runs"]) == 1
    assert fetch(f"{served.base}/runs?limit=0")[0] == 400


def test_feeds_have_one_entry_per_edit_and_per_new_article_with_stable_ids(served: Served) -> None:
    edits = feedparser.parse(fetch(served.base + "/feeds/edits.atom")[2])
    assert not edits.bozo and len(edits.entries) == 3
    by_title = {entry.title: entry for entry in edits.entries}
    firefox = by_title["Firefox 132: What Is New (Updated) (version 2)"]
    assert firefox.link == f"{served.base}/diff?{urlencode({'url': article_url(served, EDITED_TITLE_SLUG), 'to': 2})}"
    assert fetch(firefox.link)[0] == 200
    again = feedparser.parse(fetch(served.base.replace("127.0.0.1", "localhost") + "/feeds/edits.atom")[2])
    assert [entry.id for entry in again.entries] == [entry.id for entry in edits.entries]
    assert len({entry.id for entry in edits.entries}) == 3
    hostile = next(entry for entry in edits.entries if "hostile" in entry.summary)
    assert "<script>" in hostile.title and "\x1b" not in hostile.title
    new = feedparser.parse(fetch(f"{served.base}/feeds/new.atom?site={served.site}")[2])
    assert not new.bozo and len(new.entries) == 8 and all(entry.link.startswith(f"{served.base}/article?") for entry in new.entries)
    assert len(feedparser.parse(fetch(served.base + "/feeds/new.atom")[2]).entries) == 9


def test_every_page_has_a_json_twin(served: Served) -> None:
    edited = article_url(served, EDITED_BODY_SLUG)
    assert set(fetch_json(served, "/")) == {"sites", "latest_edits", "days"}
    assert fetch_json(served, "/article", url=edited)["versions"][0]["source"] == "crawl"
    assert fetch_json(served, "/diff", url=edited)["to"]["version"] == 2
    assert fetch_json(served, "/search", q="kernel")["q"] == "kernel"
    assert fetch_json(served, "/articles", site=served.site, page=1)["total"] == 8


def test_hostile_text_is_shown_as_text_and_never_runs(served: Served, page: Page) -> None:
    pages = [
        f"/article?{urlencode({'url': HOSTILE_URL})}",
        f"/diff?{urlencode({'url': HOSTILE_URL})}",
        "/",
        "/articles",
        f"/search?{urlencode({'q': 'rust drivers'})}",
    ]
    for path in pages:
        page.goto(served.base + path)
        assert page.evaluate("window.hostileRan") is None, path
        assert page.locator("main script, main img").count() == 0, path
    page.goto(f"{served.base}/article?{urlencode({'url': HOSTILE_URL})}")
    assert page.locator("h1").inner_text().startswith("<script>window.hostileRan = 1; alert('title')</script> Kernel [31m6.13[0m <img src=x")
    assert page.locator("dd.byline").inner_text() == HOSTILE_AUTHOR
    assert page.dialogs == [] and page.errors == []  # type: ignore[attr-defined]
    _, headers, body = fetch(f"{served.base}/diff?{urlencode({'url': HOSTILE_URL})}")
    assert "script-src" not in headers["content-security-policy"] and "default-src 'none'" in headers["content-security-policy"]
    assert "<script" not in body and "&lt;script&gt;" in body and "\x1b" not in body


def test_nothing_is_served_outside_the_routes_and_static_files(served: Served) -> None:
    assert fetch(served.base + "/static/style.css")[0] == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/nothing", "//evil.example/", "/articles/"):
        code, _, body = fetch(served.base + path)
        assert code == 404 and "Traceback" not in body and "create_app" not in body, path
    request = urllib.request.Request(f"{served.base}/article?{urlencode({'url': HOSTILE_URL})}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 405


def test_the_archive_is_opened_read_only(served: Served) -> None:
    archive = open_archive(served.database_url, read_only=True)
    try:
        with archive.sessions() as session, pytest.raises(DBAPIError, match="read-only|readonly"):
            session.execute(text("UPDATE articles SET site = 'changed'"))
    finally:
        archive.close()
    assert fetch_json(served, "/article", url=HOSTILE_URL)["article"]["site"] == "hostile.example"


def test_serving_beyond_loopback_warns(served: Served) -> None:
    command = [sys.executable, "-m", "archive.cli", "--db", served.database_url, "serve", "--host", "0.0.0.0", "--port", "0"]
    with subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True) as warned:
        assert warned.stderr is not None
        first = warned.stderr.readline()
        warned.terminate()
    assert first.strip() == "warning: serving on 0.0.0.0: the archive becomes readable from the network"


def test_serving_no_archive_is_one_error_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    command = [sys.executable, "-m", "archive.cli", "--db", f"sqlite:///{missing}", "serve", "--port", "0"]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr == f"Error: no archive at {missing} (crawl into it first, or name another with --db)\n"
    assert not missing.exists()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_database_that_fails_while_serving_is_a_503_and_one_log_line_a_request(backend: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A SQLite file damaged, a PostgreSQL database dropped after the server started: each request that reads it fails alone."""
    log: list[str] = []
    with archive_database(backend, tmp_path_factory) as database_url:
        archive = open_archive(database_url)
        record_article(archive.sessions, _hostile("Kernel 6.13", "Rust drivers keep growing.", datetime.now(UTC)))
        archive.close()
        with serve_archive(database_url, log=log) as base:
            assert fetch(base + "/")[0] == 200
            if backend == "sqlite":
                damage_tables(database_url, "snapshots")
            else:
                with create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT").connect() as admin:
                    admin.execute(text(f'DROP DATABASE "{make_url(database_url).database}" WITH (FORCE)'))
            for path in ("/", "/articles", f"/article?{urlencode({'url': HOSTILE_URL, 'format': 'json'})}"):
                code, headers, body = fetch(base + path)
                assert code == 503 and DATABASE_FAILED in html.unescape(body) and "Traceback" not in body, (path, body)
            assert fetch(base + "/static/style.css")[0] == 200  # still serving
    failed = [line for line in log if " failed: " in line]
    assert "Traceback" not in "".join(log), "".join(log)
    assert [line.split(": archive database ")[0] for line in failed] == ["GET /", "GET /articles", "GET /article"], "".join(log)
    shown = make_url(database_url).render_as_string(hide_password=True)
    assert all(f": archive database {shown} failed: " in line for line in failed), "".join(log)
    if backend == "sqlite":
        assert all(MALFORMED in line for line in failed)


def test_a_value_stored_as_json_that_is_not_json_is_a_500_and_one_log_line(sqlite_url: str) -> None:
    """An article whose authors were overwritten by hand with text that is not JSON: its page fails alone."""
    log: list[str] = []
    archive = open_archive(sqlite_url)
    record_article(archive.sessions, _hostile("Kernel 6.13", "Rust drivers keep growing.", datetime.now(UTC)))
    archive.close()
    with create_engine(sqlite_url).begin() as connection:
        connection.execute(text("UPDATE snapshots SET authors = 'Mallory'"))
    with serve_archive(sqlite_url, log=log) as base:
        code, _, body = fetch(base + "/article?" + urlencode({"url": HOSTILE_URL}))
        assert code == 500 and UNREADABLE_VALUE in html.unescape(body), body
        assert fetch(base + "/static/style.css")[0] == 200  # still serving
    assert "Traceback" not in "".join(log), "".join(log)
    assert [line.strip() for line in log if "as JSON" in line] == [
        f"GET /article: archive {sqlite_url}: a value stored as JSON cannot be read as JSON (Expecting value: line 1 column 1 (char 0)); "
        "`archive check` lists where, correct it with SQL"
    ], "".join(log)
