"""Notifications after crawl runs: real crawls of the fixture site with ``ARCHIVE_NOTIFY`` naming apprise's
``json://`` URL of a local HTTP server, which records what it receives."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.crawl import query, run_crawl
from tests.fixture_site import EDITED_BODY_SLUG, EDITED_TITLE_SLUG, serve_fixture_site

WEB_URL = "http://archive.example:8001/"


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.messages.append(json.loads(body))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """apprise's json:// URL of a local server, and the messages it received."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.messages = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_address[1]}/hook", server.messages  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_run_that_found_edits_sends_one_message_with_links_to_the_diffs(receiver: tuple[str, list[dict[str, Any]]], sqlite_url: str) -> None:
    url, messages = receiver
    notify = (f"ARCHIVE_NOTIFY={url}", f"ARCHIVE_WEB_URL={WEB_URL}")
    with serve_fixture_site() as site:
        first = run_crawl(sqlite_url, f"start_url={site.url}", settings=notify)
        assert first.returncode == 0, first.output[-3000:]
        assert messages == []  # new articles only, and ARCHIVE_NOTIFY_ON is "edits" by default
        site.set_version(2)
        second = run_crawl(sqlite_url, f"start_url={site.url}", "recheck=all", settings=notify)
        assert second.returncode == 0, second.output[-3000:]
    [message] = messages
    assert message["title"] == f"technews-archive: 2 edited (crawl run 2, {site.site})"
    body = message["message"]
    assert f"Crawl run 2 of {site.site}" in body and "2 articles edited, 0 new" in body
    for slug in (EDITED_BODY_SLUG, EDITED_TITLE_SLUG):
        assert f"{WEB_URL}diff?{urlencode({'url': f'{site.url}{slug}/', 'to': 2})}" in body
    assert "'archive/notify/sent': 1" in second.output


def test_new_articles_are_notified_when_asked(receiver: tuple[str, list[dict[str, Any]]], sqlite_url: str) -> None:
    url, messages = receiver
    with serve_fixture_site() as site:
        result = run_crawl(sqlite_url, f"start_url={site.url}", settings=(f"ARCHIVE_NOTIFY={url}", "ARCHIVE_NOTIFY_ON=edits,new"))
    assert result.returncode == 0, result.output[-3000:]
    [message] = messages
    assert message["title"] == f"technews-archive: 0 edited, 8 new (crawl run 1, {site.site})"
    assert message["message"].count("\n- ") == 8 and f"- Fedora 41 Released with GNOME 47: {site.url}fedora-41-released/" in message["message"]


def test_a_notification_that_fails_is_logged_and_counted_and_the_crawl_goes_on(sqlite_url: str) -> None:
    unreachable = f"json://127.0.0.1:{closed_port()}/hook"
    with serve_fixture_site() as site:
        result = run_crawl(sqlite_url, f"start_url={site.url}", settings=(f"ARCHIVE_NOTIFY={unreachable}", "ARCHIVE_NOTIFY_ON=new"))
    assert result.returncode == 0, result.output[-3000:]
    assert "crawl run 1: notification failed" in result.output and "'archive/notify/failed': 1" in result.output
    assert query(sqlite_url, "SELECT articles_new, finish_reason FROM crawl_runs") == [(8, "finished")]


def test_no_notification_url_switches_notifications_off(sqlite_url: str) -> None:
    with serve_fixture_site() as site:
        result = run_crawl(sqlite_url, f"start_url={site.url}", settings=("ARCHIVE_NOTIFY_ON=new",))
    assert result.returncode == 0 and "archive/notify" not in result.output
    assert "crawler.notifications.RunNotifications" not in result.output.split("Enabled extensions:")[1].split("]")[0]
