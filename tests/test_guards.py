"""The decisions behind the crawler's guards: private addresses, Retry-After, failure reasons."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawler.addresses import is_private_host, is_refused
from crawler.middlewares import retry_after_seconds
from crawler.stats import error_reasons


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.7",
        "172.16.3.4",
        "192.168.1.1",
        "127.0.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "[::1]",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:10.0.0.1",
        "2130706433",
        "0x7f000001",
        "0x7f.1",
        "127.1",
        "0177.0.0.1",
        "localhost",
        "LOCALHOST.",
        "printer.local",
        "metadata.google.internal",
        "nas.home.arpa",
        "dev.localhost",
    ],
)
def test_private_hosts(host: str) -> None:
    assert is_private_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "news.example",
        "93.184.216.34",
        "8.8.8.8",
        "2606:4700::1111",
        "cafe.be",
        "deadbeef",
        "xn--bcher-kva.example",
        "localhost.example.com",
    ],
)
def test_public_hosts(host: str) -> None:
    assert not is_private_host(host)


@pytest.mark.parametrize(
    ("url", "site_hosts", "refused"),
    [
        ("http://10.0.0.7/admin/", ["news.example"], True),
        ("http://169.254.169.254/latest/meta-data/", ["news.example", "www.news.example"], True),
        ("http://[::1]:8080/", ["news.example"], True),
        ("http://news.example@10.0.0.8/", ["news.example"], True),
        ("http://news.example/story/", ["news.example"], False),
        # A site that is itself on a private address may link to others (an intranet, a test site).
        ("http://10.0.0.7/story/", ["127.0.0.1"], False),
        ("http://localhost:8000/story/", ["intranet.local"], False),
        ("http://10.0.0.7/story/", ["news.example", "127.0.0.1"], False),
    ],
)
def test_a_private_target_is_refused_only_from_a_public_site(url: str, site_hosts: list[str], refused: bool) -> None:
    assert is_refused(url, site_hosts) is refused


NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (b"120", 120.0),
        (b" 0 ", 0.0),
        (b"Mon, 23 Nov 2026 12:00:30 GMT", 30.0),
        (b"Mon, 23 Nov 2026 11:00:00 GMT", 0.0),  # in the past: retry now
        (b"soon", None),
        (b"-5", None),
        (b"", None),
        (None, None),
    ],
)
def test_retry_after_header(header: bytes | None, seconds: float | None) -> None:
    assert retry_after_seconds(header, NOW) == seconds


def test_error_reasons_from_stats() -> None:
    stats = {
        "archive/fetch_errors/http-503": 2,
        "archive/fetch_errors/timeout": 1,
        "archive/not_html": 1,
        "archive/empty_body": 0,
        "urllength/request_ignored_count": 3,
        "archive/new": 12,
        "downloader/response_count": 40,
    }
    assert error_reasons(stats) == {"http-503": 2, "timeout": 1, "not-html": 1, "url-too-long": 3}
