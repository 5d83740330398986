"""End-to-end: one real crawl of the hostile site, then one test per case of what the crawler did.

The site is served under a public name through the test server as the
crawler's proxy, so the crawler treats it as a site on the internet (private
addresses are refused) and every request it made is known.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.crawl import CrawlResult, query, run_crawl
from tests.hostile_site import (
    ARCHIVED,
    BUSY_ANSWERS,
    CONTROL,
    FAILING,
    GOOD,
    HOST,
    HUGE_BYTES,
    IDN,
    IDN_HOST,
    IDN_HOST_ASCII,
    LONG_URL_PATH,
    METADATA_URL,
    NEVER_REQUESTED_LINKS,
    REDIRECTS_ALLOWED,
    RETRIES,
    HostileSite,
    story_body,
)
from tests.local_server import Server, serve

pytestmark = pytest.mark.xdist_group("hostile-crawl")  # its tests share module fixtures: one worker runs them all

MAX_PAGES = 20
"""ARCHIVE_MAX_PAGES of crawler/settings.py."""
TIMEOUT = 10
"""DOWNLOAD_TIMEOUT of these crawls, in seconds: what a stalled response waits, long enough for 20 MB on a loaded machine."""


@dataclass(frozen=True)
class HostileCrawl:
    result: CrawlResult
    database_url: str
    server: Server
    site: HostileSite

    def url(self, path: str, host: str = HOST) -> str:
        return f"http://{host}{quote(path)}"

    def archived(self) -> dict[str, tuple[str, str]]:
        return {url: (title, body) for url, title, body in query(self.database_url, "SELECT url, title, body_text FROM latest_snapshots")}

    def errors(self) -> dict[str, int]:
        return dict(query(self.database_url, "SELECT reason, pages FROM crawl_run_errors"))

    def requested(self, path: str) -> int:
        return len(self.server.requests_for(path))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    database_url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'archive.db'}"
    site = HostileSite()
    with serve(site) as server:
        result = run_crawl(database_url, f"start_url=http://{HOST}/", settings=(f"DOWNLOAD_TIMEOUT={TIMEOUT}",), env=server.proxy)
        site.stopping.set()
        yield HostileCrawl(result, database_url, server, site)


def test_the_crawl_finishes_and_archives_every_good_article(hostile: HostileCrawl) -> None:
    assert hostile.result.returncode == 0, hostile.result.output
    assert query(hostile.database_url, "SELECT finish_reason FROM crawl_runs") == [("finished",)]
    archived = hostile.archived()
    expected = {hostile.url(path) for path in ARCHIVED} | {hostile.url(f"/{IDN.slug}/", IDN_HOST_ASCII)}
    assert set(archived) == expected
    for story in GOOD:
        assert archived[hostile.url(f"/{story.slug}/")] == (story.title, story_body(story))


def test_every_bad_page_is_counted_with_its_reason_and_never_archived(hostile: HostileCrawl) -> None:
    assert hostile.errors() == dict(Counter(FAILING.values()))
    [(errors,)] = query(hostile.database_url, "SELECT errors FROM crawl_runs")
    assert errors == len(FAILING)
    assert not {hostile.url(path) for path in FAILING} & set(hostile.archived())
    assert query(hostile.database_url, "SELECT COUNT(*) FROM snapshots WHERE body_text = ''") == [(0,)]


def test_malformed_and_truncated_markup_are_archived_as_far_as_they_go(hostile: HostileCrawl) -> None:
    malformed = ARCHIVED["/malformed-markup/"]
    assert hostile.archived()[hostile.url("/malformed-markup/")] == (malformed.title, story_body(malformed))
    truncated = ARCHIVED["/truncated-markup/"]
    title, body = hostile.archived()[hostile.url("/truncated-markup/")]
    assert title == truncated.title
    assert body == story_body(truncated) + "\n\nThis last paragraph is cut off in the mid"


@pytest.mark.parametrize("path", ["/cp1252-declared-utf8/", "/utf8-bom/", "/shift-jis-meta/", "/gb2312-meta/"])
def test_misdeclared_and_legacy_encodings_are_decoded(hostile: HostileCrawl, path: str) -> None:
    story = ARCHIVED[path]
    assert hostile.archived()[hostile.url(path)] == (story.title, story_body(story))


def test_huge_pages_and_a_gzip_bomb_are_cancelled_never_loaded_whole(hostile: HostileCrawl) -> None:
    assert hostile.errors()["too-large"] == 3
    for path in ("/huge-page/", "/huge-stream/", "/gzip-bomb/"):
        assert hostile.requested(path) == 1, "a page too large is not retried"
    # The server stopped writing when the crawler hung up: at the announced size at once,
    # at DOWNLOAD_MAXSIZE (20 MB) for the page without a length.
    assert all(sent < HUGE_BYTES for sent in hostile.site.streamed.values()), hostile.site.streamed
    output = hostile.result.output
    assert "larger than download max size" in output and "exceeded DOWNLOAD_MAXSIZE" in output


def test_endless_pagination_and_calendar_links_stop_at_max_pages(hostile: HostileCrawl) -> None:
    index_pages = {seen.path for seen in hostile.server.seen if seen.path.startswith("/page/")}
    assert index_pages == {f"/page/{n}/" for n in range(2, MAX_PAGES + 1)}
    assert not [seen for seen in hostile.server.seen if seen.path.startswith("/calendar/")]


def test_redirect_loops_and_long_chains_are_given_up_short_chains_followed(hostile: HostileCrawl) -> None:
    assert hostile.errors()["redirect-loop"] == 1 and hostile.errors()["too-many-redirects"] == 1
    assert (hostile.requested("/loop-a/"), hostile.requested("/loop-b/")) == (1, 1)
    first = REDIRECTS_ALLOWED + 5
    long_chain = sorted(int(seen.path.split("/")[2]) for seen in hostile.server.seen if seen.path.startswith("/long/"))
    assert long_chain == list(range(first - REDIRECTS_ALLOWED, first + 1))
    assert hostile.url("/short/0/") in hostile.archived()


def test_server_errors_are_retried_politely_then_given_up(hostile: HostileCrawl) -> None:
    assert hostile.errors()["http-500"] == 1 and hostile.errors()["http-503"] == 2
    assert hostile.requested("/server-error/") == 1 + RETRIES
    # A 503 with Retry-After: 1 is retried no sooner than a second later, then given up.
    unavailable = [seen.at for seen in hostile.server.requests_for("/unavailable/")]
    assert len(unavailable) == 1 + RETRIES
    assert all(later - earlier >= 1 for earlier, later in zip(unavailable, unavailable[1:], strict=False))
    # Retry-After of a day is longer than ARCHIVE_RETRY_AFTER_MAX: given up at once.
    assert hostile.requested("/retry-much-later/") == 1
    # A server busy twice, then answering, gets its article archived.
    assert hostile.requested("/busy-then-ok/") == BUSY_ANSWERS + 1
    assert hostile.url("/busy-then-ok/") in hostile.archived()


def test_a_stalled_response_times_out(hostile: HostileCrawl) -> None:
    assert hostile.errors()["timeout"] == 1
    assert hostile.requested("/stalled/") == 1 + RETRIES


def test_a_transfer_cut_short_is_never_archived_half(hostile: HostileCrawl) -> None:
    assert hostile.errors()["truncated"] == 1
    assert hostile.requested("/cut-short/") == 1 + RETRIES


def test_other_domains_private_addresses_and_script_links_are_never_requested(hostile: HostileCrawl) -> None:
    assert hostile.server.hosts() == {HOST, IDN_HOST_ASCII}, "only the site and its own subdomain"
    assert len(NEVER_REQUESTED_LINKS) >= 10
    # A redirect of the site to the cloud metadata service is refused and counted.
    assert hostile.errors()["private-address"] == 1
    assert f"refused {METADATA_URL}" in hostile.result.output


def test_long_non_ascii_and_international_urls(hostile: HostileCrawl) -> None:
    assert hostile.requested(LONG_URL_PATH) == 0 and hostile.errors()["url-too-long"] == 1
    archived = hostile.archived()
    assert "http://hostile.example/caf%C3%A9-%C3%BCn%C3%AFcode-story/" in archived
    assert "http://hostile.example/%E2%9C%93-checked-story/" in archived
    assert archived[f"http://{IDN_HOST_ASCII}/{IDN.slug}/"] == (IDN.title, story_body(IDN))
    assert IDN_HOST != IDN_HOST_ASCII


def test_invalid_huge_and_lying_json_ld(hostile: HostileCrawl) -> None:
    rows = query(
        hostile.database_url,
        "SELECT url, title, published_at, authors FROM latest_snapshots WHERE url LIKE :pattern ORDER BY url",
        pattern=f"http://{HOST}/jsonld-%",
    )
    by_path = {url.removeprefix(f"http://{HOST}"): (title, str(published), authors) for url, title, published, authors in rows}
    assert by_path["/jsonld-invalid/"][0] == ARCHIVED["/jsonld-invalid/"].title
    assert by_path["/jsonld-huge/"][0] == ARCHIVED["/jsonld-huge/"].title, "the oversized JSON-LD headline is not read"
    title, published, authors = by_path["/jsonld-lies/"]
    assert title == ARCHIVED["/jsonld-lies/"].title
    assert published.startswith("2026-05-04"), "the year 9999 is refused; the page's <time> is used"
    assert len(authors) < 1000, "10,000 authors are not archived"


def test_control_characters_are_neither_stored_nor_printed(hostile: HostileCrawl) -> None:
    [(title, body)] = query(hostile.database_url, "SELECT title, body_text FROM latest_snapshots WHERE url LIKE '%control-characters%'")
    assert "\x00" not in title + body and "\x1b" not in title + body
    assert "escape" in title and "red" in body and CONTROL.title != title
    url = hostile.url("/control-characters/")
    for command in (["history", url], ["search", "escape"], ["export"]):
        shown = subprocess.run([sys.executable, "-m", "crawler.cli", "--db", hostile.database_url, *command], capture_output=True, check=True)
        assert shown.stdout and not set("\x00\x07\x1b\x9b") & set(shown.stdout.decode()), command


def test_the_archive_of_a_hostile_crawl_checks_clean(hostile: HostileCrawl) -> None:
    check = subprocess.run([sys.executable, "-m", "crawler.cli", "--db", hostile.database_url, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith(f"ok: {len(ARCHIVED) + 1} articles")


def test_depth_limit_bounds_pagination_without_max_pages_on_an_international_site(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'archive.db'}"
    with serve(HostileSite()) as server:
        result = run_crawl(
            database_url,
            f"start_url=http://{IDN_HOST}/page/2/",
            "max_pages=0",
            settings=("DEPTH_LIMIT=4",),
            env=server.proxy,
        )
    assert result.returncode == 0, result.output
    # Start page at depth 0, /page/6/ at depth 4; /page/7/ is beyond the limit and counted.
    assert {seen.path for seen in server.seen if seen.host == IDN_HOST_ASCII and seen.path.startswith("/page/")} == {
        f"/page/{n}/" for n in range(2, 7)
    }
    assert query(database_url, "SELECT reason, pages FROM crawl_run_errors") == [("depth-limit", 1)]
    urls = {url for (url,) in query(database_url, "SELECT url FROM articles")}
    assert urls == {f"http://{IDN_HOST_ASCII}/{story.slug}/" for story in GOOD}
    assert query(database_url, "SELECT DISTINCT site FROM articles") == [(IDN_HOST,)]
