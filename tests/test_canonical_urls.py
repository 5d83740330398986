"""Canonical URLs (``archive.canonical_urls.canonicalize_url``): one article, one key, whatever URL variant was seen."""

from __future__ import annotations

import pytest

from archive.canonical_urls import canonicalize_url


@pytest.mark.parametrize(
    "parameter",
    ["utm_source=feed", "utm_medium=rss", "UTM_Campaign=launch", "fbclid=IwAR0x", "gclid=Cj0K", "mc_cid=abc", "mc_eid=def"],
)
def test_tracking_parameter_is_removed(parameter: str) -> None:
    assert canonicalize_url(f"https://news.example/gnome-48/?{parameter}") == "https://news.example/gnome-48/"


def test_other_parameters_are_kept_and_sorted_around_removed_tracking() -> None:
    url = "https://news.example/search/?q=kernel&utm_source=x&page=2&fbclid=y&lang=en"
    assert canonicalize_url(url) == "https://news.example/search/?lang=en&page=2&q=kernel"


def test_repeated_parameter_keeps_every_value() -> None:
    assert canonicalize_url("https://news.example/?tag=b&tag=a") == "https://news.example/?tag=a&tag=b"


def test_fragment_is_dropped() -> None:
    assert canonicalize_url("https://news.example/gnome-48/#comments") == "https://news.example/gnome-48/"


def test_scheme_and_host_are_lower_cased() -> None:
    assert canonicalize_url("HTTPS://News.EXAMPLE/gnome-48/") == "https://news.example/gnome-48/"


def test_path_case_is_preserved() -> None:
    assert canonicalize_url("https://news.example/Linux/GNOME-48/") == "https://news.example/Linux/GNOME-48/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("http://news.example:80/a/", "http://news.example/a/", id="default http port dropped"),
        pytest.param("https://news.example:443/a/", "https://news.example/a/", id="default https port dropped"),
        pytest.param("https://news.example:8443/a/", "https://news.example:8443/a/", id="other port kept"),
        pytest.param("http://news.example:443/a/", "http://news.example:443/a/", id="443 on http kept"),
    ],
)
def test_only_default_ports_are_dropped(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_idn_host_becomes_lower_case_punycode() -> None:
    assert canonicalize_url("https://BÜCHER.example/neu/") == "https://xn--bcher-kva.example/neu/"
    assert canonicalize_url("https://xn--bcher-kva.example/neu/") == "https://xn--bcher-kva.example/neu/"


def test_ipv6_host_keeps_its_brackets() -> None:
    assert canonicalize_url("http://[::1]:8000/a/") == "http://[::1]:8000/a/"
    assert canonicalize_url("http://[::1]:80/a/") == "http://[::1]/a/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/caf%c3%a9/", "https://news.example/caf%C3%A9/"),
        ("https://news.example/café/", "https://news.example/caf%C3%A9/"),
        ("https://news.example/%7Euser/", "https://news.example/~user/"),
        ("https://news.example/a b/", "https://news.example/a%20b/"),
        ("https://news.example/?q=%e2%82%ac", "https://news.example/?q=%E2%82%AC"),
        ("https://news.example/?q=€", "https://news.example/?q=%E2%82%AC"),
    ],
)
def test_percent_encoding_is_normalised(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


def test_encoded_reserved_characters_keep_their_meaning() -> None:
    # %26 is a literal "&" inside a value and %2F a literal "/" inside a segment: decoding them would change the URL.
    assert canonicalize_url("https://news.example/a%2Fb/?q=rock%26roll") == "https://news.example/a%2Fb/?q=rock%26roll"


def test_variants_of_one_url_agree() -> None:
    variants = [
        "https://news.example/gnome-48/",
        "HTTPS://NEWS.example:443/gnome-48/?utm_source=rss#top",
        "https://news.example/gnome-48/?fbclid=abc&mc_cid=1",
    ]
    assert {canonicalize_url(url) for url in variants} == {"https://news.example/gnome-48/"}


@pytest.mark.parametrize(
    "url",
    [
        "HTTP://Example.COM:80/a/?b=2&utm_source=x&a=1#top",
        "https://BÜCHER.example/Straße/?q=a+b&r=a%20b",
        "https://news.example/caf%c3%a9/?x=%zz&y=%2525",
        "https://news.example/p;param?x&z=1;2",
        "https://news.example:8443/A/%7e/",
        "http://[::1]:8000/a/?utm_medium=x",
    ],
)
def test_canonicalizing_twice_changes_nothing(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
